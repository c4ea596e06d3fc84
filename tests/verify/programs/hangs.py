"""Never reaches fit: sleeps forever (the verifier's timeout must end it)."""

import time

while True:
    time.sleep(0.5)

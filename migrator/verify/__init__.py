"""The verifier: run an original and a migrated program for a few training steps under a
distribution strategy with >= 2 replicas, record what their first `fit` consumed, and
compare.

Layout (only `bootstrap` imports TensorFlow, and only inside the child process):
- `bootstrap`: runs the user's program as `__main__` in the child, intercepts `fit`.
- `summary`: numpy summaries of the batches (statistics, augmentation signature).
- `devices`: which devices give the strategy >= 2 replicas (pure).
- `runner`: spawns the child with time and memory limits and a log file.
- `compare`: two records -> a list of checks (pure).
- `report`: the text table and JSON.
- `command`: the `verify` click command and `verify_paths` for `--verify PATH...`.
"""

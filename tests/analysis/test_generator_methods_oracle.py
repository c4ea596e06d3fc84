"""MA004 against Keras 2 itself: a program using every argument of the *_generator methods
runs under Keras 2 (tf_keras, with Keras 2's import paths, as the verifier runs originals)
and, as MA004 rewrites it, under Keras 3. What Keras did must agree: epochs run from
`initial_epoch`, steps per epoch from a fractional `steps_per_epoch` (rounded up),
`validation_steps` and `validation_freq`, losses weighted by `class_weight`, evaluation
with `steps=None` (one pass), predictions with a fractional `steps`; the dropped
`max_queue_size` / `workers` / `use_multiprocessing` change nothing.

The program passes `shuffle=False` to fit_generator: with the default `shuffle=True`,
Keras 2 (and Keras 3 for a PyDataset) shuffles the order of a Sequence's batches every
epoch, so a `flow(shuffle=False)` iterator trains its fixed batches in a random order, while
the tf.data rewrite keeps them in order: found by this oracle, not made equal here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.api import Options, migrate_source
from migrator.runtime import MODULE_NAME, runtime_text

PROGRAM = Path(__file__).resolve().parent / "programs" / "generator_methods_keras2.py"
ROOT = str(Path(__file__).resolve().parents[2])
# Keras 2's import paths for this process only (the verifier's bootstrap does the same).
KERAS2 = (
    "import sys, runpy; sys.path.insert(0, {root!r}); "
    "from migrator.verify.bootstrap import use_keras2_paths; use_keras2_paths(); "
    "runpy.run_path(sys.argv[1], run_name='__main__')"
)


def _run(command: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT ") :])


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, dict]:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras")
    source = PROGRAM.read_text()
    migrated = migrate_source(source, PROGRAM.name, Options(rewrite_without_strategy=True))
    assert "fit_generator" not in migrated.new_source and "workers" not in migrated.new_source
    path = tmp_path_factory.mktemp("oracle") / "migrated.py"
    path.write_text(migrated.new_source)
    (path.parent / f"{MODULE_NAME}.py").write_text(runtime_text())  # imported beside it
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": ROOT}
    jobs = {
        "keras2": [sys.executable, "-c", KERAS2.format(root=ROOT), str(PROGRAM)],
        "keras3": [sys.executable, str(path)],
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = {name: pool.submit(_run, command, env) for name, command in jobs.items()}
        return {name: future.result() for name, future in done.items()}


def test_epochs_steps_and_validation_agree(results) -> None:
    keras2, keras3 = results["keras2"], results["keras3"]
    assert keras2["epochs"] == [1, 2]  # initial_epoch=1, epochs=3
    assert keras2["steps"] == [5, 5]  # 36 / 8 = 4.5 steps: Keras 2 trains 5
    assert keras2["validated"] == [1]  # validation_freq=2
    for key in ("epochs", "steps", "validated"):
        assert keras3[key] == keras2[key], key


def test_weighted_losses_evaluation_and_predictions_agree(results) -> None:
    keras2, keras3 = results["keras2"], results["keras3"]
    assert len(keras2["predictions"]) == 20  # 20 / 8 = 2.5 steps: all 20 samples
    for key in ("losses", "val_losses", "predictions"):
        assert keras3[key] == pytest.approx(keras2[key], rel=1e-4, abs=1e-6), key
    assert keras3["score"] == pytest.approx(keras2["score"], rel=1e-4)

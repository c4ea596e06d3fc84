"""End to end through the child process: each test program runs once under the bootstrap
(two at a time, one per core), and the verdicts come from comparing the real records.

Pairs that must pass: the IDG original against a correct hand-written tf.data version.
Pairs that must fail, each wrong in one way that still trains: batch size, dtype, 255x
values, one-hot vs sparse labels, missing rescale, missing normalisation, augmentation
dropped (all of it, or the rotation only), labels shuffled apart from their images.
Programs that hang, crash, never call fit, exceed the memory limit, configure their own
devices, or use tf_keras."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.verify.compare import FAIL, compare, passed
from migrator.verify.runner import RunResult, run_program

PROGRAMS = Path(__file__).resolve().parent / "programs"
WRONG = {
    "batch_size": {"batch shapes", "steps per epoch"},
    "float64": {"dtypes"},
    "times_255": {"values x"},
    "onehot": {"batch shapes", "dtypes"},
    "no_rescale": {"values x"},
    "no_center": {"values x"},
    "no_augmentation": {"augmented images", "augmentation strength"},
    "flip_only": {"augmented images"},
    "shuffled_labels": {"label alignment"},
}
# The hanging program's timeout must outlast the bootstrap's start-up (TensorFlow's import
# takes tens of seconds on a loaded machine), so that the stack dumped before the deadline
# is the program's. It runs first: the other core works through the other programs while
# it sleeps.
HANG_TIMEOUT = 40
RUNS = {
    "hangs": ("hangs.py", {"timeout": HANG_TIMEOUT}),
    "original": ("idg_original.py", {}),
    "correct": ("tfdata_correct.py", {}),
    **{name: (f"tfdata_{name}.py", {}) for name in WRONG},
    "crashes": ("crashes.py", {}),
    "no_fit": ("no_fit.py", {}),
    "memory_hog": ("memory_hog.py", {"memory": 3 * 2**30}),
    "own_devices": ("own_devices.py", {}),
    "tf_keras": ("tf_keras_program.py", {}),
}


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, RunResult]:
    pytest.importorskip("tensorflow")
    workdir = tmp_path_factory.mktemp("runs")
    before = _snapshot(PROGRAMS)

    def run(name: str) -> tuple[str, RunResult]:
        program, options = RUNS[name]
        options = {"timeout": 120, **options}
        return name, run_program(
            str(PROGRAMS / program),
            log=str(workdir / f"{name}.log"),
            workdir=str(workdir),
            budget=0.2,
            **options,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:  # 2 cores: one child each
        results = dict(pool.map(run, RUNS))
    results["_unchanged"] = _snapshot(PROGRAMS) == before  # type: ignore[assignment]
    results["_leftovers"] = sorted(os.listdir(workdir))  # type: ignore[assignment]
    return results


def test_the_correct_tf_data_version_passes(runs) -> None:
    checks = compare(runs["original"].record, runs["correct"].record)
    assert passed(checks), [(c.name, c.detail) for c in checks if c.status == FAIL]


@pytest.mark.parametrize("name", sorted(WRONG))
def test_a_version_wrong_in_one_way_fails(runs, name: str) -> None:
    assert runs[name].ok, runs[name].record.get("error")  # it trains without error
    checks = compare(runs["original"].record, runs[name].record)
    failed = {c.name for c in checks if c.status == FAIL}
    assert WRONG[name] <= failed, [(c.name, c.detail) for c in checks if c.status == FAIL]


def test_the_record_of_an_idg_program(runs) -> None:
    record = runs["original"].record
    assert record["status"] == "ok" and record["framework"] == "keras"
    assert record["replicas"] == 2 and record["strategy"] == "MirroredStrategy"
    assert record["steps_per_epoch"] == 4 and record["validation_steps"] == 2
    assert record["train"]["kind"] == "PyDataset"
    assert len(record["train"]["batches"]) == 3 and len(record["losses"]) == 3
    assert record["train"]["throughput"]["images_per_second"] > 0
    assert record["validation"]["batches"][0]["leaves"]["x"]["shape"] == [16, 16, 16, 3]
    assert runs["correct"].record["train"]["kind"] == "tf.data.Dataset"


def test_a_hanging_program_is_killed_at_the_timeout(runs) -> None:
    record = runs["hangs"].record
    assert record["status"] == "timeout"
    assert f"did not finish within {HANG_TIMEOUT} s" in record["error"]
    assert "hangs.py" in record["log_tail"]  # the stack dumped just before the deadline
    assert runs["hangs"].seconds < 100  # killed at its timeout, not at the others' 120 s


def test_a_crashing_program_reports_its_error_and_log(runs) -> None:
    record = runs["crashes"].record
    assert record["status"] == "error"
    assert "RuntimeError: boom: data/train.npz is missing" in record["error"]
    assert "loading data" in record["log_tail"]
    checks = compare(runs["original"].record, record)
    assert [c.name for c in checks] == ["run"] and not passed(checks)


def test_a_program_that_never_calls_fit(runs) -> None:
    record = runs["no_fit"].record
    assert record["status"] == "no_fit"
    assert "without calling fit" in record["error"]


def test_the_memory_limit_applies_to_the_program(runs) -> None:
    record = runs["memory_hog"].record
    assert record["status"] == "error" and "MemoryError" in record["error"]


def test_a_program_configuring_its_own_devices_keeps_working(runs) -> None:
    record = runs["own_devices"].record
    assert record["status"] == "ok", record.get("error")
    assert record["replicas"] == 4  # its own 4 logical CPUs
    assert record["train"]["kind"] == "arrays" and record["steps_per_epoch"] == 6


def test_tf_keras_fit_generator_is_intercepted(runs) -> None:
    record = runs["tf_keras"].record
    assert record["status"] == "ok", record.get("error")
    assert record["framework"] == "tf_keras" and record["replicas"] == 2
    assert record["train"]["kind"] == "Sequence" and record["steps_per_epoch"] == 3


def test_the_programs_directory_is_left_untouched(runs) -> None:
    assert runs["_unchanged"]  # no file written, no __pycache__
    # Records and the programs' own temporary files are removed; the logs stay.
    assert all(name.endswith(".log") for name in runs["_leftovers"])

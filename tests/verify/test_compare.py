"""The comparison on recorded runs (tests/verify/records, made by
`python -m tests.verify.make_records`): pairs that must agree, and records altered to be
wrong in exactly one way, each of which must be named. Pure: no TensorFlow, no processes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from migrator.verify.compare import ENVIRONMENT, FAIL, PASS, SKIP, compare, passed, verdict

RECORDS = Path(__file__).resolve().parent / "records"


def load(name: str) -> dict:
    return json.loads((RECORDS / f"{name}.json").read_text())


@pytest.fixture
def original() -> dict:
    return load("original")


@pytest.fixture
def correct() -> dict:
    return load("correct")


def failing(checks) -> set[str]:
    return {check.name for check in checks if check.status == FAIL}


@pytest.mark.parametrize(
    "old, new",
    [
        ("original", "correct"),  # IDG vs a correct tf.data version: other random draws
        ("original", "original_seed1"),  # other data and other augmentations
        ("correct", "original_seed1"),
        ("original", "original"),
    ],
)
def test_agreeing_runs_pass(old: str, new: str) -> None:
    checks = compare(load(old), load(new))
    assert passed(checks), [(c.name, c.detail) for c in checks if c.status == FAIL]
    names = {check.name for check in checks if check.status == PASS}
    assert {
        "run",
        "replicas",
        "steps per epoch",
        "structure",
        "batch shapes",
        "dtypes",
        "values x",
        "values y",
        "augmented images",
        "augmentation strength",
        "photometric changes",
        "label alignment",
        "validation batch shapes",
        "losses finite",
    } <= names


# -- one mistake at a time -------------------------------------------------------------------
def scale_values(values: dict, factor: float, shift: float = 0.0) -> None:
    for key in ("min", "max", "mean"):
        values[key] = values[key] * factor + shift
    values["std"] *= factor
    values["sample_means"] = [v * factor + shift for v in values["sample_means"]]
    values["sample_stds"] = [v * factor for v in values["sample_stds"]]


def wrong_batch_size(r: dict) -> None:
    for batch in r["train"]["batches"]:
        for leaf in batch["leaves"].values():
            leaf["shape"][0] = 32
    r["steps_per_epoch"] = 2


def wrong_dtype(r: dict) -> None:
    for batch in r["train"]["batches"]:
        batch["leaves"]["x"]["dtype"] = "float64"


def values_255x(r: dict) -> None:
    scale_values(r["train"]["values"]["x"], 255.0)


def missing_normalisation(r: dict) -> None:
    scale_values(r["train"]["values"]["x"], 1.0, shift=0.5)  # not centred


def one_hot_labels(r: dict) -> None:
    for batch in r["train"]["batches"]:
        y = batch["leaves"]["y"]
        y["shape"], y["dtype"] = [y["shape"][0], 3], "float32"


def augmentation_dropped(r: dict) -> None:
    signature = r["train"]["signature"]
    signature["similarity"] = [1.0] * len(signature["similarity"])


def labels_misaligned(r: dict) -> None:
    aligned = r["train"]["signature"]["aligned"]
    r["train"]["signature"]["aligned"] = [
        None if v is None else i % 3 == 0 for i, v in enumerate(aligned)
    ]


def brightness_added(r: dict) -> None:
    ratios = r["train"]["signature"]["log_std_ratio"]
    r["train"]["signature"]["log_std_ratio"] = [
        None if v is None else v + (0.15 if i % 2 else -0.15) for i, v in enumerate(ratios)
    ]


def nan_loss(r: dict) -> None:
    r["losses"][-1] = "nan"


def one_replica(r: dict) -> None:
    r["replicas"] = 1


def no_validation(r: dict) -> None:
    r["validation"] = None


@pytest.mark.parametrize(
    "mistake, expected",
    [
        (wrong_batch_size, {"batch shapes", "steps per epoch"}),
        (wrong_dtype, {"dtypes"}),
        (values_255x, {"values x"}),
        (missing_normalisation, {"values x"}),
        (one_hot_labels, {"batch shapes", "dtypes"}),
        (augmentation_dropped, {"augmented images", "augmentation strength"}),
        (labels_misaligned, {"label alignment"}),
        (brightness_added, {"photometric changes"}),
        (nan_loss, {"losses finite"}),
        (one_replica, {"replicas"}),
        (no_validation, {"validation data"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_one_mistake_is_named(original: dict, correct: dict, mistake, expected: set[str]) -> None:
    wrong = copy.deepcopy(correct)
    mistake(wrong)
    checks = compare(original, wrong)
    assert not passed(checks)
    assert failing(checks) == expected


def test_a_failed_run_is_the_only_check(original: dict, correct: dict) -> None:
    crashed = {"status": "timeout", "error": "did not finish within 5 s; killed"}
    checks = compare(original, crashed)
    assert [(c.name, c.status) for c in checks] == [("run", FAIL)]
    assert "migrated: did not finish within 5 s" in checks[0].detail


def test_the_same_failure_in_both_programs_is_said_to_be_the_originals() -> None:
    def failed(where: str) -> dict:
        return {
            "status": "error",
            "error": f"fit: InvalidArgumentError: AddN must have the same shape ({where})",
        }

    checks = compare(failed("original.py:12"), failed("migrated.py:40"))
    assert [(c.name, c.status) for c in checks] == [("run", ENVIRONMENT)]
    assert checks[0].detail.startswith("both programs fail the same way")
    assert not passed(checks) and verdict(checks) == ENVIRONMENT
    other = {"status": "error", "error": "fit: ValueError: shapes differ"}
    assert "both programs" not in compare(failed("original.py:12"), other)[0].detail


def test_missing_signature_is_skipped_not_failed(original: dict, correct: dict) -> None:
    wrong = copy.deepcopy(correct)
    wrong["train"]["signature"] = {"available": False, "reason": "no source images"}
    checks = compare(original, wrong)
    assert passed(checks)
    skipped = [c for c in checks if c.status == SKIP and c.name == "augmentation"]
    assert skipped and "migrated: no source images" in skipped[0].detail


def test_throughput_is_information_only(original: dict, correct: dict) -> None:
    slow = copy.deepcopy(correct)
    slow["train"]["throughput"]["images_per_second"] = 1.0
    checks = compare(original, slow)
    assert passed(checks)
    (throughput,) = [c for c in checks if c.name == "input throughput"]
    assert throughput.migrated == "1 img/s" and "x the original's rate" in throughput.detail


def test_non_finite_losses_in_both_programs_are_the_environment(original, correct) -> None:
    old, new = copy.deepcopy(original), copy.deepcopy(correct)
    old["losses"] = ["nan", "nan", "nan"]
    checks = compare(old, new)
    assert verdict(checks) == FAIL and failing(checks) == {"losses finite"}  # one side: FAIL
    new["losses"] = [0.5, "nan", "inf"]
    checks = compare(old, new)
    losses = next(c for c in checks if c.name == "losses finite")
    assert losses.status == ENVIRONMENT and "both programs train to non-finite" in losses.detail
    assert verdict(checks) == ENVIRONMENT and not passed(checks)
    # A real difference besides is still the rewrite's.
    new["train"]["batches"][0]["leaves"]["x"]["dtype"] = "float64"
    assert verdict(compare(old, new)) == FAIL


def test_label_float_width_across_runtimes_is_a_note(original, correct) -> None:
    old, new = copy.deepcopy(original), copy.deepcopy(correct)
    for record, dtype in ((old, "float32"), (new, "float64")):
        for batch in record["train"]["batches"]:
            batch["leaves"]["y"]["dtype"] = dtype
    old["runtime"], new["runtime"] = {"name": "keras2"}, {"name": "keras3"}
    checks = compare(old, new)
    dtypes = next(c for c in checks if c.name == "dtypes")
    assert dtypes.status == PASS and "to_categorical" in dtypes.detail
    new["runtime"] = {"name": "keras2"}  # the same runtime: a mismatch
    assert failing(compare(old, new)) == {"dtypes"}
    for batch in new["train"]["batches"]:  # images are never let through
        batch["leaves"]["x"]["dtype"] = "float64"
    new["runtime"] = {"name": "keras3"}
    assert failing(compare(old, new)) == {"dtypes"}


def test_neither_program_calling_fit_is_not_the_environment() -> None:
    none = {"status": "no_fit", "error": "the program finished without calling fit"}
    checks = compare(none, dict(none))
    assert verdict(checks) == FAIL and "both programs" not in checks[0].detail


def test_both_programs_without_their_data_is_the_environment_with_a_hint() -> None:
    original = {"status": "error", "error": "fit: ValueError: The PyDataset has length 0"}
    original["log_tail"] = "Found 0 images belonging to 3 classes.\nValueError: ..."
    migrated = {"status": "error", "error": "fit: StopIteration: ", "log_tail": "Found 0 images"}
    checks = compare(original, migrated)
    assert verdict(checks) == ENVIRONMENT
    assert "--stand-in-data runs them on generated stand-in data" in checks[0].detail

"""The verifier on `--augment-on replica` output: the migrated program's batches reach fit
un-augmented (the model augments them), so the verifier checks them through the model's
layer (idg_tfdata.augmentation_layer). A replica-placed rewrite passes; one whose layer does not augment fails."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.verify.compare import FAIL, INFO, compare, passed
from migrator.verify.runner import RunResult, run_program

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "replica_sequential"
AUGMENTING = "            idg_tfdata.augmentation_layer(datagen),\n"
# Broken on purpose: the runtime's augmentation passes images through unchanged (the
# host pipeline only casts, so only the model's layer is affected).
NOT_AUGMENTING = (
    "import idg_tfdata\n\nidg_tfdata.Augmentation.augment = lambda self, images, seed: images\n"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, RunResult]:
    pytest.importorskip("tensorflow")
    directory = tmp_path_factory.mktemp("replica")
    expected = (FIXTURE / "expected.py").read_text()
    assert AUGMENTING in expected
    programs = {
        "original": (FIXTURE / "input.py").read_text(),
        "replica": expected,
        # Broken on purpose: the layer passes training batches through unchanged.
        "broken": expected.replace("import idg_tfdata\n", NOT_AUGMENTING),
    }
    for name, source in programs.items():
        (directory / f"{name}.py").write_text(source)

    def run(name: str) -> tuple[str, RunResult]:
        return name, run_program(
            str(directory / f"{name}.py"),
            log=str(directory / f"{name}.log"),
            workdir=str(directory),
            budget=0.2,
            timeout=180,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:  # 2 cores: one child each
        return dict(pool.map(run, programs))


def test_replica_placement_passes(runs) -> None:
    original, replica = runs["original"].record, runs["replica"].record
    assert replica["status"] == "ok", replica.get("error")
    assert replica["replica_augmentation"] == "IdgAugmentation"  # the runtime's layer
    assert "replica_augmentation" not in original  # only the emitted layer is recognised
    checks = compare(original, replica)
    assert passed(checks), [(c.name, c.detail) for c in checks if c.status == FAIL]
    notes = [c for c in checks if c.name == "replica augmentation"]
    assert len(notes) == 1 and notes[0].status == INFO
    assert notes[0].migrated == "IdgAugmentation"


def test_a_layer_that_does_not_augment_fails(runs) -> None:
    broken = runs["broken"].record
    assert broken["status"] == "ok", broken.get("error")  # it trains without error
    checks = compare(runs["original"].record, broken)
    failed = {c.name for c in checks if c.status == FAIL}
    assert {"augmented images", "augmentation strength"} <= failed, failed

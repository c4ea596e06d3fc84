"""The migrated corpus_kaggle_cfg_class keeps the user's configuration alive: the call
site passes `CFG.rotation` itself, so editing it changes the rotation the pipeline draws
(issue #16: values used to be baked into the emitted code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

EXPECTED = (
    Path(__file__).resolve().parents[2] / "fixtures" / "corpus_kaggle_cfg_class" / "expected.py"
)


def _pipeline(tmp_path: Path, rotation: int) -> dict[str, Any]:
    """The migrated program run up to its `model.fit` with `CFG.rotation = rotation`."""
    source = EXPECTED.read_text()
    assert "    rotation = 15\n" in source and "rotation_range=CFG.rotation" in source
    source = source.replace("    rotation = 15\n", f"    rotation = {rotation}\n")
    namespace: dict[str, Any] = {"__name__": "migrated"}
    exec(compile(source.split("model.fit(", 1)[0], str(EXPECTED), "exec"), namespace)
    return namespace


def test_editing_cfg_rotation_changes_the_drawn_rotation(
    tf: Any, idg_tfdata: Any, tmp_path: Path
) -> None:
    images = tf.constant(np.random.default_rng(0).random((8, 12, 12, 3)), tf.float32)
    seed = tf.constant([3, 4], tf.int64)
    drawn = {}
    for rotation in (0, 40, 40):
        datagen = _pipeline(tmp_path, rotation)["datagen"]
        assert isinstance(datagen, idg_tfdata.Augmentation)
        assert datagen.rotation_range == rotation
        parameters = datagen.random_parameters(8, 12, 12, seed)
        theta = np.asarray(parameters.get("theta", np.zeros(8)))
        batch = datagen.augment(images, seed).numpy()
        if rotation in drawn:  # the same program and seed draw the same batch
            np.testing.assert_array_equal(batch, drawn[rotation][1])
        drawn[rotation] = (theta, batch)
    assert np.all(drawn[0][0] == 0)
    assert np.abs(drawn[40][0]).max() > 1 and np.abs(drawn[40][0]).max() <= 40
    assert not np.allclose(drawn[0][1], drawn[40][1])

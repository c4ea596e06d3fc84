"""A script beside its idg_tfdata.py (where migrate-aug writes it) imports it and trains
under MirroredStrategy with 2 replicas: in-memory arrays, a class-directory tree and
image/mask pairs (one program, one process, as the fixture programs run)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from migrator.runtime import runtime_text
from tests.programs import run_program

PROGRAM = """
import os

import numpy as np
import tensorflow as tf
from PIL import Image

import idg_tfdata

AUTOTUNE = tf.data.AUTOTUNE
rng = np.random.default_rng(0)
x = rng.integers(0, 256, (24, 12, 10, 3)).astype("uint8")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
masks = rng.integers(0, 2, (24, 12, 10, 1)).astype("float32")
for i in range(6):
    folder = f"tree/{'abc'[i % 3]}"
    os.makedirs(folder, exist_ok=True)
    Image.fromarray(x[i]).save(f"{folder}/{i}.png")

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    inputs = tf.keras.Input((12, 10, 3))
    hidden = tf.keras.layers.Conv2D(2, 3, padding="same")(inputs)
    classifier = tf.keras.Model(
        inputs, tf.keras.layers.Dense(3)(tf.keras.layers.GlobalAveragePooling2D()(hidden))
    )
    classifier.compile(optimizer="sgd", loss=tf.keras.losses.CategoricalCrossentropy(True))
    segmenter = tf.keras.Model(inputs, tf.keras.layers.Conv2D(1, 1)(hidden))
    segmenter.compile(optimizer="sgd", loss="mse")

datagen = idg_tfdata.Augmentation(
    rotation_range=20, width_shift_range=0.1, horizontal_flip=True, rescale=1 / 255
)
train = idg_tfdata.index_batches(x, y, batch_size=8, seed=1)
classifier.fit(train.map(datagen, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE), epochs=1)

files = idg_tfdata.directory_files("tree", target_size=(12, 10), batch_size=4)
files = files.map(datagen, num_parallel_calls=AUTOTUNE)
classifier.fit(files.prefetch(AUTOTUNE), epochs=1)

paired = idg_tfdata.PairedAugmentation(
    datagen, idg_tfdata.Augmentation(rotation_range=20, width_shift_range=0.1,
                                     horizontal_flip=True, interpolation_order=0)
)
pairs = idg_tfdata.index_batches(x, masks, batch_size=8, seed=2)
segmenter.fit(pairs.map(paired, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE), epochs=1)
print("TRAINED", classifier.optimizer.iterations.numpy(), segmenter.optimizer.iterations.numpy())
"""


def test_script_beside_the_module_trains_with_two_replicas(tf, tmp_path: Path) -> None:
    (tmp_path / "idg_tfdata.py").write_text(runtime_text())
    program = tmp_path / "train.py"
    program.write_text(PROGRAM)
    # `python train.py` puts the script's folder on sys.path; the runner (runpy, for its 2
    # logical CPUs) does not, so the folder is put there as Python would.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *sys.path]))
    record, stdout = run_program(program, env=env, timeout=600)
    assert record["replicas"] == 2
    # 3 + 2 steps of the classifier (24 arrays, 6 files), 3 of the segmenter.
    assert "TRAINED 5 3" in stdout

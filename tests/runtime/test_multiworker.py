"""Two workers of one MultiWorkerMirroredStrategy cluster on 127.0.0.1 (a subprocess
each, TF_CONFIG with free local ports, bounded by a timeout) train from the runtime's
pipelines: each worker reads and augments only its half of every epoch, the halves
are disjoint and together hold every image once, with seed=None too (the workers
derive one shuffle seed from the cluster spec).

Keras 3's fit fails under MultiWorkerMirroredStrategy (keras-team/keras#20585,
tensorflow/tensorflow#72388): the programs run tf.keras as Keras 2 (tf_keras,
TF_USE_LEGACY_KERAS=1), as multi-worker users do."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from migrator.runtime import runtime_text
from tests.cluster import run_workers

COUNT, FILES, BATCH, EPOCHS = 48, 12, 8, 2
# Image i is filled with the value i. The augmentation's preprocessing_function records
# the images each worker augments; an identity layer in the model, those it trains on
# (per epoch).
PROGRAM = f"""
import json
import os

import numpy as np
import tensorflow as tf
from PIL import Image

import idg_tfdata

strategy = tf.distribute.MultiWorkerMirroredStrategy()
x = np.repeat(np.arange({COUNT}, dtype="float32"), 16).reshape({COUNT}, 4, 4, 1)
y = np.arange({COUNT}) % 2
worker = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
for i in range({FILES}):
    os.makedirs(f"tree{{worker}}/{{i % 2}}", exist_ok=True)
    Image.fromarray(np.full((4, 4), i, "uint8")).save(f"tree{{worker}}/{{i % 2}}/{{i}}.png")
augmented, trained = [], []


def ids(images):
    return [int(round(float(v))) for v in images]


def note_augmented(values):
    augmented.extend(ids(values))
    return np.float32(0)


def note_trained(values):
    trained[-1].extend(ids(values))
    return np.float32(0)


def record(image):  # called per image, as IDG calls preprocessing_function
    value = tf.reshape(tf.reduce_mean(image), [1])
    done = tf.numpy_function(note_augmented, [value], tf.float32)
    return image + 0 * tf.ensure_shape(done, [])


class RecordImages(tf.keras.layers.Layer):
    def call(self, images):
        done = tf.numpy_function(note_trained, [tf.reduce_mean(images, [1, 2, 3])], tf.float32)
        return images + 0 * tf.ensure_shape(done, [])


class Epochs(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        trained.append([])


with strategy.scope():
    model = tf.keras.Sequential(
        [tf.keras.Input((4, 4, 1)), RecordImages(), tf.keras.layers.Flatten(),
         tf.keras.layers.Dense(2)]
    )
    model.compile(
        optimizer="sgd",
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )

AUTOTUNE = tf.data.AUTOTUNE
datagen = idg_tfdata.Augmentation(horizontal_flip=True, preprocessing_function=record)
train = idg_tfdata.index_batches(x, y, batch_size={BATCH})
train = train.map(datagen, num_parallel_calls=AUTOTUNE).prefetch(AUTOTUNE)
model.fit(train, epochs={EPOCHS}, callbacks=[Epochs()], verbose=0)
arrays = augmented
augmented = []
files = idg_tfdata.directory_files(
    f"tree{{worker}}", target_size=(4, 4), color_mode="grayscale", class_mode="sparse",
    batch_size=4, generator=datagen,
)
model.fit(files.map(datagen).prefetch(AUTOTUNE), epochs=1, callbacks=[Epochs()], verbose=0)
print("SEEN " + json.dumps({{"arrays": arrays, "files": augmented, "trained": trained}}))
"""


@pytest.mark.slow
def test_each_worker_augments_its_own_half_of_every_epoch(tf, tmp_path: Path) -> None:
    (tmp_path / "idg_tfdata.py").write_text(runtime_text())
    (tmp_path / "train.py").write_text(PROGRAM)
    workers = run_workers(tmp_path / "train.py", timeout=150, cwd=tmp_path)
    # Augmented: each worker half of the images per epoch (not all of them, as with
    # AutoShardPolicy.DATA), together each image once per epoch.
    assert [len(w["arrays"]) for w in workers] == [EPOCHS * COUNT // 2] * 2
    assert Counter(workers[0]["arrays"] + workers[1]["arrays"]) == dict.fromkeys(
        range(COUNT), EPOCHS
    )
    assert [len(w["files"]) for w in workers] == [FILES // 2] * 2
    assert sorted(workers[0]["files"] + workers[1]["files"]) == list(range(FILES))
    # Trained on: per epoch, disjoint halves that hold every image once; a new
    # permutation every epoch (seed=None: one seed from the cluster, on both workers).
    trained = [w["trained"] for w in workers]
    assert [len(epochs) for epochs in trained] == [EPOCHS + 1] * 2
    for epoch in range(EPOCHS):
        shares = [sorted(epochs[epoch]) for epochs in trained]
        assert [len(share) for share in shares] == [COUNT // 2] * 2
        assert sorted(shares[0] + shares[1]) == list(range(COUNT))
    assert sorted(trained[0][0]) != sorted(trained[0][1])
    assert sorted(trained[0][EPOCHS] + trained[1][EPOCHS]) == list(range(FILES))

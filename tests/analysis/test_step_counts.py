"""An explicit step count: `.repeat()` only where the program trains with Keras 2 semantics.

Measured on TF 2.21: Keras 3 ends an epoch at the end of a pass for IDG's iterator and an
un-repeated dataset alike; tf_keras and the Keras 2 `*_generator` methods restart an
exhausted input, as IDG's endless iterator does.
"""

from __future__ import annotations

import pytest

from migrator.api import migrate_source

PROGRAM = """{header}import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
datagen = ImageDataGenerator(horizontal_flip=True)
model.{method}(datagen.flow(x, y, batch_size=8), {steps}=3)
"""


@pytest.mark.parametrize(
    ("header", "method", "steps", "repeats"),
    [
        ("", "fit", "steps_per_epoch", False),
        ("", "evaluate", "steps", False),
        ("# tf_keras is mentioned in a comment only\n", "fit", "steps_per_epoch", False),
        ("", "fit_generator", "steps_per_epoch", True),
        ("", "evaluate_generator", "steps", True),
        ("import tf_keras\n", "fit", "steps_per_epoch", True),
        ('import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n', "fit", "steps_per_epoch", True),
    ],
)
def test_repeat_follows_the_keras_semantics(
    header: str, method: str, steps: str, repeats: bool
) -> None:
    source = PROGRAM.format(header=header, method=method, steps=steps)
    new = migrate_source(source, "train.py").new_source
    assert "    idg_tfdata.index_batches(x, y, batch_size=8)\n" in new
    assert ("    .repeat()\n" in new) is repeats

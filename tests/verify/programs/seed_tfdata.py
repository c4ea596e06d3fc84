"""A hand-written tf.data version of the seed example (fixtures/seed_mirrored/input.py):
ImageDataGenerator(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1)."""

import numpy as np
import tensorflow as tf
from common import affine

x_train = np.random.rand(64, 16, 16, 3).astype("float32")
y_train = tf.keras.utils.to_categorical(np.random.randint(0, 3, 64), 3)

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential(
        [tf.keras.Input((16, 16, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)]
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")


def augment(index, seed):
    images = affine(tf.gather(x_train, index), seed, degrees=20.0, shift=0.1)
    return images, tf.gather(y_train, index)


indices = tf.data.Dataset.range(64).shuffle(64, reshuffle_each_iteration=True).batch(16)
seeds = tf.data.Dataset.random(rerandomize_each_iteration=True).batch(2)
dataset = tf.data.Dataset.zip((indices, seeds)).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
model.fit(dataset.prefetch(tf.data.AUTOTUNE), epochs=1)

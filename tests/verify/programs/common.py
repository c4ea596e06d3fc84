"""Shared pieces of the verifier's test programs: tiny synthetic data (the verifier's
bootstrap seeds numpy, so every program gets the same arrays), a tiny conv model under a
MirroredStrategy, and `flow`, a hand-written tf.data version of

    ImageDataGenerator(rotation_range=15, horizontal_flip=True, rescale=1/255,
                       samplewise_center=True).flow(x, y, batch_size=16)

with switches that each introduce one mistake."""

import math

import numpy as np
import tensorflow as tf

CLASSES = 3


def load_data():
    # 16x16 RGB images made of 4x4 blocks: still recognisable after a small rotation.
    blocks = np.random.rand(96, 4, 4, 3)
    images = (np.kron(blocks, np.ones((1, 4, 4, 1))) * 255).astype("uint8")
    labels = np.random.randint(0, CLASSES, 96)
    return images[:64], labels[:64], images[64:], labels[64:]


def build_model(one_hot=False):
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = tf.keras.Sequential(
            [
                tf.keras.Input((16, 16, 3)),
                tf.keras.layers.Conv2D(4, 3, activation="relu"),
                tf.keras.layers.GlobalAveragePooling2D(),
                tf.keras.layers.Dense(CLASSES),
            ]
        )
        if one_hot:
            loss = tf.keras.losses.CategoricalCrossentropy(from_logits=True)
        else:
            loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer="sgd", loss=loss)
    return model


def affine(images, seed, degrees=15.0, shift=0.0):
    """Per-image rotation about the centre (uniform in +-degrees) and shift (uniform in
    +-shift of the size), bilinear, nearest fill: IDG's geometry for square images."""
    n = tf.shape(images)[0]
    h, w = images.shape[1], images.shape[2]
    theta = tf.random.stateless_uniform([n], seed, -degrees, degrees) * (math.pi / 180)
    tx = tf.random.stateless_uniform([n], seed + 2, -shift, shift) * w
    ty = tf.random.stateless_uniform([n], seed + 3, -shift, shift) * h
    c, s = tf.cos(theta), tf.sin(theta)
    cx, cy = (w - 1) / 2, (h - 1) / 2
    zero = tf.zeros_like(c)
    transforms = tf.stack(
        [c, -s, cx - c * cx + s * cy + tx, s, c, cy - s * cx - c * cy + ty, zero, zero], axis=1
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=[h, w],
        interpolation="BILINEAR",
        fill_mode="NEAREST",
        fill_value=0.0,
    )


def flip(images, seed):
    coin = tf.random.stateless_uniform([tf.shape(images)[0], 1, 1, 1], seed) < 0.5
    return tf.where(coin, tf.reverse(images, axis=[2]), images)


def flow(
    x,
    y,
    batch_size=16,
    augment=True,
    rotate=True,
    dtype=tf.float32,
    scale=1 / 255,
    center=True,
    times=1.0,
    one_hot=False,
    shuffle_labels=False,
):
    images = tf.constant(x)
    labels = tf.one_hot(y, CLASSES) if one_hot else tf.constant(y)
    count = len(x)
    indices = tf.data.Dataset.range(count).shuffle(count, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(rerandomize_each_iteration=True).batch(2)

    def load(index, seed):
        batch = tf.cast(tf.gather(images, index), tf.float32)
        if augment:
            if rotate:
                batch = affine(batch, seed)
            batch = flip(batch, seed + 1)
        batch = batch * scale
        if center:
            batch -= tf.reduce_mean(batch, axis=[1, 2, 3], keepdims=True)
        batch = tf.cast(batch * times, dtype)
        label_index = tf.random.shuffle(index) if shuffle_labels else index
        return batch, tf.gather(labels, label_index)

    batches = tf.data.Dataset.zip((indices.batch(batch_size), seeds))
    return batches.map(load, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)

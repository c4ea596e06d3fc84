"""augmentation_layer: the augmentation inside the training step (`--augment-on
replica`), for Keras 3 and tf_keras models; batches pass unchanged outside training; the
layer's config rebuilds the same augmentation, statistics included."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.parametrize("keras_module", ["keras", "tf_keras"])
def test_layer_augments_training_batches_only(tf, idg_tfdata, keras_module) -> None:
    keras = pytest.importorskip(keras_module)
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (12, 8, 8, 3)).astype("uint8")
    y = rng.integers(0, 2, 12)
    datagen = idg_tfdata.Augmentation(rotation_range=30, featurewise_center=True)
    datagen.fit(x)
    layer = idg_tfdata.augmentation_layer(datagen, keras)
    images = tf.constant(x[:4], tf.float32)
    np.testing.assert_array_equal(layer(images, training=False).numpy(), x[:4])
    trained = layer(images, training=True).numpy()
    assert trained.shape == (4, 8, 8, 3) and not np.allclose(trained, x[:4] - datagen.mean)
    # The host pipeline only casts; the model trains through the layer.
    model = keras.Sequential(
        [keras.Input((8, 8, 3)), layer, keras.layers.Flatten(), keras.layers.Dense(2)]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="sgd", loss=loss)
    batches = idg_tfdata.index_batches(x, y, batch_size=4, seed=1).map(datagen.cast)
    history = model.fit(batches, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    # The config rebuilds the augmentation: arguments and fitted statistics.
    rebuilt = type(layer).from_config(layer.get_config()).augmentation
    assert rebuilt.rotation_range == 30 and rebuilt.featurewise_center
    np.testing.assert_array_equal(rebuilt.mean, datagen.mean)
    seed = tf.constant([3, 4], tf.int64)
    np.testing.assert_array_equal(
        rebuilt.augment(images, seed).numpy(), datagen.augment(images, seed).numpy()
    )

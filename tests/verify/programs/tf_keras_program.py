"""A tf_keras (Keras 2) program: its own ImageDataGenerator and fit_generator."""

import numpy as np
import tensorflow as tf
import tf_keras
from tf_keras.preprocessing.image import ImageDataGenerator

x_train = np.random.rand(48, 16, 16, 3).astype("float32")
y_train = np.random.randint(0, 3, 48)

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf_keras.Sequential(
        [
            tf_keras.layers.InputLayer((16, 16, 3)),
            tf_keras.layers.Flatten(),
            tf_keras.layers.Dense(3),
        ]
    )
    model.compile(
        optimizer="sgd",
        loss=tf_keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )

datagen = ImageDataGenerator(horizontal_flip=True)
model.fit_generator(datagen.flow(x_train, y_train, batch_size=16), epochs=2)

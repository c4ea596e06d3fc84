"""The legacy program migrate-aug was built for: ImageDataGenerator feeding a model
trained under MirroredStrategy. The single-threaded IDG producer starves every replica.

Run it as is (synthetic data, a few seconds on a CPU), then `migrate-aug --diff examples/`.
"""

import numpy as np
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

rng = np.random.default_rng(0)
x_train = rng.integers(0, 256, size=(256, 32, 32, 3)).astype("float32")
y_train = tf.keras.utils.to_categorical(rng.integers(0, 10, size=256), 10)

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(32, 32, 3)),
            tf.keras.layers.Rescaling(1.0 / 255),
            tf.keras.layers.Conv2D(16, 3, activation="relu"),
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

datagen = ImageDataGenerator(
    rotation_range=20,
    width_shift_range=0.1,
    height_shift_range=0.1,
)
datagen.fit(x_train)

model.fit(datagen.flow(x_train, y_train, batch_size=32), epochs=2)

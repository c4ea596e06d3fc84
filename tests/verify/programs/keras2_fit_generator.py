"""A Keras 2 training script as people wrote them: standalone keras imports (Keras 2's
ImageDataGenerator among them), fit_generator with worker knobs, and step counts written as
true divisions (36 / 8 = 4.5: Keras 2 trains 5 steps an epoch, the last a partial batch)."""

import numpy as np
import tensorflow as tf
from keras.layers import Dense, Flatten, Input
from keras.models import Sequential
from keras.optimizers import SGD
from keras.preprocessing.image import ImageDataGenerator

x_train = np.random.rand(36, 8, 8, 3).astype("float32")
y_train = np.random.randint(0, 2, (36, 1)).astype("float32")
x_val = np.random.rand(20, 8, 8, 3).astype("float32")
y_val = np.random.randint(0, 2, (20, 1)).astype("float32")
batch_size = 8

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = Sequential([Input((8, 8, 3)), Flatten(), Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(learning_rate=0.01), loss="binary_crossentropy")

datagen = ImageDataGenerator(rotation_range=10, horizontal_flip=True)
model.fit_generator(
    datagen.flow(x_train, y_train, batch_size=batch_size),
    steps_per_epoch=len(x_train) / batch_size,
    epochs=2,
    validation_data=ImageDataGenerator().flow(x_val, y_val, batch_size=batch_size),
    validation_steps=len(x_val) / batch_size,
    workers=4,
    use_multiprocessing=True,
)

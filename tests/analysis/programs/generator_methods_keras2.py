"""Keras 2's *_generator methods with every argument MA004 maps, on deterministic data (no
shuffling, no augmentation, zero-initialised weights), printing what Keras did: the epochs
run, steps per epoch, validation passes, losses, the evaluation and the predictions. Run
under Keras 2 (tf_keras) as written and under Keras 3 as MA004 rewrites it, the two
printouts must agree."""

import json

import keras
import numpy as np
from keras.preprocessing.image import ImageDataGenerator

x = np.linspace(0.0, 1.0, 36 * 4 * 4).reshape(36, 4, 4, 1).astype("float32")
y = (np.arange(36) % 3 == 0).astype("float32")
x_val, y_val = x[:20], y[:20]
batch_size = 8

model = keras.Sequential(
    [
        keras.Input((4, 4, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
    ]
)
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy")


class Log(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs, self.steps, self.validated, self.losses, self.val_losses = [], [], [], [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)
        self.steps.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.steps[-1] += 1

    def on_epoch_end(self, epoch, logs=None):
        self.losses.append(float(logs["loss"]))
        if "val_loss" in logs:
            self.validated.append(epoch)
            self.val_losses.append(float(logs["val_loss"]))


log = Log()
plain = ImageDataGenerator()
model.fit_generator(
    plain.flow(x, y, batch_size=batch_size, shuffle=False),
    len(x) / batch_size,
    3,
    0,
    [log],
    validation_data=plain.flow(x_val, y_val, batch_size=batch_size, shuffle=False),
    validation_steps=len(x_val) / batch_size,
    validation_freq=2,
    class_weight={0: 1.0, 1: 3.0},
    max_queue_size=4,
    workers=2,
    use_multiprocessing=False,
    shuffle=False,  # Keras 2 shuffles a Sequence's batch order by default (see the test)
    initial_epoch=1,
)
score = model.evaluate_generator(plain.flow(x_val, y_val, batch_size=batch_size, shuffle=False))
predictions = model.predict_generator(
    plain.flow(x_val, batch_size=batch_size, shuffle=False), steps=len(x_val) / batch_size
)
print(
    "RESULT",
    json.dumps(
        {
            "epochs": log.epochs,
            "steps": log.steps,
            "validated": log.validated,
            "losses": log.losses,
            "val_losses": log.val_losses,
            "score": float(np.ravel(score)[0]),
            "predictions": np.ravel(predictions).tolist(),
        }
    ),
)

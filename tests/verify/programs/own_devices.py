"""Configures its devices itself (4 logical CPUs) and trains on numpy arrays with
validation_split: the verifier's own device set-up must not get in its way."""

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 4)

from common import build_model, load_data  # noqa: E402

x_train, y_train, x_val, y_val = load_data()
model = build_model()
model.fit(x_train / 255.0, y_train, batch_size=8, validation_split=0.25, epochs=3)

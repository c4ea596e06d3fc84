"""Wrong in one way: one-hot labels instead of the original's sparse ones."""

from common import build_model, flow, load_data

x_train, y_train, x_val, y_val = load_data()
model = build_model(one_hot=True)
model.fit(
    flow(x_train, y_train, one_hot=True),
    validation_data=flow(x_val, y_val, augment=False, one_hot=True),
    epochs=2,
)

"""Wrong in one way: rescale=1/255 is missing."""

from common import build_model, flow, load_data

x_train, y_train, x_val, y_val = load_data()
model = build_model()
model.fit(
    flow(x_train, y_train, scale=1.0),
    validation_data=flow(x_val, y_val, augment=False),
    epochs=2,
)

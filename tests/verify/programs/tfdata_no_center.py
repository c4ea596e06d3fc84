"""Wrong in one way: the samplewise centring (normalisation) is missing."""

from common import build_model, flow, load_data

x_train, y_train, x_val, y_val = load_data()
model = build_model()
model.fit(
    flow(x_train, y_train, center=False),
    validation_data=flow(x_val, y_val, augment=False),
    epochs=2,
)

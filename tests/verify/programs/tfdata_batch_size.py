"""Wrong in one way: batches of 32 instead of 16."""

from common import build_model, flow, load_data

x_train, y_train, x_val, y_val = load_data()
model = build_model()
model.fit(
    flow(x_train, y_train, batch_size=32),
    validation_data=flow(x_val, y_val, augment=False),
    epochs=2,
)

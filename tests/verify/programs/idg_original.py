"""The original: ImageDataGenerator feeding fit under a MirroredStrategy."""

from common import build_model, load_data
from tensorflow.keras.preprocessing.image import ImageDataGenerator

x_train, y_train, x_val, y_val = load_data()
model = build_model()
datagen = ImageDataGenerator(
    rotation_range=15, horizontal_flip=True, rescale=1 / 255.0, samplewise_center=True
)
plain = ImageDataGenerator(rescale=1 / 255.0, samplewise_center=True)
model.fit(
    datagen.flow(x_train, y_train, batch_size=16),
    validation_data=plain.flow(x_val, y_val, batch_size=16),
    epochs=2,
)
print("trained")  # not reached under the verifier: it stops the program after fit

"""migrate-aug: rewrite Keras ImageDataGenerator pipelines into fast, faithful tf.data."""

__version__ = "0.1.0"

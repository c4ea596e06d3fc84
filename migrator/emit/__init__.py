"""Code generation: TensorFlow source rendered from the data model (never imported TF)."""

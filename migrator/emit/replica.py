"""`--augment-on replica`: the augmentation as a Keras layer at the model's input (its text).

The host pipeline then only gathers, shuffles, batches and casts; the emitted layer runs
the same `<generator>_augment(images, seed)` (IDG's random transform, then its
standardization) on whichever replica runs the training step, with a fresh seed per
call, and passes batches through unchanged outside training (`evaluate`, `predict`).

Where the layer goes, and whether it may, is the planner's (plan/replica.py).
"""

from __future__ import annotations

# The registered name's package: Keras finds the class when loading a saved model (as long
# as the program defining it has run), and the verifier recognises the layer by it.
PACKAGE = "migrate_aug"


def layer_class_name(generator: str) -> str:
    """ "train_datagen" -> "TrainDatagenAugmentation"."""
    words = [word for word in generator.split("_") if word]
    return "".join(word[:1].upper() + word[1:] for word in words) + "Augmentation"


def render_layer_class(name: str, augment: str, generator: str, *, keras: str, tf: str) -> str:
    """The Keras layer running `augment(images, seed)` on training batches only."""
    return f'''# {generator}'s augmentation, run on each replica inside the training step (migrate-aug)
@{keras}.utils.register_keras_serializable(package="{PACKAGE}")
class {name}({keras}.layers.Layer):
    """Applies `{augment}` to training batches; other batches pass unchanged."""

    def __init__(self, **kwargs):
        kwargs["dtype"] = "float32"  # as ImageDataGenerator, whatever the precision policy
        super().__init__(**kwargs)

    def call(self, images, training=None):
        if not training:
            return images
        # A fresh seed pair per step and replica for the stateless random ops.
        seed = {tf}.random.uniform([2], 0, 2**62, {tf}.int64)
        return {augment}(images, seed)
'''

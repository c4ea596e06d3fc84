"""Constants the tool reads arguments from: Kaggle's `class CFG:` attributes and module dicts,
when nothing can change them (for its static checks); anything that could is a value known
only at run time: the call keeps the user's expression and the runtime module checks it."""

from __future__ import annotations

import pytest

from migrator.api import migrate_source

PROGRAM = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

{config}

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
{extra}
datagen = ImageDataGenerator(rotation_range=CFG.rotation, horizontal_flip=CFG.flip)
model.fit(datagen.flow(x, y, batch_size=CFG.batch_size), epochs=1)
"""

PLAIN = "class CFG:\n    seed = 42\n    rotation = 20\n    flip = True\n    batch_size = 16"


def _codes(config: str, extra: str = "") -> list[str]:
    result = migrate_source(PROGRAM.format(config=config, extra=extra), "cfg.py")
    return [d.code for d in result.diagnostics]


def test_plain_configuration_class_is_read() -> None:
    source = PROGRAM.format(config=PLAIN, extra="print(CFG.seed)\n")
    result = migrate_source(source, "cfg.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    # The expressions stay as written: editing CFG edits the augmentation.
    assert (
        "idg_tfdata.Augmentation(rotation_range=CFG.rotation, horizontal_flip=CFG.flip)"
        in result.new_source
    )
    assert "idg_tfdata.index_batches(x, y, batch_size=CFG.batch_size)" in result.new_source


def test_annotated_and_derived_attributes() -> None:
    config = (
        'class CFG:\n    """Settings."""\n\n    base: int = 10\n    rotation: float = base * 2\n'
        "    flip = True"
    )
    assert _codes(config) == ["MA001"]


@pytest.mark.parametrize(
    ("config", "extra"),
    [
        (PLAIN, "CFG.rotation = 45\n"),  # changed later
        (PLAIN, "def tune():\n    CFG.rotation += 5\n"),  # changed by a function
        (PLAIN, "CFG.rotation, other = 45, 1\n"),  # unpacked into
        (PLAIN, "setattr(CFG, 'rotation', 45)\n"),  # the class handed to a function
        (PLAIN, "CFG = dict(rotation=3)\n"),  # rebound
        (PLAIN.replace("class CFG:", "class CFG(Base):"), ""),  # a base could do anything
        ("@dataclass\n" + PLAIN, ""),  # decorated
        (PLAIN + "\n    rotation = 30", ""),  # bound twice in the body
        (PLAIN.replace("    rotation = 20", "    if fast:\n        rotation = 20"), ""),
        ("from enum import Enum\nclass CFG(Enum):\n    rotation = 20\n    flip = True", ""),
        (PLAIN.replace("flip = True", "flip = [True]"), "CFG.flip[0] = False\n"),
        # A method could change its own class.
        (PLAIN + "\n\n    @classmethod\n    def fast(cls):\n        cls.rotation = 0", ""),
    ],
)
def test_anything_that_could_change_the_attribute_is_read_at_run_time(
    config: str, extra: str
) -> None:
    result = migrate_source(PROGRAM.format(config=config, extra=extra), "cfg.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert "rotation_range=CFG.rotation, horizontal_flip=CFG.flip)" in result.new_source


DICT_PROGRAM = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

AUG = dict(rotation_range=10, zoom_range=[0.9, 1.1])
{use}
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
datagen = ImageDataGenerator(**AUG)
model.fit(datagen.flow(x, y, batch_size=8), epochs=1)
"""


@pytest.mark.parametrize(
    "use",
    [
        "",
        "print(AUG)",
        "MORE = dict(AUG, horizontal_flip=True)",
        "MORE = {**AUG, 'horizontal_flip': True}",
        "other = ImageDataGenerator(**AUG)",
    ],
)
def test_dict_constant_read_or_copied_is_known(use: str) -> None:
    result = migrate_source(DICT_PROGRAM.format(use=use), "aug.py")
    assert "MA001" in [d.code for d in result.diagnostics]


@pytest.mark.parametrize(
    "use",
    [
        "def tweak(d):\n    d['rotation_range'] = 90\ntweak(AUG)",  # changed by a function
        "alias = AUG\nalias['rotation_range'] = 90",  # changed through an alias
        "for d in [AUG]:\n    d['rotation_range'] = 90",  # through a container
        "dict = lambda d: d\nsame = dict(AUG)",  # `dict` is not the builtin
    ],
)
def test_dict_constant_that_could_be_changed_is_read_at_run_time(use: str) -> None:
    result = migrate_source(DICT_PROGRAM.format(use=use), "aug.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert "datagen = idg_tfdata.Augmentation(**AUG)" in result.new_source


MAIN_GUARD = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

if __name__ == "__main__":
    ROTATION = 20
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
{construction}
"""
FIT = "    model.fit(datagen.flow(x, y, batch_size=8), epochs=1)\n"


def test_constant_bound_in_the_block_that_uses_it() -> None:
    # The one binding runs whenever the construction in the same block does.
    source = MAIN_GUARD.format(
        construction="    datagen = ImageDataGenerator(rotation_range=ROTATION)\n" + FIT
    )
    assert [d.code for d in migrate_source(source, "main.py").diagnostics] == ["MA001"]


def test_constant_bound_in_a_block_the_use_is_outside_of() -> None:
    # Outside the guard the binding may not have run (under import, it does not).
    source = MAIN_GUARD.format(construction="") + (
        "datagen = ImageDataGenerator(rotation_range=ROTATION)\n" + FIT.strip() + "\n"
    )
    result = migrate_source(source, "main.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]  # read when the program runs
    assert "idg_tfdata.Augmentation(rotation_range=ROTATION)" in result.new_source

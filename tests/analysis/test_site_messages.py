"""MA105 messages say why and what to do for the common hand-iteration shapes."""

from __future__ import annotations

import pytest

from migrator.api import migrate_source

HEAD = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
datagen = ImageDataGenerator(zoom_range=0.3)
train_gen = datagen.flow(x, y, batch_size=8)
"""


# (One `next(train_gen)` or a loop breaking after one batch migrate: tests/analysis/
# test_previews.py.)
@pytest.mark.parametrize(
    "use",
    [
        "for _ in range(2):\n    sample_x, sample_y = next(train_gen)",
        "for batch in train_gen:\n    print(batch)",
        "first = [b for b in train_gen][:1]",
        "preview = train_gen[0][0][0]",
        "batches = iter(train_gen)",
    ],
)
def test_iteration_by_hand_is_named_with_what_to_do(use: str) -> None:
    source = HEAD + use + "\nmodel.fit(train_gen, epochs=1)\n"
    result = migrate_source(source, "preview.py")
    assert result.new_source == source  # refused: nothing changes
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA105"
    assert "`train_gen` is read by hand here" in diagnostic.message
    assert "separate ImageDataGenerator" in (diagnostic.help or "")


def test_other_uses_keep_the_generic_message() -> None:
    source = HEAD + "show(train_gen)\nmodel.fit(train_gen, epochs=1)\n"
    result = migrate_source(source, "attribute.py")
    messages = [d.message for d in result.diagnostics if d.code == "MA105"]
    assert messages and "iterated by hand" not in " ".join(messages)


def test_iterator_stored_in_an_attribute_names_it() -> None:
    source = (
        HEAD.replace("train_gen = datagen", "self.train_gen = datagen")
        + "model.fit(self.train_gen, epochs=1)\n"
    )
    result = migrate_source(source, "stored.py")
    assert result.new_source == source
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA105"
    assert "stored in `self.train_gen`" in diagnostic.message


MULTI_INPUT_HEAD = HEAD.replace("train_gen = datagen.flow(x, y, batch_size=8)\n", "")


def test_flow_looped_in_a_repacking_generator_says_what_to_do() -> None:
    # A generator re-packing each IDG batch whose calls do not all go to fit (here a
    # preview) is not followed; the message says what to do.
    source = (
        MULTI_INPUT_HEAD
        + "def gen():\n    for xb, yb in datagen.flow(x, y, batch_size=8):\n"
        + "        yield [xb, xb], yb\n\npreview = next(gen())\n"
        + "model.fit(gen(), steps_per_epoch=5)\n"
    )
    result = migrate_source(source, "multi_input.py")
    assert result.new_source == source
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA105"
    assert "looped over in the Python generator `gen()`" in diagnostic.message
    assert "dataset.map(lambda x, y: ((x, x), y))" in (diagnostic.help or "")
    assert "preview" not in diagnostic.message + (diagnostic.help or "")


def test_iterator_passed_to_a_repacking_generator_names_it() -> None:
    # A generator that reads its iterator other than by its loop (here len()) is not
    # followed: refused, with the re-packing advice.
    source = (
        HEAD
        + "def outputs(it):\n    print(len(it))\n    for xb, yb in it:\n"
        + "        yield xb, {'a': yb, 'b': yb}\n\nmodel.fit(outputs(train_gen), steps_per_epoch=5)\n"
    )
    result = migrate_source(source, "multi_output.py")
    assert result.new_source == source
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA105"
    assert "`train_gen` is passed to the Python generator `outputs()`" in diagnostic.message
    assert ".map()" in (diagnostic.help or "")


def test_a_plain_loop_in_a_function_is_still_a_preview() -> None:
    # No yield: a function that loops over the flow previews it; the preview advice stays.
    source = HEAD + "def show():\n    for b in train_gen:\n        break\n\nmodel.fit(train_gen)\n"
    [diagnostic] = migrate_source(source, "preview_fn.py").diagnostics
    assert "separate ImageDataGenerator" in (diagnostic.help or "")
    assert "Python generator" not in diagnostic.message


def test_flow_looped_in_a_generator_handed_to_fit_is_migrated() -> None:
    # The multi-input shape: `fit(gen())` where gen loops over the flow and re-packs each
    # batch; the loop reads the dataset's batches as NumPy, endlessly like IDG's iterator.
    source = (
        MULTI_INPUT_HEAD
        + "def gen():\n    for xb, yb in datagen.flow(x, y, batch_size=8):\n"
        + "        yield (xb, xb), yb\n\nmodel.fit(gen(), steps_per_epoch=5)\n"
    )
    result = migrate_source(source, "multi_input.py")
    assert (
        "    datagen_batches = (\n"
        "        idg_tfdata.index_batches(x, y, batch_size=8)\n"
        "        .map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "        .repeat()\n"
        "        .prefetch(tf.data.AUTOTUNE)\n"
        "        .as_numpy_iterator()\n"
        "    )\n"
        "    for xb, yb in datagen_batches:\n"
    ) in result.new_source
    # the consumer keeps its generator and step count: nothing else is repeated
    assert "model.fit(gen(), steps_per_epoch=5)\n" in result.new_source
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA001"
    assert "`gen()` loops over it as NumPy batches" in diagnostic.message


def test_generator_nested_in_main_is_followed_but_not_a_method() -> None:
    # Scripts keep everything in main(): the nested generator's calls are followed there.
    body = (
        "def main():\n"
        "    def gen():\n        for xb, yb in datagen.flow(x, y):\n            yield xb, {'a': yb}\n"
        "    model.fit(gen(), steps_per_epoch=3)\n"
    )
    nested = migrate_source(MULTI_INPUT_HEAD + body, "nested.py")
    assert "        for xb, yb in datagen_batches:\n" in nested.new_source
    assert "            .as_numpy_iterator()\n" in nested.new_source
    # A method is called as self.gen(), which the tool does not follow: refused, explained.
    method = (
        "class Trainer:\n"
        "    def gen(self):\n        for xb, yb in datagen.flow(x, y):\n            yield xb, yb\n"
        "    def train(self):\n        model.fit(self.gen(), steps_per_epoch=3)\n"
    )
    refused = migrate_source(MULTI_INPUT_HEAD + method, "method.py")
    assert refused.new_source == MULTI_INPUT_HEAD + method
    [diagnostic] = refused.diagnostics
    assert diagnostic.code == "MA105" and "Python generator `gen()`" in diagnostic.message


def test_iterator_passed_to_a_generator_handed_to_fit_is_migrated() -> None:
    # The multi-output shape: the named iterator goes to a generator yielding a dict of
    # targets; that argument reads NumPy batches, len() stays on the dataset.
    source = (
        HEAD
        + "def outputs(it):\n    for xb, yb in it:\n"
        + "        yield xb, {'a': yb, 'b': yb}\n\n"
        + "model.fit(outputs(train_gen), steps_per_epoch=len(train_gen))\n"
    )
    result = migrate_source(source, "multi_output.py")
    assert "train_gen = (\n    idg_tfdata.index_batches(x, y, batch_size=8)\n" in result.new_source
    assert (  # the longer line laid out again as ruff lays it out
        "model.fit(\n    outputs(train_gen.repeat().as_numpy_iterator()), "
        "steps_per_epoch=len(train_gen)\n)\n" in result.new_source
    )
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "MA001"
    assert "`outputs()` loops over it as NumPy batches" in diagnostic.message


SELF_HEAD = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])


class Trainer:
    def build(self):
        self.train_it = ImageDataGenerator(zoom_range=0.3).flow(x, y, batch_size=8)

    def train(self):
        model.fit(self.train_it, epochs=1)
"""


def test_an_iterator_on_self_is_followed_to_the_other_methods() -> None:
    result = migrate_source(SELF_HEAD, "trainer.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert "        datagen = idg_tfdata.Augmentation(zoom_range=0.3)\n" in result.new_source
    assert (
        "        self.train_it = (\n"
        "            idg_tfdata.index_batches(x, y, batch_size=8)\n"
        "            .map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
    ) in result.new_source


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        ("    def reset(self):\n        self.train_it = None\n", "assigned more than once"),
        ("    def more(self):\n        self.train_it += [1]\n", "assigned more than once"),
        ("trainer = Trainer()\nprint(trainer.train_it.n)\n", "outside the class"),
        ("    def peek(self):\n        return getattr(self, 'train_it')\n", "in a string"),
        ("    train_it = None\n", "also binds `train_it` in its body"),
        ("    def peek(self):\n        return next(self.train_it)\n", "read by hand"),
    ],
)
def test_an_iterator_on_self_with_another_use_is_refused(extra: str, said: str) -> None:
    source = SELF_HEAD + extra
    result = migrate_source(source, "trainer.py")
    assert result.new_source == source
    assert [d.code for d in result.diagnostics] == ["MA105"]
    assert said in result.diagnostics[0].message


def test_an_iterator_returned_to_no_caller_says_so() -> None:
    # A data module's helper (`def get_gen(...): ...; return gen`) called from another file.
    source = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n\n"
        "def get_gen(x, y, batch_size):\n"
        "    image_gen = ImageDataGenerator(zoom_range=0.1)\n"
        "    gen = image_gen.flow(x, y, batch_size=batch_size)\n"
        "    return gen\n"
    )
    result = migrate_source(source, "data.py")
    assert result.new_source == source
    assert [(d.code, d.line, d.message) for d in result.diagnostics] == [
        (
            "MA105",
            7,
            "ImageDataGenerator not migrated: the iterator is returned from a function whose "
            "callers the tool cannot see",
        )
    ]

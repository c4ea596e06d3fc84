"""Previews: `next(it)` on the iterator fit also reads becomes the pipeline's first batch as
NumPy arrays (analysis/previews.py, plan/previews.py); what would not match IDG is refused
(MA105) with the reason."""

from __future__ import annotations

from migrator.api import Options, migrate_source

HEAD = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
datagen = ImageDataGenerator(horizontal_flip=True)
"""


def migrate(body: str, options: Options | None = None) -> tuple[str, list[str], list[str]]:
    result = migrate_source(HEAD + body, "m.py", options or Options())
    diagnostics = result.diagnostics
    return result.new_source, [d.code for d in diagnostics], [d.message for d in diagnostics]


def test_next_and_next_method_before_fit_read_the_pipeline() -> None:
    for preview in ("next(it)", "it.next()"):
        source, codes, messages = migrate(
            f"it = datagen.flow(x, y, batch_size=4)\nimages, labels = {preview}\nmodel.fit(it)\n"
        )
        assert codes == ["MA001"], messages
        assert "images, labels = next(it.as_numpy_iterator())\n" in source
        assert "model.fit(it)\n" in source
        assert "the preview `next(it)` reads the pipeline's first batch" in messages[0]


def test_preview_after_fit_and_under_an_if_in_a_function() -> None:
    source, codes, _ = migrate(
        "def train(show):\n"
        "    it = datagen.flow(x, y)\n"
        "    model.fit(it, epochs=1)\n"
        "    if show:\n"
        "        print(next(it)[0].shape)\n"
    )
    assert codes == ["MA001"]
    assert "        print(next(it.as_numpy_iterator())[0].shape)\n" in source


def test_preview_of_a_file_iterator_whose_facts_are_read_reads_the_augmented_batches() -> None:
    source, codes, _ = migrate(
        "it = datagen.flow_from_directory('d')\n"
        "batch = next(it)\n"
        "model.fit(it, steps_per_epoch=it.samples // 32)\n"
    )
    assert codes == ["MA003"]  # the file pipeline rule
    # `it` keeps the file dataset (for its facts); the preview reads what fit reads.
    assert "batch = next(it_batches.as_numpy_iterator())\n" in source
    assert "model.fit(it_batches, steps_per_epoch=it.samples // 32)\n" in source


def test_a_second_next_is_refused_at_its_line() -> None:
    body = "it = datagen.flow(x, y)\nfirst = next(it)\nsecond = next(it)\nmodel.fit(it)\n"
    source, codes, messages = migrate(body)
    assert source == HEAD + body and codes == ["MA105"]
    assert "`it` is previewed more than once" in messages[0]


def test_a_loop_that_breaks_after_one_batch_reads_the_pipeline() -> None:
    source, codes, messages = migrate(
        "it = datagen.flow(x, y)\n"
        "for images, labels in it:\n"
        "    print(images.shape)\n"
        "    break\n"
        "model.fit(it)\n"
    )
    assert codes == ["MA001"]
    assert "for images, labels in it.as_numpy_iterator():\n    print(images.shape)\n" in source
    assert "the preview `for ... in it: ... break`" in messages[0]


def test_a_loop_that_may_read_more_batches_stays_refused() -> None:
    for loop in (
        "for images, labels in it:\n    print(images.shape)\n",  # endless over IDG
        "for images, labels in it:\n    if bad(images):\n        continue\n    break\n",
        "for images, labels in it:\n    break\nelse:\n    pass\n",
    ):
        body = f"it = datagen.flow(x, y)\n{loop}model.fit(it)\n"
        source, codes, messages = migrate(body)
        assert source == HEAD + body and codes == ["MA105"], loop
        assert "is read by hand here" in messages[0]


def test_next_in_a_loop_or_a_nested_function_stays_refused() -> None:
    for body in (
        "it = datagen.flow(x, y)\nfor _ in range(3):\n    show(next(it))\nmodel.fit(it)\n",
        "it = datagen.flow(x, y)\nshow = lambda: next(it)\nmodel.fit(it)\n",
        "it = datagen.flow(x, y)\ndef show():\n    return next(it)\nmodel.fit(it)\n",
        "it = datagen.flow(x, y)\nbatches = [next(it) for _ in range(2)]\nmodel.fit(it)\n",
    ):
        source, codes, messages = migrate(body)
        assert source == HEAD + body and codes == ["MA105"], body
        assert "is read by hand here" in messages[0]


def test_a_preview_alone_does_not_reach_fit() -> None:
    body = "it = datagen.flow(x, y)\nprint(next(it))\nmodel.fit(x, y)\n"
    source, codes, messages = migrate(body)
    assert source == HEAD + body and codes == ["MA105"]
    assert "`it` never reaches fit/evaluate/predict" in messages[0]


def test_preview_with_augmentation_on_the_replicas_is_refused() -> None:
    body = "it = datagen.flow(x, y)\nprint(next(it))\nmodel.fit(it)\n"
    source, codes, messages = migrate(body, Options(augment_on="replica"))
    assert source == HEAD + body and codes == ["MA105"]
    assert "--augment-on replica the host pipeline does not augment" in messages[0]


def test_preview_of_a_wrapped_iterator_is_refused() -> None:
    body = (
        "it = datagen.flow(x, y)\n"
        "print(next(it))\n"
        "ds = tf.data.Dataset.from_generator(lambda: it, output_types=(tf.float32, tf.float32))\n"
        "model.fit(ds)\n"
    )
    source, codes, _ = migrate(body)
    assert source == HEAD + body and "MA105" in codes

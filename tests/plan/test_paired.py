"""Paired image/mask generators planned as one pipeline, or refused with IDG's reason."""

from __future__ import annotations

import textwrap

from migrator.api import Options, migrate_source

HEAD = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Conv2D(1, 3, padding="same")])
image_datagen = ImageDataGenerator({image})
mask_datagen = ImageDataGenerator({mask})
images_it = image_datagen.flow(images, batch_size=4, seed=1)
masks_it = mask_datagen.flow(masks, batch_size=4, seed=1)
"""
FIT = "model.fit(zip(images_it, masks_it), steps_per_epoch=8, epochs=2)\n"


def program(
    image: str = "rotation_range=10, rescale=1 / 255",
    mask: str = "rotation_range=10",
    body: str = FIT,
) -> str:
    return HEAD.format(image=image, mask=mask) + body


def test_a_zip_into_fit_becomes_one_repeated_pipeline() -> None:
    result = migrate_source(program(), "seg.py", Options())
    assert [d.code for d in result.diagnostics] == ["MA001"]
    new = result.new_source
    assert "image_datagen = idg_tfdata.Augmentation(rotation_range=10, rescale=1 / 255)" in new
    assert "images_it = idg_tfdata.index_batches(images, batch_size=4, seed=1)" in new
    assert "masks_it = idg_tfdata.index_batches(masks, batch_size=4, seed=1)" in new
    assert "idg_tfdata.zipped(images_it, masks_it)" in new
    assert "idg_tfdata.PairedAugmentation(image_datagen, mask_datagen)" in new
    # zip() of IDG's endless iterators: the pipeline repeats, fit draws its steps.
    assert ".prefetch(tf.data.AUTOTUNE)\n    .repeat()\n)" in new
    assert "model.fit(paired_batches, steps_per_epoch=8, epochs=2)" in new
    assert "ImageDataGenerator" not in new and result.needs_runtime
    again = migrate_source(new, "seg.py", Options())
    assert not again.changed and again.diagnostics == []


def test_geometry_that_differs_is_refused_with_idgs_reason() -> None:
    source = program(mask="rotation_range=20")
    result = migrate_source(source, "seg.py", Options())
    assert not result.changed
    messages = [d.message for d in result.diagnostics]
    assert [d.code for d in result.diagnostics] == ["MA105", "MA105"]
    assert all("differ in rotation_range (10.0 vs 20.0)" in m for m in messages)
    assert all("masks stop matching their images" in m for m in messages)


def test_a_colour_range_on_one_side_only_is_refused() -> None:
    result = migrate_source(
        program(image="rotation_range=10, channel_shift_range=20.0"), "seg.py", Options()
    )
    assert not result.changed
    assert "differ in channel_shift_range (20.0 vs 0.0)" in result.diagnostics[0].message


def test_different_seeds_are_refused() -> None:
    source = program().replace("masks, batch_size=4, seed=1", "masks, batch_size=4, seed=2")
    result = migrate_source(source, "seg.py", Options())
    assert not result.changed
    assert "the flows' seed differ (1 vs 2)" in result.diagnostics[0].message


def test_without_a_strategy_it_is_one_report_and_all_rewrites_it() -> None:
    source = program().replace("with strategy.scope():\n    model", "if True:\n    model")
    result = migrate_source(source, "seg.py", Options())
    assert [d.code for d in result.diagnostics] == ["MA002"] and not result.changed
    rewritten = migrate_source(source, "seg.py", Options(rewrite_without_strategy=True))
    assert [d.code for d in rewritten.diagnostics] == ["MA002"]
    assert "idg_tfdata.PairedAugmentation(image_datagen, mask_datagen)" in rewritten.new_source


def test_a_zip_looped_over_in_a_generator_reads_numpy_batches() -> None:
    body = textwrap.dedent(
        """\
        def pairs():
            for image, mask in zip(images_it, masks_it):
                yield image, mask > 0.5


        model.fit(pairs(), steps_per_epoch=8)
        """
    )
    result = migrate_source(program(body=body), "seg.py", Options())
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert ".repeat()\n        .as_numpy_iterator()\n    )" in result.new_source
    assert "for image, mask in paired_batches:" in result.new_source


def test_batches_drawn_by_hand_with_next_come_from_one_iterator() -> None:
    body = textwrap.dedent(
        """\
        def pairs():
            while True:
                yield next(images_it), next(masks_it)


        model.fit(pairs(), steps_per_epoch=8)
        """
    )
    result = migrate_source(program(body=body), "seg.py", Options())
    assert [d.code for d in result.diagnostics] == ["MA001"]
    new = result.new_source
    assert "        yield next(paired_batches)\n" in new
    # Made once, after both flows (not in the loop).
    assert new.index("masks_it = idg_tfdata.index_batches") < new.index("paired_batches = (")
    assert new.index("paired_batches = (") < new.index("def pairs():")
    assert ".repeat()\n    .as_numpy_iterator()\n)" in new


def test_a_generator_rebound_before_the_zip_is_refused() -> None:
    body = "image_datagen = None\n" + FIT
    result = migrate_source(program(body=body), "seg.py", Options())
    assert not result.changed
    assert any("`image_datagen` is bound again" in d.message for d in result.diagnostics)


def test_inline_generators_validation_pairs_and_a_returned_zip() -> None:
    source = textwrap.dedent(
        """\
        import tensorflow as tf
        from tensorflow.keras.preprocessing.image import ImageDataGenerator


        def validation(images, masks):
            image_it = ImageDataGenerator(rescale=1 / 255).flow(images, shuffle=False)
            mask_it = ImageDataGenerator().flow(masks, shuffle=False, seed=None)
            return zip(image_it, mask_it)


        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model = tf.keras.Sequential([tf.keras.layers.Conv2D(1, 3, padding="same")])
        train_images = ImageDataGenerator(zoom_range=0.1).flow(images, batch_size=2, seed=7)
        train_masks = ImageDataGenerator(zoom_range=0.1).flow(masks, batch_size=2, seed=7)
        model.fit(
            zip(train_images, train_masks),
            steps_per_epoch=4,
            validation_data=zip(
                ImageDataGenerator().flow(vx, seed=1), ImageDataGenerator().flow(vm, seed=1)
            ),
            validation_steps=2,
        )
        """
    )
    result = migrate_source(source, "seg.py", Options())
    new = result.new_source
    codes = [d.code for d in result.diagnostics]
    # The returned zip: no consumer seen (MA002: reported, not rewritten); no seed, but
    # nothing shuffled or drawn either, so IDG's two iterators agree all the same.
    assert codes == ["MA002", "MA001", "MA001"], result.diagnostics
    assert "image_datagen = idg_tfdata.Augmentation(zoom_range=0.1)" in new
    assert "mask_datagen = idg_tfdata.Augmentation(zoom_range=0.1)" in new
    assert "validation_data=paired_batches_2," in new
    assert new.count("idg_tfdata.PairedAugmentation(") == 2
    assert "paired_images = idg_tfdata.index_batches(vx, seed=1)" in new
    everything = migrate_source(source, "seg.py", Options(rewrite_without_strategy=True))
    assert "    return paired_batches\n" in everything.new_source  # NumPy pairs, as zip's
    assert everything.new_source.count("idg_tfdata.PairedAugmentation(") == 3


def test_unseeded_pairs_that_shuffle_are_refused() -> None:
    source = program().replace(", seed=1)", ")")
    result = migrate_source(source, "seg.py", Options())
    assert not result.changed
    assert "the flows have no seed" in result.diagnostics[0].message

"""Paired generators (images and masks, zipped) found with what makes them one pipeline,
or the reasons IDG would not keep them in step."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from migrator.analysis.pairs import PairUse, find_pairs
from migrator.analysis.sites import SiteFinder
from tests.fixture_cases import FIXTURES

HEAD = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

image_datagen = ImageDataGenerator(rotation_range=10, rescale=1 / 255)
mask_datagen = ImageDataGenerator(rotation_range=10)
"""


def pairs_of(source: str) -> list[PairUse]:
    finder = SiteFinder(cst.MetadataWrapper(cst.parse_module(source)))
    return find_pairs(finder, finder.find())


def one_pair(body: str) -> PairUse:
    (pair,) = pairs_of(HEAD + textwrap.dedent(body))
    return pair


def test_zipped_into_fit_is_a_pair() -> None:
    pair = one_pair(
        """\
        images_it = image_datagen.flow(images, batch_size=4, seed=1)
        masks_it = mask_datagen.flow(masks, batch_size=4, seed=1)
        model.fit(zip(images_it, masks_it), steps_per_epoch=10)
        """
    )
    assert pair.problems == []
    assert (pair.image.name, pair.mask.name) == ("images_it", "masks_it")
    assert (pair.image.site.name, pair.mask.site.name) == ("image_datagen", "mask_datagen")
    assert pair.use == "fit" and pair.binding is None
    assert pair.image.statement is not None and pair.mask.statement is not None


def test_zip_bound_to_a_name_then_fit() -> None:
    pair = one_pair(
        """\
        train = zip(image_datagen.flow(images, seed=2), mask_datagen.flow(masks, seed=2))
        model.fit(train, steps_per_epoch=10, epochs=2)
        """
    )
    assert pair.problems == []
    assert pair.use == "fit" and pair.binding is not None
    assert pair.image.statement is None  # written inside the zip


def test_zip_looped_over_in_a_generator_function() -> None:
    pair = one_pair(
        """\
        def pairs(images, masks, seed=1):
            image_flow = image_datagen.flow(images, batch_size=8, seed=seed)
            mask_flow = mask_datagen.flow(masks, batch_size=8, seed=seed)
            for image, mask in zip(image_flow, mask_flow):
                yield image, mask > 0.5
        """
    )
    assert pair.problems == []
    assert pair.use == "iterated"


@pytest.mark.parametrize(
    ("flows", "problem"),
    [
        (("seed=1", "seed=2"), "the flows' seed differ (1 vs 2)"),
        (("batch_size=4, seed=1", "seed=1"), "the flows' batch_size differ (4 vs 32)"),
        (("shuffle=False, seed=1", "seed=1"), "the flows' shuffle differ (False vs True)"),
    ],
)
def test_what_idg_would_not_keep_in_step_is_named(flows: tuple[str, str], problem: str) -> None:
    pair = one_pair(
        f"""\
        model.fit(
            zip(image_datagen.flow(images, {flows[0]}), mask_datagen.flow(masks, {flows[1]})),
            steps_per_epoch=10,
        )
        """
    )
    assert any(p.startswith(problem) for p in pair.problems), pair.problems


def test_unseeded_and_shuffled_flows_are_marked_for_the_planner() -> None:
    body = "model.fit(zip(image_datagen.flow(x), mask_datagen.flow(m)), steps_per_epoch=1)\n"
    pair = one_pair(body)
    assert pair.unseeded and pair.shuffled and pair.problems == []
    pair = one_pair(
        body.replace("flow(x)", "flow(x, shuffle=False)").replace(
            "flow(m)", "flow(m, shuffle=False)"
        )
    )
    assert pair.unseeded and not pair.shuffled


def test_labels_besides_the_masks_are_not_paired() -> None:
    pair = one_pair(
        """\
        model.fit(
            zip(image_datagen.flow(x, y, seed=1), mask_datagen.flow(masks, seed=1)),
            steps_per_epoch=3,
        )
        """
    )
    assert pair.problems == [
        "`image_datagen.flow(x, y, seed=1)` also yields y: only image and mask batches are paired"
    ]


def test_fit_without_steps_never_ends_an_epoch() -> None:
    pair = one_pair(
        "model.fit(zip(image_datagen.flow(x, seed=1), mask_datagen.flow(m, seed=1)), epochs=2)\n"
    )
    assert pair.problems == [
        "the consumer gives no steps_per_epoch: a zip of IDG's endless iterators never ends a pass"
    ]


def test_a_rebound_array_after_the_flow_is_read_where_the_flow_was() -> None:
    # Each flow's pipeline stays where the flow was: the array it read then is the one.
    pair = one_pair(
        """\
        images_it = image_datagen.flow(images, seed=1)
        masks_it = mask_datagen.flow(masks, seed=1)
        images = images[:10]
        model.fit(zip(images_it, masks_it), steps_per_epoch=2)
        """
    )
    assert pair.problems == []


def test_a_tuple_of_next_calls_is_a_pair_drawn_by_hand() -> None:
    pair = one_pair(
        """\
        images_it = image_datagen.flow(images, seed=1)
        masks_it = mask_datagen.flow(masks, seed=1)
        def pairs():
            while True:
                yield next(images_it), next(masks_it)
        """
    )
    assert pair.use == "drawn" and pair.problems == []


def test_one_generator_zipped_with_itself_or_a_non_flow_is_no_pair() -> None:
    assert (
        pairs_of(HEAD + "model.fit(zip(image_datagen.flow(x), labels), steps_per_epoch=1)\n") == []
    )
    assert pairs_of(HEAD + "it = image_datagen.flow(x, seed=1)\nmodel.fit(zip(it, it))\n") == []


@pytest.mark.parametrize(
    ("fixture", "use"),
    [
        ("shape_paired_zip_fit", "fit"),
        ("corpus_segmentation_paired_generators", "fit"),
        ("shape_paired_generator_function", "iterated"),
        ("shape_paired_directory_generator", "iterated"),
    ],
)
def test_the_paired_fixtures_are_pairs(fixture: str, use: str) -> None:
    (pair,) = pairs_of((FIXTURES / fixture / "input.py").read_text())
    assert pair.problems == [] and pair.use == use

"""The emitted dataset function yields what IDG.flow yields: batch count, sizes, order,
dtypes, labels and sample weights, subsets, reshuffling and per-batch seeds."""

from __future__ import annotations

import os

import numpy as np
import pytest

from migrator.emit.pipeline import PipelineNames, render_dataset_function
from migrator.model import AugmentSpec

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")
legacy = pytest.importorskip("keras.src.legacy.preprocessing.image")


def build(spec: AugmentSpec, augment=None):
    names = PipelineNames("data_dataset", "data_augment" if augment else None, "data")
    namespace = {"tf": tf, "data_augment": augment}
    exec(compile(render_dataset_function(spec, names), "<emitted>", "exec"), namespace)
    return namespace["data_dataset"]


def batches(dataset) -> list:
    return [
        tuple(np.asarray(t) for t in b) if isinstance(b, tuple) else np.asarray(b) for b in dataset
    ]


def idg_batches(iterator) -> list:
    return [iterator[i] for i in range(len(iterator))]


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (10, 4, 5, 3)).astype("uint8")
    y = rng.integers(0, 3, 10)
    w = rng.random(10).astype("float32")
    return x, y, w


def test_unshuffled_batches_match_idg(data) -> None:
    x, y, w = data
    ours = batches(build(AugmentSpec())(x, y, batch_size=4, shuffle=False, sample_weight=w))
    theirs = idg_batches(
        legacy.ImageDataGenerator().flow(x, y, batch_size=4, shuffle=False, sample_weight=w)
    )
    assert len(ours) == len(theirs) == 3
    for mine, reference in zip(ours, theirs, strict=True):
        assert len(mine) == len(reference) == 3
        assert mine[0].dtype == reference[0].dtype == np.float32
        np.testing.assert_array_equal(mine[0], reference[0])
        np.testing.assert_array_equal(mine[1], reference[1])
        np.testing.assert_array_equal(mine[2], reference[2])
    assert [b[0].shape[0] for b in ours] == [4, 4, 2]


def test_images_only_when_y_is_none(data) -> None:
    x, _, _ = data
    ours = batches(build(AugmentSpec())(x, batch_size=6, shuffle=False))
    assert [b.shape for b in ours] == [(6, 4, 5, 3), (4, 4, 5, 3)]


def test_shuffle_visits_every_sample_once_per_epoch_and_reshuffles(data) -> None:
    x, y, _ = data
    dataset = build(AugmentSpec())(x, np.arange(10), batch_size=3, seed=1)
    epochs = [np.concatenate([b[1] for b in batches(dataset)]) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert len({tuple(order) for order in epochs}) > 1
    again = np.concatenate(
        [b[1] for b in batches(build(AugmentSpec())(x, np.arange(10), batch_size=3, seed=1))]
    )
    np.testing.assert_array_equal(again, epochs[0])


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_validation_split_subsets_match_idg(data, subset: str) -> None:
    """Sample weights included: IDG splits x and y but not sample_weight, so a subset's
    i-th sample takes sample_weight[i] (for 'training' too)."""
    x, y, w = data
    spec = AugmentSpec(validation_split=0.3)
    ours = batches(build(spec)(x, y, batch_size=4, shuffle=False, sample_weight=w, subset=subset))
    generator = legacy.ImageDataGenerator(validation_split=0.3)
    theirs = idg_batches(
        generator.flow(
            x,
            y,
            batch_size=4,
            shuffle=False,
            sample_weight=w,
            subset=subset,
            ignore_class_split=True,
        )
    )
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        assert len(mine) == len(reference) == 3
        for ours_part, idg_part in zip(mine, reference, strict=True):
            np.testing.assert_array_equal(ours_part, idg_part)


def test_each_batch_gets_its_own_seed_and_seeds_are_reproducible(data) -> None:
    x, _, _ = data

    def augment(images, seed):
        # Encode the seed into the pixels so the test can read it back.
        return images * 0 + tf.cast(seed[0] % 1000, tf.float32)

    dataset = build(AugmentSpec(rotation_range=1), augment)(x, batch_size=2, shuffle=False, seed=3)
    first = [float(b[0, 0, 0, 0]) for b in batches(dataset)]
    second = [float(b[0, 0, 0, 0]) for b in batches(dataset)]
    assert len(set(first)) == len(first)  # a fresh seed per batch
    assert first != second  # and new ones every epoch
    rebuilt = build(AugmentSpec(rotation_range=1), augment)(x, batch_size=2, shuffle=False, seed=3)
    assert [float(b[0, 0, 0, 0]) for b in batches(rebuilt)] == first


def test_rank_is_checked(data) -> None:
    with pytest.raises(ValueError, match="rank-4"):
        build(AugmentSpec())(np.zeros((3, 4, 4)))


def test_numpy_batches_are_read_from_the_array_not_a_copy(data) -> None:
    # The dataset reads each batch from `x` itself: a change to `x` after building the
    # dataset shows in the batches, so the whole array was never copied into a tensor.
    x, y, _ = data
    x = x.copy()
    dataset = build(AugmentSpec())(x, y, batch_size=4, shuffle=False)
    x[:] = 7
    images = np.concatenate([b[0] for b in batches(dataset)])
    np.testing.assert_array_equal(images, np.full(x.shape, 7, np.float32))


@pytest.mark.parametrize("kind", ["tensor", "list", "memmap"])
def test_tensors_lists_and_memmaps_give_the_numpy_batches(data, kind: str, tmp_path) -> None:
    x, y, w = data
    if kind == "tensor":
        given = tf.constant(x)
    elif kind == "list":
        given = list(x)
    else:
        given = np.lib.format.open_memmap(tmp_path / "x.npy", "w+", x.dtype, x.shape)
        given[:] = x
    dataset = build(AugmentSpec(validation_split=0.3))
    ours = batches(dataset(given, y, batch_size=4, sample_weight=w, seed=2, subset="training"))
    reference = batches(dataset(x, y, batch_size=4, sample_weight=w, seed=2, subset="training"))
    assert [len(b[0]) for b in ours] == [4, 3]
    for mine, theirs in zip(ours, reference, strict=True):
        for a, b in zip(mine, theirs, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)


def test_numpy_batches_keep_static_shapes(data) -> None:
    x, y, _ = data
    dataset = build(AugmentSpec())(x, y, batch_size=4)
    assert dataset.element_spec[0].shape.as_list() == [None, 4, 5, 3]
    assert dataset.element_spec[0].dtype == tf.float32


@pytest.mark.parametrize("argument", ["y", "sample_weight"])
def test_lengths_are_checked_as_idg_checks_them(data, argument: str) -> None:
    x, y, w = data
    arguments = {"y": y, "sample_weight": w, argument: (y if argument == "y" else w)[:-1]}
    with pytest.raises(ValueError, match="same length"):
        legacy.ImageDataGenerator().flow(x, **arguments)
    with pytest.raises(ValueError, match=f"x and {argument} differ in length"):
        build(AugmentSpec())(x, **arguments)

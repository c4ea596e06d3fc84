"""PairedAugmentation against two real ImageDataGenerators with the same seed: for the
parameters IDG draws, the image gets the image generator's pixels and the mask the mask
generator's (each with its own fill mode, interpolation and standardization); through
index_batches each image stays with its mask."""

from __future__ import annotations

import numpy as np
import pytest

from tests.idg_oracle import batched, idg_draws

pytestmark = [
    pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning"),
]

GEOMETRY = dict(
    rotation_range=25,
    width_shift_range=0.15,
    height_shift_range=[1, 2],
    shear_range=10,
    zoom_range=(0.8, 1.2),
    horizontal_flip=True,
    vertical_flip=True,
)
# The image: reflected borders, bilinear and rescaling; the mask: constant borders,
# nearest neighbour (labels stay labels), no standardization. (A colour range on one side
# only would make IDG's streams drift: refused, see below.)
IMAGE = dict(GEOMETRY, fill_mode="reflect", rescale=1 / 255)
MASK = dict(GEOMETRY, fill_mode="constant", cval=0.0, interpolation_order=0)


def test_image_and_mask_match_two_idgs_with_the_same_seed(tf, idg_tfdata, legacy) -> None:
    image_idg, mask_idg = legacy.ImageDataGenerator(**IMAGE), legacy.ImageDataGenerator(**MASK)
    paired = idg_tfdata.PairedAugmentation(
        idg_tfdata.Augmentation(**IMAGE), idg_tfdata.Augmentation(**MASK)
    )
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, (8, 14, 10, 3)).astype("float32")  # not square: axes matter
    m = rng.integers(0, 4, (8, 14, 10, 1)).astype("float32")
    seeds = list(range(100, 108))
    image_draws = idg_draws(image_idg, x.shape[1:], seeds)
    mask_draws = idg_draws(mask_idg, m.shape[1:], seeds)
    expected_images = np.stack(
        [
            image_idg.standardize(image_idg.apply_transform(x[i], d))
            for i, d in enumerate(image_draws)
        ]
    )
    expected_masks = np.stack(
        [mask_idg.standardize(mask_idg.apply_transform(m[i], d)) for i, d in enumerate(mask_draws)]
    )
    assert not np.allclose(expected_masks, m)  # the draws do move the masks
    # ONE parameter set, the image stream's, for both (IDG's draws, put in place of the
    # image side's own); the mask ignores the colour keys.
    shared = batched(tf, image_draws)
    paired.image.random_parameters = lambda *_: shared
    images, masks = paired((tf.constant(x), tf.constant(m)), [0, 0])
    np.testing.assert_allclose(images.numpy(), expected_images, atol=1e-4)
    np.testing.assert_array_equal(masks.numpy(), expected_masks)  # nearest: exact labels
    assert set(np.unique(masks.numpy())) <= {0.0, 1.0, 2.0, 3.0}
    # The comparison can fail: another sample's parameters move the mask elsewhere.
    swapped = batched(tf, [image_draws[1], image_draws[0], *image_draws[2:]])
    paired.image.random_parameters = lambda *_: swapped
    _, wrong = paired((tf.constant(x), tf.constant(m)), [0, 0])
    assert not np.array_equal(wrong.numpy()[0], expected_masks[0])


def test_pipeline_keeps_each_image_with_its_mask(tf, idg_tfdata) -> None:
    # Sample i is the constant image i (constant under any transform with nearest fill)
    # and the constant mask i: each batch must pair them, each epoch see every sample once.
    paired = idg_tfdata.PairedAugmentation(
        idg_tfdata.Augmentation(**GEOMETRY, rescale=0.5),
        idg_tfdata.Augmentation(**GEOMETRY, interpolation_order=0),
    )
    count = 10
    values = np.arange(count, dtype="float32")[:, None, None, None]
    x = np.broadcast_to(values, (count, 8, 8, 3)).copy()
    m = np.broadcast_to(values, (count, 8, 8, 1)).astype("uint8")
    batches = idg_tfdata.index_batches(x, m, batch_size=4, seed=3)
    dataset = batches.map(paired, num_parallel_calls=tf.data.AUTOTUNE)
    orders = []
    for _ in range(2):  # two epochs, reshuffled
        seen = []
        epoch = list(dataset)
        assert [len(b[0]) for b in epoch] == [4, 4, 2]
        for images, masks in epoch:
            assert images.dtype == tf.float32 and masks.dtype == tf.float32
            np.testing.assert_allclose(images.numpy()[:, 0, 0, 0] * 2, masks.numpy()[:, 0, 0, 0])
            seen += masks.numpy()[:, 0, 0, 0].tolist()
        assert sorted(seen) == list(range(count))
        orders.append(seen)
    assert orders[0] != orders[1]


def test_same_settings_give_equal_outputs_and_seeds_reproduce(tf, idg_tfdata) -> None:
    same = idg_tfdata.Augmentation(**GEOMETRY, fill_mode="wrap")
    paired = idg_tfdata.PairedAugmentation(same, same)
    x = np.random.default_rng(5).uniform(0, 1, (6, 12, 9, 1)).astype("float32")
    images, masks = paired((tf.constant(x), tf.constant(x)), [7, 8])
    np.testing.assert_array_equal(images.numpy(), masks.numpy())
    assert not np.allclose(images.numpy(), x)
    again, _ = paired((tf.constant(x), tf.constant(x)), [7, 8])
    np.testing.assert_array_equal(again.numpy(), images.numpy())


def test_standardization_only_and_featurewise_pairs(tf, idg_tfdata, legacy) -> None:
    image = idg_tfdata.Augmentation(featurewise_center=True)
    x = np.random.default_rng(8).uniform(0, 255, (6, 4, 4, 3)).astype("float32")
    image.fit(x)
    paired = idg_tfdata.PairedAugmentation(image, idg_tfdata.Augmentation(rescale=2.0))
    images, masks = paired((tf.constant(x), tf.ones((6, 4, 4, 1))), [0, 0])
    idg = legacy.ImageDataGenerator(featurewise_center=True)
    idg.fit(x)
    np.testing.assert_allclose(images.numpy(), x - idg.mean, atol=1e-4)
    assert float(tf.reduce_max(masks)) == 2.0


@pytest.mark.parametrize(
    ("mask", "argument"),
    [
        (dict(GEOMETRY, rotation_range=5), "rotation_range"),
        (dict(GEOMETRY, vertical_flip=False), "vertical_flip"),
        (dict(GEOMETRY, zoom_range=0.3), "zoom_range"),
        (dict(GEOMETRY, channel_shift_range=5.0), "channel_shift_range"),
        (dict(GEOMETRY, data_format="channels_first"), "data_format"),
    ],
)
def test_pairs_that_drift_apart_are_refused(idg_tfdata, mask, argument) -> None:
    image = idg_tfdata.Augmentation(**IMAGE)
    with pytest.raises(ValueError, match=argument):
        idg_tfdata.PairedAugmentation(image, idg_tfdata.Augmentation(**mask))


def test_a_colour_range_on_the_image_side_only_drifts_in_idg_and_is_refused(
    idg_tfdata, legacy
) -> None:
    """IDG draws colour from the geometry's stream: one more draw per image on one side
    shifts every later image's geometry there (seen in IDG itself)."""
    with_colour = legacy.ImageDataGenerator(**GEOMETRY, channel_shift_range=20.0)
    without = legacy.ImageDataGenerator(**GEOMETRY)
    thetas = []
    for generator in (with_colour, without):
        np.random.seed(5)
        thetas.append([generator.get_random_transform((8, 8, 1))["theta"] for _ in range(3)])
    assert thetas[0][0] == thetas[1][0] and thetas[0][1] != thetas[1][1]
    image = idg_tfdata.Augmentation(**GEOMETRY, channel_shift_range=20.0)
    with pytest.raises(ValueError, match="channel_shift_range"):
        idg_tfdata.PairedAugmentation(image, idg_tfdata.Augmentation(**GEOMETRY))
    image = idg_tfdata.Augmentation(**GEOMETRY, brightness_range=(0.5, 1.5))
    with pytest.raises(ValueError, match="brightness_range"):
        idg_tfdata.PairedAugmentation(image, idg_tfdata.Augmentation(**GEOMETRY))


def test_equal_mask_colour_is_shared(tf, idg_tfdata) -> None:
    image = idg_tfdata.Augmentation(**GEOMETRY, channel_shift_range=5.0)
    paired = idg_tfdata.PairedAugmentation(image, image)
    x = tf.constant(np.random.default_rng(9).uniform(0, 255, (3, 6, 6, 3)).astype("float32"))
    images, masks = paired((x, x), [1, 2])
    np.testing.assert_array_equal(images.numpy(), masks.numpy())


def test_sizes_must_match(tf, idg_tfdata) -> None:
    paired = idg_tfdata.PairedAugmentation(
        idg_tfdata.Augmentation(**IMAGE), idg_tfdata.Augmentation(**MASK)
    )
    with pytest.raises(tf.errors.InvalidArgumentError, match="differ in size"):
        paired((tf.zeros((4, 8, 8, 3)), tf.zeros((4, 6, 8, 1))), [1, 2])


def test_zipped_pipelines_pair_each_image_with_its_mask(tf, idg_tfdata) -> None:
    """Two same-seed pipelines zipped: the same order of samples, one seed per batch."""
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1) * np.ones((10, 4, 4, 1), "float32")
    pairs = idg_tfdata.zipped(
        idg_tfdata.index_batches(x, batch_size=4, seed=3),
        idg_tfdata.index_batches(x * 10, batch_size=4, seed=3),
    )
    for (images, masks), seed in pairs:
        np.testing.assert_array_equal(masks.numpy(), images.numpy() * 10)
        assert seed.shape == (2,)
    with pytest.raises(ValueError, match="differ in length"):
        idg_tfdata.zipped(
            idg_tfdata.index_batches(x, batch_size=2), idg_tfdata.index_batches(x[:3], batch_size=2)
        )

"""The runtime module's Augmentation reproduces the real ImageDataGenerator (the oracle).

- Fixed parameters: `apply_transform(images, parameters)` against IDG's
  `apply_transform(x, params)` image by image, every pixel including the border, for every
  fill mode and both interpolation orders, square and non-square images, channels_first,
  float64; channel shift, brightness and their order.
- Standardization against `IDG.standardize`, statistics against `IDG.fit`.
- Random parameters against `IDG.get_random_transform`: two-sample tests on fixed draws.
- Run-time arguments: IDG's errors and warnings, and errors for what is not reproduced.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pytest

from tests.idg_oracle import (
    BRIGHTNESS_DATA,
    batched,
    geometry_parameters,
    idg_transform,
    unbatched,
)

stats = pytest.importorskip("scipy.stats")
pytestmark = [
    pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning"),
]

GEOMETRY = dict(
    rotation_range=30,
    width_shift_range=0.2,
    height_shift_range=0.2,
    shear_range=15,
    zoom_range=(0.7, 1.3),
    horizontal_flip=True,
    vertical_flip=True,
)
SEED = (0, 0)


def both(idg_tfdata, legacy, **arguments):
    return idg_tfdata.Augmentation(**arguments), legacy.ImageDataGenerator(**arguments)


def transform(tf, augmentation, x: np.ndarray, params: list[dict]) -> np.ndarray:
    return augmentation.apply_transform(tf.constant(x), batched(tf, params)).numpy()


CASES = [  # (fill_mode, interpolation_order, (height, width, channels), data_format)
    *[
        (mode, order, (21, 17, 3), "channels_last")
        for mode in ("nearest", "constant", "reflect", "wrap")
        for order in (0, 1)
    ],
    ("wrap", 1, (16, 16, 1), "channels_last"),
    ("constant", 1, (17, 21, 1), "channels_first"),
    ("reflect", 0, (16, 16, 3), "channels_first"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}")
def test_affine_resample_matches_idg(tf, idg_tfdata, legacy, case) -> None:
    fill_mode, order, (height, width, channels), data_format = case
    ours, idg = both(
        idg_tfdata,
        legacy,
        **GEOMETRY,
        fill_mode=fill_mode,
        cval=0.25,
        interpolation_order=order,
        data_format=data_format,
    )
    rng = np.random.default_rng(zlib.crc32(repr(case).encode()))
    params = geometry_parameters(rng, 4)
    shape = (height, width, channels)
    if data_format == "channels_first":
        shape = (channels, height, width)
    x = rng.random((len(params), *shape)).astype("float32")
    got = transform(tf, ours, x, params)
    expected = idg_transform(idg, x, params)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    # Every pixel, border included (the design allows 1e-3; the resample is exact).
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


MUTATIONS = {  # plausible mistakes in the module, each of which the comparison catches
    "true centre": ("ox, oy = h / 2 - 0.5, w / 2 - 0.5", "ox, oy = w / 2 - 0.5, h / 2 - 0.5"),
    "wrap with period n": ("period = tf.maximum(n - 1, 1.0)", "period = n"),
    "reflect as mirror": (
        "return tf.where(v >= n, 2 * n - 1 - v, v)",
        "return tf.where(v >= n, 2 * n - 2 - v, v)",
    ),
    "constant blends at the edge": ("(source_rows <= h - 1)", "(source_rows <= h - 0.5)"),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_resample_comparison_catches_mistakes(tf, mutant, legacy, mutation) -> None:
    fill_mode = {"wrap with period n": "wrap", "reflect as mirror": "reflect"}.get(
        mutation, "constant"
    )
    module = mutant(*MUTATIONS[mutation])
    arguments = dict(GEOMETRY, fill_mode=fill_mode)
    ours, idg = module.Augmentation(**arguments), legacy.ImageDataGenerator(**arguments)
    rng = np.random.default_rng(14)
    params = geometry_parameters(rng, 6)
    x = rng.random((len(params), 21, 17, 3)).astype("float32")
    difference = np.abs(transform(tf, ours, x, params) - idg_transform(idg, x, params))
    assert difference.max() > 1e-3


@pytest.mark.parametrize("fill_mode", ["constant", "wrap"])
def test_integer_pixel_shifts_are_exact(tf, idg_tfdata, legacy, fill_mode) -> None:
    ours, idg = both(
        idg_tfdata,
        legacy,
        width_shift_range=4,  # range(4) with a random sign, in pixels
        height_shift_range=[5, 30],
        fill_mode=fill_mode,
        cval=-1.0,
    )
    parameters = ours.random_parameters(16, 9, 7, tf.constant([3, 4], tf.int64))
    params = unbatched(parameters)
    assert {abs(p["ty"]) for p in params} <= {0.0, 1.0, 2.0, 3.0}
    assert {abs(p["tx"]) for p in params} <= {5.0, 30.0}
    x = np.random.default_rng(1).random((16, 9, 7, 2)).astype("float32")
    got = ours.apply_transform(tf.constant(x), parameters).numpy()
    np.testing.assert_array_equal(got, idg_transform(idg, x, params))


def test_tf_keras_idg_agrees(tf, idg_tfdata, tf_keras_legacy) -> None:
    arguments = dict(GEOMETRY, fill_mode="reflect")
    ours = idg_tfdata.Augmentation(**arguments)
    idg = tf_keras_legacy.ImageDataGenerator(**arguments)
    rng = np.random.default_rng(2)
    params = geometry_parameters(rng, 4)
    x = rng.random((len(params), 13, 11, 3)).astype("float32")
    got = transform(tf, ours, x, params)
    np.testing.assert_allclose(got, idg_transform(idg, x, params), atol=1e-5)


def test_float64_with_channel_shift(tf, idg_tfdata, legacy) -> None:
    arguments = dict(GEOMETRY, fill_mode="wrap", channel_shift_range=0.2, dtype="float64")
    ours, idg = both(idg_tfdata, legacy, **arguments)
    rng = np.random.default_rng(3)
    params = geometry_parameters(rng, 3)
    for p in params:
        p["channel_shift_intensity"] = float(rng.uniform(-0.2, 0.2))  # as IDG draws it
    x = rng.random((len(params), 10, 12, 3))
    got = transform(tf, ours, x, params)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, idg_transform(idg, x, params), atol=1e-12)


def test_channel_shift_adds_in_the_image_dtype_as_numpy(tf, idg_tfdata, legacy) -> None:
    """IDG draws the intensity as a Python float, which NumPy converts to float32 before
    adding it to a float32 image: bit for bit the same sums, not float64 ones rounded."""
    ours, idg = both(idg_tfdata, legacy, channel_shift_range=50)
    rng = np.random.default_rng(8)
    x = rng.normal(100, 60, (4, 9, 7, 3)).astype("float32")
    params = [{"channel_shift_intensity": float(s)} for s in rng.uniform(-50, 50, 4)]
    np.testing.assert_array_equal(transform(tf, ours, x, params), idg_transform(idg, x, params))


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("data", sorted(BRIGHTNESS_DATA))
def test_brightness_matches_idg(tf, idg_tfdata, legacy, data, channels) -> None:
    ours, idg = both(idg_tfdata, legacy, brightness_range=(0.3, 1.8))
    rng = np.random.default_rng(5)
    x = BRIGHTNESS_DATA[data](rng, (6, 7, 6, channels)).astype("float32")
    factors = [1.0, 0.3, 1.8, *rng.uniform(0.3, 1.8, 3)]
    params = [{"brightness": np.float64(b)} for b in factors]
    got = transform(tf, ours, x, params)
    scale = max(1.0, float(np.abs(x).max()))
    np.testing.assert_allclose(got, idg_transform(idg, x, params), rtol=0, atol=1e-6 * scale)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_all_transforms_in_idg_order(tf, idg_tfdata, legacy, dtype) -> None:
    """Affine, channel shift (saturating too), flips, brightness (on data outside
    [0, 255]: min-max scaled): all at once, in IDG's order."""
    arguments = dict(GEOMETRY, fill_mode="constant", cval=7.0, channel_shift_range=80)
    ours, idg = both(idg_tfdata, legacy, **arguments, brightness_range=(0.5, 1.5), dtype=dtype)
    rng = np.random.default_rng(6)
    params = geometry_parameters(rng, 5)
    shifts = [-400.0, 400.0, *map(float, rng.uniform(-80, 80, len(params) - 2))]
    for p, shift in zip(params, shifts, strict=True):
        p["channel_shift_intensity"] = shift  # a Python float, as IDG draws it
        p["brightness"] = np.float64(rng.uniform(0.5, 1.5))
    x = rng.normal(100, 80, (len(params), 15, 12, 3)).astype(dtype)
    got = transform(tf, ours, x, params)
    # Brightness truncates to integers: a 1e-7 resampling difference at an integer
    # boundary would show as one grey level; there is none in this (fixed) case.
    np.testing.assert_allclose(got, idg_transform(idg, x, params), atol=1e-3)


def test_augment_is_transform_then_standardize(tf, idg_tfdata, legacy) -> None:
    """`datagen(images, seed)` = IDG's apply_transform with the drawn parameters, then
    IDG's standardize (a batch-wise preprocessing_function, rescale, samplewise)."""
    keras = pytest.importorskip("keras")
    preprocess = keras.applications.resnet50.preprocess_input
    arguments = dict(
        GEOMETRY,
        channel_shift_range=20,
        preprocessing_function=preprocess,
        rescale=1 / 127.5,
        samplewise_center=True,
        samplewise_std_normalization=True,
    )
    ours, idg = both(idg_tfdata, legacy, **arguments)
    rng = np.random.default_rng(7)
    x = rng.integers(0, 256, (6, 14, 10, 3)).astype("uint8")  # cast by the augmentation
    y = np.arange(6)
    seed = tf.constant([11, 12], tf.int64)
    images, labels = ours((tf.constant(x), tf.constant(y)), seed)
    np.testing.assert_array_equal(labels.numpy(), y)
    params = unbatched(ours.random_parameters(6, 14, 10, seed))
    expected = np.stack([idg.standardize(t) for t in idg_transform(idg, x, params)])
    assert images.dtype == tf.float32
    np.testing.assert_allclose(images.numpy(), expected, rtol=1e-5, atol=1e-5)
    alone = ours(tf.constant(x), seed)  # images only, as IDG yields without y
    np.testing.assert_array_equal(alone.numpy(), images.numpy())


STANDARDIZATION = {  # each step of IDG.standardize (IDG's constructor normalises them)
    "rescale": dict(rescale=1 / 127.5),
    "samplewise_center": dict(samplewise_center=True),
    "samplewise_std_normalization": dict(samplewise_std_normalization=True),
    "rescale then samplewise_center": dict(rescale=0.5, samplewise_center=True),
    "arithmetic lambda then rescale": dict(
        preprocessing_function=lambda img: (img - 127.5) / 127.5 * -2, rescale=0.5
    ),
}


@pytest.mark.parametrize("step", sorted(STANDARDIZATION))
def test_each_standardization_step_matches_idg(tf, idg_tfdata, legacy, step) -> None:
    ours, idg = both(idg_tfdata, legacy, **STANDARDIZATION[step])
    x = np.random.default_rng(15).uniform(0, 255, (4, 7, 6, 3)).astype("float32")
    got = ours(tf.constant(x), SEED).numpy()
    expected = np.stack([idg.standardize(image.copy()) for image in x])
    assert np.abs(expected - x).max() > 1  # the step does something
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_featurewise_statistics_match_idg_fit(tf, idg_tfdata, legacy, data_format) -> None:
    arguments = dict(
        rescale=1 / 255,
        featurewise_center=True,
        featurewise_std_normalization=True,
        data_format=data_format,
    )
    ours, idg = both(idg_tfdata, legacy, **arguments)
    rng = np.random.default_rng(9)
    shape = (40, 6, 5, 3) if data_format == "channels_last" else (40, 3, 6, 5)
    channel = (1, 1, 1, 3) if data_format == "channels_last" else (1, 3, 1, 1)
    x = rng.uniform(0, 255, shape) * np.linspace(0.2, 1, 3).reshape(channel)
    x = x.astype("float32")
    ours.fit(x)
    idg.fit(x)
    assert ours.mean.shape == idg.mean.shape and ours.std.shape == idg.std.shape
    np.testing.assert_allclose(ours.mean, idg.mean, rtol=1e-5)
    np.testing.assert_allclose(ours.std, idg.std, rtol=1e-5)
    got = ours(tf.constant(x[:4]), SEED).numpy()
    expected = np.stack([idg.standardize(image.copy()) for image in x[:4]])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("zca_epsilon", [1e-6, 0.5])
def test_zca_matches_idg_fit(tf, idg_tfdata, legacy, zca_epsilon) -> None:
    ours, idg = both(idg_tfdata, legacy, zca_whitening=True, zca_epsilon=zca_epsilon)
    rng = np.random.default_rng(10)
    # Correlated pixels (a smooth image plus noise), more images than dimensions.
    x = (rng.random((150, 1, 1, 1)) + 0.3 * rng.random((150, 3, 3, 3))).astype("float32")
    ours.fit(x)
    idg.fit(x)
    np.testing.assert_allclose(ours.mean, idg.mean, rtol=1e-5)
    zca = ours.zca_whitening_matrix
    assert zca.shape == (27, 27)
    np.testing.assert_allclose(zca, idg.zca_whitening_matrix, atol=1e-5 * np.abs(zca).max())
    got = ours(tf.constant(x[:5]), SEED).numpy()
    expected = np.stack([idg.standardize(image.copy()) for image in x[:5]])
    np.testing.assert_allclose(got, expected, atol=1e-3 * np.abs(expected).max())


def test_fit_with_augment(tf, idg_tfdata, legacy) -> None:
    """fit(augment=True, rounds=3): flips leave per-channel statistics unchanged, so IDG's
    random copies and ours agree; with geometry the statistics move, reproducibly."""
    arguments = dict(horizontal_flip=True, vertical_flip=True, featurewise_std_normalization=True)
    ours, idg = both(idg_tfdata, legacy, **arguments)
    x = np.random.default_rng(11).random((20, 6, 7, 3)).astype("float32")
    ours.fit(x, augment=True, rounds=3, seed=5)
    idg.fit(x, augment=True, rounds=3, seed=5)
    np.testing.assert_allclose(ours.mean, idg.mean, rtol=1e-5)
    np.testing.assert_allclose(ours.std, idg.std, rtol=1e-5)
    arguments = dict(rotation_range=40, zoom_range=(0.5, 0.6), featurewise_center=True)
    zoomed = [idg_tfdata.Augmentation(**arguments, fill_mode="constant") for _ in range(2)]
    for augmentation in zoomed:
        augmentation.fit(x, augment=True, rounds=2, seed=5)
    np.testing.assert_array_equal(zoomed[0].mean, zoomed[1].mean)
    assert np.abs(zoomed[0].mean - x.mean(axis=(0, 1, 2))).max() > 0.01  # zoomed out: darker


def test_featurewise_without_fit_warns_as_idg(tf, idg_tfdata) -> None:
    ours = idg_tfdata.Augmentation(featurewise_center=True)
    x = np.ones((2, 3, 3, 3), "float32")
    with pytest.warns(UserWarning, match="hasn't been fit on any training data"):
        got = ours(tf.constant(x), SEED)
    np.testing.assert_array_equal(got.numpy(), x)  # IDG skips the step


DISTRIBUTION = dict(
    rotation_range=25,
    width_shift_range=4,  # range(4) with a random sign, pixels
    height_shift_range=0.15,
    shear_range=12,
    zoom_range=(0.6, 1.4),
    horizontal_flip=True,
    vertical_flip=True,
    channel_shift_range=30,
    brightness_range=(0.4, 1.6),
)
DRAWS = 3000


@pytest.fixture(scope="module")
def drawn(tf, idg_tfdata, legacy):
    """Parameter draws, ours (fixed stateless seed) and IDG's (fixed numpy seed), for 21x17
    images (so the height and width scalings differ)."""
    ours, idg = both(idg_tfdata, legacy, **DISTRIBUTION)
    mine = ours.random_parameters(DRAWS, 21, 17, tf.constant([3, 4], tf.int64))
    mine = {key: np.asarray(value) for key, value in mine.items()}
    np.random.seed(0)
    theirs = [idg.get_random_transform((21, 17, 3)) for _ in range(DRAWS)]
    return mine, {key: np.array([p[key] for p in theirs], dtype=float) for key in mine}


@pytest.mark.parametrize(
    "key", ["theta", "tx", "shear", "zx", "zy", "channel_shift_intensity", "brightness"]
)
def test_continuous_parameters_follow_idg(drawn, key) -> None:
    ours, theirs = drawn
    assert ours[key].shape == (DRAWS,)
    assert stats.ks_2samp(ours[key], theirs[key]).pvalue > 0.01


@pytest.mark.parametrize("key", ["ty", "flip_horizontal", "flip_vertical"])
def test_discrete_parameters_follow_idg(drawn, key) -> None:
    ours, theirs = drawn
    values = sorted(set(theirs[key]) | set(ours[key].astype(float)))
    table = [[np.sum(s.astype(float) == v) for v in values] for s in (ours[key], theirs[key])]
    assert stats.chi2_contingency(table).pvalue > 0.01
    if key == "ty":
        assert set(values) == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}


def test_distribution_tests_can_fail(drawn) -> None:
    """tx scales by the height (21), not the width (17): the KS test tells them apart."""
    ours, theirs = drawn
    assert stats.ks_2samp(ours["tx"] * 17 / 21, theirs["tx"]).pvalue < 0.01
    assert abs(np.corrcoef(ours["zx"], ours["zy"])[0, 1]) < 0.06  # independent axes


def test_fractional_choice_and_pixel_float_shifts_follow_idg(tf, idg_tfdata, legacy) -> None:
    """A list of fractions scales by the image size; a float >= 1 is U(-v, v) pixels."""
    ours, idg = both(idg_tfdata, legacy, height_shift_range=[0.05, 0.1], width_shift_range=3.0)
    mine = ours.random_parameters(DRAWS, 21, 17, tf.constant([5, 6], tf.int64))
    np.random.seed(1)
    theirs = [idg.get_random_transform((21, 17, 3)) for _ in range(DRAWS)]
    tx = np.array([p["tx"] for p in theirs])
    assert set(np.round(tx, 6)) == set(np.round(mine["tx"].numpy(), 6)) == {-2.1, -1.05, 1.05, 2.1}
    ty = np.array([p["ty"] for p in theirs])
    assert stats.ks_2samp(mine["ty"].numpy(), ty).pvalue > 0.01
    assert np.abs(mine["ty"].numpy()).max() <= 3.0


def test_seeds_decide_the_batch_also_in_a_parallel_map(tf, idg_tfdata) -> None:
    ours = idg_tfdata.Augmentation(**GEOMETRY, channel_shift_range=0.1, fill_mode="reflect")
    x = np.random.default_rng(12).random((4, 12, 10, 3)).astype("float32")
    first = ours(tf.constant(x), [1, 2]).numpy()
    np.testing.assert_array_equal(first, ours(tf.constant(x), [1, 2]).numpy())
    other = ours(tf.constant(x), [1, 3]).numpy()
    assert np.abs(first - other).max(axis=(1, 2, 3)).min() > 0  # every image differs
    same = np.repeat(x[:1], 4, axis=0)  # images of a batch get their own parameters
    out = ours(tf.constant(same), [1, 2]).numpy()
    assert len({image.tobytes() for image in out}) == 4
    seeds = tf.constant([[1, 2], [1, 3]], tf.int64)
    dataset = tf.data.Dataset.from_tensor_slices((np.stack([x, x]), seeds))
    mapped = [b.numpy() for b in dataset.map(ours, num_parallel_calls=2)]
    np.testing.assert_allclose(mapped[0], first, atol=1e-6)
    np.testing.assert_allclose(mapped[1], other, atol=1e-6)


def test_called_without_a_seed_pair_says_how_to_use_it(tf, idg_tfdata) -> None:
    ours = idg_tfdata.Augmentation(rotation_range=10)
    with pytest.raises(TypeError, match="seed of shape"):
        ours(np.zeros((2, 4, 4, 3), "float32"), np.zeros(2, "float32"))


# -- run-time arguments ------------------------------------------------------------------

IDG_ERRORS = {
    "data_format": dict(data_format="channels_middle"),
    "validation_split": dict(validation_split=1.5),
    "zoom_range": dict(zoom_range=(0.5, 1.0, 2.0)),
    "brightness_range": dict(brightness_range=0.5),
}


@pytest.mark.parametrize("argument", sorted(IDG_ERRORS))
def test_invalid_arguments_raise_what_idg_raises(idg_tfdata, legacy, argument) -> None:
    with pytest.raises(ValueError) as theirs:
        legacy.ImageDataGenerator(**IDG_ERRORS[argument])
    with pytest.raises(ValueError) as ours:
        idg_tfdata.Augmentation(**IDG_ERRORS[argument])
    assert str(ours.value) == str(theirs.value)


NOT_REPRODUCED = {
    "interpolation_order": dict(interpolation_order=3),
    "fill_mode": dict(fill_mode="mirror"),
    "dtype": dict(dtype="float16"),
    "brightness_range": dict(brightness_range=(0.5, 1.5), data_format="channels_first"),
}


@pytest.mark.parametrize("argument", sorted(NOT_REPRODUCED))
def test_values_not_reproduced_raise_a_clear_error(idg_tfdata, argument) -> None:
    with pytest.raises(ValueError, match=argument):
        idg_tfdata.Augmentation(**NOT_REPRODUCED[argument])


def test_dtype_is_read_as_numpy_reads_it(tf, idg_tfdata) -> None:
    for dtype in ("float64", np.float64, tf.float64):
        augmentation = idg_tfdata.Augmentation(rescale=0.5, dtype=dtype)
        assert augmentation.dtype == "float64"
        assert augmentation(np.ones((1, 2, 2, 1), "uint8"), SEED).dtype == tf.float64


def test_constructor_forces_flags_and_warns_as_idg(idg_tfdata, legacy) -> None:
    arguments = dict(
        zca_whitening=True, featurewise_std_normalization=True, samplewise_std_normalization=True
    )
    messages = []
    for make in (legacy.ImageDataGenerator, idg_tfdata.Augmentation):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            generator = make(**arguments)
        messages.append([str(w.message) for w in caught])
        flags = (
            generator.featurewise_center,
            generator.featurewise_std_normalization,
            generator.samplewise_center,
        )
        assert flags == (True, False, True)
        assert list(generator.zoom_range) == [1.0, 1.0]
    assert messages[0] == messages[1] and len(messages[0]) == 4  # IDG warns twice about centre


def test_run_time_values_are_read_when_built(tf, idg_tfdata, legacy) -> None:
    """Arguments computed at run time (a config object, argparse) work as literals do."""

    class CFG:
        rotation = 15

    config = {"zoom_range": np.float64(0.1), "width_shift_range": np.int64(2)}
    ours = idg_tfdata.Augmentation(rotation_range=CFG.rotation, **config)
    idg = legacy.ImageDataGenerator(rotation_range=CFG.rotation, **config)
    parameters = ours.random_parameters(500, 8, 8, tf.constant([1, 1], tf.int64))
    assert np.abs(parameters["theta"].numpy()).max() <= 15
    assert set(np.abs(parameters["ty"].numpy())) == {0.0, 1.0}
    assert list(ours.zoom_range) == list(idg.zoom_range)


def test_signatures_mirror_idg(idg_tfdata, legacy, tf_keras_legacy) -> None:
    """Call sites keep the user's arguments verbatim: IDG's constructor parameters (names,
    order, defaults), and its flow methods' up to `seed` (save_* and the rest follow
    as keywords)."""
    import inspect

    def parameters(function, stop=None):
        names = list(inspect.signature(function).parameters.items())
        names = [(n, p.default) for n, p in names if n != "self" and p.kind != p.VAR_KEYWORD]
        return names[: names.index(stop) + 1] if stop else names

    for module in (legacy, tf_keras_legacy):
        idg = module.ImageDataGenerator
        assert parameters(idg_tfdata.Augmentation) == parameters(idg.__init__)
        for ours, theirs in [
            (idg_tfdata.index_batches, idg.flow),
            (idg_tfdata.directory_files, idg.flow_from_directory),
            (idg_tfdata.dataframe_files, idg.flow_from_dataframe),
        ]:
            seed = ("seed", None)
            assert parameters(ours, seed) == parameters(theirs, seed), ours.__name__


@pytest.mark.parametrize("order", [0, 1])
def test_narrow_sources_are_cast_per_gathered_pixel(tf, idg_tfdata, order) -> None:
    """The resample reads uint8 batches as uint8 and casts each pixel it gathers: the
    same numbers as casting the batch first (which the IDG comparisons above check)."""
    augmentation = idg_tfdata.Augmentation(
        rotation_range=30,
        width_shift_range=0.2,
        zoom_range=0.2,
        horizontal_flip=True,
        channel_shift_range=10,
        fill_mode="constant",
        cval=3.5,
        interpolation_order=order,
    )
    x = np.random.default_rng(3).integers(0, 256, (5, 13, 11, 3)).astype("uint8")
    seed = tf.constant([5, 6], tf.int64)
    narrow = augmentation(tf.constant(x), seed)
    assert narrow.dtype == tf.float32
    wide = augmentation(tf.constant(x.astype("float32")), seed)
    np.testing.assert_array_equal(narrow.numpy(), wide.numpy())


def test_preprocessing_function_sees_one_image_at_a_time(tf, idg_tfdata, legacy) -> None:
    """IDG calls preprocessing_function per image: a function of the whole array (here the
    image's own mean) means the same on the batch only when applied image by image."""

    def centre(image):
        return image - tf.reduce_mean(image)

    ours, idg = both(idg_tfdata, legacy, preprocessing_function=centre)
    x = np.random.default_rng(3).uniform(0, 255, (5, 6, 4, 3)).astype("float32")
    got = ours(tf.constant(x), SEED).numpy()
    expected = np.stack([image - image.mean() for image in x])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-3)
    assert not np.allclose(got, x - x.mean(), atol=1e-3)  # not the batch's mean


def test_a_numpy_preprocessing_function_is_a_clear_error(tf, idg_tfdata) -> None:
    def numpy_noise(image):
        return image + np.random.normal(size=image.shape).astype(image.dtype)

    augmentation = idg_tfdata.Augmentation(preprocessing_function=numpy_noise)
    with pytest.raises(TypeError, match="numpy_noise does not run on TensorFlow tensors"):
        tf.data.Dataset.from_tensors((np.ones((2, 4, 4, 3), "float32"), [1, 2])).map(augmentation)

"""The emitted augmentation reproduces the real ImageDataGenerator (the oracle).

- Fixed parameters: `<name>_transform(images, parameters)` against
  `IDG.apply_transform(x, params)` for the same values, every pixel including the border,
  for every fill mode, both interpolation orders, square and non-square images, 1/3/4
  channels, channels_first, float64.
- Standardization against `IDG.standardize`, statistics against `IDG.fit`.
- Random parameters: `<name>_parameters` against `IDG.get_random_transform`, two-sample
  tests on 5000 draws with fixed seeds (deterministic, not flaky).
- Reproducibility: the same seed gives the same batch, also inside a parallel map.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from migrator.emit.augment import render_augment_function, render_statistics
from migrator.model import AugmentSpec, ShiftRange
from tests.idg_oracle import (
    BRIGHTNESS_DATA,
    LAYOUTS,
    batched,
    geometry_parameters,
    idg_transform,
    unbatched,
)

stats = pytest.importorskip("scipy.stats")
# IDG itself calls scipy through a deprecated namespace, and warns when it forces flags.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning"),
]

GEOMETRY = dict(
    rotation_range=30,
    width_shift_range=ShiftRange("uniform", (0.2,), True),
    height_shift_range=ShiftRange("uniform", (0.2,), True),
    shear_range=15,
    zoom_range=(0.7, 1.3),
    horizontal_flip=True,
    vertical_flip=True,
)


@pytest.fixture(scope="module")
def emitted(run_emitted):
    def build(spec: AugmentSpec, statistics: str | None = None, **extra):
        source = render_augment_function(spec, "aug", statistics=statistics)
        assert source is not None
        return run_emitted(source, **extra)

    return build


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda v: f"{v[0]}x{v[1]}x{v[2]}-{v[3]}")
@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("fill_mode", ["nearest", "constant", "reflect", "wrap"])
def test_affine_resample_matches_idg(tf, emitted, keras_idg, fill_mode, order, layout) -> None:
    height, width, channels, data_format = layout
    spec = AugmentSpec(
        **GEOMETRY,
        fill_mode=fill_mode,
        cval=0.25,
        interpolation_order=order,
        data_format=data_format,
    )
    rng = np.random.default_rng(zlib.crc32(repr((fill_mode, order, layout)).encode()))
    params = geometry_parameters(rng, 6)
    image_shape = (
        (height, width, channels) if data_format == "channels_last" else (channels, height, width)
    )
    x = rng.random((len(params), *image_shape)).astype("float32")
    expected = idg_transform(keras_idg(spec), x, params)
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    # Every pixel, border included (the design allows 1e-3; the resample is exact).
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)


MUTATIONS = {  # plausible mistakes in the emitted code, each of which must be caught
    "true centre": ("ox, oy = h / 2 - 0.5, w / 2 - 0.5", "ox, oy = w / 2 - 0.5, h / 2 - 0.5"),
    "no axis swap": (
        "transform = tf.gather(tf.gather(transform, [1, 0, 2], axis=1), [1, 0, 2], axis=2)",
        "",
    ),
    "wrap with period n": ("period = tf.maximum(n - 1, 1.0)", "period = n"),
    "reflect as mirror": (
        "return tf.where(v >= n, 2 * n - 1 - v, v)",
        "return tf.where(v >= n, 2 * n - 2 - v, v)",
    ),
    "constant blends at the edge": ("(source_rows <= h - 1)", "(source_rows <= h - 0.5)"),
    "nearest rounds half down": ("tf.floor(source_rows + 0.5)", "tf.math.ceil(source_rows - 0.5)"),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_resample_comparison_catches_mistakes(tf, run_emitted, keras_idg, mutation) -> None:
    """The comparison above can fail: each mutant of the emitted code differs from IDG."""
    fill_mode = {"wrap with period n": "wrap", "reflect as mirror": "reflect"}.get(
        mutation, "constant"
    )
    order = 0 if mutation == "nearest rounds half down" else 1
    spec = AugmentSpec(**GEOMETRY, fill_mode=fill_mode, interpolation_order=order)
    source = render_augment_function(spec, "aug")
    assert source is not None
    old, new = MUTATIONS[mutation]
    assert old in source
    mutant = run_emitted(source.replace(old, new))["aug_transform"]
    rng = np.random.default_rng(14)
    params = geometry_parameters(rng, 6)
    x = rng.random((len(params), 21, 17, 3)).astype("float32")
    expected = idg_transform(keras_idg(spec), x, params)
    assert np.abs(mutant(tf.constant(x), batched(tf, params)).numpy() - expected).max() > 1e-3


@pytest.mark.parametrize("fill_mode", ["constant", "wrap"])
def test_integer_pixel_shifts_are_exact(tf, emitted, keras_idg, fill_mode) -> None:
    spec = AugmentSpec(
        width_shift_range=ShiftRange("choice", (0.0, 1.0, 2.0, 3.0), False),
        height_shift_range=ShiftRange("choice", (5.0, 30.0), False),
        fill_mode=fill_mode,
        cval=-1.0,
    )
    namespace = emitted(spec)
    parameters = namespace["aug_parameters"](16, 9, 7, tf.constant([3, 4], tf.int64))
    params = unbatched(parameters)
    assert {abs(p["ty"]) for p in params} <= {0.0, 1.0, 2.0, 3.0}
    x = np.random.default_rng(1).random((16, 9, 7, 2)).astype("float32")
    got = namespace["aug_transform"](tf.constant(x), parameters).numpy()
    np.testing.assert_array_equal(got, idg_transform(keras_idg(spec), x, params))


def test_tf_keras_idg_agrees(tf, emitted, tf_keras_idg) -> None:
    spec = AugmentSpec(**GEOMETRY, fill_mode="reflect")
    rng = np.random.default_rng(2)
    params = geometry_parameters(rng, 4)
    x = rng.random((len(params), 13, 11, 3)).astype("float32")
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    np.testing.assert_allclose(got, idg_transform(tf_keras_idg(spec), x, params), atol=1e-5)


def test_float64_dtype(tf, emitted, keras_idg) -> None:
    spec = AugmentSpec(**GEOMETRY, fill_mode="wrap", channel_shift_range=0.2, dtype="float64")
    rng = np.random.default_rng(3)
    params = geometry_parameters(rng, 3)
    for p in params:
        p["channel_shift_intensity"] = np.float64(rng.uniform(-0.2, 0.2))
    x = rng.random((len(params), 10, 12, 3))
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, idg_transform(keras_idg(spec), x, params), atol=1e-12)


def test_channel_shift_matches_idg(tf, emitted, keras_idg) -> None:
    spec = AugmentSpec(channel_shift_range=0.3)
    rng = np.random.default_rng(4)
    x = rng.random((6, 9, 8, 3)).astype("float32") * 0.5 + 0.2  # range [0.2, 0.7]
    # IDG draws numpy float64 intensities: numpy then adds in float64.
    params = [{"channel_shift_intensity": np.float64(v)} for v in rng.uniform(-0.3, 0.3, 6)]
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    expected = idg_transform(keras_idg(spec), x, params)
    np.testing.assert_allclose(got, expected, atol=1e-7)
    assert (got.min(axis=(1, 2, 3)) >= x.min(axis=(1, 2, 3))).all()  # clipped per image


@pytest.mark.parametrize("channels", [1, 3, 4])
@pytest.mark.parametrize("data", sorted(BRIGHTNESS_DATA))
def test_brightness_matches_idg(tf, emitted, keras_idg, data, channels) -> None:
    spec = AugmentSpec(brightness_range=(0.3, 1.8))
    rng = np.random.default_rng(5)
    x = BRIGHTNESS_DATA[data](rng, (8, 7, 6, channels)).astype("float32")
    factors = [1.0, 0.3, 1.8, *rng.uniform(0.3, 1.8, 5)]
    params = [{"brightness": np.float64(b)} for b in factors]
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    expected = idg_transform(keras_idg(spec), x, params)
    scale = max(1.0, float(np.abs(x).max()))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6 * scale)


def test_transform_order_matches_idg(tf, emitted, keras_idg) -> None:
    """Affine, channel shift, flips, brightness: all at once, IDG's order."""
    spec = AugmentSpec(
        **GEOMETRY,
        fill_mode="constant",
        cval=7.0,
        channel_shift_range=40,
        brightness_range=(0.5, 1.5),
    )
    rng = np.random.default_rng(6)
    params = geometry_parameters(rng, 6)
    for p in params:
        p["channel_shift_intensity"] = np.float64(rng.uniform(-40, 40))
        p["brightness"] = np.float64(rng.uniform(0.5, 1.5))
    x = rng.uniform(0, 255, (len(params), 15, 12, 3)).astype("float32")
    got = emitted(spec)["aug_transform"](tf.constant(x), batched(tf, params)).numpy()
    expected = idg_transform(keras_idg(spec), x, params)
    # Brightness truncates to integers: a 1e-7 resampling difference at an integer
    # boundary would show as one grey level; there is none in this (fixed) case.
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_whole_function_matches_idg_with_the_drawn_parameters(tf, emitted, keras_idg) -> None:
    """`aug(images, seed)` = IDG's apply_transform with the drawn parameters + standardize."""
    pytest.importorskip("keras.applications")
    import keras

    spec = AugmentSpec(
        **GEOMETRY,
        channel_shift_range=20,
        preprocessing_function="preprocess_input",
        rescale=1 / 127.5,
        samplewise_center=True,
        samplewise_std_normalization=True,
    )
    preprocess = keras.applications.resnet50.preprocess_input
    namespace = emitted(spec, preprocess_input=preprocess)
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 255, (12, 14, 10, 3)).astype("float32")
    seed = tf.constant([11, 12], tf.int64)
    got = namespace["aug"](tf.constant(x), seed).numpy()
    params = unbatched(namespace["aug_parameters"](12, 14, 10, seed))
    idg = keras_idg(spec, preprocessing_function=preprocess)
    expected = np.stack([idg.standardize(t) for t in idg_transform(idg, x, params)])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_standardize_matches_idg(tf, emitted, keras_idg) -> None:
    spec = AugmentSpec(rescale=1 / 255, samplewise_center=True, samplewise_std_normalization=True)
    x = np.random.default_rng(8).uniform(0, 255, (5, 8, 9, 3)).astype("float32")
    got = emitted(spec)["aug"](tf.constant(x), tf.constant([0, 0], tf.int64)).numpy()
    idg = keras_idg(spec)
    expected = np.stack([idg.standardize(image.copy()) for image in x])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("function", "body"),
    [
        (lambda x: x / 127.5 - 1.0, "images / 127.5 - 1.0"),
        (lambda img: (img - 127.5) / 127.5 * -2, "(images - 127.5) / 127.5 * -2"),
    ],
)
def test_arithmetic_lambda_matches_idg(tf, emitted, keras_idg, function, body: str) -> None:
    """An arithmetic lambda's body written on the batch = IDG calling it per image (then
    rescale: IDG's order), in float32 as IDG's."""
    spec = AugmentSpec(preprocessing_function=body, rescale=0.5)
    x = np.random.default_rng(9).uniform(0, 255, (4, 6, 5, 3)).astype("float32")
    got = emitted(spec)["aug"](tf.constant(x), tf.constant([0, 0], tf.int64)).numpy()
    idg = keras_idg(spec, preprocessing_function=function)
    expected = np.stack([idg.standardize(image.copy()) for image in x])
    assert got.dtype == expected.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


def fit_both(run_emitted, keras_idg, spec: AugmentSpec, x: np.ndarray, **fit_arguments):
    idg = keras_idg(spec)
    idg.fit(x, **fit_arguments)
    source_arguments = {key: repr(value) for key, value in fit_arguments.items()}
    source = render_statistics(spec, "stats", "x_train", **source_arguments)
    namespace = run_emitted(source, x_train=x)
    return idg, namespace


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_featurewise_statistics_match_idg_fit(
    tf, run_emitted, emitted, keras_idg, data_format
) -> None:
    spec = AugmentSpec(
        rescale=1 / 255,
        featurewise_center=True,
        featurewise_std_normalization=True,
        data_format=data_format,
    )
    rng = np.random.default_rng(9)
    shape = (40, 6, 5, 3) if data_format == "channels_last" else (40, 3, 6, 5)
    x = rng.uniform(0, 255, shape).astype("float32") * np.linspace(0.2, 1, 3).reshape(
        (1, 1, 1, 3) if data_format == "channels_last" else (1, 3, 1, 1)
    ).astype("float32")
    idg, namespace = fit_both(run_emitted, keras_idg, spec, x)
    mean, std = namespace["stats_mean"].numpy(), namespace["stats_std"].numpy()
    assert mean.shape == idg.mean.shape and std.shape == idg.std.shape
    np.testing.assert_allclose(mean, idg.mean, rtol=1e-5)
    np.testing.assert_allclose(std, idg.std, rtol=1e-5)
    # standardize with those statistics
    augment = emitted(spec, statistics="stats", stats_mean=mean, stats_std=std)["aug"]
    got = augment(tf.constant(x[:4]), tf.constant([0, 0], tf.int64)).numpy()
    expected = np.stack([idg.standardize(image.copy()) for image in x[:4]])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zca_matches_idg_fit(tf, run_emitted, emitted, keras_idg, data_format) -> None:
    spec = AugmentSpec(zca_whitening=True, featurewise_center=True, data_format=data_format)
    rng = np.random.default_rng(10)
    # Correlated pixels (a smooth image plus noise), more images than dimensions.
    shape = (300, 4, 4, 3) if data_format == "channels_last" else (300, 3, 4, 4)
    base = rng.random((300, 1, 1, 1))
    x = (base + 0.3 * rng.random(shape)).astype("float32")
    idg, namespace = fit_both(run_emitted, keras_idg, spec, x)
    # numpy's float32 mean is off by ~2e-6 here; ours accumulates in float64.
    np.testing.assert_allclose(namespace["stats_mean"].numpy(), idg.mean, rtol=1e-5)
    zca = namespace["stats_zca"].numpy()
    assert zca.shape == (48, 48)
    np.testing.assert_allclose(zca, idg.zca_whitening_matrix, rtol=0, atol=1e-5 * np.abs(zca).max())
    augment = emitted(
        spec, statistics="stats", **{k: namespace[k] for k in ("stats_mean", "stats_zca")}
    )["aug"]
    got = augment(tf.constant(x[:5]), tf.constant([0, 0], tf.int64)).numpy()
    expected = np.stack([idg.standardize(image.copy()) for image in x[:5]])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-3 * np.abs(expected).max())


def test_fit_with_augment_uses_the_transform(tf, run_emitted, keras_idg) -> None:
    """fit(augment=True, rounds=3): flips leave per-channel statistics unchanged, so IDG's
    random copies and ours give the same mean and std; the run is seeded."""
    spec = AugmentSpec(
        horizontal_flip=True,
        vertical_flip=True,
        featurewise_std_normalization=True,
        featurewise_center=True,
    )
    x = np.random.default_rng(11).random((20, 6, 7, 3)).astype("float32")
    idg, namespace = fit_both(run_emitted, keras_idg, spec, x, augment=True, rounds=3, seed=5)
    np.testing.assert_allclose(namespace["stats_mean"].numpy(), idg.mean, rtol=1e-5)
    np.testing.assert_allclose(namespace["stats_std"].numpy(), idg.std, rtol=1e-5)
    # With geometry, the statistics change and are reproducible for a given seed.
    spec = AugmentSpec(
        rotation_range=40, zoom_range=(0.5, 0.6), featurewise_center=True, fill_mode="constant"
    )
    source = render_statistics(spec, "s", "x_train", augment="True", rounds="2", seed="5")
    first = run_emitted(source, x_train=x)["s_mean"].numpy()
    again = run_emitted(source, x_train=x)["s_mean"].numpy()
    np.testing.assert_array_equal(first, again)
    plain = x.mean(axis=(0, 1, 2))
    assert np.abs(first - plain).max() > 0.01  # zooming out fills with 0: darker


DISTRIBUTION_SPEC = AugmentSpec(
    rotation_range=25,
    width_shift_range=ShiftRange("choice", (0.0, 1.0, 2.0, 3.0), False),  # IDG: int 4
    height_shift_range=ShiftRange("uniform", (0.15,), True),
    shear_range=12,
    zoom_range=(0.6, 1.4),
    horizontal_flip=True,
    vertical_flip=True,
    channel_shift_range=30,
    brightness_range=(0.4, 1.6),
)
DRAWS = 5000


@pytest.fixture(scope="module")
def drawn(tf, emitted, keras_idg):
    """5000 parameter draws each, ours (fixed stateless seed) and IDG's (fixed numpy seed),
    for 21x17 images (so height and width scalings differ)."""
    namespace = emitted(DISTRIBUTION_SPEC)
    ours = namespace["aug_parameters"](DRAWS, 21, 17, tf.constant([2024, 7], tf.int64))
    ours = {key: np.asarray(value) for key, value in ours.items()}
    idg = keras_idg(DISTRIBUTION_SPEC, width_shift_range=4)
    np.random.seed(0)
    theirs = [idg.get_random_transform((21, 17, 3)) for _ in range(DRAWS)]
    theirs = {key: np.array([p[key] for p in theirs], dtype=float) for key in ours}
    return ours, theirs


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
    table = [
        [np.sum(sample.astype(float) == v) for v in values] for sample in (ours[key], theirs[key])
    ]
    assert stats.chi2_contingency(table).pvalue > 0.01
    if key == "ty":  # int 4 -> range(4) with a random sign, in pixels
        assert set(values) == {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0}


def test_fractional_choice_and_pixel_float_shifts_follow_idg(tf, emitted, keras_idg) -> None:
    """A list of fractions scales by the image size; a float >= 1 is U(-v, v) pixels."""
    spec = AugmentSpec(
        height_shift_range=ShiftRange("choice", (0.05, 0.1), True),
        width_shift_range=ShiftRange("uniform", (3.0,), False),
    )
    namespace = emitted(spec)
    ours = namespace["aug_parameters"](DRAWS, 21, 17, tf.constant([5, 6], tf.int64))
    ours = {key: np.asarray(value) for key, value in ours.items()}
    idg = keras_idg(spec)
    np.random.seed(1)
    theirs = [idg.get_random_transform((21, 17, 3)) for _ in range(DRAWS)]
    tx = np.array([p["tx"] for p in theirs])
    assert set(np.round(tx, 6)) == set(np.round(ours["tx"], 6)) == {-2.1, -1.05, 1.05, 2.1}
    values = sorted(set(np.round(tx, 6)))
    table = [[np.sum(np.round(sample, 6) == v) for v in values] for sample in (ours["tx"], tx)]
    assert stats.chi2_contingency(table).pvalue > 0.01
    ty = np.array([p["ty"] for p in theirs])
    assert stats.ks_2samp(ours["ty"], ty).pvalue > 0.01
    assert np.abs(ours["ty"]).max() <= 3.0


def test_zoom_axes_are_independent(drawn) -> None:
    ours, _ = drawn
    assert abs(np.corrcoef(ours["zx"], ours["zy"])[0, 1]) < 0.05


def test_distribution_tests_can_fail(drawn) -> None:
    """tx scales by the height (21), not the width (17): the KS test tells them apart."""
    ours, theirs = drawn
    assert stats.ks_2samp(ours["tx"] * 17 / 21, theirs["tx"]).pvalue < 0.01


def test_same_seed_same_batch_different_seed_different_batch(tf, emitted) -> None:
    spec = AugmentSpec(**GEOMETRY, channel_shift_range=0.1, fill_mode="reflect")
    augment = emitted(spec)["aug"]
    x = tf.constant(np.random.default_rng(12).random((8, 12, 10, 3)).astype("float32"))
    first = augment(x, tf.constant([1, 2], tf.int64)).numpy()
    np.testing.assert_array_equal(first, augment(x, tf.constant([1, 2], tf.int64)).numpy())
    other = augment(x, tf.constant([1, 3], tf.int64)).numpy()
    assert np.abs(first - other).max(axis=(1, 2, 3)).min() > 0  # every image differs
    # Images within a batch get their own parameters.
    same = tf.constant(np.repeat(x.numpy()[:1], 8, axis=0))
    out = augment(same, tf.constant([1, 2], tf.int64)).numpy()
    assert len({out[i].tobytes() for i in range(8)}) == 8


def test_parallel_map_with_unknown_shapes_matches_eager(tf, emitted) -> None:
    spec = AugmentSpec(**GEOMETRY, fill_mode="wrap", rescale=0.5)
    augment = emitted(spec)["aug"]
    x = np.random.default_rng(13).random((10, 9, 11, 3)).astype("float32")
    seeds = [tf.constant([5, i], tf.int64) for i in range(3)]
    dataset = tf.data.Dataset.from_generator(
        lambda: ((x[i : i + 4], s.numpy()) for i, s in zip((0, 4, 8), seeds, strict=True)),
        output_signature=(
            tf.TensorSpec([None, None, None, 3], tf.float32),
            tf.TensorSpec([2], tf.int64),
        ),
    ).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    assert dataset.element_spec.shape.as_list() == [None, None, None, 3]
    mapped = [batch.numpy() for batch in dataset]
    eager = [
        augment(tf.constant(x[i : i + 4]), s).numpy() for i, s in zip((0, 4, 8), seeds, strict=True)
    ]
    for got, expected in zip(mapped, eager, strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-6)


STANDARDIZATION_STEPS = {  # each step of IDG.standardize on its own (constructor-normalised)
    "rescale": AugmentSpec(rescale=1 / 127.5),
    "samplewise_center": AugmentSpec(samplewise_center=True),
    "samplewise_std_normalization": AugmentSpec(
        samplewise_center=True, samplewise_std_normalization=True
    ),
    "rescale then samplewise_center": AugmentSpec(rescale=0.5, samplewise_center=True),
}


@pytest.mark.parametrize("step", sorted(STANDARDIZATION_STEPS))
def test_each_standardization_step_matches_idg(tf, emitted, keras_idg, step: str) -> None:
    spec = STANDARDIZATION_STEPS[step]
    x = np.random.default_rng(15).uniform(0, 255, (4, 7, 6, 3)).astype("float32")
    got = emitted(spec)["aug"](tf.constant(x), tf.constant([0, 0], tf.int64)).numpy()
    idg = keras_idg(spec)
    expected = np.stack([idg.standardize(image.copy()) for image in x])
    assert np.abs(expected - x).max() > 1  # the step does something
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5 * np.abs(expected).max())


@pytest.mark.parametrize("zca_epsilon", [1e-2, 0.5])
def test_zca_epsilon_matches_idg_fit(tf, run_emitted, keras_idg, zca_epsilon: float) -> None:
    spec = AugmentSpec(zca_whitening=True, featurewise_center=True, zca_epsilon=zca_epsilon)
    rng = np.random.default_rng(16)
    x = (rng.random((120, 1, 1, 1)) + 0.3 * rng.random((120, 3, 3, 3))).astype("float32")
    idg, namespace = fit_both(run_emitted, keras_idg, spec, x)
    zca = namespace["stats_zca"].numpy()
    np.testing.assert_allclose(zca, idg.zca_whitening_matrix, rtol=0, atol=1e-5 * np.abs(zca).max())
    # The argument matters: the default epsilon gives another matrix.
    default = keras_idg(AugmentSpec(zca_whitening=True, featurewise_center=True))
    default.fit(x)
    assert np.abs(default.zca_whitening_matrix - zca).max() > 1e-2 * np.abs(zca).max()

"""The paired image + mask pipeline against two real ImageDataGenerators with the same seed.

IDG's pairing works because two generators with the same geometric settings, reseeded
alike, draw the same geometric parameters; each then resamples with its own fill mode and
interpolation, and standardizes with its own settings. The emitted pipeline draws one set
of parameters per sample and applies it to both: for the parameters IDG draws, it must
give IDG's pixels for the image and for the mask.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from migrator.emit.paired import render_paired_dataset_function, unsupported_pair
from migrator.model import AugmentSpec, ShiftRange
from tests.idg_oracle import batched, idg_draws

pytestmark = [
    pytest.mark.filterwarnings("ignore:Please import `affine_transform`:DeprecationWarning"),
]

GEOMETRY = dict(
    rotation_range=25,
    width_shift_range=ShiftRange("uniform", (0.15,), True),
    height_shift_range=ShiftRange("choice", (1.0, 2.0), False),
    shear_range=10,
    zoom_range=(0.8, 1.2),
    horizontal_flip=True,
    vertical_flip=True,
)
# The image: reflected borders, bilinear, a colour shift and rescaling; the mask: constant
# borders, nearest neighbour (labels stay labels), no standardization.
IMAGE = AugmentSpec(**GEOMETRY, fill_mode="reflect", channel_shift_range=20.0, rescale=1 / 255)
MASK = AugmentSpec(**GEOMETRY, fill_mode="constant", cval=0.0, interpolation_order=0)
COLOUR_KEYS = ("channel_shift_intensity", "brightness")


@pytest.fixture(scope="module")
def paired(run_emitted):
    def build(image: AugmentSpec, mask: AugmentSpec) -> dict:
        return run_emitted(render_paired_dataset_function(image, mask, "pair"))

    return build


def test_image_and_mask_match_two_idgs_with_the_same_seed(tf, paired, keras_idg) -> None:
    image_idg, mask_idg = keras_idg(IMAGE), keras_idg(MASK)
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 255, (8, 14, 10, 3)).astype("float32")  # not square: axes matter
    m = rng.integers(0, 4, (8, 14, 10, 1)).astype("float32")
    seeds = list(range(100, 108))
    image_draws = idg_draws(image_idg, x.shape[1:], seeds)
    mask_draws = idg_draws(mask_idg, m.shape[1:], seeds)
    # The premise: the geometric draws agree; only the image draws a colour shift.
    for image_draw, mask_draw in zip(image_draws, mask_draws, strict=True):
        assert {k: v for k, v in image_draw.items() if k not in COLOUR_KEYS} == {
            k: v for k, v in mask_draw.items() if k not in COLOUR_KEYS
        }
    assert mask_draws[0]["channel_shift_intensity"] is None
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
    namespace = paired(IMAGE, MASK)
    shared = batched(tf, image_draws)  # ONE parameter set, the image stream's, for both
    got_images = namespace["pair_image"](tf.constant(x), shared).numpy()
    got_masks = namespace["pair_mask"](tf.constant(m), shared).numpy()
    np.testing.assert_allclose(got_images, expected_images, atol=1e-4)
    np.testing.assert_array_equal(got_masks, expected_masks)  # nearest: exact labels
    assert set(np.unique(got_masks)) <= {0.0, 1.0, 2.0, 3.0}


def test_a_wrong_parameter_set_for_the_mask_is_caught(tf, paired, keras_idg) -> None:
    # The comparison above can fail: another sample's parameters move the mask elsewhere.
    mask_idg = keras_idg(MASK)
    m = np.random.default_rng(4).integers(0, 4, (2, 14, 10, 1)).astype("float32")
    draws = idg_draws(mask_idg, m.shape[1:], [1, 2])
    expected = mask_idg.apply_transform(m[0], draws[0])
    swapped = batched(tf, [draws[1], draws[0]])
    got = paired(IMAGE, MASK)["pair_mask"](tf.constant(m), swapped).numpy()
    assert not np.array_equal(got[0], expected)


def test_augment_draws_one_transform_for_image_and_mask(tf, paired) -> None:
    # With the same settings for both, a mask equal to its image comes out equal to it.
    spec = AugmentSpec(**GEOMETRY, fill_mode="wrap")
    x = np.random.default_rng(5).uniform(0, 1, (6, 12, 9, 1)).astype("float32")
    images, masks = paired(spec, spec)["pair_augment"](
        tf.constant(x), tf.constant(x), tf.constant([7, 8], tf.int64)
    )
    np.testing.assert_array_equal(images.numpy(), masks.numpy())
    assert not np.allclose(images.numpy(), x)  # something was transformed


def test_dataset_keeps_each_image_with_its_mask(tf, paired) -> None:
    # Sample i is the constant image i (constant under any transform with nearest fill)
    # and the constant mask i: each batch must pair them, each epoch see every sample once.
    image = AugmentSpec(**GEOMETRY, rescale=0.5)
    mask = AugmentSpec(**GEOMETRY, interpolation_order=0)
    count = 10
    values = np.arange(count, dtype="float32")[:, None, None, None]
    x = np.broadcast_to(values, (count, 8, 8, 3)).copy()
    m = np.broadcast_to(values, (count, 8, 8, 1)).astype("uint8")
    dataset = paired(image, mask)["pair_dataset"](x, m, batch_size=4, shuffle=True, seed=3)
    for _ in range(2):  # two epochs, reshuffled
        seen = []
        batches = list(dataset)
        assert [len(b[0]) for b in batches] == [4, 4, 2]  # ceil(10 / 4), last one partial
        for images, masks in batches:
            assert images.dtype == tf.float32 and masks.dtype == tf.float32
            np.testing.assert_allclose(images.numpy()[:, 0, 0, 0] * 2, masks.numpy()[:, 0, 0, 0])
            seen += masks.numpy()[:, 0, 0, 0].tolist()
        assert sorted(seen) == list(range(count))


def test_same_seed_same_batches(tf, paired) -> None:
    namespace = paired(IMAGE, MASK)
    x = np.random.default_rng(6).uniform(0, 255, (5, 8, 8, 3)).astype("float32")
    m = np.random.default_rng(7).integers(0, 2, (5, 8, 8, 1)).astype("float32")

    def first(seed: int) -> np.ndarray:
        images, masks = next(iter(namespace["pair_dataset"](x, m, batch_size=5, seed=seed)))
        return np.concatenate([images.numpy().ravel(), masks.numpy().ravel()])

    np.testing.assert_array_equal(first(1), first(1))
    assert not np.array_equal(first(1), first(2))


def test_mismatched_sizes_and_counts_are_errors(tf, paired) -> None:
    namespace = paired(IMAGE, MASK)
    x = np.zeros((4, 8, 8, 3), "float32")
    with pytest.raises(ValueError, match="4 images but 3 masks"):
        namespace["pair_dataset"](x, np.zeros((3, 8, 8, 1), "float32"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="differ in size"):
        namespace["pair_augment"](
            tf.constant(x), tf.zeros((4, 6, 8, 1)), tf.constant([1, 2], tf.int64)
        )


def test_standardization_only_pairs(tf, paired) -> None:
    # Nothing random: no parameters are drawn, each side keeps its own standardization.
    namespace = paired(AugmentSpec(rescale=0.5), AugmentSpec())
    assert "pair_parameters" not in namespace
    images, masks = namespace["pair_augment"](
        tf.ones((2, 4, 4, 3)), tf.ones((2, 4, 4, 1)), tf.constant([0, 0], tf.int64)
    )
    assert float(tf.reduce_max(images)) == 0.5 and float(tf.reduce_max(masks)) == 1.0


@pytest.mark.parametrize(
    ("mask", "argument"),
    [
        (AugmentSpec(**{**GEOMETRY, "rotation_range": 5}), "rotation_range"),
        (AugmentSpec(**{**GEOMETRY, "vertical_flip": False}), "vertical_flip"),
        (AugmentSpec(**GEOMETRY, channel_shift_range=5.0), "channel_shift_range"),
        (AugmentSpec(**GEOMETRY, featurewise_center=True), "featurewise_center"),
        (AugmentSpec(**GEOMETRY, interpolation_order=3), "interpolation_order"),
    ],
)
def test_refused_pairs(mask: AugmentSpec, argument: str) -> None:
    refusals = unsupported_pair(IMAGE, mask)
    assert [r.argument for r in refusals] == [argument]
    assert all(r.code.startswith("MA1") and r.reason for r in refusals)
    with pytest.raises(ValueError, match=argument):
        render_paired_dataset_function(IMAGE, mask, "pair")


def test_equal_mask_colour_is_shared_not_refused() -> None:
    image = AugmentSpec(**GEOMETRY, channel_shift_range=5.0)
    assert unsupported_pair(image, AugmentSpec(**GEOMETRY, channel_shift_range=5.0)) == []


def test_rendered_source_is_self_contained() -> None:
    source = render_paired_dataset_function(IMAGE, MASK, "segmentation", tf="tensorflow")
    compile(source, "<paired>", "exec")
    assert "migrator" not in source and "migrate" not in source
    assert "tf." not in source.replace("tensorflow.", "")
    for suffix in ("_parameters", "_image", "_mask", "_augment", "_dataset"):
        assert f"def segmentation{suffix}(" in source


def test_paired_pipeline_trains_under_mirrored_strategy(tf, tmp_path: Path) -> None:
    # A segmentation program using the rendered pipeline, run as the fixture programs are:
    # MirroredStrategy over 2 logical CPUs, in its own process.
    program = tmp_path / "segmentation.py"
    program.write_text(
        "import numpy as np\nimport tensorflow as tf\n\n\n"
        + render_paired_dataset_function(IMAGE, MASK, "pair")
        + """

images = np.random.rand(12, 10, 10, 3).astype("float32") * 255
masks = np.random.randint(0, 2, (12, 10, 10, 1)).astype("float32")
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    inputs = tf.keras.Input((10, 10, 3))
    outputs = tf.keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")(inputs)
    model = tf.keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
model.fit(pair_dataset(images, masks, batch_size=4, seed=1), epochs=1)
"""
    )
    runner = Path(__file__).resolve().parents[1] / "run_programs.py"
    completed = subprocess.run(
        [sys.executable, str(runner), str(program)], capture_output=True, text=True, timeout=600
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, completed.stderr[-3000:]
    record = json.loads(lines[0][len("RESULT ") :])
    assert record["ok"], record["error"]
    assert record["replicas"] == 2

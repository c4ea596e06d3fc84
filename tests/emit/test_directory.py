"""The emitted flow_from_directory replacement yields what IDG.flow_from_directory yields:
the same files in the same order, class indices, subsets, pixels (PIL's decoding, colour
conversions and nearest resize), labels for every class_mode, batches and reshuffling.

JPEG files are compared with tolerance 0 too: PIL and TF link libjpeg(-turbo), and with
dct_method="INTEGER_ACCURATE" TF runs the same integer IDCT and upsampling as PIL.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from migrator.emit.directory import (
    DIRECTORY_PARAMETERS,
    KEPT_DIRECTORY_PARAMETERS,
    UNKNOWN,
    render_directory_dataset_function,
    unsupported_directory_call,
)
from migrator.model import AugmentSpec
from tests.image_files import make_tree, pixels, png16_grey, save

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")
legacy = pytest.importorskip("keras.src.legacy.preprocessing.image")
Image = pytest.importorskip("PIL.Image")

CLASS_MODES = ["categorical", "binary", "sparse", "input", None]


@pytest.fixture(scope="module")
def build(run_emitted):
    """The emitted function, run from a file as in a user's module (autograph reads it)."""

    def make(spec: AugmentSpec | None = None, augment=None, interpolations=None):
        spec = AugmentSpec() if spec is None else spec
        name = "data_augment" if augment else None
        source = render_directory_dataset_function(
            spec, "data_dataset", name, "data", interpolations=interpolations
        )
        return run_emitted(source, os=os, data_augment=augment)["data_dataset"]

    return make


def as_tuple(batch) -> tuple:
    return tuple(np.asarray(t) for t in batch) if isinstance(batch, tuple) else (batch,)


def ours(dataset) -> list[tuple]:
    return [as_tuple(b) for b in dataset.as_numpy_iterator()]


def theirs(iterator) -> list[tuple]:
    return [as_tuple(iterator[i]) for i in range(len(iterator))]


def assert_same_batches(mine: list[tuple], reference: list[tuple]) -> None:
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype
            assert x.shape == y.shape
            np.testing.assert_array_equal(x, y)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> str:
    return make_tree(str(tmp_path_factory.mktemp("tree")))


def test_parameters_mirror_flow_from_directory(build) -> None:
    import inspect

    signature = inspect.signature(legacy.ImageDataGenerator.flow_from_directory)
    assert tuple(signature.parameters)[1:] == DIRECTORY_PARAMETERS
    emitted = inspect.signature(build())
    assert tuple(emitted.parameters) == KEPT_DIRECTORY_PARAMETERS
    for name, parameter in emitted.parameters.items():
        assert parameter.default == signature.parameters[name].default


@pytest.mark.parametrize("class_mode", CLASS_MODES)
@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
def test_unshuffled_batches_match_idg(build, tree, color_mode, class_mode) -> None:
    arguments = dict(
        target_size=(13, 9), color_mode=color_mode, class_mode=class_mode, batch_size=4
    )
    dataset = build()(tree, shuffle=False, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_directory(tree, shuffle=False, **arguments)
    mine, reference = ours(dataset), theirs(iterator)
    assert [len(b[0]) for b in mine] == [4, 4, 4, 2]  # 14 images, last batch partial
    assert_same_batches(mine, reference)
    assert (
        dataset.class_indices
        == iterator.class_indices
        == {"Dog": 0, "bird": 1, "cat": 2, "empty": 3}
    )
    assert dataset.filepaths == iterator.filepaths
    assert dataset.samples == iterator.samples == 14


def test_tf_keras_iterator_agrees(build, tree) -> None:
    tf_keras_image = pytest.importorskip("tf_keras.src.preprocessing.image")
    arguments = dict(target_size=(11, 14), batch_size=8, shuffle=False)
    iterator = tf_keras_image.ImageDataGenerator().flow_from_directory(tree, **arguments)
    assert_same_batches(ours(build()(tree, **arguments)), theirs(iterator))


@pytest.mark.parametrize("keep_aspect_ratio", [False, True])
@pytest.mark.parametrize("target_size", [(16, 16), (7, 29), (40, 25), (3, 2)])
def test_nearest_resize_matches_pil(build, tree, target_size, keep_aspect_ratio) -> None:
    arguments = dict(target_size=target_size, keep_aspect_ratio=keep_aspect_ratio)
    arguments.update(batch_size=5, class_mode="sparse", shuffle=False)
    mine = ours(build()(tree, **arguments))
    reference = theirs(legacy.ImageDataGenerator().flow_from_directory(tree, **arguments))
    assert_same_batches(mine, reference)


def test_nearest_resize_differs_from_tf_image_resize() -> None:
    # Why the emitted code computes PIL's indices itself: TF's half-pixel nearest picks
    # other pixels for many sizes (here 2 -> 7 columns).
    row = np.arange(2, dtype=np.int32)[None, :]
    pil = np.asarray(Image.frombytes("I", (2, 1), row.tobytes()).resize((7, 1), Image.NEAREST))
    tf_resized = tf.image.resize(row[..., None], (1, 7), method="nearest").numpy()[..., 0]
    np.testing.assert_array_equal(pil, [[0, 0, 0, 0, 1, 1, 1]])
    np.testing.assert_array_equal(tf_resized, [[0, 0, 0, 1, 1, 1, 1]])


def test_nearest_resize_matches_pil_for_many_sizes(build, tmp_path) -> None:
    # 60 images of sizes 1..64 resized up and down: PIL's float64 stepping has ties that a
    # closed formula floor((i + 0.5) * in / out) gets wrong for about one size pair in six.
    rng = np.random.default_rng(5)
    for i, (height, width) in enumerate(rng.integers(1, 65, (60, 2))):
        image = Image.fromarray(pixels(rng, int(height), int(width), 1)[..., 0])
        save(image, str(tmp_path / "only" / f"{i:02d}.png"))
    for target_size in [(24, 40), (64, 3)]:
        arguments = dict(target_size=target_size, color_mode="grayscale", batch_size=60)
        arguments.update(shuffle=False, class_mode=None)
        mine = ours(build()(str(tmp_path), **arguments))
        generator = legacy.ImageDataGenerator()
        assert_same_batches(mine, theirs(generator.flow_from_directory(str(tmp_path), **arguments)))


FILTERS = ["bilinear", "bicubic", "hamming", "box", "lanczos"]


@pytest.mark.parametrize("interpolation", FILTERS)
@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
def test_resampling_filters_match_pil(build, tree, color_mode, interpolation) -> None:
    # PIL's antialiased filters, RGBA premultiplied by alpha, up and down, with and without
    # keep_aspect_ratio: bit for bit.
    function = build(interpolations=[interpolation])
    # (13, 9): no resize for the images of that size (RGBA is not premultiplied then).
    for target_size, keep_aspect_ratio in [((10, 21), False), ((24, 6), True), ((13, 9), False)]:
        arguments = dict(target_size=target_size, keep_aspect_ratio=keep_aspect_ratio)
        arguments.update(color_mode=color_mode, interpolation=interpolation, batch_size=7)
        arguments.update(class_mode="sparse", shuffle=False)
        mine = ours(function(tree, **arguments))
        reference = theirs(legacy.ImageDataGenerator().flow_from_directory(tree, **arguments))
        assert_same_batches(mine, reference)


@pytest.mark.parametrize("interpolation", FILTERS)
def test_resampling_filters_match_pil_for_many_sizes(build, tmp_path, interpolation) -> None:
    # 40 images of sizes 1..64: shrinking (wide filters), enlarging, and Pillow 13's choice
    # of the vertical pass first when the height shrinks much more than the width.
    rng = np.random.default_rng(6)
    for i, (height, width) in enumerate(rng.integers(1, 65, (40, 2))):
        image = Image.fromarray(pixels(rng, int(height), int(width), 3))
        save(image, str(tmp_path / "only" / f"{i:02d}.png"))
    function = build(interpolations=[interpolation])
    for target_size in [(24, 40), (5, 61)]:
        arguments = dict(target_size=target_size, interpolation=interpolation, batch_size=40)
        arguments.update(shuffle=False, class_mode=None)
        mine = ours(function(str(tmp_path), **arguments))
        generator = legacy.ImageDataGenerator()
        assert_same_batches(mine, theirs(generator.flow_from_directory(str(tmp_path), **arguments)))


def test_resampling_scale_is_divided_exactly(build, tmp_path) -> None:
    # 6 -> 17 with the box filter: windows end exactly on a pixel edge, so the scale must be
    # 6 / 17 as PIL divides it; 6 * (1 / 17) (what TF's graph optimiser makes of a division
    # by a constant) moves some edges.
    rng = np.random.default_rng(8)
    save(Image.fromarray(pixels(rng, 6, 6, 3)), str(tmp_path / "only" / "a.png"))
    arguments = dict(target_size=(17, 17), interpolation="box", shuffle=False, class_mode=None)
    mine = ours(build(interpolations=["box"])(str(tmp_path), **arguments))
    generator = legacy.ImageDataGenerator()
    assert_same_batches(mine, theirs(generator.flow_from_directory(str(tmp_path), **arguments)))


def test_only_the_requested_resampling_code_is_rendered() -> None:
    def render(interpolations):
        return render_directory_dataset_function(
            AugmentSpec(), "d", None, "g", interpolations=interpolations
        )

    nearest = render(["nearest"])
    assert "pil_nearest" in nearest and "pil_resample" not in nearest
    bilinear = render(["bilinear"])
    assert "pil_nearest" not in bilinear and "pil_resample" in bilinear
    assert '"bicubic"' not in bilinear and "lanczos" not in bilinear
    everything = render(None)
    assert all(f'interpolation == "{name}"' in everything for name in FILTERS)
    assert 'if interpolation == "nearest":' in everything
    with pytest.raises(ValueError, match="cubic"):
        render(["cubic"])


def test_classes_argument_selects_and_orders(build, tree) -> None:
    arguments = dict(classes=["cat", "Dog"], target_size=(8, 8), batch_size=3, shuffle=False)
    dataset = build()(tree, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_directory(tree, **arguments)
    mine = ours(dataset)
    assert_same_batches(mine, theirs(iterator))
    assert dataset.class_indices == iterator.class_indices == {"cat": 0, "Dog": 1}
    labels = np.concatenate([b[1] for b in mine]).argmax(axis=1)
    assert list(labels) == [0] * 4 + [1] * 6  # cat's files first


@pytest.mark.parametrize("split", [0.3, 0.5])
@pytest.mark.parametrize("subset", ["training", "validation"])
def test_validation_split_takes_the_same_files_per_class(build, tree, subset, split) -> None:
    arguments = dict(target_size=(8, 8), class_mode="sparse", batch_size=4, shuffle=False)
    dataset = build(AugmentSpec(validation_split=split))(tree, subset=subset, **arguments)
    generator = legacy.ImageDataGenerator(validation_split=split)
    iterator = generator.flow_from_directory(tree, subset=subset, **arguments)
    assert_same_batches(ours(dataset), theirs(iterator))
    assert dataset.filepaths == iterator.filepaths
    assert dataset.samples == iterator.samples > 0


def test_invalid_subset_raises(build, tree) -> None:
    with pytest.raises(ValueError, match="subset"):
        build(AugmentSpec(validation_split=0.2))(tree, subset="test")


@pytest.mark.parametrize("follow_links", [False, True])
def test_follow_links(build, tree, tmp_path, follow_links) -> None:
    outside = tmp_path / "outside"
    save(Image.fromarray(np.full((5, 6, 3), 9, "uint8")), str(outside / "linked.png"))
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    save(Image.fromarray(np.full((5, 6, 3), 200, "uint8")), str(root / "a" / "own.png"))
    os.symlink(outside, root / "a" / "link")
    arguments = dict(target_size=(5, 6), follow_links=follow_links, shuffle=False)
    dataset = build()(str(root), **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_directory(str(root), **arguments)
    assert_same_batches(ours(dataset), theirs(iterator))
    assert dataset.samples == iterator.samples == (2 if follow_links else 1)


def test_channels_first_and_float64(build, tree) -> None:
    spec = AugmentSpec(data_format="channels_first", dtype="float64")
    arguments = dict(target_size=(10, 12), color_mode="rgba", batch_size=6, shuffle=False)
    generator = legacy.ImageDataGenerator(data_format="channels_first", dtype="float64")
    mine = ours(build(spec)(tree, **arguments))
    assert mine[0][0].shape == (6, 4, 10, 12)
    assert_same_batches(mine, theirs(generator.flow_from_directory(tree, **arguments)))


def test_shuffle_visits_every_file_once_per_epoch_and_reshuffles(build, tree) -> None:
    arguments = dict(target_size=(6, 6), class_mode=None, batch_size=4)
    reference = np.concatenate([b[0] for b in ours(build()(tree, shuffle=False, **arguments))])
    key = {image.tobytes(): i for i, image in enumerate(reference)}
    assert len(key) == 14  # every image is distinct

    def order(dataset) -> list[int]:
        return [key[image.tobytes()] for b in ours(dataset) for image in b[0]]

    dataset = build()(tree, seed=7, **arguments)
    epochs = [order(dataset) for _ in range(3)]
    for epoch in epochs:
        assert sorted(epoch) == list(range(14))
    assert len({tuple(epoch) for epoch in epochs}) == 3
    assert order(build()(tree, seed=7, **arguments)) == epochs[0]


def test_augmentation_gets_a_fresh_seed_per_batch_and_feeds_input_labels(build, tree) -> None:
    def augment(images, seed):
        # Encode the seed into the pixels so the test can read it back.
        return images * 0 + tf.cast(seed[0] % 1000, images.dtype)

    arguments = dict(target_size=(4, 4), class_mode="input", batch_size=5, shuffle=False)
    dataset = build(AugmentSpec(rotation_range=10), augment)(tree, seed=3, **arguments)
    first = ours(dataset)
    assert [len(b[0]) for b in first] == [5, 5, 4]
    for images, labels in first:
        np.testing.assert_array_equal(images, labels)  # "input": the augmented images
    values = [float(b[0][0, 0, 0, 0]) for b in first]
    assert len(set(values)) == len(values)
    assert [float(b[0][0, 0, 0, 0]) for b in ours(dataset)] != values
    rebuilt = build(AugmentSpec(rotation_range=10), augment)(tree, seed=3, **arguments)
    assert [float(b[0][0, 0, 0, 0]) for b in ours(rebuilt)] == values


def test_with_the_emitted_augmentation(run_emitted, tree) -> None:
    # The real augmentation emitter's function, called per batch: deterministic
    # standardization matches IDG (float32 rounding aside); random flips keep shapes/dtypes.
    from migrator.emit.augment import render_augment_function

    arguments = dict(target_size=(9, 13), class_mode="input", batch_size=6, shuffle=False)
    for spec, exact in [
        (AugmentSpec(rescale=1 / 255, samplewise_center=True), True),
        (AugmentSpec(horizontal_flip=True, vertical_flip=True), False),
    ]:
        source = render_augment_function(spec, "data_augment") + "\n\n"
        source += render_directory_dataset_function(spec, "data_dataset", "data_augment", "data")
        dataset = run_emitted(source, os=os)["data_dataset"](tree, seed=1, **arguments)
        mine = ours(dataset)
        generator = legacy.ImageDataGenerator(
            rescale=spec.rescale,
            samplewise_center=spec.samplewise_center,
            horizontal_flip=spec.horizontal_flip,
            vertical_flip=spec.vertical_flip,
        )
        reference = theirs(generator.flow_from_directory(tree, **arguments))
        assert [tuple(b[0].shape) for b in mine] == [tuple(b[0].shape) for b in reference]
        for a, b in zip(mine, reference, strict=True):
            assert a[0].dtype == b[0].dtype == np.float32
            np.testing.assert_array_equal(a[0], a[1])  # "input": the augmented images
            if exact:
                np.testing.assert_allclose(a[0], b[0], atol=1e-6)
            else:  # flips permute pixels: same values per image
                flat = [np.sort(x.reshape(len(x), -1), axis=1) for x in (a[0], b[0])]
                np.testing.assert_array_equal(*flat)


def test_files_are_read_lazily_by_the_pipeline(build, tmp_path) -> None:
    # Listing happens at call time, decoding in the map: a file rewritten after the call is
    # read with its new content (nothing was decoded eagerly).
    path = tmp_path / "only" / "image.png"
    save(Image.fromarray(np.zeros((3, 3, 3), "uint8")), str(path))
    dataset = build()(str(tmp_path), target_size=(3, 3), class_mode=None, shuffle=False)
    save(Image.fromarray(np.full((3, 3, 3), 77, "uint8")), str(path))
    assert ours(dataset)[0][0].min() == 77


def test_files_it_cannot_reproduce_fail_loudly(build, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "deep.png").write_bytes(png16_grey(np.full((4, 4), 40000)))
    dataset = build()(str(tmp_path), target_size=(4, 4), color_mode="grayscale")
    with pytest.raises(tf.errors.InvalidArgumentError, match="16-bit greyscale"):
        ours(dataset)
    save(Image.fromarray(np.zeros((3, 3, 3), "uint8")), str(tmp_path / "b" / "c" / "x.ppm"))
    with pytest.raises(ValueError, match="PPM or TIFF"):
        build()(str(tmp_path / "b"))


def test_invalid_run_time_arguments_raise(build, tree) -> None:
    with pytest.raises(ValueError, match="color_mode"):
        build()(tree, color_mode="hsv")
    with pytest.raises(ValueError, match="class_mode"):
        build()(tree, class_mode="raw")
    with pytest.raises(ValueError, match="interpolation"):
        build()(tree, interpolation="cubic")
    with pytest.raises(ValueError, match="only 'nearest'"):
        build(interpolations=["nearest"])(tree, interpolation="bilinear")


def test_tf_alias_and_no_migrator_import() -> None:
    source = render_directory_dataset_function(
        AugmentSpec(), "train_dataset", "train_augment", "train", tf="tensorflow"
    )
    assert "migrator" not in source
    assert "import" not in source
    assert " tf." not in source and "(tf." not in source
    assert "tensorflow.data.Dataset.random(seed=seed" in source
    assert "train_augment(images, augment_seed)" in source
    compile(source, "<emitted>", "exec")


def test_emitted_source_is_lint_clean(tmp_path) -> None:
    import subprocess
    import sys

    pytest.importorskip("ruff")
    source = render_directory_dataset_function(AugmentSpec(), "data_dataset", "data_augment", "d")
    prelude = "import os\n\nimport tensorflow as tf\n\n\ndef data_augment(images, seed):\n"
    path = tmp_path / "emitted.py"
    path.write_text(prelude + "    return images\n\n\n" + source)
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated"]
    command += ["--select", "E,F,B,W", "--line-length", "100", str(path)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


# --- refusals -------------------------------------------------------------------------


def test_defaults_and_non_literal_arguments_are_accepted() -> None:
    assert unsupported_directory_call({}) == []
    arguments = {name: UNKNOWN for name in DIRECTORY_PARAMETERS if name != "save_to_dir"}
    assert unsupported_directory_call(arguments) == []
    literal = dict(
        directory="data/train",
        target_size=(64, 64),
        color_mode="grayscale",
        classes=["a", "b"],
        class_mode=None,
        batch_size=16,
        shuffle=False,
        seed=1,
        save_to_dir=None,
        save_prefix="x",
        save_format="jpeg",
        follow_links=True,
        subset="training",
        interpolation="nearest",
        keep_aspect_ratio=True,
    )
    assert unsupported_directory_call(literal) == []


@pytest.mark.parametrize(
    ("argument", "value", "code"),
    [
        ("save_to_dir", "out", "MA104"),
        ("save_to_dir", UNKNOWN, "MA101"),
        ("interpolation", "cubic", "MA102"),
        ("color_mode", "hsv", "MA102"),
        ("class_mode", "raw", "MA102"),
        ("subset", "test", "MA102"),
        ("target_size", (64,), "MA102"),
        ("target_size", 64, "MA102"),
        ("target_size", (64.0, 64), "MA102"),
        ("sample_weight", None, "MA104"),
    ],
)
def test_refusals(argument, value, code) -> None:
    refusals = unsupported_directory_call({argument: value})
    assert [(c, a) for c, a, _, _ in refusals] == [(code, argument)]
    assert refusals[0][2]
    assert refusals[0][3] is None or refusals[0][3][0].isupper()  # the help, if any


def test_png_and_jpeg_encodings_used_here_decode_identically() -> None:
    # A guard for the JPEG claim in the module docstring on this machine's libraries.
    rng = np.random.default_rng(1)
    buffer = io.BytesIO()
    Image.fromarray(pixels(rng, 33, 47, 3)).save(buffer, format="JPEG", quality=75)
    data = buffer.getvalue()
    pil = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    accurate = tf.io.decode_jpeg(data, channels=3, dct_method="INTEGER_ACCURATE").numpy()
    np.testing.assert_array_equal(accurate, pil)


def test_prints_what_idg_prints(build, tree, capsys) -> None:
    """Notebooks show IDG's "Found N images belonging to K classes." line: the pipeline
    prints the same, as it is built."""
    build()(tree, classes=["cat", "bird"], target_size=(4, 4))
    mine = capsys.readouterr().out
    legacy.ImageDataGenerator().flow_from_directory(tree, classes=["cat", "bird"])
    assert mine == capsys.readouterr().out == "Found 8 images belonging to 2 classes.\n"


@pytest.mark.parametrize(
    ("split", "comment"),
    [
        (0.0, "No validation_split (IDG's 0.0): 'validation' is empty, 'training' every file."),
        (0.2, "validation_split=0.2: the first files of every class form the validation subset."),
    ],
)
def test_subset_comment_reads_for_the_generator(split: float, comment: str) -> None:
    # A generator without validation_split should not be described as having one.
    source = render_directory_dataset_function(
        AugmentSpec(validation_split=split), "d_dataset", None, "d"
    )
    assert f"# {comment}\n" in source

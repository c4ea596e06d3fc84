"""directory_files / dataframe_files + Augmentation yield what IDG's flow_from_directory /
flow_from_dataframe yield: the same files or rows in the same order, pixels (PIL's
decoding, colour conversions and every resize filter), labels for every class_mode,
sample weights, subsets, what the iterators tell about the files and what they print."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tests.image_files import make_frame, make_tree, pixels, save

pd = pytest.importorskip("pandas")
Image = pytest.importorskip("PIL.Image")
pytestmark = pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> str:
    return make_tree(str(tmp_path_factory.mktemp("tree")))


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    return make_frame(tmp_path_factory.mktemp("frame"), pd)


def flat(batch) -> list[np.ndarray]:
    import tensorflow as tf

    return [np.asarray(t) for t in tf.nest.flatten(batch)]


def theirs(iterator) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IDG warns about the invalid rows it drops
        return [iterator[i] for i in range(len(iterator))]


def ours(tf, idg_tfdata, files, augmentation=None, class_mode=None) -> list:
    """The files' batches through an augmentation (by default IDG's identity)."""
    dataset = files.map(augmentation or idg_tfdata.Augmentation())
    if class_mode == "input":
        dataset = dataset.map(idg_tfdata.images_as_targets)
    return list(dataset.as_numpy_iterator())


def assert_same_batches(mine: list, reference: list) -> None:
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert isinstance(a, tuple) == isinstance(b, tuple)
        a, b = flat(a), flat(b)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype and x.shape == y.shape
            np.testing.assert_array_equal(x, y)


MODES = [("rgb", "categorical"), ("grayscale", "sparse"), ("rgba", None), ("rgb", "input")]


@pytest.mark.parametrize(("color_mode", "class_mode"), MODES)
def test_directory_batches_match_idg(tf, idg_tfdata, legacy, tree, color_mode, class_mode):
    arguments = dict(target_size=(13, 9), color_mode=color_mode, class_mode=class_mode)
    arguments.update(batch_size=4, shuffle=False)
    files = idg_tfdata.directory_files(tree, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_directory(tree, **arguments)
    mine = ours(tf, idg_tfdata, files, class_mode=class_mode)
    assert [len(flat(b)[0]) for b in mine] == [4, 4, 4, 2]  # 14 images, last one partial
    assert_same_batches(mine, theirs(iterator))
    for fact in ("class_indices", "filepaths", "filenames", "samples", "n", "num_classes"):
        assert getattr(files, fact) == getattr(iterator, fact), fact
    assert files.image_shape == iterator.image_shape
    np.testing.assert_array_equal(files.classes, iterator.classes)
    assert files.classes.dtype == iterator.classes.dtype


@pytest.mark.parametrize(
    "interpolation", ["nearest", "bilinear", "bicubic", "hamming", "box", "lanczos"]
)
def test_directory_resize_filters_match_pil(tf, idg_tfdata, legacy, tree, interpolation):
    for target_size, keep_aspect_ratio in [((10, 21), False), ((24, 6), True)]:
        arguments = dict(target_size=target_size, keep_aspect_ratio=keep_aspect_ratio)
        arguments.update(interpolation=interpolation, batch_size=7, class_mode="binary")
        arguments.update(color_mode="rgba", shuffle=False)
        files = idg_tfdata.directory_files(tree, **arguments)
        iterator = legacy.ImageDataGenerator().flow_from_directory(tree, **arguments)
        assert_same_batches(ours(tf, idg_tfdata, files), theirs(iterator))


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_directory_subsets_take_the_same_files_per_class(tf, idg_tfdata, legacy, tree, subset):
    arguments = dict(target_size=(8, 8), class_mode="sparse", batch_size=4, shuffle=False)
    files = idg_tfdata.directory_files(tree, subset=subset, validation_split=0.3, **arguments)
    generator = legacy.ImageDataGenerator(validation_split=0.3)
    iterator = generator.flow_from_directory(tree, subset=subset, **arguments)
    assert_same_batches(ours(tf, idg_tfdata, files), theirs(iterator))
    assert files.filepaths == iterator.filepaths and files.samples > 0


def test_directory_classes_follow_links_channels_first_float64(
    tf, idg_tfdata, legacy, tree, tmp_path
):
    arguments = dict(classes=["cat", "Dog"], target_size=(10, 12), batch_size=6)
    arguments.update(color_mode="rgba", shuffle=False)
    files = idg_tfdata.directory_files(
        tree, **arguments, data_format="channels_first", dtype="float64"
    )
    generator = legacy.ImageDataGenerator(data_format="channels_first", dtype="float64")
    iterator = generator.flow_from_directory(tree, **arguments)
    augmentation = idg_tfdata.Augmentation(data_format="channels_first", dtype="float64")
    mine = ours(tf, idg_tfdata, files, augmentation)
    assert mine[0][0].shape == (6, 4, 10, 12)
    assert_same_batches(mine, theirs(iterator))
    assert files.class_indices == {"cat": 0, "Dog": 1}
    outside = tmp_path / "outside"
    save(Image.fromarray(np.full((5, 6, 3), 9, "uint8")), str(outside / "linked.png"))
    (tmp_path / "root" / "a").mkdir(parents=True)
    (tmp_path / "root" / "a" / "link").symlink_to(outside)
    for follow_links in (False, True):
        files = idg_tfdata.directory_files(str(tmp_path / "root"), follow_links=follow_links)
        assert files.samples == int(follow_links)


def test_directory_prints_what_idg_prints(idg_tfdata, legacy, tree, capsys) -> None:
    idg_tfdata.directory_files(tree, classes=["cat", "bird"], target_size=(4, 4))
    mine = capsys.readouterr().out
    legacy.ImageDataGenerator().flow_from_directory(tree, classes=["cat", "bird"])
    assert mine == capsys.readouterr().out == "Found 8 images belonging to 2 classes.\n"


def test_tf_keras_directory_iterator_agrees(tf, idg_tfdata, tf_keras_legacy, tree) -> None:
    arguments = dict(target_size=(11, 14), batch_size=8, shuffle=False)
    iterator = tf_keras_legacy.ImageDataGenerator().flow_from_directory(tree, **arguments)
    files = idg_tfdata.directory_files(tree, **arguments)
    assert_same_batches(ours(tf, idg_tfdata, files), theirs(iterator))


def test_shuffled_files_are_augmented_reproducibly(tf, idg_tfdata, legacy, tree) -> None:
    """Standardization matches IDG's on shuffled, augmented batches (as sets of images);
    a seed reproduces the epoch, and every epoch is a new order."""
    arguments = dict(target_size=(9, 13), class_mode=None, batch_size=5)
    augmentation = idg_tfdata.Augmentation(rescale=1 / 255, samplewise_center=True)
    files = idg_tfdata.directory_files(tree, seed=1, **arguments)
    first, second = (
        ours(tf, idg_tfdata, files, augmentation),
        ours(tf, idg_tfdata, files, augmentation),
    )
    again = ours(
        tf, idg_tfdata, idg_tfdata.directory_files(tree, seed=1, **arguments), augmentation
    )
    assert_same_batches(again, first)
    assert not all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    generator = legacy.ImageDataGenerator(rescale=1 / 255, samplewise_center=True)
    reference = np.concatenate(
        theirs(generator.flow_from_directory(tree, shuffle=False, **arguments))
    )

    def ordered(images):  # the images of an epoch, in an order independent of shuffling
        return images[np.argsort(images.reshape(len(images), -1)[:, :8].sum(axis=1))]

    expected = ordered(reference)
    np.testing.assert_allclose(ordered(np.concatenate(first)), expected, atol=1e-5)


def test_invalid_run_time_arguments_raise(idg_tfdata, tree, tmp_path) -> None:
    with pytest.raises(ValueError, match="color_mode"):
        idg_tfdata.directory_files(tree, color_mode="hsv")
    with pytest.raises(ValueError, match="class_mode"):
        idg_tfdata.directory_files(tree, class_mode="raw")
    with pytest.raises(ValueError, match="interpolation"):
        idg_tfdata.directory_files(tree, interpolation="cubic")
    with pytest.raises(ValueError, match="subset"):
        idg_tfdata.directory_files(tree, subset="test")
    save(Image.fromarray(np.zeros((3, 3, 3), "uint8")), str(tmp_path / "b" / "c" / "x.ppm"))
    with pytest.raises(ValueError, match="PPM or TIFF"):
        idg_tfdata.directory_files(str(tmp_path / "b"))
    assert pixels  # the shared helpers are the emitted tests' own


FRAME_CASES = [
    {},
    {"class_mode": "sparse"},
    {"class_mode": "binary", "y_col": "pair"},
    {"y_col": "tags", "classes": ["c", "a", "c"]},  # multi-label, filtered
    {"class_mode": "raw", "y_col": ["score", "count"]},
    {"class_mode": "other", "y_col": "count"},
    {"class_mode": "multi_output", "y_col": ["score", "count", "box"]},
    {"class_mode": "input", "weight_col": "weight"},
    {"class_mode": None, "weight_col": "weight"},
    {"weight_col": "count", "subset": "validation"},
    {"y_col": "tags", "classes": ["b"], "subset": "training"},
]


@pytest.mark.parametrize("arguments", FRAME_CASES, ids=repr)
def test_dataframe_batches_match_idg(tf, idg_tfdata, legacy, frame, arguments) -> None:
    root, data = frame
    arguments = dict(arguments, directory=root, target_size=(7, 6), batch_size=5, shuffle=False)
    files = idg_tfdata.dataframe_files(data, **arguments, validation_split=0.25)
    generator = legacy.ImageDataGenerator(validation_split=0.25)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        iterator = generator.flow_from_dataframe(data, **arguments)
    mine = ours(tf, idg_tfdata, files, class_mode=arguments.get("class_mode", "categorical"))
    assert_same_batches(mine, theirs(iterator))
    assert files.filepaths == iterator.filepaths and files.samples == iterator.samples
    assert files.image_shape == iterator.image_shape
    if hasattr(iterator, "class_indices") and iterator.class_indices:
        assert files.class_indices == iterator.class_indices
        assert files.classes == list(iterator.classes)


def test_dataframe_checks_frames_as_idg(idg_tfdata, frame) -> None:
    root, data = frame
    with pytest.raises(TypeError, match="multi_output"):
        idg_tfdata.dataframe_files(data, directory=root, class_mode="multi_output", y_col="score")
    with pytest.raises(ValueError, match="2 classes"):
        idg_tfdata.dataframe_files(data, directory=root, class_mode="binary")
    with pytest.raises(ValueError, match="class_mode"):
        idg_tfdata.dataframe_files(data, directory=root, class_mode="hot")


def test_dataframe_prints_what_idg_prints(idg_tfdata, legacy, frame, capsys) -> None:
    root, data = frame
    for arguments in ({}, {"class_mode": "raw", "y_col": "score"}):
        idg_tfdata.dataframe_files(data, directory=root, **arguments)
        mine = capsys.readouterr().out
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            legacy.ImageDataGenerator().flow_from_dataframe(data, directory=root, **arguments)
        assert mine == capsys.readouterr().out


def test_generator_settings_come_from_the_augmentation(tf, idg_tfdata, legacy, tree) -> None:
    """`generator=datagen` gives validation_split, data_format and dtype; explicit
    arguments win."""
    settings = dict(validation_split=0.5, data_format="channels_first", dtype="float64")
    datagen = idg_tfdata.Augmentation(**settings)
    arguments = dict(target_size=(6, 5), class_mode="sparse", shuffle=False, subset="training")
    files = idg_tfdata.directory_files(tree, **arguments, generator=datagen)
    iterator = legacy.ImageDataGenerator(**settings).flow_from_directory(tree, **arguments)
    assert_same_batches(ours(tf, idg_tfdata, files, datagen), theirs(iterator))
    assert files.image_shape == (3, 6, 5)
    explicit = idg_tfdata.directory_files(tree, **arguments, generator=datagen, dtype="float32")
    assert explicit.element_spec[0][1].dtype == tf.float32


def test_dataframe_unvalidated_filenames_and_absolute_paths(tf, idg_tfdata, legacy, frame) -> None:
    """Absolute paths without a directory, not validated, as IDG reads them; an invalid
    row left in by validate_filenames=False fails when it is read (ported from the
    emitter's tests)."""
    import os

    root, data = frame
    absolute = data.iloc[:12].assign(filename=[os.path.join(root, n) for n in data.filename[:12]])
    arguments = dict(target_size=(5, 5), batch_size=5, shuffle=False, validate_filenames=False)
    files = idg_tfdata.dataframe_files(absolute, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_dataframe(absolute, **arguments)
    assert_same_batches(ours(tf, idg_tfdata, files), theirs(iterator))
    assert files.samples == 12
    with pytest.raises((tf.errors.NotFoundError, tf.errors.InvalidArgumentError)):
        everything = idg_tfdata.dataframe_files(
            data, directory=root, validate_filenames=False, shuffle=False
        )
        ours(tf, idg_tfdata, everything)


def test_dataframe_shuffle_visits_every_row_once_per_epoch_and_reshuffles(
    tf, idg_tfdata, frame
) -> None:
    """Each epoch reads every kept row once, in a new order (ported from the emitter's
    tests)."""
    root, data = frame
    arguments = dict(directory=root, class_mode="raw", y_col="count", target_size=(3, 3))
    files = idg_tfdata.dataframe_files(data, batch_size=5, seed=4, **arguments)
    epochs = [[float(v) for _, y in ours(tf, idg_tfdata, files) for v in y] for _ in range(3)]
    kept = sorted(float(v) for v in data["count"][:12])
    for epoch in epochs:
        assert sorted(epoch) == kept
    assert epochs[0] != epochs[1] or epochs[1] != epochs[2]


@pytest.mark.parametrize("source", ["directory", "dataframe"])
def test_input_targets_are_the_augmented_images(tf, idg_tfdata, tree, frame, source) -> None:
    """class_mode="input": images_as_targets after the augmentation makes the targets the
    augmented images, as IDG yields them (ported from the emitter's tests)."""
    arguments = dict(target_size=(8, 8), class_mode="input", batch_size=4, seed=3)

    def files():  # the same files in the same (seeded) first-epoch order
        if source == "directory":
            return idg_tfdata.directory_files(tree, **arguments)
        root, data = frame
        return idg_tfdata.dataframe_files(data, directory=root, **arguments)

    augmentation = idg_tfdata.Augmentation(rotation_range=40, horizontal_flip=True)
    batches = ours(tf, idg_tfdata, files(), augmentation, class_mode="input")
    plain = ours(tf, idg_tfdata, files(), class_mode="input")
    for images, targets in batches:
        np.testing.assert_array_equal(images, targets)
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(batches, plain, strict=True))

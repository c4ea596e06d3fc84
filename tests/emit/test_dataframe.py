"""The emitted flow_from_dataframe replacement yields what IDG.flow_from_dataframe yields:
the same rows (validated files, class filtering, subsets), pixels, labels for every
class_mode (multi-label, raw, multi_output, "other"), sample weights and their dtypes."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from migrator.emit.dataframe import (
    DATAFRAME_PARAMETERS,
    KEPT_DATAFRAME_PARAMETERS,
    render_dataframe_dataset_function,
    unsupported_dataframe_call,
)
from migrator.emit.directory import UNKNOWN
from migrator.model import AugmentSpec
from tests.image_files import make_frame

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")
pd = pytest.importorskip("pandas")
legacy = pytest.importorskip("keras.src.legacy.preprocessing.image")
Image = pytest.importorskip("PIL.Image")


@pytest.fixture(scope="module")
def build(run_emitted):
    def make(spec: AugmentSpec | None = None, augment=None, interpolations=None):
        spec = AugmentSpec() if spec is None else spec
        name = "data_augment" if augment else None
        source = render_dataframe_dataset_function(
            spec, "data_dataset", name, "data", interpolations=interpolations
        )
        return run_emitted(source, os=os, data_augment=augment)["data_dataset"]

    return make


def flat(batch) -> list[np.ndarray]:
    return [np.asarray(t) for t in tf.nest.flatten(batch)]


def ours(dataset) -> list:
    return list(dataset.as_numpy_iterator())


def theirs(iterator) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IDG warns about the invalid rows it drops
        return [iterator[i] for i in range(len(iterator))]


def assert_same_batches(mine: list, reference: list) -> None:
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert type(a) is type(b) or (isinstance(a, tuple) and isinstance(b, tuple))
        a, b = flat(a), flat(b)
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert x.dtype == y.dtype
            assert x.shape == y.shape
            np.testing.assert_array_equal(x, y)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return make_frame(tmp_path_factory.mktemp("frame"), pd)


def test_parameters_mirror_flow_from_dataframe(build) -> None:
    signature = inspect.signature(legacy.ImageDataGenerator.flow_from_dataframe)
    names = [n for n, p in signature.parameters.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert tuple(names[1:]) == DATAFRAME_PARAMETERS
    emitted = inspect.signature(build())
    assert tuple(emitted.parameters) == KEPT_DATAFRAME_PARAMETERS
    for name, parameter in emitted.parameters.items():
        assert parameter.default == signature.parameters[name].default


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"class_mode": "sparse"},
        {"class_mode": "binary", "y_col": "pair"},
        {"class_mode": "binary", "classes": ["b", "c"]},
        {"y_col": "tags"},  # multi-label: multi-hot rows
        {"y_col": "tags", "classes": ["c", "a", "c"]},  # filtered, rows without a class dropped
        {"class_mode": "raw", "y_col": "score"},
        {"class_mode": "raw", "y_col": ["score", "count"]},
        {"class_mode": "other", "y_col": "count"},
        {"class_mode": "multi_output", "y_col": ["score", "count", "box"]},
        {"class_mode": "input", "weight_col": "weight"},
        {"class_mode": None, "weight_col": "weight"},
        {"weight_col": "count", "classes": ["a", "b"]},
    ],
    ids=lambda arguments: ",".join(f"{k}={v}" for k, v in arguments.items()) or "default",
)
def test_unshuffled_batches_match_idg(build, data, arguments) -> None:
    root, frame = data
    common = dict(directory=root, target_size=(8, 9), batch_size=5, shuffle=False)
    dataset = build()(frame, **common, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_dataframe(frame, **common, **arguments)
    assert_same_batches(ours(dataset), theirs(iterator))
    assert dataset.filepaths == iterator.filepaths
    assert dataset.samples == iterator.samples
    assert getattr(dataset, "class_indices", None) == getattr(iterator, "class_indices", None)


def test_labels_have_idg_structure(build, data) -> None:
    root, frame = data
    common = dict(directory=root, target_size=(4, 4), batch_size=4, shuffle=False)
    first = ours(build()(frame, class_mode="multi_output", y_col=["score", "count"], **common))[0]
    images, (score, count) = first
    assert score.dtype == np.float64 and count.dtype == np.int64  # numpy's, not TF's
    # The documented difference: string columns come out as tf.string (bytes), not str.
    strings = ours(build()(frame, class_mode="multi_output", y_col=["pair"], **common))[0][1][0]
    assert list(strings) == [b"a", b"b", b"a", b"b"]
    hot = ours(build()(frame, y_col="tags", **common))[0][1]
    np.testing.assert_array_equal(hot[0], [1, 0, 1])  # ["a", "c"]
    assert len(ours(build()(frame, weight_col="weight", **common))[0]) == 3


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("color_mode", ["rgb", "rgba", "grayscale"])
def test_images_match_idg(build, data, color_mode, interpolation) -> None:
    root, frame = data
    arguments = dict(directory=root, target_size=(11, 6), color_mode=color_mode)
    arguments.update(interpolation=interpolation, batch_size=12, shuffle=False)
    mine = ours(build()(frame, **arguments))
    assert_same_batches(
        mine, theirs(legacy.ImageDataGenerator().flow_from_dataframe(frame, **arguments))
    )


def test_unvalidated_filenames_and_absolute_paths(build, data) -> None:
    root, frame = data
    absolute = frame.iloc[:12].assign(filename=[os.path.join(root, n) for n in frame.filename[:12]])
    arguments = dict(target_size=(5, 5), batch_size=5, shuffle=False, validate_filenames=False)
    dataset = build()(absolute, **arguments)
    iterator = legacy.ImageDataGenerator().flow_from_dataframe(absolute, **arguments)
    assert_same_batches(ours(dataset), theirs(iterator))
    assert dataset.samples == 12
    with pytest.raises(tf.errors.NotFoundError):
        ours(build()(frame, directory=root, validate_filenames=False, shuffle=False))


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_validation_split_slices_the_filtered_frame(build, data, subset) -> None:
    root, frame = data
    arguments = dict(directory=root, target_size=(6, 6), batch_size=4, shuffle=False)
    arguments.update(y_col="tags", classes=["b"], subset=subset)
    dataset = build(AugmentSpec(validation_split=0.25))(frame, **arguments)
    generator = legacy.ImageDataGenerator(validation_split=0.25)
    iterator = generator.flow_from_dataframe(frame, **arguments)
    assert_same_batches(ours(dataset), theirs(iterator))
    assert dataset.filepaths == iterator.filepaths


def test_shuffle_visits_every_row_once_per_epoch_and_reshuffles(build, data) -> None:
    root, frame = data
    arguments = dict(directory=root, class_mode="raw", y_col="count", target_size=(3, 3))
    dataset = build()(frame, batch_size=5, seed=4, **arguments)
    epochs = [[int(v) for _, y in ours(dataset) for v in y] for _ in range(3)]
    for epoch in epochs:
        assert sorted(epoch) == list(range(12))
    assert len({tuple(epoch) for epoch in epochs}) == 3
    again = build()(frame, batch_size=5, seed=4, **arguments)
    assert [int(v) for _, y in ours(again) for v in y] == epochs[0]


def test_augmentation_runs_before_input_labels(build, data) -> None:
    root, frame = data

    def augment(images, seed):
        return images * 0 + tf.cast(seed[0] % 1000, images.dtype)

    arguments = dict(directory=root, class_mode="input", weight_col="weight", target_size=(3, 3))
    dataset = build(AugmentSpec(horizontal_flip=True), augment)(frame, shuffle=False, **arguments)
    batches = ours(dataset)
    for images, labels, weights in batches:
        np.testing.assert_array_equal(images, labels)
        assert weights.dtype == np.float64
    assert len({float(b[0][0, 0, 0, 0]) for b in batches}) == len(batches)


def test_invalid_frames_raise_like_idg(build, data) -> None:
    root, frame = data
    function = build()
    with pytest.raises(TypeError, match="multi_output"):
        function(frame, directory=root, class_mode="multi_output", y_col="score")
    with pytest.raises(ValueError, match="2 classes"):
        function(frame, directory=root, class_mode="binary")
    with pytest.raises(TypeError, match="string labels"):
        function(frame, directory=root, class_mode="sparse", y_col="count")
    with pytest.raises(TypeError, match="numeric"):
        function(frame, directory=root, weight_col="class")
    with pytest.raises(ValueError, match="class_mode"):
        function(frame, directory=root, class_mode="multi_label")


def test_emitted_source_is_lint_clean(tmp_path) -> None:
    pytest.importorskip("ruff")
    source = render_dataframe_dataset_function(AugmentSpec(), "data_dataset", "data_augment", "d")
    prelude = "import os\n\nimport tensorflow as tf\n\n\ndef data_augment(images, seed):\n"
    path = tmp_path / "emitted.py"
    path.write_text(prelude + "    return images\n\n\n" + source)
    command = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated"]
    command += ["--select", "E,F,B,W", "--line-length", "100", str(path)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "import" not in source and "migrator" not in source


def test_accepted_calls() -> None:
    assert unsupported_dataframe_call({}) == []
    everything = {name: UNKNOWN for name in DATAFRAME_PARAMETERS if name != "save_to_dir"}
    assert unsupported_dataframe_call(everything) == []
    literal = dict(
        x_col="path",
        y_col=["a", "b"],
        weight_col="w",
        class_mode="multi_output",
        save_to_dir=None,
        save_format="jpeg",
        interpolation="lanczos",
        validate_filenames=False,
        has_ext=True,  # **kwargs: ignored by IDG, dropped
        keep_aspect_ratio=True,
    )
    assert unsupported_dataframe_call(literal) == []


@pytest.mark.parametrize(
    ("arguments", "code", "argument"),
    [
        ({"save_to_dir": "out"}, "MA104", "save_to_dir"),
        ({"save_to_dir": UNKNOWN}, "MA101", "save_to_dir"),
        ({"class_mode": "multi_label"}, "MA102", "class_mode"),
        ({"class_mode": "multi_output"}, "MA102", "y_col"),
        ({"class_mode": "multi_output", "y_col": "a"}, "MA102", "y_col"),
        ({"color_mode": "cmyk"}, "MA102", "color_mode"),
        ({"interpolation": "cubic"}, "MA102", "interpolation"),
        ({"subset": "test"}, "MA102", "subset"),
        ({"target_size": 32}, "MA102", "target_size"),
    ],
)
def test_refusals(arguments, code, argument) -> None:
    refusals = unsupported_dataframe_call(arguments)
    assert [(c, a) for c, a, _, _ in refusals] == [(code, argument)]


@pytest.mark.parametrize(
    "arguments",
    [
        {},
        {"class_mode": "raw", "y_col": "score"},
        {"class_mode": None, "validate_filenames": False},
    ],
    ids=["categorical", "raw", "unvalidated"],
)
def test_prints_what_idg_prints(build, data, capsys, arguments) -> None:
    """Notebooks show IDG's "Found N validated image filenames ..." line: the pipeline
    prints the same (N after filtering), as it is built."""
    root, frame = data
    common = dict(directory=root, target_size=(4, 4), shuffle=False)
    build()(frame, **common, **arguments)
    mine = capsys.readouterr().out
    legacy.ImageDataGenerator().flow_from_dataframe(frame, **common, **arguments)
    assert mine == capsys.readouterr().out
    assert mine.startswith("Found ")

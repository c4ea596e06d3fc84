"""With facts=True the emitted file pipelines carry what IDG's iterators tell (samples, n,
batch_size, classes, class_indices, filenames, filepaths, num_classes), equal to the real
iterators' attributes, computed without decoding an image."""

from __future__ import annotations

import os

import numpy as np
import pytest

from migrator.emit.dataframe import render_dataframe_dataset_function
from migrator.emit.directory import render_directory_dataset_function
from migrator.model import AugmentSpec

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")
pd = pytest.importorskip("pandas")
legacy = pytest.importorskip("keras.src.legacy.preprocessing.image")
Image = pytest.importorskip("PIL.Image")

SPEC = AugmentSpec(validation_split=0.25)


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> str:
    """Three classes with 5, 4 and 3 PNGs, one nested a level deeper, one non-image."""
    root = tmp_path_factory.mktemp("tree")
    for label, count in (("cat", 5), ("dog", 4), ("eel", 3)):
        for index in range(count):
            path = root / label / ("deep" if index == 2 else "") / f"{index}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.full((4, 5, 3), index, np.uint8)).save(path)
    (root / "cat" / "notes.txt").write_text("not an image")
    return str(root)


def same_facts(ours, theirs, names: list[str]) -> None:
    for name in names:
        mine, reference = getattr(ours, name), getattr(theirs, name)
        if isinstance(reference, np.ndarray):
            assert mine.dtype == reference.dtype, name
            np.testing.assert_array_equal(mine, reference, err_msg=name)
        else:
            assert mine == reference, name


@pytest.mark.parametrize("subset", [None, "training", "validation"])
def test_directory_facts_match_the_iterator(run_emitted, tree: str, subset: str | None) -> None:
    source = render_directory_dataset_function(SPEC, "data_dataset", None, "data", facts=True)
    build = run_emitted(source, os=os)["data_dataset"]
    arguments = dict(target_size=(4, 4), batch_size=3, shuffle=False, subset=subset)
    ours = build(tree, **arguments)
    theirs = legacy.ImageDataGenerator(validation_split=0.25).flow_from_directory(tree, **arguments)
    names = ["samples", "n", "batch_size", "num_classes", "classes", "class_indices"]
    same_facts(ours, theirs, [*names, "filenames", "filepaths", "labels", "image_shape"])
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("color_mode", ["grayscale", "rgba"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_image_shape_follows_color_mode_and_layout(
    run_emitted, tree: str, color_mode: str, data_format: str
) -> None:
    # Kaggle models read `Input(train_generator.image_shape)`.
    spec = AugmentSpec(data_format=data_format)
    source = render_directory_dataset_function(spec, "data_dataset", None, "data", facts=True)
    arguments = dict(target_size=[6, 5], color_mode=color_mode)
    ours = run_emitted(source, os=os)["data_dataset"](tree, **arguments)
    theirs = legacy.ImageDataGenerator(data_format=data_format).flow_from_directory(
        tree, **arguments
    )
    assert ours.image_shape == theirs.image_shape


def test_dataframe_facts_match_the_iterator(run_emitted, tree: str) -> None:
    source = render_dataframe_dataset_function(SPEC, "data_dataset", None, "data", facts=True)
    build = run_emitted(source, os=os)["data_dataset"]
    frame = pd.DataFrame(
        {
            "path": ["cat/0.png", "dog/1.png", "missing.png", "eel/deep/2.png", "cat/1.png"],
            "label": ["cat", ["dog", "cat"], "dog", "eel", "cat"],
        }
    )
    arguments = dict(x_col="path", y_col="label", target_size=(4, 4), batch_size=2)
    for subset in (None, "training"):
        ours = build(frame, tree, shuffle=False, subset=subset, **arguments)
        theirs = legacy.ImageDataGenerator(validation_split=0.25).flow_from_dataframe(
            frame, tree, shuffle=False, subset=subset, **arguments
        )
        names = ["samples", "n", "batch_size", "classes", "class_indices", "filenames"]
        same_facts(ours, theirs, [*names, "filepaths", "labels", "image_shape"])


def test_dataframe_raw_labels_are_the_targets(run_emitted, tree: str) -> None:
    # flow_from_dataframe's `labels` is the raw y_col values for class_mode="raw".
    source = render_dataframe_dataset_function(SPEC, "data_dataset", None, "data", facts=True)
    build = run_emitted(source, os=os)["data_dataset"]
    frame = pd.DataFrame({"path": ["cat/0.png", "missing.png", "dog/1.png"], "y": [0.5, 1.0, 2.5]})
    arguments = dict(x_col="path", y_col="y", class_mode="raw", target_size=(4, 4))
    ours = build(frame, tree, **arguments)
    theirs = legacy.ImageDataGenerator().flow_from_dataframe(frame, tree, **arguments)
    same_facts(ours, theirs, ["labels", "image_shape"])

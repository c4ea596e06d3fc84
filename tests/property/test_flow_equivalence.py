"""Property: for a random ImageDataGenerator configuration and random `flow` arguments,
migrate-aug either refuses (an MA1xx diagnostic, source untouched) or emits code that,
executed on the same small arrays, yields what the real IDG yields: the same batch
structure, shapes, dtypes and number/sizes of batches per epoch, and for configurations
without random augmentation the same values.

Each example builds a tiny program, migrates it with `migrate_source` (`--all`, so no
model or strategy is needed), and execs the original and the migrated program with a
`model` whose `fit` records its input: the IDG iterator and the tf.data dataset."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from migrator.api import Options, migrate_source

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

HEIGHT, WIDTH, CHANNELS = 5, 6, 3
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays deterministic
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Argument values as they are written in source: valid ranges, edge values (0, negative,
# ints vs floats, lists, pairs) and a few values IDG or the tool rejects.
RANDOM_ARGUMENTS: dict[str, st.SearchStrategy[str]] = {
    "rotation_range": st.sampled_from(["0", "15", "30.5", "-10", "360"]),
    "width_shift_range": st.sampled_from(
        ["0", "0.0", "0.2", "2", "2.0", "-0.1", "[-1, 0, 1]", "[0.1, 0.25]", "(1, 2)", "[]"]
    ),
    "height_shift_range": st.sampled_from(["0", "0.15", "3", "1.5", "[2, 3]", "[0.5]"]),
    "shear_range": st.sampled_from(["0", "10", "0.5", "-20.0"]),
    "zoom_range": st.sampled_from(
        ["0", "0.2", "1.0", "[0.8, 1.2]", "(0.9, 1.1)", "[1, 1]", "[0.5]", "2"]
    ),
    "horizontal_flip": st.sampled_from(["True", "False"]),
    "vertical_flip": st.sampled_from(["True", "False"]),
    "fill_mode": st.sampled_from(["'nearest'", "'constant'", "'reflect'", "'wrap'", "'mirror'"]),
    "cval": st.sampled_from(["0", "0.5", "255.0", "-1"]),
    "channel_shift_range": st.sampled_from(["0", "10.0", "50"]),
    "brightness_range": st.sampled_from(["None", "[0.8, 1.2]", "(0.5, 1.5)", "[1.0, 1.0]"]),
    "interpolation_order": st.sampled_from(["0", "1", "2"]),
}
DETERMINISTIC_ARGUMENTS: dict[str, st.SearchStrategy[str]] = {
    "rescale": st.sampled_from(["None", "1 / 255", "0.5", "2", "0", "-1.0"]),
    "samplewise_center": st.booleans().map(str),
    "samplewise_std_normalization": st.booleans().map(str),
    "featurewise_center": st.booleans().map(str),
    "featurewise_std_normalization": st.booleans().map(str),
    "zca_whitening": st.sampled_from(["False", "False", "True"]),
    "zca_epsilon": st.sampled_from(["0.1", "1.0"]),
    "dtype": st.sampled_from(["None", "'float32'", "'float64'", "'float16'"]),
    "validation_split": st.sampled_from(["0.0", "0.2", "0.5", "0.25"]),
    "data_format": st.sampled_from(["None", "'channels_last'", "'channels_first'"]),
    "preprocessing_function": st.sampled_from(
        ["None", "tf.keras.applications.mobilenet_v2.preprocess_input", "lambda image: image"]
    ),
}


@dataclass(frozen=True)
class Data:
    x: np.ndarray
    y: np.ndarray | None
    w: np.ndarray | None


class Recorder:
    """Stands in for a Keras model: `fit` records what it was given."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []

    def fit(self, data: Any, **_: Any) -> None:
        self.inputs.append(data)


@st.composite
def programs(draw: st.DrawFn, arguments: dict[str, st.SearchStrategy[str]]) -> tuple[str, Data]:
    """A program `datagen = ImageDataGenerator(...)`, [`datagen.fit(x)`], `model.fit(
    datagen.flow(...))` and the arrays it runs on."""
    names = draw(st.lists(st.sampled_from(sorted(arguments)), unique=True, max_size=5))
    config = ", ".join(f"{name}={draw(arguments[name])}" for name in names)
    count = draw(st.integers(1, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = draw(st.sampled_from(["uint8", "float32", "float64"]))
    x = rng.integers(0, 256, (count, HEIGHT, WIDTH, CHANNELS)).astype(dtype)
    labels = draw(st.sampled_from(["none", "sparse", "one-hot"]))
    classes = rng.integers(0, 3, count)
    y = {"none": None, "sparse": classes, "one-hot": np.eye(3, dtype="float32")[classes]}[labels]
    weighted = draw(st.booleans())
    w = rng.random(count).astype("float32") if weighted else None

    flow = ["x"] + ([] if y is None else ["y"])
    flow.append(f"batch_size={draw(st.sampled_from([1, 2, 3, count, count + 3]))}")
    flow.append(f"shuffle={draw(st.booleans())}")
    seed = draw(st.sampled_from([None, 0, 7]))
    if seed is not None:
        flow.append(f"seed={seed}")
    if weighted:
        flow.append("sample_weight=w")
    subset = draw(st.sampled_from([None, None, "training", "validation"]))
    if subset is not None:
        # IDG refuses a split whose subsets hold different classes unless told not to.
        flow += [f"subset={subset!r}", "ignore_class_split=True"]
    fit = "datagen.fit(x)\n" if "featurewise" in config or "zca" in config else ""
    source = (
        "import tensorflow as tf\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n"
        f"datagen = ImageDataGenerator({config})\n"
        f"{fit}"
        f"model.fit(datagen.flow({', '.join(flow)}), epochs=1)\n"
    )
    return source, Data(x, y, w)


@pytest.fixture(scope="module", autouse=True)
def runtime_module(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The migrated programs `import idg_tfdata`: the module migrate-aug writes."""
    from migrator.runtime import runtime_text
    from tests.runtime.conftest import load_module

    return load_module(runtime_text(), tmp_path_factory.mktemp("runtime"))


def run(source: str, data: Data) -> Any:
    """Exec a program on `data`; return what it passed to `model.fit`, or the error."""
    model = Recorder()
    namespace = {"x": data.x, "y": data.y, "w": data.w, "model": model}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IDG warns about forced flags and channel axes
        try:
            exec(compile(source, "<program>", "exec"), namespace)
        except Exception as error:  # noqa: BLE001 - the error is the result to compare
            return error
    assert len(model.inputs) == 1
    return model.inputs[0]


def idg_epoch(iterator: Any) -> list[tuple[np.ndarray, ...]]:
    return [as_tuple(iterator[i]) for i in range(len(iterator))]


def dataset_epoch(dataset: Any) -> list[tuple[np.ndarray, ...]]:
    return [as_tuple(element) for element in dataset]


def as_tuple(batch: Any) -> tuple[np.ndarray, ...]:
    if isinstance(batch, tuple | list):
        return tuple(np.asarray(part) for part in batch)
    return (np.asarray(batch),)


def check(source: str, data: Data, compare_values: bool) -> None:
    result = migrate_source(source, "program.py", Options(rewrite_without_strategy=True))
    refusals = [d for d in result.diagnostics if d.code.startswith("MA1")]
    if refusals:
        event(f"refused {refusals[0].code}")
        assert not result.changed, "a refusal leaves the source untouched"
        return
    assert result.changed, [str(d) for d in result.diagnostics]
    assert "idg_tfdata.index_batches(" in result.new_source
    assert "model.fit(datagen_batches, epochs=1)" in result.new_source
    reference = run(source, data)
    migrated = run(result.new_source, data)
    if isinstance(reference, Exception):
        event(f"IDG raises {type(reference).__name__}")
        # IDG rejects this program; a faithful rewrite does not silently train on it.
        assert isinstance(migrated, Exception), f"IDG raised {reference!r}, rewrite ran"
        return
    assert not isinstance(migrated, Exception), f"{migrated!r}\n{result.new_source}"
    assert isinstance(migrated, tf.data.Dataset)
    event("rewritten and compared")
    expected = idg_epoch(reference)
    for epoch in range(2):  # the second pass reshuffles; sizes stay IDG's
        ours = dataset_epoch(migrated)
        assert len(ours) == len(expected), f"epoch {epoch}: batches per epoch"
        for mine, theirs in zip(ours, expected, strict=True):
            assert len(mine) == len(theirs), "batch structure"
            for a, b in zip(mine, theirs, strict=True):
                assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, a.dtype, b.dtype)
        if compare_values:
            compare(ours, expected, shuffled="shuffle=True" in source)
    if "seed=" in source:
        # A seed reproduces the batches, augmentation included, in a fresh run.
        again = dataset_epoch(run(result.new_source, data))
        first = dataset_epoch(run(result.new_source, data))
        for mine, theirs in zip(again, first, strict=True):
            for a, b in zip(mine, theirs, strict=True):
                np.testing.assert_array_equal(a, b)


def compare(
    ours: list[tuple[np.ndarray, ...]], theirs: list[tuple[np.ndarray, ...]], shuffled: bool
) -> None:
    """Values batch by batch; a shuffled epoch is compared as a set of samples (IDG's
    permutation comes from numpy, ours from tf.data)."""
    parts = len(theirs[0]) if theirs else 0
    for part in range(parts):
        a = np.concatenate([batch[part] for batch in ours]).astype("float64")
        b = np.concatenate([batch[part] for batch in theirs]).astype("float64")
        if shuffled:
            a, b = sort_samples(a), sort_samples(b)
        scale = max(1.0, float(np.abs(b).max(initial=0.0)))
        tolerance = 1e-2 if theirs[0][0].dtype == np.float16 else 1e-4
        np.testing.assert_allclose(a, b, rtol=0, atol=tolerance * scale)


def sort_samples(values: np.ndarray) -> np.ndarray:
    flat = values.reshape(len(values), -1).round(3)
    return flat[np.lexsort(flat.T[::-1])] if len(flat) else flat


@SETTINGS
@given(programs({**RANDOM_ARGUMENTS, **DETERMINISTIC_ARGUMENTS}))
def test_random_configurations_refused_or_batched_like_idg(program: tuple[str, Data]) -> None:
    check(*program, compare_values=False)


@SETTINGS
@given(programs(DETERMINISTIC_ARGUMENTS))
def test_deterministic_configurations_give_idg_values(program: tuple[str, Data]) -> None:
    check(*program, compare_values=True)

"""Property: for a random ImageDataGenerator configuration (argument values as the
codemod's property tests write them, evaluated at run time) and random `flow` arguments,
the runtime module either refuses with a clear error ("not reproduced") or yields what
the real IDG yields: the same errors, batch structure, shapes, dtypes and number/sizes of
batches per epoch, and for configurations without random augmentation the same values."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.property.test_flow_equivalence import DETERMINISTIC_ARGUMENTS, RANDOM_ARGUMENTS

tf = pytest.importorskip("tensorflow")
HEIGHT, WIDTH, CHANNELS = 5, 6, 3


def configured(examples: int):
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same examples on every run
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@st.composite
def cases(draw: st.DrawFn, arguments: dict[str, st.SearchStrategy[str]]) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(sorted(arguments)), unique=True, max_size=5))
    config = {name: draw(arguments[name]) for name in names}
    count = draw(st.integers(1, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    dtype = draw(st.sampled_from(["uint8", "float32"]))
    x = rng.integers(0, 256, (count, HEIGHT, WIDTH, CHANNELS)).astype(dtype)
    y = rng.integers(0, 3, count) if draw(st.booleans()) else None
    w = rng.random(count).astype("float32") if draw(st.booleans()) else None
    flow = dict(batch_size=draw(st.sampled_from([1, 2, 3, count + 3])), shuffle=False)
    subset = draw(st.sampled_from([None, None, "training", "validation"]))
    if subset is not None:
        flow.update(subset=subset, ignore_class_split=True)
    return dict(config=config, x=x, y=y, w=w, flow=flow)


def evaluate(config: dict[str, str]) -> dict[str, Any]:
    return {name: eval(source, {"tf": tf}) for name, source in config.items()}  # noqa: S307


def batches(make) -> list[tuple[np.ndarray, ...]] | Exception:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # IDG warns about forced flags and channel axes
        try:
            return [
                tuple(np.asarray(p) for p in b) if isinstance(b, tuple) else (np.asarray(b),)
                for b in make()
            ]
        except Exception as error:  # noqa: BLE001 - the error is the result to compare
            return error


def check(idg_tfdata, legacy, case: dict[str, Any], compare_values: bool) -> None:
    arguments = evaluate(case["config"])
    x, y, w, flow = case["x"], case["y"], case["w"], case["flow"]
    fit = any(
        key in arguments
        for key in ("featurewise_center", "zca_whitening", "featurewise_std_normalization")
    )

    def theirs():
        generator = legacy.ImageDataGenerator(**arguments)
        if fit:
            generator.fit(x)
        iterator = generator.flow(x, y, sample_weight=w, **flow)
        return [iterator[i] for i in range(len(iterator))]

    def ours():
        augmentation = idg_tfdata.Augmentation(**arguments)
        if fit:
            augmentation.fit(x)
        split = arguments.get("validation_split", 0.0)
        pipeline = idg_tfdata.index_batches(x, y, sample_weight=w, validation_split=split, **flow)
        return list(pipeline.map(augmentation))

    reference, mine = batches(theirs), batches(ours)
    if isinstance(mine, Exception) and "not reproduced" in str(mine):
        event("refused")
        assert isinstance(mine, ValueError)
        return
    if isinstance(reference, Exception):
        event(f"IDG raises {type(reference).__name__}")
        assert isinstance(mine, Exception), f"IDG raised {reference!r}, the module ran"
        return
    assert not isinstance(mine, Exception), repr(mine)
    event("compared")
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert len(a) == len(b)
        for ours_part, idg_part in zip(a, b, strict=True):
            assert ours_part.shape == idg_part.shape and ours_part.dtype == idg_part.dtype
            if compare_values:
                scale = max(1.0, float(np.abs(idg_part).max(initial=0.0)))
                np.testing.assert_allclose(ours_part, idg_part, rtol=0, atol=1e-4 * scale)


@configured(25)
@given(case=cases(DETERMINISTIC_ARGUMENTS))
def test_deterministic_configurations_give_idg_values(idg_tfdata, legacy, case) -> None:
    check(idg_tfdata, legacy, case, compare_values=True)


@configured(10)
@given(case=cases({**RANDOM_ARGUMENTS, **DETERMINISTIC_ARGUMENTS}))
def test_random_configurations_refused_or_batched_like_idg(idg_tfdata, legacy, case) -> None:
    check(idg_tfdata, legacy, case, compare_values=False)

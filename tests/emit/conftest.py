"""Helpers for the augmentation emitter's tests: run emitted source, build the real IDG."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

import pytest

from migrator.model import AugmentSpec, ShiftRange


def _shift_argument(shift: ShiftRange) -> Any:
    if not shift.active:
        return 0.0
    if shift.kind == "uniform":
        return shift.values[0]
    return list(shift.values)


def idg_arguments(spec: AugmentSpec) -> dict[str, Any]:
    """The ImageDataGenerator(...) keyword arguments a spec was parsed from."""
    return dict(
        featurewise_center=spec.featurewise_center,
        samplewise_center=spec.samplewise_center,
        featurewise_std_normalization=spec.featurewise_std_normalization,
        samplewise_std_normalization=spec.samplewise_std_normalization,
        zca_whitening=spec.zca_whitening,
        zca_epsilon=spec.zca_epsilon,
        rotation_range=spec.rotation_range,
        width_shift_range=_shift_argument(spec.width_shift_range),
        height_shift_range=_shift_argument(spec.height_shift_range),
        brightness_range=spec.brightness_range,
        shear_range=spec.shear_range,
        zoom_range=list(spec.zoom_range),
        channel_shift_range=spec.channel_shift_range,
        fill_mode=spec.fill_mode,
        cval=spec.cval,
        horizontal_flip=spec.horizontal_flip,
        vertical_flip=spec.vertical_flip,
        rescale=spec.rescale,
        data_format=spec.data_format,
        interpolation_order=spec.interpolation_order,
        dtype=spec.dtype,
    )


@pytest.fixture(scope="session")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def run_emitted(tf, tmp_path_factory) -> Callable[..., dict[str, Any]]:
    """Execute emitted source in a fresh namespace holding `tf` (and `extra` names).

    The source is written to a file first so that autograph can read the functions'
    source, as it can in a user's module.
    """
    directory = tmp_path_factory.mktemp("emitted")

    def run(source: str, **extra: Any) -> dict[str, Any]:
        digest = hashlib.sha1(source.encode()).hexdigest()[:16]
        path = directory / f"emitted_{digest}.py"
        path.write_text(source)
        namespace: dict[str, Any] = {"tf": tf, "__name__": f"emitted_{digest}", **extra}
        exec(compile(source, str(path), "exec"), namespace)
        return namespace

    return run


@pytest.fixture(scope="session")
def keras_idg():
    """Keras 3's ImageDataGenerator (what tf.keras resolves to on TF 2.16+)."""
    module = pytest.importorskip("keras.src.legacy.preprocessing.image")

    def make(spec: AugmentSpec, **overrides: Any):
        return module.ImageDataGenerator(**{**idg_arguments(spec), **overrides})

    return make


@pytest.fixture(scope="session")
def tf_keras_idg():
    module = pytest.importorskip("tf_keras.src.preprocessing.image")

    def make(spec: AugmentSpec, **overrides: Any):
        return module.ImageDataGenerator(**{**idg_arguments(spec), **overrides})

    return make

"""The runtime module under test is the text migrate-aug writes (header included),
imported from a file as a user's script imports it; and the real IDGs, the oracles."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from migrator.runtime import runtime_text


def load_module(text: str, directory: Path, name: str = "idg_tfdata") -> ModuleType:
    """Import `text` as the module `name` from a file in `directory` (autograph reads
    the functions' source from the file, as in a user's project)."""
    path = directory / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses/pickling look modules up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tf() -> ModuleType:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="session")
def idg_tfdata(tf, tmp_path_factory) -> ModuleType:
    return load_module(runtime_text(), tmp_path_factory.mktemp("runtime"))


@pytest.fixture(scope="session")
def mutant(tf, tmp_path_factory) -> Callable[[str, str], ModuleType]:
    """The runtime module with one piece of its text replaced (the tests can fail)."""
    directory = tmp_path_factory.mktemp("mutants")
    count = iter(range(1000))

    def make(old: str, new: str) -> ModuleType:
        text = runtime_text()
        assert text.count(old) == 1, old
        return load_module(text.replace(old, new), directory, f"mutant_{next(count)}")

    return make


@pytest.fixture(scope="session")
def legacy() -> ModuleType:
    """Keras 3's IDG module (what tf.keras resolves to on TF 2.16+)."""
    return pytest.importorskip("keras.src.legacy.preprocessing.image")


@pytest.fixture(scope="session")
def tf_keras_legacy() -> ModuleType:
    return pytest.importorskip("tf_keras.src.preprocessing.image")

"""The benchmarks measure migrate-aug's real output: the functions bench/_common.py takes
from the rewritten program must be complete (decorators included: without
`@tf.function(jit_compile=True)` the resample runs unfused, ~10x slower) and valid Python.
No TensorFlow needed."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench_common() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_common", BENCH / "_common.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("config", ["seed", "heavy"])
def test_emitted_functions_are_complete(config: str) -> None:
    common = bench_common()
    source = common.emitted_functions(common.CONFIGS[config])
    tree = ast.parse(source)
    names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"datagen_dataset", "datagen_augment", "datagen_augment_transform"} <= names
    transform = next(n for n in tree.body if getattr(n, "name", "") == "datagen_augment_transform")
    assert [ast.unparse(d) for d in transform.decorator_list] == ["tf.function(jit_compile=True)"]


def test_identity_configuration_has_no_augmentation() -> None:
    common = bench_common()
    source = common.emitted_functions({})
    assert "def datagen_dataset(" in source and "datagen_augment" not in source

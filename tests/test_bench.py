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
    assert names == {"datagen_dataset"}
    # The construction and the pipeline as the call site writes them.
    assert "datagen = idg_tfdata.Augmentation(" in source
    assert "idg_tfdata.index_batches(x_train, y_train, batch_size=batch_size)" in source
    assert ".map(datagen, num_parallel_calls=tf.data.AUTOTUNE)" in source


def test_identity_configuration_has_no_augmentation() -> None:
    common = bench_common()
    source = common.emitted_functions({})
    assert "datagen = idg_tfdata.Augmentation()\n" in source


def bench_pipeline() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_pipeline", BENCH / "pipeline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports no TensorFlow at module level
    return module


def test_memory_split_separates_a_copy_from_a_fixed_overhead() -> None:
    split = bench_pipeline().memory_split
    mb = 2**20
    # A pipeline holding a copy of the data grows byte for byte with it...
    assert split((384 * mb, 400 * mb), (1536 * mb, 1552 * mb)) == (1.0, 16 * mb)
    # ...one holding batches in flight does not, whatever the data size.
    assert split((384 * mb, 300 * mb), (1536 * mb, 300 * mb)) == (0.0, 300 * mb)
    with pytest.raises(ValueError):
        split((384 * mb, 300 * mb), (384 * mb, 310 * mb))


def test_memory_table_reports_both_sizes_slope_and_fixed_part(
    capsys: pytest.CaptureFixture[str],
) -> None:
    mb = 2**20
    small = {
        "idg": {"data_bytes": 100 * mb, "pipeline_bytes": 40 * mb},
        "migrated": {"data_bytes": 100 * mb, "pipeline_bytes": 300 * mb},
        "no_augment": {"error": "exit 1: boom"},
    }
    large = {
        "idg": {"data_bytes": 400 * mb, "pipeline_bytes": 40 * mb},
        "migrated": {"data_bytes": 400 * mb, "pipeline_bytes": 330 * mb},
        "no_augment": {"data_bytes": 400 * mb, "pipeline_bytes": 200 * mb},
    }
    bench_pipeline().memory_table(small, large, (100.0, 400.0))
    lines = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    # variant, MB at each size, slope, fixed MB, peak/data at the larger size
    assert lines["idg"][1:] == ["40", "40", "+0.00", "40", "1.10"]
    assert lines["migrated"][1:] == ["300", "330", "+0.10", "290", "1.82"]
    assert lines["no_augment"][1:] == ["failed"]


def bench_memory() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_memory", BENCH / "memory.py")
    assert spec is not None and spec.loader is not None
    memory = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(memory)
    return memory


def test_memory_bound_is_the_batches_in_flight_plus_a_fifth() -> None:
    memory = bench_memory()
    batch = 24 * 2**20
    # Every pipeline probe says how many batches it holds in flight.
    pipelines = [p for p in memory.PROBES if not p.startswith("xla_")]
    assert sorted(memory.IN_FLIGHT) == sorted(pipelines)
    assert memory.bound_bytes("migrated_bounded", batch, cpus=8) == 4 * batch * 1.2
    assert memory.bound_bytes("migrated_serial", batch, cpus=8) == 2 * batch * 1.2
    assert memory.bound_bytes("migrated", batch, cpus=2) == 4 * batch * 1.2  # AUTOTUNE
    assert memory.bound_bytes("xla_batch", batch, cpus=2) is None


def test_bytes_moved_estimate_counts_the_narrow_source() -> None:
    moved = bench_pipeline().moved_bytes
    seed, heavy = bench_common().CONFIGS["seed"], bench_common().CONFIGS["heavy"]
    image = 256 * 256 * 3  # pixels
    # gather (read + write) and resample (read the source, write float32)
    assert moved("migrated", seed, 256) == 3 * 4 * image + 4 * image
    assert moved("migrated_uint8", seed, 256) == 3 * image + 4 * image
    assert moved("migrated", heavy, 256) == 4 * 4 * image + 2 * 2 * 4 * image
    assert moved("augment_only", seed, 256) == 2 * 4 * image  # no gather of the batch
    assert moved("idg", seed, 256) is None

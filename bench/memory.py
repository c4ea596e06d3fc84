"""Where the emitted pipeline's memory goes: probes, each in a fresh child process.

    python bench/memory.py                  # seed configuration, 512 images of 256x256x3
    python bench/memory.py --config heavy

bench/pipeline.py shows that the emitted pipeline's memory does not grow with the data
(its `slope`): it is a fixed overhead. These probes take that overhead apart, measured
as in bench/pipeline.py (`pipeline MB`: peak resident size while iterating minus the
resident size before the pipeline is built, TensorFlow started and the data in memory):

    floor               batches of the same shape that cost nothing to make (tf.fill) through
                        the emitted pipeline's parallel map and prefetch: batches in flight
    floor_serial        the same with num_parallel_calls=1 and prefetch(1): fewer in flight
    no_augment          the emitted pipeline without augmentation (NumPy reads through
                        tf.numpy_function)
    migrated            the emitted pipeline for --config
    migrated_prefetch1  the same, its text edited to prefetch(1) (not AUTOTUNE)
    migrated_serial     the same, its text edited to num_parallel_calls=1 and prefetch(1)
    migrated_mmap       migrated with MALLOC_MMAP_THRESHOLD_=131072: glibc maps every batch
                        and unmaps it when freed, so nothing freed stays cached in its arenas
    migrated_arenas     migrated with MALLOC_ARENA_MAX=2 (fewer per-thread malloc arenas)
    xla_compile         the emitted augmentation alone, compiled and run once on a 1x8x8x3
                        batch: XLA's compiler and runtime, next to no data
    xla_batch           the same on one batch of --batch-size images
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    CONFIGS,
    cpu_description,
    current_rss,
    emitted_functions,
    measure,
    run_child,
    runtime_module,
    table,
)
from pipeline import build, make_images, peak_rss_now, reset_peak_rss  # noqa: E402

PROBES = (
    "floor",
    "floor_serial",
    "no_augment",
    "migrated",
    "migrated_prefetch1",
    "migrated_serial",
    "migrated_mmap",
    "migrated_arenas",
    "xla_compile",
    "xla_batch",
)
# Environment of the probes that change glibc's allocator (read when the process starts).
PROBE_ENV: dict[str, dict[str, str]] = {
    "migrated_mmap": {"MALLOC_MMAP_THRESHOLD_": "131072"},
    "migrated_arenas": {"MALLOC_ARENA_MAX": "2"},
}
PARALLEL, SERIAL = ("num_parallel_calls=tf.data.AUTOTUNE", "num_parallel_calls=1")
PREFETCH = "prefetch(tf.data.AUTOTUNE)"


def edited_source(source: str, *, parallel: bool) -> str:
    """The emitted pipeline's text with one prefetched batch (not AUTOTUNE) and, unless
    `parallel`, one map call at a time."""
    if source.count(PARALLEL) != 1 or source.count(PREFETCH) != 1:
        raise RuntimeError("the emitted pipeline no longer has the parallel map probed here")
    source = source.replace(PREFETCH, "prefetch(1)")
    return source if parallel else source.replace(PARALLEL, SERIAL)


def emitted_namespace(config: dict[str, Any], tf: Any, *, probe: str) -> dict[str, Any]:
    """exec() migrate-aug's output for `config`, edited for the *_prefetch1 and *_serial
    probes (see edited_source)."""
    source = emitted_functions(config)
    if probe.endswith(("_prefetch1", "_serial")):
        source = edited_source(source, parallel=probe.endswith("_prefetch1"))
    namespace: dict[str, Any] = {"tf": tf, "idg_tfdata": runtime_module()}
    exec(compile(source, "<migrate-aug output>", "exec"), namespace)
    return namespace


def serial_floor(x: Any, y: Any, batch_size: int) -> Any:
    import tensorflow as tf

    shape, labels = [batch_size, *x.shape[1:]], tf.constant(y[:batch_size])
    batches = tf.data.Dataset.range(len(x)).batch(batch_size)
    dataset = batches.map(
        lambda index: (tf.fill(shape, tf.cast(index[0], tf.float32)), labels),
        num_parallel_calls=1,
    )
    return dataset.prefetch(1).repeat()


def xla_probe(namespace: dict[str, Any], shape: list[int]) -> int:
    """Peak resident bytes added by compiling and running the augmentation once on `shape`."""
    import tensorflow as tf

    images, seed = tf.zeros(shape), tf.constant([1, 2], tf.int64)
    before = current_rss()
    reset_peak_rss()
    tf.function(namespace["datagen_augment"])(images, seed).numpy()
    return max(peak_rss_now() - before, 0)


def child(arguments: argparse.Namespace) -> None:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    config = CONFIGS[arguments.config]
    probe = arguments.probe
    tf.reduce_sum(tf.ones([8, 8])).numpy()  # the runtime's own memory is not the pipeline's
    if probe.startswith("xla_"):
        namespace = emitted_namespace(config, tf, probe=probe)
        side = 8 if probe == "xla_compile" else arguments.size
        count = 1 if probe == "xla_compile" else arguments.batch_size
        print(json.dumps({"pipeline_bytes": xla_probe(namespace, [count, side, side, 3])}))
        return
    namespace = None
    if probe != "floor" and probe != "floor_serial":  # the codemod's memory is not measured
        augmenting = probe != "no_augment"
        namespace = emitted_namespace(config if augmenting else {}, tf, probe=probe)
    x, y = make_images(arguments.images, arguments.size)
    before = current_rss()
    reset_peak_rss()
    if probe == "floor_serial":
        batches = serial_floor(x, y, arguments.batch_size)
    else:
        variant = probe if probe in ("floor", "no_augment") else "migrated"
        batches = build(variant, config, x, y, arguments.batch_size, namespace)
    rate, _, cpu = measure(batches, arguments.batch_size, warmup=4, seconds=arguments.seconds)
    peak = peak_rss_now()
    result = {"images_per_s": rate, "cpu_per_image": cpu, "pipeline_bytes": peak - before}
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", choices=list(CONFIGS), default="seed")
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--size", type=int, default=256, help="image side (default 256)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0, help="timed seconds per probe")
    parser.add_argument("--probes", default=",".join(PROBES), help="comma-separated")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--probe", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments)
        return

    batch_mb = arguments.batch_size * arguments.size**2 * 3 * 4 / 2**20
    print(
        f"{arguments.config}: {arguments.images} images {arguments.size}x{arguments.size}x3 "
        f"float32, batch {arguments.batch_size} ({batch_mb:.0f} MB); {cpu_description()}"
    )
    rows = []
    for probe in [p for p in arguments.probes.split(",") if p]:
        flags = ["--probe", probe, "--config", arguments.config]
        for name in ("images", "size", "batch_size", "seconds"):
            flags += [f"--{name.replace('_', '-')}", str(getattr(arguments, name))]
        saved = dict(os.environ)
        os.environ.update(PROBE_ENV.get(probe, {}))  # run_child passes os.environ on
        try:
            result = run_child(Path(__file__), flags)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        print(f"  measured {probe}", file=sys.stderr, flush=True)
        if "error" in result:
            rows.append([probe, "failed", "", "", result["error"].splitlines()[-1]])
            continue
        memory = result["pipeline_bytes"] / 2**20
        rate = result.get("images_per_s")
        cpu = result.get("cpu_per_image")
        rows.append(
            [
                probe,
                f"{memory:,.0f}",
                f"{memory / batch_mb:.1f}",
                f"{rate:,.0f}" if rate else "-",
                f"{cpu * 1000:.2f}" if cpu else "-",
            ]
        )
    table(["probe", "pipeline MB", "in batches", "images/s", "CPU ms/img"], rows)


if __name__ == "__main__":
    main()

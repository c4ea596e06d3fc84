"""Where the migrated pipeline's memory goes: probes, each in a fresh child process.

    python bench/memory.py                  # seed configuration, 512 images of 256x256x3
    python bench/memory.py --config heavy

bench/pipeline.py shows that the pipeline's memory does not grow with the data (its
`slope`): it is a fixed overhead. These probes take that overhead apart, measured as in
bench/pipeline.py (`pipeline MB`: peak resident size while iterating minus the resident
size before the pipeline is built, TensorFlow started and the data in memory). The
pipeline is the runtime module's (migrator/runtime/idg_tfdata.py): Augmentation mapped
over index_batches, as a migrated program runs it.

    floor               batches of the same shape that cost nothing to make (tf.fill) through
                        a map with 2 parallel calls and prefetch(2): batches in flight
    floor_serial        the same with num_parallel_calls=1 and prefetch(1): fewer in flight
    no_augment          the runtime's pipeline without augmentation (NumPy reads through
                        tf.numpy_function), AUTOTUNE map and prefetch
    migrated            the runtime's pipeline for --config, AUTOTUNE map and prefetch (as
                        migrated programs run it)
    migrated_bounded    the same with num_parallel_calls=2 and prefetch(2)
    migrated_serial     the same with num_parallel_calls=1 and prefetch(1)
    migrated_mmap       migrated with MALLOC_MMAP_THRESHOLD_=131072: glibc maps every batch
                        and unmaps it when freed, so nothing freed stays cached in its arenas
    migrated_arenas     migrated with MALLOC_ARENA_MAX=2 (fewer per-thread malloc arenas)
    xla_compile         the augmentation alone, compiled and run once on a 1x8x8x3 batch:
                        XLA's compiler and runtime, next to no data
    xla_batch           the same on one batch of --batch-size images

`bound MB` is issue #19's bound for the pipeline's own memory: the batches it holds in
flight, (parallel calls + prefetched batches) x the bytes of one float32 batch, plus
20%. AUTOTUNE is counted as the CPU count for both (tf.data's parallelism stays at or
under it; its prefetch buffer is tuned and may grow past it).
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
    load_runtime,
    measure,
    run_child,
    table,
)
from pipeline import make_images, peak_rss_now, reset_peak_rss  # noqa: E402

PROBES = (
    "floor",
    "floor_serial",
    "no_augment",
    "migrated",
    "migrated_bounded",
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
AUTOTUNE = -1
# (parallel calls, prefetched batches) of each pipeline probe.
IN_FLIGHT: dict[str, tuple[int, int]] = {
    "floor": (2, 2),
    "floor_serial": (1, 1),
    "no_augment": (AUTOTUNE, AUTOTUNE),
    "migrated": (AUTOTUNE, AUTOTUNE),
    "migrated_bounded": (2, 2),
    "migrated_serial": (1, 1),
    "migrated_mmap": (AUTOTUNE, AUTOTUNE),
    "migrated_arenas": (AUTOTUNE, AUTOTUNE),
}


def bound_bytes(probe: str, batch_bytes: int, cpus: int) -> float | None:
    """Issue #19's bound: (parallel calls + prefetched batches) x batch bytes x 1.2."""
    if probe not in IN_FLIGHT:
        return None
    parallel, prefetch = (cpus if n == AUTOTUNE else n for n in IN_FLIGHT[probe])
    return (parallel + prefetch) * batch_bytes * 1.2


def pipeline(probe: str, config: dict[str, Any], x: Any, y: Any, batch_size: int) -> Any:
    """The probe's endless iterable of batches."""
    import tensorflow as tf

    parallel, prefetch = IN_FLIGHT[probe]
    if probe.startswith("floor"):
        shape, labels = [batch_size, *x.shape[1:]], tf.constant(y[:batch_size])
        batches = tf.data.Dataset.range(len(x)).batch(batch_size)
        dataset = batches.map(
            lambda index: (tf.fill(shape, tf.cast(index[0], tf.float32)), labels),
            num_parallel_calls=parallel,
        )
        return dataset.prefetch(prefetch).repeat()
    idg_tfdata = load_runtime()
    datagen = idg_tfdata.Augmentation(**({} if probe == "no_augment" else config))
    dataset = idg_tfdata.index_batches(x, y, batch_size=batch_size)
    dataset = dataset.map(datagen, num_parallel_calls=parallel)
    return dataset.prefetch(prefetch).repeat()


def xla_probe(config: dict[str, Any], shape: list[int]) -> int:
    """Peak resident bytes added by compiling and running the augmentation once on `shape`."""
    import tensorflow as tf

    datagen = load_runtime().Augmentation(**config)
    images, seed = tf.zeros(shape), tf.constant([1, 2], tf.int64)
    before = current_rss()
    reset_peak_rss()
    tf.function(datagen.augment)(images, seed).numpy()
    return max(peak_rss_now() - before, 0)


def child(arguments: argparse.Namespace) -> None:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    config = CONFIGS[arguments.config]
    probe = arguments.probe
    tf.reduce_sum(tf.ones([8, 8])).numpy()  # the runtime's own memory is not the pipeline's
    if probe.startswith("xla_"):
        side = 8 if probe == "xla_compile" else arguments.size
        count = 1 if probe == "xla_compile" else arguments.batch_size
        print(json.dumps({"pipeline_bytes": xla_probe(config, [count, side, side, 3])}))
        return
    load_runtime()  # importing the module is not the pipeline's memory
    x, y = make_images(arguments.images, arguments.size)
    before = current_rss()
    reset_peak_rss()
    batches = pipeline(probe, config, x, y, arguments.batch_size)
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

    batch_bytes = arguments.batch_size * arguments.size**2 * 3 * 4
    batch_mb = batch_bytes / 2**20
    cpus = os.cpu_count() or 1
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
            rows.append([probe, "failed", "", "", "", "", result["error"].splitlines()[-1]])
            continue
        memory = result["pipeline_bytes"] / 2**20
        bound = bound_bytes(probe, batch_bytes, cpus)
        within = "-" if bound is None else ("yes" if memory <= bound / 2**20 else "no")
        rate = result.get("images_per_s")
        cpu = result.get("cpu_per_image")
        rows.append(
            [
                probe,
                f"{memory:,.0f}",
                "-" if bound is None else f"{bound / 2**20:,.0f}",
                within,
                f"{memory / batch_mb:.1f}",
                f"{rate:,.0f}" if rate else "-",
                f"{cpu * 1000:.2f}" if cpu else "-",
            ]
        )
    headers = ["probe", "pipeline MB", "bound MB", "within", "in batches", "images/s"]
    table([*headers, "CPU ms/img"], rows)


if __name__ == "__main__":
    main()

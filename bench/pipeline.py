"""Input-pipeline throughput and memory: ImageDataGenerator.flow against its replacements.

    python bench/pipeline.py            # both configurations, 512 images of 256x256x3
    python bench/pipeline.py --quick    # fewer images, shorter timing

For the seed configuration (rotation 20, shifts 0.1) and a heavy one (every geometric and
colour argument), it measures, each variant in a fresh child process (so memory and
thread pools do not leak between variants):

    idg             ImageDataGenerator.flow, iterated in Python (the legacy program)
    from_generator  tf.data.Dataset.from_generator wrapping the same flow()
    migrated        the migrated program's pipeline: the runtime module migrate-aug writes
                    (migrator/runtime/idg_tfdata.py), Augmentation mapped over index_batches
    migrated_uint8  the same on the images as uint8 (as from files): the resample reads
                    bytes and casts each pixel it gathers
    keras_layers    tf.data + Keras 3 preprocessing layers (similar, not the same,
                    distributions; no channel shift layer exists), same index shuffling
    augment_only    the runtime's augmentation alone, mapped (as migrated) over one batch
                    held in memory and repeated: the migrated pipeline's ceiling when
                    reading costs nothing (the resample's gathers, XLA on the CPU)
    no_augment      the runtime's pipeline for ImageDataGenerator() (no augmentation):
                    the limit of the data path (shuffle, gather, batch)
    floor           a tf.data pipeline of batches of the same shape that computes nothing
                    (tf.fill), with the emitted pipeline's parallel map and prefetch: what
                    holding batches in flight costs any parallel pipeline

Images/s are steady-state (warm-up batches untimed, then batches for --seconds); the ratio
is to idg measured in the same run. `CPU ms/img` is the child's CPU time (all threads) per
image over the same batches: on a busy machine images/s mostly measures the other
processes, CPU time per image much less so (idg uses one core, tf.data all of them).

Memory: `pipeline MB` is the peak resident set size while the pipeline runs minus the
resident size just before it is built (TensorFlow imported and its runtime started, the
data already in memory, the codemod already run); `peak/data` is (data + pipeline MB) /
data. What the process held before, data excluded (Python and TensorFlow, ~650 MB in
every variant), is printed under the table, not counted. Part of pipeline MB is fixed
(batches in flight, XLA's compiler) and part may grow with the data (a copy of it would):
so idg, migrated and no_augment are measured again on --scale times the images (default
4: 1.5 GB), and a second table splits pipeline MB into `slope` (extra bytes per byte of
data, from the two sizes; ~0 when only indices are shuffled, ~1 for a copy) and
`fixed MB` (the rest, whatever the data size). bench/memory.py takes the fixed part apart.

`est. MiB/img` estimates the memory traffic of the data path per image from the
pipeline's structure (not measured): each full pass over an image's bytes, read or
written, counts (see `moved_bytes`).
"""

from __future__ import annotations

import argparse
import json
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
    run_variants,
    table,
)

VARIANTS = (
    "idg",
    "from_generator",
    "migrated",
    "migrated_uint8",
    "keras_layers",
    "augment_only",
    "no_augment",
    "floor",
)
# Measured at two data sizes to split their memory into a data-proportional and a fixed part.
SCALED_VARIANTS = ("idg", "migrated", "no_augment")


def reset_peak_rss() -> None:
    """Reset the kernel's peak-RSS counter (Linux >= 4.0), so the peak is the pipeline's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def peak_rss_now() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def make_images(count: int, size: int, dtype: str = "float32") -> tuple[Any, Any]:
    """Images with 0..255 integer values, filled in chunks (no transient copy)."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = np.empty((count, size, size, 3), dtype)
    for start in range(0, count, 64):
        chunk = x[start : start + 64]
        chunk[...] = rng.integers(0, 256, size=chunk.shape, dtype=np.uint8)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=count)]
    return x, y


def keras_layers(config: dict[str, Any]) -> Any:
    """The nearest Keras 3 preprocessing layers for `config` (not bit-identical to IDG)."""
    import keras

    fill = config.get("fill_mode", "nearest")
    layers: list[Any] = []
    if config.get("rotation_range"):
        layers.append(keras.layers.RandomRotation(config["rotation_range"] / 360, fill_mode=fill))
    if config.get("width_shift_range") or config.get("height_shift_range"):
        layers.append(
            keras.layers.RandomTranslation(
                config.get("height_shift_range", 0.0),
                config.get("width_shift_range", 0.0),
                fill_mode=fill,
            )
        )
    if config.get("shear_range"):
        layers.append(keras.layers.RandomShear(x_factor=0.2, y_factor=0.2, fill_mode=fill))
    if config.get("zoom_range"):
        zoom = config["zoom_range"]
        layers.append(keras.layers.RandomZoom(zoom, zoom, fill_mode=fill))
    flips = [m for m, on in (("horizontal", config.get("horizontal_flip")),
                             ("vertical", config.get("vertical_flip"))) if on]  # fmt: skip
    if flips:
        layers.append(keras.layers.RandomFlip("_and_".join(flips)))
    if config.get("brightness_range"):
        low, high = config["brightness_range"]
        layers.append(keras.layers.RandomBrightness((low - 1, high - 1), value_range=(0, 255)))
    return keras.Sequential(layers)


# Colour transforms of the heavy configuration that each read and write the float image.
COLOUR_PASSES = ("channel_shift_range", "brightness_range")


def moved_bytes(variant: str, config: dict[str, Any], size: int) -> float | None:
    """Estimated bytes read and written per image by the data path (None: not estimated).

    migrated: the NumPy gather of the batch (read and write the source dtype), the
    resample (read the source dtype once, write float32), two passes (read, write) per
    colour transform; no_augment: the gather and the cast; floor: the fill's write.
    XLA's fused loop reads each source pixel's neighbours from cache, not memory."""
    pixels = size * size * 3
    if variant in ("migrated", "migrated_uint8"):
        source = pixels * (1 if variant == "migrated_uint8" else 4)
        colour = sum(2 * 4 * pixels for key in COLOUR_PASSES if config.get(key))
        return 2 * source + source + 4 * pixels + colour
    if variant == "augment_only":  # the resample and colour alone, no gather of the batch
        colour = sum(2 * 4 * pixels for key in COLOUR_PASSES if config.get(key))
        return 4 * pixels + 4 * pixels + colour
    if variant == "no_augment":
        return 2 * 4 * pixels  # gather of float32; the cast to float32 is then free
    if variant == "floor":
        return 4 * pixels
    return None


def memory_split(small: tuple[int, int], large: tuple[int, int]) -> tuple[float, float]:
    """(slope, fixed bytes) of the line through two (data bytes, pipeline bytes) points:
    the pipeline's memory that grows with the data, per data byte, and what remains."""
    (data_small, memory_small), (data_large, memory_large) = small, large
    if data_large == data_small:
        raise ValueError("two different data sizes are needed")
    slope = (memory_large - memory_small) / (data_large - data_small)
    return slope, memory_small - slope * data_small


def build(
    variant: str, config: dict[str, Any], x: Any, y: Any, batch_size: int, emitted: Any = None
) -> Any:
    """An iterable of (images, labels) batches, endless. `emitted`: unused (kept for
    bench/memory.py's callers)."""
    import tensorflow as tf

    if variant in ("idg", "from_generator"):
        from tensorflow.keras.preprocessing.image import ImageDataGenerator

        datagen = ImageDataGenerator(**config)
        if variant == "idg":
            return datagen.flow(x, y, batch_size=batch_size)
        signature = (
            tf.TensorSpec((None, *x.shape[1:]), tf.float32),
            tf.TensorSpec((None, y.shape[1]), tf.float32),
        )
        return tf.data.Dataset.from_generator(
            lambda: datagen.flow(x, y, batch_size=batch_size), output_signature=signature
        )
    if variant in ("migrated", "migrated_uint8", "no_augment"):
        idg_tfdata = load_runtime()
        datagen = idg_tfdata.Augmentation(**({} if variant == "no_augment" else config))
        dataset = idg_tfdata.index_batches(x, y, batch_size=batch_size)
        dataset = dataset.map(datagen, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE).repeat()
    if variant == "augment_only":
        idg_tfdata = load_runtime()
        datagen = idg_tfdata.Augmentation(**config)
        batch = tf.data.Dataset.from_tensors((x[:batch_size], y[:batch_size])).repeat()
        seeds = tf.data.Dataset.random(seed=0).batch(2, drop_remainder=True)
        dataset = tf.data.Dataset.zip((batch, seeds))
        dataset = dataset.map(datagen, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE)
    if variant == "floor":
        shape, labels = [batch_size, *x.shape[1:]], tf.constant(y[:batch_size])

        def fill(first: Any) -> tuple[Any, Any]:
            return tf.fill(shape, tf.cast(first, tf.float32)), labels

        batches = tf.data.Dataset.range(len(x)).batch(batch_size)
        dataset = batches.map(lambda index: fill(index[0]), num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE).repeat()
    if variant == "keras_layers":
        augment = keras_layers(config)
        images, labels = tf.convert_to_tensor(x), tf.convert_to_tensor(y)
        indices = tf.data.Dataset.range(len(x)).shuffle(len(x), reshuffle_each_iteration=True)

        def load(index: Any) -> tuple[Any, Any]:
            return augment(tf.gather(images, index), training=True), tf.gather(labels, index)

        dataset = indices.batch(batch_size).map(load, num_parallel_calls=tf.data.AUTOTUNE)
        return dataset.prefetch(tf.data.AUTOTUNE).repeat()
    raise ValueError(variant)


def child(arguments: argparse.Namespace) -> None:
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    config = CONFIGS[arguments.config]
    tf.reduce_sum(tf.ones([8, 8])).numpy()  # the runtime's own memory is not the pipeline's
    emitted = None
    if arguments.variant in ("migrated", "migrated_uint8", "augment_only", "no_augment"):
        load_runtime()  # importing the module is not the pipeline's memory either
    dtype = "uint8" if arguments.variant == "migrated_uint8" else "float32"
    x, y = make_images(arguments.images, arguments.size, dtype)
    before = current_rss()
    reset_peak_rss()
    batches = build(arguments.variant, config, x, y, arguments.batch_size, emitted)
    warmup = 1 if arguments.variant in ("idg", "from_generator") else 4
    rate, timed, cpu = measure(
        batches, arguments.batch_size, warmup=warmup, seconds=arguments.seconds
    )
    peak = peak_rss_now()
    print(
        json.dumps(
            {
                "images_per_s": rate,
                "batches": timed,
                "cpu_per_image": cpu,
                "data_bytes": int(x.nbytes + y.nbytes),
                "pipeline_bytes": max(peak - before, 0),
                # Python, TensorFlow (and the codemod for migrated): in every variant alike
                "runtime_bytes": before - int(x.nbytes + y.nbytes),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="256 images, 2 s per variant")
    parser.add_argument("--images", type=int, help="dataset size (default 512, quick 256)")
    parser.add_argument("--size", type=int, default=256, help="image side (default 256)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, help="timed seconds per variant (default 5)")
    parser.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated")
    parser.add_argument(
        "--scale",
        type=int,
        default=4,
        help="measure idg, migrated and no_augment again on SCALE times the images for the "
        "memory split (default 4; 0 or 1: skip)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    arguments.images = arguments.images or (256 if arguments.quick else 512)
    arguments.seconds = arguments.seconds or (2.0 if arguments.quick else 5.0)
    if arguments.child:
        child(arguments)
        return

    configs = list(CONFIGS) if arguments.config == "all" else [arguments.config]
    variants = [v for v in arguments.variants.split(",") if v]
    image_mb = arguments.images * arguments.size**2 * 3 * 4 / 2**20
    print(
        f"{arguments.images} images {arguments.size}x{arguments.size}x3 float32 "
        f"({image_mb:.0f} MB), batch {arguments.batch_size}; {cpu_description()}"
    )
    flags: dict[str, object] = {
        "images": arguments.images,
        "size": arguments.size,
        "batch-size": arguments.batch_size,
        "seconds": arguments.seconds,
    }
    scaled = [v for v in variants if v in SCALED_VARIANTS] if arguments.scale > 1 else []
    for config in configs:
        print(f"\n{config}: {CONFIGS[config]}")
        results = run_variants(Path(__file__), variants, config, flags)
        large = flags | {"images": arguments.images * arguments.scale}
        scaled_results = run_variants(Path(__file__), scaled, config, large) if scaled else {}
        base = results.get("idg", {}).get("images_per_s")
        base_cpu = results.get("idg", {}).get("cpu_per_image", 0) * 1000
        rows = []
        for variant, result in results.items():
            if "error" in result:
                error = result["error"].splitlines()[-1]
                rows.append([variant, "failed", "", "", "", "", "", error, ""])
                continue
            rate = result["images_per_s"]
            data = result["data_bytes"]
            cpu_ms = result["cpu_per_image"] * 1000
            moved = moved_bytes(variant, CONFIGS[config], arguments.size)
            rows.append(
                [
                    variant,
                    f"{rate:,.0f}",
                    f"{rate / base:.1f}x" if base else "-",
                    f"{cpu_ms:.2f}",
                    f"{base_cpu / cpu_ms:.1f}x" if base_cpu else "-",
                    str(result["batches"]),
                    f"{result['pipeline_bytes'] / 2**20:,.0f}",
                    f"{(data + result['pipeline_bytes']) / data:.2f}",
                    "-" if moved is None else f"{moved / 2**20:.2f}",
                ]
            )
        headers = ["variant", "images/s", "vs idg", "CPU ms/img", "vs idg", "batches"]
        table([*headers, "pipeline MB", "peak/data", "est. MiB/img"], rows)
        runtime = [r["runtime_bytes"] / 2**20 for r in results.values() if "runtime_bytes" in r]
        if runtime:
            span = f"{min(runtime):,.0f}-{max(runtime):,.0f} MB"
            print(f"not counted: resident before the pipeline, data excluded (Python, TF): {span}")
        if scaled_results:
            print()
            memory_table(results, scaled_results, (image_mb, image_mb * arguments.scale))


def memory_table(
    small: dict[str, dict[str, Any]],
    large: dict[str, dict[str, Any]],
    image_mb: tuple[float, float],
) -> None:
    """pipeline MB at both data sizes (`image_mb`, the images' MB), split into slope (bytes
    per data byte) and fixed MB."""
    rows = []
    for variant, result in large.items():
        if "error" in result or "error" in small.get(variant, {"error": ""}):
            rows.append([variant, "failed", "", "", "", ""])
            continue
        points = [(r["data_bytes"], r["pipeline_bytes"]) for r in (small[variant], result)]
        slope, fixed = memory_split(points[0], points[1])
        data, memory = points[1]
        rows.append(
            [
                variant,
                *(f"{m / 2**20:,.0f}" for _, m in points),
                f"{slope:+.2f}",
                f"{fixed / 2**20:,.0f}",
                f"{(data + memory) / data:.2f}",
            ]
        )
    small_mb, large_mb = (f"{mb:,.0f} MB" for mb in image_mb)
    headers = ["memory by data size", f"MB at {small_mb}", f"MB at {large_mb}"]
    table([*headers, "slope", "fixed MB", f"peak/data at {large_mb}"], rows)


if __name__ == "__main__":
    main()

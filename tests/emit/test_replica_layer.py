"""The layer `--augment-on replica` emits: the host placement's augmentation, run inside the
model, only in training, in float32 whatever the precision policy."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from migrator.api import Options, migrate_source

PROGRAM = """\
import tensorflow as tf
{imports}from tensorflow.keras.preprocessing.image import ImageDataGenerator

model = {keras}.Sequential([{keras}.layers.Flatten(), {keras}.layers.Dense(2)])
datagen = ImageDataGenerator({arguments})
model.fit(datagen.flow(x, y, batch_size=8), epochs=1)
"""


def emitted_definitions(arguments: str, placement: str, keras: str = "tf.keras") -> str:
    """The module-level functions and classes migrate-aug emits for the program."""
    imports = "" if keras == "tf.keras" else f"import {keras}\n"
    source = PROGRAM.format(imports=imports, keras=keras, arguments=arguments)
    options = Options(rewrite_without_strategy=True, augment_on=placement)
    new = migrate_source(source, "program.py", options).new_source
    lines = new.splitlines()
    parts = []
    for node in ast.parse(new).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            parts.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def build(run_emitted) -> Callable[..., dict[str, Any]]:
    def make(arguments: str, placement: str = "replica", keras: str = "tf.keras") -> dict:
        extra = {}
        if keras == "tf_keras":
            extra["tf_keras"] = pytest.importorskip("tf_keras")
        return run_emitted(emitted_definitions(arguments, placement, keras), **extra)

    return make


def images(count: int = 16, size: int = 12) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(count, size, size, 3)).astype("float32")


SEED = "rotation_range=20, width_shift_range=0.1, height_shift_range=0.1"


def test_the_augmentation_is_the_host_placements(tf, build) -> None:
    replica, host = build(SEED), build(SEED, "host")
    # Same function text: the layer calls exactly what the host pipeline would have called.
    replica_code, host_code = (
        emitted_definitions(SEED, "replica"),
        emitted_definitions(SEED, "host"),
    )
    augment = replica_code[replica_code.index("def datagen_augment_parameters") :]
    augment = augment[: augment.index("def datagen_dataset")]
    assert augment in host_code
    # And the same values for the same seed: the layer's fresh seed is a plain draw.
    x = tf.constant(images())
    layer = replica["DatagenAugmentation"]()
    tf.random.set_seed(3)
    augmented = layer(x, training=True)
    tf.random.set_seed(3)
    seed = tf.random.uniform([2], 0, 2**62, tf.int64)
    expected = host["datagen_augment"](x, seed)
    np.testing.assert_array_equal(augmented.numpy(), expected.numpy())
    assert not np.array_equal(augmented.numpy(), x.numpy())


def test_inactive_outside_training(tf, build) -> None:
    layer = build(SEED)["DatagenAugmentation"]()
    x = tf.constant(images())
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x.numpy())


def test_flip_then_standardize_per_image_as_idg(tf, build, keras_idg) -> None:
    """Each image is IDG's standardization of the image or of its mirror image, about half
    of them mirrored, and each call draws new flips."""
    from migrator.model import AugmentSpec

    spec = AugmentSpec(
        horizontal_flip=True, samplewise_center=True, samplewise_std_normalization=True
    )
    idg = keras_idg(spec)
    layer = build(
        "horizontal_flip=True, samplewise_center=True, samplewise_std_normalization=True"
    )["DatagenAugmentation"]()
    x = images(64)
    first = layer(tf.constant(x), training=True).numpy()
    second = layer(tf.constant(x), training=True).numpy()
    flipped = []
    for index, image in enumerate(first):
        plain = idg.standardize(x[index].copy())
        mirrored = idg.standardize(x[index][:, ::-1].copy())
        errors = [np.abs(image - plain).max(), np.abs(image - mirrored).max()]
        assert min(errors) < 1e-5, errors
        flipped.append(errors[1] < errors[0])
    assert 16 <= sum(flipped) <= 48  # Binomial(64, 0.5): outside has probability < 1e-4
    assert not np.array_equal(first, second)


def test_computes_in_float32_under_mixed_precision(tf, build) -> None:
    keras = pytest.importorskip("keras")
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = build(SEED)["DatagenAugmentation"]()
        assert layer.compute_dtype == "float32"
        out = layer(tf.constant(images(4)), training=True)
        assert out.dtype == tf.float32
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_tf_keras_model(tf, build) -> None:
    namespace = build("vertical_flip=True", keras="tf_keras")
    tf_keras = namespace["tf_keras"]
    cls = namespace["DatagenAugmentation"]
    assert issubclass(cls, tf_keras.layers.Layer)
    model = tf_keras.Sequential([tf_keras.Input((12, 12, 3)), cls()])
    x = images(32)
    np.testing.assert_array_equal(model(x).numpy(), x)
    trained = model(x, training=True).numpy()
    mirrored = [np.array_equal(t, s[::-1]) for t, s in zip(trained, x, strict=True)]
    kept = [np.array_equal(t, s) for t, s in zip(trained, x, strict=True)]
    assert all(m or k for m, k in zip(mirrored, kept, strict=True)) and any(mirrored)


REPLICAS_SCRIPT = """
import os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
path = sys.argv[1]
namespace = {"tf": tf, "__name__": "emitted"}
exec(compile(open(path).read(), path, "exec"), namespace)
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    layer = namespace["DatagenAugmentation"]()
x = tf.constant(np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32") * 255)
for jit in (False, True):  # Keras 3 compiles fit's train step with XLA where it can
    step = tf.function(lambda images: layer(images, training=True), jit_compile=jit)
    run = tf.function(lambda images: strategy.run(step, args=(images,)))
    first, second = (
        [v.numpy() for v in strategy.experimental_local_results(run(x))] for _ in range(2)
    )
    print(jit, np.array_equal(first[0], first[1]), np.array_equal(first[0], second[0]))
"""


def test_replicas_and_steps_draw_their_own_transforms(tmp_path) -> None:
    """Inside a distributed step, each replica augments its images with its own random
    parameters (IDG draws per image: identical halves would correlate them), and every step
    draws anew, with or without XLA. The same images go to both replicas here."""
    import subprocess
    import sys

    pytest.importorskip("tensorflow")
    emitted = tmp_path / "emitted.py"
    emitted.write_text(emitted_definitions("rotation_range=40", "replica"))
    script = tmp_path / "replicas.py"
    script.write_text(REPLICAS_SCRIPT)
    completed = subprocess.run(
        [sys.executable, str(script), str(emitted)], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.split()
    # per jit setting: replicas equal?, consecutive steps equal?
    assert lines == ["False", "False", "False", "True", "False", "False"], completed.stdout

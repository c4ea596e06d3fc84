"""--augment-on replica: where the layer goes, when the augmentation must stay on the host,
and the option's plumbing (CLI, config). No TensorFlow here (tests/emit/test_replica_layer.py
runs the emitted layer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.api import Options, migrate_source
from migrator.cli import main

# --all: most snippets train without a strategy (MA002), which is rewritten the same way
REPLICA = Options(augment_on="replica", rewrite_without_strategy=True)
HOST = Options(rewrite_without_strategy=True)

HEADER = """\
import numpy as np
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
"""

SEQUENTIAL = (
    HEADER
    + """\
with strategy.scope():
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=(8, 8, 3)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(2),
        ]
    )
    model.compile(loss="mse")
datagen = ImageDataGenerator(rotation_range=10)
model.fit(datagen.flow(x, y, batch_size=4), epochs=1)
"""
)


def migrated(source: str, options: Options = REPLICA) -> tuple[str, str]:
    """(new source, the MA001 message)."""
    result = migrate_source(source, "program.py", options)
    messages = [d.message for d in result.diagnostics if d.code in ("MA001", "MA002")]
    assert len(messages) == 1, result.diagnostics
    return result.new_source, messages[0]


def test_sequential_gets_the_layer_after_its_input() -> None:
    new, message = migrated(SEQUENTIAL)
    assert (
        "            tf.keras.Input(shape=(8, 8, 3)),\n"
        "            idg_tfdata.augmentation_layer(datagen),\n"
        "            tf.keras.layers.Flatten(),\n"
    ) in new
    # The augmentation exists when the model's layer is built: its construction moved
    # before the model.
    assert new.index("datagen = idg_tfdata.Augmentation(rotation_range=10)") < new.index(
        "with strategy.scope():"
    )
    # The host pipeline no longer augments: it casts.
    assert ".map(datagen.cast, num_parallel_calls=tf.data.AUTOTUNE)" in new
    assert ".map(datagen, " not in new
    assert "layer added at the input of `model`" in message
    assert "registered as serializable" in message


def test_host_is_the_default() -> None:
    new, message = migrated(SEQUENTIAL, HOST)
    assert "augmentation_layer" not in new
    assert ".map(datagen, num_parallel_calls=tf.data.AUTOTUNE)" in new
    assert "replica" not in message and "host pipeline" not in message


def test_running_twice_changes_nothing() -> None:
    new, _ = migrated(SEQUENTIAL)
    again = migrate_source(new, "program.py", REPLICA)
    assert again.new_source == new
    assert not again.diagnostics


def test_sequential_without_input_takes_the_layer_first() -> None:
    source = SEQUENTIAL.replace("            tf.keras.Input(shape=(8, 8, 3)),\n", "")
    new, _ = migrated(source)
    assert (
        "        [\n            idg_tfdata.augmentation_layer(datagen),\n            tf.keras.layers.Flatten(),"
        in new
    )


def test_one_line_sequential_keeps_its_layout() -> None:
    source = HEADER + (
        "model = tf.keras.Sequential([tf.keras.layers.InputLayer((8, 8, 3)), tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(horizontal_flip=True)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
    )
    new, _ = migrated(source)
    assert (
        "tf.keras.Sequential([tf.keras.layers.InputLayer((8, 8, 3)), idg_tfdata.augmentation_layer(datagen), "
        "tf.keras.layers.Dense(2)])"
    ) in new


def test_functional_model_reads_the_augmented_input() -> None:
    source = HEADER + (
        "inputs = tf.keras.Input((8, 8, 3))\n"
        "x = tf.keras.layers.Flatten()(inputs)\n"
        "outputs = tf.keras.layers.Dense(2)(x)\n"
        "model = tf.keras.Model(inputs, outputs)\n"
        "datagen = ImageDataGenerator(zoom_range=0.1)\n"
        "model.fit(datagen.flow(x_train, y_train), epochs=1)\n"
    )
    new, _ = migrated(source)
    assert (
        "inputs = tf.keras.Input((8, 8, 3))\n"
        "inputs_augmented = idg_tfdata.augmentation_layer(datagen)(inputs)\n"
        "x = tf.keras.layers.Flatten()(inputs_augmented)\n"
    ) in new
    assert "model = tf.keras.Model(inputs, outputs)" in new  # the model's input is unchanged


@pytest.mark.parametrize(
    ("imports", "sequential", "namespace"),
    [
        ("import keras\n", "keras.Sequential", "keras"),
        ("import tf_keras\n", "tf_keras.Sequential", "tf_keras"),
        ("from tensorflow.keras.models import Sequential\n", "Sequential", "tf.keras"),
        ("from tensorflow import keras\n", "keras.models.Sequential", "keras"),
    ],
)
def test_the_layer_uses_the_files_keras(imports: str, sequential: str, namespace: str) -> None:
    source = (
        HEADER
        + imports
        + (
            f"model = {sequential}([tf.keras.layers.Dense(2)])\n"
            "datagen = ImageDataGenerator(vertical_flip=True)\n"
            "model.fit(datagen.flow(x, y), epochs=1)\n"
        )
    )
    new, _ = migrated(source)
    keras = "" if namespace == "tf.keras" else f", keras={namespace}"
    assert f"idg_tfdata.augmentation_layer(datagen{keras})" in new


FALLBACKS = {
    "validation": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), validation_data=datagen.flow(xv, yv), epochs=1)\n",
        "also feeds validation_data",
    ),
    "evaluate": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
        "model.evaluate(datagen.flow(xv, yv))\n",
        "also feeds evaluate()",
    ),
    "trains_elsewhere": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
        "model.fit(x2, y2, epochs=1)\n",
        "also trains at line",
    ),
    "two_generators": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "first = ImageDataGenerator(rotation_range=10)\n"
        "second = ImageDataGenerator(zoom_range=0.1)\n"
        "model.fit(first.flow(x, y), epochs=1)\n"
        "model.fit(second.flow(x, y), epochs=1)\n",
        "also trains at line",
    ),
    "custom_loop": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
        "logits = model(x, training=True)\n",
        "cannot check against an added layer",
    ),
    "layers_list": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "model.layers[0].trainable = False\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "cannot check against an added layer",
    ),
    "built_elsewhere": (
        "model = build_model()\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "is built by `build_model(...)`",
    ),
    "loaded": (
        'model = tf.keras.models.load_model("m.keras")\n'
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "not by a Keras Sequential",
    ),
    "rebound": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(3)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "bound more than once",
    ),
    "added_layers": (
        "model = tf.keras.Sequential()\n"
        "model.add(tf.keras.layers.Dense(2))\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "cannot check against an added layer",
    ),
    "input_shape_argument": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2, input_shape=(4,))])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "start the list with `Input(shape=...)`",
    ),
    "no_random_transform": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rescale=1 / 255)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "no random transform",
    ),
    "float64": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        'datagen = ImageDataGenerator(rotation_range=10, dtype="float64")\n'
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "dtype='float64'",
    ),
    "flow_seed": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y, seed=42), epochs=1)\n",
        "reproducible from that seed",
    ),
    "model_in_another_scope": (
        "model = tf.keras.Sequential([tf.keras.layers.Dense(2)])\n"
        "def train():\n"
        "    datagen = ImageDataGenerator(rotation_range=10)\n"
        "    model.fit(datagen.flow(x, y), epochs=1)\n",
        "the model is built at module level, outside `train()` where the generator is built",
    ),
    "model_returned": (
        # A training function that returns its model: the caller could train it again.
        "def train():\n"
        "    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Dense(2)])\n"
        "    datagen = ImageDataGenerator(rotation_range=10)\n"
        "    model.fit(datagen.flow(x, y), epochs=1)\n"
        "    return model\n",
        "`model` is returned at line",
    ),
    "helper_model_generator_in_main": (
        # The common script shape: main() builds the generator, a module-level helper the model.
        "def build_model():\n"
        "    return tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Dense(2)])\n"
        "def main():\n"
        "    model = build_model()\n"
        "    datagen = ImageDataGenerator(rotation_range=10)\n"
        "    model.fit(datagen.flow(x, y), epochs=1)\n",
        "built in `build_model()`, outside `main()` where the generator is built, so a layer "
        "there could not reach the generator's emitted functions; build the ImageDataGenerator "
        "at module level",
    ),
    "self_model": (
        "class Trainer:\n"
        "    def run(self):\n"
        "        datagen = ImageDataGenerator(rotation_range=10)\n"
        "        self.model.fit(datagen.flow(x, y), epochs=1)\n",
        "is not a plain name",
    ),
    "functional_input_reused": (
        "inputs = tf.keras.Input((4,))\n"
        "encoder = tf.keras.Model(inputs, tf.keras.layers.Dense(3)(inputs))\n"
        "model = tf.keras.Model(inputs, tf.keras.layers.Dense(2)(inputs))\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "also the input of another model",
    ),
    "bare_name_without_module_import": (
        "model = Sequential([Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "not by a Keras Sequential",
    ),
}


@pytest.mark.parametrize("case", sorted(FALLBACKS))
def test_unsafe_placements_keep_the_augmentation_on_the_host(case: str) -> None:
    body, reason = FALLBACKS[case]
    source = HEADER + body
    result = migrate_source(source, "program.py", REPLICA)
    host = migrate_source(source, "program.py", HOST)
    assert result.changed
    # Still a faithful rewrite, exactly the host placement's, with the reason said.
    assert result.new_source == host.new_source
    assert "augmentation_layer(" not in result.new_source
    messages = [d.message for d in result.diagnostics if d.code in ("MA001", "MA002")]
    assert messages and all("augmentation kept in the host pipeline" in m for m in messages)
    assert any(reason in m for m in messages), messages


def test_keras_module_imported_only_by_name_is_reported() -> None:
    source = HEADER.replace(
        "import tensorflow as tf\n", "import tensorflow as tf\nfrom keras import Sequential\n"
    ) + (
        "model = Sequential([tf.keras.layers.Dense(2)])\n"
        "datagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
    )
    _, message = migrated(source)
    assert "the Keras module is not imported under a name" in message


# -- the option's plumbing ---------------------------------------------------------------
def write_program(directory: Path) -> Path:
    path = directory / "train.py"
    path.write_text(SEQUENTIAL)
    return path


def test_cli_flag(tmp_path: Path) -> None:
    path = write_program(tmp_path)
    result = CliRunner().invoke(main, ["--diff", "--augment-on", "replica", str(path)])
    assert result.exit_code == 1, result.output
    assert "+            idg_tfdata.augmentation_layer(datagen)," in result.output


def test_cli_rejects_an_unknown_placement(tmp_path: Path) -> None:
    path = write_program(tmp_path)
    result = CliRunner().invoke(main, ["--diff", "--augment-on", "gpu", str(path)])
    assert result.exit_code == 2
    assert "'gpu' is not one of 'host', 'replica'" in result.output


def test_help_explains_the_option() -> None:
    result = CliRunner().invoke(main, ["run", "--help"])
    assert "--augment-on [host|replica]" in result.output


def test_config_key_and_flag_override(tmp_path: Path) -> None:
    path = write_program(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.migrate-aug]\naugment-on = "replica"\n')
    configured = CliRunner().invoke(main, ["--diff", str(path)])
    assert "idg_tfdata.augmentation_layer(datagen)" in configured.output
    overridden = CliRunner().invoke(main, ["--diff", "--augment-on", "host", str(path)])
    assert overridden.exit_code == 1
    assert "augmentation_layer" not in overridden.output


def test_config_rejects_a_bad_value_in_one_line(tmp_path: Path) -> None:
    path = write_program(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.migrate-aug]\naugment-on = "gpu"\n')
    result = CliRunner().invoke(main, ["--diff", str(path)])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line]
    assert len(errors) == 1
    assert '`augment-on` must be "host" or "replica", got \'gpu\'' in errors[0]


def test_bench_replica_variant_is_the_tools_output() -> None:
    """bench/fit.py's `replica` variant runs what `--augment-on replica` emits."""
    import ast
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "_common.py"
    spec = importlib.util.spec_from_file_location("bench_common", path)
    assert spec is not None and spec.loader is not None
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    source = common.emitted_functions(common.CONFIGS["seed"], "replica")
    tree = ast.parse(source)
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert functions == ["datagen_dataset", "DatagenAugmentation"]
    assert "return idg_tfdata.augmentation_layer(datagen)" in source
    # The host pipeline does not augment: it casts.
    assert ".map(datagen.cast, " in source and ".map(datagen, " not in source


def test_verify_flag_migrates_with_the_command_lines_options() -> None:
    """`migrate-aug --verify --augment-on replica` hands its migration options on."""
    from migrator.verify.command import coerce_options

    options = coerce_options(REPLICA)
    assert options.migrate is REPLICA


HELPER = (
    HEADER
    + """\
def build_model(classes):
    net = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Dense(classes)])
    net.compile(loss="mse")
    return net


with strategy.scope():
    model = build_model(2)
datagen = ImageDataGenerator(rotation_range=10)
model.fit(datagen.flow(x, y), epochs=1)
"""
)


def test_model_built_by_a_helper_of_the_file() -> None:
    new, message = migrated(HELPER)
    # The class is defined once, before the helper; the helper's list takes the layer.
    assert new.index("datagen = idg_tfdata.Augmentation(") < new.index("def build_model(classes):")
    assert (
        "[tf.keras.Input((8, 8, 3)), idg_tfdata.augmentation_layer(datagen), tf.keras.layers.Dense(classes)]"
        in new
    )
    assert "added at the input of `model`" in message


def test_generator_at_module_level_with_model_built_in_main() -> None:
    # What the fallback message above advises: the generator moved to module level gets
    # the layer in the helper even though the model is built and fitted inside main().
    source = HELPER.replace(
        "with strategy.scope():\n    model = build_model(2)\ndatagen = ImageDataGenerator(rotation_range=10)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n",
        "datagen = ImageDataGenerator(rotation_range=10)\ndef main():\n"
        "    with strategy.scope():\n        model = build_model(2)\n"
        "    model.fit(datagen.flow(x, y), epochs=1)\n",
    )
    assert "def main():" in source
    new, message = migrated(source)
    assert "idg_tfdata.augmentation_layer(datagen), tf.keras.layers.Dense(classes)]" in new
    assert "added at the input of `model`" in message


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            (
                "    model = build_model(2)\n",
                "    model = build_model(2)\nother = build_model(3)\n",
            ),
            "used more than once",
        ),
        (
            ('    net.compile(loss="mse")\n', '    net.compile(loss="mse")\n    net.fit(a, b)\n'),
            "also trains",
        ),
        (
            ("    return net\n", "    if classes:\n        return net\n    return None\n"),
            "does not end in its only `return`",
        ),
    ],
)
def test_helpers_that_cannot_be_followed(change: tuple[str, str], reason: str) -> None:
    _, message = migrated(HELPER.replace(*change))
    assert "augmentation kept in the host pipeline" in message
    assert reason in message


def test_functional_helper() -> None:
    source = HEADER + (
        "def build():\n"
        "    inputs = tf.keras.Input((8, 8, 3))\n"
        "    outputs = tf.keras.layers.Dense(2)(tf.keras.layers.Flatten()(inputs))\n"
        "    return tf.keras.Model(inputs, outputs)\n"
        "model = build()\n"
        "datagen = ImageDataGenerator(zoom_range=0.1)\n"
        "model.fit(datagen.flow(x, y), epochs=1)\n"
    )
    new, _ = migrated(source)
    assert "    inputs_augmented = idg_tfdata.augmentation_layer(datagen)(inputs)\n" in new
    assert "tf.keras.layers.Flatten()(inputs_augmented)" in new

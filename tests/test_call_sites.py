"""The call sites on the runtime module (plan/rewrite.py, plan/chains.py): what the
construction, fit and each flow become, where a pipeline goes (in place, hoisted before
the statement, or inline where hoisting would change what runs when), the runtime's
import under each option, and FileResult.needs_runtime. No TensorFlow here."""

from __future__ import annotations

import pytest

from migrator.api import Options, migrate_source

HEAD = """import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
datagen = ImageDataGenerator(horizontal_flip=True)
"""
CHAIN = (
    "    idg_tfdata.index_batches(x, y)\n"
    "    .map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
    "    .prefetch(tf.data.AUTOTUNE)\n"
)


def migrated(body: str) -> str:
    result = migrate_source(HEAD + body, "m.py")
    assert [d.code for d in result.diagnostics] == ["MA001"], result.diagnostics
    assert result.needs_runtime
    return result.new_source[result.new_source.index("datagen = ") :]


def test_the_construction_keeps_its_arguments_and_fit_stays() -> None:
    source = HEAD.replace(
        "ImageDataGenerator(horizontal_flip=True)",
        "ImageDataGenerator(\n    featurewise_center=True,  # from the data\n    **extra,\n)",
    ).replace("datagen = ", "extra = dict(rotation_range=5)\ndatagen = ")
    result = migrate_source(source + "datagen.fit(x)\nmodel.fit(datagen.flow(x, y))\n", "m.py")
    assert (
        "datagen = idg_tfdata.Augmentation(\n    featurewise_center=True,  # from the data\n"
        "    **extra,\n)\ndatagen.fit(x)\n"
    ) in result.new_source


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # an argument of a simple statement: hoisted, the statement keeps its length
        (
            "model.fit(x=datagen.flow(x, y), epochs=1)\n",
            f"datagen_batches = (\n{CHAIN})\nmodel.fit(x=datagen_batches, epochs=1)\n",
        ),
        # an assigned value: in place
        ("train = datagen.flow(x, y)\nmodel.fit(train)\n", f"train = (\n{CHAIN})\n"),
        # a comprehension, an `if` test: inline, evaluated where it was
        (
            "results = [model.fit(datagen.flow(x, y)) for _ in range(2)]\n",
            f"results = [model.fit((\n{CHAIN})) for _ in range(2)]\n",
        ),
        ("if model.fit(datagen.flow(x, y)):\n    pass\n", f"if model.fit((\n{CHAIN})):\n"),
        # two statements on a line: hoisting would run the pipeline before the first
        ("a = 1; model.fit(datagen.flow(x, y))\n", f"a = 1; model.fit((\n{CHAIN}))\n"),
    ],
)
def test_where_the_pipeline_goes(body: str, expected: str) -> None:
    assert expected in migrated(body)


def test_two_flows_in_one_statement_are_hoisted_in_order() -> None:
    new = migrated("history = model.fit(datagen.flow(x, y), validation_data=datagen.flow(v, w))\n")
    assert new.index("datagen_batches = (") < new.index("datagen_batches_2 = (")
    assert "idg_tfdata.index_batches(v, w)" in new
    assert "history = model.fit(datagen_batches, validation_data=datagen_batches_2)\n" in new


def test_a_statements_comment_introduces_the_hoisted_pipeline() -> None:
    new = migrated("\n# Train.\nmodel.fit(datagen.flow(x, y))\n")
    assert f"\n# Train.\ndatagen_batches = (\n{CHAIN})\nmodel.fit(datagen_batches)\n" in new


def test_subset_passes_the_generator_and_ignore_class_split_is_kept() -> None:
    source = HEAD.replace("horizontal_flip=True", "validation_split=0.2")
    body = "model.fit(datagen.flow(x, y, subset='training', ignore_class_split=True))\n"
    result = migrate_source(source + body, "m.py")
    assert (  # the arguments on one line where they fit, as ruff puts them
        "    idg_tfdata.index_batches(\n"
        "        x, y, subset='training', ignore_class_split=True, generator=datagen\n    )\n"
    ) in result.new_source


def test_inlined_runtime_names_are_unqualified_and_not_imported() -> None:
    result = migrate_source(
        HEAD + "model.fit(datagen.flow(x, y))\n", "m.py", Options(inline_runtime=True)
    )
    assert result.needs_runtime
    assert "idg_tfdata" not in result.new_source
    assert "datagen = Augmentation(horizontal_flip=True)" in result.new_source
    assert "    index_batches(x, y)\n" in result.new_source


def test_a_package_runtime_is_imported_from_its_package() -> None:
    options = Options(runtime_import="pkg.sub.idg_tfdata")
    result = migrate_source(HEAD + "model.fit(datagen.flow(x, y))\n", "m.py", options)
    assert result.new_source.startswith(
        "import tensorflow as tf\n\nfrom pkg.sub import idg_tfdata\n\nstrategy = "
    )
    assert "datagen = idg_tfdata.Augmentation(" in result.new_source


def test_tensorflow_is_imported_when_the_file_has_no_import_of_it() -> None:
    source = (
        "import keras\n"
        "from keras.preprocessing.image import ImageDataGenerator\n\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "datagen = ImageDataGenerator(horizontal_flip=True)\n"
        "model.fit(datagen.flow(x, y))\n"
    )
    result = migrate_source(source, "m.py", Options(rewrite_without_strategy=True))
    assert result.new_source.startswith(
        "import keras\nimport tensorflow as tf\n\nimport idg_tfdata\n"
    )
    assert ".prefetch(tf.data.AUTOTUNE)" in result.new_source


def test_nothing_rewritten_needs_no_runtime() -> None:
    result = migrate_source(HEAD + "model.fit(datagen.flow(x, y) if big else other)\n", "m.py")
    assert not result.changed and not result.needs_runtime


def test_featurewise_statistics_must_be_fitted_before_the_pipeline_is_built() -> None:
    # The Augmentation reads mean/std when `.map(datagen)` is traced: when the pipeline is
    # built. A flow before the fit would read no statistics: refused, the source kept.
    source = HEAD.replace("horizontal_flip=True", "featurewise_center=True")
    body = "train = datagen.flow(x, y)\ndatagen.fit(x)\nmodel.fit(train)\n"
    result = migrate_source(source + body, "m.py")
    assert not result.changed
    assert [d.code for d in result.diagnostics] == ["MA106"]
    assert "before its flows" in result.diagnostics[0].message


def test_a_file_flows_class_mode_known_only_at_run_time_is_refused() -> None:
    # "input" needs `.map(idg_tfdata.images_as_targets)` after the augmentation, the other
    # modes do not: the chain to write depends on the value.
    body = "model.fit(datagen.flow_from_directory('d', class_mode=os.environ['MODE']))\n"
    result = migrate_source("import os\n" + HEAD + body, "m.py")
    assert not result.changed
    assert [d.code for d in result.diagnostics] == ["MA101"]
    assert "class_mode is not a literal" in result.diagnostics[0].message

"""`**name` in `.flow(...)` (issue #17, item 3): a keyword dict bound once in reach is
expanded for the analysis, as flow_from_directory's is, and the call site keeps the user's
`**name` where the dataset function takes every key."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from migrator.api import Options, migrate_source

RUNNER = Path(__file__).resolve().parent.parent / "run_programs.py"

PROGRAM = """import numpy as np
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

BATCH = 16
x_train = np.zeros((64, 16, 16, 3), "float32")
y_train = np.zeros((64, 3), "float32")
datagen = ImageDataGenerator(rotation_range=10, horizontal_flip=True)
flow_kwargs = dict(batch_size=BATCH, shuffle=True)
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential(
        [tf.keras.Input((16, 16, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)]
    )
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
train = datagen.flow(x_train, y_train, **flow_kwargs)
model.fit(train, epochs=1, steps_per_epoch=len(train))
"""


def test_a_known_flow_keyword_dict_is_migrated_and_passed_on() -> None:
    result = migrate_source(PROGRAM, "train.py")
    assert [(d.code, d.fixable) for d in result.diagnostics] == [("MA001", True)]
    ast.parse(result.new_source)
    assert "datagen.flow(" not in result.new_source
    assert "train = (\n    idg_tfdata.index_batches(x_train, y_train, **flow_kwargs)\n" in (
        result.new_source
    )


def test_the_migrated_program_runs_under_two_replicas(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    path = tmp_path / "train.py"
    path.write_text(migrate_source(PROGRAM, "train.py").new_source)
    completed = subprocess.run(
        [sys.executable, str(RUNNER), str(path)], capture_output=True, text=True, timeout=300
    )
    records = [json.loads(x[7:]) for x in completed.stdout.splitlines() if x.startswith("RESULT ")]
    assert records, completed.stderr[-3000:]
    assert records[0]["ok"], records[0]["error"]
    assert records[0]["replicas"] == 2


def test_a_merged_dict_literal_is_followed_too() -> None:
    source = PROGRAM.replace(
        "flow_kwargs = dict(batch_size=BATCH, shuffle=True)",
        'base = {"batch_size": BATCH}\nflow_kwargs = {**base, "shuffle": False, "seed": 3}',
    )
    result = migrate_source(source, "train.py")
    assert [d.code for d in result.diagnostics] == ["MA001"] and result.changed


def test_a_key_the_dataset_function_does_not_take_is_refused_at_the_dict() -> None:
    source = PROGRAM.replace("shuffle=True)", 'shuffle=True, save_format="jpeg")')
    result = migrate_source(source, "train.py")
    assert result.new_source == source
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.column) == ("MA104", 16, 42)
    assert "`**flow_kwargs` carries `save_format`" in diagnostic.message


def test_a_dict_that_is_not_known_is_refused_as_before() -> None:
    source = PROGRAM.replace(
        "flow_kwargs = dict(batch_size=BATCH, shuffle=True)",
        "flow_kwargs = dict(batch_size=BATCH)\nflow_kwargs.update(shuffle=True)",
    )
    result = migrate_source(source, "train.py")
    assert result.new_source == source
    assert [d.code for d in result.diagnostics] == ["MA104"]
    assert "argument unpacking" in result.diagnostics[0].message


TEMPLATE = """import tensorflow as tf


class Evaluation:
    def __init__(self, config):
        self.config = config

    def _valid_generator(self):
        datagenerator_kwargs = dict(rescale=1.0 / 255, validation_split=0.30)
        dataflow_kwargs = dict(
            target_size=self.config.params_image_size[:-1],
            batch_size=self.config.params_batch_size,
            interpolation="bilinear",
        )
        valid_datagenerator = tf.keras.preprocessing.image.ImageDataGenerator(
            **datagenerator_kwargs
        )
        self.valid_generator = valid_datagenerator.flow_from_directory(
            directory=self.config.training_data,
            subset="validation",
            shuffle=False,
            **dataflow_kwargs,
        )

    def evaluation(self):
        self.model = tf.keras.models.load_model(self.config.path_of_model)
        self._valid_generator()
        self.score = self.model.evaluate(self.valid_generator)
"""


def test_a_dict_of_the_config_s_values_is_followed_in_the_class_template() -> None:
    # The cnnClassifier template (hundreds of forks): the dict's values are expressions,
    # built once; `**dataflow_kwargs` passes exactly them on to the dataset function.
    result = migrate_source(TEMPLATE, "stage_04_model_evaluation.py")
    assert [d.code for d in result.diagnostics] == ["MA002"]
    rewritten = migrate_source(TEMPLATE, "stage.py", Options(rewrite_without_strategy=True))
    assert [(d.code, d.fixable) for d in rewritten.diagnostics] == [("MA002", True)]
    ast.parse(rewritten.new_source)
    assert "= tf.keras.preprocessing.image.ImageDataGenerator(" not in rewritten.new_source
    assert "valid_datagenerator.flow_from_directory(\n" not in rewritten.new_source
    assert "        **dataflow_kwargs,\n" in rewritten.new_source


def test_a_dropped_key_next_to_run_time_values_is_refused_at_the_dict() -> None:
    # Written out at the call, `self.config.params_batch_size` would be evaluated again
    # there: the dict is passed on as written or not at all.
    source = TEMPLATE.replace(
        'interpolation="bilinear",', 'interpolation="bilinear", save_format="png",'
    )
    result = migrate_source(source, "stage.py", Options(rewrite_without_strategy=True))
    assert result.new_source == source
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line) == ("MA104", 22)
    assert "`**dataflow_kwargs` carries `save_format`" in diagnostic.message

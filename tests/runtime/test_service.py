"""The tf.data service mode: a script starts a DispatchServer and two WorkerServers on
localhost (in its own process), builds the runtime's pipeline with `service=` and
trains from `served(...)` under MirroredStrategy with 2 logical CPUs. The workers do
the reading and augmenting (no numpy_function on that path); each epoch delivers every
sample once, the two workers each a share."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from migrator.runtime import runtime_text
from tests.cluster import LOCAL_SERVICE
from tests.programs import marked, run_program

COUNT, BATCH, EPOCHS = 40, 8, 2
# Image i is filled with the value i (rotation and shifts of a constant image with
# fill_mode="nearest" keep it constant): the mean of an image names it.
PROGRAM = (
    """
import json
import socket

import numpy as np
import tensorflow as tf

import idg_tfdata
"""
    + LOCAL_SERVICE
    + f"""
x = np.repeat(np.arange({COUNT}, dtype="uint8"), 48).reshape({COUNT}, 4, 4, 3)
y = np.eye(2, dtype="float32")[np.arange({COUNT}) % 2]
datagen = idg_tfdata.Augmentation(rotation_range=20, width_shift_range=0.1)
AUTOTUNE = tf.data.AUTOTUNE
train = idg_tfdata.index_batches(x, y, batch_size={BATCH}, service=dispatcher.target)
train = idg_tfdata.served(train.map(datagen, num_parallel_calls=AUTOTUNE))


def ids(images):
    return sorted(int(round(float(v))) for v in tf.reduce_mean(images, [1, 2, 3]))


epochs = [[i for images, _ in train for i in ids(images)] for _ in range({EPOCHS})]

trained = []


def note(values):
    trained[-1].extend(int(round(float(v))) for v in values)
    return np.float32(0)


class RecordImages(tf.keras.layers.Layer):
    def call(self, images):
        done = tf.numpy_function(note, [tf.reduce_mean(images, [1, 2, 3])], tf.float32)
        return images + 0 * tf.ensure_shape(done, [])


class Epochs(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        trained.append([])


strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential(
        [tf.keras.Input((4, 4, 3)), RecordImages(), tf.keras.layers.Flatten(),
         tf.keras.layers.Dense(2)]
    )
    model.compile(optimizer="sgd", loss=tf.keras.losses.CategoricalCrossentropy(True))
model.fit(train.prefetch(AUTOTUNE), epochs={EPOCHS}, callbacks=[Epochs()], verbose=0)
print("SERVED " + json.dumps({{"epochs": epochs, "trained": trained,
                               "replicas": strategy.num_replicas_in_sync}}))
"""
)


def run(program: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(program.parent), *sys.path]))
    _, stdout = run_program(program, env=env)
    return marked(stdout, "SERVED ")


@pytest.mark.slow
def test_pipeline_trains_from_the_service_each_sample_once_per_epoch(tf, tmp_path: Path) -> None:
    (tmp_path / "idg_tfdata.py").write_text(runtime_text())
    program = tmp_path / "train.py"
    program.write_text(PROGRAM)
    result = run(program)
    assert result["replicas"] == 2
    everything = list(range(COUNT))
    assert [sorted(epoch) for epoch in result["epochs"]] == [everything] * EPOCHS
    assert [sorted(epoch) for epoch in result["trained"]] == [everything] * EPOCHS


def test_served_needs_a_pipeline_built_for_the_service(idg_tfdata) -> None:
    import numpy as np

    plain = idg_tfdata.index_batches(np.zeros((4, 2, 2, 1), "float32"), batch_size=2)
    with pytest.raises(ValueError, match="built for the tf.data service"):
        idg_tfdata.served(plain, "grpc://localhost:1")


def test_served_arrays_past_the_graph_limit_raise(idg_tfdata, monkeypatch) -> None:
    import numpy as np

    monkeypatch.setattr(idg_tfdata, "SERVED_BYTES", 1000)
    with pytest.raises(ValueError, match="directory_files or dataframe_files"):
        idg_tfdata.index_batches(np.zeros((4, 16, 16, 1), "float32"), service="grpc://h:1")


def test_served_pipeline_has_no_python_call(idg_tfdata, tf) -> None:
    """Nothing on the served path calls back into this process: no py_func in the
    dataset's graph (index_batches' own in-memory path uses one)."""
    import numpy as np

    x = np.zeros((4, 2, 2, 1), "float32")

    def ops(dataset) -> set[str]:
        graph = tf.compat.v1.GraphDef.FromString(dataset._as_serialized_graph().numpy())
        functions = [node for f in graph.library.function for node in f.node_def]
        return {node.op for node in [*graph.node, *functions]}

    python_calls = {"EagerPyFunc", "PyFunc", "PyFuncStateless"}
    datagen = idg_tfdata.Augmentation(rotation_range=10)
    served = idg_tfdata.index_batches(x, batch_size=2, service="grpc://h:1").map(datagen)
    assert not python_calls & ops(served)
    plain = idg_tfdata.index_batches(x, batch_size=2).map(datagen)
    assert python_calls & ops(plain)

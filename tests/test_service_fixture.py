"""The in-memory fixture migrated with --tf-data-service (fixtures/service_in_memory) runs
against a live tf.data service: a DispatchServer and two WorkerServers in the program's
process on localhost, the fixture's address replaced by the dispatcher's. The program
trains under MirroredStrategy with 2 logical CPUs (tests/run_programs.py), and its one
epoch delivers every sample once: what the training steps see is recorded at the model's
input (each image is filled with its index, as in tests/runtime/test_service.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrator.api import migrate_source
from tests.cluster import LOCAL_SERVICE
from tests.fixture_cases import FIXTURES, Case, read
from tests.programs import marked, run_program

CASE = Case("service_in_memory", FIXTURES / "service_in_memory")
FIXTURE_ADDRESS = "grpc://dispatcher:5050"
COUNT = 64  # the fixture's images

HARNESS = (
    """
import json
import os
import runpy
import socket

import numpy as np
import tensorflow as tf

import idg_tfdata

"""
    + LOCAL_SERVICE
    + """
# The images the training steps see, recorded by a layer put first in the program's model
# (as tests/runtime/test_service.py's model records them); and the calls of served().
trained, served_calls = [], []
serve, Sequential = idg_tfdata.served, tf.keras.Sequential


def note(values):
    trained.extend(int(round(float(v))) for v in values)
    return np.float32(0)


class RecordImages(tf.keras.layers.Layer):
    def call(self, images):
        done = tf.numpy_function(note, [tf.reduce_mean(images, [1, 2, 3])], tf.float32)
        return images + 0 * tf.ensure_shape(done, [])


def recording(layers, *args, **kwargs):
    return Sequential([layers[0], RecordImages(), *layers[1:]], *args, **kwargs)


def counted(*args, **kwargs):
    served_calls.append(1)
    return serve(*args, **kwargs)


tf.keras.Sequential, idg_tfdata.served = recording, counted
program, address = os.environ["SERVICE_PROGRAM"], os.environ["SERVICE_ADDRESS"]
with open(program, encoding="utf-8") as handle:
    source = handle.read().replace(address, dispatcher.target)
with open(program, "w", encoding="utf-8") as handle:
    handle.write(source)
namespace = runpy.run_path(program, run_name="__main__")
print("SERVED " + json.dumps({
    "trained": trained,
    "served": len(served_calls),
    "replicas": namespace["strategy"].num_replicas_in_sync,
}))
"""
)


@pytest.mark.slow
def test_migrated_fixture_trains_from_the_service_each_sample_once(tmp_path: Path) -> None:
    pytest.importorskip("tensorflow")
    migrated = migrate_source(read(CASE.input), "input.py", CASE.options).new_source
    assert FIXTURE_ADDRESS in migrated and "idg_tfdata.served(" in migrated
    (tmp_path / "program.py").write_text(migrated)
    harness = tmp_path / "harness.py"
    harness.write_text(HARNESS)
    # run_programs.py runs the harness with no arguments: it reads them from the environment.
    env = dict(
        os.environ,
        SERVICE_PROGRAM=str(tmp_path / "program.py"),
        SERVICE_ADDRESS=FIXTURE_ADDRESS,
    )
    _, stdout = run_program(harness, env=env)
    result = marked(stdout, "SERVED ")
    assert result["served"] == 1 and result["replicas"] == 2
    # The one epoch of training saw every sample once, served by the two workers.
    assert sorted(result["trained"]) == list(range(COUNT))

"""--tf-data-service: which pipelines are handed to the service and how the call sites
read, in files, with the inlined runtime and in notebooks (the fixtures service_* show
whole programs)."""

from __future__ import annotations

import pytest

from migrator.api import Options, migrate_source
from migrator.notebook import migrate_notebook
from tests.fixture_cases import FIXTURES, read
from tests.test_notebook import training_notebook

ADDRESS = "grpc://dispatcher:5050"
SERVED = Options(rewrite_without_strategy=True, tf_data_service=ADDRESS)
PROGRAM = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

datagen = ImageDataGenerator(horizontal_flip=True)
model.fit(datagen.flow(x, y, batch_size=8{shuffle}), epochs=1)
"""


@pytest.mark.parametrize(
    ("shuffle", "served"),
    [
        ("", True),
        (", shuffle=True", True),
        (", shuffle=False", False),
        (", shuffle=s", False),
        (", **dict(shuffle=False)", False),
    ],
)
def test_only_shuffled_pipelines_are_served(shuffle: str, served: bool) -> None:
    """The service's workers interleave their shares: an order the program may rely on
    (shuffle=False, or not known to be True) stays with a local pipeline."""
    result = migrate_source(PROGRAM.format(shuffle=shuffle), "train.py", SERVED)
    assert result.changed
    assert ("idg_tfdata.served(" in result.new_source) is served
    assert (f'service="{ADDRESS}"' in result.new_source) is served


def test_served_call_site_prefetches_on_the_client() -> None:
    result = migrate_source(PROGRAM.format(shuffle=""), "train.py", SERVED)
    assert (
        "datagen_batches = idg_tfdata.served(\n"
        f'    idg_tfdata.index_batches(x, y, batch_size=8, service="{ADDRESS}").map(\n'
        "        datagen, num_parallel_calls=tf.data.AUTOTUNE\n"
        "    )\n"
        ").prefetch(tf.data.AUTOTUNE)\n"
    ) in result.new_source
    again = migrate_source(result.new_source, "train.py", SERVED)
    assert again.new_source == result.new_source


def test_inlined_runtime_calls_served_unqualified() -> None:
    options = Options(rewrite_without_strategy=True, tf_data_service=ADDRESS, inline_runtime=True)
    result = migrate_source(PROGRAM.format(shuffle=""), "train.py", options)
    assert "datagen_batches = served(\n    index_batches(" in result.new_source
    assert "idg_tfdata" not in result.new_source


def test_notebook_cells_get_served_pipelines() -> None:
    first = migrate_notebook(training_notebook(), "nb.ipynb", SERVED)
    assert "idg_tfdata.served(" in first.new_source
    assert f'service=\\"{ADDRESS}\\"' in first.new_source  # in the cell's JSON string
    second = migrate_notebook(first.new_source, "nb.ipynb", SERVED)
    assert not second.changed


def test_on_the_replicas_only_the_reading_is_served() -> None:
    """--augment-on replica: the workers read, the batches travel in the data's dtype
    (uint8 images at a quarter of float32's bytes) and are cast on the training host."""
    source = read(FIXTURES / "replica_sequential" / "input.py")
    options = Options(augment_on="replica", tf_data_service=ADDRESS)
    result = migrate_source(source, "train.py", options)
    assert (
        "    idg_tfdata.served(\n"
        "        idg_tfdata.index_batches(\n"
        f'            x_train, y_train, batch_size=16, service="{ADDRESS}"\n'
        "        )\n"
        "    )\n"
        "    .map(datagen.cast, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "    .prefetch(tf.data.AUTOTUNE)\n"
    ) in result.new_source
    assert "idg_tfdata.augmentation_layer(" in result.new_source

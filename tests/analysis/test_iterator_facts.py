"""What programs read from IDG's iterators survives the rewrite, or blocks it (MA109)."""

from __future__ import annotations

from migrator.api import Options, migrate_source

HEAD = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
datagen = ImageDataGenerator(horizontal_flip=True)
"""


def migrate(body: str) -> tuple[str, list[str]]:
    result = migrate_source(HEAD + body, "m.py", Options())
    return result.new_source, [d.code for d in result.diagnostics]


def test_flow_n_and_default_batch_size() -> None:
    source, codes = migrate(
        "x_train, y_train = load()\n"
        "gen = datagen.flow(x_train, y_train)\n"
        "model.fit(gen, steps_per_epoch=gen.n // gen.batch_size)\n"
    )
    assert codes == ["MA001"]
    assert "steps_per_epoch=len(x_train) // 32)" in source
    assert "model.fit(gen, steps_per_epoch=len(x_train) // 32)" in source


def test_flow_n_of_a_rebound_array_is_refused() -> None:
    body = (
        "x_train = load()\n"
        "gen = datagen.flow(x_train, y_train, batch_size=8)\n"
        "x_train = x_train[:10]\n"
        "model.fit(gen, steps_per_epoch=gen.n // 8)\n"
    )
    source, codes = migrate(body)
    assert source == HEAD + body and codes == ["MA109"]


def test_directory_facts_are_attached_only_when_read() -> None:
    plain, _ = migrate("model.fit(datagen.flow_from_directory('d'), epochs=1)\n")
    # No facts read: one chain, the file dataset not kept under a name of its own.
    assert "    idg_tfdata.directory_files('d', generator=datagen)\n    .map(datagen," in plain
    source, codes = migrate(
        "gen = datagen.flow_from_directory('d', shuffle=False)\n"
        "gen.reset()\n"
        "print(model.predict(gen).argmax(1) == gen.classes, gen.filenames)\n"
    )
    assert codes == ["MA003"]
    # The file dataset keeps the user's name (the fact reads stay as written); the
    # consumer reads the augmented pipeline.
    assert "gen = idg_tfdata.directory_files('d', shuffle=False, generator=datagen)" in source
    assert "gen_batches = gen.map(datagen, num_parallel_calls=tf.data.AUTOTUNE)" in source
    assert "model.predict(gen_batches).argmax(1) == gen.classes, gen.filenames)" in source
    assert "gen.reset()" not in source


def test_assigning_or_calling_the_iterator_is_still_refused() -> None:
    for use in ("gen.batch_size = 4\n", "print(gen.reset())\n", "gen.on_epoch_end()\n"):
        body = f"gen = datagen.flow_from_directory('d')\n{use}model.fit(gen)\n"
        source, codes = migrate(body)
        assert source == HEAD + body and codes == ["MA105"], use

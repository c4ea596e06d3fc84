"""MA006: no import of Keras 2's `keras.preprocessing.image.ImageDataGenerator` survives a
migration; it is removed when every use is rewritten, moved to TensorFlow's path otherwise."""

from __future__ import annotations

from migrator.api import Options, migrate_source
from migrator.rules import RULES_BY_CODE


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_an_import_without_any_use_moves() -> None:
    # Nothing to migrate, but the import alone fails on Keras 3.
    source = "from keras.preprocessing.image import ImageDataGenerator\n"
    result = migrate_source(source, "m.py", Options())
    assert (
        result.new_source == "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    )
    assert codes(result) == ["MA006"]
    assert result.diagnostics[0].message.startswith(
        "`keras.preprocessing.image` has no ImageDataGenerator in Keras 3: imported from "
    )


def test_alias_other_names_and_semicolons_are_kept() -> None:
    source = (
        "import os; from keras.preprocessing.image import load_img, ImageDataGenerator as IDG\n"
        "gen = IDG(preprocessing_function=os.path.basename)\n"
    )
    result = migrate_source(source, "m.py", Options())
    assert result.new_source == (
        "import os; from keras.preprocessing.image import load_img\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator as IDG\n"
        "gen = IDG(preprocessing_function=os.path.basename)\n"
    )


def test_attribute_references_use_the_files_tensorflow_alias() -> None:
    source = (
        "import tensorflow as tfl\n"
        "import keras\n"
        "gen = keras.preprocessing.image.ImageDataGenerator()\n"
        "print(gen)\n"
    )
    result = migrate_source(source, "m.py", Options())
    assert "gen = tfl.keras.preprocessing.image.ImageDataGenerator()\n" in result.new_source
    assert "import tensorflow as tf\n" not in result.new_source
    assert "MA006" in codes(result)


def test_tensorflow_paths_are_left_alone() -> None:
    source = "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
    result = migrate_source(source, "m.py", Options())
    assert result.new_source == source and not result.diagnostics


def test_ignored_rule_changes_nothing() -> None:
    source = "from keras.preprocessing.image import ImageDataGenerator\n"
    select = frozenset(RULES_BY_CODE) - {"MA006"}
    result = migrate_source(source, "m.py", Options(select=select))
    assert result.new_source == source and not result.diagnostics

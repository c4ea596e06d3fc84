"""Name resolution the site finder relies on beyond libcst's qualified names."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.names import star_import_module
from migrator.analysis.sites import SiteFinder


def _module(source: str) -> cst.Module:
    return cst.parse_module(source)


def test_star_import_module_is_the_single_top_level_star_import() -> None:
    source = "import os\nfrom tensorflow.keras.preprocessing.image import *\n"
    assert star_import_module(_module(source)) == "tensorflow.keras.preprocessing.image"


def test_star_import_module_none_when_absent_several_relative_or_nested() -> None:
    assert star_import_module(_module("from a import b\n")) is None
    assert star_import_module(_module("from a import *\nfrom b.c import *\n")) is None
    assert star_import_module(_module("from .image import *\n")) is None
    # Only module-level imports count (a star import inside a function is a SyntaxError
    # anyway; inside `if` it may not run).
    assert star_import_module(_module("if x:\n    from a import *\n")) is None


def _constructions(source: str) -> list[str]:
    finder = SiteFinder(cst.MetadataWrapper(_module(source)))
    return [finder.module.code_for_node(site.construction) for site in finder.find()]


STAR = "from tensorflow.keras.preprocessing.image import *\n"


def test_unbound_name_from_star_import_is_idg() -> None:
    assert _constructions(STAR + "g = ImageDataGenerator(rotation_range=3)\n") == [
        "ImageDataGenerator(rotation_range=3)"
    ]


def test_bound_name_shadows_the_star_import() -> None:
    # A class, an assignment or a parameter of that name is the user's, not IDG.
    assert _constructions(STAR + "class ImageDataGenerator: pass\ng = ImageDataGenerator()\n") == []
    assert _constructions(STAR + "ImageDataGenerator = dict\ng = ImageDataGenerator()\n") == []
    source = STAR + "def f(ImageDataGenerator):\n    return ImageDataGenerator()\n"
    assert _constructions(source) == []


def test_star_import_of_another_module_is_not_idg() -> None:
    assert _constructions("from numpy import *\ng = ImageDataGenerator()\n") == []

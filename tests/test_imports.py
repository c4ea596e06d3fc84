"""migrator.imports against libcst's own import visitors (the behaviour it replaces)."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from migrator.imports import add_module_imports, remove_unused_from_imports

IDG = ("tensorflow.keras.preprocessing.image", "ImageDataGenerator", None)

REMOVALS = {
    "alone": "from tensorflow.keras.preprocessing.image import ImageDataGenerator\nx = 1\n",
    "first of two": (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator, load_img\n"
        "load_img('a')\n"
    ),
    "last of two": (
        "from tensorflow.keras.preprocessing.image import load_img, ImageDataGenerator\n"
        "load_img('a')\n"
    ),
    "still used": (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "g = ImageDataGenerator()\n"
    ),
    "between imports": (
        "import numpy as np\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "import tensorflow as tf\n\nx = np.zeros(1)\n"
    ),
}


def _libcst_remove(source: str, imports: list[tuple[str, str, str | None]]) -> str:
    context = CodemodContext()
    for module_name, obj, asname in imports:
        RemoveImportsVisitor.remove_unused_import(context, module_name, obj, asname)
    return RemoveImportsVisitor(context).transform_module(cst.parse_module(source)).code


@pytest.mark.parametrize("source", REMOVALS.values(), ids=REMOVALS.keys())
def test_removal_matches_libcst(source: str) -> None:
    ours = remove_unused_from_imports(cst.parse_module(source), [IDG]).code
    assert ours == _libcst_remove(source, [IDG])


# Where libcst leaves debris (`import os; `, `(\n    load_img)`), ours is tidier.
TIDIER = {
    "semicolon": (
        "import os; from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "os.getcwd()\n",
        "import os\nos.getcwd()\n",
    ),
    "parenthesized, one left": (
        "from tensorflow.keras.preprocessing.image import (\n"
        "    load_img,\n    ImageDataGenerator,\n)\nload_img('a')\n",
        "from tensorflow.keras.preprocessing.image import load_img\nload_img('a')\n",
    ),
    "parenthesized, two left": (
        "from tensorflow.keras.preprocessing.image import (\n"
        "    load_img,\n    ImageDataGenerator,\n    save_img,\n)\n"
        "load_img('a')\nsave_img('b')\n",
        "from tensorflow.keras.preprocessing.image import (\n"
        "    load_img,\n    save_img,\n)\nload_img('a')\nsave_img('b')\n",
    ),
}


@pytest.mark.parametrize(("source", "expected"), TIDIER.values(), ids=TIDIER.keys())
def test_removal_leaves_no_debris(source: str, expected: str) -> None:
    assert remove_unused_from_imports(cst.parse_module(source), [IDG]).code == expected


def test_alias_is_looked_up_by_its_local_name() -> None:
    source = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator as IDG\n"
        "ImageDataGenerator = 1\n"
    )
    imports = [("tensorflow.keras.preprocessing.image", "ImageDataGenerator", "IDG")]
    ours = remove_unused_from_imports(cst.parse_module(source), imports).code
    assert ours == "ImageDataGenerator = 1\n"


def test_comments_of_a_removed_import_move_to_the_next_statement() -> None:
    source = (
        "# header comment\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "x = 1\n"
    )
    ours = remove_unused_from_imports(cst.parse_module(source), [IDG]).code
    assert ours == "# header comment\nx = 1\n"


ADDITIONS = {
    "after imports": "import numpy as np\n\nx = np.zeros(1)\n",
    "after docstring": '"""Doc."""\nx = 1\n',
    "no imports": "x = 1\n",
    "comment before code": "import numpy as np\n# note\nx = 1\n",
    "already there": "import os\nimport tensorflow as tf\n\nx = 1\n",
    "empty module": "",
}


@pytest.mark.parametrize("source", ADDITIONS.values(), ids=ADDITIONS.keys())
def test_addition_matches_libcst(source: str) -> None:
    wanted = [("tensorflow", "tf"), ("os", None)]
    ours = add_module_imports(cst.parse_module(source), wanted).code
    context = CodemodContext()
    for module_name, asname in wanted:
        AddImportsVisitor.add_needed_import(context, module_name, asname=asname)
    theirs = AddImportsVisitor(context).transform_module(cst.parse_module(source)).code
    assert ours == theirs


def test_skipped_functions_do_not_count_as_uses() -> None:
    source = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n\n"
        "def emitted():\n    return ImageDataGenerator\n"
    )
    module = cst.parse_module(source)
    assert remove_unused_from_imports(module, [IDG]).code == source
    kept = remove_unused_from_imports(module, [IDG], skip_functions={"emitted"}).code
    assert kept.lstrip("\n") == "def emitted():\n    return ImageDataGenerator\n"

"""migrator.imports against libcst's own import visitors (the behaviour it replaces)."""

from __future__ import annotations

import subprocess
import sys

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

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
    "after docstring": '"""Doc."""\n\nx = 1\n',
    "no imports": "x = 1\n",
    "comment before code": "import numpy as np\n\n# note\nx = np.zeros(1)\n",
    "already there": "import os\n\nimport tensorflow as tf\n\nx = os, tf\n",
    "from lines in the section": (
        "import numpy as np\nfrom tensorflow.keras import layers\n\nx = np, layers\n"
    ),
    "stdlib section present": "import sys\n\nimport numpy as np\n\nx = sys, np\n",
    "first party after": "import numpy as np\n\nimport idg_tfdata\n\nx = np, idg_tfdata\n",
    "empty module": "",
}


def test_additions_are_sorted_as_isort_sorts(tmp_path) -> None:
    """Each new import lands where ruff's isort (I001) wants it: its section, its place."""
    wanted = [("tensorflow", "tf"), ("os", None), ("math", None)]
    for number, source in enumerate(ADDITIONS.values()):
        ours = add_module_imports(cst.parse_module(source), wanted).code
        for line in ("import tensorflow as tf", "import os", "import math"):
            assert ours.splitlines().count(line) == 1, ours
        used = ours.rstrip("\n") + "\n\nprint(math, os, tf)\n"
        (tmp_path / f"case_{number}.py").write_text(used)
    (tmp_path / "idg_tfdata.py").write_text("")  # first party, as in users' trees
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "I", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_skipped_functions_do_not_count_as_uses() -> None:
    source = (
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n\n"
        "def emitted():\n    return ImageDataGenerator\n"
    )
    module = cst.parse_module(source)
    assert remove_unused_from_imports(module, [IDG]).code == source
    kept = remove_unused_from_imports(module, [IDG], skip_functions={"emitted"}).code
    assert kept.lstrip("\n") == "def emitted():\n    return ImageDataGenerator\n"


def test_an_attribute_of_the_same_name_is_no_use_of_the_import() -> None:
    image_module = ("keras.preprocessing", "image", None)
    source = (
        "import tensorflow as tf\nfrom keras.preprocessing import image\n"
        "g = tf.keras.preprocessing.image.ImageDataGenerator()\n"
    )
    ours = remove_unused_from_imports(cst.parse_module(source), [image_module]).code
    assert "from keras.preprocessing import image" not in ours

"""--inline (always for notebooks): the runtime's text once at the file's top level
(migrator/runtime_inline.py), recognised, upgraded and refused like a module file.

tests/fake_codemod.py stands in for the codemod's runtime output (not on this branch)."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.options import FileResult, Options
from migrator.runtime import RUNTIME_VERSION as V
from migrator.runtime import header_for, text_hash
from migrator.runtime_inline import END, collapsed, find_block, finish, runtime
from tests.fake_codemod import PROGRAM, fake_codemod  # noqa: F401 - a pytest fixture

pytestmark = pytest.mark.usefixtures("fake_codemod")
INLINE = Options(inline_runtime=True)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["-j", "1", "--isolated", *args])


def migrated(tmp_path: Path, source: str = PROGRAM, name: str = "train.py") -> Path:
    path = tmp_path / name
    path.write_bytes(source.encode())
    result = invoke("--inline", str(path))
    assert result.exit_code == 1, result.output
    return path


def test_the_inlined_text_is_the_module_without_docstring_all_and_imports() -> None:
    inlined = runtime()
    tree = ast.parse(inlined.body)
    assert not any(isinstance(s, ast.Import | ast.ImportFrom) for s in tree.body)
    assert not (isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant))
    assert "__all__" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert {"Augmentation", "index_batches", "directory_files"} <= inlined.names
    assert [name for name, _ in inlined.imports] == [
        "hashlib",
        "inspect",
        "json",
        "os",
        "random",
        "warnings",
        "np",
        "tf",
    ]
    assert inlined.body.startswith("# fmt: off\n") and inlined.body.endswith("# fmt: on\n")


def test_a_python_file_gets_one_copy_after_its_imports(tmp_path: Path) -> None:
    path = migrated(tmp_path)
    text = path.read_text()
    head = text.split(f"# idg_tfdata runtime version {V}, inlined by migrate-aug.\n")[0]
    # Only the imports the file lacks; numpy is the file's own.
    assert head == (
        "import numpy as np\nimport hashlib\nimport inspect\nimport json\nimport os\n"
        "import random\nimport warnings\nimport tensorflow as tf\n\n"
    )
    assert text.endswith(
        f"{END}\n\n\nx = np.zeros((4, 8, 8, 3))\ndatagen = Augmentation(rotation_range=20)\n"
    )
    assert text.count(f"# idg_tfdata runtime version {V}, inlined by migrate-aug.") == 1
    block = find_block(text)
    assert block is not None and block.copy.pristine and block.copy.current
    assert not (tmp_path / "idg_tfdata.py").exists()
    again = invoke("--inline", str(path))
    assert again.exit_code == 0 and path.read_text() == text
    compile(text, str(path), "exec")


def test_the_inlined_file_passes_ruff_but_for_import_order(tmp_path: Path) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is a test dependency")
    path = migrated(tmp_path)
    checked = subprocess.run(
        [ruff, "check", "--isolated", "--select", "E,W,F,B,UP", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
    # `ruff check --fix` sorts the imports; they are outside the copy: it stays pristine.
    subprocess.run([ruff, "check", "--isolated", "--select", "I", "--fix", "-q", str(path)])
    assert invoke("--inline", "--check", str(path)).exit_code == 0


def test_a_docstring_and_a_shebang_stay_first(tmp_path: Path) -> None:
    source = '#!/usr/bin/env python\n"""Train."""\n\n' + PROGRAM
    text = migrated(tmp_path, source).read_text()
    assert text.startswith('#!/usr/bin/env python\n"""Train."""\n\nimport numpy as np\n')
    source = "#!/usr/bin/env python\nx = 1\ndatagen = ImageDataGenerator(rotation_range=20)\n"
    text = migrated(tmp_path, source).read_text()
    assert text.startswith("#!/usr/bin/env python\n\nimport hashlib\n")
    source = '"""Train."""\nx = 1\ndatagen = ImageDataGenerator(rotation_range=20)\n'
    text = migrated(tmp_path, source).read_text()
    assert text.startswith('"""Train."""\n\nimport hashlib\n')
    assert text.endswith(f"{END}\n\n\nx = 1\ndatagen = Augmentation(rotation_range=20)\n")


def test_crlf_files_get_crlf_and_stay_pristine(tmp_path: Path) -> None:
    path = migrated(tmp_path, PROGRAM.replace("\n", "\r\n"))
    data = path.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n")
    block = find_block(data.decode())
    assert block is not None and block.copy.pristine and block.copy.current
    assert invoke("--inline", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("binding", "name"),
    [("def Augmentation():\n    pass\n", "Augmentation"), ("np = None\n", "np")],
)
def test_a_file_binding_a_runtime_name_is_not_migrated(
    tmp_path: Path, binding: str, name: str
) -> None:
    source = PROGRAM + binding
    path = tmp_path / "train.py"
    path.write_text(source)
    result = invoke("--inline", str(path))
    assert result.exit_code == 1 and path.read_text() == source
    line = source[: source.index(binding)].count("\n") + 1
    assert (
        f"{path}:{line}:1: MA007 not migrated: the runtime cannot be inlined here: the file "
        f"binds `{name}` at its top level, which the inlined runtime defines too"
    ) in result.output
    assert f"  help: Rename your `{name}`" in result.output


def test_a_several_name_import_of_a_runtime_import_is_no_clash(tmp_path: Path) -> None:
    """`import os, signal` binds `os` exactly as the runtime's `import os` does (two
    course notebooks in the corpus were refused for it)."""
    source = "import os, signal\n" + PROGRAM + "os.kill(os.getpid(), signal.SIGTERM)\n"
    text = migrated(tmp_path, source).read_text()
    assert find_block(text) is not None and "datagen = Augmentation(" in text
    assert "\nimport os\n" not in text  # the file's own import of it serves the runtime
    clash = "import os.path as os, signal\n" + PROGRAM
    path = tmp_path / "clash.py"
    path.write_text(clash)
    result = invoke("--inline", str(path))
    assert path.read_text() == clash and "binds `os` at its top level" in result.output


def test_the_diff_of_a_new_copy_shows_its_markers_only(tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(PROGRAM)
    diff = invoke("--inline", "--diff", str(path)).stdout
    assert f"+# idg_tfdata runtime version {V}, inlined by migrate-aug.\n" in diff
    assert "+# ... the runtime's " in diff and "lines, not shown in the diff\n" in diff
    assert f"+{END}\n" in diff and "FILL_MODES" not in diff
    assert len(diff.splitlines()) < 30


def _inlined_copy(version: int, body: str) -> str:
    header = header_for(body, version).replace("written by", "inlined by")
    return PROGRAM.replace("datagen = ImageDataGenerator", "datagen = Augmentation").replace(
        "x = np", header + body + END + "\n\n\nx = np"
    )


def test_an_older_unedited_inlined_copy_is_upgraded(tmp_path: Path) -> None:
    old_body = runtime().body.replace("max(count, 1)", "count")
    path = tmp_path / "train.py"
    path.write_text(_inlined_copy(0, old_body))
    result = invoke(str(path))  # without --inline: a copy is found wherever it is
    assert result.exit_code == 1, result.output
    block = find_block(path.read_text())
    assert block is not None and block.copy.current
    line = PROGRAM.count("\n", 0, PROGRAM.index("x = np")) + 1
    assert (
        f"{path}:{line}:1: MA007 inlined runtime `idg_tfdata` version 0 is older than this "
        f"migrate-aug's version {V} and unedited: replaced by version {V}"
    ) in result.output
    assert invoke(str(path)).exit_code == 0


@pytest.mark.parametrize("damage", ["edited", "end marker deleted"])
def test_an_edited_inlined_copy_is_reported_and_left(tmp_path: Path, damage: str) -> None:
    old_body = runtime().body.replace("max(count, 1)", "count")
    text = _inlined_copy(0, old_body)
    if damage == "edited":
        text = text.replace("_SMALL = 16 * 2**20", "_SMALL = 1")
    else:
        text = text.replace(END + "\n", "")
    path = tmp_path / "train.py"
    path.write_text(text)
    result = invoke(str(path))
    assert result.exit_code == 1 and path.read_text() == text
    assert "MA007 inlined runtime `idg_tfdata` version 0 was edited by hand" in result.output


def test_collapsed_keeps_an_upgrade_whole() -> None:
    new = _inlined_copy(1, runtime().body)
    assert "not shown in the diff" in collapsed(PROGRAM, new)
    assert collapsed(new, new) == new


def test_finish_leaves_files_without_the_runtime_alone() -> None:
    result = FileResult(PROGRAM, PROGRAM.replace("20", "30"))
    assert finish(Path("train.py"), result, INLINE) is result
    assert text_hash(runtime().body) in runtime().block


# -- notebooks ------------------------------------------------------------------------------
def _nbformat() -> Any:
    return pytest.importorskip("nbformat")  # a test extra; only these tests need it


def _notebook(tmp_path: Path, *cells: str) -> Path:
    notebook = _nbformat().v4.new_notebook()
    notebook.metadata["kernelspec"] = {"language": "python", "name": "python3", "display_name": "P"}
    notebook.cells = [_nbformat().v4.new_markdown_cell("# Train")] + [
        _nbformat().v4.new_code_cell(cell) for cell in cells
    ]
    path = tmp_path / "train.ipynb"
    path.write_text(_nbformat().writes(notebook))
    return path


IMPORTS = "import numpy as np\nfrom tensorflow.keras.preprocessing.image import ImageDataGenerator"
USE = "x = np.zeros((4, 8, 8, 3))\ndatagen = ImageDataGenerator(rotation_range=20)"


def test_a_notebook_gets_one_new_cell_after_its_imports(tmp_path: Path) -> None:
    path = _notebook(tmp_path, IMPORTS, USE)
    diff = invoke("--diff", str(path))
    assert diff.exit_code == 1
    assert "--- /dev/null\n+++ b/" + f"{path}:cell 3\n" in diff.stdout
    assert f"--- a/{path}:cell 3\n+++ b/{path}:cell 4\n" in diff.stdout
    assert "not shown in the diff" in diff.stdout and "FILL_MODES" not in diff.stdout
    assert invoke(str(path)).exit_code == 1  # no --inline: notebooks always inline
    cells = _nbformat().read(path, as_version=4).cells
    assert [cell.source.split("\n")[0] for cell in cells] == [
        "# Train",
        "import numpy as np",
        "import hashlib",
        "x = np.zeros((4, 8, 8, 3))",
    ]
    assert cells[2].id == "idg-tfdata-runtime"
    assert "import numpy as np" not in cells[2].source  # the first cell has it
    assert not (tmp_path / "idg_tfdata.py").exists()
    before = path.read_text()
    assert invoke(str(path)).exit_code == 0 and path.read_text() == before


def test_a_notebook_using_the_runtime_in_its_import_cell_gets_the_cell_first(
    tmp_path: Path,
) -> None:
    path = _notebook(tmp_path, IMPORTS + "\n" + USE)
    assert invoke(str(path)).exit_code == 1
    cells = _nbformat().read(path, as_version=4).cells
    assert cells[1].source.startswith("import hashlib\n")
    assert "import numpy as np\nimport tensorflow as tf\n" in cells[1].source  # its own
    assert "Augmentation(" in cells[2].source


def test_an_older_inlined_cell_of_a_notebook_is_upgraded(tmp_path: Path) -> None:
    old = runtime().body.replace("max(count, 1)", "count")
    header = header_for(old, 0).replace("written by", "inlined by")
    path = _notebook(tmp_path, "import numpy as np", header + old + END, "x = 1")
    result = invoke(str(path))
    assert result.exit_code == 1, result.output
    assert (
        f"{path}:cell 3:1:1: MA007 inlined runtime `idg_tfdata` version 0 is older" in result.output
    )
    cells = _nbformat().read(path, as_version=4).cells
    block = find_block(cells[2].source)
    assert block is not None and block.copy.current and len(cells) == 4
    assert invoke(str(path)).exit_code == 0

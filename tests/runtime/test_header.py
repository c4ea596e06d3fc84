"""The runtime module's version header: its hash convention, pristine/edited copies, the
text migrate-aug writes, and that this text passes users' linters (no TensorFlow here)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from migrator import runtime
from migrator.runtime import (
    RUNTIME_VERSION,
    is_current,
    is_pristine,
    parse_header,
    runtime_text,
    template,
    text_hash,
)


def test_header_names_the_version_and_the_hash_of_the_text_below_it() -> None:
    text = runtime_text()
    first, second, *_ = text.split("\n", 2)
    assert first == f"# idg_tfdata runtime version {RUNTIME_VERSION}, written by migrate-aug."
    body = text.split("\n", 2)[2]
    assert body == template()
    assert second == f"# sha256:{hashlib.sha256(body.encode()).hexdigest()}"
    parsed = parse_header(text)
    assert parsed is not None
    header, rest = parsed
    assert (header.version, header.digest, rest) == (RUNTIME_VERSION, text_hash(body), body)


def test_written_text_is_pristine_and_current() -> None:
    text = runtime_text()
    assert is_pristine(text) and is_current(text)
    # Line endings converted by a checkout do not count as an edit.
    assert is_pristine(text.replace("\n", "\r\n")) and is_current(text.replace("\n", "\r\n"))


def test_an_edited_copy_is_not_pristine() -> None:
    text = runtime_text()
    edited = text.replace("rotation_range=0,", "rotation_range=5,", 1)
    assert edited != text
    assert not is_pristine(edited) and not is_current(edited)
    assert not is_pristine(text + "\n# my note\n")


def test_an_older_unedited_copy_is_pristine_but_not_current() -> None:
    body = "# an older runtime\n"
    older = runtime.header_for(body, version=RUNTIME_VERSION - 1) + body
    assert is_pristine(older) and not is_current(older)
    assert parse_header(older)[0].version == RUNTIME_VERSION - 1


@pytest.mark.parametrize(
    "text",
    ["", "import tensorflow as tf\n", "# idg_tfdata runtime version 1, written by migrate-aug.\n"],
)
def test_text_without_a_header_is_not_a_copy(text: str) -> None:
    assert parse_header(text) is None and not is_pristine(text)


def test_package_never_imports_tensorflow_for_the_runtime_text() -> None:
    code = "import sys, migrator.runtime as r; r.runtime_text(); print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    pytest.importorskip("ruff")
    command = [sys.executable, "-m", "ruff", *arguments[:1], "--no-cache", "--isolated"]
    return subprocess.run([*command, *arguments[1:]], capture_output=True, text=True)


def test_written_module_is_lint_clean_and_formatted_at_88(tmp_path) -> None:
    path = tmp_path / "idg_tfdata.py"
    path.write_text(runtime_text())
    check = ruff("check", "--line-length", "88", "--select", "E,W,F,I,B,UP", str(path))
    assert check.returncode == 0, check.stdout
    # Formatted as ruff formats it (checked without the `# fmt: off` that protects it).
    text = runtime_text()
    assert text.count("# fmt: off\n") == 1
    path.write_text(text.replace("# fmt: off\n", ""))
    formatted = ruff("format", "--check", "--line-length", "88", str(path))
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.parametrize("line_length", ["79", "120"])
def test_formatters_leave_the_written_module_unchanged(tmp_path, line_length: str) -> None:
    """A project's formatter at another line length would rewrite the module and break
    its hash (an unedited copy would look edited and never be upgraded)."""
    path = tmp_path / "idg_tfdata.py"
    path.write_text(runtime_text())
    result = ruff("format", "--line-length", line_length, str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_text() == runtime_text()


def test_written_module_needs_only_tensorflow() -> None:
    """No import of migrate-aug and nothing beyond TensorFlow (NumPy comes with it)."""
    import ast

    tree = ast.parse(runtime_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported - sys.stdlib_module_names == {"numpy", "tensorflow"}

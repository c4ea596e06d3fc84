"""Emitted code is spliced into the printed module as text (codemod._splice): it must land
where the placeholder was, indented like it, in the file's newlines, whatever the file."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from migrator.api import migrate_source

SEED = (Path(__file__).resolve().parents[1] / "examples" / "seed_legacy.py").read_text()


def migrated(source: str) -> str:
    result = migrate_source(source, "program.py")
    assert result.changed
    return result.new_source


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_emitted_code_uses_the_files_newlines(newline: str) -> None:
    out = migrated(SEED.replace("\n", newline))
    other = {"\n", "\r\n", "\r"} - {newline}
    assert all(kind not in out.replace(newline, "") for kind in other)
    tree = ast.parse(out.replace(newline, "\n"))
    functions = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    assert "datagen_dataset" in functions and "datagen_augment" in functions


def test_no_trailing_newline_stays_so() -> None:
    out = migrated(SEED.rstrip("\n"))
    assert not out.endswith("\n")
    ast.parse(out)


def test_placeholder_never_collides_with_the_programs_names() -> None:
    source = SEED.replace("rng = np", "__migrate_aug_emitted__ = 1\nrng = np")
    out = migrated(source)
    assert out.count("__migrate_aug_emitted__") == 1  # the program's own assignment
    assert out.count("def datagen_dataset(") == 1


def test_nested_placement_indents_every_emitted_line() -> None:
    body = SEED.split("rng = np", 1)[1]
    header = SEED.split("rng = np", 1)[0]
    indented = "".join(
        f"    {line}" if line.strip() else line for line in ("rng = np" + body).splitlines(True)
    )
    out = migrated(f"{header}def main():\n{indented}\n\nmain()\n")
    tree = ast.parse(out)
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    nested = {n.name for n in main.body if isinstance(n, ast.FunctionDef)}
    assert {"datagen_dataset", "datagen_augment"} <= nested
    start = out.index("    def datagen_augment_parameters")
    emitted = out[start : out.index("\n    @", start)]  # up to the next definition
    # Docstrings included: every line of a nested function's body is indented past it.
    body_lines = [line for line in emitted.splitlines()[1:] if line.strip()]
    assert body_lines and all(line.startswith(" " * 8) for line in body_lines)
    assert all(line == line.rstrip() for line in out.splitlines())  # blank lines stay empty

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
    ast.parse(out.replace(newline, "\n"))
    assert f"{newline}import idg_tfdata{newline}" in out
    assert f"datagen_batches = ({newline}    idg_tfdata.index_batches(" in out


def test_no_trailing_newline_stays_so() -> None:
    out = migrated(SEED.rstrip("\n"))
    assert not out.endswith("\n")
    ast.parse(out)


def test_hoisted_name_never_collides_with_the_programs_names() -> None:
    source = SEED.replace("rng = np", "datagen_batches = 1\nrng = np")
    out = migrated(source)
    assert "datagen_batches_2 = (" in out
    assert out.count("datagen_batches = 1") == 1  # the program's own assignment


def test_nested_placement_indents_every_emitted_line() -> None:
    body = SEED.split("rng = np", 1)[1]
    header = SEED.split("rng = np", 1)[0]
    indented = "".join(
        f"    {line}" if line.strip() else line for line in ("rng = np" + body).splitlines(True)
    )
    out = migrated(f"{header}def main():\n{indented}\n\nmain()\n")
    ast.parse(out)
    start = out.index("    datagen_batches = (\n")
    hoisted = out[start : out.index("\n    )\n", start)].splitlines()
    # The chain's lines are indented past the function body's.
    assert len(hoisted) > 2 and all(line.startswith(" " * 8) for line in hoisted[1:])
    assert all(line == line.rstrip() for line in out.splitlines())  # blank lines stay empty

"""Notebook runs are idempotent (issue #17, item 5): every fixture program, cut into cells
where a notebook would cut it (at its top-level paragraphs), migrated with its own options
and with --all, then migrated again: the second run changes nothing and has nothing left
to fix or to report as a Keras 2 import (MA006), and a check (default options) after it
finds nothing to change either.

The fixtures are the .py programs (tests/fixture_cases.py); there are no .ipynb fixtures,
so each notebook is built from one, with IPython lines (`!pip`, `%matplotlib`) in its
first cell as real notebooks have.
"""

from __future__ import annotations

import ast
from dataclasses import replace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from migrator.api import Options
from migrator.notebook import migrate_notebook
from tests.fixture_cases import Case, cases, read

MAGICS = "!pip install -q tensorflow\n%matplotlib inline\n"


def cells_of(program: str) -> list[str]:
    """The program cut before each top-level statement that follows a blank line (a
    decorated definition from its first decorator), so one paragraph is one cell."""
    lines = program.replace("\r\n", "\n").split("\n")
    starts = {
        min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", []))]) - 1
        for s in ast.parse(program).body
    }
    cuts = [0, *sorted(i for i in starts if i > 0 and not lines[i - 1].strip())]
    pieces = [
        "\n".join(lines[a:b]).strip("\n")
        for a, b in zip(cuts, [*cuts[1:], len(lines)], strict=True)
    ]
    return [piece for piece in pieces if piece.strip()]


def notebook_of(program: str) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    code = cells_of(program)
    code[0] = MAGICS + code[0]
    nb.cells = [new_markdown_cell("# Training")] + [new_code_cell(c) for c in code]
    return nbformat.writes(nb) + "\n"


def run_twice(case: Case, options: Options) -> bool:
    """Whether the first run changed the notebook."""
    text = notebook_of(read(case.input))
    first = migrate_notebook(text, "nb.ipynb", options)
    second = migrate_notebook(first.new_source, "nb.ipynb", options)
    assert not second.changed, f"{case.name}: the second run changed the notebook"
    left = [d.format() for d in second.diagnostics if d.fixable or d.code == "MA006"]
    assert left == [], f"{case.name}: the second run still finds {left}"
    check = migrate_notebook(first.new_source, "nb.ipynb", Options())
    assert not check.changed and not [d for d in check.diagnostics if d.fixable], case.name
    nbformat.validate(nbformat.reads(first.new_source, as_version=4))
    return first.changed


# Programs only: runtime_outdated is a copy of the runtime module (upgraded as a file,
# tests/test_runtime_files.py), not a program a notebook would hold.
PROGRAMS = [case for case in cases() if case.name != "runtime_outdated"]


@pytest.mark.parametrize("case", PROGRAMS, ids=lambda case: case.name)
def test_notebook_migration_is_idempotent(case: Case) -> None:
    # Not vacuous: the notebook is rewritten exactly when the program is.
    assert run_twice(case, case.options) == (read(case.input) != read(case.expected))
    if not case.options.rewrite_without_strategy:
        run_twice(case, replace(case.options, rewrite_without_strategy=True))


def test_cells_of_cuts_at_top_level_paragraphs() -> None:
    program = "import os\n\n\n@decorator\ndef f():\n\n    return 1\nx = f()\n\ny = [\n\n1]\n"
    assert cells_of(program) == [
        "import os",
        "@decorator\ndef f():\n\n    return 1\nx = f()",
        "y = [\n\n1]",
    ]

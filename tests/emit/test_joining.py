"""Statements the rewrite shortened are joined onto one line exactly where ruff joins them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from migrator.emit.joining import joined

JOINED = {
    "call": (
        "score = model.evaluate(\n    batches, steps=5\n)",
        "score = model.evaluate(batches, steps=5)",
    ),
    "nested": (
        "model.fit(\n    batches,\n    callbacks=[stop,\n               save]\n)",
        "model.fit(batches, callbacks=[stop, save])",
    ),
    "spacing kept on a line": ("x = f(\n    a , b\n)", "x = f(a , b)"),
}
KEPT = {
    "magic trailing comma": "model.fit(\n    batches,\n    epochs=5,\n)",
    "comment": "model.fit(\n    batches,  # the data\n    epochs=5\n)",
    "too long": "model.fit(\n    " + "a_rather_long_name, " * 5 + "epochs=5\n)",
    "one line already": "model.fit(batches, epochs=5)",
    "multi-line string": 'print(\n    """a\nb"""\n)',
}


@pytest.mark.parametrize(("code", "expected"), JOINED.values(), ids=JOINED.keys())
def test_joined_where_ruff_joins(code: str, expected: str) -> None:
    assert joined(code, 0, 88) == expected


@pytest.mark.parametrize("code", KEPT.values(), ids=KEPT.keys())
def test_kept_where_ruff_keeps_the_layout(code: str) -> None:
    assert joined(code, 0, 88) is None


def test_the_indentation_counts() -> None:
    code = "model.fit(\n    batches, epochs=5\n)"
    assert joined(code, 61, 88) is None and joined(code, 60, 88) is not None


def test_ruff_agrees(tmp_path) -> None:
    """ruff leaves the joined lines as they are and joins the originals the same way
    (the spacing case aside: ruff also normalises spacing within a line)."""
    cases = [code for name, (code, _) in JOINED.items() if name != "spacing kept on a line"]
    source = "\n".join(cases) + "\n"
    path = tmp_path / "cases.py"
    path.write_text(source)
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "88", str(path)],
        check=True,
        capture_output=True,
    )
    assert path.read_text().splitlines() == [joined(code, 0, 88) for code in cases]

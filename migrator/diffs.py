"""`--diff` output: unified diffs of Python files, and of notebooks cell by cell.

A notebook is JSON whose cells hold their source as escaped strings; a diff of that text
shows `"    datagen = ...\\n",` lines nobody can review. Only cell sources are ever
rewritten (outputs and metadata are kept), so a notebook's diff is one diff per changed
cell, of its code, headed `a/nb.ipynb:cell 3` like the findings' paths.
"""

from __future__ import annotations

import difflib
import json

from migrator.report import paint


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
        )
    )


def _cell_sources(text: str) -> list[str] | None:
    try:
        cells = json.loads(text)["cells"]
        return [
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for cell in cells
        ]
    except (ValueError, KeyError, TypeError):
        return None


def _terminated(text: str) -> str:
    """A cell's last line has no newline; the diff should not say so on every cell."""
    return text if not text or text.endswith("\n") else text + "\n"


def file_diff(path: str, old: str, new: str) -> str:
    if path.endswith(".ipynb"):
        before, after = _cell_sources(old), _cell_sources(new)
        if before is not None and after is not None and len(before) == len(after):
            return "".join(
                unified(_terminated(a), _terminated(b), f"a/{path}:cell {n}", f"b/{path}:cell {n}")
                for n, (a, b) in enumerate(zip(before, after, strict=True), start=1)
                if a != b
            )
    return unified(old, new, f"a/{path}", f"b/{path}")


def colour_diff(text: str, colour: bool) -> str:
    """Headers bold, hunks cyan, removed lines red, added lines green (as git does)."""
    if not colour:
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        body, newline = line.rstrip("\n"), line[len(line.rstrip("\n")) :]
        if line.startswith(("---", "+++")):
            body = paint(body, "path", colour)
        elif line.startswith("@@"):
            body = paint(body, "hunk", colour)
        elif line.startswith("-"):
            body = paint(body, "diff_removed", colour)
        elif line.startswith("+"):
            body = paint(body, "diff_added", colour)
        lines.append(body + newline)
    return "".join(lines)

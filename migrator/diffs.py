"""`--diff` output: unified diffs of Python files, and of notebooks cell by cell.

A notebook is JSON whose cells hold their source as escaped strings; a diff of that text
shows `"    datagen = ...\\n",` lines nobody can review. Only cell sources are ever
rewritten (outputs and metadata are kept), so a notebook's diff is one diff per changed
cell, of its code, headed `a/nb.ipynb:cell 3` like the findings' paths; the cell that
--inline adds is diffed against /dev/null.

A runtime inlined afresh (migrator/runtime_inline.py) is shown by its marker lines only
(the diff says how many lines it leaves out): such a diff shows what changes but is not
a patch to apply. A new runtime module file is not diffed at all (migrator/run.py).
"""

from __future__ import annotations

import difflib
import json

from migrator.report import paint
from migrator.runtime_inline import collapsed, find_block

# What GNU diff prints after a last line without a newline: without it the diff is not a
# patch `patch`/`git apply` accept, and the next output (the findings) joins that line.
NO_NEWLINE = "\\ No newline at end of file\n"


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name
    )
    return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)


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
        pairs = _paired(before, after) if before is not None and after is not None else None
        if pairs is not None:
            return "".join(
                unified(
                    _terminated(a or ""),
                    _terminated(collapsed(a or "", b)),
                    f"a/{path}:cell {n}" if a is not None else "/dev/null",
                    f"b/{path}:cell {m}",
                )
                for n, m, a, b in pairs
                if a != b
            )
    return unified(old, collapsed(old, new), f"a/{path}", f"b/{path}")


def _paired(before: list[str], after: list[str]) -> list[tuple[int, int, str | None, str]] | None:
    """(old number, new number, old source or None for a new cell, new source) for each
    cell, when the cells correspond one to one, or but for one new cell holding an
    inlined runtime; None otherwise."""
    if len(after) == len(before):
        return [(n, n, a, b) for n, (a, b) in enumerate(zip(before, after, strict=True), start=1)]
    new = [i for i, b in enumerate(after) if find_block(b) is not None and b not in before]
    if len(after) != len(before) + 1 or len(new) != 1:
        return None
    pairs: list[tuple[int, int, str | None, str]] = []
    for m, b in enumerate(after, start=1):
        if m - 1 == new[0]:
            pairs.append((0, m, None, b))
        else:
            n = m if m - 1 < new[0] else m - 1
            pairs.append((n, m, before[n - 1], b))
    return pairs


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

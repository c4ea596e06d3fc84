"""One notebook cell's IPython syntax masked for the analysis (migrator/notebook.py
step 1): what the codemod cannot read becomes a placeholder statement, an exposed
`%time` statement keeps its prefix aside, an indented cell is read as IPython reads it.
The notebook driver joins the masked cells, and puts everything back after the rewrite.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass, field

# Cell magics whose body is ordinary Python run once in the user namespace. `%%timeit`
# is not one: it runs the body repeatedly in its own scope.
TRANSPARENT_CELL_MAGICS = frozenset({"time", "capture"})
# Line magics whose argument is a statement run once in the user namespace.
EXPOSED_LINE_MAGICS = frozenset({"time"})

# An IPython line that is not Python: `%magic`, `!cmd`, `?obj`, `obj?`, `x = !cmd`.
_ESCAPED = re.compile(
    r"^(?P<indent>[ \t]*)(?:[%!?]"
    r"|[A-Za-z_][\w.]*\?{1,2}[ \t]*$"
    r"|[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*[ \t]*=[ \t]*[%!])"
)
_TIME = re.compile(r"^(?P<indent>[ \t]*)(?P<prefix>%(?P<name>\w+)[ \t]+)(?P<rest>\S.*)$")


@dataclass
class Cell:
    index: int  # position in the notebook's cells
    source: str
    masked: str | None = None  # None: opaque, left out of the analysis
    hidden: list[str] = field(default_factory=list)  # text the analysis cannot see
    placeholders: dict[int, str] = field(default_factory=dict)  # id -> original line
    exposed: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (indent, "%time ")
    shifts: dict[int, int] = field(default_factory=dict)  # cell line -> columns removed
    first_line: int = 0  # 1-based line of the cell's first line in the module
    # The source as IPython runs it: an indented first line's indentation removed from the
    # lines that start with it (IPython's `leading_indent`); masked from this text.
    plain: str = ""

    @property
    def number(self) -> int:
        return self.index + 1


# -- masking IPython syntax --------------------------------------------------------------
def mask_cell(cell: Cell, token: str, counter: Iterator[int]) -> None:
    lines = cell.source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    removed = _leading_indent(lines, first)
    cell_magic = first is not None and lines[first].startswith("%%")
    if cell_magic:
        name = lines[first][2:].split(maxsplit=1)[0] if lines[first][2:].strip() else ""
        if name not in TRANSPARENT_CELL_MAGICS:
            cell.hidden.append(cell.source)  # not Python, or Python in its own scope
            return
        # The magic runs its body as a cell of its own: IPython dedents that too.
        body = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), None)
        removed.update(_leading_indent(lines, body))
    cell.plain = "\n".join(lines)
    masked = list(lines)
    candidates = [
        i for i, line in enumerate(lines) if _ESCAPED.match(line) or (cell_magic and i == first)
    ]
    # A candidate inside a string or brackets is Python (`"..." \n % x)`), not a magic:
    # mask, tokenize, unmask the first such line, and again until none is left.
    while True:
        masked = _apply_masks(lines, candidates, cell, token, counter)
        inside = _continued_lines("\n".join(masked))
        wrong = [i for i in candidates if i + 1 in inside]
        if not wrong:
            break
        candidates.remove(wrong[0])
    cell.masked = "\n".join(masked)
    for index, columns in removed.items():  # diagnostics count the columns the user sees
        cell.shifts[index + 1] = cell.shifts.get(index + 1, 0) + columns


def _leading_indent(lines: list[str], first: int | None) -> dict[int, int]:
    """IPython's `leading_indent` cleanup, in place from line `first` (a cell's first
    non-blank line): when that line is indented, its indentation is removed from every
    line from there on that starts with it. Returns the columns removed, by line index."""
    if first is None:
        return {}
    indent = re.match(r"[ \t]*", lines[first]).group(0)  # type: ignore[union-attr]
    if not indent:
        return {}
    removed: dict[int, int] = {}
    for index in range(first, len(lines)):
        if lines[index].startswith(indent):
            lines[index] = lines[index][len(indent) :]
            removed[index] = len(indent)
    return removed


def _apply_masks(
    lines: list[str], candidates: list[int], cell: Cell, token: str, counter: Iterator[int]
) -> list[str]:
    cell.placeholders.clear()
    cell.exposed.clear()
    cell.shifts.clear()
    cell.hidden.clear()
    masked = list(lines)
    index = 0
    while index < len(lines):
        if index not in candidates:
            index += 1
            continue
        line = lines[index]
        indent = re.match(r"[ \t]*", line).group(0)  # type: ignore[union-attr]
        timed = _TIME.match(line)
        if (
            timed
            and timed.group("name") in EXPOSED_LINE_MAGICS
            and not line.endswith("\\")
            and _is_one_simple_statement(timed.group("rest"))
        ):
            ident = next(counter)
            cell.exposed[ident] = (indent, timed.group("prefix"))
            cell.shifts[index + 1] = len(timed.group("prefix"))
            masked[index] = f"{indent}{timed.group('rest')}  # {token} expose {ident}"
            index += 1
            continue
        # A masked line and its backslash continuations, one placeholder per line.
        while True:
            ident = next(counter)
            cell.placeholders[ident] = lines[index]
            cell.hidden.append(lines[index])
            masked[index] = f"{indent}pass  # {token} magic {ident}"
            if not lines[index].endswith("\\") or index + 1 >= len(lines):
                break
            index += 1
        index += 1
    return masked


def _is_one_simple_statement(code: str) -> bool:
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return False
    compound = (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.ClassDef)
    return len(body) == 1 and not isinstance(body[0], compound)


def _continued_lines(code: str) -> set[int]:
    """1-based lines that start inside a string, inside brackets or after a backslash."""
    inside: set[int] = set()
    depth = 0
    pending = False  # a logical line is open: the next physical line continues it
    last_line = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            start, end = tok.start[0], tok.end[0]
            if start > last_line and (depth > 0 or pending):
                inside.add(start)
            if tok.type == tokenize.STRING or tokenize.tok_name[tok.type] == "FSTRING_MIDDLE":
                inside.update(range(start + 1, end + 1))
            if tok.type == tokenize.OP and tok.string in ("(", "[", "{"):
                depth += 1
            elif tok.type == tokenize.OP and tok.string in (")", "]", "}"):
                depth = max(depth - 1, 0)
            if tok.type in (tokenize.NEWLINE, tokenize.NL):
                pending = False
            elif tok.type not in (tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                pending = True
            last_line = max(last_line, end)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # the parse reports it, in the right cell
    return inside

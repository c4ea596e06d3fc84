"""Jupyter notebooks (.ipynb): migrate the code cells together, write back only sources.

The generator is often built in one cell, the strategy scope opened in another and `fit`
called in a third, so the code cells are analysed as one module:

1. Every Python code cell is masked (notebook_masks.py). It is first read as IPython
   reads it: when its first line is indented, that indentation is removed from the lines
   that start with it (IPython's `leading_indent`, also applied to a `%%time` body); a
   rewritten cell is written back in that form, an untouched one as it was. Then IPython
   syntax (`%magic`, `!shell`, `?help`, `x = !cmd`, a `%%time`/`%%capture` first line)
   becomes a placeholder line
   `pass  # <token> magic <id>` (a statement, so the codemod never drops it with a removed
   statement's comments). `%time <statement>` exposes its statement to the analysis, with
   a trailing `# <token> expose <id>` comment to put the prefix back. Other cell magics
   (`%%bash`, `%%writefile`, `%%timeit`, ...) make the whole cell opaque: it is left out
   of the analysis and never changed.
2. The masked cells are joined into one module, each preceded by a marker statement
   `pass  # <token> cell <n>`, and `migrate_source` runs on it. When that module does not
   parse, each cell that does not parse on its own is left out, as an opaque cell is, and
   reported (MA107, when it names a marker or the others were rewritten); the rest is
   migrated without it.
3. The result is split back at the markers. Imports the codemod adds at the top of the
   module go into the first cell with imports (or the first cell with new code). Magics
   are restored exactly. Anything unexpected (a marker moved or lost, a placeholder
   duplicated, a name the rewrite removes still used by an opaque cell) refuses the whole
   notebook with one diagnostic: nothing is written rather than something wrong.

Only changed cells' `source` differs: outputs, metadata, ids and attachments are kept, the
notebook is written as `nbformat.writes` does (indent 1, sorted keys) with the input's
trailing newline, and a notebook with nothing to change is returned byte for byte.

Diagnostics are reported per cell, as ruff does: `Diagnostic.path` is
`"<path>:cell <n>"` (n counts every cell, markdown included, from 1) and `line`/`column`
are relative to that cell's source, so the text format reads
`nb.ipynb:cell 3:5:9: MA001 ...`.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import re
import warnings
from dataclasses import replace
from typing import Any

from migrator.diagnostics import Diagnostic
from migrator.notebook_masks import Cell, mask_cell
from migrator.options import PREFILTERS, FileResult, Options, SourceParseError, UnknownCodeError
from migrator.rules import Code
from migrator.syntax import python_syntax_error

_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")

# What to do when the cells cannot be split back after a rewrite (a tool limitation).
HELP_SPLIT = (
    "Migrate this notebook's generators by hand, or export it to a .py file "
    "(`jupyter nbconvert --to script`) and run migrate-aug on that"
)


class _Refused(Exception):
    """The notebook cannot be split back safely: report, change nothing."""

    def __init__(
        self,
        message: str,
        cell: int | None = None,
        line: int = 1,
        column: int = 1,
        code: Code = "MA107",  # not-yet-supported; MA105 when IPython code uses the generator
        help: str = HELP_SPLIT,  # what to do, on the diagnostic's `help:` line
    ) -> None:
        super().__init__(message)
        self.message = message
        self.help = help
        self.code = code
        self.cell = cell  # notebook cell index (0-based), when one is to blame
        self.line = line
        self.column = column


def migrate_notebook(text: str, path: str, options: Options) -> FileResult:
    """Migrate the code cells of the notebook `text` (the .ipynb JSON) as one module.

    Raises SourceParseError when `text` is not a notebook, nbformat is missing, or a
    Python cell does not parse.
    """
    nbformat = _nbformat()
    notebook = _read(nbformat, text)
    if not _is_python(notebook):
        return FileResult(text, text, [])
    cells = [
        Cell(index, cell.source)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    if not any(marker in cell.source for cell in cells for marker in PREFILTERS):
        return FileResult(text, text, [])
    token = _fresh_token(text)
    counter = itertools.count(1)
    for cell in cells:
        mask_cell(cell, token, counter)
    python_cells = [cell for cell in cells if cell.masked is not None]
    module = _join(python_cells, token)

    from migrator.api import migrate_source  # local: keeps the import cheap
    from migrator.codemod import _names_a_marker  # the codemod's own pre-filter, on code

    skipped: list[Diagnostic] = []
    broken: list[tuple[Cell, tuple[str, int, int]]] = []
    try:
        result = migrate_source(module, path, options)
    except UnknownCodeError as error:  # the comment's own cell, line and column
        cell, line = _locate(error.line, python_cells)
        column = error.column + cell.shifts.get(line, 0)
        raise UnknownCodeError(error.code, line, column, f"cell {cell.number}: ") from error
    except SourceParseError as error:
        # A cell Jupyter cannot run either (or IPython syntax not read here) costs only
        # itself: it is reported, left out like an opaque cell, and the rest is migrated.
        broken = _unparsable(python_cells)
        if not broken:
            raise _cell_parse_error(python_cells, error) from error
        skipped = [_skipped(cell, problem, path) for cell, problem in broken]
        for cell, _ in broken:
            cell.masked, cell.hidden = None, [cell.source]
        python_cells = [cell for cell in cells if cell.masked is not None]
        if not python_cells:
            marked = [d for d, (cell, _) in zip(skipped, broken, strict=True) if _marked(cell)]
            return FileResult(text, text, _enabled(marked, options))
        module = _join(python_cells, token)
        try:
            result = migrate_source(module, path, options)
        except SourceParseError as again:  # only the cells together fail: no cell to blame
            raise _cell_parse_error(python_cells, again) from again
    diagnostics = [_relocate(d, python_cells, path) for d in result.diagnostics]
    # A skipped cell is reported while the notebook has something for the tool: a marker in
    # the cell or in the others' code (not only in comments, as after a migration).
    if broken and not (result.changed or _names_a_marker(module)):
        skipped = [d for d, (cell, _) in zip(skipped, broken, strict=True) if _marked(cell)]
    diagnostics = sorted([*diagnostics, *_enabled(skipped, options)], key=Diagnostic.sort_key)
    if not result.changed:
        return FileResult(text, text, diagnostics)
    try:
        sources = _split(result.new_source, python_cells, token)
        _check_opaque_uses(module, result.new_source, cells)
    except _Refused as refusal:
        return FileResult(text, text, _refusal(refusal, diagnostics, path, options))
    for cell in python_cells:
        notebook.cells[cell.index].source = sources[cell.index]
    new_text = _write(nbformat, notebook, text)
    return FileResult(text, new_text, diagnostics, needs_runtime=result.needs_runtime)


# -- reading and writing -----------------------------------------------------------------
def _nbformat() -> Any:
    try:
        import nbformat
    except ImportError as error:
        raise SourceParseError(
            "reading notebooks needs nbformat: pip install 'migrate-aug[notebooks]'"
        ) from error
    return nbformat


def _read(nbformat: Any, text: str) -> Any:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise SourceParseError(
            f"not a Jupyter notebook: invalid JSON ({error.msg})", error.lineno, error.colno
        ) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("nbformat"), int):
        raise SourceParseError("not a Jupyter notebook: no `nbformat` version")
    if raw["nbformat"] != 4:
        raise SourceParseError(
            f"nbformat {raw['nbformat']} notebooks are not supported; convert to nbformat 4 "
            "with `jupyter nbconvert --to notebook`"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. MissingIDFieldWarning: reads adds the ids
        try:
            notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
            nbformat.validate(notebook)
        except Exception as error:  # noqa: BLE001 - jsonschema and nbformat errors vary
            message = getattr(error, "message", None) or str(error)
            raise SourceParseError(f"not a valid Jupyter notebook: {message}") from error
    return notebook


def _is_python(notebook: Any) -> bool:
    metadata = notebook.get("metadata", {})
    language = metadata.get("kernelspec", {}).get("language") or metadata.get(
        "language_info", {}
    ).get("name")
    return language is None or str(language).lower() == "python"


def _write(nbformat: Any, notebook: Any, original: str) -> str:
    nbformat.validate(notebook)  # only sources changed: a valid input stays valid
    text = nbformat.writes(notebook)
    if original.endswith("\n") and not text.endswith("\n"):
        text += "\n"
    return text


def _fresh_token(text: str) -> str:
    """A marker that cannot collide with anything in the notebook."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    for start in range(0, len(digest) - 12):
        token = f"migrate-aug-{digest[start : start + 12]}"
        if token not in text:
            return token
    raise AssertionError("no fresh marker")  # 52 candidates all in the text: impossible


# -- one module and back ---------------------------------------------------------------------
def _marker(token: str, cell: Cell) -> str:
    return f"pass  # {token} cell {cell.number}"


def _join(cells: list[Cell], token: str) -> str:
    parts: list[str] = []
    line = 1
    for cell in cells:
        assert cell.masked is not None
        body = cell.masked if cell.masked.endswith("\n") else cell.masked + "\n"
        parts += [_marker(token, cell) + "\n", body]
        cell.first_line = line + 1
        line += 1 + body.count("\n")
    return "".join(parts)


def _split(new_module: str, cells: list[Cell], token: str) -> dict[int, str]:
    """Each cell's new source, keyed by notebook index; raises _Refused."""
    lines = new_module.split("\n")
    starts: list[int] = []
    for number, line in enumerate(lines):
        if token in line and re.fullmatch(rf"pass  # {re.escape(token)} cell \d+", line):
            starts.append(number)
    if [lines[i] for i in starts] != [_marker(token, cell) for cell in cells]:
        raise _Refused("the notebook's cells could not be told apart after the rewrite")
    preamble = "\n".join(lines[: starts[0]]).strip()
    pieces = {
        cell.index: "\n".join(lines[start + 1 : end])
        for cell, start, end in zip(cells, starts, [*starts[1:], len(lines)], strict=True)
    }
    late_import = _late_tensorflow_import(cells, pieces)
    if late_import:
        preamble = f"{preamble}\n{late_import}".strip()
    if preamble:
        _place_imports(preamble, cells, pieces)
    sources: dict[int, str] = {}
    for cell in cells:
        restored = _restore(pieces[cell.index], cell, token)
        sources[cell.index] = _tidy(restored, cell)
    return sources


def _place_imports(preamble: str, cells: list[Cell], pieces: dict[int, str]) -> None:
    """Imports the codemod added above everything: into the first cell that has imports
    and runs no later than the first new code, else at the top of that first new code's
    cell."""
    try:
        added = ast.parse(preamble).body
    except SyntaxError:
        added = []
    if not added or not all(isinstance(s, ast.Import | ast.ImportFrom) for s in added):
        raise _Refused("the rewrite added code outside every cell")
    target = next(
        (
            cell
            for cell in cells
            if _first_import_line(pieces[cell.index]) is not None
            or _defines_new_functions(cell, pieces[cell.index])
        ),
        None,
    )
    if target is None:
        raise _Refused("the rewrite added imports but no cell to put them in")
    piece = pieces[target.index].split("\n")
    at = _first_import_line(pieces[target.index])
    if at is None:
        start = 0
        while start < len(piece) and not piece[start].strip():
            start += 1
        piece[start:start] = [preamble, ""]
    else:
        piece[at - 1 : at - 1] = [preamble]
    pieces[target.index] = "\n".join(piece)


def _late_tensorflow_import(cells: list[Cell], pieces: dict[int, str]) -> str | None:
    """The new code uses the module's `import tensorflow [as tf]` at definition time
    (decorators). When that import runs only after the first new code (a later cell),
    the import is repeated above the new code."""
    first_new: tuple[int, int] | None = None  # (cell position, line) of the first new def
    first_import: tuple[int, int, str] | None = None
    for position, cell in enumerate(cells):
        body = _parse_body(pieces[cell.index])
        old = _top_level_functions(cell.masked or "")
        for statement in body:
            if (
                first_new is None
                and isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
                and statement.name not in old
            ):
                first_new = (position, statement.lineno)
            if first_import is None and isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.name == "tensorflow":
                        first_import = (position, statement.lineno, alias.asname or "tensorflow")
                        break
    if first_new is None or first_import is None or first_import[:2] < first_new:
        return None
    alias = first_import[2]
    return "import tensorflow" if alias == "tensorflow" else f"import tensorflow as {alias}"


def _parse_body(code: str) -> list[ast.stmt]:
    try:
        return ast.parse(code).body
    except SyntaxError:
        return []


def _first_import_line(code: str) -> int | None:
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return None
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom) and not (
            isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        ):
            return statement.lineno
    return None


def _defines_new_functions(cell: Cell, code: str) -> bool:
    return bool(_top_level_functions(code) - _top_level_functions(cell.masked or ""))


def _top_level_functions(code: str) -> set[str]:
    try:
        body = ast.parse(code).body
    except SyntaxError:
        return set()
    return {s.name for s in body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}


def _restore(piece: str, cell: Cell, token: str) -> str:
    placeholder = re.compile(rf"[ \t]*pass  # {re.escape(token)} magic (\d+)")
    exposed = re.compile(rf"(?P<indent>[ \t]*)(?P<code>.*)  # {re.escape(token)} expose (\d+)")
    seen: set[int] = set()
    out: list[str] = []
    for line in piece.split("\n"):
        if token not in line:
            out.append(line)
            continue
        match = placeholder.fullmatch(line)
        if match and int(match.group(1)) in cell.placeholders:
            ident = int(match.group(1))
            out.append(cell.placeholders[ident])
        else:
            match = exposed.fullmatch(line)
            ident = int(match.group(3)) if match else -1
            # The prefix goes back only onto the statement's own line, where it was.
            if ident not in cell.exposed or match.group("indent") != cell.exposed[ident][0]:
                raise _Refused("IPython syntax moved during the rewrite", cell.index, len(out) + 1)
            indent, prefix = cell.exposed[ident]
            out.append(indent + prefix + match.group("code"))  # type: ignore[union-attr]
        if ident in seen:
            raise _Refused("IPython syntax was duplicated by the rewrite", cell.index)
        seen.add(ident)
    if not set(cell.placeholders) <= seen:
        raise _Refused("IPython syntax was lost in the rewrite", cell.index)
    return "\n".join(out)  # an exposed `%time` statement may be rewritten away: fine


def _tidy(restored: str, cell: Cell) -> str:
    """The cell's text with its own newline convention; untouched cells are identical."""
    added_newline = not (cell.masked or "").endswith("\n")
    if added_newline and restored.endswith("\n"):
        restored = restored[:-1]
    if restored in (cell.source, cell.plain):  # a dedented cell is kept as it was written
        return cell.source
    leading = re.match(r"(?:[ \t]*\n)*", cell.source).group(0)  # type: ignore[union-attr]
    trailing = cell.source[len(cell.source.rstrip()) :]
    body = re.sub(r"^(?:[ \t]*\n)+", "", restored).rstrip()
    return leading + body + trailing


def _check_opaque_uses(module: str, new_module: str, cells: list[Cell]) -> None:
    """A name the rewrite removed (the generator, the IDG import) must not be used by code
    the analysis could not see: an opaque cell or a masked magic line."""
    try:
        removed = _bound_names(module) - _bound_names(new_module)
        # A rewritten generator keeps its name, now an Augmentation (no .flow()) too.
        removed |= _augmentations(new_module) - _augmentations(module)
    except SyntaxError as error:  # libcst reads syntax this Python's ast does not
        raise _Refused("the rewritten cells could not be checked against the magics") from error
    for cell in cells:
        for text in cell.hidden:
            for number, line in enumerate(text.split("\n"), start=1):
                used = [m for m in _IDENTIFIER.finditer(line) if m.group(0) in removed]
                if used:
                    line_in_cell = number
                    if cell.masked is not None:  # a masked line: find it in the cell
                        line_in_cell = cell.plain.split("\n").index(text) + 1
                    raise _Refused(
                        f"`{used[0].group(0)}` is also used by IPython code the tool cannot "
                        "analyse (a magic, a non-Python cell or a cell that does not parse)",
                        cell.index,
                        line_in_cell,
                        used[0].start() + 1 + cell.shifts.get(line_in_cell, 0),
                        code="MA105",
                        help="Migrate it by hand, or move that use into a plain Python cell "
                        "and run migrate-aug again",
                    )


def _augmentations(code: str) -> set[str]:
    """The names bound to `<...>Augmentation(...)` (the runtime's class) in `code`."""
    assigned = [n for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Assign)]
    calls = [n for n in assigned if isinstance(n.value, ast.Call)]
    rebuilt = [n for n in calls if ast.unparse(n.value.func).endswith("Augmentation")]  # type: ignore[attr-defined]
    return {t.id for n in rebuilt for t in n.targets if isinstance(t, ast.Name)}


def _bound_names(code: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


# -- positions ---------------------------------------------------------------------------
def _locate(line: int, cells: list[Cell]) -> tuple[Cell, int]:
    """The cell holding module line `line`, and the line within that cell."""
    owner = cells[0]
    for cell in cells:
        if cell.first_line - 1 <= line:  # the marker line counts as the cell's line 1
            owner = cell
    return owner, max(line - owner.first_line + 1, 1)


def _relocate(diagnostic: Diagnostic, cells: list[Cell], path: str) -> Diagnostic:
    cell, line = _locate(diagnostic.line, cells)
    column = diagnostic.column + cell.shifts.get(line, 0)
    return replace(diagnostic, path=f"{path}:cell {cell.number}", line=line, column=column)


def _cell_parse_error(cells: list[Cell], error: SourceParseError) -> SourceParseError:
    """The error in the terms of its cell: that cell parsed alone gives the cell's own
    line, column and message."""
    import libcst as cst

    cell, line = _locate(error.line, cells)
    message, column = error.message, error.column
    python = python_syntax_error(cell.masked or "")  # Python's words and position first
    if python is not None:
        message, line, column = python
    else:
        try:
            cst.parse_module(cell.masked or "")
        except cst.ParserSyntaxError as own:
            message, line, column = own.message, own.raw_line, own.raw_column + 1
    return SourceParseError(
        f"cell {cell.number}: {message}", line, column + cell.shifts.get(line, 0)
    )


def _unparsable(cells: list[Cell]) -> list[tuple[Cell, tuple[str, int, int]]]:
    """The cells that do not parse on their own, with (message, line, column) in the
    cell. Python's compiler judges first (its words), then libcst (syntax it reads that
    this Python does not)."""
    import libcst as cst

    broken: list[tuple[Cell, tuple[str, int, int]]] = []
    for cell in cells:
        code = cell.masked or ""
        problem = python_syntax_error(code)
        if problem is None:
            try:
                cst.parse_module(code)
            except cst.ParserSyntaxError as own:
                problem = (own.message, own.raw_line, own.raw_column + 1)
        if problem is not None:
            message, line, column = problem
            broken.append((cell, (message, line, column + cell.shifts.get(line, 0))))
    return broken


def _skipped(cell: Cell, problem: tuple[str, int, int], path: str) -> Diagnostic:
    message, line, column = problem
    return Diagnostic(
        f"{path}:cell {cell.number}",
        line,
        column,
        "MA107",
        f"cell not migrated: it does not parse as Python ({message}); the other cells "
        "were migrated without it",
        help="Fix the cell (Jupyter cannot run it either), or migrate it by hand if it is "
        "IPython syntax migrate-aug does not read; then run migrate-aug again",
    )


def _marked(cell: Cell) -> bool:
    return any(marker in cell.source for marker in PREFILTERS)


def _enabled(diagnostics: list[Diagnostic], options: Options) -> list[Diagnostic]:
    return [d for d in diagnostics if options.enabled(d.code)]


def _refusal(
    refusal: _Refused, diagnostics: list[Diagnostic], path: str, options: Options
) -> list[Diagnostic]:
    """Nothing is rewritten: drop the fixes, keep the reports, say why."""
    kept = [d for d in diagnostics if not (d.fixable or d.is_note)]  # notes explain rewrites
    code = refusal.code
    if not options.enabled(code):
        return kept
    where = f"{path}:cell {refusal.cell + 1}" if refusal.cell is not None else path
    message = f"notebook not migrated: {refusal.message}"
    refused = Diagnostic(where, refusal.line, refusal.column, code, message, help=refusal.help)
    return sorted(
        [*kept, refused],
        key=Diagnostic.sort_key,
    )

"""The runtime's text inside a migrated file (`--inline`; always in notebooks).

With Options.inline_runtime the codemod calls the runtime's names unqualified
(`Augmentation(...)`); this module then puts the runtime's text once at the file's top
level, between two marker lines:

    # idg_tfdata runtime version 1, inlined by migrate-aug.
    # sha256:<digest of the lines up to the end marker>
    ... the module's code ...
    # end of the idg_tfdata runtime inlined by migrate-aug.

so that a later run finds the copy and treats it as a module file is treated
(runtime_copies.py): upgraded when unedited and older, left alone when edited. Its
header differs from a module file's ("inlined by"), so a program that starts with an
inlined copy is never mistaken for a copy of the module.

The inlined text is the module without what only a module may have: its docstring (a
string in the middle of a file is a stray statement), its `__all__` (it would become
the file's), and its imports, which go beside the file's own imports (an import after
code is E402), and only those the file lacks (a second `import numpy as np` is F811).
It is placed after the file's leading block of imports (a notebook: in a new cell after
the first cell with imports, or before the first changed cell when that comes earlier).
A file that binds a name the runtime defines at its top level is not migrated (MA007):
the inlined definition would replace the user's, or the other way round.
"""

from __future__ import annotations

import ast
import io
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from migrator.diagnostics import Diagnostic
from migrator.options import FileResult, Options
from migrator.runtime import MODULE_NAME, RUNTIME_VERSION, template, text_hash
from migrator.runtime_copies import CODE, Copy, copy_of, finding

HEADER = re.compile(
    rf"^# {MODULE_NAME} runtime version (?P<version>\d+), inlined by migrate-aug\.\r?\n"
    r"# sha256:(?P<digest>[0-9a-f]{64})\r?\n",
    re.M,
)
END = f"# end of the {MODULE_NAME} runtime inlined by migrate-aug."
MARK = f"{MODULE_NAME} runtime version"  # a cheap test before the regex
WHAT = f"inlined runtime `{MODULE_NAME}`"
CELL_ID = "idg-tfdata-runtime"

PREAMBLE = f"""# fmt: off
# The {MODULE_NAME} runtime: ImageDataGenerator's augmentation and batching as
# tf.data pipelines, exactly, inlined by migrate-aug. Formatters leave it as written,
# so the hash above tells a later migrate-aug whether it may upgrade it: edit it, and
# it is left alone. Its imports are with the file's own; its documentation is the
# module's docstring (`migrate-aug --no-inline` writes the module instead)."""

HELP_BOUND = (
    "Rename your `{name}` (or run without --inline, so that the runtime stays a module of "
    "its own: notebooks always inline it)"
)


def inlines(path: Path, options: Options) -> bool:
    """The file carries the runtime's text itself: notebooks always (a sibling file does
    not travel with a notebook), Python files with --inline."""
    return path.suffix == ".ipynb" or options.inline_runtime


# -- the inlined text ----------------------------------------------------------------------
@dataclass(frozen=True)
class Runtime:
    body: str  # the text between the header and the end marker
    imports: tuple[tuple[str, str], ...]  # (bound name, import statement) the body needs
    names: frozenset[str]  # what the body binds at top level

    @property
    def block(self) -> str:
        header = (
            f"# {MODULE_NAME} runtime version {RUNTIME_VERSION}, inlined by migrate-aug.\n"
            f"# sha256:{text_hash(self.body)}\n"
        )
        return header + self.body + END + "\n"


@cache
def runtime() -> Runtime:
    """The template less its docstring, `__all__` and imports (see the module docstring)."""
    text = template()
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    cut: set[int] = set()
    imports: list[tuple[str, str]] = []
    names: set[str] = set()
    for index, statement in enumerate(tree.body):
        span = range(statement.lineno - 1, statement.end_lineno or statement.lineno)
        docstring = index == 0 and _is_string(statement)
        if docstring or _binds_all(statement):
            cut.update(span)
        elif isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            cut.update(span)  # only a file's first statements may: the copy goes without
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            cut.update(span)
            source = "".join(lines[i] for i in span).strip()
            imports += [(name, source) for name in _bound(statement)]
        else:
            names.update(_bound(statement))
    first = tree.body[0].lineno - 1 if tree.body else 0
    cut.update(i for i in range(first) if lines[i].startswith("#"))  # its `# fmt: off` note
    kept = [line for number, line in enumerate(lines) if number not in cut]
    code = re.sub(r"\n{3,}", "\n\n\n", "".join(kept)).strip("\n")
    # `# fmt: on` must end the copy, or the user's formatter would leave the rest of the
    # file alone too.
    body = f"{PREAMBLE}\n\n{code}\n\n\n# fmt: on\n"
    return Runtime(body, tuple(imports), frozenset(names))


def _is_string(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _binds_all(statement: ast.stmt) -> bool:
    targets = statement.targets if isinstance(statement, ast.Assign) else []
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


def _bound(statement: ast.stmt) -> list[str]:
    """The names a top-level statement binds (imports: the name, not the module)."""
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in statement.names if a.name != "*"]
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.For | ast.With):
        return [n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and _stored(n)]
    return []


def _stored(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Store)


# -- a copy in a text ----------------------------------------------------------------------
@dataclass(frozen=True)
class Block:
    start: int  # offsets of the header's first character and past the end marker's line
    end: int
    line: int  # 1-based line of the header
    copy: Copy
    body: tuple[int, int] = (0, 0)  # offsets of the text between header and end marker


def find_block(text: str) -> Block | None:
    """The first inlined copy in `text`. Without its end marker the copy cannot be told
    from the user's code: it counts as edited (reported, never touched)."""
    if MARK not in text:
        return None
    header = HEADER.search(text)
    if header is None:
        return None
    line = text.count("\n", 0, header.start()) + 1
    version, digest = int(header["version"]), header["digest"]
    end = re.compile(rf"^{re.escape(END)}[ \t]*(\r?\n|$)", re.M).search(text, header.end())
    if end is None:
        return Block(header.start(), header.end(), line, Copy(version, False, False))
    body = text[header.end() : end.start()]
    copy = copy_of(version, digest, body, runtime().body)
    return Block(header.start(), end.end(), line, copy, (header.end(), end.start()))


def collapsed(old: str, new: str) -> str:
    """`new` for a diff against `old`: a copy inlined afresh shows as its header, one
    line saying what is left out and its end marker (1,600 lines nobody reviews); an
    upgrade of an existing copy keeps its real diff."""
    block = find_block(new)
    if block is None or find_block(old) is not None or block.body == (0, 0):
        return new
    start, end = block.body
    count = new.count("\n", start, end)
    newline = _newline(new)
    note = f"# ... the runtime's {count:,} lines, not shown in the diff{newline}"
    return new[:start] + note + new[end:]


# -- Python files --------------------------------------------------------------------------
def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _with_newline(text: str, newline: str) -> str:
    return text.replace("\n", newline) if newline != "\n" else text


def finish(path: Path, result: FileResult, options: Options) -> FileResult:
    """`result` with the runtime inlined where the file needs it and with an inlined
    copy upgraded (or reported) wherever one is found."""
    if path.suffix == ".ipynb":
        return _finish_notebook(result, str(path), options)
    text = result.new_source
    block = find_block(text)
    if block is not None:
        return _upgrade(result, str(path), block, options)
    if not (result.needs_runtime and options.inline_runtime and result.changed):
        return result
    try:
        tree = ast.parse(text)
    except SyntaxError:  # libcst reads syntax this Python's ast does not: keep the module
        return _refuse(
            result, options, str(path), 1, "the file's syntax is newer than this Python's"
        )
    clash = _clash(tree.body)
    if clash is not None:
        return _refuse_bound(result, options, str(path), clash, _line_binding(result.source, clash))
    newline = _newline(text)
    lines = io.StringIO(text, newline="").readlines()  # Python's own line breaks
    at, after_import = _after_imports(tree, lines)
    inserted = _with_newline(_imports_and_block(tree.body), newline)
    before = "".join(lines[:at])
    if before and not before.endswith(("\n", "\r")):
        before += newline
    if not before:
        inserted = inserted.lstrip("\r\n")
    elif not after_import and not inserted.startswith(newline) and before.strip():
        inserted = newline + inserted  # a blank line after a docstring or a comment
    after = "".join(lines[at:]).lstrip("\r\n")
    new = before + inserted + (newline * 2 + after if after else "")
    return replace(result, new_source=new)


def _after_imports(tree: ast.Module, lines: list[str]) -> tuple[int, bool]:
    """The line (0-based) after the leading docstring and imports, and whether an import
    ends there; after the leading comments (a shebang, a licence) when there is neither."""
    end, after_import = 0, False
    for index, statement in enumerate(tree.body):
        is_import = isinstance(statement, ast.Import | ast.ImportFrom)
        if not (is_import or (index == 0 and _is_string(statement))):
            break
        end, after_import = statement.end_lineno or statement.lineno, is_import
    if end == 0:
        while end < len(lines) and lines[end].lstrip().startswith("#"):
            end += 1
    return end, after_import


def _bindings(statements: list[ast.stmt]) -> list[tuple[str, int, str | None]]:
    """Every top-level binding: (name, line, the import statement or None)."""
    found: list[tuple[str, int, str | None]] = []
    for statement in statements:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            # Each name with its own one-name import: `import os, signal` binds `os` as
            # the runtime's `import os` does.
            for alias in statement.names:
                if alias.name == "*":
                    continue
                one = (
                    ast.Import(names=[alias])
                    if isinstance(statement, ast.Import)
                    else ast.ImportFrom(statement.module, [alias], statement.level)
                )
                for name in _bound(one):
                    found.append((name, statement.lineno, ast.unparse(one)))
        else:
            found += [(name, statement.lineno, None) for name in _bound(statement)]
    return found


def _offends(name: str, source: str | None) -> bool:
    """A binding the inlined runtime would collide with: any binding of a name it defines;
    anything but its own import statement for a name it imports."""
    if name in runtime().names:
        return True
    needed = {bound: statement for bound, statement in runtime().imports}
    return name in needed and (source is None or _normal(source) != _normal(needed[name]))


def _clash(statements: list[ast.stmt]) -> str | None:
    """The first name the file binds that the inlined runtime binds too."""
    bindings = sorted(_bindings(statements), key=lambda binding: binding[1])
    return next((name for name, _, source in bindings if _offends(name, source)), None)


def _line_binding(source: str, name: str) -> int:
    """The line of the first colliding binding of `name` in the file as it is on disk
    (the diagnostic's line), 1 when it cannot be read."""
    try:
        statements = ast.parse(source).body
    except SyntaxError:
        return 1
    bindings = _bindings(statements)
    return next(
        (line for bound, line, code in bindings if bound == name and _offends(bound, code)), 1
    )


def _normal(statement: str) -> str:
    return ast.unparse(ast.parse(statement))


def _imports_and_block(statements: list[ast.stmt]) -> str:
    """The runtime's imports the file lacks, then the block (both LF)."""
    have = {name for name, _, _ in _bindings(statements)}
    missing = dict.fromkeys(s for name, s in runtime().imports if name not in have)
    imports = "".join(f"{statement}\n" for statement in missing)
    return (imports + "\n" if imports else "\n") + runtime().block


def _upgrade(result: FileResult, path: str, block: Block, options: Options) -> FileResult:
    if not options.enabled(CODE):
        return result
    found = finding(block.copy, path, block.line, WHAT)
    text = result.new_source
    new_source = text
    if block.copy.replaceable:
        newline = _newline(text)
        new_source = (
            text[: block.start] + _with_newline(runtime().block, newline) + text[block.end :]
        )
    diagnostics = [*result.diagnostics, *([found] if found is not None else [])]
    return replace(result, new_source=new_source, diagnostics=diagnostics)


def _refuse(
    result: FileResult,
    options: Options,
    path: str,
    line: int,
    why: str,
    help: str | None = None,
) -> FileResult:
    """Nothing is rewritten (the rewrite calls names the file would not have): the
    rewrites' findings go, the reports stay, and MA007 says why when it is selected."""
    kept = [d for d in result.diagnostics if not (d.fixable or d.is_note)]
    message = f"not migrated: the runtime cannot be inlined here: {why}"
    if options.enabled(CODE):
        kept.append(Diagnostic(path, line, 1, CODE, message, help=help))
    kept.sort(key=Diagnostic.sort_key)
    return replace(result, new_source=result.source, diagnostics=kept, needs_runtime=False)


def _refuse_bound(
    result: FileResult, options: Options, path: str, name: str, line: int
) -> FileResult:
    why = f"the file binds `{name}` at its top level, which the inlined runtime defines too"
    return _refuse(result, options, path, line, why, HELP_BOUND.format(name=name))


# -- notebooks -----------------------------------------------------------------------------
def _finish_notebook(result: FileResult, path: str, options: Options) -> FileResult:
    text = result.new_source
    if MARK not in text and not (result.needs_runtime and result.changed):
        return result
    import nbformat  # present: the notebook was read with it

    notebook = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    code = [(i, cell) for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    for index, cell in code:
        block = find_block(cell.source)
        if block is None:
            continue
        upgraded = _upgrade(
            FileResult(cell.source, cell.source), f"{path}:cell {index + 1}", block, options
        )
        if upgraded.new_source != cell.source:
            notebook.cells[index].source = upgraded.new_source.rstrip("\n")
            text = _write(nbformat, notebook, text)
        return replace(
            result, new_source=text, diagnostics=[*result.diagnostics, *upgraded.diagnostics]
        )
    if not (result.needs_runtime and result.changed):
        return result
    trees = {index: _parse(cell.source) for index, cell in code}
    for index, tree in trees.items():
        clash = _clash(tree.body) if tree is not None else None
        if clash is not None:  # the line in the cell as it was
            line = _line_binding(_original_cell(result.source, index), clash)
            return _refuse_bound(result, options, f"{path}:cell {index + 1}", clash, line)
    position = _new_cell_position(notebook, result.source, trees)
    earlier = [
        s for i, tree in trees.items() if tree is not None and i < position for s in tree.body
    ]
    cell = nbformat.v4.new_code_cell(_imports_and_block(earlier).strip("\n"))
    if "id" in cell and not all("id" in c for c in notebook.cells):
        del cell["id"]  # nbformat 4.4 has no cell ids
    elif "id" in cell:
        cell["id"] = CELL_ID  # a fixed id: the output does not depend on chance
    notebook.cells.insert(position, cell)
    return replace(result, new_source=_write(nbformat, notebook, text))


def _original_cell(original: str, index: int) -> str:
    import nbformat

    cells = nbformat.reads(original, as_version=nbformat.NO_CONVERT).cells
    return cells[index].source if index < len(cells) else ""


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:  # IPython syntax: its imports and names are not seen
        return None


def _new_cell_position(notebook: Any, original: str, trees: dict[int, ast.Module | None]) -> int:
    """After the first cell with imports, unless a cell using the runtime's names is that
    cell or comes before it: then just before that one (the new cell then imports what
    the runtime needs itself). A changed cell the ast cannot read counts as a user."""
    import nbformat

    before = nbformat.reads(original, as_version=nbformat.NO_CONVERT).cells
    users = [
        index
        for index, tree in sorted(trees.items())
        if (tree is None and _changed(index, notebook.cells, before))
        or (tree is not None and _loads_runtime_names(tree))
    ]
    with_imports = [
        index
        for index, tree in sorted(trees.items())
        if tree is not None and any(isinstance(s, ast.Import | ast.ImportFrom) for s in tree.body)
    ]
    first_user = users[0] if users else len(notebook.cells)
    if with_imports and with_imports[0] < first_user:
        return with_imports[0] + 1
    return first_user


def _changed(index: int, cells: list[Any], before: list[Any]) -> bool:
    return index >= len(before) or before[index].source != cells[index].source


def _loads_runtime_names(tree: ast.Module) -> bool:
    names = runtime().names
    return any(
        isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names
        for node in ast.walk(tree)
    )


def _write(nbformat: Any, notebook: Any, original: str) -> str:
    """As migrator/notebook.py writes a notebook (nbformat.writes, the input's last newline)."""
    text = nbformat.writes(notebook)
    if original.endswith("\n") and not text.endswith("\n"):
        text += "\n"
    return text

"""Top-level import upkeep after a rewrite: drop IDG imports left unused, add the ones the
emitted code needs.

libcst's RemoveImportsVisitor/AddImportsVisitor do this too, but they resolve scope metadata
over the whole rewritten module (which now holds the emitted pipeline), and that cost most of
a file's migration time. The imports we touch are all top-level, so a name count and a look
at `module.body` are enough; when in doubt an import is kept.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Collection

import libcst as cst

from migrator.analysis.names import IDG_MODULES
from migrator.analysis.tree import is_docstring


def used_names(
    module: cst.Module, skip_functions: frozenset[str] | set[str] = frozenset()
) -> Counter[str]:
    """How often each plain name is used outside import statements (and outside the
    functions named in `skip_functions`: code we emitted, which is large and never uses
    the user's imports)."""

    class _Names(cst.CSTVisitor):
        def __init__(self) -> None:
            self.names: Counter[str] = Counter()

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node.name.value not in skip_functions

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)  # `tf.keras.preprocessing.image`: `.image` is no use
            return False

        def visit_Name(self, node: cst.Name) -> None:
            self.names[node.value] += 1

    collector = _Names()
    module.visit(collector)
    return collector.names


def remove_unused_from_imports(
    module: cst.Module,
    imports: list[tuple[str, str, str | None]],
    skip_functions: frozenset[str] | set[str] = frozenset(),
) -> cst.Module:
    """Drop `from <module> import <obj> [as <asname>]` aliases whose name is no longer used.

    A statement left without aliases goes; its own comments move to the next statement.
    """
    if not imports:
        return module
    names = used_names(module, skip_functions)
    unused = {(m, o, a) for m, o, a in imports if names[a or o] == 0}
    if not unused:
        return module
    body: list[cst.BaseStatement] = []
    carried: list[cst.EmptyLine] = []
    for statement in module.body:
        if carried:
            statement = statement.with_changes(leading_lines=[*carried, *statement.leading_lines])
            carried = []
        kept = without_from_import_aliases(statement, unused)
        if kept is None:
            carried = [line for line in statement.leading_lines if line.comment is not None]
            continue
        body.append(kept)
    return module.with_changes(body=body)


def without_from_import_aliases(
    statement: cst.BaseStatement, unused: set[tuple[str, str, str | None]]
) -> cst.BaseStatement | None:
    """`statement` without the `(module, name, asname)` from-import aliases in `unused`;
    None when nothing is left of the line."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return statement
    smalls: list[cst.BaseSmallStatement] = []
    for small in statement.body:
        if (
            isinstance(small, cst.ImportFrom)
            and small.module is not None
            and not small.relative
            and not isinstance(small.names, cst.ImportStar)
        ):
            module_name = cst.helpers.get_full_name_for_node(small.module)
            aliases = [a for a in small.names if (module_name, *alias_key(a)) not in unused]
            if not aliases:
                continue
            if len(aliases) != len(small.names):
                if small.lpar is None or len(aliases) == 1:
                    # A trailing comma is only valid in parentheses, kept for two or more.
                    last = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                    aliases = [*aliases[:-1], last]
                    small = small.with_changes(lpar=None, rpar=None)
                small = small.with_changes(names=aliases)
        smalls.append(small)
    if not smalls:
        return None
    if len(smalls) != len(statement.body):
        smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return statement.with_changes(body=smalls)


def alias_key(alias: cst.ImportAlias) -> tuple[str, str | None]:
    name = cst.helpers.get_full_name_for_node(alias.name) or ""
    asname = (
        alias.asname.name.value
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
        else None
    )
    return name, asname


def add_module_imports(module: cst.Module, wanted: list[tuple[str, str | None]]) -> cst.Module:
    """Ensure `import <module> [as <asname>]` for each wanted pair, unless the module
    already has it, placed in the top-of-file import block as isort (ruff's I001) sorts:
    in its section (standard library, third party, first party), among the section's
    plain `import` lines in name order; a section the block lacks is added in its place,
    with a blank line around it."""
    present = {
        (cst.helpers.get_full_name_for_node(alias.name), alias_key(alias)[1])
        for statement in module.body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, cst.Import)
        for alias in small.names
    }
    body = list(module.body)
    for name, asname in sorted({pair for pair in wanted if pair not in present}):
        body = _placed(module, body, name, asname)
    return module.with_changes(body=body)


def _placed(
    module: cst.Module, body: list[cst.BaseStatement], name: str, asname: str | None
) -> list[cst.BaseStatement]:
    text = f"import {name}" + (f" as {asname}" if asname else "")
    line = cst.parse_statement(text + module.default_newline)
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    if end == start:  # no imports yet: the first statement after the docstring
        after = body[start:]
        if after:
            after[0] = _separated(after[0])
        if start:
            line = line.with_changes(leading_lines=[cst.EmptyLine()])
        return [*body[:start], line, *after]
    section = _section(name)
    block = body[start:end]
    same = [i for i, statement in enumerate(block) if _section_of(statement) == section]
    if same:
        # Before the first of the section's lines it sorts before (`import` lines come
        # before `from` lines in a section), else after the section's last line.
        at = next(
            (i for i in same if _is_from(block[i]) or _module_key(block[i]) > name.lower()),
            None,
        )
        if at is None:
            at = same[-1] + 1
        elif at == same[0]:  # the section's first line: take over its leading lines
            line = line.with_changes(leading_lines=block[at].leading_lines)
            block[at] = block[at].with_changes(leading_lines=[])
        block.insert(at, line)
        return [*body[:start], *block, *body[end:]]
    # A new section, after the sections that sort before it.
    at = next(
        (i for i, statement in enumerate(block) if _section_of(statement) > section),
        len(block),
    )
    if at < len(block):
        line = line.with_changes(leading_lines=block[at].leading_lines)
        block[at] = _separated(block[at].with_changes(leading_lines=[]))
    else:
        line = line.with_changes(leading_lines=[cst.EmptyLine()])
    block.insert(at, line)
    return [*body[:start], *block, *body[end:]]


def _separated(statement: cst.BaseStatement) -> cst.BaseStatement:
    """`statement` with a blank line before it (unless it has one)."""
    leading = list(getattr(statement, "leading_lines", ()))
    if leading and leading[0].comment is None:
        return statement
    return statement.with_changes(leading_lines=[cst.EmptyLine(), *leading])


def _section(name: str) -> int:
    """isort's section: 0 the standard library, 1 third party, 2 first party (ours)."""
    top = name.partition(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return 0
    return 2 if top == "idg_tfdata" else 1


def _section_of(statement: cst.BaseStatement) -> int:
    small = statement.body[0]  # type: ignore[attr-defined]
    if isinstance(small, cst.ImportFrom):
        if small.relative:
            return 2
        return _section(cst.helpers.get_full_name_for_node(small.module) or "")  # type: ignore[arg-type]
    return _section(cst.helpers.get_full_name_for_node(small.names[0].name) or "")


def _is_from(statement: cst.BaseStatement) -> bool:
    return isinstance(statement.body[0], cst.ImportFrom)  # type: ignore[attr-defined]


def _module_key(statement: cst.BaseStatement) -> str:
    small = statement.body[0]  # type: ignore[attr-defined]
    assert isinstance(small, cst.Import)
    return (cst.helpers.get_full_name_for_node(small.names[0].name) or "").lower()


def add_runtime_import(module: cst.Module, name: str) -> cst.Module:
    """`import idg_tfdata` (`from pkg import idg_tfdata` for "pkg.idg_tfdata") as a block
    of its own after the top-of-file imports: isort sees the module as first-party, a
    section after the third-party ones, with a blank line between."""
    package, _, module_name = name.rpartition(".")
    text = f"from {package} import {module_name}" if package else f"import {module_name}"
    body = list(module.body)
    if any(
        isinstance(statement, cst.SimpleStatementLine)
        and module.code_for_node(statement).strip() == text
        for statement in body
    ):
        return module
    start = 1 if body and is_docstring(body[0]) else 0
    at = start
    while at < len(body) and _is_import_line(body[at]):
        at += 1
    line = cst.parse_statement(text + module.default_newline)
    if at > start:
        line = line.with_changes(leading_lines=[cst.EmptyLine()])
    after = body[at:]
    if after and (not after[0].leading_lines or after[0].leading_lines[0].comment is not None):
        after[0] = after[0].with_changes(leading_lines=[cst.EmptyLine(), *after[0].leading_lines])
    return module.with_changes(body=[*body[:at], line, *after])


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], (cst.Import, cst.ImportFrom))
    )


def from_import_alias(
    statement: cst.BaseSmallStatement, modules: Collection[str], name: str
) -> cst.ImportAlias | None:
    """The `<name> [as x]` alias of `from <one of modules> import ...`, if it is one."""
    if not isinstance(statement, cst.ImportFrom) or statement.relative:
        return None
    if statement.module is None or isinstance(statement.names, cst.ImportStar):
        return None
    if cst.helpers.get_full_name_for_node(statement.module) not in modules:
        return None
    for alias in statement.names:
        if isinstance(alias.name, cst.Name) and alias.name.value == name:
            return alias
    return None


# The modules holding IDG's modules: `from tensorflow.keras.preprocessing import image`.
IDG_PARENT_MODULES = frozenset(module.rpartition(".")[0] for module in IDG_MODULES)


def image_module_imports(module: cst.Module) -> list[tuple[str, str, str | None]]:
    """(module, "image", asname) of each top-level `from <...>.preprocessing import image`
    that brings in one of IDG's modules (`image.ImageDataGenerator(...)`)."""
    return _top_level_from_imports(module, "image", IDG_PARENT_MODULES)


def idg_imports(module: cst.Module) -> list[tuple[str, str, str | None]]:
    """(module, "ImageDataGenerator", asname) of each top-level IDG from-import."""
    return _top_level_from_imports(module, "ImageDataGenerator", IDG_MODULES)


def _top_level_from_imports(
    module: cst.Module, name: str, modules: Collection[str]
) -> list[tuple[str, str, str | None]]:
    """(module, name, asname) of each top-level `from <one of modules> import name`."""
    found = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            alias = from_import_alias(small, modules, name)
            if alias is not None:
                module_name = cst.helpers.get_full_name_for_node(small.module)  # type: ignore[union-attr, arg-type]
                found.append((module_name or "", *alias_key(alias)))
    return found

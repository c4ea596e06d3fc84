"""MA006: Keras 3 has no `keras.preprocessing.image.ImageDataGenerator`. Where the class
is still used after the rewrites (a refused or report-only generator), its import or
reference moves to TensorFlow's path, the same legacy class."""

from __future__ import annotations

import re
from collections.abc import Collection

import libcst as cst

from migrator.imports import alias_key, from_import_alias, without_from_import_aliases
from migrator.plan.edits import Edits
from migrator.plan.session import Session

# A name bound to something in the top-level `keras` package needs `keras` right after
# `import`, `from` or a comma (line continuations allowed).
_IMPORTS_KERAS = re.compile(r"(?:\bimport|\bfrom|,)(?:\s|\\)*keras\b")
KERAS2_IDG_MODULE = "keras.preprocessing.image"  # Keras 2's path; gone in Keras 3
KERAS2_IDG = f"{KERAS2_IDG_MODULE}.ImageDataGenerator"
KERAS3_IDG_MODULE = "tensorflow.keras.preprocessing.image"  # TF 2.16+: Keras 3's legacy IDG


def plan_keras2_imports(session: Session) -> Edits:
    """The MA006 edits (see the module's docstring); `session.rewritten` holds the
    constructions the rewrites removed."""
    edits = Edits()
    if not _IMPORTS_KERAS.search(session.source):
        return edits  # nothing can name Keras 2's class: skip the walk
    references: list[cst.Name | cst.Attribute] = []
    imports: list[tuple[cst.SimpleStatementLine, cst.ImportFrom]] = []
    finder = session.finder

    class _References(cst.CSTVisitor):
        def visit_SimpleStatementLine(session: Session, node: cst.SimpleStatementLine) -> None:
            for small in node.body:
                if isinstance(small, cst.ImportFrom) and _imports_keras2_idg(small):
                    imports.append((node, small))

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            if KERAS2_IDG in finder.qualified(node):
                references.append(node)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            if KERAS2_IDG in finder.qualified(node):
                references.append(node)
                return False
            return True

    session.module.visit(_References())
    removed = {construction.func for construction in session.rewritten}
    for reference in references:
        if reference in removed or not isinstance(reference, cst.Attribute):
            continue
        lines = session.lines(reference)
        if not session.acts_on("MA006", lines):
            continue
        new = f"{session.tf}.keras.preprocessing.image.ImageDataGenerator"
        session.report(
            "MA006",
            reference,
            f"`{session.source_of(reference)}` does not exist in Keras 3 and the generator "
            f"is not migrated here: replaced by `{new}`, the same legacy class",
            lines,
            fixable=True,
        )
        edits.expressions[reference] = cst.parse_expression(new)
        session.needs_tf = True
    for line, statement in imports:
        local = _keras2_idg_alias(statement)
        scope = session.finder.scopes.get(statement)
        uses = [
            access.node
            for assignment in (scope.assignments[local] if scope is not None else ())
            if assignment.node is statement
            for access in assignment.references
        ]
        remaining = [use for use in uses if use not in removed]
        lines = session.lines(statement)
        if uses and not remaining:
            if isinstance(session.finder.parent(line), cst.Module):
                continue  # unused now: removed with the other IDG imports
            edits.statements[line] = _without_idg_import(line, statement)
            continue
        if not session.acts_on("MA006", lines):
            continue
        session.report(
            "MA006",
            statement,
            "`keras.preprocessing.image` has no ImageDataGenerator in Keras 3"
            + (" and it is still used here" if remaining else "")
            + f": imported from {KERAS3_IDG_MODULE} instead, the same legacy class",
            lines,
            fixable=True,
        )
        edits.statements[line] = _idg_import_moved(line, statement)
    return edits


def _idg_alias(statement: cst.ImportFrom, modules: Collection[str]) -> cst.ImportAlias | None:
    """The `ImageDataGenerator [as name]` alias of `from <one of modules> import ...`."""
    return from_import_alias(statement, modules, "ImageDataGenerator")


def _imports_keras2_idg(statement: cst.ImportFrom) -> bool:
    return _idg_alias(statement, (KERAS2_IDG_MODULE,)) is not None


def _keras2_idg_alias(statement: cst.ImportFrom) -> str:
    alias = _idg_alias(statement, (KERAS2_IDG_MODULE,))
    assert alias is not None
    return alias_key(alias)[1] or "ImageDataGenerator"


def _split_idg_alias(
    statement: cst.ImportFrom,
) -> tuple[cst.ImportAlias, list[cst.ImportAlias]]:
    assert not isinstance(statement.names, cst.ImportStar)
    idg = [
        a
        for a in statement.names
        if cst.ensure_type(a.name, cst.Name).value == "ImageDataGenerator"
    ]
    others = [a for a in statement.names if a not in idg]
    if others:
        others[-1] = others[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return idg[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), others


def _replace_small(
    line: cst.SimpleStatementLine, old: cst.ImportFrom, new: list[cst.BaseSmallStatement]
) -> cst.SimpleStatementLine:
    body: list[cst.BaseSmallStatement] = []
    for small in line.body:
        body += new if small is old else [small]
    if body:
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=body)


def _without_idg_import(
    line: cst.SimpleStatementLine, statement: cst.ImportFrom
) -> list[cst.BaseStatement]:
    """The line without its (now unused) ImageDataGenerator import."""
    alias = _idg_alias(statement, (KERAS2_IDG_MODULE,))
    assert alias is not None
    kept = without_from_import_aliases(line, {(KERAS2_IDG_MODULE, *alias_key(alias))})
    return [] if kept is None else [kept]


def _idg_import_moved(
    line: cst.SimpleStatementLine, statement: cst.ImportFrom
) -> list[cst.BaseStatement]:
    """`from keras.preprocessing.image import ImageDataGenerator[, load_img]` ->
    `from tensorflow.keras.preprocessing.image import ImageDataGenerator` (and the other
    names, which Keras 3 still has, from where they were)."""
    idg, others = _split_idg_alias(statement)
    moved = cst.ImportFrom(
        module=cst.parse_expression(KERAS3_IDG_MODULE),  # type: ignore[arg-type]
        names=[idg],
    )
    if not others:
        return [_replace_small(line, statement, [moved])]
    kept = statement.with_changes(names=others)
    trailing = line.trailing_whitespace
    first = _replace_small(line, statement, [kept])
    second = cst.SimpleStatementLine(body=[moved], trailing_whitespace=trailing)
    return [first, second]

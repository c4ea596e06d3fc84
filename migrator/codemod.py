"""The codemod's entry point on one module, and the transformer that applies the plan.

parse -> Session (SiteFinder: analysis/) -> plan_module (plan/) -> Edits -> EditApplier ->
import upkeep (imports.py, with the runtime module's import). The decisions (which rule,
what blocks a generator, which edits) are the planner's; this module only carries them out.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import libcst as cst

from migrator.diagnostics import Diagnostic
from migrator.emit.joining import joined
from migrator.imports import (
    add_module_imports,
    add_runtime_import,
    idg_imports,
    image_module_imports,
    remove_unused_from_imports,
    used_names,
)
from migrator.options import (
    PREFILTERS,
    FileResult,
    Options,
    SourceParseError,
    UnknownCodeError,
)
from migrator.plan.chains import split_call
from migrator.plan.driver import plan_module
from migrator.plan.edits import Edits
from migrator.plan.rewrite import IDG_FIT_PARAMETERS
from migrator.plan.session import Session
from migrator.rules import RULES_BY_CODE
from migrator.suppression import unknown_codes

__all__ = ["IDG_FIT_PARAMETERS", "migrate_module"]  # IDG_FIT_PARAMETERS: the docs' test reads it


def migrate_module(
    source: str, path: str, options: Options, *, prefilter: bool = True
) -> FileResult:
    """`prefilter=False` analyses every module in full, even one that names no marker: the
    no-crash test (tests/test_no_crash.py) drives every site finder over code the
    pre-filter would skip."""
    unknown = unknown_codes(source, RULES_BY_CODE)
    if unknown:  # a usage error, as with --select: the file is left as it is
        line, column, code = unknown[0]
        raise UnknownCodeError(code, line, column)
    if prefilter and not any(marker in source for marker in PREFILTERS):
        return FileResult(source, source, [])
    # Called either way: it also refuses nesting that would crash libcst's native parser.
    if not _names_a_marker(source) and prefilter:
        return FileResult(source, source, [])
    with _deep_recursion():
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as error:
            raise SourceParseError(error.message, error.raw_line, error.raw_column + 1) from error
        return _run(Session(module, source, path, options))


def _run(session: Session) -> FileResult:
    edits = plan_module(session)
    diagnostics = sorted(session.diagnostics, key=Diagnostic.sort_key)
    if not edits:
        return FileResult(session.source, session.source, diagnostics)
    new_code = _apply(session, edits).code
    return FileResult(session.source, new_code, diagnostics, needs_runtime=session.needs_runtime)


def _apply(session: Session, edits: Edits) -> cst.Module:
    module = session.module
    transformed = module.visit(_EditApplier(edits, _relayout(session, edits)))
    unused_candidates = idg_imports(module)
    image_modules = image_module_imports(module)
    if image_modules:  # `image` goes only if the rewrite took its last use
        before = used_names(module)
        unused_candidates += [m for m in image_modules if before[m[2] or m[1]]]
    transformed = remove_unused_from_imports(transformed, unused_candidates)
    wanted: list[tuple[str, str | None]] = []
    if session.tf_import is None and session.needs_tf:
        wanted.append(("tensorflow", None if session.tf == "tensorflow" else session.tf))
    if session.needs_math:
        wanted.append(("math", None))
    transformed = add_module_imports(transformed, wanted)
    if session.needs_runtime and not session.options.inline_runtime:
        transformed = add_runtime_import(transformed, session.options.runtime_import)
    return transformed


# libcst's visitors recurse a few frames per level of nesting: everything CPython accepts
# (200 nested brackets, ~3000-term operator chains) needs more than the default 1000.
_RECURSION_LIMIT = 20_000


# CPython's own nesting limits. libcst's native parser overflows its stack (a segfault,
# which no `except` catches) on nesting far beyond them, so such code never reaches it.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation")


@contextmanager
def _deep_recursion() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _names_a_marker(source: str) -> bool:
    """Whether code (not only strings or comments) names IDG or a *_generator method.

    Python's own parser is ~100x cheaper than libcst with metadata, so files that merely
    mention the names in docs or strings stop here. Source that `ast` cannot parse goes on
    to libcst, which reports the error itself (or parses syntax newer than this Python),
    except nesting beyond CPython's limits, refused here (SourceParseError).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        if any(reason in str(error.msg) for reason in _TOO_DEEP):
            raise SourceParseError(error.msg, error.lineno or 1, error.offset or 1) from error
        return True
    except ValueError:  # e.g. NUL bytes: libcst reports those itself
        return True
    except MemoryError as error:  # Python's own parser gives up on the nesting
        raise RecursionError("code nested too deeply to analyse") from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.alias):
            name = node.name.rpartition(".")[2]
        else:
            continue
        if name in PREFILTERS:
            return True
    return False


def _relayout(session: Session, edits: Edits) -> Callable[[cst.CSTNode, cst.CSTNode], cst.CSTNode]:
    """A user's statement the rewrite changed, laid out again where ruff would lay it out
    differently now: joined onto one line when it got short enough (a hoisted pipeline),
    split as ruff splits a call when it got too long (a longer name in it)."""
    module = session.module
    length = session.options.line_length
    touched = {id(session.finder.enclosing_statement(node)) for node in edits.expressions}

    def relayout(original: cst.CSTNode, updated: cst.CSTNode) -> cst.CSTNode:
        if id(original) not in touched or not isinstance(updated, cst.SimpleStatementLine):
            return updated
        code = module.code_for_node(updated.with_changes(leading_lines=[])).rstrip("\r\n")
        before = module.code_for_node(original.with_changes(leading_lines=[])).rstrip("\r\n")  # type: ignore[attr-defined]
        if code == before:
            return updated
        indent = len(session.indent_of(original).expandtabs(4))
        line = joined(code, indent, length)
        if line is not None:
            statement = cst.parse_statement(line + module.default_newline)
            return statement.with_changes(leading_lines=updated.leading_lines)
        if "\n" in code or indent + len(code) <= length or "#" in code:
            return updated
        if "\n" in before or indent + len(before) > length:
            return updated  # the user's own line was already long: their layout stays
        split = split_call(session, updated, original)
        return updated if split is None else split.with_changes(leading_lines=updated.leading_lines)

    return relayout


class _EditApplier(cst.CSTTransformer):
    def __init__(
        self, edits: Edits, join: Callable[[cst.CSTNode, cst.CSTNode], cst.CSTNode]
    ) -> None:
        self.edits = edits
        self.join = join

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        updated_node = super().on_leave(original_node, updated_node)  # leave_<Node> hooks
        updated_node = self.join(original_node, updated_node)
        if original_node in self.edits.expressions:
            replacement = self.edits.expressions[original_node]
            return replacement(updated_node) if callable(replacement) else replacement
        replacement = self.edits.statements.get(original_node)
        before = self.edits.insert_before.get(original_node)
        if replacement is None and before is None:
            return updated_node
        statements = list(before or [])
        if statements and replacement is None:
            updated_node = self._before(statements, updated_node)
        statements += [updated_node] if replacement is None else replacement
        if not statements:
            return cst.RemovalSentinel.REMOVE
        return cst.FlattenSentinel(statements)

    def _before(self, inserted: list[cst.BaseStatement], node: cst.CSTNode) -> cst.CSTNode:
        """Statements inserted before `node`: before a def or class they stand apart as
        PEP 8 spaces definitions; before another statement they take its leading comments
        and blank lines (the comment above a statement now introduces what computes its
        inputs), unless they bring their own."""
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self.edits.blocks.append((inserted[0], inserted[-1]))
            return node
        leading = getattr(node, "leading_lines", ())
        if leading and not inserted[0].leading_lines:
            inserted[0] = inserted[0].with_changes(leading_lines=leading)
            return node.with_changes(leading_lines=[])
        return node

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node.with_changes(body=self._spaced(updated_node.body, 1))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._spaced(updated_node.body, 2))

    def _spaced(self, body: Sequence[cst.BaseStatement], blank: int) -> list[cst.BaseStatement]:
        """PEP 8 spacing around statements inserted before a def or class: `blank` empty
        lines before and after."""
        firsts = {id(first) for first, _ in self.edits.blocks}
        lasts = {id(last) for _, last in self.edits.blocks}
        spaced = list(body)
        for index, statement in enumerate(spaced):
            needs = index > 0 and (id(statement) in firsts or id(spaced[index - 1]) in lasts)
            if needs and hasattr(statement, "leading_lines"):
                spaced[index] = _ensure_blank_lines(statement, blank)
                for marks in (firsts, lasts):
                    if id(statement) in marks:
                        marks.add(id(spaced[index]))
        return spaced


def _ensure_blank_lines(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    leading = list(statement.leading_lines)
    existing = 0
    while existing < len(leading) and leading[existing].comment is None:
        existing += 1
    if existing >= count:
        return statement
    blank = cst.EmptyLine(indent=False)
    return statement.with_changes(leading_lines=[blank] * (count - existing) + leading)

"""Session: the state every planner of one module shares (tree, reporting, fresh names,
emitted code, the `tf` alias, Keras 2 semantics, the imports the edits need).

Raises no code of its own: `report` filters every planner's findings by --select and by
suppression comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst
from libcst.metadata import Scope

from migrator.analysis.sites import SiteFinder
from migrator.analysis.strategy import StrategyIndex
from migrator.diagnostics import Diagnostic
from migrator.options import Options
from migrator.rules import Code
from migrator.suppression import is_suppressed, suppressions

_WORD = re.compile(r"(?!\d)\w+")


class Session:
    def __init__(self, module: cst.Module, source: str, path: str, options: Options) -> None:
        # The module was just parsed for this migration: no defensive deep copy needed.
        self.wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        self.source = source
        self.path = path
        self.options = options
        self.finder = SiteFinder(self.wrapper)
        self.module = self.wrapper.module
        self.strategies = StrategyIndex(self.module, self.finder.qualified, self.finder.parents)
        self.suppressed = suppressions(source)
        self.used_names = _all_names(source)
        self.tf_import = _tensorflow_alias(self.module)
        # The program trains with Keras 2 semantics (see the step-count note in plan/rewrite).
        self.keras2 = _trains_with_keras2(self.module, source)
        # `tf` for the emitted code, unless the program binds `tf` to something else.
        self.tf = self.tf_import or _free_alias(self.finder.scopes.values(), ("tf", "tensorflow"))
        self.diagnostics: list[Diagnostic] = []
        self.needs_runtime = False  # the rewritten code calls the runtime module
        self.needs_math = False  # MA004 rounds a fractional step count up with math.ceil
        # Emitted code by placeholder name: spliced in as text after codegen (codemod._splice).
        self.emitted: dict[str, str] = {}
        self.needs_tf = False  # emitted code or a rewritten reference uses `tf`
        self.rewritten: set[cst.Call] = set()  # constructions of rewritten generators
        self.replica_models: set[cst.Name] = set()  # models given an augmentation layer

    # -- reporting -----------------------------------------------------------------
    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        code_range = self.finder.positions.get(node)
        return (code_range.start.line, code_range.start.column + 1) if code_range else (1, 1)

    def lines(self, *nodes: cst.CSTNode) -> set[int]:
        return {self.position(node)[0] for node in nodes}

    def acts_on(self, code: Code, lines: set[int]) -> bool:
        """The code is selected and not suppressed on any of `lines`."""
        return self.options.enabled(code) and not is_suppressed(code, lines, self.suppressed)

    def report(
        self,
        code: Code,
        node: cst.CSTNode,
        message: str,
        site_lines: set[int],
        *,
        fixable: bool = False,
        replacement: str | None = None,
        help: str | None = None,  # what to do about it (Diagnostic.help)
    ) -> None:
        if not self.options.enabled(code):
            return
        line, column = self.position(node)
        if is_suppressed(code, site_lines | {line}, self.suppressed):
            return
        self.diagnostics.append(
            Diagnostic(self.path, line, column, code, message, fixable, replacement, help)
        )

    def source_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # -- names and emitted code ------------------------------------------------------
    def fresh(self, name: str) -> str:
        candidate, counter = name, 2
        while candidate in self.used_names:
            candidate, counter = f"{name}_{counter}", counter + 1
        self.used_names.add(candidate)
        return candidate

    def emitted_statements(self, code: str) -> list[cst.BaseStatement]:
        """Emitted code as one placeholder statement whose line `_splice` replaces with the
        code after codegen. Emitted code is text that never needs editing, and parsing its
        ~170 lines into nodes, then visiting and printing them, cost half a migration."""
        marker = self.fresh("__migrate_aug_emitted__")  # no word of the source
        self.emitted[marker] = code
        return [cst.SimpleStatementLine([cst.Expr(cst.Name(marker))])]

    def indent_of(self, node: cst.CSTNode) -> str:
        """The indentation of the line on which the statement holding `node` starts."""
        line = self.position(self.finder.enclosing_statement(node))[0]
        text = self.source.splitlines()[line - 1]
        return text[: len(text) - len(text.lstrip())]


def _trains_with_keras2(module: cst.Module, source: str) -> bool:
    """The program imports tf_keras or sets TF_USE_LEGACY_KERAS (code, not comments)."""
    if "tf_keras" not in source and "TF_USE_LEGACY_KERAS" not in source:
        return False  # the common case, without a walk over the tree

    class _Finder(cst.CSTVisitor):
        found = False

        def visit_Import(self, node: cst.Import) -> None:
            names = [cst.helpers.get_full_name_for_node(a.name) or "" for a in node.names]
            self.found |= any(n.split(".")[0] == "tf_keras" for n in names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            name = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
            self.found |= (name or "").split(".")[0] == "tf_keras"

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            self.found |= node.value.strip("'\"") == "TF_USE_LEGACY_KERAS"

    finder = _Finder()
    module.visit(finder)
    return finder.found


def _all_names(source: str) -> set[str]:
    """Every identifier-like word of the source, strings and comments included: a superset
    of the module's names, which is all that choosing fresh names needs."""
    return set(_WORD.findall(source))


def _free_alias(scopes: Iterable[Scope | None], candidates: tuple[str, ...]) -> str:
    """The first of `candidates` that no scope of the program binds (assignment,
    parameter, import, def, class, loop or with target), else the first with a suffix."""
    bound = {assignment.name for scope in set(scopes) if scope for assignment in scope.assignments}
    for name in candidates:
        if name not in bound:
            return name
    counter = 2
    while f"{candidates[0]}_{counter}" in bound:
        counter += 1
    return f"{candidates[0]}_{counter}"


def _tensorflow_alias(module: cst.Module) -> str | None:
    """The name `import tensorflow [as tf]` binds at module level, if any."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if cst.helpers.get_full_name_for_node(alias.name) == "tensorflow":
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            return alias.asname.name.value
                        return "tensorflow"
    return None

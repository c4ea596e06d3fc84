"""Tree: a module with the metadata every analysis reads (qualified names, parents,
scopes, positions), resolved once, and the helpers that walk it (parent, inside,
enclosing..., same_bindings). Raises no code.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
from libcst.metadata import (
    Assignment,
    BaseAssignment,
    CodeRange,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)
from libcst.metadata.base_provider import LazyValue

from migrator.analysis.names import star_import_module


class Tree:
    def __init__(self, wrapper: cst.MetadataWrapper) -> None:
        self.module = wrapper.module
        # One call: libcst then computes the batchable providers in shared tree walks.
        resolved = wrapper.resolve_many(
            [QualifiedNameProvider, ParentNodeProvider, ScopeProvider, PositionProvider]
        )
        self.qualified_names = resolved[QualifiedNameProvider]
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = resolved[ParentNodeProvider]
        self.scopes: Mapping[cst.CSTNode, Scope | None] = resolved[ScopeProvider]
        self.positions: Mapping[cst.CSTNode, CodeRange] = resolved[PositionProvider]
        # `from tensorflow.keras.preprocessing.image import *`: libcst gives the names it
        # brings no qualified name, so unbound names are read as that module's.
        self._star_module = star_import_module(self.module)

    def qualified(self, node: cst.CSTNode) -> set[str]:
        value = self.qualified_names.get(node)
        if isinstance(value, LazyValue):  # QualifiedNameProvider resolves lazily
            value = value()
        if value:
            return {q.name for q in value}
        return self._star_imported(node)

    def _star_imported(self, node: cst.CSTNode) -> set[str]:
        """`Name` or `Name.attr...` whose root name is bound nowhere in reach, in a module
        with one star import: the name that import brings."""
        if self._star_module is None:
            return set()
        parts: list[str] = []
        root = node
        while isinstance(root, cst.Attribute):
            parts.append(root.attr.value)
            root = root.value
        if not isinstance(root, cst.Name):
            return set()
        scope = self.scopes.get(root)
        if scope is None or root.value in scope:
            return set()
        dotted = ".".join([root.value, *reversed(parts)])
        return {f"{self._star_module}.{dotted}"}

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        """Whether `node` is `ancestor` or lies within it."""
        current: cst.CSTNode | None = node
        while current is not None and current is not ancestor:
            current = self.parent(current)
        return current is ancestor

    def enclosing_statement(self, node: cst.CSTNode) -> cst.CSTNode:
        """The nearest statement (simple line or compound) that holds `node`."""
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(
            current, cst.SimpleStatementLine | cst.BaseCompoundStatement
        ):
            current = self.parent(current)
        assert current is not None
        return current

    def top_level_statement(self, node: cst.CSTNode) -> cst.CSTNode:
        current = node
        while True:
            parent = self.parent(current)
            if parent is None or isinstance(parent, cst.Module):
                return current
            current = parent

    def enclosing(self, node: cst.CSTNode, kind: type[cst.CSTNode]) -> cst.CSTNode | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, kind):
            current = self.parent(current)
        return current

    def same_bindings(self, moved: cst.CSTNode, destination: cst.CSTNode) -> bool:
        """Every name in `moved` means the same at `destination`, and is bound there
        already when it is bound in destination's own scope."""
        names = read_names(moved)
        target_scope = self.scopes.get(destination)
        for name in names:
            scope = self.scopes.get(name)
            if scope is None or target_scope is None:
                return False
            here = {_binding(assignment) for assignment in scope[name.value]}
            there = {_binding(assignment) for assignment in target_scope[name.value]}
            if here != there:
                return False
            start = position_key(self.positions, destination)
            for assignment in target_scope[name.value]:
                if assignment.scope is target_scope and (
                    position_key(self.positions, assignment.node) > start
                ):
                    return False  # bound only later: the moved code would run too early
        return True


def read_names(node: cst.CSTNode) -> list[cst.Name]:
    """The names `node` looks up (not attribute names, not keywords)."""
    names: list[cst.Name] = []

    class _Names(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False  # `.attr` is not a name lookup

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False  # keywords are not name lookups

        def visit_Name(self, node: cst.Name) -> None:
            names.append(node)

    node.visit(_Names())
    return names


def _binding(assignment: BaseAssignment) -> object:
    """What a name is bound to: the binding node, or a builtin's name (builtins have no
    node: `int`, `len` in a lambda moved elsewhere mean the same wherever they go)."""
    return assignment.node if isinstance(assignment, Assignment) else ("builtin", assignment.name)


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def position_key(positions: Mapping[cst.CSTNode, CodeRange], node: cst.CSTNode) -> tuple[int, int]:
    position = positions.get(node)
    return (position.start.line, position.start.column) if position else (0, 0)

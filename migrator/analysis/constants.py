"""ScopeConstants: the module constants and dict configs that literal arguments may
name (`ImageDataGenerator(**AUG)`, `rotation_range=ROT`, `CFG.zoom`), resolved only where
their value is certain. Raises no code (NotLiteral when it is not certain).
"""

from __future__ import annotations

from typing import Any

import libcst as cst
from libcst.metadata import Assignment, ClassScope

from migrator.analysis.literals import NameResolver, NotLiteral, evaluate
from migrator.analysis.names import is_idg
from migrator.analysis.tree import Tree


class ScopeConstants(NameResolver):
    """A name is a constant when its scope binds it exactly once, by a plain assignment
    at the top of that scope's body (not under if/for/try), to a literal value, and it
    is never mutated (no `name[...] = `, no method calls on it)."""

    def __init__(self, finder: Tree) -> None:
        self.finder = finder
        self._depth = 0

    def resolve(self, name: cst.Name) -> Any:
        scope = self.finder.scopes.get(name)
        if scope is None:
            raise NotLiteral(f"`{name.value}` is not a constant")
        assignments = [a for a in scope[name.value] if isinstance(a, Assignment)]
        if len(assignments) != 1:
            raise NotLiteral(f"`{name.value}` is not bound exactly once")
        assignment = assignments[0]
        value = self._assigned_value(assignment.node, name)
        for access in assignment.references:
            parent = self.finder.parent(access.node)
            if isinstance(parent, cst.Subscript | cst.Attribute) and parent.value is access.node:
                raise NotLiteral(f"`{name.value}` is modified or inspected")
        result = self._evaluate_nested(value)
        if isinstance(result, dict | list):
            # A dict or list can be changed through any other reference to it (an alias, a
            # function's parameter): only unpacking, copying and IDG's own arguments are safe.
            for access in assignment.references:
                if not self._read_without_leaking(access.node):
                    raise NotLiteral(
                        f"`{name.value}` is passed or aliased where it could be changed"
                    )
        return result

    def dict_entries(self, node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
        """The entries of the keyword dict `node` names or writes, as expressions: a dict
        display or `dict(...)` call (merges `{**a, **b}` followed), bound once and never
        changed (as `resolve` requires of a constant dict), whose keys are literal strings
        and whose values may be any expression (evaluated once, where the dict is built:
        `**name` passes exactly those values on). NotLiteral when it is not certain."""
        if self._depth > 20:
            raise NotLiteral("dicts nest too deep")
        self._depth += 1
        try:
            return self._dict_entries(node)
        finally:
            self._depth -= 1

    def _dict_entries(self, node: cst.BaseExpression) -> dict[str, cst.BaseExpression]:
        if isinstance(node, cst.Name):
            scope = self.finder.scopes.get(node)
            assignments = (
                [a for a in scope[node.value] if isinstance(a, Assignment)] if scope else []
            )
            if len(assignments) != 1:
                raise NotLiteral(f"`{node.value}` is not bound exactly once")
            value = self._assigned_value(assignments[0].node, node)
            for access in assignments[0].references:
                if not self._read_without_leaking(access.node):
                    raise NotLiteral(
                        f"`{node.value}` is passed or aliased where it could be changed"
                    )
            return self.dict_entries(value)
        entries: dict[str, cst.BaseExpression] = {}
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    entries.update(self.dict_entries(element.value))
                    continue
                key = evaluate(element.key, None, self)
                if not isinstance(key, str):
                    raise NotLiteral("non-string dict key")
                entries[key] = element.value
            return entries
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "dict"
            and self._is_builtin(node.func)
            and all((a.keyword is not None and not a.star) or a.star == "**" for a in node.args)
        ):
            for arg in node.args:
                if arg.star == "**":
                    entries.update(self.dict_entries(arg.value))
                else:
                    entries[arg.keyword.value] = arg.value  # type: ignore[union-attr]
            return entries
        raise NotLiteral(f"`{type(node).__name__}` is not a dict the tool can read")

    def _is_builtin(self, name: cst.Name) -> bool:
        scope = self.finder.scopes.get(name)
        return scope is not None and not any(isinstance(a, Assignment) for a in scope[name.value])

    def _evaluate_nested(self, value: cst.BaseExpression) -> object:
        """The value of a constant's definition (which may name other constants)."""
        if self._depth > 20:
            raise NotLiteral("constants nest too deep")
        self._depth += 1
        try:
            return evaluate(value, None, self)
        finally:
            self._depth -= 1

    def _read_without_leaking(self, node: cst.CSTNode) -> bool:
        """`f(**node)`, `f(*node)`, `{**node}`, `[*node]`, `dict(node)`, `print(node)` or an
        argument of ImageDataGenerator (which copies what it keeps)."""
        parent = self.finder.parent(node)
        if isinstance(parent, cst.StarredDictElement | cst.StarredElement):
            return True
        if not isinstance(parent, cst.Arg):
            return False
        if parent.star in ("*", "**"):
            return True
        call = self.finder.parent(parent)
        if not isinstance(call, cst.Call):
            return False
        if isinstance(call.func, cst.Name) and call.func.value in _NON_MUTATING_BUILTINS:
            scope = self.finder.scopes.get(call.func)
            # The builtin itself, not a name the program binds (builtins are not Assignments).
            return scope is not None and not any(
                isinstance(a, Assignment) for a in scope[call.func.value]
            )
        return is_idg(self.finder.qualified(call.func))

    def qualified(self, node: cst.CSTNode) -> set[str]:
        return self.finder.qualified(node)

    def resolve_attribute(self, node: cst.Attribute) -> Any:
        """`CFG.rotation` of a configuration class (Kaggle's `class CFG:`): a plain class
        (no bases, decorators or metaclass) bound once, whose body binds the attribute
        once by a plain assignment, and whose name is only ever read as `CFG.<attr>`,
        never with this attribute assigned or deleted."""
        source = self.finder.module.code_for_node(node)
        base = node.value
        scope = self.finder.scopes.get(base)
        if not isinstance(base, cst.Name) or scope is None:
            raise NotLiteral("`Attribute` is not a literal")
        assignments = [a for a in scope[base.value] if isinstance(a, Assignment)]
        if not any(isinstance(a.node, cst.ClassDef) for a in assignments):
            raise NotLiteral("`Attribute` is not a literal")  # not a class attribute
        class_def = assignments[0].node
        if len(assignments) != 1 or not isinstance(class_def, cst.ClassDef):
            raise NotLiteral(f"`{base.value}` is bound more than once")
        if class_def.decorators or class_def.bases or class_def.keywords:
            raise NotLiteral(f"`{base.value}` is not a plain class (bases, decorators)")
        if not all(_is_plain_setting(statement) for statement in class_def.body.body):
            # A method could change its own class (`cls.rotation = ...`).
            raise NotLiteral(f"`{base.value}` has more than plain assignments in its body")
        attribute = node.attr.value
        for access in assignments[0].references:
            read = self.finder.parent(access.node)
            if not (isinstance(read, cst.Attribute) and read.value is access.node):
                raise NotLiteral(f"`{base.value}` is used other than by reading its attributes")
            if read.attr.value == attribute and self._is_target(read):
                raise NotLiteral(f"`{source}` is assigned or deleted")
        first = class_def.body.body[0] if class_def.body.body else None
        class_scope = self.finder.scopes.get(first) if first is not None else None
        if not isinstance(class_scope, ClassScope):
            raise NotLiteral(f"`{source}` is not a constant")
        bindings = list(class_scope.assignments[attribute])
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment):
            raise NotLiteral(f"`{source}` is not bound exactly once in the class body")
        value = self._assigned_value(bindings[0].node)
        result = self._evaluate_nested(value)
        if isinstance(result, dict | list):  # `CFG.zoom[0] = 0.5` changes it (see resolve)
            for access in assignments[0].references:
                read = self.finder.parent(access.node)
                if read.attr.value == attribute and not self._read_without_leaking(read):  # type: ignore[union-attr]
                    raise NotLiteral(f"`{source}` is used where it could be changed")
        return result

    def _is_target(self, node: cst.CSTNode) -> bool:
        parent = self.finder.parent(node)
        if isinstance(parent, cst.AssignTarget | cst.Del):
            return True
        if isinstance(parent, cst.AugAssign | cst.AnnAssign):
            return parent.target is node
        if isinstance(parent, cst.Element | cst.StarredElement):
            return self._is_target(self.finder.parent(parent))  # unpacking into it
        if isinstance(parent, cst.Tuple | cst.List):
            return self._is_target(parent)
        return False

    def _assigned_value(
        self, target: cst.CSTNode, use: cst.CSTNode | None = None
    ) -> cst.BaseExpression:
        """The value `target` is bound to, when the binding runs whenever `use` does: at
        the top of a module, function or class body, or in a block around `use` (the one
        binding of a name in `if __name__ == "__main__":` read in that same block)."""
        parent = self.finder.parent(target)
        statement: cst.CSTNode | None = None
        value: cst.BaseExpression | None = None
        if isinstance(parent, cst.AssignTarget):
            assign = self.finder.parent(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                value, statement = assign.value, self.finder.parent(assign)
        elif isinstance(parent, cst.AnnAssign) and parent.target is target:
            value, statement = parent.value, self.finder.parent(parent)
        if value is None or statement is None:
            raise NotLiteral("not bound by a plain assignment")
        block = self.finder.parent(statement)
        if not (
            isinstance(block, cst.Module)
            or (
                isinstance(block, cst.IndentedBlock)
                and isinstance(self.finder.parent(block), cst.FunctionDef | cst.ClassDef)
            )
            or (use is not None and block is not None and self.finder.inside(use, block))
        ):
            raise NotLiteral("bound conditionally (under if/for/with/try)")
        return value


# Builtins that copy or only read their argument (unless the program rebinds the name).
_NON_MUTATING_BUILTINS = frozenset(
    {"dict", "list", "tuple", "sorted", "len", "print", "repr", "str", "set", "frozenset"}
)


def _is_plain_setting(statement: cst.BaseStatement) -> bool:
    """`name = value`, `name: type = value`, a docstring or `pass`, alone on its line."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, cst.Assign | cst.AnnAssign | cst.Pass)
        or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
    )

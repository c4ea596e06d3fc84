"""Static evaluation of the small expressions users write as IDG arguments.

Only what is certain is evaluated: numbers, strings, booleans, None, tuples/lists of them,
unary minus, arithmetic (`1. / 255`, `BATCH * 2`), dicts, and names and class attributes
(`CFG.rotation`) a NameResolver certifies (see analysis.sites.ScopeConstants). Anything else
raises NotLiteral.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

import libcst as cst


class NotLiteral(Exception):
    """The expression's value is not statically certain."""


_BINARY: dict[type[cst.BaseBinaryOp], Callable[[Any, Any], Any]] = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Power: operator.pow,
    cst.Modulo: operator.mod,
}


class NameResolver:
    """Resolves a Name to its value when that is statically certain (see module doc)."""

    def resolve(self, name: cst.Name) -> Any:
        raise NotLiteral(f"`{name.value}` is not a constant")

    def resolve_attribute(self, node: cst.Attribute) -> Any:
        raise NotLiteral("`Attribute` is not a literal")

    def qualified(self, node: cst.CSTNode) -> set[str]:
        """What `node` (a name or attribute) refers to, as qualified names; empty when
        unknown."""
        return set()


def evaluate(
    node: cst.BaseExpression,
    constants: Mapping[str, Any] | None = None,
    resolver: NameResolver | None = None,
) -> Any:
    constants = constants or {}
    if isinstance(node, cst.Integer | cst.Float):
        return node.evaluated_value
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        if not isinstance(value, str):
            raise NotLiteral("bytes literal")
        return value
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.value]
        if node.value in constants:
            return constants[node.value]
        if resolver is not None:
            return resolver.resolve(node)
        raise NotLiteral(f"`{node.value}` is not a module-level constant")
    if isinstance(node, cst.Attribute):
        if resolver is not None:
            return resolver.resolve_attribute(node)
        raise NotLiteral("`Attribute` is not a literal")
    if isinstance(node, cst.UnaryOperation):
        value = evaluate(node.expression, constants, resolver)
        if isinstance(node.operator, cst.Minus) and _is_number(value):
            return -value
        if isinstance(node.operator, cst.Plus) and _is_number(value):
            return +value
        raise NotLiteral("unsupported unary operator")
    if isinstance(node, cst.BinaryOperation):
        op = _BINARY.get(type(node.operator))
        left = evaluate(node.left, constants, resolver)
        right = evaluate(node.right, constants, resolver)
        if op is None or not (_is_number(left) and _is_number(right)):
            raise NotLiteral("unsupported arithmetic")
        try:
            return op(left, right)
        except (ArithmeticError, ValueError) as error:
            raise NotLiteral(str(error)) from error
    if isinstance(node, cst.Tuple | cst.List):
        values = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                raise NotLiteral("starred element")
            values.append(evaluate(element.value, constants, resolver))
        return tuple(values) if isinstance(node, cst.Tuple) else values
    if isinstance(node, cst.Dict):
        entries: dict[str, Any] = {}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                # `{**base, "zoom_range": 0.2}`: later entries win, as in Python
                entries.update(_mapping(element.value, constants, resolver))
                continue
            key = evaluate(element.key, constants, resolver)
            if not isinstance(key, str):
                raise NotLiteral("non-string dict key")
            entries[key] = evaluate(element.value, constants, resolver)
        return entries
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "dict"
        and all((arg.keyword is not None and not arg.star) or arg.star == "**" for arg in node.args)
    ):
        result: dict[str, Any] = {}
        for arg in node.args:
            if arg.star == "**":  # `dict(**base, zoom_range=0.2)`
                result.update(_mapping(arg.value, constants, resolver))
            else:
                result[arg.keyword.value] = evaluate(arg.value, constants, resolver)  # type: ignore[union-attr]
        return result
    raise NotLiteral(f"`{type(node).__name__}` is not a literal")


def _mapping(
    node: cst.BaseExpression, constants: Mapping[str, Any] | None, resolver: NameResolver | None
) -> dict[str, Any]:
    value = evaluate(node, constants, resolver)
    if not isinstance(value, dict):
        raise NotLiteral("unpacking of something other than a dict")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)

"""Where a use ends: handed to fit/evaluate/predict (a ConsumerUse, its role by
argument), or an iterator fact read (`it.samples`, `it.reset()`: a FactUse, kept or
refused by plan/facts.py as MA109). Raises no code.
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.tree import Tree
from migrator.analysis.uses import CONSUMERS, ConsumerUse, FactUse


class ConsumerShapes(Tree):
    def _consumer(self, node: cst.CSTNode) -> ConsumerUse | None:
        arg = self.parent(node)
        if not isinstance(arg, cst.Arg) or arg.value is not node:
            return None
        call = self.parent(arg)
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
            return None
        kind = CONSUMERS.get(call.func.attr.value)
        if kind is None:
            return None
        keyword = arg.keyword.value if arg.keyword is not None else None
        first = call.args[0] is arg
        if (keyword is None and first) or keyword in ("x", "generator"):
            return ConsumerUse(call, arg, "train" if kind == "fit" else kind)
        if kind == "fit" and keyword == "validation_data":
            return ConsumerUse(call, arg, "validation")
        return None

    def _fact(self, node: cst.CSTNode) -> FactUse | None:
        """`node.samples` or any other attribute read (not assigned, not called), or a bare
        `node.reset()` statement."""
        attribute = self.parent(node)
        if not (isinstance(attribute, cst.Attribute) and attribute.value is node):
            return None
        parent = self.parent(attribute)
        if isinstance(parent, cst.AssignTarget | cst.AugAssign | cst.Del):
            return None
        if attribute.attr.value != "reset":
            if isinstance(parent, cst.Call) and parent.func is attribute:
                return None
            return FactUse(attribute, attribute.attr.value, None)
        expression = self.parent(parent) if isinstance(parent, cst.Call) else None
        line = self.parent(expression) if isinstance(expression, cst.Expr) else None
        if (
            isinstance(parent, cst.Call)
            and not parent.args
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
        ):
            return FactUse(attribute, "reset", line)
        return None

    def _is_len_call(self, node: cst.CSTNode) -> bool:
        arg = self.parent(node)
        call = self.parent(arg) if isinstance(arg, cst.Arg) else None
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and len(call.args) == 1
        )

"""Does a fit() call train a model under a tf.distribute strategy?

A call counts as distributed when it sits inside `with <strategy>.scope():`, when its
receiver (`model`, `self.model`) is bound inside such a block or from a function that
enters one, or when it runs in a function called inside such a block. When the module
enters a strategy scope but the receiver cannot be traced (a parameter, say), the call
counts as distributed too: rewriting is faithful either way, the rule only decides
whether it happens by default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import libcst as cst

from migrator.analysis.names import is_strategy_constructor


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`model` -> "model", `self.model` -> "self.model"; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


class StrategyIndex:
    """Facts about strategies in one module, gathered in one pass."""

    def __init__(
        self,
        module: cst.Module,
        qualified: Callable[[cst.CSTNode], set[str]],
        parents: Mapping[cst.CSTNode, cst.CSTNode],
    ) -> None:
        self._parents = parents
        self.scope_blocks: list[cst.With] = []
        self.bound_in_scope: set[str] = set()  # dotted names assigned inside a scope block
        self.bound_anywhere: set[str] = set()
        self.functions_entering_scope: set[str] = set()
        self.functions_called_in_scope: set[str] = set()
        self.assigned_from_call: dict[str, set[str]] = {}  # receiver -> called function names
        collector = _Collector(qualified)
        module.visit(collector)
        strategy_names = collector.strategy_names
        for with_node in collector.withs:
            if any(
                _enters_strategy(
                    collector.scope_values.get(dotted_name(item.item) or "", item.item),
                    strategy_names,
                    qualified,
                )
                for item in with_node.items
            ):
                self.scope_blocks.append(with_node)
        for with_node in self.scope_blocks:
            inner = _Collector(qualified)
            with_node.body.visit(inner)
            self.bound_in_scope |= inner.assigned
            self.functions_called_in_scope |= inner.called
            function = self._enclosing_function(with_node)
            if function is not None:
                self.functions_entering_scope.add(function.name.value)
        self.bound_anywhere = collector.assigned
        self.assigned_from_call = collector.assigned_from_call

    @property
    def module_uses_strategy(self) -> bool:
        return bool(self.scope_blocks)

    def _enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current = self._parents.get(node)
        while current is not None:
            if isinstance(current, cst.FunctionDef):
                return current
            current = self._parents.get(current)
        return None

    def _inside_scope_block(self, node: cst.CSTNode) -> bool:
        current = self._parents.get(node)
        while current is not None:
            if isinstance(current, cst.With) and current in self.scope_blocks:
                return True
            current = self._parents.get(current)
        return False

    def is_distributed(self, fit_call: cst.Call) -> bool:
        if not self.module_uses_strategy:
            return False
        if self._inside_scope_block(fit_call):
            return True
        function = self._enclosing_function(fit_call)
        if function is not None and function.name.value in self.functions_called_in_scope:
            return True
        receiver = (
            dotted_name(fit_call.func.value) if isinstance(fit_call.func, cst.Attribute) else None
        )
        if receiver is None or receiver not in self.bound_anywhere:
            return True  # untraceable receiver in a module that uses a strategy
        if receiver in self.bound_in_scope:
            return True
        called = self.assigned_from_call.get(receiver, set())
        return bool(called & self.functions_entering_scope)


def _enters_strategy(
    expression: cst.BaseExpression,
    strategy_names: set[str],
    qualified: Callable[[cst.CSTNode], set[str]],
) -> bool:
    """`strategy.scope()`, `self.strategy.scope()` or `tf.distribute.X().scope()`."""
    if not (
        isinstance(expression, cst.Call)
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "scope"
    ):
        return False
    owner = expression.func.value
    if isinstance(owner, cst.Call):
        return is_strategy_constructor(qualified(owner.func))
    name = dotted_name(owner)
    # `self.strategy.scope()` where the strategy arrives as a parameter: the name says it.
    return name is not None and (
        name in strategy_names or "strategy" in name.rsplit(".", 1)[-1].lower()
    )


def _is_scope_call(expression: cst.BaseExpression) -> bool:
    return (
        isinstance(expression, cst.Call)
        and isinstance(expression.func, cst.Attribute)
        and expression.func.attr.value == "scope"
    )


class _Collector(cst.CSTVisitor):
    def __init__(self, qualified: Callable[[cst.CSTNode], set[str]]) -> None:
        self._qualified = qualified
        self.strategy_names: set[str] = set()
        self.withs: list[cst.With] = []
        self.assigned: set[str] = set()
        self.called: set[str] = set()
        self.assigned_from_call: dict[str, set[str]] = {}
        # `scope = strategy.scope()` (entered later by `with scope:`): name -> the call.
        self.scope_values: dict[str, cst.BaseExpression] = {}

    def visit_With(self, node: cst.With) -> None:
        self.withs.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is not None:
            self.called.add(name.rsplit(".", 1)[-1])

    def visit_Assign(self, node: cst.Assign) -> None:
        self._record([target.target for target in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._record([node.target], node.value)

    def _record(self, targets: list[cst.BaseExpression], value: cst.BaseExpression) -> None:
        names: list[str] = []
        for target in targets:
            elements = target.elements if isinstance(target, cst.Tuple | cst.List) else [target]
            for element in elements:
                expression = element.value if isinstance(element, cst.BaseElement) else element
                name = dotted_name(expression)
                if name is not None:
                    names.append(name)
        self.assigned.update(names)
        for name in names:
            if name in self.scope_values or not _is_scope_call(value):
                # Bound twice: which binding a `with` enters is unknown; none counts.
                self.scope_values[name] = cst.Name("None")
            else:
                self.scope_values[name] = value
        if isinstance(value, cst.Call):
            if is_strategy_constructor(self._qualified(value.func)):
                self.strategy_names.update(names)
            called = dotted_name(value.func)
            if called is not None:
                for name in names:
                    self.assigned_from_call.setdefault(name, set()).add(called.rsplit(".", 1)[-1])

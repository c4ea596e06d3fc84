"""Is the array passed to `flow()` statically seen to be scaled to [0, 1]? (note MA202)

IDG's brightness shift goes through an 8-bit PIL image: data in [0, 1] is truncated to
0/1 bytes first, which destroys it (design.md section 6). The rewrite reproduces that, so
the tool only points it out. To stay free of false alarms (uint8 data is the normal,
correct case) the test is deliberately narrow: the note needs the scaling written in the
program, on the array itself or on the name it is read from, as the last binding of that
name before the flow() call in the same function (or the module, for a name the function
does not bind):

    x = x / 255.            x_train = x_train.astype("float32") / 255
    x /= 255.0              x = x * (1. / 255)
    x_train, x_test = x_train / 255.0, x_test / 255.0
    datagen.flow(x_train / 255, y)

Anything else (a later rebinding, a parameter, a loader call, `rescale=`) says nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst

from migrator.analysis.literals import NotLiteral, evaluate
from migrator.model import AugmentSpec

_Scope = cst.Module | cst.FunctionDef
# Wrappers that keep the values of their first argument: np.asarray(x), tf.cast(x, ...).
_VALUE_PRESERVING = frozenset(
    {"array", "asarray", "float32", "float64", "cast", "convert_to_tensor"}
)


def unit_data_notes(
    spec: AugmentSpec,
    module: cst.Module,
    calls: Sequence[cst.Call],
    line_of: Callable[[cst.CSTNode], tuple[int, int]],
) -> list[tuple[cst.CSTNode, str, str]]:
    """(node to report, message, help) for each `.flow(x, ...)` among `calls` whose `x` is seen
    to be scaled to [0, 1] while the generator shifts brightness. `line_of(node)` gives
    (line, column) of a node of `module`."""
    if spec.brightness_range is None:
        return []
    notes: list[tuple[cst.CSTNode, str, str]] = []
    for call in calls:
        x = _flow_x(call)
        if x is None:
            continue
        scaling = unit_scaling(module, call, x)
        if scaling is None:
            continue
        where = "here" if scaling is x else f"on line {line_of(scaling)[0]}"
        notes.append(
            (
                x,
                f"brightness_range on `{module.code_for_node(x)}`, which is scaled to [0, 1] "
                f"{where}: IDG shifts brightness on 8-bit images and truncates such data to 0 "
                "or 1, destroying it; the rewrite reproduces this",
                "Keep the images in [0, 255] and scale them with rescale=1/255 instead "
                "(applied after brightness)",
            )
        )
    return notes


def unit_scaling(module: cst.Module, call: cst.Call, x: cst.BaseExpression) -> cst.CSTNode | None:
    """The expression or statement that scales `x` (an argument of `call`) to [0, 1], or
    None when that is not certain."""
    if is_unit_scaling(x):
        return x
    name = _base_name(x)
    if name is None:
        return None
    return _scaling_of(module, call, name, 0)


def _scaling_of(module: cst.Module, stop: cst.CSTNode, name: str, depth: int) -> cst.CSTNode | None:
    """The scaling of `name` as last bound before `stop`, following bindings that only
    reshape, slice, convert or split another name (`x = x.values.reshape(-1, 28, 28, 1)`,
    `x_tr, x_va, y_tr, y_va = train_test_split(x, y)`) back to that name's binding."""
    if depth > 8:
        return None
    scopes = _enclosing_scopes(module, stop)
    for level, scope in enumerate(reversed(scopes)):
        innermost = level == 0
        if isinstance(scope, cst.FunctionDef) and name in _parameters(scope):
            return None
        found, binding = _last_binding(scope, name, stop if innermost else None)
        if not found:
            continue
        if isinstance(binding, _Derived):
            return _scaling_of(module, binding.statement, binding.source, depth + 1)
        return binding
    return None


def is_unit_scaling(node: cst.BaseExpression) -> bool:
    """`a / 255`, `a * (1. / 255)`, `(a / 255.).astype(...)`, `np.asarray(a / 255)`."""
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            return _equals(node.right, 255)
        if isinstance(node.operator, cst.Multiply):
            return _equals(node.right, 1 / 255) or _equals(node.left, 1 / 255)
        return False
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "astype":
            return is_unit_scaling(node.func.value)
        name = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        if isinstance(node.func, cst.Name):
            name = node.func.value
        if name in _VALUE_PRESERVING and node.args and node.args[0].keyword is None:
            return is_unit_scaling(node.args[0].value)
    return False


def _equals(node: cst.BaseExpression, value: float) -> bool:
    try:
        literal = evaluate(node)
    except (NotLiteral, ArithmeticError):
        return False
    number = isinstance(literal, int | float) and not isinstance(literal, bool)
    return number and abs(literal - value) <= 1e-9 * max(1.0, abs(value))


def _flow_x(call: cst.Call) -> cst.BaseExpression | None:
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "flow"):
        return None
    for index, arg in enumerate(call.args):
        if arg.star:
            return None
        if (arg.keyword is None and index == 0) or (arg.keyword and arg.keyword.value == "x"):
            return arg.value
    return None


@dataclass(frozen=True)
class _Derived:
    """A binding of a name to the values of another (see `_base_name`): not a scaling
    itself, but one if `source` was scaled before `statement`."""

    source: str
    statement: cst.CSTNode


# Methods and attributes that keep an array's values: `x.values.reshape(-1, 28, 28, 1)`.
_VALUE_KEEPING_METHODS = frozenset({"astype", "reshape", "copy", "to_numpy", "squeeze"})
_VALUE_KEEPING_ATTRIBUTES = frozenset({"values"})
# Functions whose first argument's values they keep: np.expand_dims(x, -1), np.array(x).
_VALUE_KEEPING_FUNCTIONS = _VALUE_PRESERVING | {"expand_dims"}


def _base_name(node: cst.BaseExpression) -> str | None:
    """`x`, `x[:n]`, `x.astype("float32")`, `x.values.reshape(...)`, `np.array(x)` -> "x"."""
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute) and node.attr.value in _VALUE_KEEPING_ATTRIBUTES:
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in _VALUE_KEEPING_METHODS:
                node = node.func.value
            elif method in _VALUE_KEEPING_FUNCTIONS and _first_argument(node) is not None:
                node = _first_argument(node)  # type: ignore[assignment]
            else:
                return None
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in _VALUE_KEEPING_FUNCTIONS
            and _first_argument(node) is not None
        ):
            node = _first_argument(node)  # type: ignore[assignment]
        else:
            return None


def _first_argument(call: cst.Call) -> cst.BaseExpression | None:
    if call.args and call.args[0].keyword is None and not call.args[0].star:
        return call.args[0].value
    return None


def _split_source(value: cst.BaseExpression, index: int) -> str | None:
    """`train_test_split(a, b, ...)` unpacked: element `index` holds part of array
    index // 2 (train, test per array, in order)."""
    if not isinstance(value, cst.Call) or any(arg.star for arg in value.args):
        return None
    func = value.func
    called = func.attr.value if isinstance(func, cst.Attribute) else None
    if isinstance(func, cst.Name):
        called = func.value
    if called != "train_test_split":
        return None
    arrays = [arg.value for arg in value.args if arg.keyword is None]
    if index // 2 >= len(arrays):
        return None
    return _base_name(arrays[index // 2])


def _parameters(function: cst.FunctionDef) -> set[str]:
    params = function.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return {param.name.value for param in every}


def _enclosing_scopes(module: cst.Module, target: cst.CSTNode) -> list[_Scope]:
    """The module and the functions around `target`, outermost first."""
    found: list[_Scope] = []

    class _Finder(cst.CSTVisitor):
        def __init__(self) -> None:
            self.stack: list[_Scope] = [module]

        def on_visit(self, node: cst.CSTNode) -> bool:
            if found:
                return False
            if node is target:
                found.extend(self.stack)
                return False
            if isinstance(node, cst.FunctionDef):
                self.stack.append(node)
            return True

        def on_leave(self, original_node: cst.CSTNode) -> None:
            if isinstance(original_node, cst.FunctionDef) and self.stack[-1] is original_node:
                self.stack.pop()

    module.visit(_Finder())
    return found or [module]


def _last_binding(
    scope: _Scope, name: str, stop: cst.CSTNode | None
) -> tuple[bool, cst.CSTNode | _Derived | None]:
    """(whether `scope` binds `name`, the scaling node if its last binding is a unit
    scaling, or the name it derives from). Bindings after `stop` (when given) do not count; nested functions, classes,
    lambdas and comprehensions are other scopes."""
    state: dict[str, object] = {"found": False, "scaling": None, "stopped": False}

    def bind(scaling: cst.CSTNode | _Derived | None) -> None:
        state["found"], state["scaling"] = True, scaling

    class _Bindings(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if state["stopped"]:
                return False
            if node is stop:
                state["stopped"] = True
                return False
            if node is not scope and isinstance(
                node, cst.FunctionDef | cst.ClassDef | cst.Lambda | cst.CompFor
            ):
                if isinstance(node, cst.FunctionDef | cst.ClassDef) and node.name.value == name:
                    bind(None)
                return False
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    self._assign(target.target, node.value, node)
            elif isinstance(node, cst.AnnAssign) and node.value is not None:
                self._assign(node.target, node.value, node)
            elif isinstance(node, cst.AugAssign) and _is_name(node.target, name):
                scaled = (
                    isinstance(node.operator, cst.DivideAssign) and _equals(node.value, 255)
                ) or (
                    isinstance(node.operator, cst.MultiplyAssign) and _equals(node.value, 1 / 255)
                )
                bind(node if scaled else None)
            elif isinstance(node, cst.For) and _binds(node.target, name):
                bind(None)
            elif isinstance(node, cst.AsName) and _binds(node.name, name):
                bind(None)
            elif isinstance(node, cst.NamedExpr) and _is_name(node.target, name):
                bind(node if is_unit_scaling(node.value) else None)
            elif isinstance(node, cst.Global | cst.Nonlocal) and any(
                item.name.value == name for item in node.names
            ):
                bind(None)  # bound elsewhere: say nothing
            elif isinstance(node, cst.ImportAlias):
                bound = node.asname.name if node.asname else node.name
                if isinstance(bound, cst.Name) and bound.value == name:
                    bind(None)
            return True

        def _assign(
            self, target: cst.BaseExpression, value: cst.BaseExpression, statement: cst.CSTNode
        ) -> None:
            if _is_name(target, name):
                bind(_binding(value, statement))
            elif isinstance(target, cst.Tuple | cst.List) and _binds(target, name):
                # `a, b = a / 255., b / 255.`: pair the elements when both sides are written out
                if isinstance(value, cst.Tuple | cst.List) and len(value.elements) == len(
                    target.elements
                ):
                    for element, item in zip(target.elements, value.elements, strict=True):
                        if _is_name(element.value, name):
                            bind(_binding(item.value, statement))
                            return
                # `x_tr, x_va, y_tr, y_va = train_test_split(x, y, ...)`
                for index, element in enumerate(target.elements):
                    source = _split_source(value, index)
                    if _is_name(element.value, name) and source is not None:
                        bind(_Derived(source, statement))
                        return
                bind(None)

    visitor = _Bindings()
    if isinstance(scope, cst.Module):
        for statement in scope.body:
            statement.visit(visitor)
    else:
        scope.body.visit(visitor)
    return bool(state["found"]), state["scaling"]  # type: ignore[return-value]


def _binding(value: cst.BaseExpression, statement: cst.CSTNode) -> cst.CSTNode | _Derived | None:
    """What `name = value` (in `statement`) records: the scaling statement, a derivation
    of another name's values, or None."""
    if is_unit_scaling(value):
        return statement
    source = _base_name(value)
    return None if source is None else _Derived(source, statement)


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _binds(target: cst.BaseExpression, name: str) -> bool:
    if _is_name(target, name):
        return True
    if isinstance(target, cst.Tuple | cst.List):
        return any(_binds(element.value, name) for element in target.elements)
    if isinstance(target, cst.StarredElement):
        return _binds(target.value, name)
    return False

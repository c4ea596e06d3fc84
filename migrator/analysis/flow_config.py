"""The twin of idg_config.py for the flow call: `.flow()`, `.flow_from_directory()` and
`.flow_from_dataframe()` bound once onto their parameters, and the file methods' arguments
evaluated once, into a frozen `FlowSpec` that the planner reads instead of re-binding.

Parameter orders come from the argument catalogue (arguments.parameter_names), as the
constructor's do. Raises no code: what blocks a flow call is the planner's (plan/blockers.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import libcst as cst

from migrator.analysis.idg_config import bind_arguments
from migrator.analysis.literals import NameResolver, NotLiteral, evaluate
from migrator.arguments import parameter_names
from migrator.model import UNKNOWN

FlowMethod = Literal["flow", "flow_from_directory", "flow_from_dataframe"]
FILE_METHODS = ("flow_from_directory", "flow_from_dataframe")


@dataclass(frozen=True)
class FlowSpec:
    """One flow call, bound and evaluated once."""

    method: FlowMethod
    # Each argument's expression by parameter name, bound as written (a `*` argument
    # takes a position, `**` none), and the binding's problems.
    arguments: Mapping[str, cst.BaseExpression]
    problems: tuple[str, ...]
    # flow() only: bound without its `*` arguments (`*pair` maps onto the emitted
    # function's positional parameters exactly as onto flow()'s), and that binding's problems.
    listed: Mapping[str, cst.BaseExpression]
    listed_problems: tuple[str, ...]
    # File methods only: each argument's literal value, UNKNOWN when it is not a literal.
    # (flow()'s arguments are arrays and expressions: the planner reads their nodes.)
    values: Mapping[str, object]
    sources: Mapping[str, str]  # each bound argument's source text
    unpacked: bool  # the call unpacks an argument (`*pair` or `**options`)
    # File methods only: the arguments that came from a `**name` whose dict is statically
    # known (expanded into `arguments`, `values` and `sources`), by the `**` argument's
    # source; `unpacked` is then False when nothing else is unpacked.
    expanded: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def from_files(self) -> bool:
        return self.method in FILE_METHODS


def parse_flow_call(
    call: cst.Call, method: FlowMethod, resolver: NameResolver, module: cst.Module
) -> FlowSpec:
    parameters = parameter_names(method)
    arguments, problems = bind_arguments(call, parameters)
    if method == "flow":
        plain = call.with_changes(args=[a for a in call.args if a.star != "*"])
        listed, listed_problems = bind_arguments(plain, parameters)
        values: dict[str, object] = {}
    else:
        arguments, problems, expanded = _expand_keywords(call, parameters, resolver)
        listed, listed_problems = arguments, problems
        values = {}
        for name, expression in arguments.items():
            try:
                values[name] = evaluate(expression, None, resolver)
            except NotLiteral:
                values[name] = UNKNOWN
    unknown_stars = [
        arg for arg in call.args if arg.star == "*" or (arg.star == "**" and method == "flow")
    ]
    if method != "flow":
        unknown_stars += [
            arg
            for arg in call.args
            if arg.star == "**" and module.code_for_node(arg.value) not in expanded
        ]
    return FlowSpec(
        method=method,
        arguments=MappingProxyType(arguments),
        problems=tuple(problems),
        listed=MappingProxyType(listed),
        listed_problems=tuple(listed_problems),
        values=MappingProxyType(values),
        sources=MappingProxyType(
            {name: module.code_for_node(node) for name, node in arguments.items()}
        ),
        unpacked=bool(unknown_stars),
        expanded=MappingProxyType(expanded if method != "flow" else {}),
    )


def written(value: object) -> str:
    """A literal value as ruff and black write it: strings in double quotes where that needs
    no escape (repr prefers single quotes), inside tuples, lists and dicts too."""
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            return '"' + text[1:-1] + '"'
        return text
    if isinstance(value, tuple):
        items = [written(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, list):
        return f"[{', '.join(written(item) for item in value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{written(k)}: {written(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _expand_keywords(
    call: cst.Call, parameters: tuple[str, ...], resolver: NameResolver
) -> tuple[dict[str, cst.BaseExpression], list[str], dict[str, tuple[str, ...]]]:
    """The file method's arguments with each `**name` whose dict is statically known
    (ScopeConstants: bound once, never changed) expanded: its entries as literal
    expressions. A `**` it cannot read stays out (the call stays `unpacked`)."""
    plain = call.with_changes(args=[arg for arg in call.args if arg.star != "**"])
    arguments, problems = bind_arguments(plain, parameters)
    expanded: dict[str, tuple[str, ...]] = {}
    expanded_keys: set[str] = set()
    for arg in call.args:
        if arg.star != "**":
            continue
        try:
            mapping = evaluate(arg.value, None, resolver)
        except NotLiteral:
            continue
        if not isinstance(mapping, dict):
            continue
        literals: dict[str, cst.BaseExpression] = {}
        for key, value in mapping.items():
            try:
                literals[key] = cst.parse_expression(written(value))
            except (cst.ParserSyntaxError, RecursionError):
                break  # not a value Python writes back as a literal
            if key in arguments or key in expanded_keys:
                break  # given twice: Python raises; left unpacked, so refused
        else:
            expanded_keys.update(mapping)
            arguments.update(literals)
            expanded[cst.Module([]).code_for_node(arg.value)] = tuple(mapping)
    return arguments, problems, expanded

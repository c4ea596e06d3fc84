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
    # The arguments that came from a `**name` whose dict is statically known (expanded into
    # `arguments`, `listed`, `values` and `sources` as literal expressions), by the `**`
    # argument's source; `unpacked` is then False when nothing else is unpacked. For
    # flow(), a `**` that is not expanded stays a binding problem (`listed_problems`).
    expanded: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def from_files(self) -> bool:
        return self.method in FILE_METHODS


def parse_flow_call(
    call: cst.Call, method: FlowMethod, resolver: NameResolver, module: cst.Module
) -> FlowSpec:
    parameters = parameter_names(method)
    arguments, problems, expanded = _expand_keywords(call, parameters, resolver)
    if method == "flow":
        # A `**` not expanded is a problem of both bindings: `**options` could carry anything.
        left = [a for a in call.args if a.star == "**" and _source(a.value) not in expanded]
        if left:
            problems.append("`**` argument unpacking")
        plain = call.with_changes(args=[a for a in call.args if a.star != "*"])
        listed, listed_problems, _ = _expand_keywords(plain, parameters, resolver)
        listed_problems += ["`**` argument unpacking"] if left else []
        values: dict[str, object] = {}
    else:
        listed, listed_problems = arguments, problems
        values = {}
        for name, expression in arguments.items():
            try:
                values[name] = evaluate(expression, None, resolver)
            except NotLiteral:
                values[name] = UNKNOWN
    unknown_stars = [
        arg
        for arg in call.args
        if arg.star == "*" or (arg.star == "**" and _source(arg.value) not in expanded)
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
        expanded=MappingProxyType(expanded),
    )


def _keyword_dict(node: cst.BaseExpression, resolver: NameResolver) -> dict[str, object] | None:
    """A `**` argument's entries: literal values when the whole dict is a constant, else
    (a dict built once from expressions, `dict(batch_size=self.batch_size)`) each entry's
    literal value where it has one and its expression where not. None when unknown."""
    try:
        mapping = evaluate(node, None, resolver)
    except NotLiteral:
        mapping = None
    if isinstance(mapping, dict):
        return mapping
    entries = getattr(resolver, "dict_entries", None)  # ScopeConstants reads dict displays
    if entries is None:
        return None
    try:
        expressions: dict[str, cst.BaseExpression] = entries(node)
    except NotLiteral:
        return None
    found: dict[str, object] = {}
    for key, expression in expressions.items():
        try:
            found[key] = evaluate(expression, None, resolver)
        except NotLiteral:
            found[key] = expression
    return found


def _source(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


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
    """The call's arguments with each `**name` whose dict is statically known
    (ScopeConstants: bound once, never changed) expanded: its entries as literal
    expressions. A `**` it cannot read stays out (the call stays `unpacked`)."""
    plain = call.with_changes(args=[arg for arg in call.args if arg.star != "**"])
    arguments, problems = bind_arguments(plain, parameters)
    expanded: dict[str, tuple[str, ...]] = {}
    expanded_keys: set[str] = set()
    for arg in call.args:
        if arg.star != "**":
            continue
        mapping = _keyword_dict(arg.value, resolver)
        if mapping is None:
            continue
        literals: dict[str, cst.BaseExpression] = {}
        for key, value in mapping.items():
            if isinstance(value, cst.BaseExpression):
                literals[key] = value  # an expression of the dict's own: passed on in it
            else:
                try:
                    literals[key] = cst.parse_expression(written(value))
                except (cst.ParserSyntaxError, RecursionError):
                    break  # not a value Python writes back as a literal
            if key in arguments or key in expanded_keys:
                break  # given twice: Python raises; left unpacked, so refused
        else:
            expanded_keys.update(mapping)
            arguments.update(literals)
            expanded[_source(arg.value)] = tuple(mapping)
    return arguments, problems, expanded

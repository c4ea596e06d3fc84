"""Statements laid out as `ruff format` lays them out (stand-in: one line).

This is a stand-in with the layout branch's API; that branch's implementation replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Call:
    callee: str  # "idg_tfdata.index_batches", or a method name "map"
    args: tuple[str, ...]  # each argument's source text: "x_train", "batch_size=16", "**kw"


@dataclass(frozen=True)
class Chain:
    head: Call
    methods: tuple[Call, ...]  # .map(...), .prefetch(...)


def _call(call: Call) -> str:
    return f"{call.callee}({', '.join(call.args)})"


def _breaks(args: tuple[str, ...]) -> bool:
    """An argument over several lines, or with a comment: one argument per line."""
    return any("\n" in arg or "#" in arg for arg in args)


def _exploded(call: Call, indent: int, dot: str = "") -> str:
    pad, inner = " " * indent, " " * (indent + 4)
    rows = "".join(f"{inner}{arg},\n" for arg in call.args)
    return f"{dot}{call.callee}(\n{rows}{pad})"


def _fitted(call: Call, start: int, indent: int, line_length: int) -> str:
    """`call` at column `start` of a line indented by `indent`: whole, or its arguments on
    one line of their own, or one per line."""
    if start + len(_call(call)) <= line_length and not _breaks(call.args):
        return _call(call)
    joined = ", ".join(call.args)
    if call.args and indent + 4 + len(joined) <= line_length and not _breaks(call.args):
        return f"{call.callee}(\n{' ' * (indent + 4)}{joined}\n{' ' * indent})"
    return _exploded(call, indent)


def format_statement(
    target: str | None, value: Call | Chain, *, indent: int, line_length: int = 88
) -> str:
    """The statement `target = value` (the bare expression when target is None); the first
    line without indentation, continuation lines with the absolute indentation.

    Stand-in rules: the whole statement on one line if it fits; a call that does not:
    its arguments on one line of their own, else one per line with a trailing comma; a
    chain that does not: in brackets, one call per line, a call that does not fit its line
    exploded one argument per line.
    """
    prefix = "" if target is None else f"{target} = "
    if isinstance(value, Call):
        return prefix + _fitted(value, indent + len(prefix), indent, line_length)
    calls = (value.head, *value.methods)
    flat = _call(value.head) + "".join(f".{_call(m)}" for m in value.methods)
    if indent + len(prefix) + len(flat) <= line_length and not any(_breaks(c.args) for c in calls):
        return prefix + flat
    inner = indent + 4
    rows = []
    for index, call in enumerate(calls):
        dot = "." if index else ""
        text = dot + _call(call)
        if inner + len(text) <= line_length and not _breaks(call.args):
            rows.append(" " * inner + text)
        else:
            rows.append(" " * inner + _exploded(call, inner, dot))
    return prefix + "(\n" + "\n".join(rows) + "\n" + " " * indent + ")"

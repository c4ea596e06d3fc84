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


def format_statement(
    target: str | None, value: Call | Chain, *, indent: int, line_length: int = 88
) -> str:
    """The statement `target = value` (the bare expression when target is None); the first
    line without indentation, continuation lines with the absolute indentation."""
    del indent, line_length  # the stand-in writes one line
    if isinstance(value, Chain):
        text = _call(value.head) + "".join(f".{_call(m)}" for m in value.methods)
    else:
        text = _call(value)
    return text if target is None else f"{target} = {text}"

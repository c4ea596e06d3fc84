"""MA004: `fit_generator` / `evaluate_generator` / `predict_generator` -> `fit` / `evaluate`
/ `predict`. Keras 3 removed them; their arguments map onto the new methods one to one,
except the queue/worker knobs, which tf.data and Keras 3 no longer take, and step counts
written as a true division, which Keras 3 rejects (it takes integers only).

Checked against Keras 2 itself (tf_keras, tests/analysis/test_generator_methods_oracle.py):
`class_weight`, `initial_epoch`, `validation_freq`, `validation_steps` and `steps=None`
mean the same to the new methods; a step count `a / b` runs `ceil(a / b)` steps in Keras 2
(its loop is `while step < a / b`), so it becomes `math.ceil(a / b)`, not `int(a / b)`,
which would drop the last partial batch of every epoch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

RENAMES = {
    "fit_generator": "fit",
    "evaluate_generator": "evaluate",
    "predict_generator": "predict",
}
# Positional parameters of the old methods, after the generator itself.
OLD_PARAMETERS = {
    "fit_generator": (
        "generator",
        "steps_per_epoch",
        "epochs",
        "verbose",
        "callbacks",
        "validation_data",
        "validation_steps",
        "validation_freq",
        "class_weight",
        "max_queue_size",
        "workers",
        "use_multiprocessing",
        "shuffle",
        "initial_epoch",
    ),
    "evaluate_generator": (
        "generator",
        "steps",
        "callbacks",
        "max_queue_size",
        "workers",
        "use_multiprocessing",
        "verbose",
    ),
    "predict_generator": (
        "generator",
        "steps",
        "callbacks",
        "max_queue_size",
        "workers",
        "use_multiprocessing",
        "verbose",
    ),
}
DROPPED = frozenset({"max_queue_size", "workers", "use_multiprocessing"})
STEP_KEYWORDS = frozenset({"steps_per_epoch", "validation_steps", "steps"})


@dataclass(frozen=True)
class GeneratorMethodFix:
    call: cst.Call
    replacement: cst.Call
    old: str
    new: str
    dropped: tuple[str, ...]
    needs_math: bool = False  # the replacement calls math.ceil: the module must import math


def rewrite_generator_method(call: cst.Call) -> GeneratorMethodFix | None:
    """The rewritten call, or None when `call` is not one of the old methods or its
    arguments cannot be mapped for certain (star-args)."""
    if not isinstance(call.func, cst.Attribute):
        return None
    old = call.func.attr.value
    if old not in RENAMES or any(arg.star for arg in call.args):
        return None
    parameters = OLD_PARAMETERS[old]
    if len([arg for arg in call.args if arg.keyword is None]) > len(parameters):
        return None
    args: list[cst.Arg] = []
    dropped: list[str] = []
    needs_math = False
    for index, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else parameters[index]
        if name in DROPPED:
            dropped.append(name)
            continue
        value = arg.value
        if name in STEP_KEYWORDS and _is_true_division(value):
            value = ceil_steps(value)
            needs_math = True
        if name == "generator":
            args.append(arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT))
        elif arg.keyword is None:
            args.append(
                arg.with_changes(
                    keyword=cst.Name(name),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""),
                        whitespace_after=cst.SimpleWhitespace(""),
                    ),
                    value=value,
                )
            )
        else:
            args.append(arg.with_changes(value=value))
    args = with_last_comma(args, call.args)
    new = RENAMES[old]
    replacement = call.with_changes(func=call.func.with_changes(attr=cst.Name(new)), args=args)
    return GeneratorMethodFix(call, replacement, old, new, tuple(dropped), needs_math)


def ceil_steps(division: cst.BaseExpression) -> cst.Call:
    """`a / b` -> `math.ceil(a / b)`: Keras 2 ran a fractional step count up (its loop is
    `while step < a / b`, so 4.5 gives 5 steps, the last one a partial batch); Keras 3
    takes integers only."""
    return cst.Call(
        func=cst.Attribute(value=cst.Name("math"), attr=cst.Name("ceil")),
        args=[cst.Arg(division)],
    )


def with_last_comma(args: list[cst.Arg], original: Sequence[cst.Arg]) -> list[cst.Arg]:
    """`args` (some of `original`'s, in order) ending as the original list ended: with or
    without a trailing comma."""
    if args and original and args[-1] is not original[-1]:
        args = [*args[:-1], args[-1].with_changes(comma=original[-1].comma)]
    return args


def _is_true_division(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide)

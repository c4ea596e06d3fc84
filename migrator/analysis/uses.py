"""The plain data a generator site is: its construction, its flows, the consumers and
facts each flow reaches, and the blockers found on the way. SiteFinder (sites.py) builds
these records; the planner (plan/) decides on them. No tree walks here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from migrator.analysis.flow_config import FlowMethod, FlowSpec
from migrator.rules import Code

CONSUMERS: dict[str, Literal["fit", "evaluate", "predict"]] = {
    "fit": "fit",
    "fit_generator": "fit",
    "evaluate": "evaluate",
    "evaluate_generator": "evaluate",
    "predict": "predict",
    "predict_generator": "predict",
}


# The keyword that tells how many batches a consumer draws from its input, by role.
STEPS_KEYWORD = {"train": "steps_per_epoch", "validation": "validation_steps", "evaluate": "steps"}


FLOW_METHODS: tuple[FlowMethod, ...] = ("flow", "flow_from_directory", "flow_from_dataframe")


Role = Literal["train", "validation", "evaluate", "predict"]


@dataclass
class Blocker:
    code: Code
    node: cst.CSTNode
    message: str  # what blocks the rewrite
    help: str | None = None  # what to do about it (Diagnostic.help)


@dataclass
class Wrapper:
    """`tf.data.Dataset.from_generator(fn, ...)` where `fn` (a def or lambda without
    parameters) only hands on the iterator: `for x, y in it: yield x, y`, `yield from it`,
    `return it` or `lambda: it`. The iterator is `source` (the flow call or a name)."""

    call: cst.Call  # the from_generator call
    source: cst.BaseExpression  # the flow call or the name of its iterator, inside fn
    function: cst.FunctionDef | None  # the def to remove (None for a lambda)


@dataclass
class ConsumerUse:
    """One place a flow's iterator is handed to fit/evaluate/predict."""

    call: cst.Call  # the consumer call
    argument: cst.Arg  # the argument carrying the iterator (or its name)
    role: Role
    wrapper: Wrapper | None = None  # reached through a from_generator wrapper
    # Reached through a Python generator (`def gen(): for x, y in datagen.flow(...): yield
    # ...`) whose call is the consumer's argument: the generator function's name.
    repacked_by: str | None = None
    # The iterator handed to that generator as an argument (`gen(train_it)`), read there as
    # NumPy batches; None when the generator loops over the flow() call itself.
    repacked_argument: cst.BaseExpression | None = None

    @property
    def draws_fixed_steps(self) -> bool:
        """An explicit step count means the consumer relies on IDG's endless iterator."""
        keyword = STEPS_KEYWORD.get(self.role)
        method = self.call.func.attr.value if isinstance(self.call.func, cst.Attribute) else ""
        for index, arg in enumerate(self.call.args):
            is_steps = (arg.keyword is not None and arg.keyword.value == keyword) or (
                # fit_generator(gen, steps_per_epoch) / evaluate_generator(gen, steps)
                arg.keyword is None and index == 1 and method.endswith("_generator")
            )
            if is_steps:
                return not (isinstance(arg.value, cst.Name) and arg.value.value == "None")
        return False


# Attributes (and the reset() method) of IDG's iterators that programs read: how many
# samples, the classes, file names... The planner decides which it can keep; any other
# attribute read is recorded too, for a precise refusal.
ITERATOR_FACTS = frozenset(
    {
        "samples",
        "n",
        "batch_size",
        "classes",
        "class_indices",
        "num_classes",
        "filenames",
        "filepaths",
        "labels",
        "image_shape",
        "reset",
    }
)


@dataclass
class FactUse:
    """`<iterator>.samples`, `.classes`, ... read (or `<iterator>.reset()` called)."""

    attribute: cst.Attribute
    name: str
    statement: cst.SimpleStatementLine | None  # for reset(): the bare call's line


@dataclass
class PreviewUse:
    """`next(<iterator>)`, `<iterator>.next()` or `for ... in <iterator>: ...; break` (one
    batch read), run once where the iterator is bound."""

    read: cst.Call | cst.For
    iterator: cst.Name


@dataclass
class FlowUse:
    call: cst.Call  # `<generator>.flow(...)`, `.flow_from_directory(...)` or `_dataframe`
    spec: FlowSpec  # the call's arguments, bound and evaluated once
    consumers: list[ConsumerUse] = field(default_factory=list)
    facts: list[FactUse] = field(default_factory=list)
    previews: list[PreviewUse] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.spec.method

    @property
    def from_directory(self) -> bool:
        return self.method == "flow_from_directory"

    @property
    def from_dataframe(self) -> bool:
        return self.method == "flow_from_dataframe"

    @property
    def from_files(self) -> bool:
        return self.from_directory or self.from_dataframe


@dataclass
class GeneratorSite:
    construction: cst.Call
    kind: Literal["name", "attribute", "inline"]
    name: str  # the user's name for it ("datagen", "self.datagen" -> "datagen")
    statement: cst.SimpleStatementLine | None  # `datagen = ImageDataGenerator(...)`
    anchor: cst.CSTNode  # the statement before which new code can be placed
    flows: list[FlowUse] = field(default_factory=list)
    fit_statements: list[tuple[cst.SimpleStatementLine, cst.Call]] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

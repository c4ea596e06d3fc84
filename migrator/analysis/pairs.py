"""Paired generators (segmentation's images and masks): two generators whose iterators are
zipped, `zip(image_it, mask_it)`, so that IDG's reseeding of each iterator with the same
`seed` draws the same random transform for the i-th image and the i-th mask.

`find_pairs` finds each such zip of two flows of different sites and what the planner needs
to rewrite it as ONE pipeline (one draw per sample, applied to both tensors), or the
reasons it cannot: what IDG itself would not keep in step (different seeds, batch sizes or
shuffles; no seed at all), or a use of the pair the tool does not follow. The planner
(plan/paired.py) compares the two configurations and reports. Raises no code itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from migrator.analysis.reaching import ReachingShapes
from migrator.analysis.tree import position_key, read_names
from migrator.analysis.uses import CONSUMERS, FlowUse, GeneratorSite

# The flow() arguments both flows of a pair must share, as written, for IDG's two
# iterators to visit the samples in the same order and draw the same transforms.
SHARED = ("batch_size", "shuffle", "seed")
SHARED_DEFAULTS = {"batch_size": "32", "shuffle": "True", "seed": "None"}
# What a pair of file flows must share besides (the same files, in the same order).
SHARED_FILES = ("subset", "follow_links")


@dataclass
class PairedFlow:
    site: GeneratorSite
    flow: FlowUse
    # `it = gen.flow(...)`, which goes once the pair is one pipeline; None when the flow
    # call is written inside the zip itself.
    statement: cst.SimpleStatementLine | None
    name: str  # the iterator's name, or the flow call's source for an inline one


@dataclass
class PairUse:
    # `zip(image_it, mask_it)`, or the tuple `(next(image_it), next(mask_it))`
    node: cst.Call | cst.Tuple
    reads: tuple[cst.CSTNode, cst.CSTNode]  # the two iterators' reads in it
    image: PairedFlow
    mask: PairedFlow
    # "fit": handed to fit/evaluate/predict (directly, or through one name); "iterated":
    # looped over (`for image, mask in zip(...)`), typically in a Python generator;
    # "drawn": a batch of each drawn by hand, `yield next(image_it), next(mask_it)`.
    use: Literal["fit", "iterated", "drawn"] | None
    consumer: cst.Call | None = None  # the fit/evaluate/predict call ("fit" use)
    steps: str = "steps_per_epoch"  # the keyword of the step count that input needs
    unseeded: bool = False  # neither flow has a seed
    shuffled: bool = True  # the flows shuffle (shuffle is not literally False)
    # `pairs = zip(...)` read once by the consumer: the statement whose value changes.
    binding: cst.SimpleStatementLine | None = None
    problems: list[str] = field(default_factory=list)  # empty: the pair can be one pipeline


def find_pairs(finder: ReachingShapes, sites: list[GeneratorSite]) -> list[PairUse]:
    by_read: dict[cst.CSTNode, PairedFlow] = {}  # the zip argument -> its flow
    for site in sites:
        for flow in site.flows:
            paired = _named_flow(finder, site, flow)
            if paired is not None:
                by_read[paired[0]] = paired[1]
            else:
                by_read[flow.call] = PairedFlow(
                    site, flow, None, finder.module.code_for_node(flow.call)
                )
    pairs: list[PairUse] = []
    for node, reads in _zip_calls(finder) + _next_pairs(finder):
        first, second = (by_read.get(read) for read in reads)
        if first is None or second is None or first.site is second.site:
            continue
        pair = PairUse(node, reads, first, second, None)
        if isinstance(node, cst.Tuple):
            pair.use = "drawn"
            if first.statement is None or second.statement is None:
                continue  # next() of a flow call written in place: a fresh iterator
        else:
            _use(finder, pair)
        pair.problems += _differences(finder, pair)
        pairs.append(pair)
    return pairs


def _named_flow(
    finder: ReachingShapes, site: GeneratorSite, flow: FlowUse
) -> tuple[cst.CSTNode, PairedFlow] | None:
    """(the only read of the flow's iterator, the flow) when `it = gen.flow(...)` is read
    exactly once."""
    assign = finder.parent(flow.call)
    if not (
        isinstance(assign, cst.Assign)
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
    ):
        return None
    statement = finder.parent(assign)
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    target = assign.targets[0].target
    reads = finder.reached_reads(target)
    if isinstance(reads, str) or len(reads) != 1:
        return None
    return reads[0].node, PairedFlow(site, flow, statement, target.value)


Found = list[tuple[cst.Call | cst.Tuple, tuple[cst.CSTNode, cst.CSTNode]]]


def _builtin_call(finder: ReachingShapes, node: cst.CSTNode, name: str, count: int) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and f"builtins.{name}" in finder.qualified(node.func)
        and len(node.args) == count
        and all(arg.keyword is None and not arg.star for arg in node.args)
    )


def _zip_calls(finder: ReachingShapes) -> Found:
    """`zip(a, b)` calls, with their two arguments."""
    found: Found = []

    class _Visitor(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if _builtin_call(finder, node, "zip", 2):
                found.append((node, (node.args[0].value, node.args[1].value)))

    finder.module.visit(_Visitor())
    return found


def _next_pairs(finder: ReachingShapes) -> Found:
    """`(next(a), next(b))` tuples (a generator's `yield next(a), next(b)`), with the two
    iterators read."""
    found: Found = []

    class _Visitor(cst.CSTVisitor):
        def visit_Tuple(self, node: cst.Tuple) -> None:
            values = [element.value for element in node.elements]
            if (
                len(values) == 2
                and all(isinstance(element, cst.Element) for element in node.elements)
                and all(_builtin_call(finder, value, "next", 1) for value in values)
            ):
                calls = [v for v in values if isinstance(v, cst.Call)]
                found.append((node, (calls[0].args[0].value, calls[1].args[0].value)))

    finder.module.visit(_Visitor())
    return found


# The keywords of fit/evaluate/predict that take the input (Keras 3's, and the
# *_generator methods' `generator`), and fit's validation input with the step count it needs
# (a zip of IDG's endless iterators never ends a pass by itself).
CONSUMER_KEYWORDS = frozenset({"x", "generator"})
VALIDATION_KEYWORD = ("validation_data", "validation_steps")


def _use(finder: ReachingShapes, pair: PairUse) -> None:
    """How the zip is used: handed to a consumer (directly, or through one name read once),
    as `x` or `validation_data`: "fit", a dataset; anything else (looped over, returned,
    read by next()): "iterated", an endless NumPy iterator, which stands in for a zip of
    IDG's iterators wherever one is used."""
    pair.use = "iterated"
    node: cst.CSTNode = pair.node
    parent = finder.parent(node)
    if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
        target = parent.targets[0].target
        statement = finder.parent(parent)
        reads = finder.reached_reads(target) if isinstance(target, cst.Name) else "unpacked"
        if (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and not isinstance(reads, str)
            and len(reads) == 1
        ):
            read = reads[0].node
            if _consumer_argument(finder, read) is not None:
                pair.binding = statement
                node = read
    found = _consumer_argument(finder, node)
    if found is not None:
        pair.use, pair.consumer, pair.steps = "fit", found[0], found[1]
    else:
        pair.binding = None


def _consumer_argument(finder: ReachingShapes, node: cst.CSTNode) -> tuple[cst.Call, str] | None:
    """(the fit/evaluate/predict call, the step keyword the input needs) when `node` is
    its input or validation data."""
    arg = finder.parent(node)
    call = finder.parent(arg) if isinstance(arg, cst.Arg) else None
    if not (
        isinstance(arg, cst.Arg)
        and isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value in CONSUMERS
    ):
        return None
    method = call.func.attr.value
    steps = "steps_per_epoch" if method.startswith("fit") else "steps"
    if arg.keyword is None:
        return (call, steps) if call.args[0] is arg else None
    if arg.keyword.value in CONSUMER_KEYWORDS:
        return call, steps
    if arg.keyword.value == VALIDATION_KEYWORD[0] and method.startswith("fit"):
        return call, VALIDATION_KEYWORD[1]
    return None


def _differences(finder: ReachingShapes, pair: PairUse) -> list[str]:
    """What keeps the two flows from being one pipeline; IDG's own drifting first."""
    image, mask = pair.image, pair.mask
    problems: list[str] = []
    if image.flow.method != mask.flow.method:
        return [f"one flow is {image.flow.method}(), the other {mask.flow.method}()"]
    if image.flow.from_dataframe:
        return ["paired flow_from_dataframe() pipelines are not migrated yet"]
    for flow in (image, mask):
        if len(flow.site.flows) != 1:
            problems.append(f"`{flow.site.name}` has other flows besides the paired one")
        if flow.site.kind == "attribute":
            problems.append(f"the generator of `{flow.name}` is stored on self")
        if flow.flow.spec.unpacked:
            problems.append(f"`{flow.name}`'s flow has arguments the tool cannot read")
    if problems:
        return problems
    shared = SHARED + (SHARED_FILES if image.flow.from_files else ())
    written = [_arguments(finder, flow.flow) for flow in (image, mask)]
    for name in shared:
        ours, theirs = (
            arguments.get(name, SHARED_DEFAULTS.get(name, "None")) for arguments in written
        )
        if ours != theirs:
            problems.append(
                f"the flows' {name} differ ({ours} vs {theirs}): IDG's two iterators then "
                "visit or transform the samples differently"
            )
    # Without a seed IDG's two iterators shuffle and draw independently: the planner
    # refuses that unless nothing is shuffled or drawn.
    pair.unseeded = not problems and written[0].get("seed", "None") == "None"
    pair.shuffled = written[0].get("shuffle", "True") != "False"
    if image.flow.from_files:
        for flow, arguments in zip((image, mask), written, strict=True):
            if arguments.get("class_mode") != "None":
                problems.append(
                    f"`{flow.name}` yields labels (class_mode is not None): only image and "
                    "mask batches are paired"
                )
    else:
        for flow, arguments in zip((image, mask), written, strict=True):
            extra = [
                n for n in ("y", "sample_weight", "subset") if arguments.get(n, "None") != "None"
            ]
            if extra:
                problems.append(
                    f"`{flow.name}` also yields {', '.join(extra)}: only image and mask "
                    "batches are paired"
                )
    if pair.use == "fit" and pair.consumer is not None and not _has_steps(pair):
        problems.append(
            f"the consumer gives no {pair.steps}: a zip of IDG's endless iterators never "
            "ends a pass"
        )
    for flow in (image, mask):
        # The paired map is built where the pair is used: the generators must be the same
        # objects there (each flow's own pipeline stays where the flow was).
        generator = flow.flow.call.func
        if not finder.same_bindings(generator, pair.node) or _rebound_before(
            finder, generator, pair.node
        ):
            problems.append(
                f"`{flow.site.name}` is bound again between its flow and where the "
                "iterators are used together"
            )
    return problems


def _rebound_before(finder: ReachingShapes, moved: cst.CSTNode, destination: cst.CSTNode) -> bool:
    """A name read in `moved` is bound again after it and before `destination` (the
    pipeline built at the zip would read the new value)."""
    start = position_key(finder.positions, moved)
    end = position_key(finder.positions, destination)
    names = read_names(moved)
    for name in names:
        scope = finder.scopes.get(name)
        if scope is None:
            continue
        for assignment in scope.assignments[name.value]:
            node = getattr(assignment, "node", None)
            if node is not None and start < position_key(finder.positions, node) < end:
                return True
    return False


def _arguments(finder: ReachingShapes, flow: FlowUse) -> dict[str, str]:
    """The flow's arguments as written (source text), by parameter name."""
    del finder
    return dict(flow.spec.sources)


def _has_steps(pair: PairUse) -> bool:
    assert pair.consumer is not None
    positional = [a for a in pair.consumer.args if a.keyword is None]
    method = method_of(pair.consumer)
    if method.endswith("_generator") and pair.steps != "validation_steps" and len(positional) >= 2:
        return True  # fit_generator(gen, steps_per_epoch) / evaluate_generator(gen, steps)
    return any(
        arg.keyword is not None
        and arg.keyword.value == pair.steps
        and not (isinstance(arg.value, cst.Name) and arg.value.value == "None")
        for arg in pair.consumer.args
    )


def method_of(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else ""

"""Paired generators (images and masks) as one pipeline: the two zipped flows of
analysis/pairs.py become two runtime pipelines built alike, zipped by the runtime, and one
parallel map of `PairedAugmentation(image_gen, mask_gen)`, which draws each sample's random
transform once and applies it to both tensors, each with its own generator's resampling
and standardization. The zip is endless, as IDG's iterators are: the pipeline repeats
(and is read as NumPy batches where the zip is looped over).

Reports MA001/MA002/MA003 for a pair it rewrites (or would, with --all); where the pair
cannot be one pipeline the two sites are planned as any other (plan/site.py), and their
MA105 says why the pair was not migrated.
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.pairs import PairedFlow, PairUse, find_pairs
from migrator.analysis.uses import CONSUMERS, GeneratorSite
from migrator.emit.layout import Call, Chain
from migrator.model import GEOMETRY_ARGUMENTS, AugmentSpec
from migrator.plan.blockers import problems_of
from migrator.plan.calls import method_name
from migrator.plan.chains import (
    hoist_point,
    parallel_map,
    place,
    prefetch,
    runtime_name,
    served,
    serves,
    statement,
)
from migrator.plan.edits import Edits
from migrator.plan.rewrite import construction_edits, pipeline_head
from migrator.plan.session import Session
from migrator.rules import Code

# What IDG draws from the one random stream both generators must share (colour too: a
# range on one side only shifts every later draw there).
DRAWN = (*GEOMETRY_ARGUMENTS, "data_format", "channel_shift_range", "brightness_range")
PAIR_HELP = (
    "Give both generators the same geometric and colour arguments and both flows the same "
    "seed, batch_size and shuffle (and images and masks only), or keep ImageDataGenerator"
)


def plan_pairs(session: Session, sites: list[GeneratorSite]) -> tuple[Edits, set[int]]:
    """The edits of every pair rewritten, and the ids of the sites the pairs took (reported
    here, not planned one by one)."""
    edits = Edits()
    taken: set[int] = set()
    for pair in find_pairs(session.finder, sites):
        planned = _plan_pair(session, pair)
        if planned is None:
            continue
        taken.update({id(pair.image.site), id(pair.mask.site)})
        if planned:
            session.rewritten.update({pair.image.site.construction, pair.mask.site.construction})
            session.needs_tf = True
        edits.merge(planned)
    return edits, taken


def _plan_pair(session: Session, pair: PairUse) -> Edits | None:
    """The pair's edits (empty when it is only reported); None when the sites are left to
    plan/site.py (with the reason the pair was not migrated in their MA105)."""
    zipped = {id(read) for read in pair.reads}
    reasons = list(pair.problems)
    specs: list[AugmentSpec] = []
    for side in (pair.image, pair.mask):
        spec, problems, blockers = problems_of(session, side.site)
        others = [b for b in blockers if id(b.node) not in zipped]
        if spec is None or problems or others:
            return None  # refused for reasons of its own: plan/site.py reports them
        specs.append(spec)
    reasons += _drift(*specs)
    if pair.unseeded and (pair.shuffled or any(spec.has_random_parameters for spec in specs)):
        reasons.append(
            "the flows have no seed: IDG's two iterators shuffle and draw their transforms "
            "independently, so masks do not match their images"
        )
    if reasons:
        _explain(pair, reasons)
        return None
    consumers = _consumers(session, pair)
    distributed = any(session.strategies.is_distributed(call) for call in consumers)
    rule: Code = "MA001" if distributed else "MA002"
    if distributed and pair.image.flow.from_files:
        rule = "MA003"
    sides = (pair.image, pair.mask)
    site_lines = session.lines(
        pair.node,
        *(node for side in sides for node in (side.site.construction, side.flow.call)),
        *consumers,
    )
    if any("*" in session.suppressed.get(line, ()) for line in site_lines):
        return Edits()
    shown = f"`{pair.image.name}` and `{pair.mask.name}`"
    if not distributed and not session.options.rewrite_without_strategy:
        session.report(
            "MA002",
            pair.node,
            f"paired ImageDataGenerator flows {shown} feed training without a tf.distribute "
            "strategy",
            site_lines,
            help="Run with --all to rewrite them to one tf.data pipeline",
        )
        return Edits()
    if not session.acts_on(rule, site_lines):
        return Edits()
    edits = _edits(session, pair)
    names = "/".join(dict.fromkeys(f"{method_name(call)}()" for call in consumers)) or "training"
    session.report(
        rule,
        pair.node,
        f"paired ImageDataGenerator flows {shown} "
        + ("drawn together" if pair.use == "drawn" else "zipped")
        + f" for {names}"
        + (" under a tf.distribute strategy" if distributed else "")
        + ": replaced by one tf.data pipeline that draws each sample's random transform "
        "once for the image and its mask (`PairedAugmentation`)",
        site_lines,
        fixable=True,
    )
    return edits


def _drift(image: AugmentSpec, mask: AugmentSpec) -> list[str]:
    """What would make IDG's two random streams drift apart (arguments known statically;
    the runtime checks the others when the program runs)."""
    reasons = []
    for name in DRAWN:
        if image.unknown(name) or mask.unknown(name):
            continue
        ours, theirs = getattr(image, name), getattr(mask, name)
        if ours != theirs:
            reasons.append(
                f"the generators differ in {name} ({_shown(ours)} vs {_shown(theirs)}): "
                "IDG's two random streams drift apart and masks stop matching their images"
            )
    return reasons


def _shown(value: object) -> str:
    values = getattr(value, "values", None)  # a ShiftRange: its candidates or bound
    return repr(values[0] if values is not None and len(values) == 1 else values or value)


def _explain(pair: PairUse, reasons: list[str]) -> None:
    """The sites' MA105 for the zip says why the pair is not one pipeline."""
    zipped = {id(read) for read in pair.reads}
    message = (
        f"the iterators `{pair.image.name}` and `{pair.mask.name}` are zipped as paired "
        f"generators (images and masks), not migrated: {'; '.join(reasons)}"
    )
    for side in (pair.image, pair.mask):
        for blocker in side.site.blockers:
            if id(blocker.node) in zipped:
                blocker.message, blocker.help = message, PAIR_HELP


def _consumers(session: Session, pair: PairUse) -> list[cst.Call]:
    """The fit/evaluate/predict calls the pair feeds: the zip's, or those handed the
    Python generator function that loops over it."""
    if pair.consumer is not None:
        return [pair.consumer]
    function = session.finder.enclosing(pair.node, cst.FunctionDef)
    if not isinstance(function, cst.FunctionDef):
        return []
    found: list[cst.Call] = []
    name = function.name.value
    finder = session.finder

    def consumer_of(node: cst.CSTNode) -> cst.Call | None:
        arg = finder.parent(node)
        call = finder.parent(arg) if isinstance(arg, cst.Arg) else None
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value in CONSUMERS
        ):
            return call
        return None

    class _Visitor(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if not (isinstance(node.func, cst.Name) and node.func.value == name):
                return
            reads: list[cst.CSTNode] = [node]
            assign = finder.parent(node)  # `batches = make_pairs(...)`, then fit(batches)
            if (
                isinstance(assign, cst.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)
            ):
                reached = finder.reached_reads(assign.targets[0].target)
                reads = [] if isinstance(reached, str) else [a.node for a in reached]
            found.extend(call for call in map(consumer_of, reads) if call is not None)

    session.module.visit(_Visitor())
    return found


def _edits(session: Session, pair: PairUse) -> Edits:
    """Both constructions become Augmentations, each flow its runtime pipeline (where the
    flow was, so it reads its arguments there), and the zip their paired map."""
    edits = Edits()
    session.needs_runtime = True
    generators = [
        construction_edits(session, edits, side.site, name=f"{role}_datagen")
        for side, role in ((pair.image, "image"), (pair.mask, "mask"))
    ]
    # Both flows shuffle alike (find_pairs): both are served, or neither.
    service = serves(session, pair.image.flow)
    datasets = [
        _side(session, edits, pair, side, generator, role, service)
        for side, generator, role in zip(
            (pair.image, pair.mask), generators, ("images", "masks"), strict=True
        )
    ]
    paired = f"{runtime_name(session, 'PairedAugmentation')}({', '.join(generators)})"
    methods = [parallel_map(session, paired), prefetch(session), Call("repeat", ())]
    if pair.use in ("iterated", "drawn"):
        methods.append(Call("as_numpy_iterator", ()))  # the loop reads NumPy batches
    chain = Chain(Call(runtime_name(session, "zipped"), tuple(datasets)), tuple(methods))
    if service:  # the two sides' shares match: one seed, one permutation, one worker index
        chain = served(session, chain)
    if pair.use != "drawn":
        edits.expressions[pair.node] = place(
            session, edits.insert_before, pair.node, chain, "paired"
        )
        return edits
    # `next(image_it), next(mask_it)` in a loop: one NumPy iterator over the pairs, made
    # once, after the later flow, and one next() of it.
    later = max(
        (side.statement for side in (pair.image, pair.mask) if side.statement is not None),
        key=lambda line: session.position(line),
    )
    name = session.fresh("paired_batches")
    edits.statements[later].append(statement(session, name, chain, later))
    edits.expressions[pair.node] = cst.parse_expression(f"next({name})")
    return edits


def _side(
    session: Session,
    edits: Edits,
    pair: PairUse,
    side: PairedFlow,
    generator: str,
    role: str,
    service: bool,
) -> str:
    """One flow's runtime pipeline (unaugmented: the paired map augments), bound to the
    iterator's name where it was, or to a fresh name just before the zip's statement."""
    head = pipeline_head(session, side.flow, generator, service)
    if side.statement is not None:
        line = statement(session, side.name, head, side.statement)
        edits.statements[side.statement] = [
            line.with_changes(leading_lines=side.statement.leading_lines)
        ]
        return side.name
    point = hoist_point(session, pair.node)
    assert point is not None  # the zip is a consumer's argument, assigned, or looped over
    name = session.fresh(f"paired_{role}")
    edits.insert_before.setdefault(point, []).append(statement(session, name, head, point))
    return name

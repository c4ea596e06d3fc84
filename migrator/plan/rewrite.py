"""The edits of a rewritable site: call sites on the runtime module. The construction
becomes `idg_tfdata.Augmentation(<the same arguments>)`, `fit` stays as it is, and each flow
call becomes its pipeline, `idg_tfdata.index_batches(<the same arguments>)
.map(datagen, ...).prefetch(...)` (directory_files / dataframe_files for the file methods),
with what its wrappers, facts and consumers need.

Raises no code of its own (the site's MA001/MA003 is reported by plan/site.py; MA005 by
plan/wrappers.py for each wrapper it replaces).
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.flow_config import FlowSpec
from migrator.analysis.parameters import (
    KEPT_DATAFRAME_PARAMETERS,
    KEPT_DIRECTORY_PARAMETERS,
    KEPT_FLOW_PARAMETERS,
)
from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite
from migrator.emit.layout import Call, Chain
from migrator.model import AugmentSpec
from migrator.plan.calls import generator_knobs, method_name, without_generator_knobs, wrappers
from migrator.plan.chains import (
    applied_to,
    argument_text,
    formatted_value,
    parallel_map,
    pipeline_call,
    place,
    prefetch,
    runtime_name,
    served,
    serves,
    service_argument,
    statement,
    with_methods,
)
from migrator.plan.edits import Edits
from migrator.plan.facts import assigned_target, fact_source
from migrator.plan.previews import preview_edit
from migrator.plan.replica import ReplicaPlan
from migrator.plan.session import Session
from migrator.plan.wrappers import replace_wrapper

IDG_FIT_PARAMETERS = ("x", "augment", "rounds", "seed")

# The runtime's pipeline for each flow method, and the flow arguments it takes.
PIPELINES = {
    "flow": ("index_batches", frozenset(KEPT_FLOW_PARAMETERS)),
    "flow_from_directory": ("directory_files", frozenset(KEPT_DIRECTORY_PARAMETERS)),
    "flow_from_dataframe": ("dataframe_files", frozenset(KEPT_DATAFRAME_PARAMETERS)),
}


def rewrite(
    session: Session,
    site: GeneratorSite,
    spec: AugmentSpec,
    site_lines: set[int],
    replica: ReplicaPlan | None = None,
) -> tuple[Edits, str]:
    """The edits of one rewritable site, and the name of its (first) pipeline."""
    edits = Edits()
    session.needs_runtime = True
    generator = construction_edits(session, edits, site)
    if replica is not None and replica.placed:
        replica.add_edits(session, edits, site, generator)
    shown: list[str] = []
    for flow in site.flows:
        shown.append(_flow(session, edits, spec, flow, generator, replica, site_lines))
    return edits, shown[0]


def construction_edits(
    session: Session, edits: Edits, site: GeneratorSite, name: str = "datagen"
) -> str:
    """`ImageDataGenerator(...)` -> `idg_tfdata.Augmentation(...)`, only the callee
    changed (a call written on one line is laid out again, as the longer name may need);
    an inline construction is bound to a fresh name just before its statement. The
    generator's expression as the pipelines name it."""
    construction = site.construction
    callee = runtime_name(session, "Augmentation")
    one_line = "\n" not in session.source_of(construction)
    call = Call(callee, tuple(argument_text(session, arg) for arg in construction.args))
    if site.kind == "inline":
        name = session.fresh(name)
        if one_line:
            bound = statement(session, name, call, site.anchor)
        else:
            bound = cst.SimpleStatementLine(
                [
                    cst.Assign(
                        [cst.AssignTarget(cst.Name(name))],
                        construction.with_changes(func=cst.parse_expression(callee)),
                    )
                ]
            )
        edits.insert_before.setdefault(site.anchor, []).append(bound)
        return name
    assert site.statement is not None
    assign = site.statement.body[0]
    assert isinstance(assign, cst.Assign)
    target = " = ".join(session.source_of(t.target) for t in assign.targets)
    if one_line:
        edits.expressions[construction] = formatted_value(session, target, call, site.statement)
    else:
        edits.expressions[construction] = construction.with_changes(
            func=cst.parse_expression(callee)
        )
    return f"self.{site.name}" if site.kind == "attribute" else site.name


def pipeline_head(session: Session, flow: FlowUse, generator: str, service: bool) -> Call:
    """`idg_tfdata.index_batches(<flow's arguments>)`: the user's expressions verbatim but
    those without effect (save_prefix/save_format with no save_to_dir), the generator
    where the runtime needs its validation_split, data_format or dtype, and the tf.data
    service's address when the pipeline is to be `served`."""
    function, kept = PIPELINES[flow.method]
    args = _kept_arguments(session, flow.call, kept, flow.spec)
    if flow.from_files or "subset" in flow.spec.arguments:
        args.append(f"generator={generator}")
    if service:
        args.append(service_argument(session))
    return Call(runtime_name(session, function), tuple(args))


def _kept_arguments(
    session: Session, call: cst.Call, kept: frozenset[str], spec: FlowSpec
) -> list[str]:
    """The call's arguments the pipeline takes, as written. A `**name` whose dict the
    analysis expanded is passed on as it is when the pipeline takes every key; else its
    kept entries are written out."""
    args: list[str] = []
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value in kept:
                args.append(argument_text(session, arg))
            continue
        keys = spec.expanded.get(session.source_of(arg.value)) if arg.star == "**" else None
        if keys is None or all(key in kept for key in keys):
            args.append(argument_text(session, arg))
            continue
        args += [f"{key}={session.source_of(spec.arguments[key])}" for key in keys if key in kept]
    return args


def _flow(
    session: Session,
    edits: Edits,
    spec: AugmentSpec,
    flow: FlowUse,
    generator: str,
    replica: ReplicaPlan | None,
    site_lines: set[int],
) -> str:
    """One flow call replaced by its pipeline, and what its wrappers, facts and consumers
    need (repeat, NumPy batches, no generator knobs). The pipeline's name (or call) for
    the report."""
    service = serves(session, flow)
    head = pipeline_head(session, flow, generator, service)
    # Placed on the replicas: the host pipeline only casts, the model's layer augments
    # (served, the service's workers only read: see plan/chains.served).
    on_replicas = replica is not None and replica.placed
    mapped = f"{generator}.cast" if on_replicas else generator
    methods = [parallel_map(session, mapped)]
    if flow.from_files and flow.spec.values.get("class_mode", "categorical") == "input":
        methods.append(parallel_map(session, runtime_name(session, "images_as_targets")))
    methods.append(prefetch(session))
    chain = Chain(head, tuple(methods))
    if service:  # before the methods below, which run in the program's process
        chain = served(session, chain, reading_only=on_replicas)
    # An explicit step count: Keras 2 (tf_keras, the *_generator methods) restarts an
    # exhausted input, so the dataset repeats as IDG's endless iterator does. Keras 3
    # ends the epoch at the end of a pass for IDG and tf.data alike: nothing to add.
    repeated = [
        c
        for c in flow.consumers
        if c.draws_fixed_steps
        and c.wrapper is None
        and c.repacked_by is None
        and (session.keras2 or method_name(c.call).endswith("_generator"))
    ]
    numpy = [Call("repeat", ()), Call("as_numpy_iterator", ())]
    if any(
        (c.repacked_by and c.repacked_argument is None) or c.repacked_argument is flow.call
        for c in flow.consumers
    ):
        # Looped over in a Python generator: NumPy batches, endlessly (each pass
        # reshuffled), as IDG's iterator yields them.
        chain = with_methods(chain, *numpy)
    elif any(c.argument.value is flow.call for c in repeated):
        chain = with_methods(chain, Call("repeat", ()))
    base = generator.rpartition(".")[2]
    wrapped = False
    for wrapper in wrappers(flow):
        wrapped |= wrapper.source is flow.call
        replace_wrapper(session, edits, flow, spec, wrapper, chain, base, site_lines)
    shown = _place_flow(session, edits, flow, chain, base, wrapped, spec.validation_split)
    for preview in flow.previews:
        # The name still holds the pipeline, unless _place_flow gave the pipeline a new one.
        node, read = preview_edit(preview, preview.iterator.deep_clone())
        edits.expressions.setdefault(node, read)
    for consumer in flow.consumers:
        if generator_knobs(consumer):
            edits.expressions.setdefault(consumer.call, without_generator_knobs)
    for consumer in flow.consumers:
        argument = consumer.repacked_argument
        if argument is not None and argument is not flow.call:
            # The iterator handed to a generator: that call reads NumPy batches.
            edits.expressions[argument] = _methods_on(argument, numpy)
    for consumer in repeated:
        if consumer.argument.value is not flow.call:
            value = consumer.argument.value
            current = edits.expressions.get(value, value)  # the pipeline's name, if renamed
            assert isinstance(current, cst.BaseExpression)
            edits.expressions[value] = _methods_on(current, [Call("repeat", ())])
    return shown


def _place_flow(
    session: Session,
    edits: Edits,
    flow: FlowUse,
    chain: Chain,
    base: str,
    wrapped: bool,
    validation_split: float,
) -> str:
    """The chain where the flow call was: an assigned value in place (`it = (chain)`;
    with facts read from a file iterator, the file dataset keeps a name of its own that
    the reads use); else hoisted or inline (plan/chains.place). `wrapped`: a wrapper
    that replaces the flow call's surroundings took the chain."""
    assigned = assigned_target(session, flow)
    facts = [fact for fact in flow.facts if fact.name != "reset"]
    for fact in flow.facts:
        read = fact_source(session, flow, fact, validation_split)
        assert not isinstance(read, Blocker)
        if fact.statement is not None:
            edits.statements[fact.statement] = []  # reset(): nothing to rewind
        elif read is not None:
            edits.expressions[fact.attribute] = read
    if wrapped:
        return session.source_of(flow.call)
    if (
        assigned is not None
        and flow.from_files
        and facts
        and _read_directly(flow, target=assigned[1])
    ):
        # The file dataset keeps the user's name, so every line reading its facts stays
        # as it was; only the consumers read the augmented pipeline's new name.
        line, target = assigned
        owner, dot, name = target.rpartition(".")
        batches = f"{owner}{dot}{session.fresh(f'{name}_batches')}"
        first = statement(session, target, pipeline_call(chain), line)
        first = first.with_changes(leading_lines=line.leading_lines)
        mapped = applied_to(chain, target)
        edits.statements[line] = [first, statement(session, batches, mapped, line)]
        for consumer in flow.consumers:
            edits.expressions[consumer.argument.value] = cst.parse_expression(batches)
        for preview in flow.previews:
            node, read = preview_edit(preview, cst.parse_expression(batches))
            edits.expressions[node] = read
        return batches
    if assigned is not None and flow.from_files and facts:
        line, target = assigned
        files = _files_name(session, target)
        kept = cst.parse_expression(files)
        for fact in facts:
            edits.expressions[fact.attribute.value] = kept
        first = statement(session, files, pipeline_call(chain), line)
        first = first.with_changes(leading_lines=line.leading_lines)
        mapped = applied_to(chain, files)
        edits.statements[line] = [first, statement(session, target, mapped, line)]
        return target
    placed = place(session, edits.insert_before, flow.call, chain, base)
    edits.expressions[flow.call] = placed
    if assigned is not None:
        return assigned[1]
    return session.source_of(placed) if isinstance(placed, cst.Name) else chain.head.callee


def _read_directly(flow: FlowUse, target: str) -> bool:
    """Every consumer takes the iterator by its name (no wrapper, no Python generator
    around it), and the flow is bound to one name."""
    return " = " not in target and all(
        consumer.wrapper is None
        and consumer.repacked_by is None
        and consumer.repacked_argument is None
        and consumer.argument.value is not flow.call
        for consumer in flow.consumers
    )


def _files_name(session: Session, target: str) -> str:
    """`train_gen` -> `train_gen_files`, `self.train_it` -> `self.train_it_files` (fresh)."""
    owner, dot, name = target.rpartition(".")
    return f"{owner}{dot}{session.fresh(f'{name}_files')}"


def _methods_on(expression: cst.BaseExpression, methods: list[Call]) -> cst.BaseExpression:
    for method in methods:
        expression = cst.Call(func=cst.Attribute(value=expression, attr=cst.Name(method.callee)))
    return expression

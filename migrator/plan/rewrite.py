"""The edits of a rewritable site: the emitted functions (augmentation, array, directory
and dataframe pipelines, featurewise statistics) in place of the construction, each flow
call replaced by its dataset call, and what its consumers, wrappers and facts need.

Raises no code of its own (the site's MA001/MA003 is reported by plan/site.py; MA005 by
plan/wrappers.py for each wrapper it replaces).
"""

from __future__ import annotations

import io
import re
import textwrap
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from migrator.analysis.idg_config import bind_arguments
from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite
from migrator.emit import augment as augment_emitter
from migrator.emit.dataframe import KEPT_DATAFRAME_PARAMETERS, render_dataframe_dataset_function
from migrator.emit.directory import (
    DIRECTORY_PARAMETERS,
    DROPPED_DIRECTORY_PARAMETERS,
    render_directory_dataset_function,
)
from migrator.emit.pipeline import PipelineNames, kept_parameters, render_dataset_function
from migrator.model import AugmentSpec
from migrator.plan.calls import (
    dataset_call,
    generator_knobs,
    interpolations,
    method_name,
    numpy_batches,
    repeat,
    without_generator_knobs,
    wrappers,
)
from migrator.plan.edits import Edits
from migrator.plan.facts import fact_source
from migrator.plan.replica import ReplicaPlan
from migrator.plan.session import Session
from migrator.plan.wrappers import replace_wrapper

DIRECTORY_KEPT = frozenset(DIRECTORY_PARAMETERS) - DROPPED_DIRECTORY_PARAMETERS
DATAFRAME_KEPT = frozenset(KEPT_DATAFRAME_PARAMETERS)
IDG_FIT_PARAMETERS = ("x", "augment", "rounds", "seed")


@dataclass
class _Names:
    """The names of the emitted functions of one site (fresh in the module)."""

    dataset: str  # the array pipeline (also the fallback name of the rewrite)
    augment: str | None  # None: nothing to augment
    statistics: str | None  # featurewise statistics, when the spec needs them
    directory: str | None
    dataframe: str | None


def rewrite(
    session: Session,
    site: GeneratorSite,
    spec: AugmentSpec,
    site_lines: set[int],
    replica: ReplicaPlan | None = None,
) -> tuple[Edits, str]:
    """The edits of one rewritable site, and the name of its (first) pipeline."""
    edits = Edits()
    names, parts = _functions(session, site, spec, replica)
    _place(session, edits, site, parts)
    if replica is not None and replica.placed and names.augment is not None:
        replica.add_edits(
            edits,
            names.augment,
            site.name,
            tf=session.tf,
            emit=session.emitted_statements,
            fresh=session.fresh,
        )
    _statistics(session, edits, site, spec, names)
    kept = set(kept_parameters(spec))
    for flow in site.flows:
        if flow.from_directory:
            assert names.directory is not None
            new_call: cst.BaseExpression = dataset_call(
                flow.call, names.directory, DIRECTORY_KEPT, flow.spec
            )
        elif flow.from_dataframe:
            assert names.dataframe is not None
            new_call = dataset_call(flow.call, names.dataframe, DATAFRAME_KEPT, flow.spec)
        else:
            new_call = dataset_call(flow.call, names.dataset, kept)
        _flow(session, edits, flow, spec, new_call, site_lines)
    if any(not flow.from_files for flow in site.flows):
        return edits, names.dataset
    return edits, names.directory or names.dataframe or names.dataset


def _functions(
    session: Session, site: GeneratorSite, spec: AugmentSpec, replica: ReplicaPlan | None
) -> tuple[_Names, list[str]]:
    """The emitted functions' names and code: augmentation, then one pipeline per kind of
    flow the site has (arrays, directory, dataframe)."""
    base = site.name
    dataset_name = session.fresh(f"{base}_dataset")
    augment_name = None if spec.is_identity else session.fresh(f"{base}_augment")
    if augment_name is not None:  # the emitter derives helper names from it
        for suffix in ("_parameters", "_transform"):
            session.used_names.add(augment_name + suffix)
    statistics_name = session.fresh(f"{base}_statistics") if spec.needs_fit_statistics else None
    parts: list[str] = []
    if augment_name is not None:
        rendered = augment_emitter.render_augment_function(
            spec, augment_name, tf=session.tf, statistics=statistics_name
        )
        if rendered:
            parts.append(rendered)
        else:
            augment_name = None
    array_flows = [flow for flow in site.flows if not flow.from_files]
    directory_flows = [flow for flow in site.flows if flow.from_directory]
    dataframe_flows = [flow for flow in site.flows if flow.from_dataframe]
    directory_name = session.fresh(f"{base}_directory_dataset") if directory_flows else None
    dataframe_name = session.fresh(f"{base}_dataframe_dataset") if dataframe_flows else None
    if array_flows:
        parts.append(
            render_dataset_function(
                spec,
                PipelineNames(
                    dataset=dataset_name,
                    # placed on the replicas: the host pipeline does not augment
                    augment=None if replica is not None and replica.placed else augment_name,
                    generator=base,
                ),
                tf=session.tf,
            )
        )
    file_pipelines = (
        (directory_name, directory_flows, render_directory_dataset_function),
        (dataframe_name, dataframe_flows, render_dataframe_dataset_function),
    )
    for name, flows, render in file_pipelines:
        if name is None:
            continue
        parts.append(
            render(
                spec,
                name,
                augment_name,
                base,
                tf=session.tf,
                interpolations=interpolations(flows),
                facts=any(flow.facts for flow in flows),
            )
        )
        session.needs_os = True  # the file pipelines list files with os
    names = _Names(dataset_name, augment_name, statistics_name, directory_name, dataframe_name)
    return names, parts


def _place(session: Session, edits: Edits, site: GeneratorSite, parts: list[str]) -> None:
    """The emitted functions, under a comment naming the construction they replace, where
    the construction's statement was (or before the statement using an inline one)."""
    header = _comment(
        f"tf.data replacement for {_one_line(session.source_of(site.construction))} (migrate-aug)"
    )
    placed_at = site.statement if site.kind == "name" else site.anchor
    top_level = isinstance(session.finder.parent(placed_at), cst.Module)
    separator = "\n\n\n" if top_level else "\n\n"
    code = header + "\n" + separator.join(_strip(p) for p in parts)
    new_statements = session.emitted_statements(code)
    if site.kind == "name":
        assert site.statement is not None
        new_statements = _with_leading_lines(new_statements, site.statement)
        edits.statements[site.statement] = new_statements
    else:
        edits.insert_before[site.anchor] = new_statements
        if site.statement is not None:
            edits.statements[site.statement] = []
    edits.blocks.append((new_statements[0], new_statements[-1]))


def _statistics(
    session: Session, edits: Edits, site: GeneratorSite, spec: AugmentSpec, names: _Names
) -> None:
    """Each `<generator>.fit(x)` becomes the statistics computation (or goes, when the
    spec needs none)."""
    for statement, call in site.fit_statements:
        if names.statistics is None:
            edits.statements[statement] = []
            continue
        fit_arguments = bind_arguments(call, IDG_FIT_PARAMETERS)[0]
        code = augment_emitter.render_statistics(
            spec,
            names.statistics,
            session.source_of(fit_arguments["x"]),
            augment=_source_or(fit_arguments.get("augment"), "False", session.source_of),
            rounds=_source_or(fit_arguments.get("rounds"), "1", session.source_of),
            seed=_source_or(fit_arguments.get("seed"), "None", session.source_of),
            tf=session.tf,
            augment_function=names.augment,
        )
        edits.statements[statement] = _with_leading_lines(
            session.emitted_statements(code), statement
        )


def _flow(
    session: Session,
    edits: Edits,
    flow: FlowUse,
    spec: AugmentSpec,
    new_call: cst.BaseExpression,
    site_lines: set[int],
) -> None:
    """One flow call replaced by `new_call`, and what its wrappers, facts and consumers
    need (repeat, NumPy batches, no generator knobs)."""
    for wrapper in wrappers(flow):
        replace_wrapper(session, edits, flow, spec, wrapper, new_call, site_lines)
    for fact in flow.facts:
        read = fact_source(session, flow, fact, spec.validation_split)
        assert not isinstance(read, Blocker)
        if fact.statement is not None:
            edits.statements[fact.statement] = []  # reset(): nothing to rewind
        elif read is not None:
            edits.expressions[fact.attribute] = read
    # An explicit step count: Keras 2 (tf_keras, the *_generator methods) restarts an
    # exhausted input, so the dataset repeats as IDG's endless iterator does. Keras 3
    # ends the epoch at the end of a pass for IDG and tf.data alike: nothing to add.
    if any(c.repacked_by and c.repacked_argument is None for c in flow.consumers):
        # Looped over in a Python generator: NumPy batches, endlessly (each pass
        # reshuffled), as IDG's iterator yields them.
        new_call = numpy_batches(new_call)
    repeated = [
        c
        for c in flow.consumers
        if c.draws_fixed_steps
        and c.wrapper is None
        and c.repacked_by is None
        and (session.keras2 or method_name(c.call).endswith("_generator"))
    ]
    if any(c.argument.value is flow.call for c in repeated):
        new_call = repeat(new_call)
    edits.expressions[flow.call] = new_call
    for consumer in flow.consumers:
        if generator_knobs(consumer):
            edits.expressions.setdefault(consumer.call, without_generator_knobs)
    for consumer in flow.consumers:
        if consumer.repacked_argument is not None:
            # The iterator handed to a generator: that call reads NumPy batches.
            argument = consumer.repacked_argument
            base = new_call if argument is flow.call else argument
            edits.expressions[argument] = numpy_batches(base)
    for consumer in repeated:
        if consumer.argument.value is not flow.call:
            edits.expressions[consumer.argument.value] = repeat(consumer.argument.value)


def _source_or(
    node: cst.BaseExpression | None, default: str, source_of: Callable[[cst.CSTNode], str]
) -> str:
    return default if node is None else source_of(node)


def _comment(text: str, width: int = 88) -> str:
    """`text` as a comment of lines at most `width` long (where words allow)."""
    lines = textwrap.wrap(
        text, width - 2, break_long_words=False, break_on_hyphens=False, subsequent_indent="  "
    )
    return "\n".join(f"# {line}" for line in lines)


def _one_line(code: str) -> str:
    """A call written over several lines, as one line for a comment (its comments dropped)."""
    lines = code.splitlines(keepends=True)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for token in reversed([t for t in tokens if t.type == tokenize.COMMENT]):
        row, column = token.start
        lines[row - 1] = lines[row - 1][:column] + "\n"
    code = " ".join("".join(lines).split())
    return re.sub(r",?\s*\)$", ")", re.sub(r"\(\s+", "(", code))


def _strip(code: str) -> str:
    return code.strip("\n")


def _with_leading_lines(
    statements: list[cst.BaseStatement], original: cst.CSTNode
) -> list[cst.BaseStatement]:
    leading = getattr(original, "leading_lines", ())
    if statements and leading:
        first = statements[0]
        statements = [first.with_changes(leading_lines=[*leading, *first.leading_lines])] + list(
            statements[1:]
        )
    return statements

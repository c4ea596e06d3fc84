"""One generator, all or nothing: which rule applies (MA001 under a strategy, MA003 for
file pipelines, MA002 without one unless --all), what blocks it (plan/blockers.py), the
rewrite (plan/rewrite.py) and its notes (MA201, MA202). Nothing is edited for a generator
unless every use of it can be rewritten faithfully."""

from __future__ import annotations

from migrator.analysis.data_scale import unit_data_notes
from migrator.analysis.idg_config import IDG_PARAMETERS, ConfigProblem, bind_arguments
from migrator.analysis.uses import Blocker, GeneratorSite
from migrator.model import AugmentSpec
from migrator.plan.blockers import problems_of
from migrator.plan.calls import (
    consumer_names,
    knobs_note,
    method_name,
    not_migrated,
    repacked_note,
)
from migrator.plan.edits import Edits
from migrator.plan.previews import preview_note
from migrator.plan.replica import plan_replica
from migrator.plan.rewrite import rewrite
from migrator.plan.session import Session
from migrator.rules import Code


def plan_site(session: Session, site: GeneratorSite) -> Edits:
    consumers = [consumer for flow in site.flows for consumer in flow.consumers]
    site_lines = session.lines(site.construction, *(f.call for f in site.flows)) | session.lines(
        *(c.call for c in consumers)
    )
    if any("*" in session.suppressed.get(line, ()) for line in site_lines):
        return Edits()  # a bare `# migrate-aug: ignore` silences the whole site
    if not site.flows:
        _report_refusals(session, site, site_lines, [], site.blockers)
        return Edits()

    if not consumers:  # nothing reaches fit/evaluate/predict: the blockers say why
        _report_refusals(session, site, site_lines, [], site.blockers)
        return Edits()
    distributed = any(session.strategies.is_distributed(c.call) for c in consumers)
    rule: Code = "MA001" if distributed else "MA002"
    if distributed and all(flow.from_files for flow in site.flows):
        rule = "MA003"  # the file pipeline rule
    first_flow = site.flows[0].call
    if not distributed and not session.options.rewrite_without_strategy:
        _, problems, blockers = problems_of(session, site)
        if problems or blockers:  # --all would not help: say what blocks the rewrite
            _report_refusals(session, site, site_lines, problems, blockers)
        else:
            session.report(
                "MA002",
                first_flow,
                f"ImageDataGenerator.{site.flows[0].method}() feeds training without a "
                "tf.distribute strategy",
                site_lines,
                help="Run with --all to rewrite it to tf.data",
            )
        return Edits()
    # Refusals are findings of their own: computed whatever --select/--ignore say of the
    # rewrite rule, and shown unless their own code is deselected or suppressed.
    spec, problems, blockers = problems_of(session, site)
    if problems or blockers or spec is None:
        _report_refusals(session, site, site_lines, problems, blockers)
        return Edits()
    if not session.acts_on(rule, site_lines):
        return Edits()

    replica = None
    if session.options.augment_on == "replica":  # the augmentation as a model layer
        replica = plan_replica(
            session.finder,
            site,
            spec,
            source_of=session.source_of,
            line_of=lambda node: session.position(node)[0],
            taken=session.replica_models,
            fresh=session.fresh,
        )
    edits, dataset_name = rewrite(session, site, spec, site_lines, replica)
    session.report(
        rule,
        first_flow,
        f"ImageDataGenerator.{method_name(first_flow)}() feeding {consumer_names(site)}"
        + (" under a tf.distribute strategy" if distributed else "")
        + f": replaced by the tf.data pipeline `{dataset_name}`"
        + knobs_note(site)
        + repacked_note(site)
        + preview_note(site)
        + (replica.note if replica is not None else ""),
        site_lines,
        fixable=True,
        replacement=session.source_of(edits.expressions.get(first_flow, first_flow))
        if first_flow in edits.expressions
        else None,
    )
    for note in _notes(spec):
        session.report(note[0], site.construction, note[1], site_lines)
    flow_calls = [flow.call for flow in site.flows]
    for node, message, help in unit_data_notes(spec, session.module, flow_calls, session.position):
        session.report("MA202", node, message, site_lines, help=help)
    return edits


def _report_refusals(
    session: Session,
    site: GeneratorSite,
    site_lines: set[int],
    problems: list[ConfigProblem],
    blockers: list[Blocker],
) -> None:
    parsed_arguments = bind_arguments(site.construction, IDG_PARAMETERS)[0]
    for problem in problems:
        node = parsed_arguments.get(problem.argument, site.construction)
        session.report(
            problem.code, node, not_migrated(problem.reason), site_lines, help=problem.help
        )
    for blocker in blockers:
        session.report(
            blocker.code,
            blocker.node,
            not_migrated(blocker.message),
            site_lines,
            help=blocker.help,
        )


def _notes(spec: AugmentSpec) -> list[tuple[Code, str]]:
    notes: list[tuple[Code, str]] = []
    if (
        spec.width_shift_range != spec.height_shift_range
        and spec.data_format == "channels_last"
        and not spec.unknown("width_shift_range", "height_shift_range", "data_format")
    ):
        notes.append(
            (
                "MA201",
                "with channels_last, IDG's width_shift_range moves images vertically and "
                "height_shift_range horizontally; the rewrite keeps this (check which you meant)",
            )
        )
    return notes

"""What stops a site from being rewritten: the constructor's problems (MA101-MA103, from
analysis), the flow()/file-method arguments (MA104), what the from_generator wrappers and
iterator facts need (MA105/MA108/MA109), and featurewise statistics (MA106/MA107)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from migrator.analysis.constants import ScopeConstants
from migrator.analysis.idg_config import ConfigProblem, parse_idg_call
from migrator.analysis.names import is_native_preprocessing
from migrator.analysis.parameters import (
    FLOW_PARAMETERS,
    KEPT_DATAFRAME_PARAMETERS,
    KEPT_DIRECTORY_PARAMETERS,
    KEPT_FLOW_PARAMETERS,
)
from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite
from migrator.model import UNKNOWN, AugmentSpec
from migrator.plan.calls import is_none, wrappers
from migrator.plan.facts import fact_source
from migrator.plan.previews import preview_blockers
from migrator.plan.session import Session
from migrator.plan.unsupported import (
    unsupported,
    unsupported_dataframe_call,
    unsupported_directory_call,
)
from migrator.plan.wrappers import wrapper_casts

# Positional arguments up to `seed`: save_to_dir comes next in both file methods.
POSITIONAL_BEFORE_SAVE = {"flow_from_directory": 8, "flow_from_dataframe": 12}


def _preprocessing_resolver(session: Session) -> Callable[[cst.BaseExpression], str | None]:
    """A preprocessing_function the emitted code can call as it is (a native one)."""

    def resolve(expression: cst.BaseExpression) -> str | None:
        if is_native_preprocessing(session.finder.qualified(expression)):
            return session.source_of(expression)
        return None

    return resolve


def problems_of(
    session: Session, site: GeneratorSite
) -> tuple[AugmentSpec | None, list[ConfigProblem], list[Blocker]]:
    parsed = parse_idg_call(
        site.construction,
        ScopeConstants(session.finder),
        _preprocessing_resolver(session),
        session.source_of,
    )
    problems = list(parsed.problems)
    blockers = list(site.blockers)
    spec = parsed.spec
    if spec is not None:
        problems += [
            ConfigProblem(refusal.code, refusal.argument, refusal.reason, refusal.help)
            for refusal in unsupported(spec)
        ]
        for flow in site.flows:
            blockers += _flow_blockers(session, flow, spec)
            blockers += preview_blockers(session, flow)
            for fact in flow.facts:
                kept = fact_source(session, flow, fact, spec.validation_split)
                if isinstance(kept, Blocker):
                    blockers.append(kept)
            for wrapper in wrappers(flow):
                casts = wrapper_casts(session, flow, spec, wrapper)
                if isinstance(casts, Blocker):
                    blockers.append(casts)
                if wrapper.function is not None and session.finder.inside(
                    site.construction, wrapper.function
                ):
                    blockers.append(
                        Blocker(
                            "MA105",
                            site.construction,
                            "the generator is built inside the from_generator wrapper, "
                            "which the rewrite removes",
                            "Build it outside (bound to a name)",
                        )
                    )
        blockers += _fit_blockers(session, site, spec)
    return spec, problems, blockers


def _flow_blockers(session: Session, flow: FlowUse, spec: AugmentSpec) -> list[Blocker]:
    if flow.from_files:
        method = flow.method
        if flow.spec.unpacked:
            # `*args`, or a `**name` whose dict is not statically known
            return [Blocker("MA104", flow.call, f"{method}() with argument unpacking")]
        positional = [arg for arg in flow.call.args if arg.keyword is None]
        if len(positional) > POSITIONAL_BEFORE_SAVE[method]:
            # save_* come next: the emitted function's later positions would shift
            return [Blocker("MA104", flow.call, f"{method}() with save_* arguments")]
        check = unsupported_dataframe_call if flow.from_dataframe else unsupported_directory_call
        where: dict[str, cst.CSTNode] = dict(flow.spec.arguments)
        for arg in flow.call.args:  # an expanded `**name`'s entries: point at `**name`
            for key in flow.spec.expanded.get(session.source_of(arg.value), ()):
                if arg.star == "**":
                    where[key] = arg.value
        found = [
            Blocker(code, where.get(argument, flow.call), f"{method}(): {reason}", help)
            for code, argument, reason, help in check(flow.spec.values)
        ]
        if flow.spec.values.get("class_mode") is UNKNOWN:
            # The call site maps images_as_targets after the augmentation for "input"
            # only: which chain to write depends on the value.
            found.append(
                Blocker(
                    "MA101",
                    where.get("class_mode", flow.call),
                    f"{method}(): class_mode is not a literal: the pipeline for 'input' "
                    "(the images as targets) differs from the others",
                    "Write class_mode as a literal or a module-level constant",
                )
            )
        return found + _unpassed_expressions(session, flow)
    blockers: list[Blocker] = []
    # `*pair` maps onto the emitted function's positional parameters exactly as onto
    # flow()'s (same order); `**options` could carry anything.
    star = any(arg.star == "*" for arg in flow.call.args)
    arguments, problems = flow.spec.listed, flow.spec.listed_problems
    blockers += [Blocker("MA104", flow.call, f"flow(): {p}") for p in problems]
    positional = [arg for arg in flow.call.args if arg.keyword is None and not arg.star]
    if len(positional) > 6:
        blockers.append(Blocker("MA104", flow.call, "flow(): save_to_dir is not supported"))
    save_to_dir = arguments.get("save_to_dir")
    if save_to_dir is not None and not is_none(save_to_dir):
        blockers.append(
            Blocker(
                "MA104",
                save_to_dir,
                "flow(save_to_dir=...) writes augmented images to disk",
                "Drop it to migrate",
            )
        )
    x = arguments.get("x")
    if x is None and not star:
        blockers.append(Blocker("MA104", flow.call, "flow() without `x`"))
    elif isinstance(x, cst.Tuple | cst.List):
        blockers.append(
            Blocker(
                "MA104",
                x,
                "flow() with `x` as a tuple of (images, extra inputs) is not supported yet",
            )
        )
    subset = arguments.get("subset")
    if (
        subset is not None
        and not is_none(subset)
        and not spec.validation_split
        and not spec.unknown("validation_split")
    ):
        blockers.append(
            Blocker("MA104", subset, "flow(subset=...) without validation_split on the generator")
        )
    unknown = set(arguments) - set(FLOW_PARAMETERS)
    for name in sorted(unknown):
        blockers.append(Blocker("MA104", flow.call, f"flow() has no argument `{name}`"))
    return blockers + _unpassed_keywords(session, flow)


def _unpassed_expressions(session: Session, flow: FlowUse) -> list[Blocker]:
    """A file flow's `**name` whose dict holds values known only at run time
    (`batch_size=self.config.batch_size`) is passed on as it is written only when the
    dataset function takes every key; else its entries would be written out at the call,
    each expression evaluated again somewhere else."""
    taken = frozenset(
        KEPT_DATAFRAME_PARAMETERS if flow.from_dataframe else KEPT_DIRECTORY_PARAMETERS
    )
    blockers: list[Blocker] = []
    for arg in flow.call.args:
        keys = flow.spec.expanded.get(session.source_of(arg.value), ()) if arg.star else ()
        if not any(flow.spec.values.get(key) is UNKNOWN for key in keys):
            continue  # literal entries are written out as literals
        for key in [key for key in keys if key not in taken]:
            blockers.append(
                Blocker(
                    "MA104",
                    arg.value,
                    f"{flow.method}(): `**{session.source_of(arg.value)}` carries `{key}`, "
                    "which the tf.data pipeline does not take, next to values known only at "
                    "run time",
                    f"Remove `{key}` from the dict, or pass it as a keyword argument",
                )
            )
    return blockers


def _unpassed_keywords(session: Session, flow: FlowUse) -> list[Blocker]:
    """A flow()'s expanded `**name` goes to the dataset function as it is written: every
    key must be one that function takes (a `save_format` written as a keyword is dropped,
    one inside the dict would be a TypeError)."""
    taken = set(KEPT_FLOW_PARAMETERS)
    blockers: list[Blocker] = []
    for arg in flow.call.args:
        keys = flow.spec.expanded.get(session.source_of(arg.value), ()) if arg.star else ()
        for key in keys:
            value = flow.spec.listed.get(key)
            # `subset` (without validation_split) and a save_to_dir have blockers of their own
            own = key == "subset" or (
                key == "save_to_dir" and value is not None and not is_none(value)
            )
            if key in taken or own or key not in FLOW_PARAMETERS:
                continue
            blockers.append(
                Blocker(
                    "MA104",
                    arg.value,
                    f"flow(): `**{session.source_of(arg.value)}` carries `{key}`, which the "
                    "tf.data pipeline does not take",
                    f"Remove `{key}` from the dict, or pass it as a keyword argument",
                )
            )
    return blockers


def _fit_blockers(session: Session, site: GeneratorSite, spec: AugmentSpec) -> list[Blocker]:
    if not spec.needs_fit_statistics:
        return []
    if not site.fit_statements and not spec.needs_fit_statistics_for_sure:
        return []  # never fit, and maybe not needed: IDG and the runtime skip them alike
    if site.kind != "name":
        return [
            Blocker(
                "MA107",
                site.construction,
                "featurewise statistics are migrated only for generators bound to a name",
            )
        ]
    if len(site.fit_statements) != 1:
        return [
            Blocker(
                "MA106",
                site.construction,
                "featurewise/ZCA standardization needs exactly one `"
                f"{site.name}.fit(x)` call the tool can follow (found "
                f"{len(site.fit_statements)})",
            )
        ]
    statement, call = site.fit_statements[0]
    fit_line = session.position(statement)[0]
    if not _runs_whenever(session, statement, site.construction):
        return [
            Blocker(
                "MA106",
                call,
                f"`{site.name}.fit(x)` runs only sometimes (under an if/for/while/try of "
                "its own): when skipped, IDG trains without the statistics, which the "
                "rewrite cannot tell",
                "Call it unconditionally, next to the generator",
            )
        ]
    if any(session.position(flow.call)[0] < fit_line for flow in site.flows) or (
        session.finder.scopes.get(call) is not session.finder.scopes.get(site.construction)
    ):
        return [
            Blocker(
                "MA106",
                call,
                f"`{site.name}.fit(x)` must run in the generator's scope before its flows",
            )
        ]
    return []


def _runs_whenever(session: Session, statement: cst.CSTNode, other: cst.CSTNode) -> bool:
    """Whether `statement` is in the block that holds `other` or in one around it, so
    that it runs whenever `other` does (not under an if/for/while/try of its own)."""
    return session.finder.inside(other, _unconditional_block(session, statement))


def _unconditional_block(session: Session, node: cst.CSTNode) -> cst.CSTNode:
    """The innermost block around `node` that is not a `with` body (a `with` body runs
    whenever the `with` statement does)."""
    current = session.finder.parent(node)
    while current is not None:
        if isinstance(current, cst.Module):
            return current
        if isinstance(current, cst.IndentedBlock) and not isinstance(
            session.finder.parent(current), cst.With
        ):
            return current
        current = session.finder.parent(current)
    return session.module

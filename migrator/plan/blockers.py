"""What stops a site from being rewritten: the constructor's problems (MA101-MA103, from
analysis), the flow()/file-method arguments (MA104), what the from_generator wrappers and
iterator facts need (MA105/MA108/MA109), and featurewise statistics (MA106/MA107)."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from migrator.analysis.constants import ScopeConstants
from migrator.analysis.idg_config import ConfigProblem, parse_idg_call
from migrator.analysis.names import is_native_preprocessing
from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite
from migrator.emit import augment as augment_emitter
from migrator.emit.dataframe import unsupported_dataframe_call
from migrator.emit.directory import unsupported_directory_call
from migrator.emit.pipeline import FLOW_PARAMETERS
from migrator.model import AugmentSpec
from migrator.plan.calls import is_none, wrappers
from migrator.plan.facts import fact_source
from migrator.plan.session import Session
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
            for refusal in augment_emitter.unsupported(spec)
        ]
        for flow in site.flows:
            blockers += _flow_blockers(session, flow, spec)
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
        return [
            Blocker(code, where.get(argument, flow.call), f"{method}(): {reason}", help)
            for code, argument, reason, help in check(flow.spec.values)
        ]
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

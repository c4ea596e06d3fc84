"""Analyse a module, decide per generator (rewrite / report / refuse), and apply the edits.

parse -> SiteFinder (analysis) -> plan per GeneratorSite -> Edits -> EditApplier -> imports.
Nothing is edited for a generator unless every use of it can be rewritten faithfully.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import textwrap
import tokenize
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import Scope

from migrator.analysis.data_scale import unit_data_notes
from migrator.analysis.generator_methods import DROPPED as GENERATOR_KNOBS
from migrator.analysis.generator_methods import (
    RENAMES,
    rewrite_generator_method,
    with_last_comma,
)
from migrator.analysis.idg_config import (
    IDG_PARAMETERS,
    ConfigProblem,
    bind_arguments,
    parse_idg_call,
)
from migrator.analysis.literals import NotLiteral, evaluate
from migrator.analysis.names import IDG_MODULES, LiveCodeVisitor, is_native_preprocessing
from migrator.analysis.sites import (
    ITERATOR_FACTS,
    Blocker,
    ConsumerUse,
    FactUse,
    FlowUse,
    GeneratorSite,
    ScopeConstants,
    SiteFinder,
    Wrapper,
)
from migrator.analysis.strategy import StrategyIndex
from migrator.api import PREFILTERS, FileResult, Options, SourceParseError
from migrator.diagnostics import Diagnostic
from migrator.emit import augment as augment_emitter
from migrator.emit.dataframe import (
    DATAFRAME_PARAMETERS,
    KEPT_DATAFRAME_PARAMETERS,
    render_dataframe_dataset_function,
    unsupported_dataframe_call,
)
from migrator.emit.directory import (
    DIRECTORY_PARAMETERS,
    DROPPED_DIRECTORY_PARAMETERS,
    UNKNOWN,
    render_directory_dataset_function,
    unsupported_directory_call,
)
from migrator.emit.pipeline import (
    DROPPED_FLOW_PARAMETERS,
    FLOW_PARAMETERS,
    PipelineNames,
    kept_parameters,
    render_dataset_function,
)
from migrator.emit.replica import ReplicaPlan, plan_replica
from migrator.imports import (
    add_module_imports,
    alias_key,
    remove_unused_from_imports,
    used_names,
    without_from_import_aliases,
)
from migrator.model import AugmentSpec
from migrator.suppression import is_suppressed, suppressions

DIRECTORY_KEPT = frozenset(DIRECTORY_PARAMETERS) - DROPPED_DIRECTORY_PARAMETERS
DATAFRAME_KEPT = frozenset(KEPT_DATAFRAME_PARAMETERS)
# Positional arguments up to `seed`: save_to_dir comes next in both file methods.
POSITIONAL_BEFORE_SAVE = {"flow_from_directory": 8, "flow_from_dataframe": 12}
Rewrite = Callable[[cst.BaseExpression], cst.BaseExpression]
IDG_FIT_PARAMETERS = ("x", "augment", "rounds", "seed")


@dataclass
class Edits:
    # original node -> its replacement, or a function of the updated node (for edits
    # that compose with edits inside them, e.g. fit_generator around a rewritten flow)
    expressions: dict[cst.CSTNode, cst.BaseExpression | Rewrite] = field(default_factory=dict)
    statements: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    insert_before: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    # Emitted blocks of definitions, (first, last): blank lines are kept around them.
    blocks: list[tuple[cst.CSTNode, cst.CSTNode]] = field(default_factory=list)

    def merge(self, other: Edits) -> None:
        self.expressions.update(other.expressions)
        self.statements.update(other.statements)
        self.blocks.extend(other.blocks)
        for anchor, statements in other.insert_before.items():
            self.insert_before.setdefault(anchor, []).extend(statements)

    def __bool__(self) -> bool:
        return bool(self.expressions or self.statements or self.insert_before)


def migrate_module(source: str, path: str, options: Options) -> FileResult:
    if not any(marker in source for marker in PREFILTERS) or not _names_a_marker(source):
        return FileResult(source, source, [])
    with _deep_recursion():
        try:
            module = cst.parse_module(source)
        except cst.ParserSyntaxError as error:
            raise SourceParseError(error.message, error.raw_line, error.raw_column + 1) from error
        return _Migration(module, source, path, options).run()


# libcst's visitors recurse a few frames per level of nesting: everything CPython accepts
# (200 nested brackets, ~3000-term operator chains) needs more than the default 1000.
_RECURSION_LIMIT = 20_000
# CPython's own nesting limits. libcst's native parser overflows its stack (a segfault,
# which no `except` catches) on nesting far beyond them, so such code never reaches it.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation")


@contextmanager
def _deep_recursion() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, _RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def _names_a_marker(source: str) -> bool:
    """Whether code (not only strings or comments) names IDG or a *_generator method.

    Python's own parser is ~100x cheaper than libcst with metadata, so files that merely
    mention the names in docs or strings stop here. Source that `ast` cannot parse goes on
    to libcst, which reports the error itself (or parses syntax newer than this Python),
    except nesting beyond CPython's limits, refused here (SourceParseError).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        if any(reason in str(error.msg) for reason in _TOO_DEEP):
            raise SourceParseError(error.msg, error.lineno or 1, error.offset or 1) from error
        return True
    except ValueError:  # e.g. NUL bytes: libcst reports those itself
        return True
    except MemoryError as error:  # Python's own parser gives up on the nesting
        raise RecursionError("code nested too deeply to analyse") from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute):
            name = node.attr
        elif isinstance(node, ast.alias):
            name = node.name.rpartition(".")[2]
        else:
            continue
        if name in PREFILTERS:
            return True
    return False


class _Migration:
    def __init__(self, module: cst.Module, source: str, path: str, options: Options) -> None:
        # The module was just parsed for this migration: no defensive deep copy needed.
        self.wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        self.source = source
        self.path = path
        self.options = options
        self.finder = SiteFinder(self.wrapper)
        self.module = self.wrapper.module
        self.strategies = StrategyIndex(self.module, self.finder.qualified, self.finder.parents)
        self.suppressed = suppressions(source)
        self.used_names = _all_names(source)
        self.tf_import = _tensorflow_alias(self.module)
        # The program trains with Keras 2 semantics (see the step-count note in _rewrite).
        self.keras2 = _trains_with_keras2(self.module, source)
        # `tf` for the emitted code, unless the program binds `tf` to something else.
        self.tf = self.tf_import or _free_alias(self.finder.scopes.values(), ("tf", "tensorflow"))
        self.diagnostics: list[Diagnostic] = []
        self.needs_os = False  # the directory pipeline lists files with os
        self.needs_math = False  # MA004 rounds a fractional step count up with math.ceil
        # Emitted code by placeholder name: spliced in as text after codegen (see _splice).
        self.emitted: dict[str, str] = {}
        self.needs_tf = False  # emitted code or a rewritten reference uses `tf`
        self.rewritten: set[cst.Call] = set()  # constructions of rewritten generators
        self.replica_models: set[cst.Name] = set()  # models given an augmentation layer

    # -- reporting -----------------------------------------------------------------
    def position(self, node: cst.CSTNode) -> tuple[int, int]:
        code_range = self.finder.positions.get(node)
        return (code_range.start.line, code_range.start.column + 1) if code_range else (1, 1)

    def lines(self, *nodes: cst.CSTNode) -> set[int]:
        return {self.position(node)[0] for node in nodes}

    def report(
        self,
        code: str,
        node: cst.CSTNode,
        message: str,
        site_lines: set[int],
        *,
        fixable: bool = False,
        replacement: str | None = None,
    ) -> None:
        if not self.options.enabled(code):
            return
        line, column = self.position(node)
        if is_suppressed(code, site_lines | {line}, self.suppressed):
            return
        self.diagnostics.append(
            Diagnostic(self.path, line, column, code, message, fixable, replacement)
        )

    def source_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    # -- the run -------------------------------------------------------------------
    def run(self) -> FileResult:
        edits = Edits()
        for site in self.finder.find():
            planned = self.plan(site)
            if planned:  # the emitted pipeline uses `tf`
                self.rewritten.add(site.construction)
                self.needs_tf = True
            edits.merge(planned)
        edits.merge(self.plan_generator_methods())
        edits.merge(self.plan_keras2_imports())
        if not edits:
            return FileResult(
                self.source, self.source, sorted(self.diagnostics, key=Diagnostic.sort_key)
            )
        new_code = _splice(
            self.apply(edits).code,
            self.emitted,
            self.module.default_indent,
            self.module.default_newline,
        )
        return FileResult(self.source, new_code, sorted(self.diagnostics, key=Diagnostic.sort_key))

    def apply(self, edits: Edits) -> cst.Module:
        transformed = self.module.visit(_EditApplier(edits))
        unused_candidates = _idg_imports(self.module)
        image_modules = _image_module_imports(self.module)
        if image_modules:  # `image` goes only if the rewrite took its last use
            before = used_names(self.module)
            unused_candidates += [m for m in image_modules if before[m[2] or m[1]]]
        transformed = remove_unused_from_imports(transformed, unused_candidates)
        wanted: list[tuple[str, str | None]] = []
        if self.tf_import is None and self.needs_tf:
            wanted.append(("tensorflow", None if self.tf == "tensorflow" else self.tf))
        if self.needs_os:
            wanted.append(("os", None))
        if self.needs_math:
            wanted.append(("math", None))
        return add_module_imports(transformed, wanted)

    # -- planning one generator ----------------------------------------------------
    def plan(self, site: GeneratorSite) -> Edits:
        consumers = [consumer for flow in site.flows for consumer in flow.consumers]
        site_lines = self.lines(site.construction, *(f.call for f in site.flows)) | self.lines(
            *(c.call for c in consumers)
        )
        if any("*" in self.suppressed.get(line, ()) for line in site_lines):
            return Edits()  # a bare `# migrate-aug: ignore` silences the whole site
        if not site.flows:
            for blocker in site.blockers:
                self.report(blocker.code, blocker.node, _not_migrated(blocker.message), site_lines)
            return Edits()

        if not consumers:  # nothing reaches fit/evaluate/predict: the blockers say why
            self._report_refusals(site, site_lines, [], site.blockers)
            return Edits()
        distributed = any(self.strategies.is_distributed(c.call) for c in consumers)
        rule = "MA001" if distributed else "MA002"
        if distributed and all(flow.from_files for flow in site.flows):
            rule = "MA003"  # the file pipeline rule
        first_flow = site.flows[0].call
        if not distributed and not self.options.rewrite_without_strategy:
            _, problems, blockers = self._problems(site)
            if problems or blockers:  # --all would not help: say what blocks the rewrite
                self._report_refusals(site, site_lines, problems, blockers)
            else:
                self.report(
                    "MA002",
                    first_flow,
                    f"ImageDataGenerator.{site.flows[0].method}() feeds training without a "
                    "tf.distribute strategy; run with --all to rewrite it to tf.data",
                    site_lines,
                )
            return Edits()
        if not self.options.enabled(rule) or is_suppressed(rule, site_lines, self.suppressed):
            return Edits()

        spec, problems, blockers = self._problems(site)
        if problems or blockers or spec is None:
            self._report_refusals(site, site_lines, problems, blockers)
            return Edits()

        replica = None
        if self.options.augment_on == "replica":  # the augmentation as a model layer
            replica = plan_replica(
                self.finder,
                site,
                spec,
                source_of=self.source_of,
                line_of=lambda node: self.position(node)[0],
                taken=self.replica_models,
                fresh=self._fresh,
            )
        edits, dataset_name = self._rewrite(site, spec, site_lines, replica)
        self.report(
            rule,
            first_flow,
            f"ImageDataGenerator.{_method_name(first_flow)}() feeding {_consumer_names(site)}"
            + (" under a tf.distribute strategy" if distributed else "")
            + f": replaced by the tf.data pipeline `{dataset_name}`"
            + _knobs_note(site)
            + _repacked_note(site)
            + (replica.note if replica is not None else ""),
            site_lines,
            fixable=True,
            replacement=self.source_of(edits.expressions.get(first_flow, first_flow))
            if first_flow in edits.expressions
            else None,
        )
        for note in _notes(spec):
            self.report(note[0], site.construction, note[1], site_lines)
        flow_calls = [flow.call for flow in site.flows]
        for node, message in unit_data_notes(spec, self.module, flow_calls, self.position):
            self.report("MA202", node, message, site_lines)
        return edits

    def plan_generator_methods(self) -> Edits:
        """MA004 everywhere, with or without IDG: Keras 3 has no *_generator methods."""
        edits = Edits()
        if not any(method in self.source for method in RENAMES):
            return edits
        calls: list[cst.Call] = []

        own: set[str] = set()  # *_generator methods the module defines itself

        class _Calls(LiveCodeVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                if isinstance(node.func, cst.Attribute) and node.func.attr.value in RENAMES:
                    calls.append(node)

            def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
                if node.name.value in RENAMES:
                    own.add(node.name.value)

        self.module.visit(_Calls())
        for call in calls:
            lines = self.lines(call)
            method = _method_name(call)
            if method in own:
                self.report(
                    "MA004",
                    call,
                    f"`{method}()` not renamed: this module defines its own `{method}` "
                    "method, so the receiver may not be a Keras model; rename it by hand "
                    "where it is one",
                    lines,
                )
                continue
            fix = rewrite_generator_method(call)
            if fix is None:
                self.report(
                    "MA004",
                    call,
                    f"`{_method_name(call)}()` was removed in Keras 3; its arguments could not "
                    "be mapped for certain (argument unpacking): rename it by hand",
                    lines,
                )
                continue
            if not self.options.enabled("MA004") or is_suppressed("MA004", lines, self.suppressed):
                continue
            dropped = (
                f"; dropped {', '.join(fix.dropped)} (tf.data and Keras 3 parallelise input themselves)"
                if fix.dropped
                else ""
            )
            self.report(
                "MA004",
                call,
                f"`{fix.old}()` was removed in Keras 3: replaced by `{fix.new}()`{dropped}",
                lines,
                fixable=True,
            )
            edits.expressions[call] = _regenerate_method_call
            self.needs_math = self.needs_math or fix.needs_math
        return edits

    def plan_keras2_imports(self) -> Edits:
        """MA006: Keras 3 has no `keras.preprocessing.image.ImageDataGenerator`. Where the
        class is still used after the rewrites (a refused or report-only generator), its
        import or reference moves to TensorFlow's path, the same legacy class."""
        edits = Edits()
        if not _IMPORTS_KERAS.search(self.source):
            return edits  # nothing can name Keras 2's class: skip the walk
        references: list[cst.Name | cst.Attribute] = []
        imports: list[tuple[cst.SimpleStatementLine, cst.ImportFrom]] = []
        finder = self.finder

        class _References(cst.CSTVisitor):
            def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
                for small in node.body:
                    if isinstance(small, cst.ImportFrom) and _imports_keras2_idg(small):
                        imports.append((node, small))

            def visit_Import(self, node: cst.Import) -> bool:
                return False

            def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
                return False

            def visit_Name(self, node: cst.Name) -> None:
                if KERAS2_IDG in finder.qualified(node):
                    references.append(node)

            def visit_Attribute(self, node: cst.Attribute) -> bool:
                if KERAS2_IDG in finder.qualified(node):
                    references.append(node)
                    return False
                return True

        self.module.visit(_References())
        removed = {construction.func for construction in self.rewritten}
        for reference in references:
            if reference in removed or not isinstance(reference, cst.Attribute):
                continue
            lines = self.lines(reference)
            if not self.options.enabled("MA006") or is_suppressed("MA006", lines, self.suppressed):
                continue
            new = f"{self.tf}.keras.preprocessing.image.ImageDataGenerator"
            self.report(
                "MA006",
                reference,
                f"`{self.source_of(reference)}` does not exist in Keras 3 and the generator "
                f"is not migrated here: replaced by `{new}`, the same legacy class",
                lines,
                fixable=True,
            )
            edits.expressions[reference] = cst.parse_expression(new)
            self.needs_tf = True
        for line, statement in imports:
            local = _keras2_idg_alias(statement)
            scope = self.finder.scopes.get(statement)
            uses = [
                access.node
                for assignment in (scope.assignments[local] if scope is not None else ())
                if assignment.node is statement
                for access in assignment.references
            ]
            remaining = [use for use in uses if use not in removed]
            lines = self.lines(statement)
            if uses and not remaining:
                if isinstance(self.finder.parent(line), cst.Module):
                    continue  # unused now: removed with the other IDG imports
                edits.statements[line] = _without_idg_import(line, statement)
                continue
            if not self.options.enabled("MA006") or is_suppressed("MA006", lines, self.suppressed):
                continue
            self.report(
                "MA006",
                statement,
                "`keras.preprocessing.image` has no ImageDataGenerator in Keras 3 "
                + ("and it is still used here" if remaining else "")
                + f": imported from {KERAS3_IDG_MODULE} instead, the same legacy class",
                lines,
                fixable=True,
            )
            edits.statements[line] = _idg_import_moved(line, statement)
        return edits

    def _problems(
        self, site: GeneratorSite
    ) -> tuple[AugmentSpec | None, list[ConfigProblem], list[Blocker]]:
        parsed = parse_idg_call(
            site.construction,
            ScopeConstants(self.finder),
            self._resolve_preprocessing,
            self.source_of,
        )
        problems = list(parsed.problems)
        blockers = list(site.blockers)
        spec = parsed.spec
        if spec is not None:
            problems += [
                ConfigProblem(refusal.code, refusal.argument, refusal.reason)
                for refusal in augment_emitter.unsupported(spec)
            ]
            for flow in site.flows:
                blockers += self._flow_blockers(flow, spec)
                for fact in flow.facts:
                    kept = self._fact_source(flow, fact, spec.validation_split)
                    if isinstance(kept, str):
                        blockers.append(Blocker("MA109", fact.attribute, kept))
                for wrapper in _wrappers(flow):
                    casts = self._wrapper_casts(flow, spec, wrapper)
                    if isinstance(casts, Blocker):
                        blockers.append(casts)
                    if wrapper.function is not None and self.finder.inside(
                        site.construction, wrapper.function
                    ):
                        blockers.append(
                            Blocker(
                                "MA105",
                                site.construction,
                                "the generator is built inside the from_generator wrapper, "
                                "which the rewrite removes; build it outside (bound to a name)",
                            )
                        )
            blockers += self._fit_blockers(site, spec)
        return spec, problems, blockers

    def _report_refusals(
        self,
        site: GeneratorSite,
        site_lines: set[int],
        problems: list[ConfigProblem],
        blockers: list[Blocker],
    ) -> None:
        parsed_arguments = bind_arguments(site.construction, IDG_PARAMETERS)[0]
        for problem in problems:
            node = parsed_arguments.get(problem.argument, site.construction)
            self.report(problem.code, node, _not_migrated(problem.reason), site_lines)
        for blocker in blockers:
            self.report(blocker.code, blocker.node, _not_migrated(blocker.message), site_lines)

    def _resolve_preprocessing(self, expression: cst.BaseExpression) -> str | None:
        if is_native_preprocessing(self.finder.qualified(expression)):
            return self.source_of(expression)
        return None

    def _file_arguments(self, flow: FlowUse) -> dict[str, object]:
        """The literal value of each argument of a flow_from_directory/dataframe call."""
        parameters = DATAFRAME_PARAMETERS if flow.from_dataframe else DIRECTORY_PARAMETERS
        bound, _ = bind_arguments(flow.call, parameters)
        values: dict[str, object] = {}
        for name, expression in bound.items():
            try:
                values[name] = evaluate(expression, None, ScopeConstants(self.finder))
            except NotLiteral:
                values[name] = UNKNOWN
        return values

    def _interpolations(self, flows: list[FlowUse]) -> set[str] | None:
        found: set[str] = set()
        for flow in flows:
            value = self._file_arguments(flow).get("interpolation", "nearest")
            if not isinstance(value, str):
                return None  # decided at run time: render every supported filter
            found.add(value)
        return found

    def _flow_blockers(self, flow: FlowUse, spec: AugmentSpec) -> list[Blocker]:
        if flow.from_files:
            method = flow.method
            if any(arg.star for arg in flow.call.args):
                return [Blocker("MA104", flow.call, f"{method}() with argument unpacking")]
            positional = [arg for arg in flow.call.args if arg.keyword is None]
            if len(positional) > POSITIONAL_BEFORE_SAVE[method]:
                # save_* come next: the emitted function's later positions would shift
                return [Blocker("MA104", flow.call, f"{method}() with save_* arguments")]
            if flow.from_dataframe:
                parameters, check = DATAFRAME_PARAMETERS, unsupported_dataframe_call
            else:
                parameters, check = DIRECTORY_PARAMETERS, unsupported_directory_call
            bound, _ = bind_arguments(flow.call, parameters)
            return [
                Blocker(code, bound.get(argument, flow.call), f"{method}(): {reason}")
                for code, argument, reason in check(self._file_arguments(flow))
            ]
        blockers: list[Blocker] = []
        # `*pair` maps onto the emitted function's positional parameters exactly as onto
        # flow()'s (same order); `**options` could carry anything.
        star = any(arg.star == "*" for arg in flow.call.args)
        plain = flow.call.with_changes(args=[a for a in flow.call.args if a.star != "*"])
        arguments, problems = bind_arguments(plain, FLOW_PARAMETERS)
        blockers += [Blocker("MA104", flow.call, f"flow(): {p}") for p in problems]
        positional = [arg for arg in flow.call.args if arg.keyword is None and not arg.star]
        if len(positional) > 6:
            blockers.append(Blocker("MA104", flow.call, "flow(): save_to_dir is not supported"))
        save_to_dir = arguments.get("save_to_dir")
        if save_to_dir is not None and not _is_none(save_to_dir):
            blockers.append(
                Blocker(
                    "MA104",
                    save_to_dir,
                    "flow(save_to_dir=...) writes augmented images to disk; drop it to migrate",
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
        if subset is not None and not _is_none(subset) and not spec.validation_split:
            blockers.append(
                Blocker(
                    "MA104", subset, "flow(subset=...) without validation_split on the generator"
                )
            )
        unknown = set(arguments) - set(FLOW_PARAMETERS)
        for name in sorted(unknown):
            blockers.append(Blocker("MA104", flow.call, f"flow() has no argument `{name}`"))
        return blockers

    def _fit_blockers(self, site: GeneratorSite, spec: AugmentSpec) -> list[Blocker]:
        if not spec.needs_fit_statistics:
            return []
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
        fit_line = self.position(statement)[0]
        if not self._runs_whenever(statement, site.construction):
            return [
                Blocker(
                    "MA106",
                    call,
                    f"`{site.name}.fit(x)` runs only sometimes (under an if/for/while/try of "
                    "its own): when skipped, IDG trains without the statistics, which the "
                    "rewrite cannot tell; call it unconditionally, next to the generator",
                )
            ]
        if any(self.position(flow.call)[0] < fit_line for flow in site.flows) or (
            self.finder.scopes.get(call) is not self.finder.scopes.get(site.construction)
        ):
            return [
                Blocker(
                    "MA106",
                    call,
                    f"`{site.name}.fit(x)` must run in the generator's scope before its flows",
                )
            ]
        return []

    def _runs_whenever(self, statement: cst.CSTNode, other: cst.CSTNode) -> bool:
        """Whether `statement` is in the block that holds `other` or in one around it, so
        that it runs whenever `other` does (not under an if/for/while/try of its own)."""
        return self.finder.inside(other, self._unconditional_block(statement))

    def _unconditional_block(self, node: cst.CSTNode) -> cst.CSTNode:
        """The innermost block around `node` that is not a `with` body (a `with` body runs
        whenever the `with` statement does)."""
        current = self.finder.parent(node)
        while current is not None:
            if isinstance(current, cst.Module):
                return current
            if isinstance(current, cst.IndentedBlock) and not isinstance(
                self.finder.parent(current), cst.With
            ):
                return current
            current = self.finder.parent(current)
        return self.module

    # -- building the edits --------------------------------------------------------
    def _rewrite(
        self,
        site: GeneratorSite,
        spec: AugmentSpec,
        site_lines: set[int],
        replica: ReplicaPlan | None = None,
    ) -> tuple[Edits, str]:
        edits = Edits()
        base = site.name
        dataset_name = self._fresh(f"{base}_dataset")
        augment_name = None if spec.is_identity else self._fresh(f"{base}_augment")
        if augment_name is not None:  # the emitter derives helper names from it
            for suffix in ("_parameters", "_transform"):
                self.used_names.add(augment_name + suffix)
        statistics_name = self._fresh(f"{base}_statistics") if spec.needs_fit_statistics else None
        header = _comment(
            f"tf.data replacement for {_one_line(self.source_of(site.construction))} (migrate-aug)"
        )
        parts: list[str] = []
        if augment_name is not None:
            rendered = augment_emitter.render_augment_function(
                spec, augment_name, tf=self.tf, statistics=statistics_name
            )
            if rendered:
                parts.append(rendered)
            else:
                augment_name = None
        array_flows = [flow for flow in site.flows if not flow.from_files]
        directory_flows = [flow for flow in site.flows if flow.from_directory]
        dataframe_flows = [flow for flow in site.flows if flow.from_dataframe]
        directory_name = self._fresh(f"{base}_directory_dataset") if directory_flows else None
        dataframe_name = self._fresh(f"{base}_dataframe_dataset") if dataframe_flows else None
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
                    tf=self.tf,
                )
            )
        if directory_name is not None:
            parts.append(
                render_directory_dataset_function(
                    spec,
                    directory_name,
                    augment_name,
                    base,
                    tf=self.tf,
                    interpolations=self._interpolations(directory_flows),
                    facts=any(flow.facts for flow in directory_flows),
                )
            )
            self.needs_os = True
        if dataframe_name is not None:
            parts.append(
                render_dataframe_dataset_function(
                    spec,
                    dataframe_name,
                    augment_name,
                    base,
                    tf=self.tf,
                    interpolations=self._interpolations(dataframe_flows),
                    facts=any(flow.facts for flow in dataframe_flows),
                )
            )
            self.needs_os = True
        placed_at = site.statement if site.kind == "name" else site.anchor
        top_level = isinstance(self.finder.parent(placed_at), cst.Module)
        separator = "\n\n\n" if top_level else "\n\n"
        code = header + "\n" + separator.join(_strip(p) for p in parts)
        new_statements = self._emitted_statements(code)
        if site.kind == "name":
            assert site.statement is not None
            new_statements = _with_leading_lines(new_statements, site.statement)
            edits.statements[site.statement] = new_statements
        else:
            edits.insert_before[site.anchor] = new_statements
            if site.statement is not None:
                edits.statements[site.statement] = []
        edits.blocks.append((new_statements[0], new_statements[-1]))
        if replica is not None and replica.placed and augment_name is not None:
            replica.add_edits(
                edits,
                augment_name,
                base,
                tf=self.tf,
                emit=self._emitted_statements,
                fresh=self._fresh,
            )

        for statement, call in site.fit_statements:
            if statistics_name is None:
                edits.statements[statement] = []
                continue
            fit_arguments = bind_arguments(call, IDG_FIT_PARAMETERS)[0]
            code = augment_emitter.render_statistics(
                spec,
                statistics_name,
                self.source_of(fit_arguments["x"]),
                augment=_source_or(fit_arguments.get("augment"), "False", self.source_of),
                rounds=_source_or(fit_arguments.get("rounds"), "1", self.source_of),
                seed=_source_or(fit_arguments.get("seed"), "None", self.source_of),
                tf=self.tf,
                augment_function=augment_name,
            )
            edits.statements[statement] = _with_leading_lines(
                self._emitted_statements(code), statement
            )

        kept = set(kept_parameters(spec))
        for flow in site.flows:
            if flow.from_directory:
                assert directory_name is not None
                new_call: cst.BaseExpression = self._dataset_call(
                    flow.call, directory_name, DIRECTORY_KEPT
                )
            elif flow.from_dataframe:
                assert dataframe_name is not None
                new_call = self._dataset_call(flow.call, dataframe_name, DATAFRAME_KEPT)
            else:
                new_call = self._dataset_call(flow.call, dataset_name, kept)
            for wrapper in _wrappers(flow):
                self._replace_wrapper(edits, flow, spec, wrapper, new_call, site_lines)
            for fact in flow.facts:
                read = self._fact_source(flow, fact, spec.validation_split)
                assert not isinstance(read, str)
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
                new_call = _numpy_batches(new_call)
            repeated = [
                c
                for c in flow.consumers
                if c.draws_fixed_steps
                and c.wrapper is None
                and c.repacked_by is None
                and (self.keras2 or _method_name(c.call).endswith("_generator"))
            ]
            if any(c.argument.value is flow.call for c in repeated):
                new_call = _repeat(new_call)
            edits.expressions[flow.call] = new_call
            for consumer in flow.consumers:
                if _generator_knobs(consumer):
                    edits.expressions.setdefault(consumer.call, _without_generator_knobs)
            for consumer in flow.consumers:
                if consumer.repacked_argument is not None:
                    # The iterator handed to a generator: that call reads NumPy batches.
                    argument = consumer.repacked_argument
                    base = new_call if argument is flow.call else argument
                    edits.expressions[argument] = _numpy_batches(base)
            for consumer in repeated:
                if consumer.argument.value is not flow.call:
                    edits.expressions[consumer.argument.value] = _repeat(consumer.argument.value)
        return edits, dataset_name if array_flows else (
            directory_name or dataframe_name or dataset_name
        )

    # -- what programs read from the iterators (MA109) -------------------------------
    def _fact_source(
        self, flow: FlowUse, fact: FactUse, validation_split: float
    ) -> cst.BaseExpression | str | None:
        """How `iterator.<fact>` survives the rewrite: an expression that replaces the read,
        None when the dataset carries it (file pipelines) or it goes (reset()), or why it
        cannot be kept. `validation_split`: the generator's (for `n` of a subset)."""
        where = f"`{self.source_of(fact.attribute)}`"
        if fact.name == "reset":
            return None  # each pass over a tf.data dataset starts at its first batch
        if flow.from_files and fact.name not in ITERATOR_FACTS:
            return (
                f"{where}: the file iterator's `{fact.name}` is not among the facts the "
                f"tf.data pipeline carries ({', '.join(sorted(ITERATOR_FACTS - {'reset'}))})"
            )
        if flow.from_directory:
            return None  # attached to the dataset by the emitted function
        if flow.from_dataframe:
            class_mode = self._file_arguments(flow).get("class_mode", "categorical")
            if fact.name == "num_classes":
                return f"{where}: flow_from_dataframe's iterator has no num_classes"
            if fact.name == "labels" and class_mode not in (
                "categorical",
                "binary",
                "sparse",
                "raw",
            ):
                return (
                    f"{where}: the tf.data pipeline carries `labels` for class_mode "
                    "'categorical', 'binary', 'sparse' or 'raw' (literal)"
                )
            if fact.name == "classes" and class_mode not in ("categorical", "binary", "sparse"):
                return (
                    f"{where}: IDG sets `classes` only for class_mode 'categorical', "
                    "'binary' or 'sparse' (literal)"
                )
            return None
        arguments = bind_arguments(flow.call, FLOW_PARAMETERS)[0]
        if fact.name == "n":
            x = arguments.get("x")
            subset = arguments.get("subset")
            if isinstance(x, cst.Name) and self._constant_name(x, fact.attribute):
                if subset is None or _is_none(subset):
                    return cst.parse_expression(f"len({x.value})")
                part = subset.evaluated_value if isinstance(subset, cst.SimpleString) else None
                if validation_split and part in ("training", "validation"):
                    # IDG's split: the first int(len(x) * validation_split) samples validate.
                    held_out = f"int(len({x.value}) * {validation_split!r})"
                    if part == "validation":
                        return cst.parse_expression(held_out)
                    count = f"len({x.value}) - {held_out}"
                    # In parentheses where the read is an operand (`it.n // batch_size`).
                    operand = not isinstance(self.finder.parent(fact.attribute), cst.Arg)
                    return cst.parse_expression(f"({count})" if operand else count)
            return (
                f"{where}: the number of samples of this flow() is not `len(<name>)` of its "
                "`x` (x is an expression, a subset is taken, or the name is rebound); "
                "compute it from your array"
            )
        if fact.name == "batch_size":
            size = arguments.get("batch_size")
            if size is None:
                return cst.Integer("32")
            if isinstance(size, cst.Integer) or (
                isinstance(size, cst.Name) and self._constant_name(size, fact.attribute)
            ):
                return size.deep_clone()
            return f"{where}: flow()'s batch_size is an expression; use it directly"
        return (
            f"{where}: the array iterator's `{fact.name}` has no equivalent on the tf.data "
            "pipeline (its `n`, `batch_size` and len() do); compute it from your arrays"
        )

    def _constant_name(self, name: cst.Name, elsewhere: cst.CSTNode) -> bool:
        """`name` is bound once in its scope and means the same at `elsewhere`."""
        scope = self.finder.scopes.get(name)
        return (
            scope is not None
            and len(scope[name.value]) == 1
            and self.finder.same_bindings(name, elsewhere)
        )

    # -- from_generator wrappers (MA005) ----------------------------------------------
    def _yielded(self, flow: FlowUse, spec: AugmentSpec) -> list[str | None] | str:
        """The dtype of each component IDG yields (None: known only at run time, e.g. the
        labels of .flow), one entry for a bare image batch; or why it cannot be told."""
        if not flow.from_files:
            if any(arg.star for arg in flow.call.args):
                return "the flow() arguments are unpacked"
            arguments = bind_arguments(flow.call, FLOW_PARAMETERS)[0]
            given = [
                name
                for name in ("y", "sample_weight")
                if name in arguments and not _is_none(arguments[name])
            ]
            if given == ["sample_weight"]:
                return "flow() with sample_weight but no y"
            return [spec.dtype] + [None] * len(given)
        values = self._file_arguments(flow)
        class_mode = values.get("class_mode", "categorical")
        weight_col = values.get("weight_col") if flow.from_dataframe else None
        if class_mode is UNKNOWN or weight_col is UNKNOWN:
            return "class_mode or weight_col is not a literal"
        if class_mode is None:
            return [spec.dtype]
        if class_mode == "multi_output":
            return "class_mode='multi_output' yields nested labels"
        known = class_mode in ("categorical", "binary", "sparse", "input")
        return [spec.dtype, spec.dtype if known else None] + ([None] if weight_col else [])

    def _wrapper_casts(
        self, flow: FlowUse, spec: AugmentSpec, wrapper: Wrapper
    ) -> list[str | None] | Blocker:
        """from_generator converts every yielded array to its declared dtype. The native
        pipeline keeps those conversions (a dtype per component to cast to, None when
        nothing changes), or the declared signature disagrees with what IDG yields."""

        def mismatch(reason: str) -> Blocker:
            return Blocker(
                "MA108",
                wrapper.call,
                f"the from_generator wrapper declares {reason}; fix the declaration (or the "
                "program) first, then migrate",
            )

        yielded = self._yielded(flow, spec)
        if isinstance(yielded, str):
            return mismatch(f"a signature the tool cannot check ({yielded})")
        declared = _declared_signature(wrapper.call, self.source_of)
        if isinstance(declared, str):
            return mismatch(f"a signature the tool cannot check ({declared})")
        components, single = declared
        if single != (len(yielded) == 1) or len(components) != len(yielded):
            shape = "one array" if len(yielded) == 1 else f"a tuple of {len(yielded)}"
            return mismatch(f"{len(components)} component(s) but IDG yields {shape}")
        (image_dtype, image_shape), *rest = components
        if image_dtype != spec.dtype:
            return mismatch(
                f"images of dtype {image_dtype} but IDG yields {spec.dtype} (from_generator "
                "would convert them)"
            )
        if image_shape is not None:
            if len(image_shape) != 4:
                return mismatch(f"images of shape {image_shape}, IDG yields 4-D batches")
            expected = self._image_shape(flow)
            for declared_size, size in zip(image_shape[1:], expected, strict=True):
                if declared_size is not None and size is not None and declared_size != size:
                    return mismatch(
                        f"images of shape {image_shape} but IDG yields (None, "
                        + ", ".join(str(v) for v in expected)
                        + ")"
                    )
        for dtype_shape in components:
            shape = dtype_shape[1]
            if shape is not None and shape and shape[0] is not None:
                return mismatch(
                    f"a fixed batch size ({shape}); IDG's last batch of an epoch is smaller"
                )
        return [None] + [
            None if dtype == known else dtype
            for (dtype, _), known in zip(rest, yielded[1:], strict=True)
        ]

    def _image_shape(self, flow: FlowUse) -> tuple[int | None, int | None, int | None]:
        if not flow.from_files:
            return (None, None, None)  # from the array, known at run time
        values = self._file_arguments(flow)
        size = values.get("target_size", (256, 256))
        height, width = size if isinstance(size, tuple | list) and len(size) == 2 else (None,) * 2
        depth = {"grayscale": 1, "rgb": 3, "rgba": 4}.get(values.get("color_mode", "rgb"))  # type: ignore[arg-type]
        return (height, width, depth)

    def _replace_wrapper(
        self,
        edits: Edits,
        flow: FlowUse,
        spec: AugmentSpec,
        wrapper: Wrapper,
        new_call: cst.BaseExpression,
        site_lines: set[int],
    ) -> None:
        """`tf.data.Dataset.from_generator(fn, ...)` -> `<pipeline>.repeat()`: IDG's
        iterator never ends, so neither does the wrapped dataset; fn goes."""
        casts = self._wrapper_casts(flow, spec, wrapper)
        assert not isinstance(casts, Blocker)
        base: cst.BaseExpression = new_call if wrapper.source is flow.call else wrapper.source
        # The program's own `.repeat()` right after from_generator(...) does it already.
        method = self.finder.parent(wrapper.call)
        outer = self.finder.parent(method) if isinstance(method, cst.Attribute) else None
        repeated = (
            isinstance(method, cst.Attribute)
            and method.attr.value == "repeat"
            and isinstance(outer, cst.Call)
            and not outer.args
        )
        replacement: cst.BaseExpression = base if repeated else _repeat(base)
        if any(casts):
            # from_generator converted each array to its declared dtype: so does a map,
            # one method per line.
            names = ["images", "labels", "weights"][: len(casts)]
            converted = [
                name if dtype is None else f"{self.tf}.cast({name}, {self.tf}.{dtype})"
                for name, dtype in zip(names, casts, strict=True)
            ]
            indent = self._indent_of(wrapper.call)
            inner = indent + self.module.default_indent
            repeat = "" if repeated else f"{inner}.repeat()\n"
            replacement = cst.parse_expression(
                f"(\n{inner}{self.source_of(base)}\n"
                f"{inner}.map(lambda {', '.join(names)}: ({', '.join(converted)}))\n"
                f"{repeat}{indent})"
            )
        edits.expressions[wrapper.call] = replacement
        if wrapper.function is not None:
            edits.statements[wrapper.function] = []
        self.report(
            "MA005",
            wrapper.call,
            "tf.data.Dataset.from_generator wrapping ImageDataGenerator."
            f"{flow.method}(): replaced whole by the native tf.data pipeline, repeated "
            "because the wrapped IDG iterator never ends"
            + (" (the declared dtypes are kept with tf.cast)" if any(casts) else ""),
            site_lines | self.lines(wrapper.call),
            fixable=True,
        )

    def _indent_of(self, node: cst.CSTNode) -> str:
        """The indentation of the line on which the statement holding `node` starts."""
        line = self.position(self.finder.enclosing_statement(node))[0]
        text = self.source.splitlines()[line - 1]
        return text[: len(text) - len(text.lstrip())]

    def _dataset_call(self, call: cst.Call, dataset_name: str, kept: set[str]) -> cst.Call:
        """`datagen.flow(x, y, batch_size=32)` -> `datagen_dataset(x, y, batch_size=32)`."""
        args = [
            arg
            for arg in call.args
            if arg.keyword is None
            or (arg.keyword.value in kept and arg.keyword.value not in DROPPED_FLOW_PARAMETERS)
        ]
        return call.with_changes(func=cst.Name(dataset_name), args=with_last_comma(args, call.args))

    def _fresh(self, name: str) -> str:
        candidate, counter = name, 2
        while candidate in self.used_names:
            candidate, counter = f"{name}_{counter}", counter + 1
        self.used_names.add(candidate)
        return candidate

    def _emitted_statements(self, code: str) -> list[cst.BaseStatement]:
        """Emitted code as one placeholder statement whose line `_splice` replaces with the
        code after codegen. Emitted code is text that never needs editing, and parsing its
        ~170 lines into nodes, then visiting and printing them, cost half a migration."""
        marker = self._fresh("__migrate_aug_emitted__")  # no word of the source
        self.emitted[marker] = code
        return [cst.SimpleStatementLine([cst.Expr(cst.Name(marker))])]


class _EditApplier(cst.CSTTransformer):
    def __init__(self, edits: Edits) -> None:
        self.edits = edits

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        updated_node = super().on_leave(original_node, updated_node)  # leave_<Node> hooks
        if original_node in self.edits.expressions:
            replacement = self.edits.expressions[original_node]
            return replacement(updated_node) if callable(replacement) else replacement
        replacement = self.edits.statements.get(original_node)
        before = self.edits.insert_before.get(original_node)
        if replacement is None and before is None:
            return updated_node
        statements = list(before or [])
        statements += [updated_node] if replacement is None else replacement
        if not statements:
            return cst.RemovalSentinel.REMOVE
        return cst.FlattenSentinel(statements)

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        if not updated_node.body:
            return updated_node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated_node.with_changes(body=self._spaced(updated_node.body, 1))

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._spaced(updated_node.body, 2))

    def _spaced(self, body: Sequence[cst.BaseStatement], blank: int) -> list[cst.BaseStatement]:
        """PEP 8 spacing around emitted definitions: `blank` empty lines before and after."""
        firsts = {id(first) for first, _ in self.edits.blocks}
        lasts = {id(last) for _, last in self.edits.blocks}
        spaced = list(body)
        for index, statement in enumerate(spaced):
            needs = index > 0 and (id(statement) in firsts or id(spaced[index - 1]) in lasts)
            if needs and hasattr(statement, "leading_lines"):
                spaced[index] = _ensure_blank_lines(statement, blank)
                for marks in (firsts, lasts):
                    if id(statement) in marks:
                        marks.add(id(spaced[index]))
        return spaced


# -- small helpers ---------------------------------------------------------------------
# A name bound to something in the top-level `keras` package needs `keras` right after
# `import`, `from` or a comma (line continuations allowed).
_IMPORTS_KERAS = re.compile(r"(?:\bimport|\bfrom|,)(?:\s|\\)*keras\b")
_WORD = re.compile(r"(?!\d)\w+")
KERAS2_IDG_MODULE = "keras.preprocessing.image"  # Keras 2's path; gone in Keras 3
KERAS2_IDG = f"{KERAS2_IDG_MODULE}.ImageDataGenerator"
KERAS3_IDG_MODULE = "tensorflow.keras.preprocessing.image"  # TF 2.16+: Keras 3's legacy IDG


def _idg_alias(statement: cst.ImportFrom, modules: Collection[str]) -> cst.ImportAlias | None:
    """The `ImageDataGenerator [as name]` alias of `from <one of modules> import ...`."""
    return _from_import_alias(statement, modules, "ImageDataGenerator")


def _from_import_alias(
    statement: cst.BaseSmallStatement, modules: Collection[str], name: str
) -> cst.ImportAlias | None:
    """The `<name> [as x]` alias of `from <one of modules> import ...`, if it is one."""
    if not isinstance(statement, cst.ImportFrom) or statement.relative:
        return None
    if statement.module is None or isinstance(statement.names, cst.ImportStar):
        return None
    if cst.helpers.get_full_name_for_node(statement.module) not in modules:
        return None
    for alias in statement.names:
        if isinstance(alias.name, cst.Name) and alias.name.value == name:
            return alias
    return None


def _imports_keras2_idg(statement: cst.ImportFrom) -> bool:
    return _idg_alias(statement, (KERAS2_IDG_MODULE,)) is not None


def _keras2_idg_alias(statement: cst.ImportFrom) -> str:
    alias = _idg_alias(statement, (KERAS2_IDG_MODULE,))
    assert alias is not None
    return alias_key(alias)[1] or "ImageDataGenerator"


def _split_idg_alias(
    statement: cst.ImportFrom,
) -> tuple[cst.ImportAlias, list[cst.ImportAlias]]:
    assert not isinstance(statement.names, cst.ImportStar)
    idg = [
        a
        for a in statement.names
        if cst.ensure_type(a.name, cst.Name).value == "ImageDataGenerator"
    ]
    others = [a for a in statement.names if a not in idg]
    if others:
        others[-1] = others[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return idg[0].with_changes(comma=cst.MaybeSentinel.DEFAULT), others


def _replace_small(
    line: cst.SimpleStatementLine, old: cst.ImportFrom, new: list[cst.BaseSmallStatement]
) -> cst.SimpleStatementLine:
    body: list[cst.BaseSmallStatement] = []
    for small in line.body:
        body += new if small is old else [small]
    if body:
        body[-1] = body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return line.with_changes(body=body)


def _without_idg_import(
    line: cst.SimpleStatementLine, statement: cst.ImportFrom
) -> list[cst.BaseStatement]:
    """The line without its (now unused) ImageDataGenerator import."""
    alias = _idg_alias(statement, (KERAS2_IDG_MODULE,))
    assert alias is not None
    kept = without_from_import_aliases(line, {(KERAS2_IDG_MODULE, *alias_key(alias))})
    return [] if kept is None else [kept]


def _idg_import_moved(
    line: cst.SimpleStatementLine, statement: cst.ImportFrom
) -> list[cst.BaseStatement]:
    """`from keras.preprocessing.image import ImageDataGenerator[, load_img]` ->
    `from tensorflow.keras.preprocessing.image import ImageDataGenerator` (and the other
    names, which Keras 3 still has, from where they were)."""
    idg, others = _split_idg_alias(statement)
    moved = cst.ImportFrom(
        module=cst.parse_expression(KERAS3_IDG_MODULE),  # type: ignore[arg-type]
        names=[idg],
    )
    if not others:
        return [_replace_small(line, statement, [moved])]
    kept = statement.with_changes(names=others)
    trailing = line.trailing_whitespace
    first = _replace_small(line, statement, [kept])
    second = cst.SimpleStatementLine(body=[moved], trailing_whitespace=trailing)
    return [first, second]


def _regenerate_method_call(updated: cst.BaseExpression) -> cst.BaseExpression:
    assert isinstance(updated, cst.Call)
    fix = rewrite_generator_method(updated)
    return fix.replacement if fix is not None else updated


def _not_migrated(reason: str) -> str:
    return f"ImageDataGenerator not migrated: {reason}"


def _trains_with_keras2(module: cst.Module, source: str) -> bool:
    """The program imports tf_keras or sets TF_USE_LEGACY_KERAS (code, not comments)."""
    if "tf_keras" not in source and "TF_USE_LEGACY_KERAS" not in source:
        return False  # the common case, without a walk over the tree

    class _Finder(cst.CSTVisitor):
        found = False

        def visit_Import(self, node: cst.Import) -> None:
            names = [cst.helpers.get_full_name_for_node(a.name) or "" for a in node.names]
            self.found |= any(n.split(".")[0] == "tf_keras" for n in names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            name = cst.helpers.get_full_name_for_node(node.module) if node.module else ""
            self.found |= (name or "").split(".")[0] == "tf_keras"

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            self.found |= node.value.strip("'\"") == "TF_USE_LEGACY_KERAS"

    finder = _Finder()
    module.visit(finder)
    return finder.found


def _repacked_note(site: GeneratorSite) -> str:
    names = sorted({c.repacked_by for f in site.flows for c in f.consumers if c.repacked_by})
    if not names:
        return ""
    shown = ", ".join(f"`{name}()`" for name in names)
    return (
        f"; {shown} loops over it as NumPy batches (`.repeat().as_numpy_iterator()`: "
        "endless and reshuffled each pass, like IDG's iterator)"
    )


def _numpy_batches(call: cst.BaseExpression) -> cst.BaseExpression:
    """`<dataset>.repeat().as_numpy_iterator()`."""
    return cst.Call(func=cst.Attribute(value=_repeat(call), attr=cst.Name("as_numpy_iterator")))


def _method_name(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else "?"


def _consumer_names(site: GeneratorSite) -> str:
    names = []
    for flow in site.flows:
        for consumer in flow.consumers:
            name = f"{_method_name(consumer.call)}()"
            if name not in names:
                names.append(name)
    return "/".join(names) or "training"


def _notes(spec: AugmentSpec) -> list[tuple[str, str]]:
    notes = []
    if spec.width_shift_range != spec.height_shift_range and spec.data_format == "channels_last":
        notes.append(
            (
                "MA201",
                "with channels_last, IDG's width_shift_range moves images vertically and "
                "height_shift_range horizontally; the rewrite keeps this (check which you meant)",
            )
        )
    return notes


def _wrappers(flow: FlowUse) -> list[Wrapper]:
    found: list[Wrapper] = []
    for consumer in flow.consumers:
        if consumer.wrapper is not None and all(w.call is not consumer.wrapper.call for w in found):
            found.append(consumer.wrapper)
    return found


DTYPES = frozenset(
    {"float16", "bfloat16", "float32", "float64", "half", "double"}
    | {f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)}
    | {"bool", "string", "complex64", "complex128"}
)
Signature = tuple[list[tuple[str, tuple[int | None, ...] | None]], bool]


def _declared_signature(call: cst.Call, source_of: Callable) -> Signature | str:
    """from_generator's declared components: (dtype, shape or None when unknown) each, and
    whether it is a single component rather than a tuple; or why it cannot be read."""
    arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args) or len(positional) > 3:
        return "arguments unpacked"
    for name, value in zip(
        ("generator", "output_types", "output_shapes"), positional, strict=False
    ):
        arguments.setdefault(name, value)
    if "args" in arguments:
        return "args= for the generator"
    if "output_signature" in arguments:
        specs = arguments["output_signature"]
        single = not isinstance(specs, cst.Tuple | cst.List)
        elements = [specs] if single else [e.value for e in specs.elements]  # type: ignore[union-attr]
        components = []
        for element in elements:
            if not (
                isinstance(element, cst.Call)
                and (cst.helpers.get_full_name_for_node(element.func) or "").endswith("TensorSpec")
            ):
                return f"`{source_of(element)}` is not a TensorSpec(...)"
            spec_arguments = bind_arguments(element, ("shape", "dtype", "name"))[0]
            dtype = _dtype_name(spec_arguments["dtype"]) if "dtype" in spec_arguments else "float32"
            if dtype is None or "shape" not in spec_arguments:
                return f"`{source_of(element)}` has no literal shape and dtype"
            components.append((dtype, _shape(spec_arguments["shape"])))
        return components, single
    if "output_types" not in arguments:
        return "neither output_signature nor output_types"
    types = arguments["output_types"]
    single = not isinstance(types, cst.Tuple | cst.List)
    type_nodes = [types] if single else [e.value for e in types.elements]  # type: ignore[union-attr]
    shapes: list[tuple[int | None, ...] | None] = [None] * len(type_nodes)
    if "output_shapes" in arguments:
        shape_node = arguments["output_shapes"]
        if single:
            shapes = [_shape(shape_node)]
        elif isinstance(shape_node, cst.Tuple | cst.List) and len(shape_node.elements) == len(
            type_nodes
        ):
            shapes = [_shape(e.value) for e in shape_node.elements]
    dtypes = [_dtype_name(node) for node in type_nodes]
    if any(dtype is None for dtype in dtypes):
        return "output_types are not literal dtypes"
    return [(d, s) for d, s in zip(dtypes, shapes, strict=True) if d is not None], single


def _dtype_name(node: cst.BaseExpression) -> str | None:
    """`tf.float32`, `np.float32`, "float32" -> "float32"."""
    if isinstance(node, cst.Attribute):
        name = node.attr.value
    elif isinstance(node, cst.SimpleString):
        name = node.evaluated_value if isinstance(node.evaluated_value, str) else ""
    else:
        return None
    name = {"half": "float16", "double": "float64"}.get(name, name)
    return name if name in DTYPES else None


def _shape(node: cst.BaseExpression) -> tuple[int | None, ...] | None:
    """A literal shape (tuple/list of ints and None, or TensorShape of one), else None."""
    if isinstance(node, cst.Call) and len(node.args) == 1:
        if (cst.helpers.get_full_name_for_node(node.func) or "").endswith("TensorShape"):
            node = node.args[0].value
    if not isinstance(node, cst.Tuple | cst.List):
        return None
    dims: list[int | None] = []
    for element in node.elements:
        value = element.value
        if isinstance(element, cst.StarredElement):
            return None
        if isinstance(value, cst.Name) and value.value == "None":
            dims.append(None)
        elif isinstance(value, cst.Integer):
            dims.append(int(value.value))
        else:
            return None
    return tuple(dims)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _source_or(node: cst.BaseExpression | None, default: str, source_of: Callable) -> str:
    return default if node is None else source_of(node)


def _generator_knobs(consumer: ConsumerUse) -> list[str]:
    """Keras 2's worker/queue arguments on a fit/evaluate/predict call fed by a flow: tf_keras
    ignores them for a tf.data input and Keras 3 rejects them (a TypeError). The
    *_generator methods' own are dropped by MA004."""
    if _method_name(consumer.call).endswith("_generator"):
        return []
    return [
        arg.keyword.value
        for arg in consumer.call.args
        if arg.keyword is not None and arg.keyword.value in GENERATOR_KNOBS
    ]


def _knobs_note(site: GeneratorSite) -> str:
    knobs = sorted({k for flow in site.flows for c in flow.consumers for k in _generator_knobs(c)})
    if not knobs:
        return ""
    return (
        f"; dropped {', '.join(knobs)} (Keras 2 generator options: tf.data runs in parallel itself)"
    )


def _without_generator_knobs(updated: cst.BaseExpression) -> cst.BaseExpression:
    """`fit(..., workers=4, use_multiprocessing=True, max_queue_size=10)` without them."""
    assert isinstance(updated, cst.Call)
    args = [
        arg
        for arg in updated.args
        if arg.keyword is None or arg.keyword.value not in GENERATOR_KNOBS
    ]
    return updated.with_changes(args=with_last_comma(args, updated.args))


def _repeat(expression: cst.BaseExpression) -> cst.Call:
    return cst.Call(func=cst.Attribute(value=expression, attr=cst.Name("repeat")))


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


def _splice(code: str, emitted: dict[str, str], indent: str, newline: str) -> str:
    """Replace each placeholder line of `code` with its emitted code, indented like the
    placeholder, in the module's indentation unit and newline. Blank lines stay empty."""
    if not emitted:
        return code

    def block(match: re.Match[str]) -> str:
        prefix = match.group("indent")
        lines = []
        for line in emitted[match.group("marker")].strip("\n").split("\n"):
            body = line.lstrip(" ")
            if not body:
                lines.append("")
                continue
            depth, rest = divmod(len(line) - len(body), 4)  # emitted code indents by 4
            lines.append(prefix + indent * depth + " " * rest + body)
        return newline.join(lines) + match.group("end")

    markers = "|".join(re.escape(marker) for marker in emitted)
    placeholder = (
        rf"(?:(?<=[\r\n])|\A)(?P<indent>[ \t]*)(?P<marker>{markers})(?P<end>\r\n|\r|\n|\Z)"
    )
    return re.sub(placeholder, block, code)


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


def _ensure_blank_lines(statement: cst.BaseStatement, count: int) -> cst.BaseStatement:
    leading = list(statement.leading_lines)
    existing = 0
    while existing < len(leading) and leading[existing].comment is None:
        existing += 1
    if existing >= count:
        return statement
    blank = cst.EmptyLine(indent=False)
    return statement.with_changes(leading_lines=[blank] * (count - existing) + leading)


def _all_names(source: str) -> set[str]:
    """Every identifier-like word of the source, strings and comments included: a superset
    of the module's names, which is all that choosing fresh names needs."""
    return set(_WORD.findall(source))


def _free_alias(scopes: Iterable[Scope | None], candidates: tuple[str, ...]) -> str:
    """The first of `candidates` that no scope of the program binds (assignment,
    parameter, import, def, class, loop or with target), else the first with a suffix."""
    bound = {assignment.name for scope in set(scopes) if scope for assignment in scope.assignments}
    for name in candidates:
        if name not in bound:
            return name
    counter = 2
    while f"{candidates[0]}_{counter}" in bound:
        counter += 1
    return f"{candidates[0]}_{counter}"


def _tensorflow_alias(module: cst.Module) -> str | None:
    """The name `import tensorflow [as tf]` binds at module level, if any."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if cst.helpers.get_full_name_for_node(alias.name) == "tensorflow":
                        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                            return alias.asname.name.value
                        return "tensorflow"
    return None


# The modules holding IDG's modules: `from tensorflow.keras.preprocessing import image`.
IDG_PARENT_MODULES = frozenset(module.rpartition(".")[0] for module in IDG_MODULES)


def _image_module_imports(module: cst.Module) -> list[tuple[str, str, str | None]]:
    """(module, "image", asname) of each top-level `from <...>.preprocessing import image`
    that brings in one of IDG's modules (`image.ImageDataGenerator(...)`)."""
    return _top_level_from_imports(module, "image", IDG_PARENT_MODULES)


def _idg_imports(module: cst.Module) -> list[tuple[str, str, str | None]]:
    """(module, "ImageDataGenerator", asname) of each top-level IDG from-import."""
    return _top_level_from_imports(module, "ImageDataGenerator", IDG_MODULES)


def _top_level_from_imports(
    module: cst.Module, name: str, modules: Collection[str]
) -> list[tuple[str, str, str | None]]:
    """(module, name, asname) of each top-level `from <one of modules> import name`."""
    found = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            alias = _from_import_alias(small, modules, name)
            if alias is not None:
                module_name = cst.helpers.get_full_name_for_node(small.module)  # type: ignore[union-attr, arg-type]
                found.append((module_name or "", *alias_key(alias)))
    return found

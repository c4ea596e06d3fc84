"""A run of the tool over every fixture program never crashes and leaves no
ImageDataGenerator use unaccounted for.

Accounted, precisely (computed here with libcst, independently of the codemod's analysis):
- A *site* is one IDG construction (a call whose qualified name is Keras's
  ImageDataGenerator, so a user's own class of the same name is not one) with its
  `.flow()` / `.flow_from_directory()` / `.flow_from_dataframe()` calls. Its *lines* are
  the lines of the construction, of every reference to the name or `self.<attribute>` it
  is bound to, of each flow call and of every reference to the name a flow is bound to;
  for each of these uses also the first line of its statement, the call it is an argument
  of, and, when it leaves a function through `return`/`yield` or a lambda's body, the
  places that function is used (e.g. a `from_generator(...)` wrapper).
- A site is *rewritten* when neither its construction nor any of its flow calls is still
  in the output (compared by method and argument text); it is then accounted for when a
  fixable diagnostic sits on one of its lines (no silent rewrite).
- A site still in the output is accounted for when any diagnostic sits on one of its
  lines, or the user silenced it there with `# migrate-aug: ignore`.
- A `fit_generator(` / `evaluate_generator(` / `predict_generator(` call is accounted for
  by an MA004 diagnostic on its lines (renamed or not), or a suppression comment.
Code that never runs (`if False:`, `if 0:`) and type-checking-only imports are not uses.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)
from libcst.metadata.base_provider import LazyValue

from migrator.analysis.names import is_idg
from migrator.api import FileResult, Options, migrate_source
from migrator.diagnostics import Diagnostic
from tests.fixture_cases import Case, cases, read

FLOW_METHODS = frozenset({"flow", "flow_from_directory", "flow_from_dataframe"})
GENERATOR_METHODS = frozenset({"fit_generator", "evaluate_generator", "predict_generator"})
IGNORE_COMMENT = re.compile(r"#\s*migrate-aug:\s*ignore", re.IGNORECASE)


@dataclass
class Site:
    construction: cst.Call
    key: str
    flow_keys: list[str] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)


@dataclass
class MethodCall:
    key: str
    lines: set[int]


class _Module:
    """libcst metadata for one source, and the IDG sites and *_generator calls in it."""

    def __init__(self, source: str) -> None:
        wrapper = MetadataWrapper(cst.parse_module(source))
        self.module = wrapper.module
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
        self.scopes: Mapping[cst.CSTNode, Scope | None] = wrapper.resolve(ScopeProvider)
        self.names = wrapper.resolve(QualifiedNameProvider)
        self.calls: list[cst.Call] = []
        calls = self.calls

        class _Calls(cst.CSTVisitor):
            def visit_If(self, node: cst.If) -> bool:
                # `if False:` / `if 0:` never runs; its `else` does.
                if _never_true(node.test):
                    if node.orelse is not None:
                        node.orelse.visit(self)
                    return False
                return True

            def visit_Call(self, node: cst.Call) -> None:
                calls.append(node)

        self.module.visit(_Calls())

    # -- small helpers -------------------------------------------------------------
    def code(self, node: cst.CSTNode) -> str:
        return "".join(self.module.code_for_node(node).split())

    def span(self, node: cst.CSTNode) -> set[int]:
        position = self.positions[node]
        return set(range(position.start.line, position.end.line + 1))

    def start(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line

    def method(self, call: cst.Call) -> str | None:
        return call.func.attr.value if isinstance(call.func, cst.Attribute) else None

    def call_key(self, call: cst.Call, name: str) -> str:
        arguments = (
            self.code(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for arg in call.args
        )
        return name + "(" + ",".join(arguments) + ")"

    def is_idg(self, call: cst.Call) -> bool:
        names = self.names.get(call.func, ())
        if isinstance(names, LazyValue):  # QualifiedNameProvider resolves lazily
            names = names()
        return is_idg({q.name for q in names})

    def method_call_on(self, node: cst.CSTNode) -> cst.Call | None:
        """`<node>.method(...)`: the call."""
        attribute = self.parents.get(node)
        if isinstance(attribute, cst.Attribute) and attribute.value is node:
            call = self.parents.get(attribute)
            if isinstance(call, cst.Call) and call.func is attribute:
                return call
        return None

    def bound_name(self, value: cst.CSTNode) -> cst.Name | cst.Attribute | None:
        parent = self.parents.get(value)
        if isinstance(parent, cst.Assign) and parent.value is value and len(parent.targets) == 1:
            target = parent.targets[0].target
            return target if isinstance(target, cst.Name | cst.Attribute) else None
        if isinstance(parent, cst.AnnAssign) and parent.value is value:
            return parent.target if isinstance(parent.target, cst.Name | cst.Attribute) else None
        return None

    def references(self, target: cst.Name | cst.Attribute) -> list[cst.CSTNode]:
        """Every use of the name (all its bindings in that scope) or `self.<attribute>`."""
        if isinstance(target, cst.Attribute):
            wanted = target.attr.value
            found: list[cst.CSTNode] = []

            class _Attributes(cst.CSTVisitor):
                def visit_Attribute(self, node: cst.Attribute) -> None:
                    if node.attr.value == wanted and node is not target:
                        found.append(node)

            self.module.visit(_Attributes())
            return found
        scope = self.scopes.get(target)
        if scope is None:
            return []
        return [
            access.node
            for assignment in scope.assignments[target.value]
            for access in assignment.references
        ]

    def context_lines(self, node: cst.CSTNode) -> set[int]:
        """The node's lines, and the start line of a call it is an argument of."""
        lines = self.span(node)
        arg = self.parents.get(node)
        if isinstance(arg, cst.Arg):
            call = self.parents.get(arg)
            if isinstance(call, cst.Call):
                lines.add(self.start(call))
        return lines

    def statement_start(self, node: cst.CSTNode) -> int:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(
            current, cst.SimpleStatementLine | cst.BaseCompoundStatement
        ):
            current = self.parents.get(current)
        return self.start(current if current is not None else node)

    def use_lines(self, node: cst.CSTNode) -> set[int]:
        """Where a use of the generator or iterator shows: its own lines, the call it is an
        argument of, its statement's first line, and, when it leaves a function through
        `return` / `yield` (or a lambda's body), the places that function is used."""
        lines = self.context_lines(node) | {self.statement_start(node)}
        current: cst.CSTNode | None = self.parents.get(node)
        leaves = False
        while current is not None and not isinstance(current, cst.FunctionDef | cst.Lambda):
            leaves = leaves or isinstance(current, cst.Return | cst.Yield)
            current = self.parents.get(current)
        if isinstance(current, cst.Lambda):
            lines |= self.context_lines(current) | {self.statement_start(current)}
        elif isinstance(current, cst.FunctionDef) and leaves:
            for reference in self.references(current.name):
                lines |= self.context_lines(reference) | {self.statement_start(reference)}
        return lines

    # -- what the accounting looks at ----------------------------------------------
    def sites(self) -> list[Site]:
        found = []
        for call in self.calls:
            if not self.is_idg(call):
                continue
            site = Site(call, self.call_key(call, "ImageDataGenerator"), lines=self.span(call))
            receivers: list[cst.CSTNode] = [call]
            target = self.bound_name(call)
            if target is not None:
                receivers += self.references(target)
            for receiver in receivers:
                site.lines |= self.use_lines(receiver)
                flow = self.method_call_on(receiver)
                if flow is None or self.method(flow) not in FLOW_METHODS:
                    continue
                site.flow_keys.append(self.call_key(flow, f".{self.method(flow)}"))
                site.lines |= self.use_lines(flow)
                flow_target = self.bound_name(flow)
                if isinstance(flow_target, cst.Name):
                    for reference in self.references(flow_target):
                        site.lines |= self.use_lines(reference)
            found.append(site)
        return found

    def generator_method_calls(self) -> list[MethodCall]:
        return [
            MethodCall(self.call_key(call, f".{self.method(call)}"), self.span(call))
            for call in self.calls
            if self.method(call) in GENERATOR_METHODS
        ]

    def output_keys(self) -> Counter[str]:
        """Constructions, flow calls (any receiver: stricter) and *_generator calls."""
        keys: Counter[str] = Counter()
        for call in self.calls:
            method = self.method(call)
            if self.is_idg(call):
                keys[self.call_key(call, "ImageDataGenerator")] += 1
            elif method in FLOW_METHODS or method in GENERATOR_METHODS:
                keys[self.call_key(call, f".{method}")] += 1
        return keys


@functools.cache
def _module(source: str) -> _Module:
    """One analysis per source: several tests look at the same fixtures (a `_Module` is
    never changed once built)."""
    return _Module(source)


def _never_true(test: cst.BaseExpression) -> bool:
    return (isinstance(test, cst.Name) and test.value == "False") or (
        isinstance(test, cst.Integer) and test.value == "0"
    )


def unaccounted(source: str, result: FileResult) -> list[str]:
    """Each IDG site or *_generator call of `source` that `result` neither rewrote with a
    diagnostic nor reported, as `line: what`."""
    before, after = _module(source), _module(result.new_source)
    remaining = after.output_keys()
    silenced = {
        number
        for number, text in enumerate(source.splitlines(), start=1)
        if IGNORE_COMMENT.search(text)
    }
    problems: list[str] = []

    def on(lines: set[int], wanted: list[Diagnostic]) -> bool:
        return bool(lines & silenced) or any(d.line in lines for d in wanted)

    for site in before.sites():
        line = before.start(site.construction)
        kept = False
        for key in [site.key, *site.flow_keys]:
            if remaining[key] > 0:
                remaining[key] -= 1
                kept = True
        if kept and not on(site.lines, result.diagnostics):
            problems.append(f"{line}: {site.key} left as is without a diagnostic")
        fixes = [d for d in result.diagnostics if d.fixable]
        if not kept and not on(site.lines, fixes):
            problems.append(f"{line}: {site.key} rewritten without a diagnostic")
    ma004 = [d for d in result.diagnostics if d.code == "MA004"]
    for call in before.generator_method_calls():
        if not on(call.lines, ma004):
            problems.append(f"{min(call.lines)}: {call.key} without an MA004 diagnostic")
    return problems


@functools.cache  # each fixture is migrated once for all the tests here
def _counted(case: Case) -> tuple[str, FileResult]:
    source = read(case.input)
    return source, migrate_source(source, "input.py", case.options)


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)
def test_every_idg_use_is_accounted_for(case: Case) -> None:
    source, result = _counted(case)
    assert unaccounted(source, result) == []


def test_the_fixtures_hold_idg_uses_to_account_for() -> None:
    # Guards the test above against vacuity: it must see sites of every kind.
    sites = [site for case in cases() for site in _module(read(case.input)).sites()]
    assert len(sites) >= 40
    assert sum(1 for site in sites if site.flow_keys) >= 30
    methods = [
        call for case in cases() for call in _module(read(case.input)).generator_method_calls()
    ]
    assert len(methods) >= 2


def test_an_unreported_refusal_is_caught() -> None:
    # The same refused fixture, with its diagnostics dropped, is unaccounted.
    case = next(case for case in cases() if case.name == "shape_custom_loop_next")
    source, result = _counted(case)
    assert result.diagnostics and not result.changed
    silent = FileResult(result.source, result.new_source, [])
    assert [problem.split(":")[0] for problem in unaccounted(source, silent)] == ["20"]


def test_a_diagnostic_far_from_the_site_does_not_count() -> None:
    case = next(case for case in cases() if case.name == "shape_custom_loop_next")
    source, result = _counted(case)
    moved = [
        Diagnostic(d.path, 1, 1, d.code, d.message, d.fixable, d.replacement)
        for d in result.diagnostics
    ]
    assert unaccounted(source, FileResult(result.source, result.new_source, moved))


def test_a_silent_rewrite_is_caught() -> None:
    case = next(case for case in cases() if case.name == "shape_evaluate_predict")
    source, result = _counted(case)
    assert result.changed
    silent = FileResult(result.source, result.new_source, [])
    assert len(unaccounted(source, silent)) == 2


def test_look_alikes_are_not_sites() -> None:
    source = (
        "import tensorflow as tf\n"
        "class ImageDataGenerator:\n"
        "    def flow(self, x):\n"
        "        return x\n"
        "CODE = 'ImageDataGenerator().flow(x)'\n"
        "ImageDataGenerator().flow([1])\n"
        "if False:\n"
        "    tf.keras.preprocessing.image.ImageDataGenerator().flow([1])\n"
        "else:\n"
        "    tf.keras.preprocessing.image.ImageDataGenerator()\n"
    )
    assert [
        before.start(site.construction) for before in [_module(source)] for site in before.sites()
    ] == [10]


def _inputs_as_programs(directory: Path) -> Iterator[Path]:
    for case in cases():
        target = directory / f"{case.name}.py"
        shutil.copyfile(case.input, target)  # byte for byte: CRLF files stay CRLF
        yield target


def test_cli_over_a_directory_of_programs_never_crashes(tmp_path: Path) -> None:
    programs = list(_inputs_as_programs(tmp_path))
    completed = subprocess.run(
        [sys.executable, "-m", "migrator", "--check", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 1, completed.stderr  # findings, no usage or file error
    assert "internal error" not in completed.stderr and "Traceback" not in completed.stderr
    findings = json.loads(completed.stdout)
    assert {Path(f["path"]).name for f in findings} <= {p.name for p in programs}
    # The CLI reports, per file, exactly what migrate_source reports with default options.
    for case, program in zip(cases(), programs, strict=True):
        if case.options == Options():
            direct = _counted(case)[1]
        else:  # the CLI runs with its defaults, not the fixture's options
            direct = migrate_source(read(program), str(program))
        expected = {(d.line, d.code) for d in direct.diagnostics}
        reported = {
            (f["line"], f["code"]) for f in findings if Path(f["path"]).name == program.name
        }
        assert reported == expected, case.name
        assert program.read_bytes() == case.input.read_bytes()  # --check writes nothing

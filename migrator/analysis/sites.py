"""Follow each ImageDataGenerator from its construction, through names and attributes, to
its `.flow(...)` calls and the `fit`/`evaluate`/`predict` calls that consume them.

The result is a list of `GeneratorSite`s: plain data the planner decides on. Any use the
analysis cannot follow is recorded as a blocker; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

import libcst as cst
from libcst.metadata import (
    Assignment,
    ClassScope,
    CodeRange,
    GlobalScope,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)
from libcst.metadata.base_provider import LazyValue

from migrator.analysis.flow_config import FlowMethod, FlowSpec, parse_flow_call
from migrator.analysis.literals import NameResolver, NotLiteral, evaluate
from migrator.analysis.names import LiveCodeVisitor, is_idg, star_import_module

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
    code: str
    node: cst.CSTNode
    message: str


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
class FlowUse:
    call: cst.Call  # `<generator>.flow(...)`, `.flow_from_directory(...)` or `_dataframe`
    spec: FlowSpec  # the call's arguments, bound and evaluated once
    consumers: list[ConsumerUse] = field(default_factory=list)
    facts: list[FactUse] = field(default_factory=list)

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


class SiteFinder:
    def __init__(self, wrapper: cst.MetadataWrapper) -> None:
        self.module = wrapper.module
        # One call: libcst then computes the batchable providers in shared tree walks.
        resolved = wrapper.resolve_many(
            [QualifiedNameProvider, ParentNodeProvider, ScopeProvider, PositionProvider]
        )
        self.qualified_names = resolved[QualifiedNameProvider]
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = resolved[ParentNodeProvider]
        self.scopes: Mapping[cst.CSTNode, Scope | None] = resolved[ScopeProvider]
        self.positions: Mapping[cst.CSTNode, CodeRange] = resolved[PositionProvider]
        # Collected while tracing one flow's iterator; None past a from_generator wrapper
        # (the wrapped dataset's attributes are not the iterator's).
        self._facts: list[FactUse] | None = []
        # `from tensorflow.keras.preprocessing.image import *`: libcst gives the names it
        # brings no qualified name, so unbound names are read as that module's.
        self._star_module = star_import_module(self.module)

    # -- helpers -------------------------------------------------------------------
    def qualified(self, node: cst.CSTNode) -> set[str]:
        value = self.qualified_names.get(node)
        if isinstance(value, LazyValue):  # QualifiedNameProvider resolves lazily
            value = value()
        if value:
            return {q.name for q in value}
        return self._star_imported(node)

    def _star_imported(self, node: cst.CSTNode) -> set[str]:
        """`Name` or `Name.attr...` whose root name is bound nowhere in reach, in a module
        with one star import: the name that import brings."""
        if self._star_module is None:
            return set()
        parts: list[str] = []
        root = node
        while isinstance(root, cst.Attribute):
            parts.append(root.attr.value)
            root = root.value
        if not isinstance(root, cst.Name):
            return set()
        scope = self.scopes.get(root)
        if scope is None or root.value in scope:
            return set()
        dotted = ".".join([root.value, *reversed(parts)])
        return {f"{self._star_module}.{dotted}"}

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.parents.get(node)

    def inside(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        """Whether `node` is `ancestor` or lies within it."""
        current: cst.CSTNode | None = node
        while current is not None and current is not ancestor:
            current = self.parent(current)
        return current is ancestor

    def enclosing_statement(self, node: cst.CSTNode) -> cst.CSTNode:
        """The nearest statement (simple line or compound) that holds `node`."""
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(
            current, cst.SimpleStatementLine | cst.BaseCompoundStatement
        ):
            current = self.parent(current)
        assert current is not None
        return current

    def top_level_statement(self, node: cst.CSTNode) -> cst.CSTNode:
        current = node
        while True:
            parent = self.parent(current)
            if parent is None or isinstance(parent, cst.Module):
                return current
            current = parent

    def _method_call(self, name_node: cst.CSTNode) -> tuple[str, cst.Call] | None:
        """`<name_node>.method(...)` -> (method, call)."""
        attribute = self.parent(name_node)
        if not isinstance(attribute, cst.Attribute) or attribute.value is not name_node:
            return None
        call = self.parent(attribute)
        if isinstance(call, cst.Call) and call.func is attribute:
            return attribute.attr.value, call
        return None

    # -- the search ----------------------------------------------------------------
    def find(self) -> list[GeneratorSite]:
        constructions: list[cst.Call] = []
        finder = self

        class _Visitor(LiveCodeVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                if is_idg(finder.qualified(node.func)):
                    constructions.append(node)

        self.module.visit(_Visitor())
        return [self._site(call) for call in constructions]

    def _site(self, construction: cst.Call) -> GeneratorSite:
        parent = self.parent(construction)
        method = self._method_call(construction)
        if method is not None:
            return self._inline_site(construction, *method)
        statement = self.enclosing_statement(construction)
        target = _single_assign_target(parent, construction)
        if target is None or not isinstance(statement, cst.SimpleStatementLine):
            site = GeneratorSite(construction, "inline", "image", None, statement)
            site.blockers.append(
                Blocker(
                    "MA105",
                    construction,
                    "the generator is not bound to a name or `self` attribute the tool can "
                    "follow (returned, passed or stored elsewhere); migrate it by hand",
                )
            )
            return site
        if len(statement.body) != 1:
            site = GeneratorSite(construction, "name", "image", statement, statement)
            site.blockers.append(
                Blocker(
                    "MA105", construction, "the construction shares its line with other statements"
                )
            )
            return site
        if isinstance(target, cst.Name):
            return self._named_site(construction, statement, target)
        assert isinstance(target, cst.Attribute)
        return self._attribute_site(construction, statement, target)

    def _inline_site(self, construction: cst.Call, method: str, call: cst.Call) -> GeneratorSite:
        site = GeneratorSite(
            construction, "inline", "image", None, self.enclosing_statement(construction)
        )
        self._classify_use(site, method, call, construction)
        return site

    def _named_site(
        self, construction: cst.Call, statement: cst.SimpleStatementLine, target: cst.Name
    ) -> GeneratorSite:
        site = GeneratorSite(construction, "name", target.value, statement, statement)
        scope = self.scopes.get(target)
        assignments = [] if scope is None else list(scope.assignments[target.value])
        if len(assignments) != 1:
            site.blockers.append(
                Blocker(
                    "MA105",
                    construction,
                    f"`{target.value}` is bound more than once in its scope; the tool cannot "
                    "tell which generator each use refers to. Give each generator its own "
                    "name (with its own .flow() call) and run migrate-aug again, or migrate "
                    "by hand",
                )
            )
            return site
        if isinstance(scope, GlobalScope) is False and _is_class_scope(scope):
            site.blockers.append(
                Blocker("MA105", construction, "generators bound in a class body are not followed")
            )
            return site
        for access in sorted(
            assignments[0].references, key=lambda a: _position_key(self.positions, a.node)
        ):
            node = access.node
            method = self._method_call(node)
            if method is None:
                site.blockers.append(
                    Blocker(
                        "MA105",
                        node,
                        f"`{target.value}` is used here other than by .flow() or .fit(); "
                        "replacing the generator could break this use. Build, fit and flow "
                        "it in one place (not through a helper that receives or returns "
                        "it) and run migrate-aug again, or migrate it by hand",
                    )
                )
                continue
            self._classify_use(site, method[0], method[1], node)
        return site

    def _attribute_site(
        self, construction: cst.Call, statement: cst.SimpleStatementLine, target: cst.Attribute
    ) -> GeneratorSite:
        attribute = target.attr.value
        site = GeneratorSite(
            construction, "attribute", attribute, statement, self.top_level_statement(statement)
        )
        if not (isinstance(target.value, cst.Name) and target.value.value == "self"):
            site.blockers.append(
                Blocker("MA105", construction, "only `self.<name>` attributes are followed")
            )
            return site
        class_def = self.enclosing(statement, cst.ClassDef)
        uses: list[cst.Attribute] = []
        finder = self

        class _Uses(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                if node.attr.value == attribute and node is not target:
                    uses.append(node)

        self.module.visit(_Uses())
        for use in sorted(uses, key=lambda node: _position_key(self.positions, node)):
            inside_class = class_def is not None and self.enclosing(use, cst.ClassDef) is class_def
            if not (inside_class and isinstance(use.value, cst.Name) and use.value.value == "self"):
                site.blockers.append(
                    Blocker(
                        "MA105",
                        use,
                        f"`.{attribute}` is used outside the class that builds the generator",
                    )
                )
                continue
            parent = finder.parent(use)
            if isinstance(parent, cst.AssignTarget):
                site.blockers.append(
                    Blocker("MA105", use, f"`self.{attribute}` is assigned more than once")
                )
                continue
            method = self._method_call(use)
            if method is None:
                site.blockers.append(
                    Blocker(
                        "MA105",
                        use,
                        f"`self.{attribute}` is used here other than by .flow() or .fit()",
                    )
                )
                continue
            self._classify_use(site, method[0], method[1], use)
        return site

    def enclosing(self, node: cst.CSTNode, kind: type[cst.CSTNode]) -> cst.CSTNode | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, kind):
            current = self.parent(current)
        return current

    def _classify_use(
        self, site: GeneratorSite, method: str, call: cst.Call, receiver: cst.CSTNode
    ) -> None:
        if method in FLOW_METHODS:
            site.flows.append(self._flow_use(site, call, cast(FlowMethod, method)))
        elif method == "fit" and site.kind != "inline":
            statement = self.parent(call)
            line = self.parent(statement) if isinstance(statement, cst.Expr) else None
            if isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1:
                site.fit_statements.append((line, call))
            else:
                site.blockers.append(
                    Blocker(
                        "MA105",
                        call,
                        "the result of `.fit()` is used; only a bare call is followed",
                    )
                )
        else:
            site.blockers.append(
                Blocker(
                    "MA105", call, f"`.{method}()` of the generator is used; migrate it by hand"
                )
            )

    def _flow_use(self, site: GeneratorSite, call: cst.Call, method: FlowMethod) -> FlowUse:
        flow = FlowUse(call, parse_flow_call(call, method, ScopeConstants(self), self.module))
        self._facts = flow.facts
        consumers, blockers = self._trace(call, depth=0)
        if not blockers and not consumers:
            blockers = [
                Blocker("MA105", call, "this .flow() iterator never reaches fit/evaluate/predict")
            ]
        flow.consumers.extend(consumers)
        site.blockers.extend(blockers)
        return flow

    def _trace(self, node: cst.CSTNode, depth: int) -> tuple[list[ConsumerUse], list[Blocker]]:
        """Where the iterator that `node` evaluates to goes: into consumers (fit/evaluate/
        predict), through names, and out of helper functions through `return`."""
        consumer = self._consumer(node)
        if consumer is not None:
            return [consumer], []
        if depth > 8:
            return [], [Blocker("MA105", node, "the iterator passes through too many names")]
        parent = self.parent(node)
        target = _single_assign_target(parent, node)  # type: ignore[arg-type]
        if isinstance(target, cst.Name):
            return self._trace_name(target, node, depth)
        if isinstance(target, cst.Attribute):
            stored = self.module.code_for_node(target)
            return [], [
                Blocker(
                    "MA105",
                    node,
                    f"the iterator is stored in `{stored}`; only local names are followed "
                    "from .flow() to fit/evaluate/predict. Build it where it is fitted (or "
                    "pass it on through a local name) and run migrate-aug again, or migrate "
                    "by hand",
                )
            ]
        wrapper = self._wrapper(node)
        if isinstance(wrapper, Blocker):
            return [], [wrapper]
        if wrapper is not None:
            facts, self._facts = self._facts, None
            try:
                found, blocked = self._trace(_dataset_chain_top(self, wrapper.call), depth + 1)
            finally:
                self._facts = facts
            return [replace(consumer, wrapper=wrapper) for consumer in found], blocked
        if isinstance(parent, cst.Return):
            return self._trace_return(node, None, depth)
        if isinstance(parent, cst.Element) and isinstance(self.parent(parent), cst.Tuple):
            tuple_node = self.parent(parent)
            if isinstance(self.parent(tuple_node), cst.Return):
                index = [e.value for e in tuple_node.elements].index(node)  # type: ignore[union-attr]
                return self._trace_return(tuple_node, index, depth)
        if self._wrapped_by_from_generator(node):
            return [], [
                Blocker(
                    "MA005",
                    node,
                    "wrapped in tf.data.Dataset.from_generator by a function that does more "
                    "than hand on the iterator (`for x, y in it: yield x, y`, `yield from it`, "
                    "`return it`, `lambda: it`, `while True: yield next(it)`); the "
                    "single-threaded IDG producer stays the bottleneck: replace the wrapper "
                    "with a native tf.data pipeline by hand",
                )
            ]
        passed = self._passed_to_generator(node)
        if passed is not None:
            assert isinstance(node, cst.BaseExpression)
            return [replace(passed[1], repacked_by=passed[0], repacked_argument=node)], []
        repacking = self._repacking_generator(node)
        if repacking is not None:
            found = self._trace_generator_calls(node)
            if found:
                return [replace(consumer, repacked_by=repacking) for consumer in found], []
        argument = self.parent(node)
        call = self.parent(argument) if isinstance(argument, cst.Arg) else None
        if repacking is None and isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
            repacking = self._generator_function(call.func)
        if repacking is not None:
            return [], [
                Blocker(
                    "MA105",
                    node,
                    f"this .flow() iterator is looped over in the Python generator "
                    f"`{repacking}()`{REPACKING_ADVICE}; the generator is left as it is, "
                    "with all its flows",
                )
            ]
        return [], [
            Blocker(
                "MA105",
                node,
                "this .flow() iterator is not passed to fit/evaluate/predict (iterated by hand, "
                "wrapped, or stored): the generator is left as it is, with all its flows. "
                "Migrate by hand; if this is only a preview of augmented images, give it its "
                "own ImageDataGenerator (or remove it) and run migrate-aug again",
            )
        ]

    def _other_use_message(self, name: str, node: cst.CSTNode) -> str:
        argument = self.parent(node)
        call = self.parent(argument) if isinstance(argument, cst.Arg) else None
        if (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "zip"
        ):
            # Paired generators (image + mask) rely on two IDGs drawing the same random
            # transforms; two separate pipelines would not.
            return (
                f"the iterator `{name}` is zipped with another one (paired generators, e.g. "
                "images and masks): paired pipelines are not migrated; build one tf.data "
                "pipeline that draws each sample's random transform once and applies it to "
                "both tensors, or keep ImageDataGenerator here"
            )
        looped = self._repacking_generator(node)
        if looped is not None:
            return f"the iterator `{name}` is looped over in the Python generator `{looped}()`" + (
                REPACKING_ADVICE
            )
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
            passed = self._generator_function(call.func)
            if passed is not None:
                return f"the iterator `{name}` is passed to the Python generator `{passed}()`" + (
                    REPACKING_ADVICE
                )
        if _iterated_by_hand(node, argument, call):
            # Typically a preview (`x, y = next(gen)`) before training.
            return (
                f"the iterator `{name}` is read by hand here (next(), a loop or an index), "
                "where a tf.data dataset could not stand in for it (`next()` needs "
                "`iter(dataset)`, an index `dataset.skip(i).take(1)`). Migrate by hand; "
                "if this only previews a batch, take it from a separate ImageDataGenerator "
                "(or remove it) and run migrate-aug again"
            )
        return (
            f"the iterator `{name}` is used here other than by fit/evaluate/predict "
            "(iterated, or its attributes read); migrate it by hand"
        )

    def _trace_name(
        self, target: cst.Name, value: cst.CSTNode, depth: int
    ) -> tuple[list[ConsumerUse], list[Blocker]]:
        statement = self.enclosing_statement(value)
        scope = self.scopes.get(target)
        assignments = [] if scope is None else list(scope.assignments[target.value])
        if not isinstance(statement, cst.SimpleStatementLine) or len(assignments) != 1:
            return [], [
                Blocker("MA105", value, f"`{target.value}` is bound more than once; not followed")
            ]
        consumers: list[ConsumerUse] = []
        blockers: list[Blocker] = []
        for access in sorted(
            assignments[0].references, key=lambda a: _position_key(self.positions, a.node)
        ):
            if self._is_len_call(access.node):
                continue  # len(iterator) == batches per epoch, as len(dataset)
            fact = self._fact(access.node) if self._facts is not None else None
            if fact is not None and self._facts is not None:
                self._facts.append(fact)
                continue
            found, blocked = self._trace(access.node, depth + 1)
            if not found and not blocked:
                blocked = [Blocker("MA105", access.node, f"`{target.value}` is used here")]
            consumers += found
            blockers += [
                Blocker(
                    b.code,
                    b.node,
                    self._other_use_message(target.value, access.node)
                    if b.code == "MA105" and b.node is access.node
                    else b.message,
                )
                for b in blocked
            ]
        if not consumers and not blockers:
            blockers.append(
                Blocker("MA105", value, f"`{target.value}` never reaches fit/evaluate/predict")
            )
        return consumers, blockers

    def _trace_return(
        self, returned: cst.CSTNode, index: int | None, depth: int
    ) -> tuple[list[ConsumerUse], list[Blocker]]:
        """Follow `return <it>` / `return a, b` to the helper's call sites in this module."""
        function = self._enclosing_function(returned)
        calls = self._calls_of(function) if function is not None else None
        if not calls:
            return [], [
                Blocker(
                    "MA105",
                    returned,
                    "the iterator is returned from a function whose callers the tool cannot "
                    "see; migrate it by hand",
                )
            ]
        consumers: list[ConsumerUse] = []
        blockers: list[Blocker] = []
        for call in calls:
            if index is None:
                found, blocked = self._trace(call, depth + 1)
            else:
                found, blocked = self._trace_unpacked(call, index, depth)
            consumers += found
            blockers += blocked
        return consumers, blockers

    def _trace_unpacked(
        self, call: cst.Call, index: int, depth: int
    ) -> tuple[list[ConsumerUse], list[Blocker]]:
        parent = self.parent(call)
        if (
            isinstance(parent, cst.Assign)
            and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Tuple | cst.List)
        ):
            elements = parent.targets[0].target.elements
            if index < len(elements) and isinstance(elements[index].value, cst.Name):
                name = elements[index].value
                if name.value == "_":
                    return [], []
                return self._trace_name(name, call, depth + 1)
        return [], [
            Blocker("MA105", call, "the helper's returned tuple is not unpacked into names here")
        ]

    def _enclosing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        current = self.parent(node)
        while current is not None and not isinstance(current, cst.FunctionDef):
            if isinstance(current, cst.Lambda):
                return None
            current = self.parent(current)
        return current

    def _calls_of(self, function: cst.FunctionDef) -> list[cst.Call] | None:
        """Calls `name(...)` of a module-level function bound once; None if not certain."""
        if not isinstance(self.parent(function), cst.Module):
            return None
        scope = self.scopes.get(function)
        if scope is None or len(list(scope.assignments[function.name.value])) != 1:
            return None
        calls: list[cst.Call] = []
        for access in scope.assignments[function.name.value]:
            for reference in access.references:
                call = self.parent(reference.node)
                if not (isinstance(call, cst.Call) and call.func is reference.node):
                    return None  # passed around: its callers are not all visible
                calls.append(call)
        return calls

    def _wrapper(self, node: cst.CSTNode) -> Wrapper | Blocker | None:
        """The from_generator wrapper that only hands on the iterator `node`, if any."""
        parent = self.parent(node)
        function: cst.FunctionDef | None = None
        if isinstance(parent, cst.Lambda) and parent.body is node:
            holder: cst.Lambda | cst.FunctionDef = parent
            call = self._from_generator_of(parent)
        else:
            function = self._passing_function(node)
            if function is None:
                return None
            holder = function
            call = self._from_generator_of(function)
        if call is None:
            return None
        if _has_parameters(holder.params):
            return Blocker("MA105", holder, "the from_generator function takes arguments")
        if function is not None:
            uses = self._references(function)
            if uses is None or len(uses) != 1:
                return Blocker(
                    "MA105",
                    function,
                    f"`{function.name.value}` is used elsewhere too: the from_generator wrapper "
                    "cannot be replaced",
                )
        if not self.same_bindings(node, call):
            return Blocker(
                "MA105",
                call,
                "a name in the wrapped iterator means something else where from_generator is "
                "called; the pipeline cannot move there",
            )
        return Wrapper(call, cst.ensure_type(node, cst.BaseExpression), function)

    def _passing_function(self, node: cst.CSTNode) -> cst.FunctionDef | None:
        """The def whose whole body is `for x, y in <node>: yield x, y`, `yield from <node>`,
        `return <node>` or `while True: yield next(<name>)` (after a docstring)."""
        parent = self.parent(node)
        statement: cst.CSTNode | None = None
        if isinstance(parent, cst.Arg) and isinstance(node, cst.Name):
            statement = self._next_loop(parent)
        elif isinstance(parent, cst.For) and parent.iter is node:
            if parent.orelse is None and parent.asynchronous is None:
                if _yields_target(parent):
                    statement = parent
        elif isinstance(parent, cst.From) and isinstance(self.parent(parent), cst.Yield):
            expression = self.parent(self.parent(parent))
            statement = self.parent(expression) if isinstance(expression, cst.Expr) else None
        elif isinstance(parent, cst.Return):
            statement = self.parent(parent)
        if statement is None:
            return None
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) != 1:
            return None
        block = self.parent(statement)
        function = self.parent(block) if isinstance(block, cst.IndentedBlock) else None
        if not isinstance(function, cst.FunctionDef) or function.asynchronous is not None:
            return None
        body = [s for s in block.body if not is_docstring(s)]  # type: ignore[union-attr]
        return function if body == [statement] and not function.decorators else None

    def _next_loop(self, arg: cst.Arg) -> cst.While | None:
        """`while True: yield next(it)` or `while True: x, y = next(it); yield x, y` (on
        two lines): the loop, when `arg` is next()'s argument in it."""
        call = self.parent(arg)
        if not (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "next"
            and len(call.args) == 1
            and arg.keyword is None
            and not arg.star
        ):
            return None
        holder = self.parent(call)
        line = self.parent(self.parent(holder)) if isinstance(holder, cst.Yield) else None
        if isinstance(holder, cst.Assign):
            line = self.parent(holder)
        block = self.parent(line) if isinstance(line, cst.SimpleStatementLine) else None
        loop = self.parent(block) if isinstance(block, cst.IndentedBlock) else None
        if not (
            isinstance(loop, cst.While)
            and isinstance(loop.test, cst.Name)
            and loop.test.value == "True"
            and loop.orelse is None
        ):
            return None
        assert isinstance(block, cst.IndentedBlock)
        lines = [_single_small(statement) for statement in block.body]
        if isinstance(holder, cst.Yield):
            return loop if len(lines) == 1 and lines[0] is not None else None
        assert isinstance(holder, cst.Assign)
        if len(lines) != 2 or len(holder.targets) != 1 or lines[0] is not holder:
            return None
        last = lines[1]
        yielded = last.value if isinstance(last, cst.Expr) else None
        return (
            loop
            if isinstance(yielded, cst.Yield)
            and isinstance(yielded.value, cst.BaseExpression)
            and _names_of(yielded.value) == _names_of(holder.targets[0].target) is not None
            else None
        )

    def _from_generator_of(self, holder: cst.Lambda | cst.FunctionDef) -> cst.Call | None:
        """The from_generator call that takes `holder` (or the def's name) as generator."""
        if isinstance(holder, cst.Lambda):
            candidates: list[cst.CSTNode] = [holder]
        else:
            candidates = self._references(holder) or []
        for candidate in candidates:
            arg = self.parent(candidate)
            call = self.parent(arg) if isinstance(arg, cst.Arg) else None
            if not (isinstance(call, cst.Call) and self._is_from_generator(call)):
                continue
            assert isinstance(arg, cst.Arg)
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword == "generator" or (keyword is None and call.args[0] is arg):
                return call
        return None

    def _references(self, function: cst.FunctionDef) -> list[cst.CSTNode] | None:
        scope = self.scopes.get(function)
        if scope is None:
            return None
        assignments = list(scope.assignments[function.name.value])
        if len(assignments) != 1:
            return None
        return [access.node for access in assignments[0].references]

    def same_bindings(self, moved: cst.CSTNode, destination: cst.CSTNode) -> bool:
        """Every name in `moved` means the same at `destination`, and is bound there
        already when it is bound in destination's own scope."""
        names: list[cst.Name] = []

        class _Names(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> bool:
                node.value.visit(self)
                return False  # `.attr` is not a name lookup

            def visit_Arg(self, node: cst.Arg) -> bool:
                node.value.visit(self)
                return False  # keywords are not name lookups

            def visit_Name(self, node: cst.Name) -> None:
                names.append(node)

        moved.visit(_Names())
        target_scope = self.scopes.get(destination)
        for name in names:
            scope = self.scopes.get(name)
            if scope is None or target_scope is None:
                return False
            here = {assignment.node for assignment in scope[name.value]}
            there = {assignment.node for assignment in target_scope[name.value]}
            if here != there:
                return False
            start = _position_key(self.positions, destination)
            for assignment in target_scope[name.value]:
                if assignment.scope is target_scope and (
                    _position_key(self.positions, assignment.node) > start
                ):
                    return False  # bound only later: the moved code would run too early
        return True

    def _repacking_generator(self, node: cst.CSTNode) -> str | None:
        """The name of the generator function (a `def` that yields) holding `for ... in
        node`: a wrapper that re-packs IDG's batches, e.g. for a multi-input model."""
        loop = self.parent(node)
        if not (isinstance(loop, cst.For) and loop.iter is node):
            return None
        function = self.enclosing(loop, cst.FunctionDef)
        if not isinstance(function, cst.FunctionDef) or not _yields(function):
            return None
        return function.name.value

    def _trace_generator_calls(self, node: cst.CSTNode) -> list[ConsumerUse]:
        """`def gen(): for ... in <node>: yield ...` whose every use is a call `gen()`
        handed straight to fit/evaluate/predict: those consumers (else none). Each call
        makes a new generator, so each loops over its own iterator, as the rewrite's
        dataset iterators do."""
        function = self.enclosing(node, cst.FunctionDef)
        if not isinstance(function, cst.FunctionDef) or function.decorators:
            return []
        if self.enclosing(function, cst.ClassDef) is not None:
            return []  # a method (or a def in a class body): `self.gen()` is not followed
        scope = self.scopes.get(function.name)
        assignments = list(scope[function.name.value]) if scope is not None else []
        if len(assignments) != 1 or assignments[0].node is not function:
            return []
        consumers: list[ConsumerUse] = []
        for access in assignments[0].references:
            call = self.parent(access.node)
            if not (isinstance(call, cst.Call) and call.func is access.node):
                return []  # passed on (e.g. to from_generator) or rebound: not followed
            consumer = self._consumer(call)
            if consumer is None:
                return []
            consumers.append(consumer)
        return consumers

    def _passed_to_generator(self, node: cst.CSTNode) -> tuple[str, ConsumerUse] | None:
        """`fit(gen(node))` where `def gen(it): for ... in it: yield ...` (this file, not a
        method) reads its parameter only as that loop's iterable: the generator's name and
        the consumer of its call."""
        argument = self.parent(node)
        call = self.parent(argument) if isinstance(argument, cst.Arg) else None
        if not (
            isinstance(argument, cst.Arg)
            and argument.keyword is None
            and not argument.star
            and isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and all(arg.keyword is None and not arg.star for arg in call.args)
        ):
            return None
        function = self._function_bound_to(call.func)
        if (
            function is None
            or function.decorators
            or self.enclosing(function, cst.ClassDef) is not None
            or not _yields(function)
        ):
            return None
        index = list(call.args).index(argument)
        parameters = function.params.params
        if index >= len(parameters):
            return None
        parameter = parameters[index].name
        inner = self.scopes.get(function.body)
        bindings = list(inner[parameter.value]) if inner is not None else []
        if len(bindings) != 1 or bindings[0].node is not parameters[index]:
            return None  # rebound in the body
        uses = [access.node for access in bindings[0].references]
        if len(uses) != 1 or self._repacking_generator(uses[0]) != function.name.value:
            return None
        consumer = self._consumer(call)
        return None if consumer is None else (function.name.value, consumer)

    def _generator_function(self, name: cst.Name) -> str | None:
        """`name` when it calls a generator function defined once in this file."""
        function = self._function_bound_to(name)
        return function.name.value if function is not None and _yields(function) else None

    def _function_bound_to(self, name: cst.Name) -> cst.FunctionDef | None:
        """The `def` that `name` refers to, when this file binds the name once, to it (not
        a builtin such as next or iter, nor a name bound more than once)."""
        scope = self.scopes.get(name)
        assignments = list(scope[name.value]) if scope is not None else []
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        function = assignments[0].node
        return function if isinstance(function, cst.FunctionDef) else None

    def _wrapped_by_from_generator(self, node: cst.CSTNode) -> bool:
        """Inside a lambda or def that is handed to `tf.data.Dataset.from_generator`."""
        current = self.parent(node)
        while current is not None:
            if isinstance(current, cst.Lambda):
                arg = self.parent(current)
                call = self.parent(arg) if isinstance(arg, cst.Arg) else None
                if isinstance(call, cst.Call) and self._is_from_generator(call):
                    return True
            if isinstance(current, cst.FunctionDef):
                return current.name.value in self._from_generator_function_names()
            current = self.parent(current)
        return False

    def _is_from_generator(self, call: cst.Call) -> bool:
        return any(
            name.endswith("data.Dataset.from_generator") for name in self.qualified(call.func)
        )

    def _from_generator_function_names(self) -> set[str]:
        names: set[str] = set()
        finder = self

        class _Calls(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                if finder._is_from_generator(node) and node.args:
                    first = node.args[0].value
                    if isinstance(first, cst.Name):
                        names.add(first.value)

        self.module.visit(_Calls())
        return names

    def _fact(self, node: cst.CSTNode) -> FactUse | None:
        """`node.samples` or any other attribute read (not assigned, not called), or a bare
        `node.reset()` statement."""
        attribute = self.parent(node)
        if not (isinstance(attribute, cst.Attribute) and attribute.value is node):
            return None
        parent = self.parent(attribute)
        if isinstance(parent, cst.AssignTarget | cst.AugAssign | cst.Del):
            return None
        if attribute.attr.value != "reset":
            if isinstance(parent, cst.Call) and parent.func is attribute:
                return None
            return FactUse(attribute, attribute.attr.value, None)
        expression = self.parent(parent) if isinstance(parent, cst.Call) else None
        line = self.parent(expression) if isinstance(expression, cst.Expr) else None
        if (
            isinstance(parent, cst.Call)
            and not parent.args
            and isinstance(line, cst.SimpleStatementLine)
            and len(line.body) == 1
        ):
            return FactUse(attribute, "reset", line)
        return None

    def _is_len_call(self, node: cst.CSTNode) -> bool:
        arg = self.parent(node)
        call = self.parent(arg) if isinstance(arg, cst.Arg) else None
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name)
            and call.func.value == "len"
            and len(call.args) == 1
        )

    def _consumer(self, node: cst.CSTNode) -> ConsumerUse | None:
        arg = self.parent(node)
        if not isinstance(arg, cst.Arg) or arg.value is not node:
            return None
        call = self.parent(arg)
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
            return None
        kind = CONSUMERS.get(call.func.attr.value)
        if kind is None:
            return None
        keyword = arg.keyword.value if arg.keyword is not None else None
        first = call.args[0] is arg
        if (keyword is None and first) or keyword in ("x", "generator"):
            return ConsumerUse(call, arg, "train" if kind == "fit" else kind)
        if kind == "fit" and keyword == "validation_data":
            return ConsumerUse(call, arg, "validation")
        return None


def _dataset_chain_top(finder: SiteFinder, call: cst.Call) -> cst.BaseExpression:
    """`from_generator(...).prefetch(n).repeat()`: the outermost call of the chain of
    methods that keep the dataset's elements (prefetch, repeat)."""
    current: cst.BaseExpression = call
    while True:
        attribute = finder.parent(current)
        outer = finder.parent(attribute) if isinstance(attribute, cst.Attribute) else None
        if not (
            isinstance(attribute, cst.Attribute)
            and attribute.attr.value in ("prefetch", "repeat")
            and isinstance(outer, cst.Call)
            and outer.func is attribute
        ):
            return current
        current = outer


def _has_parameters(parameters: cst.Parameters) -> bool:
    return bool(
        parameters.params
        or parameters.posonly_params
        or parameters.kwonly_params
        or isinstance(parameters.star_arg, cst.Param)
        or parameters.star_kwarg is not None
    )


def _yields_target(loop: cst.For) -> bool:
    """The loop's body is `yield <target>`: `for x, y in it: yield x, y`."""
    body = loop.body
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if len(statements) != 1:
        return False
    line = statements[0]
    small = (
        line.body if isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite) else []
    )
    if len(small) != 1 or not isinstance(small[0], cst.Expr):
        return False
    yielded = small[0].value
    if not isinstance(yielded, cst.Yield) or yielded.value is None:
        return False
    return _names_of(yielded.value) == _names_of(loop.target) is not None


def _names_of(node: cst.BaseExpression | cst.From) -> tuple[str, ...] | None:
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Tuple):
        names = [e.value for e in node.elements]
        if all(isinstance(n, cst.Name) for n in names) and not any(
            isinstance(e, cst.StarredElement) for e in node.elements
        ):
            return tuple(cst.ensure_type(n, cst.Name).value for n in names)
    return None


def _single_small(statement: cst.BaseStatement) -> cst.BaseSmallStatement | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _single_assign_target(
    parent: cst.CSTNode | None, value: cst.BaseExpression
) -> cst.Name | cst.Attribute | None:
    if isinstance(parent, cst.Assign) and parent.value is value and len(parent.targets) == 1:
        target = parent.targets[0].target
    elif isinstance(parent, cst.AnnAssign) and parent.value is value:
        target = parent.target
    else:
        return None
    return target if isinstance(target, cst.Name | cst.Attribute) else None


def _is_class_scope(scope: Scope | None) -> bool:
    return isinstance(scope, ClassScope)


# Builtins that copy or only read their argument (unless the program rebinds the name).
_NON_MUTATING_BUILTINS = frozenset(
    {"dict", "list", "tuple", "sorted", "len", "print", "repr", "str", "set", "frozenset"}
)


def _is_plain_setting(statement: cst.BaseStatement) -> bool:
    """`name = value`, `name: type = value`, a docstring or `pass`, alone on its line."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return all(
        isinstance(small, cst.Assign | cst.AnnAssign | cst.Pass)
        or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
        for small in statement.body
    )


# What to do with a Python generator that re-packs IDG's batches for fit.
REPACKING_ADVICE = (
    ", which re-packs its batches (e.g. `yield [x, x], y` for a multi-input model, or a "
    "dict of targets for a multi-output one): the tool does not follow a generator to "
    "fit, and IDG's single-threaded producer would stay behind it. Migrate by hand: feed "
    "fit one tf.data pipeline and re-pack each batch with `.map()` (e.g. "
    "`dataset.map(lambda x, y: ((x, x), y))`)"
)


def _yields(function: cst.FunctionDef) -> bool:
    """Whether `function` itself (not a nested def or lambda) contains `yield`."""
    found: list[cst.Yield] = []

    class _Yields(cst.CSTVisitor):
        def visit_Yield(self, node: cst.Yield) -> None:
            found.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    function.visit(_Yields())
    return bool(found)


def _iterated_by_hand(
    node: cst.CSTNode, argument: cst.CSTNode | None, call: cst.CSTNode | None
) -> bool:
    """`next(node)`, `iter(node)`, `node.next()`/`node.__next__()`, `node[i]` or `for ...
    in node`."""
    if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
        if call.func.value in ("next", "iter") and call.args and call.args[0] is argument:
            return True
    if isinstance(argument, cst.Attribute) and argument.value is node:
        return argument.attr.value in ("next", "__next__")
    if isinstance(argument, cst.Subscript) and argument.value is node:
        return True
    return isinstance(argument, cst.For | cst.CompFor) and argument.iter is node


def _position_key(positions: Mapping[cst.CSTNode, CodeRange], node: cst.CSTNode) -> tuple[int, int]:
    position = positions.get(node)
    return (position.start.line, position.start.column) if position else (0, 0)


class ScopeConstants(NameResolver):
    """A name is a constant when its scope binds it exactly once, by a plain assignment
    at the top of that scope's body (not under if/for/try), to a literal value, and it
    is never mutated (no `name[...] = `, no method calls on it)."""

    def __init__(self, finder: SiteFinder) -> None:
        self.finder = finder
        self._depth = 0

    def resolve(self, name: cst.Name) -> Any:
        scope = self.finder.scopes.get(name)
        if scope is None:
            raise NotLiteral(f"`{name.value}` is not a constant")
        assignments = [a for a in scope[name.value] if isinstance(a, Assignment)]
        if len(assignments) != 1:
            raise NotLiteral(f"`{name.value}` is not bound exactly once")
        assignment = assignments[0]
        value = self._assigned_value(assignment.node, name)
        for access in assignment.references:
            parent = self.finder.parent(access.node)
            if isinstance(parent, cst.Subscript | cst.Attribute) and parent.value is access.node:
                raise NotLiteral(f"`{name.value}` is modified or inspected")
        result = self._evaluate_nested(value)
        if isinstance(result, dict | list):
            # A dict or list can be changed through any other reference to it (an alias, a
            # function's parameter): only unpacking, copying and IDG's own arguments are safe.
            for access in assignment.references:
                if not self._read_without_leaking(access.node):
                    raise NotLiteral(
                        f"`{name.value}` is passed or aliased where it could be changed"
                    )
        return result

    def _evaluate_nested(self, value: cst.BaseExpression) -> object:
        """The value of a constant's definition (which may name other constants)."""
        if self._depth > 20:
            raise NotLiteral("constants nest too deep")
        self._depth += 1
        try:
            return evaluate(value, None, self)
        finally:
            self._depth -= 1

    def _read_without_leaking(self, node: cst.CSTNode) -> bool:
        """`f(**node)`, `f(*node)`, `{**node}`, `[*node]`, `dict(node)`, `print(node)` or an
        argument of ImageDataGenerator (which copies what it keeps)."""
        parent = self.finder.parent(node)
        if isinstance(parent, cst.StarredDictElement | cst.StarredElement):
            return True
        if not isinstance(parent, cst.Arg):
            return False
        if parent.star in ("*", "**"):
            return True
        call = self.finder.parent(parent)
        if not isinstance(call, cst.Call):
            return False
        if isinstance(call.func, cst.Name) and call.func.value in _NON_MUTATING_BUILTINS:
            scope = self.finder.scopes.get(call.func)
            # The builtin itself, not a name the program binds (builtins are not Assignments).
            return scope is not None and not any(
                isinstance(a, Assignment) for a in scope[call.func.value]
            )
        return is_idg(self.finder.qualified(call.func))

    def qualified(self, node: cst.CSTNode) -> set[str]:
        return self.finder.qualified(node)

    def resolve_attribute(self, node: cst.Attribute) -> Any:
        """`CFG.rotation` of a configuration class (Kaggle's `class CFG:`): a plain class
        (no bases, decorators or metaclass) bound once, whose body binds the attribute
        once by a plain assignment, and whose name is only ever read as `CFG.<attr>`,
        never with this attribute assigned or deleted."""
        source = self.finder.module.code_for_node(node)
        base = node.value
        scope = self.finder.scopes.get(base)
        if not isinstance(base, cst.Name) or scope is None:
            raise NotLiteral("`Attribute` is not a literal")
        assignments = [a for a in scope[base.value] if isinstance(a, Assignment)]
        if not any(isinstance(a.node, cst.ClassDef) for a in assignments):
            raise NotLiteral("`Attribute` is not a literal")  # not a class attribute
        class_def = assignments[0].node
        if len(assignments) != 1 or not isinstance(class_def, cst.ClassDef):
            raise NotLiteral(f"`{base.value}` is bound more than once")
        if class_def.decorators or class_def.bases or class_def.keywords:
            raise NotLiteral(f"`{base.value}` is not a plain class (bases, decorators)")
        if not all(_is_plain_setting(statement) for statement in class_def.body.body):
            # A method could change its own class (`cls.rotation = ...`).
            raise NotLiteral(f"`{base.value}` has more than plain assignments in its body")
        attribute = node.attr.value
        for access in assignments[0].references:
            read = self.finder.parent(access.node)
            if not (isinstance(read, cst.Attribute) and read.value is access.node):
                raise NotLiteral(f"`{base.value}` is used other than by reading its attributes")
            if read.attr.value == attribute and self._is_target(read):
                raise NotLiteral(f"`{source}` is assigned or deleted")
        first = class_def.body.body[0] if class_def.body.body else None
        class_scope = self.finder.scopes.get(first) if first is not None else None
        if not isinstance(class_scope, ClassScope):
            raise NotLiteral(f"`{source}` is not a constant")
        bindings = list(class_scope.assignments[attribute])
        if len(bindings) != 1 or not isinstance(bindings[0], Assignment):
            raise NotLiteral(f"`{source}` is not bound exactly once in the class body")
        value = self._assigned_value(bindings[0].node)
        result = self._evaluate_nested(value)
        if isinstance(result, dict | list):  # `CFG.zoom[0] = 0.5` changes it (see resolve)
            for access in assignments[0].references:
                read = self.finder.parent(access.node)
                if read.attr.value == attribute and not self._read_without_leaking(read):  # type: ignore[union-attr]
                    raise NotLiteral(f"`{source}` is used where it could be changed")
        return result

    def _is_target(self, node: cst.CSTNode) -> bool:
        parent = self.finder.parent(node)
        if isinstance(parent, cst.AssignTarget | cst.Del):
            return True
        if isinstance(parent, cst.AugAssign | cst.AnnAssign):
            return parent.target is node
        if isinstance(parent, cst.Element | cst.StarredElement):
            return self._is_target(self.finder.parent(parent))  # unpacking into it
        if isinstance(parent, cst.Tuple | cst.List):
            return self._is_target(parent)
        return False

    def _assigned_value(
        self, target: cst.CSTNode, use: cst.CSTNode | None = None
    ) -> cst.BaseExpression:
        """The value `target` is bound to, when the binding runs whenever `use` does: at
        the top of a module, function or class body, or in a block around `use` (the one
        binding of a name in `if __name__ == "__main__":` read in that same block)."""
        parent = self.finder.parent(target)
        statement: cst.CSTNode | None = None
        value: cst.BaseExpression | None = None
        if isinstance(parent, cst.AssignTarget):
            assign = self.finder.parent(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                value, statement = assign.value, self.finder.parent(assign)
        elif isinstance(parent, cst.AnnAssign) and parent.target is target:
            value, statement = parent.value, self.finder.parent(parent)
        if value is None or statement is None:
            raise NotLiteral("not bound by a plain assignment")
        block = self.finder.parent(statement)
        if not (
            isinstance(block, cst.Module)
            or (
                isinstance(block, cst.IndentedBlock)
                and isinstance(self.finder.parent(block), cst.FunctionDef | cst.ClassDef)
            )
            or (use is not None and block is not None and self.finder.inside(use, block))
        ):
            raise NotLiteral("bound conditionally (under if/for/with/try)")
        return value

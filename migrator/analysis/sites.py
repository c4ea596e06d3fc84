"""Follow each ImageDataGenerator from its construction, through names and attributes, to
its `.flow(...)` calls and the `fit`/`evaluate`/`predict` calls that consume them.

The result is a list of `GeneratorSite`s (uses.py): plain data the planner decides on. Any
use the analysis cannot follow is recorded as a blocker (MA105, or MA005 for a
from_generator wrapper that does more than hand the iterator on); nothing is guessed.

SiteFinder finds the constructions and their named, attribute and inline sites, classifies
each use, and its `_trace` dispatch hands each use on to its shape: consumers.py (fit/
evaluate/predict, iterator facts), passing.py (local names, helper returns), wrappers.py
(from_generator), repacking.py (Python generators). The tree helpers are tree.py's;
literal constants are constants.py's.
"""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import libcst as cst
from libcst.metadata import ClassScope, GlobalScope, Scope

from migrator.analysis.constants import ScopeConstants
from migrator.analysis.flow_config import FlowMethod, parse_flow_call
from migrator.analysis.names import LiveCodeVisitor, is_idg
from migrator.analysis.repacking import REPACKING_ADVICE, REPACKING_HELP
from migrator.analysis.self_attributes import SelfAttributeShapes
from migrator.analysis.tree import Tree, is_docstring, position_key
from migrator.analysis.uses import (
    CONSUMERS,
    FLOW_METHODS,
    ITERATOR_FACTS,
    STEPS_KEYWORD,
    Blocker,
    ConsumerUse,
    FactUse,
    FlowUse,
    GeneratorSite,
    PreviewUse,
    Role,
    Wrapper,
)
from migrator.analysis.wrappers import KEPT_METHODS, WrapperShapes, dataset_chain_top

# Re-exported: the records and helpers that lived here before the split.
__all__ = [
    "CONSUMERS",
    "FLOW_METHODS",
    "ITERATOR_FACTS",
    "STEPS_KEYWORD",
    "Blocker",
    "ConsumerUse",
    "FactUse",
    "FlowUse",
    "GeneratorSite",
    "Role",
    "ScopeConstants",
    "SiteFinder",
    "Tree",
    "Wrapper",
    "is_docstring",
]


class SiteFinder(SelfAttributeShapes, WrapperShapes):
    def __init__(self, wrapper: cst.MetadataWrapper) -> None:
        super().__init__(wrapper)
        # Collected while tracing one flow's iterator; None past a from_generator wrapper
        # (the wrapped dataset's attributes are not the iterator's).
        self._facts: list[FactUse] | None = []
        self._previews: list[PreviewUse] = []
        # The from_generator call being followed past (None outside a wrapper).
        self._wrapped_call: cst.Call | None = None

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
                    "follow (returned, passed or stored elsewhere)",
                    "Migrate it by hand",
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
        reads = self.reached_reads(target)
        if isinstance(reads, str):
            site.blockers.append(
                Blocker(
                    "MA105",
                    construction,
                    f"{reads}",
                    "Give each generator its own name (with its own .flow() call) and run "
                    "migrate-aug again, or migrate by hand",
                )
            )
            return site
        if isinstance(scope, GlobalScope) is False and _is_class_scope(scope):
            site.blockers.append(
                Blocker("MA105", construction, "generators bound in a class body are not followed")
            )
            return site
        for access in reads:
            node = access.node
            method = self._method_call(node)
            if method is None:
                site.blockers.append(
                    Blocker(
                        "MA105",
                        node,
                        f"`{target.value}` is used here other than by .flow() or .fit(); "
                        "replacing the generator could break this use",
                        "Build, fit and flow it in one place (not through a helper that "
                        "receives or returns it) and run migrate-aug again, or migrate it by "
                        "hand",
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
        for use in sorted(uses, key=lambda node: position_key(self.positions, node)):
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
                    "MA105", call, f"`.{method}()` of the generator is used", "Migrate it by hand"
                )
            )

    def _flow_use(self, site: GeneratorSite, call: cst.Call, method: FlowMethod) -> FlowUse:
        flow = FlowUse(call, parse_flow_call(call, method, ScopeConstants(self), self.module))
        self._facts, self._previews = flow.facts, flow.previews
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
        if self._facts is None:
            # Past a from_generator wrapper: `ds.prefetch(...)` and its kin are the same
            # dataset for the consumers; any other method is not followed.
            top = dataset_chain_top(self, node)
            if top is not node:
                return self._trace(top, depth + 1)
            method = self._method_call(node)
            if method is not None:
                line = self.positions[method[1]].start.line if method[1] in self.positions else 0
                return [], [
                    Blocker(
                        "MA105",
                        # reported at the wrapper, where the site shows
                        self._wrapped_call or method[1],
                        f"`.{method[0]}()` of the wrapped dataset (line {line}) is not "
                        "followed; only "
                        + ", ".join(f".{m}()" for m in KEPT_METHODS)
                        + " are kept on the new pipeline",
                    )
                ]
        parent = self.parent(node)
        target = _single_assign_target(parent, node)  # type: ignore[arg-type]
        if isinstance(target, cst.Name):
            return self._trace_name(target, node, depth)
        if isinstance(target, cst.Attribute):
            return self._trace_attribute(target, node, depth)
        wrapper = self._wrapper(node)
        if isinstance(wrapper, Blocker):
            return [], [wrapper]
        if wrapper is not None:
            facts, self._facts = self._facts, None
            wrapped, self._wrapped_call = self._wrapped_call, wrapper.call
            try:
                found, blocked = self._trace(dataset_chain_top(self, wrapper.call), depth + 1)
            finally:
                self._facts, self._wrapped_call = facts, wrapped
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
                    "single-threaded IDG producer stays the bottleneck",
                    "Replace the wrapper with a native tf.data pipeline by hand",
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
                    REPACKING_HELP,
                )
            ]
        return [], [
            Blocker(
                "MA105",
                node,
                "this .flow() iterator is not passed to fit/evaluate/predict (iterated by hand, "
                "wrapped, or stored): the generator is left as it is, with all its flows",
                "Migrate by hand; if this is only a preview of augmented images, give it its "
                "own ImageDataGenerator (or remove it) and run migrate-aug again",
            )
        ]


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

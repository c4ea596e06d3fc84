"""Follow an iterator stored on `self` (`self.train_it = datagen.flow(...)` in one method)
to its reads in the other methods of the same class: fit/evaluate/predict, facts such as
`.samples` or `.class_indices`, len(). Only when that assignment is the attribute's only
one the tool can see: any other assignment, a read through another object, a class-level
default or the attribute's name as a string (setattr, getattr) is an MA105 blocker.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ClassScope

from migrator.analysis.passing import PassingShapes, Traced
from migrator.analysis.tree import position_key
from migrator.analysis.uses import Blocker, ConsumerUse

# Where an attribute node is written rather than read.
_WRITTEN = (
    cst.AssignTarget,
    cst.AugAssign,
    cst.AnnAssign,
    cst.Del,
    cst.Element,
    cst.StarredElement,
    cst.AsName,
    cst.For,
)


class SelfAttributeShapes(PassingShapes):
    def _trace_attribute(self, target: cst.Attribute, value: cst.CSTNode, depth: int) -> Traced:
        stored = f"self.{target.attr.value}"
        method = self.enclosing(target, cst.FunctionDef)
        class_def = self.enclosing(method, cst.ClassDef) if method is not None else None
        if not (
            isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and isinstance(class_def, cst.ClassDef)
            and self.enclosing_statement(value) is self.enclosing_statement(target)
        ):
            return [], [
                Blocker(
                    "MA105",
                    value,
                    f"the iterator is stored in `{self.module.code_for_node(target)}`; only "
                    "local names and `self` attributes of a class are followed from .flow() "
                    "to fit/evaluate/predict; build it where it is fitted (or pass it on "
                    "through a local name) and run migrate-aug again, or migrate by hand",
                )
            ]
        reads = self._attribute_reads(target, class_def)
        if isinstance(reads, str):
            # reported at the flow, where the site shows; the message names the line
            return [], [Blocker("MA105", value, reads)]
        consumers: list[ConsumerUse] = []
        blockers: list[Blocker] = []
        for read in reads:
            if self._is_len_call(read):
                continue
            fact = self._fact(read) if self._facts is not None else None
            if fact is not None and self._facts is not None:
                self._facts.append(fact)
                continue
            found, blocked = self._trace(read, depth + 1)
            if not found and not blocked:
                blocked = [Blocker("MA105", read, f"`{stored}` is used here")]
            consumers += found
            blockers += [
                Blocker(b.code, b.node, *self._other_use(stored, read))
                if b.code == "MA105" and b.node is read
                else b
                for b in blocked
            ]
        if not consumers and not blockers:
            blockers.append(
                Blocker("MA105", value, f"`{stored}` never reaches fit/evaluate/predict")
            )
        return consumers, blockers

    def _attribute_reads(
        self, target: cst.Attribute, class_def: cst.ClassDef
    ) -> list[cst.Attribute] | str:
        """Every other `self.<name>` of the class, all reads; or why not."""
        name = target.attr.value
        stored = f"self.{name}"
        found: list[cst.Attribute] = []
        strings: list[cst.SimpleString] = []

        class _Uses(cst.CSTVisitor):
            def visit_Attribute(self, node: cst.Attribute) -> None:
                if node.attr.value == name and node is not target:
                    found.append(node)

            def visit_SimpleString(self, node: cst.SimpleString) -> None:
                if node.evaluated_value == name:
                    strings.append(node)

        self.module.visit(_Uses())
        if strings:
            line = self.positions[strings[0]].start.line if strings[0] in self.positions else 0
            return f"`{stored}` is named in a string on line {line} (setattr, getattr?)"
        first = class_def.body.body[0] if class_def.body.body else None
        class_scope = self.scopes.get(first) if first is not None else None
        if isinstance(class_scope, ClassScope) and class_scope.assignments[name]:
            return f"the class `{class_def.name.value}` also binds `{name}` in its body"
        reads: list[cst.Attribute] = []
        for node in sorted(found, key=lambda n: position_key(self.positions, n)):
            line = self.positions[node].start.line if node in self.positions else 0
            if not (
                isinstance(node.value, cst.Name)
                and node.value.value == "self"
                and self.enclosing(node, cst.ClassDef) is class_def
            ):
                return f"`.{name}` is used outside the class that stores the iterator (line {line})"
            parent = self.parent(node)
            written = isinstance(parent, _WRITTEN) and not (
                isinstance(parent, cst.AugAssign | cst.AnnAssign | cst.For)
                and getattr(parent, "target", None) is not node
            )
            if written:
                return f"`{stored}` is assigned more than once (also line {line})"
            reads.append(node)
        return reads

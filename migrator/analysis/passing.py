"""Follow an iterator through local names (`it = datagen.flow(...)`: every read of `it`)
and out of helper functions (`return it`, `return a, b` unpacked by the caller), and say
precisely why any other read stops it (MA105: zipped, looped over in a Python generator,
read by hand with next() or an index).
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from migrator.analysis.previews import PreviewShapes
from migrator.analysis.reaching import ReachingShapes
from migrator.analysis.repacking import REPACKING_ADVICE, REPACKING_HELP, RepackingShapes
from migrator.analysis.uses import Blocker, ConsumerUse, FactUse, PreviewUse

Traced = tuple[list[ConsumerUse], list[Blocker]]


class PassingShapes(RepackingShapes, ReachingShapes, PreviewShapes):
    # SiteFinder's: the dispatch each read is handed back to, and the facts and previews
    # being collected (facts None past a from_generator wrapper: neither is collected).
    _trace: Callable[[cst.CSTNode, int], Traced]
    _facts: list[FactUse] | None
    _previews: list[PreviewUse]

    def _other_use(self, name: str, node: cst.CSTNode) -> tuple[str, str]:
        """The message and help of an MA105 for a use of the iterator `name` at `node`."""
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
                "images and masks): paired pipelines are not migrated",
                "Build one tf.data pipeline that draws each sample's random transform once "
                "and applies it to both tensors, or keep ImageDataGenerator here",
            )
        looped = self._repacking_generator(node)
        if looped is not None:
            return (
                f"the iterator `{name}` is looped over in the Python generator `{looped}()`"
                + REPACKING_ADVICE,
                REPACKING_HELP,
            )
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Name):
            passed = self._generator_function(call.func)
            if passed is not None:
                return (
                    f"the iterator `{name}` is passed to the Python generator `{passed}()`"
                    + REPACKING_ADVICE,
                    REPACKING_HELP,
                )
        if _iterated_by_hand(node, argument, call):
            # Typically a preview (`x, y = next(gen)`) before training.
            return (
                f"the iterator `{name}` is read by hand here (next(), a loop or an index), "
                "where a tf.data dataset could not stand in for it (`next()` needs "
                "`iter(dataset)`, an index `dataset.skip(i).take(1)`)",
                "Migrate by hand; a preview migrates when it is one `next(it)` (or a loop "
                "that breaks after one batch) run where `it` is bound, not in a loop or a "
                "function of its own: reshape it so, take it from a separate "
                "ImageDataGenerator, or remove it, and run migrate-aug again",
            )
        return (
            f"the iterator `{name}` is used here other than by fit/evaluate/predict "
            "(iterated, or its attributes read)",
            "Migrate it by hand",
        )

    def _trace_name(
        self, target: cst.Name, value: cst.CSTNode, depth: int
    ) -> tuple[list[ConsumerUse], list[Blocker]]:
        statement = self.enclosing_statement(value)
        if not isinstance(statement, cst.SimpleStatementLine):
            return [], [
                Blocker("MA105", value, f"`{target.value}` is bound in a compound statement")
            ]
        reads = self.reached_reads(target)
        if isinstance(reads, str):
            return [], [Blocker("MA105", value, reads)]
        consumers: list[ConsumerUse] = []
        blockers: list[Blocker] = []
        for access in reads:
            if self._is_len_call(access.node):
                continue  # len(iterator) == batches per epoch, as len(dataset)
            fact = self._fact(access.node) if self._facts is not None else None
            if fact is not None and self._facts is not None:
                self._facts.append(fact)
                continue
            preview = self._preview(access.node, statement) if self._facts is not None else None
            if preview is not None:
                self._previews.append(preview)
                continue
            found, blocked = self._trace(access.node, depth + 1)
            if not found and not blocked:
                blocked = [Blocker("MA105", access.node, f"`{target.value}` is used here")]
            consumers += found
            # A `return it` keeps its own reason (no caller to follow), not the generic one.
            returned = isinstance(self.parent(access.node), cst.Return)
            blockers += [
                Blocker(b.code, b.node, *self._other_use(target.value, access.node))
                if b.code == "MA105" and b.node is access.node and not returned
                else b
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
                    "the iterator is returned from a function whose callers the tool cannot see",
                    "Migrate it by hand",
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

"""A preview: `next(it)`, `it.next()` or a loop over `it` that breaks after its first batch
(`for x, y in it: print(x.shape); break`), on an iterator that also feeds fit/evaluate/
predict, run once where `it` is bound (not in a loop, comprehension or nested function).

Keras (3 and tf_keras alike) indexes the iterator in fit (`it[i]`, a full epoch from batch
0), apart from the stream next() draws from: the preview takes nothing from training. So
`next(it)` can read the first batch of a fresh pass over the pipeline, as NumPy arrays
like IDG's. Raises no code: plan/previews.py decides (one preview per iterator).
"""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from migrator.analysis.tree import Tree
from migrator.analysis.uses import PreviewUse

# What can run a preview more than once per binding of its iterator
# (each further next() on IDG's iterator is its next batch, not the first one again).
_REPEATING = (
    cst.For,
    cst.While,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.Lambda,
    cst.ClassDef,
)


class PreviewShapes(Tree):
    def _preview(self, node: cst.CSTNode, binding: cst.CSTNode) -> PreviewUse | None:
        """`next(node)` / `node.next()`, run once each time `binding` (the statement
        binding the iterator's name) runs: under the same loop or body, no deeper."""
        read = self._next_call(node) or self._first_batch_loop(node)
        if read is None or not isinstance(node, cst.Name):
            return None
        if self._runs_with(read) is not self._runs_with(binding):
            return None
        return PreviewUse(read, node)

    def _first_batch_loop(self, node: cst.CSTNode) -> cst.For | None:
        """`for ... in node:` whose body ends in an unconditional `break` and never
        continues: it reads exactly one batch (IDG's iterator never ends, so a loop that
        could go on would read more than a pass of the pipeline holds)."""
        loop = self.parent(node)
        if not (isinstance(loop, cst.For) and loop.iter is node and loop.orelse is None):
            return None
        if loop.asynchronous is not None or not isinstance(loop.body, cst.IndentedBlock):
            return None
        last = loop.body.body[-1] if loop.body.body else None
        ends = isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], cst.Break)
        if not ends or _continues(loop.body):
            return None
        return loop

    def _next_call(self, node: cst.CSTNode) -> cst.Call | None:
        parent = self.parent(node)
        if isinstance(parent, cst.Arg) and parent.value is node and parent.keyword is None:
            call = self.parent(parent)
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value == "next"
                and len(call.args) == 1
                and parent.star == ""
            ):
                return call
            return None
        if isinstance(parent, cst.Attribute) and parent.value is node:
            call = self.parent(parent)
            if (
                parent.attr.value == "next"
                and isinstance(call, cst.Call)
                and call.func is parent
                and not call.args
            ):
                return call
        return None

    def _runs_with(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The innermost loop, comprehension, lambda, class or function (else the module)
        whose each run runs `node` once."""
        current = self.parent(node)
        while current is not None and not isinstance(
            current, (*_REPEATING, cst.FunctionDef, cst.Module)
        ):
            current = self.parent(current)
        return current


def _continues(body: cst.CSTNode) -> bool:
    """A `continue` anywhere in `body` (an inner loop's too: kept simple)."""
    return bool(m.findall(body, m.Continue()))

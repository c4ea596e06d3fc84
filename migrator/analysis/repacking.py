"""Follow an iterator into a Python generator that re-packs IDG's batches (`def gen():
for x, y in it: yield [x, x], y` whose calls are handed to fit), or that takes the
iterator as an argument (`fit(gen(it))`): those consumers, marked `repacked_by` (the
rewrite feeds the generator NumPy batches). Raises no code; sites.py refuses the other
generator shapes with REPACKING_ADVICE and REPACKING_HELP (MA105).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Assignment

from migrator.analysis.consumers import ConsumerShapes
from migrator.analysis.uses import ConsumerUse


class RepackingShapes(ConsumerShapes):
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


# Why a Python generator that re-packs IDG's batches for fit blocks the rewrite
# (appended to the message), and what to do with it (its help).
REPACKING_ADVICE = (
    ", which re-packs its batches (e.g. `yield [x, x], y` for a multi-input model, or a "
    "dict of targets for a multi-output one): the tool does not follow a generator to "
    "fit, and IDG's single-threaded producer would stay behind it"
)
REPACKING_HELP = (
    "Migrate by hand: feed fit one tf.data pipeline and re-pack each batch with `.map()` "
    "(e.g. `dataset.map(lambda x, y: ((x, x), y))`)"
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

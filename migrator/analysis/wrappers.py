"""Follow an iterator through a `tf.data.Dataset.from_generator` wrapper whose function
only hands it on (`for x, y in it: yield x, y`, `yield from it`, `return it`, `lambda: it`,
`while True: yield next(it)`): the consumers of the wrapped dataset are the flow's, with
the Wrapper to replace (MA005). A wrapper that takes arguments or is used elsewhere is an
MA105 blocker; one that does more is refused by sites.py's dispatch (MA005).
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.tree import Tree, is_docstring
from migrator.analysis.uses import Blocker, Wrapper


class WrapperShapes(Tree):
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


# Dataset methods whose result means the same on the native pipeline as on the
# from_generator dataset it replaces: both yield the same batches endlessly (the native one
# repeated), so reordering, prefetching, caching, taking or mapping batches is unchanged.
KEPT_METHODS = ("repeat", "prefetch", "shuffle", "take", "cache", "map")


def dataset_chain_top(finder: Tree, call: cst.CSTNode) -> cst.CSTNode:
    """`from_generator(...).prefetch(n).repeat()` (or `ds.prefetch(n)`): the outermost call
    of the chain of methods that keep what the dataset means (KEPT_METHODS)."""
    current: cst.CSTNode = call
    while True:
        attribute = finder.parent(current)
        outer = finder.parent(attribute) if isinstance(attribute, cst.Attribute) else None
        if not (
            isinstance(attribute, cst.Attribute)
            and attribute.value is current
            and attribute.attr.value in KEPT_METHODS
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

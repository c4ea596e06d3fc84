"""The call sites on the runtime module: the names it is called by, each flow's pipeline as
a chain (`idg_tfdata.index_batches(...).map(datagen, ...).prefetch(...)`; with
--tf-data-service, `idg_tfdata.served(<the pipeline>).prefetch(...)`), and where that
chain goes: in place of an assigned value, hoisted into a statement of its own just before
the user's statement, or inline where hoisting would change what runs when.

Every statement built here is laid out by emit/layout.py at the project's line length.
Raises no code: shared by plan/rewrite.py, plan/wrappers.py and plan/replica.py.
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.uses import FlowUse
from migrator.emit.layout import Call, Chain, format_statement
from migrator.plan.session import Session

# What runs on the client after `served(...)`: prefetching next to the model, and the
# repeating and NumPy reading the program's loops need.
CLIENT_METHODS = ("prefetch", "repeat", "as_numpy_iterator")


def runtime_name(session: Session, name: str) -> str:
    """`Augmentation` as the file calls it: `idg_tfdata.Augmentation`, or unqualified when
    the runtime is inlined into the file."""
    if session.options.inline_runtime:
        return name
    return f"{session.options.runtime_import.rpartition('.')[2]}.{name}"


def argument_text(session: Session, arg: cst.Arg) -> str:
    """An argument's source as written (comments and line breaks inside it kept), without
    its comma."""
    bare = arg.with_changes(
        comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")
    )
    return session.module.code_for_node(bare).strip()


def autotune(session: Session) -> str:
    return f"{session.tf}.data.AUTOTUNE"


def parallel_map(session: Session, function: str) -> Call:
    return Call("map", (function, f"num_parallel_calls={autotune(session)}"))


def prefetch(session: Session) -> Call:
    return Call("prefetch", (autotune(session),))


def with_methods(chain: Chain, *methods: Call) -> Chain:
    """`chain` with more methods: before its closing `.prefetch(...)` (prefetching stays
    the last step of the pipeline), but `.as_numpy_iterator()`, which ends it."""
    ending = [m for m in methods if m.callee == "as_numpy_iterator"]
    steps = [m for m in methods if m.callee != "as_numpy_iterator"]
    body = list(chain.methods)
    tail = [body.pop()] if body and body[-1].callee == "prefetch" else []
    return Chain(chain.head, (*body, *steps, *tail, *ending))


def serves(session: Session, flow: FlowUse) -> bool:
    """With --tf-data-service, whether the flow's pipeline is handed to the service: when
    it shuffles. The service's workers each deliver their share of an epoch as they make
    it, interleaved, so an order the program relies on (shuffle=False, as for predict)
    would be lost: such a pipeline stays in the program's process."""
    if session.options.tf_data_service is None:
        return False
    shuffle = flow.spec.arguments.get("shuffle")
    if shuffle is not None:
        return isinstance(shuffle, cst.Name) and shuffle.value == "True"
    # Not given, unless a `**options` whose keys are not known could hold it.
    return not any(
        arg.star == "**" and session.source_of(arg.value) not in flow.spec.expanded
        for arg in flow.call.args
    )


def service_argument(session: Session) -> str:
    """`service="grpc://..."` for a pipeline function: the graph it builds holds no call
    back into this process (its arrays become constants), so the workers can run it."""
    return f'service="{session.options.tf_data_service}"'


def served(session: Session, chain: Chain, *, reading_only: bool = False) -> Chain:
    """`idg_tfdata.served(<chain but its client methods>).<those methods>`: reading and
    augmentation run on the service's workers, prefetching (and repeating, NumPy
    reading) in the program's process. `reading_only`: only the pipeline function's
    reading is served, every method runs in the program's process (--augment-on replica:
    the batches travel in the data's own dtype, uint8 images at a quarter of float32's
    bytes, and are cast where the model augments them). The head must have been built
    with `service_argument`."""
    body, tail = list(chain.methods), []
    while body and (reading_only or body[-1].callee in CLIENT_METHODS):
        tail.insert(0, body.pop())
    inner = Chain(chain.head, tuple(body))
    return Chain(Call(runtime_name(session, "served"), (inner,)), tuple(tail))


def _served_pipeline(chain: Chain) -> Chain | None:
    """The pipeline inside `served(...)`: the only call whose one argument is a chain."""
    args = chain.head.args
    return args[0] if len(args) == 1 and isinstance(args[0], Chain) else None


def pipeline_call(chain: Chain) -> Call:
    """The runtime pipeline function's call a chain starts from (served or not)."""
    inner = _served_pipeline(chain)
    return chain.head if inner is None else pipeline_call(inner)


def applied_to(chain: Chain, dataset: str) -> Chain:
    """`chain` with its pipeline call replaced by the dataset named `dataset` (bound to
    that call): `dataset.map(...).prefetch(...)`, inside `served(...)` when served."""
    inner = _served_pipeline(chain)
    if inner is not None:
        reading = applied_to(inner, dataset) if inner.methods else dataset
        return Chain(Call(chain.head.callee, (reading,)), chain.methods)
    first, *rest = chain.methods
    return Chain(Call(f"{dataset}.{first.callee}", first.args), tuple(rest))


def indent_width(session: Session, node: cst.CSTNode) -> int:
    """The width ruff counts for the indentation of the statement holding `node`."""
    return len(session.indent_of(node).expandtabs(4))


def _layout(session: Session, target: str | None, value: Call | Chain, at: cst.CSTNode) -> str:
    """The statement's text with continuation lines relative to the statement's own
    indentation: libcst adds the block's indentation to each line inside brackets."""
    indent = indent_width(session, at)
    text = format_statement(target, value, indent=indent, line_length=session.options.line_length)
    first, *rest = text.split("\n")
    unit = session.module.default_indent
    lines = [first]
    for line in rest:
        body = line.lstrip(" ")
        depth, extra = divmod(max(len(line) - len(body) - indent, 0), 4)
        lines.append(unit * depth + " " * extra + body)  # in the file's indentation unit
    return session.module.default_newline.join(lines)


def formatted_value(
    session: Session, target: str | None, value: Call | Chain, at: cst.CSTNode
) -> cst.BaseExpression:
    """`value` as an expression laid out for the statement `target = value` at `at`'s
    indentation. With no target (a chain inside a larger expression), laid out as the
    value of an assignment, so that a chain over several lines gets its brackets and one
    method per line, as in a statement of its own."""
    assigned = target if target is not None else "_"
    text = _layout(session, assigned, value, at)[len(assigned) + len(" = ") :]
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:  # a bare chain over several lines needs its brackets
        return cst.parse_expression(f"({text})")


def statement(
    session: Session, target: str | None, value: Call | Chain, at: cst.CSTNode
) -> cst.SimpleStatementLine:
    """The statement `target = value` (the bare value when target is None) laid out to
    stand just before (or instead of) `at`."""
    text = _layout(session, target, value, at)
    parsed = cst.parse_statement(text + session.module.default_newline)
    assert isinstance(parsed, cst.SimpleStatementLine)
    return parsed


def hoist_point(session: Session, node: cst.CSTNode) -> cst.CSTNode | None:
    """The statement before which `node` can be evaluated without changing what runs when:
    the path from that statement to `node` goes only through call arguments and callees,
    method receivers, tuples/lists/sets/dicts, an assignment's value, `return`, an
    expression statement or a `for` loop's iterable. None elsewhere (inside a lambda,
    comprehension, conditional expression, boolean operator, `while` test, decorator...)."""
    child: cst.CSTNode = node
    parent = session.finder.parent(child)
    while parent is not None:
        if isinstance(parent, cst.SimpleStatementLine):
            return parent if len(parent.body) == 1 else None
        if isinstance(parent, cst.For):
            return parent if parent.iter is child else None
        passes = (
            isinstance(parent, cst.Arg | cst.Element | cst.DictElement | cst.StarredElement)
            or isinstance(parent, cst.Tuple | cst.List | cst.Set | cst.Dict | cst.Expr)
            or isinstance(parent, cst.Call)  # as its callee or through an Arg
            or (isinstance(parent, cst.Attribute) and parent.value is child)
            or (
                isinstance(parent, cst.Assign | cst.AnnAssign | cst.Return)
                and parent.value is child
            )
        )
        if not passes:
            return None
        child, parent = parent, session.finder.parent(parent)
    return None


def assigned_value(
    session: Session, node: cst.CSTNode
) -> tuple[cst.SimpleStatementLine, str] | None:
    """The statement `<targets> = <node>` (alone on its line) and its targets' source, when
    `node` is the whole value of a plain assignment."""
    assign = session.finder.parent(node)
    if not isinstance(assign, cst.Assign) or assign.value is not node:
        return None
    line = session.finder.parent(assign)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    return line, " = ".join(session.source_of(t.target) for t in assign.targets)


def place(
    session: Session,
    inserts: dict[cst.CSTNode, list[cst.BaseStatement]],
    node: cst.CSTNode,
    chain: Chain,
    base: str,
) -> cst.BaseExpression:
    """The expression to put where `node` is: the chain itself when `node` is the whole
    value of an assignment (`it = (chain)`); else a fresh `<base>_batches` bound to the
    chain in a statement hoisted before the user's (added to `inserts`), or the chain
    inline where hoisting is not safe."""
    assigned = assigned_value(session, node)
    if assigned is not None:
        line, target = assigned
        return formatted_value(session, target, chain, line)
    point = hoist_point(session, node)
    if point is None:
        return formatted_value(session, None, chain, node)
    name = session.fresh(f"{base}_batches")
    inserts.setdefault(point, []).append(statement(session, name, chain, point))
    return cst.Name(name)


def split_call(
    session: Session, updated: cst.SimpleStatementLine, at: cst.CSTNode
) -> cst.SimpleStatementLine | None:
    """`[target =] call(args)` on one line laid out as ruff splits it (emit/layout.py), or
    None for any other statement."""
    if len(updated.body) != 1:
        return None
    small = updated.body[0]
    target: str | None = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = session.module.code_for_node(small.targets[0].target), small.value
    elif isinstance(small, cst.Expr):
        value = small.value
    else:
        return None
    if not isinstance(value, cst.Call) or value.lpar:
        return None
    methods: list[Call] = []  # `head(...).map(...).repeat()`: a chain ruff lays out fluently
    while (
        isinstance(value.func, cst.Attribute)
        and isinstance(value.func.value, cst.Call)
        and not value.func.value.lpar
    ):
        args = tuple(argument_text(session, arg) for arg in value.args)
        methods.insert(0, Call(value.func.attr.value, args))
        value = value.func.value
    head = Call(
        session.module.code_for_node(value.func),
        tuple(argument_text(session, arg) for arg in value.args),
    )
    return statement(session, target, Chain(head, tuple(methods)) if methods else head, at)

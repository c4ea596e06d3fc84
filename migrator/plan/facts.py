"""MA109: what programs read from IDG's iterators (`it.n`, `it.classes`, `it.reset()`...)
kept on the tf.data pipeline, replaced by an expression, or refused with the reason."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.uses import ITERATOR_FACTS, Blocker, FactUse, FlowUse
from migrator.plan.calls import is_none
from migrator.plan.session import Session


def fact_source(
    session: Session, flow: FlowUse, fact: FactUse, validation_split: float
) -> cst.BaseExpression | Blocker | None:
    """How `iterator.<fact>` survives the rewrite: an expression that replaces the read,
    None when the dataset carries it (file pipelines) or it goes (reset()), or why it
    cannot be kept (the MA109 blocker). `validation_split`: the generator's (for `n` of a
    subset)."""
    where = f"`{session.source_of(fact.attribute)}`"
    if fact.name == "reset":
        return None  # each pass over a tf.data dataset starts at its first batch
    if flow.from_files and fact.name not in ITERATOR_FACTS:
        return _unkept(
            fact,
            f"{where}: the file iterator's `{fact.name}` is not among the facts the "
            f"tf.data pipeline carries ({', '.join(sorted(ITERATOR_FACTS - {'reset'}))})",
        )
    if flow.from_files:
        assigned = assigned_target(session, flow)
        receiver = session.source_of(fact.attribute.value)
        if assigned is None or assigned[1] != receiver:
            return _unkept(
                fact,
                f"{where}: the file iterator's facts are read from the file dataset, which "
                "keeps a name of its own only when the flow call is assigned to the name "
                "the facts are read from (`it = datagen.flow_from_directory(...)`)",
                "Assign the flow call to a name and read the facts from that name",
            )
    if flow.from_directory:
        return None  # the runtime's file dataset carries it
    if flow.from_dataframe:
        class_mode = flow.spec.values.get("class_mode", "categorical")
        if fact.name == "num_classes":
            return _unkept(fact, f"{where}: flow_from_dataframe's iterator has no num_classes")
        if fact.name == "labels" and class_mode not in (
            "categorical",
            "binary",
            "sparse",
            "raw",
        ):
            return _unkept(
                fact,
                f"{where}: the tf.data pipeline carries `labels` for class_mode "
                "'categorical', 'binary', 'sparse' or 'raw' (literal)",
            )
        if fact.name == "classes" and class_mode not in ("categorical", "binary", "sparse"):
            return _unkept(
                fact,
                f"{where}: IDG sets `classes` only for class_mode 'categorical', "
                "'binary' or 'sparse' (literal)",
            )
        return None
    arguments = flow.spec.arguments
    if fact.name == "n":
        x = arguments.get("x")
        subset = arguments.get("subset")
        if isinstance(x, cst.Name) and _constant_name(session, x, fact.attribute):
            if subset is None or is_none(subset):
                return cst.parse_expression(f"len({x.value})")
            part = subset.evaluated_value if isinstance(subset, cst.SimpleString) else None
            if validation_split and part in ("training", "validation"):
                # IDG's split: the first int(len(x) * validation_split) samples validate.
                held_out = f"int(len({x.value}) * {validation_split!r})"
                if part == "validation":
                    return cst.parse_expression(held_out)
                count = f"len({x.value}) - {held_out}"
                # In parentheses where the read is an operand (`it.n // batch_size`).
                operand = not isinstance(session.finder.parent(fact.attribute), cst.Arg)
                return cst.parse_expression(f"({count})" if operand else count)
        return _unkept(
            fact,
            f"{where}: the number of samples of this flow() is not `len(<name>)` of its "
            "`x` (x is an expression, a subset is taken, or the name is rebound)",
            "Compute it from your array",
        )
    if fact.name == "batch_size":
        size = arguments.get("batch_size")
        if size is None:
            return cst.Integer("32")
        if isinstance(size, cst.Integer) or (
            isinstance(size, cst.Name) and _constant_name(session, size, fact.attribute)
        ):
            return size.deep_clone()
        return _unkept(fact, f"{where}: flow()'s batch_size is an expression", "Use it directly")
    return _unkept(
        fact,
        f"{where}: the array iterator's `{fact.name}` has no equivalent on the tf.data "
        "pipeline (its `n`, `batch_size` and len() do)",
        "Compute it from your arrays",
    )


def assigned_target(session: Session, flow: FlowUse) -> tuple[cst.SimpleStatementLine, str] | None:
    """The statement `<target> = <flow call>` (alone on its line) and its target's source,
    when the flow call is the whole value of a plain assignment."""
    assign = session.finder.parent(flow.call)
    if not isinstance(assign, cst.Assign) or assign.value is not flow.call:
        return None
    line = session.finder.parent(assign)
    if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
        return None
    targets = [t.target for t in assign.targets]
    if not all(isinstance(t, cst.Name | cst.Attribute) for t in targets):
        return None
    return line, " = ".join(session.source_of(t) for t in targets)


def _unkept(fact: FactUse, message: str, help: str | None = None) -> Blocker:
    return Blocker("MA109", fact.attribute, message, help)


def _constant_name(session: Session, name: cst.Name, elsewhere: cst.CSTNode) -> bool:
    """`name` is bound once in its scope and means the same at `elsewhere`."""
    scope = session.finder.scopes.get(name)
    return (
        scope is not None
        and len(scope[name.value]) == 1
        and session.finder.same_bindings(name, elsewhere)
    )

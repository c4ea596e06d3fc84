"""MA004: Keras 3 has no `fit_generator`/`evaluate_generator`/`predict_generator`.
Every call is renamed (with its arguments mapped by analysis/generator_methods.py), with or
without IDG, unless the module defines such a method itself or the arguments are unpacked."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.generator_methods import RENAMES, rewrite_generator_method
from migrator.analysis.names import LiveCodeVisitor
from migrator.plan.calls import method_name
from migrator.plan.edits import Edits
from migrator.plan.session import Session


def plan_generator_methods(session: Session) -> Edits:
    """MA004 everywhere, with or without IDG: Keras 3 has no *_generator methods."""
    edits = Edits()
    if not any(method in session.source for method in RENAMES):
        return edits
    calls: list[cst.Call] = []

    own: set[str] = set()  # *_generator methods the module defines itself

    class _Calls(LiveCodeVisitor):
        def visit_Call(session: Session, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value in RENAMES:
                calls.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            if node.name.value in RENAMES:
                own.add(node.name.value)

    session.module.visit(_Calls())
    for call in calls:
        lines = session.lines(call)
        method = method_name(call)
        if method in own:
            session.report(
                "MA004",
                call,
                f"`{method}()` not renamed: this module defines its own `{method}` "
                "method, so the receiver may not be a Keras model",
                lines,
                help="Rename it by hand where it is one",
            )
            continue
        fix = rewrite_generator_method(call)
        if fix is None:
            session.report(
                "MA004",
                call,
                f"`{method_name(call)}()` was removed in Keras 3; its arguments could not "
                "be mapped for certain (argument unpacking)",
                lines,
                help="Rename it by hand",
            )
            continue
        if not session.acts_on("MA004", lines):
            continue
        dropped = (
            f"; dropped {', '.join(fix.dropped)} (tf.data and Keras 3 parallelise input themselves)"
            if fix.dropped
            else ""
        )
        session.report(
            "MA004",
            call,
            f"`{fix.old}()` was removed in Keras 3: replaced by `{fix.new}()`{dropped}",
            lines,
            fixable=True,
        )
        edits.expressions[call] = _regenerate_method_call
        session.needs_math = session.needs_math or fix.needs_math
    return edits


def _regenerate_method_call(updated: cst.BaseExpression) -> cst.BaseExpression:
    assert isinstance(updated, cst.Call)
    fix = rewrite_generator_method(updated)
    return fix.replacement if fix is not None else updated

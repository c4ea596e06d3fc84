"""Flow and consumer calls as planners read them: the wrappers a flow reaches, method
names, Keras 2's generator knobs, and the notes of the rewrite's message. Raises no code:
shared by site, blockers, rewrite, wrappers.
"""

from __future__ import annotations

import libcst as cst

from migrator.analysis.generator_methods import DROPPED as GENERATOR_KNOBS
from migrator.analysis.generator_methods import with_last_comma
from migrator.analysis.uses import ConsumerUse, FlowUse, GeneratorSite, Wrapper


def wrappers(flow: FlowUse) -> list[Wrapper]:
    found: list[Wrapper] = []
    for consumer in flow.consumers:
        if consumer.wrapper is not None and all(w.call is not consumer.wrapper.call for w in found):
            found.append(consumer.wrapper)
    return found


def method_name(call: cst.Call) -> str:
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else "?"


def is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def generator_knobs(consumer: ConsumerUse) -> list[str]:
    """Keras 2's worker/queue arguments on a fit/evaluate/predict call fed by a flow: tf_keras
    ignores them for a tf.data input and Keras 3 rejects them (a TypeError). The
    *_generator methods' own are dropped by MA004."""
    if method_name(consumer.call).endswith("_generator"):
        return []
    return [
        arg.keyword.value
        for arg in consumer.call.args
        if arg.keyword is not None and arg.keyword.value in GENERATOR_KNOBS
    ]


def without_generator_knobs(updated: cst.BaseExpression) -> cst.BaseExpression:
    """`fit(..., workers=4, use_multiprocessing=True, max_queue_size=10)` without them."""
    assert isinstance(updated, cst.Call)
    args = [
        arg
        for arg in updated.args
        if arg.keyword is None or arg.keyword.value not in GENERATOR_KNOBS
    ]
    return updated.with_changes(args=with_last_comma(args, updated.args))


def knobs_note(site: GeneratorSite) -> str:
    knobs = sorted({k for flow in site.flows for c in flow.consumers for k in generator_knobs(c)})
    if not knobs:
        return ""
    return (
        f"; dropped {', '.join(knobs)} (Keras 2 generator options: tf.data runs in parallel itself)"
    )


def repacked_note(site: GeneratorSite) -> str:
    names = sorted({c.repacked_by for f in site.flows for c in f.consumers if c.repacked_by})
    if not names:
        return ""
    shown = ", ".join(f"`{name}()`" for name in names)
    return (
        f"; {shown} loops over it as NumPy batches (`.repeat().as_numpy_iterator()`: "
        "endless and reshuffled each pass, like IDG's iterator)"
    )


def consumer_names(site: GeneratorSite) -> str:
    names = []
    for flow in site.flows:
        for consumer in flow.consumers:
            name = f"{method_name(consumer.call)}()"
            if name not in names:
                names.append(name)
    return "/".join(names) or "training"


def not_migrated(reason: str) -> str:
    return f"ImageDataGenerator not migrated: {reason}"

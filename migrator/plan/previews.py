"""Previews (`x, y = next(it)` before `model.fit(it)`, analysis/previews.py): each read
becomes `next(<pipeline>.as_numpy_iterator())`, the first batch of a fresh pass as NumPy
arrays, as IDG's first next() gives. Refused (MA105) where that would not hold: a second
next() (IDG's next batch, not the first again), the augmentation moved onto the replicas
(the host pipeline then does not augment), or an iterator that reaches the model only
through a wrapper, a Python generator or a zip."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite
from migrator.plan.calls import wrappers
from migrator.plan.session import Session

_HELP = (
    "Keep one next() on it, or take the preview from a separate ImageDataGenerator "
    "(or remove it), and run migrate-aug again"
)


def preview_blockers(session: Session, flow: FlowUse) -> list[Blocker]:
    if not flow.previews:
        return []
    first, *others = flow.previews
    name = first.iterator.value
    if others:
        return [
            Blocker(
                "MA105",
                others[0].call,
                f"the iterator `{name}` is read with next() more than once: IDG hands out "
                "its successive batches, a fresh pass over the tf.data pipeline its first "
                "batch again",
                _HELP,
            )
        ]
    if session.options.augment_on == "replica":
        return [
            Blocker(
                "MA105",
                first.call,
                f"`{session.source_of(first.call)}` previews augmented batches, but with "
                "--augment-on replica the host pipeline does not augment",
                "Migrate with --augment-on host, or remove the preview",
            )
        ]
    if (
        not flow.consumers
        or list(wrappers(flow))
        or any(c.repacked_by is not None for c in flow.consumers)
    ):
        return [
            Blocker(
                "MA105",
                first.call,
                f"the iterator `{name}` is previewed with next() but reaches the model "
                "through a wrapper, a Python generator or a zip: which pipeline the preview "
                "reads is not certain",
                _HELP,
            )
        ]
    return []


def preview_read(dataset: cst.BaseExpression) -> cst.Call:
    """`next(<dataset>.as_numpy_iterator())`."""
    numpy = cst.Call(func=cst.Attribute(value=dataset, attr=cst.Name("as_numpy_iterator")))
    return cst.Call(func=cst.Name("next"), args=[cst.Arg(numpy)])


def preview_note(site: GeneratorSite) -> str:
    shown = [f"`next({p.iterator.value})`" for f in site.flows for p in f.previews]
    if not shown:
        return ""
    return (
        f"; the preview {', '.join(shown)} reads the pipeline's first batch as NumPy arrays "
        "(fit indexes IDG's iterator from its first batch all the same)"
    )

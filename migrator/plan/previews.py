"""Previews (`x, y = next(it)` before `model.fit(it)`, or a loop over `it` that breaks after
one batch; analysis/previews.py): each reads `<pipeline>.as_numpy_iterator()` instead, the
first batch of a fresh pass as NumPy arrays, as IDG's first next() gives. Refused (MA105)
where that would not hold: a second next() (IDG's next batch, not the first again), the
augmentation moved onto the replicas (the host pipeline then does not augment), or an
iterator that reaches the model only through a wrapper, a Python generator or a zip."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.uses import Blocker, FlowUse, GeneratorSite, PreviewUse
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
                others[0].read,
                f"the iterator `{name}` is previewed more than once: IDG hands out "
                "its successive batches, a fresh pass over the tf.data pipeline its first "
                "batch again",
                _HELP,
            )
        ]
    if session.options.augment_on == "replica":
        return [
            Blocker(
                "MA105",
                first.read,
                f"{shown(first)} previews augmented batches, but with "
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
                first.read,
                f"the iterator `{name}` is previewed ({shown(first)}) but reaches the model "
                "through a wrapper, a Python generator or a zip: which pipeline the preview "
                "reads is not certain",
                _HELP,
            )
        ]
    return []


def preview_edit(preview: PreviewUse, dataset: cst.BaseExpression) -> tuple[cst.CSTNode, cst.Call]:
    """The node to replace and its replacement: `next(<dataset>.as_numpy_iterator())` for
    a next() call, `<dataset>.as_numpy_iterator()` for the loop's iterable."""
    numpy = cst.Call(func=cst.Attribute(value=dataset, attr=cst.Name("as_numpy_iterator")))
    if isinstance(preview.read, cst.For):
        return preview.iterator, numpy
    return preview.read, cst.Call(func=cst.Name("next"), args=[cst.Arg(numpy)])


def shown(preview: PreviewUse) -> str:
    name = preview.iterator.value
    return (
        f"`for ... in {name}: ... break`"
        if isinstance(preview.read, cst.For)
        else f"`next({name})`"
    )


def preview_note(site: GeneratorSite) -> str:
    previews = [shown(p) for f in site.flows for p in f.previews]
    if not previews:
        return ""
    return (
        f"; the preview {', '.join(previews)} reads the pipeline's first batch as NumPy "
        "arrays (fit indexes IDG's iterator from its first batch all the same)"
    )

"""Reads of a name bound more than once belong to the binding that reaches them in
straight-line code; anything else is refused with the lines."""

from __future__ import annotations

import libcst as cst
import pytest

from migrator.analysis.reaching import ReachingShapes


def _reads(source: str, line: int) -> list[int] | str:
    """The lines of the reads reached by the binding of `ds` on `line`."""
    tree = ReachingShapes(cst.MetadataWrapper(cst.parse_module(source)))
    targets = [
        node
        for node, position in tree.positions.items()
        if isinstance(node, cst.Name)
        and node.value == "ds"
        and position.start.line == line
        and isinstance(tree.parent(node), cst.AssignTarget)
    ]
    reads = tree.reached_reads(targets[0])
    if isinstance(reads, str):
        return reads
    return [tree.positions[access.node].start.line for access in reads]


STRAIGHT = """ds = make()
ds = ds.prefetch(2)
use(ds)
with scope():
    ds = ds.repeat()
fit(ds)
fit(ds.take(2))
"""


@pytest.mark.parametrize(("line", "reads"), [(1, [2]), (2, [3, 5]), (5, [6, 7])])
def test_each_read_belongs_to_the_last_binding_before_it(line: int, reads: list[int]) -> None:
    assert _reads(STRAIGHT, line) == reads


def test_a_function_body_is_straight_line_code() -> None:
    source = "def train():\n    ds = make()\n    ds = ds.repeat()\n    fit(ds)\n"
    assert _reads(source, 2) == [3]
    assert _reads(source, 3) == [4]


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("ds = make()\nif flag:\n    ds = ds.shuffle(4)\nfit(ds)\n", "lines 1, 3"),
        ("ds = make()\nfor _ in range(2):\n    ds = ds.repeat()\nfit(ds)\n", "lines 1, 3"),
        ("ds = make()\ntry:\n    ds = ds.cache()\nexcept E:\n    pass\nfit(ds)\n", "lines 1"),
        ("ds = make()\nfor ds in other:\n    pass\nfit(ds)\n", "not by `=`"),
        ("ds = make()\ndef f():\n    global ds\n    ds = 2\nfit(ds)\n", "lines 1, 4"),
        ("ds = make()\nds = ds.repeat()\nlater = lambda: fit(ds)\n", "on line 3"),
    ],
)
def test_other_bindings_or_late_reads_are_refused_with_the_lines(source: str, said: str) -> None:
    reads = _reads(source, 1)
    assert isinstance(reads, str)
    assert said in reads
    assert "bound more than once" in reads

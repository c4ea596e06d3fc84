"""The edits a plan builds: plain data the codemod's applier carries out on the tree.

Keyed by original node. A replacement is a node, or a function of the updated node for edits
that compose with edits inside them (e.g. fit_generator around a rewritten flow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

Rewrite = Callable[[cst.BaseExpression], cst.BaseExpression]


@dataclass
class Edits:
    # original node -> its replacement, or a function of the updated node (for edits
    # that compose with edits inside them, e.g. fit_generator around a rewritten flow)
    expressions: dict[cst.CSTNode, cst.BaseExpression | Rewrite] = field(default_factory=dict)
    statements: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    insert_before: dict[cst.CSTNode, list[cst.BaseStatement]] = field(default_factory=dict)
    # Emitted blocks of definitions, (first, last): blank lines are kept around them.
    blocks: list[tuple[cst.CSTNode, cst.CSTNode]] = field(default_factory=list)

    def merge(self, other: Edits) -> None:
        self.expressions.update(other.expressions)
        self.statements.update(other.statements)
        self.blocks.extend(other.blocks)
        for anchor, statements in other.insert_before.items():
            self.insert_before.setdefault(anchor, []).extend(statements)

    def __bool__(self) -> bool:
        return bool(self.expressions or self.statements or self.insert_before)

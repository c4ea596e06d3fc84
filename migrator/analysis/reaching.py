"""Which reads of a name bound more than once a given binding reaches, in straight-line
code: `ds = from_generator(...)` then `ds = ds.prefetch(...)`, or a notebook that defines
`datagen` in one cell and again in a later one. Each read belongs to the last binding
before it. A binding that is conditional or in a loop, a read from a nested function or
lambda (it runs later, with whichever binding is current then) or any other kind of binding
(for, with, import, def, del, global) makes the reaching binding ambiguous: the caller
refuses, with the lines. Raises no code.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Access, Assignment, Scope

from migrator.analysis.tree import Tree, position_key

# Compound statements whose body runs exactly once when reached: bindings in it are
# straight-line code with the ones around it.
_ONCE = (cst.With,)


class ReachingShapes(Tree):
    def reached_reads(self, target: cst.Name) -> list[Access] | str:
        """The reads of `target`'s name that its binding (`target = ...`) reaches, sorted;
        or why that cannot be told (naming the lines)."""
        scope = self.scopes.get(target)
        if scope is None:
            return f"`{target.value}` is bound where the tool cannot see its scope"
        assignments = list(scope.assignments[target.value])
        if len(assignments) == 1:
            return sorted(
                assignments[0].references, key=lambda a: position_key(self.positions, a.node)
            )
        lines = sorted({self._line(a.node) for a in assignments if isinstance(a, Assignment)})
        where = ", ".join(str(line) for line in lines)
        statements = [self._straight_binding(a, scope) for a in assignments]
        if any(statement is None for statement in statements):
            return (
                f"`{target.value}` is bound more than once (lines {where}), not all in "
                "straight-line code (conditionally, in a loop, or not by `=`)"
            )
        ends = sorted(self._end(s) for s in statements if s is not None)  # type: ignore[arg-type]
        mine = self._end(self.enclosing_statement(target))
        reads: list[Access] = []
        seen: set[int] = set()
        for assignment in assignments:
            for access in assignment.references:
                if id(access) in seen:
                    continue
                seen.add(id(access))
                if access.scope is not scope:
                    return (
                        f"`{target.value}` is bound more than once (lines {where}) and read "
                        f"on line {self._line(access.node)} from a nested function or lambda, "
                        "which may run after any of them"
                    )
                start = position_key(self.positions, access.node)
                reached = max((end for end in ends if end <= start), default=None)
                if reached == mine:
                    reads.append(access)
        return sorted(reads, key=lambda a: position_key(self.positions, a.node))

    def _straight_binding(self, assignment: object, scope: Scope) -> cst.CSTNode | None:
        """The `name = value` line of `assignment`, when it is one and runs once, in
        order with the scope's other statements; else None."""
        if not isinstance(assignment, Assignment) or not isinstance(assignment.node, cst.Name):
            return None
        target = self.parent(assignment.node)
        assign = self.parent(target) if isinstance(target, cst.AssignTarget) else target
        if isinstance(assign, cst.Assign):
            if len(assign.targets) != 1:
                return None
        elif not (isinstance(assign, cst.AnnAssign) and assign.value is not None):
            return None
        line = self.parent(assign)
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
            return None
        if self.scopes.get(line) is not scope:
            return None  # `global name` in a function: it runs whenever that is called
        current = self.parent(line)
        while current is not None:
            if isinstance(current, cst.Module | cst.FunctionDef):
                return line
            if isinstance(current, cst.BaseCompoundStatement) and not isinstance(current, _ONCE):
                return None  # if/for/while/try: conditional, or repeated
            if isinstance(current, cst.Lambda | cst.ClassDef):
                return None
            current = self.parent(current)
        return None

    def _end(self, node: cst.CSTNode) -> tuple[int, int]:
        position = self.positions.get(node)
        return (position.end.line, position.end.column) if position else (0, 0)

    def _line(self, node: cst.CSTNode) -> int:
        position = self.positions.get(node)
        return position.start.line if position else 0

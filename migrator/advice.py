"""Problem and fix apart: the `help:` of a finding whose message still carries both.

The codemod's messages say what was found and, after a `;`, `.` or `:`, what to do
("...is not statically known (...); write it as a literal or a module-level constant").
Until every message is built with its `help` (Diagnostic.help) where it is raised, the
reporting layer splits them here: at the first separator followed by an imperative verb
from VERBS. A message that already has its help, or has no such clause, is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import replace

from migrator.diagnostics import Diagnostic

VERBS = (
    "build",
    "call",
    "compute",
    "drop",
    "fix",
    "give",
    "keep",
    "migrate",
    "move",
    "remove",
    "replace",
    "rewrite",
    "run",
    "take",
    "use",
    "write",
)
_ADVICE = re.compile(rf"(?:; |\. |: )(?=(?i:{'|'.join(VERBS)})\b)")


def split_advice(diagnostic: Diagnostic) -> Diagnostic:
    if diagnostic.help is not None or diagnostic.fixable:
        return diagnostic
    match = _ADVICE.search(diagnostic.message)
    if match is None:
        return diagnostic
    problem = diagnostic.message[: match.start()].rstrip()
    advice = diagnostic.message[match.end() :].strip().rstrip(".")
    return replace(diagnostic, message=problem, help=advice[:1].upper() + advice[1:])

"""Findings reported to the user: one `Diagnostic` per site, with a stable rule code."""

from __future__ import annotations

from dataclasses import dataclass

from migrator.rules import Code


@dataclass(frozen=True)
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based, like ruff and flake8
    code: Code  # e.g. "MA001"
    message: str
    fixable: bool = False  # a rewrite is (or was) made for this finding
    replacement: str | None = None  # the rewritten source of the site, when there is one
    # What to do about it, shown on a `help:` line of its own (text) and carried in the
    # json/github/sarif outputs; `message` then says only what was found.
    help: str | None = None

    @property
    def is_note(self) -> bool:
        """Informational notes (MA2xx) never change the exit code."""
        return self.code.startswith("MA2")

    def format(self) -> str:
        """One line, without the help (which the text output shows on a line of its own)."""
        return f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

"""`# migrate-aug: ignore` and `# migrate-aug: ignore[MA001,MA002]` comments."""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection, Iterator

_PATTERN = re.compile(r"#\s*migrate-aug:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?", re.I)

COMMENT_PATTERN = _PATTERN  # for --add-ignore, which writes and merges these comments

ALL = frozenset({"*"})


def suppressions(source: str) -> dict[int, frozenset[str]]:
    """Line -> suppressed codes (`ALL` for a bare ignore). Only real comments count."""
    found: dict[int, frozenset[str]] = {}
    for line, _, match in _comments(source):
        codes = comment_codes(match)
        found[line] = ALL if codes is None else codes
    return found


def unknown_codes(source: str, known: Collection[str]) -> list[tuple[int, int, str]]:
    """(line, 1-based column of the comment, code) of each code an ignore comment names
    that is not in `known`: such a comment would silently suppress nothing."""
    return [
        (line, column, code)
        for line, column, match in _comments(source)
        for code in sorted(comment_codes(match) or ())
        if code not in known
    ]


def _comments(source: str) -> Iterator[tuple[int, int, re.Match[str]]]:
    """(line, 1-based column, match) of each real `# migrate-aug: ignore` comment."""
    if "migrate-aug" not in source:
        return
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _PATTERN.search(token.string)
        if match is not None:
            yield token.start[0], token.start[1] + 1, match


def comment_codes(match: re.Match[str]) -> frozenset[str] | None:
    """The codes of a COMMENT_PATTERN match; None for a bare `ignore` (every code)."""
    codes = match.group("codes")
    if codes is None:
        return None
    return frozenset(code.strip().upper() for code in codes.split(",") if code.strip())


def is_suppressed(code: str, lines: set[int], table: dict[int, frozenset[str]]) -> bool:
    for line in lines:
        codes = table.get(line)
        if codes is not None and (codes is ALL or "*" in codes or code in codes):
            return True
    return False

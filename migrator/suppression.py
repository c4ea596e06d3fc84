"""`# migrate-aug: ignore` and `# migrate-aug: ignore[MA001,MA002]` comments."""

from __future__ import annotations

import io
import re
import tokenize

_PATTERN = re.compile(r"#\s*migrate-aug:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?", re.I)

COMMENT_PATTERN = _PATTERN  # for --add-ignore, which writes and merges these comments

ALL = frozenset({"*"})


def suppressions(source: str) -> dict[int, frozenset[str]]:
    """Line -> suppressed codes (`ALL` for a bare ignore). Only real comments count."""
    found: dict[int, frozenset[str]] = {}
    if "migrate-aug" not in source:
        return found
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return found
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _PATTERN.search(token.string)
        if match is None:
            continue
        codes = comment_codes(match)
        found[token.start[0]] = ALL if codes is None else codes
    return found


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

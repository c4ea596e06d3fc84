"""A user's statement that the rewrite shortened, joined back onto one line as ruff (black)
would join it: `score = model.evaluate(\\n    datagen.flow(x, y, batch_size=32), steps=5\\n)`
becomes `score = model.evaluate(datagen_batches, steps=5)` once the flow call is hoisted
out, or ruff would reformat the line the tool just wrote.

Only statements split by brackets alone are joined: no comment, no magic trailing comma
(a comma just before a closing bracket keeps ruff's layout exploded), no
string over several lines, and only when the joined line fits. Pure text, no libcst.
"""

from __future__ import annotations

import io
import tokenize

_OPENING = {"(", "[", "{"}
_CLOSING = {")", "]", "}"}


def joined(code: str, indent: int, line_length: int) -> str | None:
    """`code` (one statement, without its indentation or newline) on one line, or None
    when ruff would not join it."""
    if "\n" not in code:
        return None
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    significant = [
        t for t in tokens if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER)
    ]
    if any(t.type == tokenize.COMMENT for t in significant):
        return None
    if any(t.type == tokenize.STRING and t.start[0] != t.end[0] for t in significant):
        return None
    if any(getattr(tokenize, "FSTRING_START", None) == t.type for t in significant):
        return None  # an f-string's parts: its spacing is not the tokens' to decide
    for before, after in zip(significant, significant[1:], strict=False):
        if before.string == "," and after.string in _CLOSING:
            return None  # a magic trailing comma (or a one-item tuple: left alone)
    parts: list[str] = []
    previous: tokenize.TokenInfo | None = None
    for token in significant:
        if previous is not None:
            if token.start[0] == previous.end[0]:
                parts.append(" " * (token.start[1] - previous.end[1]))
            elif previous.string not in _OPENING and token.string not in _CLOSING:
                parts.append(" ")
        parts.append(token.string)
        previous = token
    line = "".join(parts)
    if indent + len(line) > line_length:
        return None
    return line

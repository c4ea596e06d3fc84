"""Where a file stops being Python, in Python's own words.

libcst reports a parse error where its parser gave up (often the line after the mistake,
"error at 4:0: expected one of ..."); Python's compiler names the mistake and its column
("'(' was never closed" at 2:8), which is what editors and tracebacks show. Asked only once
libcst has failed, so a file that parses costs nothing more.
"""

from __future__ import annotations

import ast
import warnings


def python_syntax_error(text: str) -> tuple[str, int, int] | None:
    """(message, 1-based line, 1-based column) of Python's first syntax error in `text`,
    None when Python parses it (then libcst's own report stands)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. SyntaxWarning: invalid escape sequence
            ast.parse(text)
    except SyntaxError as error:
        return str(error.msg), error.lineno or 1, max(error.offset or 1, 1)
    except (ValueError, MemoryError, RecursionError):  # NUL bytes, absurd nesting
        return None
    return None

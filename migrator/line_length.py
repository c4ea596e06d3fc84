"""The line length a file's project formats at: emitted code is laid out at it (issue 16).

Walking up from the file's directory, the first directory that configures a formatter
decides, as ruff's own discovery does: `.ruff.toml`, then `ruff.toml` (their `line-length`,
88 when they do not set it, as ruff then formats at 88), then a `pyproject.toml` with a
`[tool.ruff]` or `[tool.black]` table (`[tool.ruff] line-length`, else `[tool.black]
line-length`, else 88). A pyproject.toml with neither table is passed over, as ruff passes
it over. No such file up to the root: 88, the default of both formatters.

A config file that cannot be read or is not valid TOML is passed over as if absent, and a
line length that is no integer in 1..320 (ruff's range) counts as not set: the formatter
will report those to the user; migrating at the default is a better failure than refusing
the file.
`extend` (a ruff config inheriting another) is not followed.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from migrator.config import tomllib

DEFAULT_LINE_LENGTH = 88
MAX_LINE_LENGTH = 320  # ruff refuses anything longer
RUFF_FILES = (".ruff.toml", "ruff.toml")  # ruff's order of precedence in one directory


def line_length_for(path: Path) -> int:
    """The line length for the file at `path` (which need not exist)."""
    start = Path(os.path.abspath(path)).parent
    return _for_directory(start)


def clear_cache() -> None:
    """Forget what was read: a run starts afresh (a config may have changed since the last
    run in this process)."""
    _for_directory.cache_clear()


@lru_cache(maxsize=1024)  # one lookup per directory of a tree, however many files it holds
def _for_directory(directory: Path) -> int:
    for name in RUFF_FILES:
        data = _read(directory / name)
        if data is not None:
            return _valid(data.get("line-length")) or DEFAULT_LINE_LENGTH
    data = _read(directory / "pyproject.toml")
    tool = data.get("tool") if data is not None else None
    if isinstance(tool, dict) and ("ruff" in tool or "black" in tool):
        for section in ("ruff", "black"):
            table = tool.get(section)
            found = _valid(table.get("line-length")) if isinstance(table, dict) else None
            if found is not None:
                return found
        return DEFAULT_LINE_LENGTH
    if directory.parent == directory:
        return DEFAULT_LINE_LENGTH
    return _for_directory(directory.parent)


def _read(path: Path) -> dict[str, object] | None:
    """The TOML table of `path`; None when it is absent, unreadable or not TOML."""
    if tomllib is None:  # Python 3.10 without tomli: no config can be read
        return None
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None


def _valid(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_LINE_LENGTH else None

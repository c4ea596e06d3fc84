"""Which files to process: walk the given paths, honour gitignore-style excludes.

- Directories are walked in sorted order; `*.py` and `*.ipynb` files are collected.
- Symlinks met while walking (to files or directories) are never followed, so nothing
  outside the given roots is touched.
- A file named on the command line must be Python or a notebook: a `.py`/`.pyi`/`.pyw`
  or `.ipynb` name, or a `#!...python` first line (a script, as pre-commit types it).
  Anything else (`README.md`) is an error, never parsed as Python.
- Excluded directories are pruned. Explicitly named files are processed even when they
  match an exclude pattern (as ruff does) unless `force_exclude` is set, which pre-commit
  hooks use because pre-commit names every file explicitly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
NAMED_SUFFIXES = (*SUFFIXES, ".pyi", ".pyw")  # also accepted when named explicitly

DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)


def _translate(pattern: str) -> str:
    """A gitignore glob as a regular expression over `/`-separated paths."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Pattern:
    """One gitignore-style pattern, anchored at `base` when it contains a slash."""

    text: str
    base: Path
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool
    anchored: bool

    @classmethod
    def parse(cls, text: str, base: Path) -> Pattern:
        body = text.strip()
        negated = body.startswith("!")
        body = body[1:] if negated else body
        directory_only = body.endswith("/")
        body = body.rstrip("/")
        anchored = "/" in body
        body = body.lstrip("/")
        return cls(
            text,
            Path(os.path.abspath(base)),
            re.compile(_translate(body)),
            negated,
            directory_only,
            anchored,
        )

    def matches(self, path: Path, is_dir: bool) -> bool:
        if self.directory_only and not is_dir:
            return False
        if not self.anchored:
            return self.regex.fullmatch(path.name) is not None
        try:
            relative = path.relative_to(self.base)
        except ValueError:
            return False  # anchored patterns only apply below their base
        return self.regex.fullmatch(relative.as_posix()) is not None


class Excluder:
    """Ordered patterns; the last matching one wins (so `!pattern` re-includes)."""

    def __init__(self, patterns: Iterable[tuple[str, Path]]) -> None:
        self.patterns = [Pattern.parse(text, base) for text, base in patterns if text.strip()]

    def excluded(self, path: Path, is_dir: bool) -> bool:
        path = Path(os.path.abspath(path))
        verdict = False
        for pattern in self.patterns:
            if pattern.matches(path, is_dir):
                verdict = not pattern.negated
        return verdict

    def excluded_with_parents(self, path: Path, root: Path) -> bool:
        """`path` or one of its directories below `root` is excluded (for named files)."""
        path = Path(os.path.abspath(path))
        root = Path(os.path.abspath(root))
        if self.excluded(path, path.is_dir()):
            return True
        for parent in path.parents:
            if parent == root or root not in parent.parents:
                break
            if self.excluded(parent, True):
                return True
        return False


@dataclass
class Discovery:
    files: list[Path]
    errors: list[str]


def discover(
    paths: Sequence[str],
    excluder: Excluder | None = None,
    *,
    force_exclude: bool = False,
    root: Path | None = None,
) -> Discovery:
    """Files to process, sorted and unique, and `path: error: ...` lines.

    `root` bounds which parent directories of a named file are tested with force_exclude
    (the config's directory, else the current one)."""
    excluder = excluder or Excluder([])
    root = root or Path.cwd()
    files: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            if force_exclude and excluder.excluded_with_parents(path, root):
                continue
            if is_python_or_notebook(path):
                files.append(path)
            else:
                errors.append(f"{raw}: error: not a Python file or notebook (.py, .ipynb)")
        elif path.is_dir():
            if force_exclude and excluder.excluded_with_parents(path, root):
                continue
            files += _walk(path, excluder)
        else:
            errors.append(f"{raw}: error: no such file or directory")
    return Discovery(sorted(dict.fromkeys(files)), errors)


def is_python_or_notebook(path: Path) -> bool:
    if path.name.endswith(NAMED_SUFFIXES):
        return True
    try:
        with path.open("rb") as stream:
            first = stream.readline(200)
    except OSError:
        return True  # unreadable: reading it reports the error with its reason
    return first.startswith(b"#!") and b"python" in first


def _walk(top: Path, excluder: Excluder) -> list[Path]:
    found: list[Path] = []
    for directory, subdirectories, names in os.walk(top):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if not os.path.islink(os.path.join(directory, name))
            and not excluder.excluded(Path(directory, name), True)
        )
        for name in sorted(names):
            full = Path(directory, name)
            if (
                name.endswith(SUFFIXES)
                and not full.is_symlink()
                and not excluder.excluded(full, False)
            ):
                found.append(full)
    return found

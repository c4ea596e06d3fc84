"""How findings and errors are shown: text (colour by meaning, `help:` lines), json, github.

The SARIF output is in migrator/sarif.py, diffs in migrator/diffs.py. Nothing here writes
files; `Diagnostic.format()` is the one-line form without the help (baseline messages).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Literal

import click

from migrator.diagnostics import Diagnostic

Meaning = Literal["rewritten", "reported", "refused", "note"]

# Colour by meaning, so that a rewrite (the tool did its job) never looks like an error.
STYLES: dict[str, dict[str, object]] = {
    "rewritten": {"fg": "green", "bold": True},
    "reported": {"fg": "yellow", "bold": True},
    "refused": {"fg": "magenta", "bold": True},
    "note": {"fg": "cyan", "bold": True},
    "error": {"fg": "red", "bold": True},
    "warning": {"fg": "yellow", "bold": True},
    "path": {"bold": True},
    "help": {"fg": "cyan", "bold": True},
    "hunk": {"fg": "cyan"},
    "diff_removed": {"fg": "red"},
    "diff_added": {"fg": "green"},
}


def meaning(diagnostic: Diagnostic) -> Meaning:
    if diagnostic.is_note:
        return "note"
    if diagnostic.code.startswith("MA1"):
        return "refused"
    return "rewritten" if diagnostic.fixable else "reported"


def use_colour(isatty: bool, environ: Mapping[str, str]) -> bool:
    """NO_COLOR (https://no-color.org) wins, then FORCE_COLOR, then whether it is a TTY.
    Both count when set to anything but the empty string, as their conventions say."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return isatty


def paint(text: str, role: str, colour: bool) -> str:
    return click.style(text, **STYLES[role]) if colour else text  # type: ignore[arg-type]


def notebook_cell(path: str) -> tuple[str, int | None]:
    """`nb.ipynb:cell 3` (a notebook diagnostic's path) -> ("nb.ipynb", 3)."""
    file, marker, cell = path.rpartition(":cell ")
    if marker and cell.isdigit():
        return file, int(cell)
    return path, None


# -- "would be": --check and --diff write nothing ------------------------------------------
# The codemod words a rewrite as done ("replaced by the tf.data pipeline"); in a run that
# writes nothing it is what would happen. Only the verbs of fixable findings change.
_PROSPECTIVE = (
    (re.compile(r": replaced (whole )?by "), r": would be replaced \1by "),
    (re.compile(r": imported from "), ": would be imported from "),
    (re.compile(r"; dropped "), "; would drop "),
)


def prospective(diagnostic: Diagnostic) -> Diagnostic:
    if not diagnostic.fixable:
        return diagnostic
    message = diagnostic.message
    for pattern, wording in _PROSPECTIVE:
        message = pattern.sub(wording, message, count=1)
    return replace(diagnostic, message=message)


# -- text -----------------------------------------------------------------------------------
def render_text(diagnostic: Diagnostic, colour: bool) -> str:
    """`path:line:col: CODE message`, then `  help: ...` on a line of its own."""
    location = f"{paint(diagnostic.path, 'path', colour)}:{diagnostic.line}:{diagnostic.column}:"
    code = paint(diagnostic.code, meaning(diagnostic), colour)
    text = f"{location} {code} {diagnostic.message}"
    if diagnostic.help:
        text += f"\n  {paint('help', 'help', colour)}: {diagnostic.help}"
    return text


_ERROR = re.compile(r"^(?P<where>.*?): (?P<kind>internal error|error|warning): ")


def render_error(line: str, colour: bool) -> str:
    """`path:1:2: error: ...` with the path and the word `error` coloured."""
    match = _ERROR.match(line)
    if match is None or not colour:
        return line
    role = "warning" if match["kind"] == "warning" else "error"
    return (
        f"{paint(match['where'], 'path', colour)}: {paint(match['kind'], role, colour)}: "
        + line[match.end() :]
    )


# -- json -----------------------------------------------------------------------------------
def as_json(diagnostic: Diagnostic) -> dict[str, object]:
    file, cell = notebook_cell(diagnostic.path)
    return {
        "path": file,
        "cell": cell,  # notebooks: 1-based cell index, `line`/`column` are within it
        "line": diagnostic.line,
        "column": diagnostic.column,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "help": diagnostic.help,
        "fixable": diagnostic.fixable,
        "replacement": diagnostic.replacement,
        "severity": "note" if diagnostic.is_note else "warning",
        "kind": meaning(diagnostic),
    }


# -- GitHub workflow commands ---------------------------------------------------------------
def _escape_data(text: str) -> str:
    """What GitHub's `::warning ...::message` needs escaped in the message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostic: Diagnostic) -> str:
    kind = "notice" if diagnostic.is_note else "warning"
    message = diagnostic.message + (f"\nhelp: {diagnostic.help}" if diagnostic.help else "")
    file, cell = notebook_cell(diagnostic.path)
    if cell is not None:
        # GitHub places annotations by the file's own lines; a cell's line is not one.
        title = f"{diagnostic.code} (cell {cell}, line {diagnostic.line})"
        return f"::{kind} file={_escape_property(file)},title={_escape_property(title)}::" + (
            _escape_data(message)
        )
    return (
        f"::{kind} file={_escape_property(file)},line={diagnostic.line},"
        f"col={diagnostic.column},title={diagnostic.code}::{_escape_data(message)}"
    )

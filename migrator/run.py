"""One run of `fix` / `check` / `diff` on files already discovered: migrate, write or
show, report, and the exit code. The command line (migrator/cli.py) only parses.

Output follows ruff's habits: findings on stdout (text, json, github or sarif), `Rewrote`
lines, errors and the summary on stderr; `-q` keeps only the findings (and errors), `-qq`
prints nothing; colour only where `colour` says (see report.use_colour).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from migrator.api import Options
from migrator.diagnostics import Diagnostic
from migrator.diffs import colour_diff, file_diff
from migrator.processing import process
from migrator.report import as_json, paint, prospective, render_error, render_github, render_text
from migrator.sarif import sarif_log
from migrator.sourcefile import write_source

Echo = Callable[..., None]  # click.echo's signature: (text, err=False, nl=True, color=None)


@dataclass(frozen=True)
class Presentation:
    style: str = "text"  # text, json, github, sarif
    quiet: int = 0  # 0: everything; 1 (-q): findings and errors only; 2 (-qq): nothing
    colour: bool = False


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def run_files(
    files: Sequence[Path],
    options: Options,
    jobs: int,
    *,
    write: bool,
    diff: bool,
    shown: Presentation,
    echo: Echo,
) -> int:
    """Migrate `files`; write them (`write`) or show the diff (`diff`); return the exit
    code: 2 if a file could not be read, parsed or written, else 1 if anything changed,
    would change or needs attention, else 0."""
    speak = shown.quiet == 0
    silent = shown.quiet >= 2
    colour = shown.colour
    errors: list[str] = []
    findings: list[Diagnostic] = []
    changed: list[str] = []
    for outcome in process(files, options, jobs):
        path = outcome.path
        if outcome.error is not None:
            errors.append(outcome.error)
        result, source = outcome.result, outcome.source
        if result is None or source is None:
            continue
        shown_findings = result.diagnostics
        findings += shown_findings if write else map(prospective, shown_findings)
        if not result.changed:
            continue
        changed.append(str(path))
        if diff:
            if not silent:
                text = file_diff(str(path), source.text, result.new_source)
                echo(colour_diff(text, colour), nl=False, color=colour)
        elif write:
            try:
                write_source(source, result.new_source)
            except OSError as error:
                errors.append(f"{path}: error: cannot write: {error.strerror or error}")
                changed.pop()
                continue
            if speak and shown.style == "text":
                echo(f"Rewrote {paint(str(path), 'path', colour)}", err=True, color=colour)
    if not silent:
        _show_findings(findings, shown, echo)
        for error in errors:
            echo(render_error(error, colour), err=True, color=colour)
    if speak and shown.style == "text":
        verb = "rewritten" if write else "would be rewritten"
        echo(
            f"{_plural(len(changed), 'file')} {verb}, {_plural(len(findings), 'finding')}, "
            f"{_plural(len(errors), 'error')}",
            err=True,
        )
    attention = [d for d in findings if not d.is_note and not (d.fixable and write)]
    if errors:
        return 2
    return 1 if changed or attention else 0


def _show_findings(findings: list[Diagnostic], shown: Presentation, echo: Echo) -> None:
    if shown.style == "json":
        echo(json.dumps([as_json(d) for d in findings], indent=2))
    elif shown.style == "sarif":
        echo(json.dumps(sarif_log(findings), indent=2))
    elif shown.style == "github":
        for diagnostic in findings:
            echo(render_github(diagnostic))
    else:
        for diagnostic in findings:
            echo(render_text(diagnostic, shown.colour), color=shown.colour)

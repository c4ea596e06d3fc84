"""One run of `fix` / `check` / `diff` on files already discovered: migrate, write or
show, report, and the exit code. The command line (migrator/cli.py) only parses.

Output follows ruff's habits: findings on stdout (text, json, github or sarif), `Rewrote`
lines, errors and the summary on stderr; `-q` keeps only the findings (and errors), `-qq`
prints nothing; colour only where `colour` says (see report.use_colour).

The runtime module files the migrated files import (migrator/runtime_files.py) go out
before those files: a new one is announced by one line (`Wrote`, or `Would write` under
--check and --diff: its 1,600 lines are not shown as a diff), an upgrade is a rewrite
like any other (a real diff). A file whose module cannot be written is not written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from migrator.api import Options
from migrator.diagnostics import Diagnostic
from migrator.diffs import colour_diff, file_diff
from migrator.processing import Outcome, process
from migrator.report import as_json, paint, prospective, render_error, render_github, render_text
from migrator.runtime_files import ModuleFile, plan, refused
from migrator.sarif import sarif_log
from migrator.sourcefile import write_new, write_source

Echo = Callable[..., None]  # click.echo's signature: (text, err=False, nl=True, color=None)


@dataclass(frozen=True)
class Presentation:
    style: str = "text"  # text, json, github, sarif
    quiet: int = 0  # 0: everything; 1 (-q): findings and errors only; 2 (-qq): nothing
    colour: bool = False


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


@dataclass
class _Tally:
    errors: list[str] = field(default_factory=list)
    findings: list[Diagnostic] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unwritten: set[str] = field(default_factory=set)  # files whose module is not there
    # New module files, written just before the first of their files (never for files
    # that are not written), by the files' real paths; and those written so far.
    pending: dict[str, ModuleFile] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)  # module path -> files written


def _modules(
    outcomes: list[Outcome],
    options: Options,
    runtime_module: Path | None,
    *,
    write: bool,
    diff: bool,
    shown: Presentation,
    echo: Echo,
    tally: _Tally,
) -> None:
    """Write (or show) the runtime module files the migrated files need; refuse the
    files whose module name is taken by a module of the project."""
    modules = plan(outcomes, options, runtime_module)
    by_user = {os.path.realpath(user): m for m in modules for user in m.users}
    for outcome in outcomes:
        module = by_user.get(os.path.realpath(outcome.path))
        if module is not None and module.conflict and outcome.result is not None:
            outcome.result = refused(outcome.result, outcome.path, module, options)
    for module in modules:
        tally.findings += module.findings if write else map(prospective, module.findings)
        if module.error is not None:
            tally.errors.append(module.error)
        if module.new_text is None:
            if module.error is not None:
                tally.unwritten.update(os.path.realpath(user) for user in module.users)
            continue
        tally.changed.append(str(module.path))
        if write and module.source is None:  # created with its first file (_created_for)
            tally.pending.update({os.path.realpath(user): module for user in module.users})
            continue
        if not _module_out(module, write=write, diff=diff, shown=shown, echo=echo, tally=tally):
            tally.changed.pop()
            tally.unwritten.update(os.path.realpath(user) for user in module.users)


def _created_for(path: Path, shown: Presentation, echo: Echo, tally: _Tally) -> bool:
    """The new module file `path` imports, written now if it is not there yet; False when
    it cannot be (the file is then not written either)."""
    module = tally.pending.get(os.path.realpath(path))
    if module is None or str(module.path) in tally.created:
        return True
    if os.path.realpath(path) in tally.unwritten:
        return False
    name = str(module.path)
    if not _module_out(module, write=True, diff=False, shown=shown, echo=echo, tally=tally):
        if name in tally.changed:
            tally.changed.remove(name)
        tally.unwritten.update(os.path.realpath(user) for user in module.users)
        return False
    tally.created[name] = 0
    if name not in tally.changed:  # created again after a file of it failed
        tally.changed.append(name)
    return True


def _written(path: Path, ok: bool, tally: _Tally) -> None:
    """After a file's write: a module created for it alone goes again when the file could
    not be written (nothing is left behind that nothing imports)."""
    module = tally.pending.get(os.path.realpath(path))
    if module is None or str(module.path) not in tally.created:
        return
    if ok:
        tally.created[str(module.path)] += 1
    elif tally.created[str(module.path)] == 0:
        Path(module.path).unlink(missing_ok=True)
        del tally.created[str(module.path)]
        if str(module.path) in tally.changed:
            tally.changed.remove(str(module.path))


def _module_out(
    module: ModuleFile, *, write: bool, diff: bool, shown: Presentation, echo: Echo, tally: _Tally
) -> bool:
    """Show or write one module file; False when it could not be written."""
    speak = shown.quiet == 0 and shown.style == "text"
    colour = shown.colour
    path = paint(str(module.path), "path", colour)
    assert module.new_text is not None
    if diff and module.source is not None:  # an upgrade: the real diff
        if shown.quiet < 2:
            text = file_diff(str(module.path), module.source.text, module.new_text)
            echo(colour_diff(text, colour), nl=False, color=colour)
        return True
    if not write:
        if speak:
            lines = module.new_text.count("\n")
            echo(
                f"Would write {path} ({module.description}, {lines:,} lines; not shown)",
                err=True,
                color=colour,
            )
        return True
    try:
        if module.source is None:
            write_new(module.path, module.new_text)
        else:
            write_source(module.source, module.new_text)
    except OSError as error:
        tally.errors.append(f"{module.path}: error: cannot write: {error.strerror or error}")
        return False
    if speak:
        verb = "Wrote" if module.source is None else "Rewrote"
        echo(f"{verb} {path} ({module.description})", err=True, color=colour)
    return True


def run_files(
    files: Sequence[Path],
    options: Options,
    jobs: int,
    *,
    write: bool,
    diff: bool,
    shown: Presentation,
    echo: Echo,
    runtime_module: Path | None = None,
) -> int:
    """Migrate `files`; write them (`write`) or show the diff (`diff`); return the exit
    code: 2 if a file could not be read, parsed or written, else 1 if anything changed,
    would change or needs attention, else 0. `runtime_module`: the one module file of
    the project (`runtime-module`), else each migrated file's sibling."""
    speak = shown.quiet == 0
    silent = shown.quiet >= 2
    colour = shown.colour
    tally = _Tally()
    errors, findings, changed = tally.errors, tally.findings, tally.changed
    outcomes = process(files, options, jobs)
    _modules(
        outcomes,
        options,
        runtime_module,
        write=write,
        diff=diff,
        shown=shown,
        echo=echo,
        tally=tally,
    )
    for outcome in outcomes:
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
            if os.path.realpath(path) in tally.unwritten or not _created_for(
                path, shown, echo, tally
            ):
                errors.append(f"{path}: error: not rewritten: its runtime module is not there")
                changed.remove(str(path))
                continue
            try:
                write_source(source, result.new_source)
            except OSError as error:
                errors.append(f"{path}: error: cannot write: {error.strerror or error}")
                changed.remove(str(path))
                _written(path, False, tally)
                continue
            _written(path, True, tally)
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

"""The `migrate-aug` command. Never imports TensorFlow (the verifier loads it lazily)."""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path

import click

from migrator import __version__
from migrator.api import PREFILTERS, Options, SourceParseError, migrate_source
from migrator.diagnostics import Diagnostic
from migrator.rules import RULES, RULES_BY_CODE, expand_selector
from migrator.sourcefile import SourceReadError, read_source, write_source

SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "build",
        "dist",
        "site-packages",
        "node_modules",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
    }
)


def discover(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Files to process (sorted, symlinks inside directories not followed) and errors."""
    files: list[Path] = []
    errors: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            for root, directories, names in os.walk(path):
                directories[:] = sorted(
                    d
                    for d in directories
                    if d not in SKIPPED_DIRECTORIES and not os.path.islink(os.path.join(root, d))
                )
                for name in sorted(names):
                    full = Path(root, name)
                    if name.endswith(".py") and not full.is_symlink():
                        files.append(full)
        else:
            errors.append(f"{raw}: error: no such file or directory")
    return sorted(dict.fromkeys(files)), errors


def _selection(select: str | None, ignore: str | None) -> frozenset[str]:
    chosen: set[str] = set()
    for selector in (select or "ALL").split(","):
        chosen |= expand_selector(selector)
    for selector in (ignore or "").split(","):
        if selector.strip():
            chosen -= expand_selector(selector)
    return frozenset(chosen)


def _format(diagnostic: Diagnostic, style: str, color: bool) -> str:
    if style == "github":
        kind = "notice" if diagnostic.is_note else "warning"
        return (
            f"::{kind} file={diagnostic.path},line={diagnostic.line},col={diagnostic.column},"
            f"title={diagnostic.code}::{diagnostic.message}"
        )
    text = diagnostic.format()
    if color:
        code = click.style(diagnostic.code, fg="cyan" if diagnostic.is_note else "red", bold=True)
        text = text.replace(f" {diagnostic.code} ", f" {code} ", 1)
    return text


class _DefaultGroup(click.Group):
    """`migrate-aug PATH...` runs the default command; `rules`/`verify` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            if not any(a in ("--help", "-h") for a in args[:1]):
                args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrate-aug")
def main() -> None:
    """Rewrite Keras ImageDataGenerator pipelines into fast, faithful tf.data pipelines."""


@main.command("run")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option(
    "--check", is_flag=True, help="Write nothing; report; exit 1 if anything would change."
)
@click.option(
    "--all", "rewrite_all", is_flag=True, help="Also rewrite sites without a strategy (MA002)."
)
@click.option("--select", help="Comma-separated rule codes or prefixes (e.g. MA0,MA101).")
@click.option("--ignore", help="Comma-separated rule codes or prefixes to skip.")
@click.option("--format", "style", type=click.Choice(["text", "json", "github"]), default="text")
@click.option("--quiet", "-q", is_flag=True, help="Only errors and the summary.")
@click.option("--explain", metavar="CODE", help="Explain one rule and exit.")
@click.option("--verify", "verify", is_flag=True, help="Migrate to a temporary copy and verify.")
def run(paths, diff, check, rewrite_all, select, ignore, style, quiet, explain, verify) -> None:  # noqa: ANN001
    """Migrate PATHS (files or directories) in place."""
    if explain:
        rule = RULES_BY_CODE.get(explain.upper())
        if rule is None:
            raise click.UsageError(f"unknown rule {explain!r}; see `migrate-aug rules`")
        click.echo(f"{rule.code} ({rule.name}, {rule.kind})\n\n{rule.summary}.\n\n{rule.why}")
        return
    if not paths:
        raise click.UsageError("give at least one PATH")
    options = Options(rewrite_without_strategy=rewrite_all, select=_selection(select, ignore))
    if verify:
        sys.exit(_verify_paths(list(paths), options))
    color = style == "text" and sys.stdout.isatty()
    files, errors = discover(list(paths))
    findings: list[Diagnostic] = []
    changed: list[str] = []
    for path in files:
        try:
            source = read_source(path)
        except SourceReadError as error:
            errors.append(f"{path}: error: {error}")
            continue
        if not any(marker in source.text for marker in PREFILTERS):
            continue
        try:
            result = migrate_source(source.text, str(path), options)
        except SourceParseError as error:
            errors.append(
                f"{path}:{error.line}:{error.column}: error: cannot parse: {error.message}"
            )
            continue
        except Exception as error:  # noqa: BLE001 - one bad file never stops the run
            errors.append(
                f"{path}: internal error: {type(error).__name__}: {error}; "
                "please report this to the migrate-aug maintainers"
            )
            continue
        findings += result.diagnostics
        if not result.changed:
            continue
        changed.append(str(path))
        if diff:
            click.echo(
                "".join(
                    difflib.unified_diff(
                        source.text.splitlines(keepends=True),
                        result.new_source.splitlines(keepends=True),
                        f"a/{path}",
                        f"b/{path}",
                    )
                ),
                nl=False,
            )
        elif not check:
            try:
                write_source(source, result.new_source)
            except OSError as error:
                errors.append(f"{path}: error: cannot write: {error}")
                changed.pop()
                continue
            if not quiet and style == "text":
                click.echo(f"Rewrote {path}", err=True)
    if style == "json":
        click.echo(json.dumps([_as_json(d) for d in findings], indent=2))
    elif not quiet:
        for diagnostic in findings:
            click.echo(_format(diagnostic, style, color))
    for error in errors:
        click.echo(error, err=True)
    attention = [d for d in findings if not d.is_note and not (d.fixable and not (check or diff))]
    verb = "would be rewritten" if (check or diff) else "rewritten"
    if style == "text":
        click.echo(
            f"{len(changed)} file{'s' * (len(changed) != 1)} {verb}, "
            f"{len(findings)} finding{'s' * (len(findings) != 1)}, "
            f"{len(errors)} error{'s' * (len(errors) != 1)}",
            err=True,
        )
    if errors:
        sys.exit(2)
    sys.exit(1 if changed or attention else 0)


def _as_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "fixable": diagnostic.fixable,
        "replacement": diagnostic.replacement,
        "severity": "note" if diagnostic.is_note else "warning",
    }


def _verify_paths(paths: list[str], options: Options) -> int:
    from migrator.verify.command import verify_paths

    return verify_paths(paths, options)


@main.command("rules")
def rules() -> None:
    """List the rules."""
    for rule in RULES:
        click.echo(f"{rule.code}  {rule.name:<34} {rule.kind:<8} {rule.summary}")


@main.command("verify", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def verify(args: tuple[str, ...]) -> None:
    """Train ORIGINAL and MIGRATED briefly under a strategy and compare (needs [verify])."""
    from importlib.util import find_spec

    if find_spec("tensorflow") is None:
        click.echo(
            "migrate-aug verify needs TensorFlow: pip install 'migrate-aug[verify]'", err=True
        )
        sys.exit(2)
    from migrator.verify.command import verify as verify_command

    verify_command.main(args=list(args), prog_name="migrate-aug verify")


if __name__ == "__main__":
    main()

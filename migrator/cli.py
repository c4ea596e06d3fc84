"""The `migrate-aug` command. Never imports TensorFlow (the verifier loads it lazily)."""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from migrator import __version__
from migrator.api import AUGMENT_ON, Options
from migrator.config import (
    Config,
    ConfigError,
    check_selectors,
    check_service_address,
    find_config,
    load_config,
)
from migrator.discovery import DEFAULT_EXCLUDE, Excluder, discover
from migrator.explain import explanation, rule_line, rules_json
from migrator.processing import default_jobs
from migrator.report import render_error, use_colour
from migrator.rules import RULES, RULES_BY_CODE, expand_selector
from migrator.run import Presentation, run_files


def _split(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


def _selection(select: Sequence[str] | None, ignore: Sequence[str] | None) -> frozenset[str]:
    chosen: set[str] = set()
    for selector in select or ["ALL"]:
        chosen |= expand_selector(selector)
    for selector in ignore or []:
        chosen -= expand_selector(selector)
    return frozenset(chosen)


IMPLICIT = "migrate_aug.implicit"  # ctx.meta: the user typed no command name
EXPLICIT_PATHS = "migrate_aug.explicit_paths"  # ctx.meta: `--` was given


class _DefaultGroup(click.Group):
    """`migrate-aug PATH...` runs `fix`; `check`, `diff`, `rules`, `verify` are commands.

    A word that is not a command is a path of `fix`; a path that does not exist is a usage
    error before anything is written, so `migrate-aug chek .` writes nothing."""

    LAZY = ("verify",)  # loaded when asked for: the verifier's module is not needed else

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "verify":  # the verifier's own command: its --help lists its options
            from migrator.verify.command import verify

            return verify
        return super().get_command(ctx, name)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["[OPTIONS]", "[COMMAND]", "[PATH]..."]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The group's options and commands, then every option of the path commands: the
        default command's options are what most users look for."""
        super().format_options(ctx, formatter)
        records = [
            record
            for param in fix.get_params(ctx)
            if param.name != "help" and (record := param.get_help_record(ctx)) is not None
        ]
        with formatter.section("Options of fix (the default), check and diff"):
            formatter.write_dl(records)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # `migrate-aug --` (what the pre-commit hooks run) with no file is not a usage error.
        ctx.meta[EXPLICIT_PATHS] = "--" in args
        ctx.meta[IMPLICIT] = False
        if not args or args[0] not in self.list_commands(ctx):
            if not any(a in ("--help", "-h", "--version") for a in args[:1]):
                args = ["fix", *args]
                ctx.meta[IMPLICIT] = True
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """No traceback reaches the user: an unexpected error is one line and exit 2."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("migrate-aug: interrupted (files written so far are complete)", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `migrate-aug --diff . | head`: the reader has gone
            try:  # nothing more to print, and no "Exception ignored" at exit either
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError):
                pass
            sys.exit(1)
        except Exception as error:  # noqa: BLE001
            click.echo(
                f"migrate-aug: internal error: {type(error).__name__}: {error}; "
                "please report this to the migrate-aug maintainers",
                err=True,
            )
            sys.exit(2)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migrate-aug")
def main() -> None:
    """Rewrite Keras ImageDataGenerator pipelines into fast, faithful tf.data pipelines.

    \b
    migrate-aug PATH...               rewrite files and directories in place (= fix)
    migrate-aug diff PATH...          show what would change; write nothing (= --diff)
    migrate-aug check PATH...         report; exit 1 if anything would change (= --check)
    migrate-aug --add-ignore PATH...  silence every current finding with a comment
    migrate-aug rules [CODE]...       the rule catalogue (--format json)
    migrate-aug --explain CODE        one rule: what, why, its before/after
    migrate-aug verify ORIG NEW       train both briefly under a strategy, compare

    A path that does not exist is a usage error (exit 2) and nothing is written.
    Configuration: [tool.migrate-aug] in pyproject.toml.
    """


def _settings(config_path: str | None, isolated: bool, paths: Sequence[str]) -> Config:
    if isolated:
        return Config()
    if config_path is not None:
        return load_config(Path(config_path))
    found = find_config(paths)
    return load_config(found) if found is not None else Config()


def _excluder(config: Config, exclude: str | None, extend_exclude: str | None) -> Excluder:
    cwd = Path.cwd()
    patterns: list[tuple[str, Path]]
    if exclude is not None:
        patterns = [(p, cwd) for p in _split(exclude)]
    elif config.exclude is not None:
        patterns = [(p, config.root) for p in config.exclude]
    else:
        patterns = [(p, cwd) for p in DEFAULT_EXCLUDE]
    patterns += [(p, config.root) for p in config.extend_exclude]
    patterns += [(p, cwd) for p in _split(extend_exclude)]
    return Excluder(patterns)


class _PathsContext(click.Context):
    """Usage lines say `migrate-aug [OPTIONS] PATH...` when the user typed no command
    name, not the name of the command the paths were routed to."""

    @property
    def command_path(self) -> str:
        if self.meta.get(IMPLICIT) and self.parent is not None:
            return self.parent.command_path
        return super().command_path


class _PathsCommand(click.Command):
    context_class = _PathsContext


FORMATS = ("text", "json", "github", "sarif")

_PATH_OPTIONS = [
    click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]..."),
    click.option("--diff", is_flag=True, help="Print a unified diff; write nothing."),
    click.option(
        "--check", is_flag=True, help="Write nothing; report; exit 1 if anything would change."
    ),
    click.option(
        "--all/--no-all",
        "rewrite_all",
        default=None,
        help="Also rewrite sites without a strategy (MA002). Config: all = true.",
    ),
    click.option(
        "--select", metavar="CODES", help="Comma-separated rule codes or prefixes (e.g. MA0,MA101)."
    ),
    click.option(
        "--ignore", metavar="CODES", help="Comma-separated rule codes or prefixes to skip."
    ),
    click.option(
        "--format",
        "style",
        type=click.Choice(FORMATS),
        default="text",
        show_default=True,
        help="How findings are printed (sarif: GitHub code scanning).",
    ),
    click.option(
        "--quiet",
        "-q",
        count=True,
        help="-q: print only the findings (and errors); -qq: print nothing (the exit code tells).",
    ),
    click.option(
        "--add-ignore",
        is_flag=True,
        help="Write `# migrate-aug: ignore[CODE]` comments for every current finding; rewrite nothing.",
    ),
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        metavar="N",
        help="Files processed in parallel [default: number of cores].",
    ),
    click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="pyproject.toml to read [tool.migrate-aug] from (default: nearest one up).",
    ),
    click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
    click.option(
        "--exclude",
        metavar="PATTERNS",
        help="Comma-separated gitignore-style patterns (replace the defaults).",
    ),
    click.option(
        "--extend-exclude",
        metavar="PATTERNS",
        help="Comma-separated patterns excluded in addition.",
    ),
    click.option(
        "--force-exclude",
        is_flag=True,
        default=None,
        help="Apply excludes to files named on the command line too (pre-commit).",
    ),
    click.option(
        "--augment-on",
        type=click.Choice(AUGMENT_ON),
        default=None,
        help="Where augmentation runs: host (the tf.data pipeline, default) or replica (a layer "
        "at the model input, on each replica, where faithful). Config: augment-on.",
    ),
    click.option(
        "--inline/--no-inline",
        "inline",
        default=None,
        help="Put the runtime module's text into each migrated file instead of an "
        "idg_tfdata.py beside it (notebooks always get it inline). Config: inline = true.",
    ),
    click.option(
        "--tf-data-service",
        "tf_data_service",
        metavar="ADDRESS",
        help="Hand the emitted pipelines' reading and augmentation to the tf.data service "
        "dispatcher at ADDRESS (grpc://HOST:PORT): `idg_tfdata.served(...)`. "
        'Config: tf-data-service = "grpc://...".',
    ),
    click.option(
        "--explain", metavar="CODE", help="Print one rule's explanation and example, and exit."
    ),
    click.option(
        "--verify", "verify", is_flag=True, help="Migrate to a temporary copy and verify."
    ),
]


def _path_command(name: str, mode: str, summary: str, *, hidden: bool = False) -> click.Command:
    """A command on PATHS. `mode` (fix, check, diff) is what it does without flags."""

    def command(**kwargs: Any) -> None:
        if mode == "check":
            kwargs["check"] = True
        elif mode == "diff":
            kwargs["diff"] = True
        _run(click.get_current_context(), **kwargs)

    command.__doc__ = summary
    for decorator in reversed(_PATH_OPTIONS):
        command = decorator(command)
    return main.command(
        name,
        cls=_PathsCommand,
        hidden=hidden,
        context_settings={"help_option_names": ["-h", "--help"]},
    )(command)


fix = _path_command(
    "fix",
    "fix",
    "Rewrite PATHS (files and directories; .py and .ipynb) in place. `migrate-aug PATH...` "
    "is `migrate-aug fix PATH...`.",
)
check = _path_command(
    "check", "check", "Write nothing; report; exit 1 if anything would change (= fix --check)."
)
diff = _path_command(
    "diff", "diff", "Write nothing; print the unified diff of what would change (= fix --diff)."
)
run = _path_command("run", "fix", "The same as `fix` (the earlier name).", hidden=True)


def _colour(style: str) -> bool:
    return style == "text" and use_colour(sys.stdout.isatty(), os.environ)


def _run(
    ctx: click.Context,
    paths: tuple[str, ...],
    diff: bool,
    check: bool,
    rewrite_all: bool | None,
    select: str | None,
    ignore: str | None,
    style: str,
    quiet: int,
    add_ignore: bool,
    jobs: int | None,
    config_path: str | None,
    isolated: bool,
    exclude: str | None,
    extend_exclude: str | None,
    force_exclude: bool | None,
    augment_on: str | None,
    inline: bool | None,
    tf_data_service: str | None,
    explain: str | None,
    verify: bool,
) -> None:
    """Discover every file first (a usage error writes nothing), then migrate."""
    if explain:
        rule = RULES_BY_CODE.get(explain.strip().upper())
        if rule is None:
            raise click.UsageError(f"unknown rule {explain!r}; see `migrate-aug rules`")
        colour = _colour("text")
        click.echo(explanation(rule, colour), nl=False, color=colour)
        return
    if not paths and not ctx.meta.get(EXPLICIT_PATHS):
        raise click.UsageError("give at least one PATH")
    if add_ignore and (diff or check or verify):
        raise click.UsageError("--add-ignore cannot be combined with --diff, --check or --verify")
    try:
        config = _settings(config_path, isolated, paths)
        for flag, value in (("--select", select), ("--ignore", ignore)):
            check_selectors(_split(value), flag)
        if tf_data_service is not None:
            check_service_address(tf_data_service, "--tf-data-service")
    except ConfigError as error:
        click.echo(f"migrate-aug: error: {error}", err=True)
        sys.exit(2)
    options = Options(
        rewrite_without_strategy=rewrite_all if rewrite_all is not None else bool(config.all),
        select=_selection(
            _split(select) if select is not None else config.select,
            _split(ignore) if ignore is not None else config.ignore,
        ),
        augment_on=augment_on or config.augment_on or "host",
        runtime_import=config.runtime_import or Options.runtime_import,
        inline_runtime=inline if inline is not None else bool(config.inline),
        tf_data_service=tf_data_service or config.tf_data_service,
    )
    if verify and options.tf_data_service:
        # The verifier trains the migrated copy here, whose pipelines would wait for a
        # dispatcher: verify without the option (the pipelines are the same up to served).
        raise click.UsageError(
            "--verify cannot be combined with --tf-data-service (or tf-data-service in the "
            "config): verify without it, with --isolated"
        )
    found = discover(
        paths,
        _excluder(config, exclude, extend_exclude),
        force_exclude=bool(force_exclude if force_exclude is not None else config.force_exclude),
        root=config.root,
    )
    if found.errors:  # a typo is not a path: stop before any file is touched
        raise click.UsageError(_path_errors(found.errors, paths, list(main.commands)))
    shown = Presentation(style=style, quiet=quiet, colour=_colour(style))
    if paths and not found.files and quiet < 2:
        # Not an error (a tree may have no Python yet), but never silence: say so.
        where = ", ".join(paths)
        warning = f"migrate-aug: warning: no Python file or notebook found in {where}"
        click.echo(render_error(warning, shown.colour), err=True, color=shown.colour)
    if verify:
        sys.exit(_verify_paths(list(paths), options))
    jobs = jobs or default_jobs()
    if add_ignore:
        sys.exit(_add_ignore(found.files, options, jobs, quiet))
    sys.exit(
        run_files(
            found.files,
            options,
            jobs,
            write=not (check or diff),
            diff=diff,
            shown=shown,
            echo=click.echo,
            runtime_module=config.runtime_module,
        )
    )


def _path_errors(errors: list[str], paths: Sequence[str], commands: Sequence[str]) -> str:
    """The paths that cannot be used, and the command a mistyped word probably meant."""
    lines = [error.replace(": error: ", ": ", 1) for error in errors]
    lines.append("nothing was written")
    for path in paths:
        close = difflib.get_close_matches(path, [c for c in commands if c != "run"], n=1)
        if close and not os.path.lexists(path):
            lines.append(f"did you mean `migrate-aug {close[0]} ...`?")
            break
    return "\n".join(lines)


def _add_ignore(files: list[Path], options: Options, jobs: int, quiet: int) -> int:
    from migrator.baseline import add_ignores

    return add_ignores(files, [], options, jobs, quiet, echo=click.echo)


def _verify_paths(paths: list[str], options: Options) -> int:
    from migrator.verify.command import verify_paths

    return verify_paths(paths, options)


@main.command("rules", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@click.option(
    "--format",
    "style",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: every field of each rule, with its example.",
)
def rules(codes: tuple[str, ...], style: str) -> None:
    """List the rules, or those CODEs (codes or prefixes: MA001, MA1)."""
    chosen: set[str] = set()
    for code in codes:
        expanded = expand_selector(code)
        if not expanded:
            raise click.UsageError(f"unknown rule code or prefix {code!r}")
        chosen |= expanded
    selected = [rule for rule in RULES if not codes or rule.code in chosen]
    if style == "json":
        click.echo(rules_json(selected))
        return
    for rule in selected:
        click.echo(rule_line(rule))


if __name__ == "__main__":
    main()

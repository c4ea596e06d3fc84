"""`migrate-aug verify ORIGINAL MIGRATED` and `migrate-aug --verify PATH...`.

Importing this module imports neither TensorFlow nor numpy: the programs run in child
processes (see `runner` and `bootstrap`).

Files: the verifier never writes to the user's files. Records and the migrated copies of
`--verify` live in a temporary directory removed at the end, whatever happens. The
programs' logs (and, for `--verify`, a copy of each migrated file, so the log's line numbers
can be read) go to a log directory that is kept and shown in the report: `--log-dir`, or a
new `migrate-aug-verify-logs-*` directory in the system's temporary directory.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import click

from migrator.verify.compare import ENVIRONMENT, FAIL
from migrator.verify.report import EXIT
from migrator.verify.runner import (
    DEFAULT_MEMORY,
    DEFAULT_TIMEOUT,
    parse_memory,
    run_program,
)
from migrator.verify.runtime import (
    AUTO,
    CHOICES,
    KERAS2,
    KERAS3,
    Runtime,
    choose_runtime,
    read_source,
)
from migrator.verify.standin import parse_mapping, stage, stand_ins

WARNING = (
    "migrate-aug verify: this executes your programs' code (each until its first fit, "
    "a few training steps); it never writes to your files and removes its temporary "
    "files (the logs are kept)."
)
MISSING_TENSORFLOW = (
    "migrate-aug verify needs TensorFlow, which is not installed: pip install 'migrate-aug[verify]'"
)
SKIPPED_DIRECTORIES = {"__pycache__", "node_modules", "site-packages", "venv", "env"}


@dataclass(frozen=True)
class VerifyOptions:
    timeout: float = DEFAULT_TIMEOUT  # seconds per program
    steps: int = 3  # K: batches recorded and training steps
    output_format: str = "text"  # "text" or "json"
    memory: int = DEFAULT_MEMORY  # address-space limit per program in bytes, 0: none
    log_dir: str | None = None  # None: a new directory under the system's temp dir
    migrate: Any = None  # migrator.api.Options for --verify; None: the defaults
    budget: float | None = None  # seconds drawing batches for throughput; None: runner's default
    original_runtime: str = "auto"  # "auto", "keras2" or "keras3" (see migrator.verify.runtime)
    data: tuple[str, ...] = ()  # PATH=DIR: the programs see DIR where they read PATH
    stand_in_data: bool = False  # generate stand-ins for the data paths that are missing
    report: str | None = None  # a directory: write an HTML page and its PNGs there


def coerce_options(options: Any = None) -> VerifyOptions:
    """VerifyOptions from None, a VerifyOptions, a mapping, or any object with some of its
    attributes (`format` is accepted for `output_format`, `memory` as text like '16G')."""
    from migrator.api import Options

    if isinstance(options, VerifyOptions):
        return options
    if options is None:
        return VerifyOptions()
    if isinstance(options, Options):  # `--verify`: the migration's options (--all, --augment-on)
        return VerifyOptions(migrate=options)
    get = options.get if isinstance(options, dict) else lambda name: getattr(options, name, None)
    values: dict[str, Any] = {}
    for field in fields(VerifyOptions):
        value = get(field.name)
        if value is None and field.name == "output_format":
            value = get("format")
        if value is not None:
            values[field.name] = value
    if isinstance(values.get("memory"), str):
        values["memory"] = parse_memory(values["memory"])
    return VerifyOptions(**values)


def tensorflow_missing() -> bool:
    return importlib.util.find_spec("tensorflow") is None


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        click.echo(message, err=True)


def verify_pair(
    original: str,
    migrated: str,
    options: VerifyOptions,
    workdir: str,
    log_dir: str,
    *,
    prefix: str = "",
    shown: tuple[str, str] | None = None,
):
    """Run both programs (one after the other, so their throughputs are comparable) and
    compare their records."""
    from migrator.verify.compare import compare, runtime_check
    from migrator.verify.report import Verification

    runtimes = {
        "original": choose_runtime(read_source(original), options.original_runtime),
        # What the migration targets: the environment's Keras (or tf_keras it imports).
        "migrated": Runtime(KERAS3, ()),
    }
    mapping, data_notes = _data(original, options, Path(workdir) / f"{prefix}data")
    programs = {"original": original, "migrated": migrated}
    if mapping:  # both run from staging copies of their directories with the data in place
        for side in programs:
            destination = Path(workdir) / f"{prefix}stage-{side}"
            programs[side] = stage(programs[side], mapping, destination)
    runs = {}
    for side, program in programs.items():
        log = os.path.join(log_dir, f"{prefix}{side}.log")
        runtime = runtimes[side]
        under = " under Keras 2 (tf_keras)" if runtime.name == KERAS2 else ""
        _progress(f"migrate-aug verify: running the {side} program {program}{under} (log: {log})")
        pictures = os.path.join(options.report, f"{prefix}{side}") if options.report else None
        runs[side] = run_program(
            program,
            pictures=pictures,
            log=log,
            workdir=workdir,
            steps=options.steps,
            timeout=options.timeout,
            memory=options.memory,
            budget=options.budget,
            runtime=runtime.name,
        )
        record = runs[side].record
        record.setdefault("runtime", {"name": runtime.name})
        record["runtime"]["reasons"] = list(runtime.reasons)
    checks = compare(runs["original"].record, runs["migrated"].record)
    checks.insert(1, runtime_check(runs["original"].record, runs["migrated"].record))
    original_shown, migrated_shown = shown or (original, migrated)
    verification = Verification(
        original_shown, migrated_shown, options.steps, checks, runs, data_notes
    )
    if options.report:
        from migrator.verify.html_report import write_report

        verification.page = write_report(
            os.path.abspath(options.report), verification, f"{prefix}index.html"
        )
    return verification


def _data(original: str, options: VerifyOptions, root: Path) -> tuple[dict[str, Path], list[str]]:
    """What the programs read from disk, mapped: `--data PATH=DIR` first, then (with
    `--stand-in-data`) generated stand-ins for the original's other missing data paths."""
    mapping: dict[str, Path] = {}
    notes: list[str] = []
    for text in options.data:
        path, target = parse_mapping(text)
        mapping[path] = Path(target)
        notes.append(f"{path}: {target} (--data)")
    if options.stand_in_data:
        program_dir = os.path.dirname(os.path.abspath(original))
        generated, found = stand_ins(read_source(original), program_dir, root, set(mapping))
        mapping.update(generated)
        notes += found
    return mapping, notes


def _log_dir(options: VerifyOptions) -> str:
    if options.log_dir:
        os.makedirs(options.log_dir, exist_ok=True)
        return os.path.abspath(options.log_dir)
    return tempfile.mkdtemp(prefix="migrate-aug-verify-logs-")


def run_verify(original: str, migrated: str, options: Any = None) -> int:
    """Verify one pair of files; print the report; return the exit code."""
    options = coerce_options(options)
    if tensorflow_missing():
        click.echo(MISSING_TENSORFLOW, err=True)
        return 2
    click.echo(WARNING, err=True)
    log_dir = _log_dir(options)
    with tempfile.TemporaryDirectory(prefix="migrate-aug-verify-") as workdir:
        verification = verify_pair(original, migrated, options, workdir, log_dir)
    _emit([verification], options, single=True)
    return EXIT[verification.verdict]


def _emit(verifications: list, options: VerifyOptions, *, single: bool, extra=None) -> None:
    from migrator.verify.report import render_text, to_json

    if options.output_format == "json":
        if single:
            payload = to_json(verifications[0])
        else:
            payload = {"passed": all(v.passed for v in verifications), **(extra or {})}
            payload["results"] = [to_json(v) for v in verifications]
        click.echo(json.dumps(payload, indent=2))
        return
    for index, verification in enumerate(verifications):
        if index:
            click.echo("")
        click.echo(render_text(verification))


# -- --verify PATH... ---------------------------------------------------------------------
def _python_files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for found in sorted(path.rglob("*.py")):
                parts = found.relative_to(path).parts[:-1]
                if any(p.startswith(".") or p in SKIPPED_DIRECTORIES for p in parts):
                    continue
                yield found
        else:
            yield path


def migrated_copy(original: Path, new_source: str, destination: Path) -> Path:
    """A copy of the original's directory made of symlinks (so relative imports and data
    files resolve), with the migrated source written in the original's place."""
    destination.mkdir(parents=True)
    for entry in original.parent.iterdir():
        if entry.name == original.name:
            continue
        try:
            (destination / entry.name).symlink_to(entry.resolve())
        except OSError:  # no symlinks here: the program runs without its neighbours
            pass
    target = destination / original.name
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(new_source)
    return target


def verify_paths(paths: list[str], options: Any = None) -> int:
    """`--verify PATH...`: migrate each Python file to a temporary copy of its directory,
    verify every file the migration changes against its original, and report. Returns 0
    when every changed file verifies (or nothing changes), 1 when one does not, 2 when a
    path is missing or a file cannot be read or parsed (and nothing failed), 3 when some
    pair could not be verified because of the environment (and nothing else went wrong)."""
    from migrator.api import Options, SourceParseError, migrate_source

    options = coerce_options(options)
    if tensorflow_missing():
        click.echo(MISSING_TENSORFLOW, err=True)
        return 2
    errors: list[str] = []
    unchanged: list[str] = []
    verifications = []
    warned = False
    log_dir: str | None = None
    with tempfile.TemporaryDirectory(prefix="migrate-aug-verify-") as workdir:
        for index, path in enumerate(_python_files(paths)):
            if not path.exists():
                errors.append(f"{path}: no such file or directory")
                continue
            if path.suffix != ".py":
                click.echo(f"migrate-aug verify: {path}: only .py files are verified", err=True)
                continue
            try:
                with open(path, encoding="utf-8", newline="") as handle:
                    source = handle.read()
            except (OSError, UnicodeDecodeError) as error:
                errors.append(f"{path}: cannot read: {error}")
                continue
            if "ImageDataGenerator" not in source:
                continue
            try:
                result = migrate_source(source, str(path), options.migrate or Options())
            except SourceParseError as error:
                errors.append(f"{path}:{error.line}:{error.column}: cannot parse: {error.message}")
                continue
            except Exception as error:  # noqa: BLE001 - one file's failure is reported, others go on
                errors.append(f"{path}: migration failed: {type(error).__name__}: {error}")
                continue
            if not result.changed:
                unchanged.append(str(path))
                continue
            if not warned:
                click.echo(WARNING, err=True)
                warned = True
            log_dir = log_dir or _log_dir(options)
            prefix = f"{index}-{path.stem}-"
            kept = os.path.join(log_dir, f"{prefix}migrated.py")
            with open(kept, "w", encoding="utf-8", newline="") as handle:
                handle.write(result.new_source)
            copy = migrated_copy(path.resolve(), result.new_source, Path(workdir) / f"copy-{index}")
            verifications.append(
                verify_pair(
                    str(path),
                    str(copy),
                    options,
                    workdir,
                    log_dir,
                    prefix=prefix,
                    shown=(str(path), kept),
                )
            )
    for error in errors:
        click.echo(f"migrate-aug verify: {error}", err=True)
    failed = [v for v in verifications if v.verdict == FAIL]
    environment = [v for v in verifications if v.verdict == ENVIRONMENT]
    if options.output_format == "json":
        _emit(
            verifications, options, single=False, extra={"unchanged": unchanged, "errors": errors}
        )
    else:
        _emit(verifications, options, single=False)
        if verifications:
            click.echo("")
        passing = len(verifications) - len(failed) - len(environment)
        summary = f"verified {len(verifications)} migrated file(s): {passing} passed, {len(failed)} failed"
        if environment:
            summary += f", {len(environment)} could not be verified here (environment)"
        if not verifications:
            summary = "nothing to verify: no file would be rewritten"
        if unchanged:
            summary += f"; {len(unchanged)} file(s) with ImageDataGenerator unchanged"
        click.echo(summary)
    if failed:
        return 1
    if errors:
        return 2
    return 3 if environment else 0


# -- the click command ------------------------------------------------------------------------
def _memory(ctx: click.Context, param: click.Parameter, value: str) -> int:
    try:
        return parse_memory(value)
    except (ValueError, IndexError):
        raise click.BadParameter(f"{value!r} is not a size like 16G, 4096M or 0") from None


def _mappings(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    for text in value:
        try:
            parse_mapping(text)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return value


@click.command("verify")
@click.argument("original", type=click.Path(exists=True, dir_okay=False))
@click.argument("migrated", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds each program may run before it is killed.",
)
@click.option(
    "--steps",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Batches recorded and training steps run (K).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The report: a table (text) or one JSON object (json).",
)
@click.option(
    "--memory",
    default="16G",
    show_default=True,
    callback=_memory,
    help="Address-space limit per program (e.g. 16G, 4096M; 0 for none).",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where the programs' logs go (kept). Default: a new temporary directory.",
)
@click.option(
    "--original-runtime",
    type=click.Choice(CHOICES),
    default=AUTO,
    show_default=True,
    help="Keras the ORIGINAL runs under: keras2 = tf_keras with Keras 2's import paths "
    "(keras.* -> tf_keras), as Keras 2 programs ran; auto = keras2 when the original "
    "imports keras.preprocessing.image or modules Keras 3 removed, or calls fit_generator "
    "and the like. MIGRATED always runs on the environment's Keras.",
)
@click.option(
    "--stand-in-data",
    is_flag=True,
    help="For each data path the ORIGINAL reads with flow_from_directory or "
    "flow_from_dataframe (read_csv) that does not exist here, run both programs on a "
    "small generated stand-in: PNG images per class at the program's target_size, a CSV "
    "with its x_col/y_col. Paths relative to the program's directory.",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    metavar="PATH=DIR",
    callback=_mappings,
    help="The programs see DIR (e.g. a small sample of your dataset) where they read "
    "PATH (relative to the program's directory). Repeatable.",
)
@click.option(
    "--report",
    type=click.Path(file_okay=False),
    default=None,
    metavar="DIR",
    help="Also write an HTML page (DIR/index.html) with its PNGs: both programs' first "
    "batches side by side, the same source samples as each augmented them, histograms of "
    "pixel values and augmentation strength, the checks and the runtimes.",
)
@click.pass_context
def verify(
    ctx: click.Context,
    original: str,
    migrated: str,
    timeout: float,
    steps: int,
    output_format: str,
    memory: int,
    log_dir: str | None,
    original_runtime: str,
    stand_in_data: bool,
    data: tuple[str, ...],
    report: str | None,
) -> None:
    """Run ORIGINAL and MIGRATED for a few training steps under a 2-replica strategy and
    report whether their input pipelines agree.

    \b
    Exit codes:
      0  PASS: the migrated program agrees with the original
      1  FAIL: a check differs (the rewrite changed something)
      2  cannot verify: TensorFlow missing, bad arguments
      3  ENVIRONMENT: both programs fail the same way, or both train to non-finite
         losses: the environment (devices, data, Keras bugs), not the rewrite

    Keras 2 originals (keras.preprocessing.image, fit_generator, ...) run under tf_keras
    with Keras 2's import paths; programs that read data this machine lacks run on
    --stand-in-data or --data PATH=DIR. See docs/verify.md.
    """
    options = VerifyOptions(
        timeout=timeout,
        steps=steps,
        output_format=output_format,
        memory=memory,
        log_dir=log_dir,
        original_runtime=original_runtime,
        data=data,
        stand_in_data=stand_in_data,
        report=report,
    )
    ctx.exit(run_verify(original, migrated, options))


__all__ = ["VerifyOptions", "coerce_options", "run_verify", "verify", "verify_paths"]

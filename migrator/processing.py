"""Per-file work: read, pre-filter, migrate (Python or notebook), optionally in parallel.

The result of every file comes back in input order whatever `jobs` is, so the output of
`--jobs N` is byte-identical to `--jobs 1`. Nothing here prints or writes files.
"""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from migrator import line_length
from migrator.options import PREFILTERS, FileResult, Options, SourceParseError, UnknownCodeError
from migrator.runtime import MODULE_NAME
from migrator.runtime_inline import finish, inlines
from migrator.sourcefile import SourceFile, SourceReadError, read_source
from migrator.syntax import python_syntax_error

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

# Below this many files that pass the pre-filter, starting worker processes costs more
# than it saves (a worker imports nothing new after fork, but each still has to start).
MIN_PARALLEL_FILES = 4


@dataclass
class Outcome:
    """What happened to one file. `result` is None when the file was skipped or failed."""

    path: Path
    source: SourceFile | None = None
    result: FileResult | None = None
    error: str | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def migrate_text(text: str, path: Path, options: Options) -> FileResult:
    """Dispatch on the file type: notebooks go to migrator.notebook (imported lazily).
    Then the runtime's text goes into the files that inline it, and inlined copies are
    upgraded (migrator/runtime_inline.py)."""
    if inlines(path, options) and not options.inline_runtime:
        options = replace(options, inline_runtime=True)  # notebooks: see inlines()
    if path.suffix == ".ipynb":
        from migrator.notebook import migrate_notebook

        result = migrate_notebook(text, str(path), options)
    else:
        from migrator.api import migrate_source

        result = migrate_source(text, str(path), options)
    return finish(path, result, options)


_CELL = re.compile(r"cell (\d+): (.*)", re.S)


def _migrate(path: Path, text: str, options: Options) -> tuple[FileResult | None, str | None]:
    """The result or one error line; never raises (one bad file never stops the run).
    The emitted code is laid out at the line length of the file's own project."""
    try:
        options = replace(options, line_length=line_length.line_length_for(path))
        return migrate_text(text, path, options), None
    except SourceParseError as error:
        where, message, line, column = str(path), error.message, error.line, error.column
        cell = _CELL.match(message) if path.suffix == ".ipynb" else None
        if cell is not None:  # a notebook's cell: `nb.ipynb:cell 3:2:5`, like its findings
            where, message = f"{path}:cell {cell.group(1)}", cell.group(2)
        elif path.suffix != ".ipynb" and not isinstance(error, UnknownCodeError):
            message, line, column = python_syntax_error(text) or (message, line, column)
        problem = message if isinstance(error, UnknownCodeError) else f"cannot parse: {message}"
        return None, f"{where}:{line}:{column}: error: {problem}"
    except RecursionError:
        return None, f"{path}: error: code nested too deeply to analyse; file left unchanged"
    except Exception as error:  # noqa: BLE001 - reported, the run goes on
        return None, (
            f"{path}: internal error: {type(error).__name__}: {error}; file left unchanged; "
            "please report this to the migrate-aug maintainers"
        )


def _migrate_chunk(
    items: Sequence[tuple[Path, str]], options: Options
) -> list[tuple[FileResult | None, str | None]]:
    return [_migrate(path, text, options) for path, text in items]


def read_candidates(paths: Sequence[Path]) -> list[Outcome]:
    """Read every file; those that cannot contain a finding keep `source=None`."""
    outcomes: list[Outcome] = []
    for path in paths:
        try:
            source = read_source(path)
        except SourceReadError as error:
            outcomes.append(Outcome(path, error=f"{path}: error: {error}"))
            continue
        # "migrate-aug": an ignore comment's codes are checked in any file (an unknown one
        # is a usage error even where there is nothing to migrate). MODULE_NAME: a migrated
        # file's runtime module is kept up to date (migrator/runtime_files.py).
        if (
            any(marker in source.text for marker in PREFILTERS)
            or "migrate-aug" in source.text
            or MODULE_NAME in source.text
        ):
            outcomes.append(Outcome(path, source=source))
        else:
            outcomes.append(Outcome(path))
    return outcomes


def process(
    paths: Sequence[Path],
    options: Options,
    jobs: int = 1,
    migrate_chunk: Callable[
        [Sequence[tuple[Path, str]], Options], list[tuple[FileResult | None, str | None]]
    ] = _migrate_chunk,
) -> list[Outcome]:
    """Outcomes in the order of `paths`. Files are migrated in `jobs` processes when there
    are at least MIN_PARALLEL_FILES candidates. A worker that dies (killed for memory, a
    crash in native code) costs only the file that killed it: the files of its chunk are
    redone one per process, and that file is reported as an internal error."""
    line_length.clear_cache()
    outcomes = read_candidates(paths)
    pending = [o for o in outcomes if o.source is not None]
    items = [(o.path, o.source.text) for o in pending if o.source is not None]
    if jobs <= 1 or len(items) < MIN_PARALLEL_FILES:
        results = migrate_chunk(items, options)
    else:
        results = _parallel(items, options, jobs, migrate_chunk)
    for outcome, (result, error) in zip(pending, results, strict=True):
        outcome.result, outcome.error = result, error
    return outcomes


def _parallel(
    items: list[tuple[Path, str]],
    options: Options,
    jobs: int,
    migrate_chunk: Callable[
        [Sequence[tuple[Path, str]], Options], list[tuple[FileResult | None, str | None]]
    ],
) -> list[tuple[FileResult | None, str | None]]:
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    import migrator.codemod  # noqa: F401 - imported once here, inherited by forked workers

    workers = min(jobs, len(items))
    size = max(1, len(items) // (workers * 4))  # a few chunks per worker balance the load
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results: list[tuple[FileResult | None, str | None]] = []
    executor: ProcessPoolExecutor | None = None
    try:
        executor = ProcessPoolExecutor(max_workers=workers, initializer=_quiet_worker)
        futures: list[Future[list[tuple[FileResult | None, str | None]]]] = [
            executor.submit(migrate_chunk, chunk, options) for chunk in chunks
        ]
    except (OSError, ImportError, NotImplementedError):  # no processes here (a sandbox)
        if executor is not None:
            executor.shutdown(cancel_futures=True)
        return migrate_chunk(items, options)  # workers write nothing: redoing is safe
    except KeyboardInterrupt:  # Ctrl-C while the workers start: not after all their work
        _stop(executor)
        raise
    try:
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                results += future.result()
            except BrokenProcessPool:  # a worker died: redo its files one by one, apart
                results += [_isolated(item, options, migrate_chunk) for item in chunk]
            except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be sent
                results += [_internal(path, error) for path, _ in chunk]
    except KeyboardInterrupt:  # Ctrl-C: workers write nothing, so stop them at once
        _stop(executor)
        raise
    executor.shutdown()
    return results


def _stop(executor: ProcessPoolExecutor | None) -> None:
    """Terminate the workers and drop the pending chunks (the interpreter's exit would
    otherwise wait for the workers to finish every chunk submitted)."""
    if executor is None:
        return
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


def _quiet_worker() -> None:
    """Ctrl-C reaches every process of the terminal's group: the main process handles it
    (one line, no traceback); a worker ignores it and finishes its chunk."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _internal(path: Path, error: BaseException) -> tuple[None, str]:
    from concurrent.futures.process import BrokenProcessPool

    reason = (
        "the process analysing it stopped unexpectedly (out of memory?)"
        if isinstance(error, BrokenProcessPool)
        else f"{type(error).__name__}: {error}"
    )
    return None, (
        f"{path}: internal error: {reason}; file left unchanged; "
        "please report this to the migrate-aug maintainers"
    )


def _isolated(
    item: tuple[Path, str],
    options: Options,
    migrate_chunk: Callable[
        [Sequence[tuple[Path, str]], Options], list[tuple[FileResult | None, str | None]]
    ],
) -> tuple[FileResult | None, str | None]:
    """One file in a process of its own: if that one dies too, only this file is lost."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1) as executor:
        try:
            return executor.submit(migrate_chunk, [item], options).result()[0]
        except Exception as error:  # noqa: BLE001
            return _internal(item[0], error)

"""Per-file work: read, pre-filter, migrate (Python or notebook), optionally in parallel.

The result of every file comes back in input order whatever `jobs` is, so the output of
`--jobs N` is byte-identical to `--jobs 1`. Nothing here prints or writes files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from migrator.api import PREFILTERS, FileResult, Options, SourceParseError
from migrator.sourcefile import SourceFile, SourceReadError, read_source

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
    """Dispatch on the file type: notebooks go to migrator.notebook (imported lazily)."""
    if path.suffix == ".ipynb":
        from migrator.notebook import migrate_notebook

        return migrate_notebook(text, str(path), options)
    from migrator.api import migrate_source

    return migrate_source(text, str(path), options)


def _migrate(path: Path, text: str, options: Options) -> tuple[FileResult | None, str | None]:
    """The result or one error line; never raises (one bad file never stops the run)."""
    try:
        return migrate_text(text, path, options), None
    except SourceParseError as error:
        return None, f"{path}:{error.line}:{error.column}: error: cannot parse: {error.message}"
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
        if any(marker in source.text for marker in PREFILTERS):
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
    are at least MIN_PARALLEL_FILES candidates; a worker that dies takes no file with it
    (its files are reported as errors, the rest go on)."""
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
    import migrator.codemod  # noqa: F401 - imported once here, inherited by forked workers

    workers = min(jobs, len(items))
    size = max(1, len(items) // (workers * 4))  # a few chunks per worker balance the load
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    results: list[tuple[FileResult | None, str | None]] = []
    with ProcessPoolExecutor(max_workers=workers) as executor:
        futures: list[Future[list[tuple[FileResult | None, str | None]]]] = [
            executor.submit(migrate_chunk, chunk, options) for chunk in chunks
        ]
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                results += future.result()
            except Exception as error:  # noqa: BLE001 - e.g. a worker killed for memory
                reason = (
                    "a worker process stopped unexpectedly"
                    if isinstance(error, BrokenProcessPool)
                    else f"{type(error).__name__}: {error}"
                )
                results += [
                    (None, f"{path}: internal error: {reason}; retry with --jobs 1")
                    for path, _ in chunk
                ]
    return results

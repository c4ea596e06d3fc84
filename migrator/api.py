"""The codemod's entry point on one source text. Never imports TensorFlow.

The facade only: the contract types live in migrator/options.py and are re-exported here,
so `from migrator.api import Options, FileResult, ...` keeps working.
"""

from __future__ import annotations

from migrator.options import (
    AUGMENT_ON,
    PREFILTERS,
    FileResult,
    Options,
    SourceParseError,
    UnknownCodeError,
)

__all__ = [
    "AUGMENT_ON",
    "PREFILTERS",
    "FileResult",
    "Options",
    "SourceParseError",
    "UnknownCodeError",
    "migrate_source",
]

_DEFAULT_OPTIONS = Options()  # one frozen default (B008: no call in a default argument)


def migrate_source(
    source: str, path: str = "<string>", options: Options = _DEFAULT_OPTIONS
) -> FileResult:
    """Analyse one module's source and return the rewritten source and diagnostics.

    Raises SourceParseError when libcst cannot parse the source, and its UnknownCodeError
    when an ignore comment names a code that is no rule. `source` is text with
    the file's own newlines; the result keeps them. A copy of the runtime module
    (migrator/runtime_copies.py) is not analysed: it is upgraded or reported (MA007).
    """
    from migrator.codemod import migrate_module  # local: keeps `import migrator.api` cheap
    from migrator.runtime_copies import upgrade_copy

    copy = upgrade_copy(source, path, options)
    return copy if copy is not None else migrate_module(source, path, options)

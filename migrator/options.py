"""What one migration takes and gives: Options, FileResult, SourceParseError, pre-filters.

The ground floor of the contract: imports only rules and diagnostics, so the facade
(api.py), the codemod, the notebook and file drivers all import it without a circle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from migrator.diagnostics import Diagnostic
from migrator.rules import RULES_BY_CODE

AUGMENT_ON: tuple[str, ...] = ("host", "replica")  # --augment-on choices

# A tf.data service dispatcher as `distribute(service=...)` takes it: grpc://HOST:PORT (a
# name, an IPv4 address or a bracketed IPv6 one). Written into the code as a string literal,
# so nothing that would need escaping gets through.
_SERVICE_ADDRESS = re.compile(r"grpc://(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")


def service_address_error(address: str) -> str | None:
    """Why `address` is no tf.data service dispatcher address, or None when it is one."""
    match = _SERVICE_ADDRESS.fullmatch(address)
    if match is None:
        return (
            f"{address!r} is not a tf.data service dispatcher address: expected "
            "grpc://HOST:PORT (e.g. grpc://dispatcher:5050)"
        )
    if not 0 < int(match.group(1)) < 65536:
        return f"{address!r}: the port must be between 1 and 65535"
    return None


# Cheap substring test before parsing: a file without these cannot have a finding. Only the
# removed method names, not "_generator": that also matches random/seed generators everywhere.
PREFILTERS: tuple[str, ...] = (
    "ImageDataGenerator",
    "fit_generator",
    "evaluate_generator",
    "predict_generator",
)


class SourceParseError(Exception):
    """The source is not Python that libcst can parse. `line`/`column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class UnknownCodeError(SourceParseError):
    """A `# migrate-aug: ignore[...]` comment names a code that is no rule (a typo, or a
    prefix): a usage error, as --select/--ignore with one are, since the comment would
    silently suppress nothing. A SourceParseError, so every caller that reports a file it
    cannot read reports this too (the file is left unchanged)."""

    def __init__(self, code: str, line: int = 1, column: int = 1, where: str = "") -> None:
        known = ", ".join(RULES_BY_CODE)
        super().__init__(
            f"{where}unknown rule code {code!r} in a `# migrate-aug: ignore[...]` comment "
            f"(the codes are {known}; prefixes are for --select/--ignore)",
            line,
            column,
        )
        self.code = code


@dataclass(frozen=True)
class Options:
    rewrite_without_strategy: bool = False  # --all: MA002 sites are rewritten too
    select: frozenset[str] = frozenset(RULES_BY_CODE)  # codes reported/acted on
    # "host": the tf.data pipeline augments; "replica": a layer at the model's input does
    # (each replica augments its own batch), where that is faithful (plan/replica.py)
    augment_on: str = "host"
    # The runtime module the rewritten code imports (`import idg_tfdata`, or
    # `from pkg import idg_tfdata` for "pkg.idg_tfdata"); with `inline_runtime` its text is
    # put into the file itself and call sites use its names unqualified (notebooks).
    runtime_import: str = "idg_tfdata"
    inline_runtime: bool = False
    # A tf.data service dispatcher ("grpc://host:port", checked by service_address_error):
    # the emitted pipelines are built for it and handed to it (`idg_tfdata.served`).
    tf_data_service: str | None = None
    # Emitted and changed lines are laid out as ruff/black format them at this length.
    line_length: int = 88

    def enabled(self, code: str) -> bool:
        return code in self.select


@dataclass
class FileResult:
    source: str
    new_source: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The new source uses the runtime module (imports it, or calls its inlined names): the
    # driver writes or upgrades the module (or inlines it) before the file goes out.
    needs_runtime: bool = False

    @property
    def changed(self) -> bool:
        return self.new_source != self.source

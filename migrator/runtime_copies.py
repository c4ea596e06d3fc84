"""Copies of the runtime module already in a project: their version, whether they were
edited, and the MA007 finding that says what happens to them.

A copy is recognised by its header (migrator/runtime: version and sha256 of the text
after it), never by its file name. A pristine copy (the digest matches) whose text is
not this migrate-aug's is replaced; an edited one is reported when a newer version
exists and never overwritten (the user's edits win); one from a newer migrate-aug is
reported and left alone (no downgrade). The same rules serve a module file (here) and a
copy inlined into a program (migrator/runtime_inline.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.diagnostics import Diagnostic
from migrator.options import FileResult, Options
from migrator.runtime import MODULE_NAME, RUNTIME_VERSION, parse_header, runtime_text, text_hash

CODE = "MA007"

# How to take the new version by hand when a copy was edited.
HELP_EDITED = (
    "Keep your edits elsewhere (e.g. a module of your own wrapping it) and delete this copy, "
    "then run migrate-aug again to write version {version}; or merge them into the new text, "
    'printed by `python -c "from migrator.runtime import runtime_text; '
    "print(runtime_text(), end='')\"`"
)
HELP_NEWER = "Upgrade migrate-aug (`pip install -U migrate-aug`) so that it knows this version"


@dataclass(frozen=True)
class Copy:
    version: int
    pristine: bool  # the header's digest matches the text: never edited by hand
    current: bool  # exactly the text this migrate-aug writes

    @property
    def replaceable(self) -> bool:
        """An unedited copy of this version or an older one that is not this text."""
        return self.pristine and not self.current and self.version <= RUNTIME_VERSION


def copy_of(header_version: int, digest: str, body: str, current_body: str) -> Copy:
    """A copy from its header's fields and the text after the header."""
    pristine = text_hash(body) == digest
    current = header_version == RUNTIME_VERSION and _lf(body) == _lf(current_body)
    return Copy(header_version, pristine, current)


def module_copy(text: str) -> Copy | None:
    """The copy `text` is, when it starts with a runtime module's header."""
    parsed = parse_header(text)
    if parsed is None:
        return None
    header, body = parsed
    current = parse_header(runtime_text())
    assert current is not None  # runtime_text() starts with the header it writes
    return copy_of(header.version, header.digest, body, current[1])


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def finding(copy: Copy, path: str, line: int, what: str) -> Diagnostic | None:
    """MA007 for the copy (`what`: how the message names it), or None when there is
    nothing to say (current, or edited with no newer version to take)."""
    named = f"{what} version {copy.version}"
    if copy.replaceable:
        older = (
            f"is older than this migrate-aug's version {RUNTIME_VERSION}"
            if copy.version < RUNTIME_VERSION
            else "is not the text this migrate-aug writes for that version"
        )
        message = f"{named} {older} and unedited: replaced by version {RUNTIME_VERSION}"
        return Diagnostic(path, line, 1, CODE, message, fixable=True)
    if not copy.pristine and copy.version < RUNTIME_VERSION:
        message = (
            f"{named} was edited by hand (its text no longer matches the sha256 in its "
            f"header): left unchanged, though this migrate-aug writes version "
            f"{RUNTIME_VERSION}"
        )
        help = HELP_EDITED.format(version=RUNTIME_VERSION)
        return Diagnostic(path, line, 1, CODE, message, help=help)
    if copy.version > RUNTIME_VERSION:
        message = (
            f"{named} was written by a newer migrate-aug (this one writes version "
            f"{RUNTIME_VERSION}): left unchanged"
        )
        return Diagnostic(path, line, 1, CODE, message, help=HELP_NEWER)
    return None


def upgrade_copy(source: str, path: str, options: Options) -> FileResult | None:
    """The result for a runtime module file (None when `source` is no such copy): the
    current text when the copy may be replaced, the copy itself otherwise. The codemod
    never runs on a copy: it is migrate-aug's output, not the user's code."""
    copy = module_copy(source)
    if copy is None:
        return None
    if not options.enabled(CODE):
        return FileResult(source, source)
    found = finding(copy, path, 1, f"runtime module `{MODULE_NAME}`")
    new_source = runtime_text() if copy.replaceable else source
    return FileResult(source, new_source, [found] if found is not None else [])

"""The runtime module migrate-aug writes into users' trees, and its version header.

`idg_tfdata.py` in this package is the module's text (its template): TensorFlow code
that the package never imports (the codemod must not import TensorFlow); it is read as
text and written out with a two-line header in front:

    # idg_tfdata runtime version <RUNTIME_VERSION>, written by migrate-aug.
    # sha256:<64 hex digits>

The digest is the SHA-256 of the UTF-8 text after those two lines, with line endings
normalised to "\\n" (so a checkout that converts them to CRLF still counts as unedited).
A copy whose digest matches its text is pristine: migrate-aug may replace it with a
newer version. A mismatch means someone edited it: it is reported and never
overwritten. The template starts with `# fmt: off` so that a project's formatter (at
its own line length) leaves the copy byte for byte as written, hash intact.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

# Bump when the template's behaviour or interface changes; the header records it.
RUNTIME_VERSION = 2
MODULE_NAME = "idg_tfdata"

_HEADER = re.compile(
    r"# idg_tfdata runtime version (?P<version>\d+), written by migrate-aug\.\n"
    r"# sha256:(?P<digest>[0-9a-f]{64})\n"
)


@dataclass(frozen=True)
class Header:
    version: int
    digest: str  # the sha256 the header claims for the text after it


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_hash(body: str) -> str:
    """SHA-256 (hex) of a runtime module's text after its header."""
    return hashlib.sha256(_normalised(body).encode("utf-8")).hexdigest()


def template() -> str:
    """The module's text without its header (this package's idg_tfdata.py)."""
    return resources.files(__package__).joinpath(f"{MODULE_NAME}.py").read_text("utf-8")


def header_for(body: str, version: int = RUNTIME_VERSION) -> str:
    return (
        f"# idg_tfdata runtime version {version}, written by migrate-aug.\n"
        f"# sha256:{text_hash(body)}\n"
    )


def runtime_text() -> str:
    """The text migrate-aug writes: the header, then the template."""
    body = template()
    return header_for(body) + body


def parse_header(text: str) -> tuple[Header, str] | None:
    """The header of a runtime module's text and the text after it; None when the text
    does not start with a header (not a copy written by migrate-aug)."""
    text = _normalised(text)
    match = _HEADER.match(text)
    if match is None:
        return None
    header = Header(int(match["version"]), match["digest"])
    return header, text[match.end() :]


def is_pristine(text: str) -> bool:
    """True when the text is a runtime module as migrate-aug wrote it (any version):
    its header's digest matches the text after the header."""
    parsed = parse_header(text)
    return parsed is not None and text_hash(parsed[1]) == parsed[0].digest


def is_current(text: str) -> bool:
    """True when the text is exactly what this version of migrate-aug writes."""
    return _normalised(text) == runtime_text()

"""Read source files as Python does (BOM, coding cookie, newlines kept) and write them
back atomically in the same encoding, keeping the file mode."""

from __future__ import annotations

import codecs
import errno
import io
import os
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path


class SourceReadError(Exception):
    pass


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str
    encoding: str
    bom: bool


def read_source(path: Path) -> SourceFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceReadError(f"cannot read: {error.strerror or error}") from error
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise SourceReadError(f"cannot decode: {error}") from error
    bom = data.startswith(codecs.BOM_UTF8)
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    try:
        text = body.decode(encoding)  # no newline translation: CRLF stays CRLF
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceReadError(f"cannot decode as {encoding}: {error}") from error
    return SourceFile(path, text, encoding, bom)


def write_source(source: SourceFile, text: str) -> None:
    """Atomic: a temporary file in the same directory, then os.replace; mode kept.

    A symlink named on the command line stays a symlink: its target is rewritten. A
    read-only file is refused (renaming over it would succeed, even for root, and silently
    defeat the protection). Raises OSError with a readable `strerror`."""
    target = Path(os.path.realpath(source.path))
    data = (codecs.BOM_UTF8 if source.bom else b"") + text.encode(source.encoding)
    mode = os.stat(target).st_mode & 0o7777
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "file is read-only; not rewritten", str(target))
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise OSError(
            error.errno, f"cannot create a temporary file in {target.parent}: {error.strerror}"
        ) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def write_new(path: Path, text: str) -> None:
    """Create `path` (UTF-8) atomically and only if it does not exist: the text goes to a
    temporary file in the same directory, which is then linked to `path` (a link fails
    when the name exists, so a file created meanwhile is never replaced). The mode is
    what the umask gives a new file. Raises OSError with a readable `strerror`."""
    directory = path.parent if str(path.parent) else Path(".")
    umask = os.umask(0)
    os.umask(umask)
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    except OSError as error:
        raise OSError(
            error.errno, f"cannot create a temporary file in {directory}: {error.strerror}"
        ) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
        os.chmod(temporary, 0o666 & ~umask)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network or FAT file systems)
            if os.path.lexists(path):
                raise FileExistsError(errno.EEXIST, "file exists", str(path)) from None
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)

"""A minimal PNG writer (8-bit RGB), so that the verifier writes images without Pillow or
TensorFlow: the stand-in data's images and the report's pictures."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path


def write_png(path: str | Path, width: int, height: int, rgb: bytes) -> None:
    """An 8-bit RGB PNG from `rgb` (height * width * 3 bytes, row by row)."""
    if len(rgb) != width * height * 3:
        raise ValueError(f"{len(rgb)} bytes is not {width} x {height} RGB pixels")

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    stride = width * 3
    raw = b"".join(b"\x00" + rgb[row * stride : (row + 1) * stride] for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(path, "wb") as handle:
        handle.write(
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6))
            + chunk(b"IEND", b"")
        )

"""Image files for the file-pipeline tests (emitted code and runtime module alike): a
class-directory tree and a DataFrame of files that exercise IDG's listing and PIL's
decoding (every PNG colour type, BMP and JPEG variants, odd sizes, files to skip)."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from PIL import Image


def pixels(rng, height: int, width: int, channels: int) -> np.ndarray:
    # Smooth-ish content so that JPEG keeps detail and resizing matters.
    base = rng.integers(0, 256, (height, width, channels))
    return ((base + np.arange(width)[None, :, None] * 7) % 256).astype("uint8")


def save(image, path, **options) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image.save(path, **options)


def make_tree(root: str) -> str:
    """Four class directories ("Dog" sorts before "bird"; "empty" has no files), nested
    directories, upper-case extensions, files to skip, odd sizes, every PNG colour type
    PIL writes, BMP and JPEG variants: 14 images."""
    rng = np.random.default_rng(0)

    def px(height: int, width: int, channels: int) -> np.ndarray:
        return pixels(rng, height, width, channels)

    save(Image.fromarray(px(13, 9, 3)), f"{root}/cat/a.png")
    save(Image.fromarray(px(20, 31, 3)), f"{root}/cat/B.JPG", format="JPEG", quality=90)
    save(Image.fromarray(px(9, 13, 1)[..., 0]), f"{root}/cat/grey.png")
    save(Image.fromarray(px(13, 9, 4)), f"{root}/cat/zz/rgba.png")
    save(Image.fromarray(px(17, 17, 4)), f"{root}/Dog/rgba.png")
    save(Image.fromarray(px(17, 17, 3)).quantize(16), f"{root}/Dog/palette.png")
    save(Image.fromarray(px(15, 11, 3)).quantize(16), f"{root}/Dog/tRNS.png", transparency=2)
    save(Image.fromarray(px(11, 7, 1)[..., 0] > 100), f"{root}/Dog/sub/bits.png")
    save(Image.fromarray(px(11, 7, 3)).convert("LA"), f"{root}/Dog/sub/grey_alpha.png")
    save(Image.fromarray(px(11, 7, 3)), f"{root}/Dog/sub/deeper/x.bmp")
    save(Image.fromarray(px(11, 7, 4)), f"{root}/bird/rgbx.bmp")
    save(Image.fromarray(px(30, 20, 3)), f"{root}/bird/prog.jpeg", progressive=True)
    save(Image.fromarray(px(30, 20, 1)[..., 0]), f"{root}/bird/grey.jpg")
    save(Image.fromarray(px(16, 16, 3)), f"{root}/bird/subsampled.jpg", subsampling=2)
    with open(f"{root}/bird/notes.txt", "w") as handle:
        handle.write("not an image")
    with open(f"{root}/bird/README", "w") as handle:
        handle.write("not an image either")
    os.makedirs(f"{root}/empty")
    return root


def make_frame(root: Path, pd: ModuleType) -> tuple[str, Any]:
    """14 rows: 12 images (PNG, JPEG, nested, upper-case extension, odd sizes), one
    missing file, one non-image; labels of every kind."""
    rng = np.random.default_rng(0)
    names = []
    for i in range(12):
        height, width = (int(v) for v in rng.integers(5, 20, 2))
        name = f"img{i}.png" if i % 3 else f"sub/img{i}.JPG"
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, (height, width, 3)).astype("uint8")
        Image.fromarray(pixels).save(root / name, format="PNG" if i % 3 else "JPEG")
        names.append(name)
    (root / "notes.txt").write_text("not an image")
    frame = pd.DataFrame(
        {
            "filename": [*names, "missing.png", "notes.txt"],
            "class": [["b", "a", "c"][i % 3] for i in range(14)],
            "pair": [["a", "b"][i % 2] for i in range(14)],
            "tags": [
                ["a", "c"],
                ["b"],
                ["c", "a"],
                ["a"],
                ["b", "c"],
                ("c",),
                ["a", "b"],
                ["b"],
                ["c"],
                ["a"],
                ["b"],
                ["c", "c"],
                ["a"],
                ["b"],
            ],  # fmt: skip
            "score": np.linspace(0, 1, 14),
            "count": np.arange(14),
            "weight": np.linspace(1, 2, 14),
            "box": [[i, i / 2] for i in range(14)],  # lists of numbers: 2-D in numpy
        }
    )
    return str(root), frame


def png16_grey(values: np.ndarray) -> bytes:
    height, width = values.shape
    raw = b"".join(b"\x00" + values[y].astype(">u2").tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )

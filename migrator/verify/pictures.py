"""Pictures of what a program's fit received, for `verify --report` (runs in the child,
with numpy; written with `png.write_png`).

In the directory `MIGRATE_AUG_VERIFY_PICTURES` names:

- `first_batch.png`: the first training batch's images as a grid (up to GRID_IMAGES);
- `augmented-<row>.png`: for source rows the signature matched surely, the first drawn
  image made from that row (so the report can show both programs' augmentations of the
  same source samples side by side), and `source-<row>.png`, the row un-augmented;

and in the record, the pixel-value histogram of the first K batches' images.
Images are shown on the value range of the first batch (min to max), nearest-neighbour
scaled to about TILE pixels.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from migrator.verify.png import write_png

GRID_IMAGES = 16
GRID_COLUMNS = 8
SAME_SOURCES = 24  # tiles of matched source rows written at most
TILE = 96
GAP = 4
BINS = 48


def _display(image: np.ndarray, low: float, high: float) -> np.ndarray:
    """One image (H, W, C) or (C, H, W) as uint8 RGB (H', W', 3) about TILE pixels wide."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3 and image.shape[0] in (1, 3, 4) and image.shape[-1] not in (1, 3, 4):
        image = np.moveaxis(image, 0, -1)
    if image.ndim == 2:
        image = image[..., None]
    if image.shape[-1] >= 3:
        image = image[..., :3]
    else:
        image = np.repeat(image[..., :1], 3, axis=-1)
    span = high - low if high > low else 1.0
    scaled = np.clip((np.nan_to_num(image, nan=low) - low) / span, 0.0, 1.0)
    pixels = (scaled * 255).round().astype(np.uint8)
    height, width = pixels.shape[:2]
    if max(height, width) > TILE:
        step = int(np.ceil(max(height, width) / TILE))
        pixels = pixels[::step, ::step]
    else:
        factor = max(1, TILE // max(height, width))
        pixels = pixels.repeat(factor, axis=0).repeat(factor, axis=1)
    return pixels


def _save(path: str, pixels: np.ndarray) -> None:
    pixels = np.ascontiguousarray(pixels, dtype=np.uint8)
    write_png(path, pixels.shape[1], pixels.shape[0], pixels.tobytes())


def grid(images: np.ndarray, low: float, high: float, columns: int = GRID_COLUMNS) -> np.ndarray:
    tiles = [_display(image, low, high) for image in images[:GRID_IMAGES]]
    height = max(t.shape[0] for t in tiles)
    width = max(t.shape[1] for t in tiles)
    columns = min(columns, len(tiles))
    rows = -(-len(tiles) // columns)
    canvas = np.full(
        (rows * (height + GAP) + GAP, columns * (width + GAP) + GAP, 3), 255, dtype=np.uint8
    )
    for index, tile in enumerate(tiles):
        top = GAP + (index // columns) * (height + GAP)
        left = GAP + (index % columns) * (width + GAP)
        canvas[top : top + tile.shape[0], left : left + tile.shape[1]] = tile
    return canvas


def save_pictures(
    directory: str,
    first: np.ndarray | None,
    images: np.ndarray | None,
    rows: list[Any] | None,
    sources: list[np.ndarray],
) -> dict[str, Any]:
    """Write the pictures (see the module's docstring); returns what the record keeps:
    file names relative to `directory`, the display range, the pixel histogram."""
    os.makedirs(directory, exist_ok=True)
    out: dict[str, Any] = {"directory": directory}
    if first is None or not len(first):
        out["reason"] = "the first batch holds no rank-4 image tensor"
        return out
    finite = first[np.isfinite(first)] if np.issubdtype(first.dtype, np.floating) else first
    low = float(finite.min()) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    out["range"] = [low, high]
    _save(os.path.join(directory, "first_batch.png"), grid(first, low, high))
    out["first_batch"] = "first_batch.png"
    out["first_batch_count"] = int(min(len(first), GRID_IMAGES))
    if images is not None and len(images):
        values = np.asarray(images, dtype=np.float64).ravel()
        values = values[np.isfinite(values)]
        if values.size:
            counts, edges = np.histogram(values, bins=BINS)
            out["histogram"] = {"counts": counts.tolist(), "edges": edges.tolist()}
    written: dict[str, str] = {}
    if images is not None and rows and sources:
        for image, row in zip(images, rows, strict=False):
            if row is None or str(row) in written or len(written) >= SAME_SOURCES:
                continue
            name = f"augmented-{row}.png"
            _save(os.path.join(directory, name), _display(image, low, high))
            source = np.asarray(sources[0][int(row)])
            _save(
                os.path.join(directory, f"source-{row}.png"),
                _display(source, float(np.nanmin(source)), float(np.nanmax(source))),
            )
            written[str(row)] = name
    out["augmented"] = written
    return out

"""Numpy summaries of the batches a program's first `fit` drew (computed in the child).

Two kinds of evidence go into a record:

* **Values.** For every tensor of the batch structure ("leaf": `x`, `y`, `sample_weight`,
  or `x['image']` for dict inputs): its shape and dtype in every recorded batch, and over
  the first K batches its min, max, mean and std, plus each sample's mean and std, so that
  the comparison can scale its tolerances by the sampling spread it observed.
* **Augmentation signature** of the image tensor. Each drawn image is matched to the
  un-augmented source images the program holds in memory (arrays with the images' shape,
  found in the program's namespaces) by correlation, after standardising every image per
  channel. An image that is a copy of a source, up to the per-channel affine map that
  `rescale` and sample-/feature-wise standardisation apply, has correlation 1; any
  geometric augmentation or flip lowers it. For images that are still clearly
  recognisable the match also gives label alignment (the batch's label equals its source's
  label) and photometric changes (log ratio of the image's std to its source's, and the
  shift of its mean in units of its std), which brightness and channel shifts move.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

ROLES = ("x", "y", "sample_weight")  # Keras' meaning of a 1-3 tuple batch
MAX_SAMPLES = 512  # per-sample statistics kept per leaf
MAX_SOURCE_ELEMENTS = 500_000_000  # larger source arrays are not matched (time, memory)
CHUNK_ELEMENTS = 1 << 24  # source elements standardised at a time while matching
RECOGNISABLE = 0.9  # correlation from which an image's photometric change is measured
SURE = 0.99  # correlation from which a match is certain
PLAUSIBLE, MARGIN = 0.5, 0.2  # or: at least this, and this far ahead of the next best row


# -- structure -----------------------------------------------------------------------
def to_numpy(tree: Any) -> Any:
    """The batch with every tensor turned into a numpy array (structure kept)."""
    if tree is None:
        return None
    if isinstance(tree, dict):
        return {key: to_numpy(value) for key, value in tree.items()}
    if isinstance(tree, list):
        return [to_numpy(v) for v in tree]
    if isinstance(tree, tuple):  # namedtuples too
        return tuple(to_numpy(v) for v in tree)
    if hasattr(tree, "numpy"):
        return np.asarray(tree.numpy())
    return np.asarray(tree)


def _top(batch: Any) -> list[tuple[str, Any]]:
    if isinstance(batch, (tuple, list)) and 1 <= len(batch) <= len(ROLES):
        return list(zip(ROLES, batch, strict=False))
    return [("x", batch)]


def leaves(batch: Any) -> list[tuple[str, Any]]:
    """(name, array) for every tensor of a batch, in a fixed order."""
    out: list[tuple[str, Any]] = []
    for role, part in _top(batch):
        out.extend(_leaves(part, role))
    return out


def _leaves(tree: Any, name: str) -> list[tuple[str, Any]]:
    if tree is None:
        return []
    if isinstance(tree, dict):
        return [
            leaf for key in sorted(tree, key=str) for leaf in _leaves(tree[key], f"{name}[{key!r}]")
        ]
    if isinstance(tree, (list, tuple)):
        return [leaf for i, value in enumerate(tree) for leaf in _leaves(value, f"{name}[{i}]")]
    return [(name, tree)]


def structure(batch: Any) -> str:
    """A readable description of the batch's nesting, e.g. `(x, y)` or `({'a': x['a']}, y)`."""
    parts = _top(batch)
    if len(parts) == 1 and not isinstance(batch, (tuple, list)):
        return _structure(batch, "x")
    inner = ", ".join(_structure(part, role) for role, part in parts)
    return f"({inner},)" if len(parts) == 1 else f"({inner})"


def _structure(tree: Any, name: str) -> str:
    if tree is None:
        return "None"
    if isinstance(tree, dict):
        items = ", ".join(
            f"{key!r}: {_structure(tree[key], f'{name}[{key!r}]')}" for key in sorted(tree, key=str)
        )
        return "{" + items + "}"
    if isinstance(tree, (list, tuple)):
        return "[" + ", ".join(_structure(v, f"{name}[{i}]") for i, v in enumerate(tree)) + "]"
    return name


def image_tensor(batch: Any) -> np.ndarray | None:
    """The batch's images: `x` when it is one rank-4 numeric array."""
    name, value = _top(batch)[0]
    if isinstance(value, np.ndarray) and value.ndim == 4 and value.dtype.kind in "biuf":
        return value
    return None


def label_tensor(batch: Any) -> np.ndarray | None:
    parts = _top(batch)
    if len(parts) >= 2 and isinstance(parts[1][1], np.ndarray):
        return parts[1][1]
    return None


# -- value statistics ----------------------------------------------------------------
def json_float(value: float) -> float | str:
    """A float JSON can carry: non-finite values become the strings 'nan', 'inf', '-inf'."""
    value = float(value)
    return value if math.isfinite(value) else str(value)


def _short(value: float) -> float | str:
    return json_float(float(f"{value:.6g}"))


class ValueSummary:
    """Min, max, mean, std of one leaf over several batches (Chan's parallel update),
    plus per-sample means and stds."""

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.nonfinite = 0
        self.numeric = True
        self.sample_means: list[float] = []
        self.sample_stds: list[float] = []

    def add(self, array: Any) -> None:
        a = np.asarray(array)
        if a.dtype.kind not in "biuf":
            self.numeric = False
            return
        a = a.astype(np.float64)
        finite = np.isfinite(a)
        self.nonfinite += int(a.size - np.count_nonzero(finite))
        values = a[finite]
        if values.size:
            count, mean = values.size, float(values.mean())
            m2 = float(((values - mean) ** 2).sum())
            total = self.count + count
            delta = mean - self.mean
            self.m2 += m2 + delta * delta * self.count * count / total
            self.mean += delta * count / total
            self.count = total
            self.low = min(self.low, float(values.min()))
            self.high = max(self.high, float(values.max()))
        rows = a.reshape(len(a), -1) if a.ndim else a.reshape(1, 1)
        rows = np.where(np.isfinite(rows), rows, np.nan)
        room = MAX_SAMPLES - len(self.sample_means)
        if room > 0 and rows.shape[1]:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows
                self.sample_means.extend(np.nanmean(rows[:room], axis=1).tolist())
                self.sample_stds.extend(np.nanstd(rows[:room], axis=1).tolist())

    def to_json(self) -> dict[str, Any] | None:
        if not self.numeric:
            return None
        std = math.sqrt(self.m2 / self.count) if self.count else math.nan
        return {
            "count": self.count,
            "nonfinite": self.nonfinite,
            "min": json_float(self.low if self.count else math.nan),
            "max": json_float(self.high if self.count else math.nan),
            "mean": json_float(self.mean if self.count else math.nan),
            "std": json_float(std),
            "sample_means": [_short(v) for v in self.sample_means],
            "sample_stds": [_short(v) for v in self.sample_stds],
        }


def summarise_batches(batches: list[Any]) -> dict[str, Any]:
    """Structure, per-batch shapes and dtypes, and value statistics of numpy batches."""
    described = []
    values: dict[str, ValueSummary] = {}
    for batch in batches:
        entry = {"structure": structure(batch), "leaves": {}}
        for name, value in leaves(batch):
            array = np.asarray(value)
            entry["leaves"][name] = {"shape": list(array.shape), "dtype": str(array.dtype)}
            values.setdefault(name, ValueSummary()).add(array)
        described.append(entry)
    return {
        "batches": described,
        "values": {name: summary.to_json() for name, summary in values.items()},
    }


# -- source arrays ---------------------------------------------------------------------
_SKIP_TYPES = (
    types.ModuleType,
    type,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
)


def collect_arrays(roots: Iterable[Any], depth: int = 2) -> list[np.ndarray]:
    """Numeric numpy arrays (and eager tensors) reachable from `roots` through dict values,
    short tuples/lists and object attributes, at most `depth` steps down; each once."""
    found: list[np.ndarray] = []
    seen: set[int] = set()

    def visit(value: Any, depth: int) -> None:
        if id(value) in seen or isinstance(value, _SKIP_TYPES) or value is None:
            return
        seen.add(id(value))
        if isinstance(value, np.ndarray):
            if value.ndim >= 1 and value.dtype.kind in "biuf":
                found.append(value)
            return
        if type(value).__name__ == "EagerTensor":
            try:
                array = np.asarray(value.numpy())
            except Exception:  # noqa: BLE001 - anything odd is just not a candidate
                return
            if array.ndim >= 1 and array.dtype.kind in "biuf":
                found.append(array)
            return
        if depth <= 0 or isinstance(value, (str, bytes, int, float, complex, bool)):
            return
        if isinstance(value, dict):
            children = list(value.values()) if len(value) <= 10_000 else []
        elif isinstance(value, (list, tuple)):
            children = list(value) if len(value) <= 16 else []
        else:
            try:
                children = list(vars(value).values())
            except TypeError:
                return
        for child in children:
            visit(child, depth - 1)

    for root in roots:
        visit(root, depth)
    return found


def _fingerprint(array: np.ndarray) -> tuple:
    flat = array.reshape(-1)
    step = max(1, flat.size // 4096)
    return (array.shape, np.asarray(flat[::step], dtype=np.float64).tobytes())


def source_candidates(arrays: list[np.ndarray], image_shape: tuple[int, ...]) -> list[np.ndarray]:
    """Arrays shaped like a stack of images of `image_shape`, without duplicates (IDG keeps
    a float32 copy of the array it was given)."""
    out, prints = [], set()
    for array in arrays:
        if array.ndim != len(image_shape) + 1 or tuple(array.shape[1:]) != tuple(image_shape):
            continue
        if not len(array):
            continue
        key = _fingerprint(array)
        if key not in prints:
            prints.add(key)
            out.append(array)
    return out


# -- augmentation signature ------------------------------------------------------------
def channel_axis(image_shape: tuple[int, ...]) -> int:
    """The channel axis of one image (H, W, C) or (C, H, W): last unless only the first
    looks like channels."""
    if image_shape[-1] in (1, 2, 3, 4):
        return -1
    if image_shape[0] in (1, 2, 3, 4):
        return 0
    return -1


def standardise(images: np.ndarray, axis: int) -> np.ndarray:
    """(M, D) float32 rows of unit norm: each image centred and scaled per channel, so the
    dot product of two rows is their correlation, blind to per-channel affine maps."""
    x = np.asarray(images, dtype=np.float32)
    x = np.where(np.isfinite(x), x, 0.0).astype(np.float32, copy=False)
    if axis == 0:
        x = np.moveaxis(x, 1, -1)
    x = x.reshape(len(x), -1, x.shape[-1])
    x = x - x.mean(axis=1, keepdims=True)
    scale = x.std(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    x = (x / scale).reshape(len(x), -1)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return x / norm


def match_sources(images: np.ndarray, sources: list[np.ndarray]) -> dict[str, np.ndarray]:
    """For each image: the best correlation with any source row, which array and row it
    is, and the best correlation with any *other* row of that array (the margin)."""
    axis = channel_axis(images.shape[1:])
    query = standardise(images, axis)
    m = len(images)
    best = np.full(m, -np.inf)
    second = np.full(m, -np.inf)
    array_of = np.zeros(m, dtype=np.int64)
    row_of = np.zeros(m, dtype=np.int64)
    rows_per_chunk = max(1, CHUNK_ELEMENTS // max(1, query.shape[1]))
    for k, source in enumerate(sources):
        top1 = np.full(m, -np.inf)
        top2 = np.full(m, -np.inf)
        index1 = np.zeros(m, dtype=np.int64)
        for start in range(0, len(source), rows_per_chunk):
            corr = query @ standardise(source[start : start + rows_per_chunk], axis).T
            if corr.shape[1] >= 2:
                part = np.argpartition(-corr, 1, axis=1)[:, :2]
            else:
                part = np.zeros((m, 1), dtype=np.int64)
            values = np.take_along_axis(corr, part, axis=1)
            candidates = np.concatenate([np.stack([top1, top2], 1), values], axis=1)
            indices = np.concatenate([np.stack([index1, np.full(m, -1)], 1), part + start], axis=1)
            order = np.argsort(-candidates, axis=1)[:, :2]
            top1 = np.take_along_axis(candidates, order[:, :1], 1)[:, 0]
            top2 = np.take_along_axis(candidates, order[:, 1:2], 1)[:, 0]
            index1 = np.take_along_axis(indices, order[:, :1], 1)[:, 0]
        better = top1 > best
        best = np.where(better, top1, best)
        second = np.where(better, top2, second)
        array_of = np.where(better, k, array_of)
        row_of = np.where(better, index1, row_of)
    return {"best": best, "second": second, "array": array_of, "row": row_of}


def augmentation_signature(
    images: np.ndarray,
    labels: np.ndarray | None,
    sources: list[np.ndarray],
    label_candidates: list[np.ndarray],
) -> dict[str, Any]:
    """Per image: similarity to its best-matching source, and where the match is clear,
    photometric change and whether its label is its source's label."""
    if images is None or not len(images):
        return {"available": False, "reason": "the batches hold no rank-4 image tensor"}
    if not sources:
        return {
            "available": False,
            "reason": "no un-augmented source images found in the program's namespace",
        }
    elements = sum(int(s.size) for s in sources)
    if elements > MAX_SOURCE_ELEMENTS:
        return {
            "available": False,
            "reason": f"source arrays too large to match ({elements:,} values)",
        }
    found = match_sources(images, sources)
    best, second = found["best"], found["second"]
    log_std_ratio: list[float | None] = []
    offset: list[float | None] = []
    for i, image in enumerate(images):
        ratio = shift = None
        if best[i] >= RECOGNISABLE:
            b = np.asarray(image, dtype=np.float64)
            s = np.asarray(sources[found["array"][i]][found["row"][i]], dtype=np.float64)
            sb, ss = float(b.std()), float(s.std())
            if sb > 0 and ss > 0 and np.isfinite(sb) and np.isfinite(ss):
                ratio = _short(math.log(sb / ss))
                shift = _short(float(b.mean()) / sb - float(s.mean()) / ss)
        log_std_ratio.append(ratio)
        offset.append(shift)
    sure = (best >= SURE) | ((best >= PLAUSIBLE) & (best - second >= MARGIN))
    return {
        "available": True,
        "sources": [list(s.shape) for s in sources],
        "similarity": [_short(v) for v in best],
        "margin": [_short(v) if np.isfinite(v) else None for v in best - second],
        "log_std_ratio": log_std_ratio,
        "offset": offset,
        "aligned": _alignment(labels, sources, label_candidates, found, sure),
        # The source row of each surely matched image of the first source array (the
        # report shows both programs' augmentations of the same rows).
        "rows": [
            int(row) if ok and array == 0 else None
            for row, array, ok in zip(found["row"], found["array"], sure, strict=True)
        ],
    }


def _alignment(
    labels: np.ndarray | None,
    sources: list[np.ndarray],
    candidates: list[np.ndarray],
    found: dict[str, np.ndarray],
    sure: np.ndarray,
) -> list[bool | None]:
    """For surely matched images: does the batch label equal the source row's label in a
    label array of the source's length? (The candidate that agrees most is taken.)"""
    aligned: list[bool | None] = [None] * len(sure)
    if labels is None or len(labels) != len(sure):
        return aligned
    lab = np.asarray(labels, dtype=np.float64)
    for k, source in enumerate(sources):
        members = np.flatnonzero(sure & (found["array"] == k))
        fitting = [
            c
            for c in candidates
            if len(c) == len(source)
            and tuple(c.shape[1:]) == tuple(lab.shape[1:])
            and not (c.ndim == source.ndim and c.shape == source.shape)
        ]
        if not len(members) or not fitting:
            continue
        best_votes: list[bool] | None = None
        for candidate in fitting:
            rows = np.asarray(candidate[found["row"][members]], dtype=np.float64)
            diff = np.abs(rows - lab[members]).reshape(len(members), -1)
            votes = [bool(v) for v in (diff.max(axis=1, initial=0.0) <= 1e-6)]
            if best_votes is None or sum(votes) > sum(best_votes):
                best_votes = votes
        for i, vote in zip(members, best_votes or [], strict=False):
            aligned[int(i)] = vote
    return aligned

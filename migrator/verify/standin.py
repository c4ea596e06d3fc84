"""Data for programs that read it from disk: small generated stand-ins, or a sample of the
user's own data, placed where the programs look. Pure: `ast`, `zlib`; no TensorFlow, no
numpy, no Pillow.

A real training script reads `flow_from_directory("data/train", target_size=(224, 224))`
or `flow_from_dataframe(pd.read_csv("labels.csv"), "images/", x_col=..., y_col=...)`,
and the verifier has neither. Two ways to run it anyway:

- `--stand-in-data`: the verifier reads the ORIGINAL's data paths and parameters (string
  literals and module constants: the directory, `target_size`, `classes`, the CSV's path,
  `x_col`, `y_col`, `class_mode`) and generates, for each path that does not exist, a
  small stand-in: a directory of `IMAGES_PER_CLASS` PNG images per class at the program's
  target size, or a CSV with the program's columns naming generated images;
- `--data PATH=DIR`: the programs see DIR (e.g. a few hundred images of the real dataset)
  where they read PATH.

Both programs run from a staging copy of their directory (symlinks to everything in it,
so imports and other files resolve) in which PATH is the stand-in or DIR; the user's files
are never touched. PATH is relative to the program's directory, as the program opens it
(its working directory there); absolute paths cannot be stood in.
"""

from __future__ import annotations

import ast
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from migrator.verify.png import write_png
from migrator.verify.runtime import callee

IMAGES_PER_CLASS = 8
CSV_ROWS = 16
DEFAULT_SIZE = (256, 256)  # IDG's target_size default
DEFAULT_CLASSES = ("class_a", "class_b")


@dataclass
class DataNeed:
    """One data path a program reads, and what a stand-in for it must look like."""

    kind: str  # "directory" (class sub-directories of images) or "csv" (a labels table)
    path: str  # as the program writes it
    target_size: tuple[int, int] = DEFAULT_SIZE
    classes: tuple[str, ...] = DEFAULT_CLASSES
    class_mode: str = "categorical"
    x_col: str = "filename"
    y_col: str = "class"
    image_dir: str | None = None  # csv: where the named images live (None: paths in x_col)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        height, width = self.target_size
        if self.kind == "directory":
            return (
                f"{self.path}: stand-in, {len(self.classes)} classes "
                f"({', '.join(self.classes)}) x {IMAGES_PER_CLASS} PNG images of {height}x{width}"
            )
        where = self.image_dir or os.path.dirname(self.path) or "."
        return (
            f"{self.path}: stand-in CSV, {CSV_ROWS} rows ({self.x_col}, {self.y_col}) naming "
            f"PNG images of {height}x{width} in {where}"
        )


# -- reading the program ------------------------------------------------------------------------
def find_data_needs(source: str) -> list[DataNeed]:
    """The data paths a program's flow_from_directory / flow_from_dataframe calls read, as
    far as literals and constants tell (an unknown path is left out)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    constants = _constants(tree)
    needs: dict[str, DataNeed] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method == "flow_from_directory":
            _directory_need(node, constants, needs)
        elif method == "flow_from_dataframe":
            _dataframe_need(node, tree, constants, needs)
    return list(needs.values())


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return None


def _constants(tree: ast.Module) -> dict[str, Any]:
    """Names assigned exactly one literal value anywhere in the module (`IMAGE_SIZE =
    (64, 64)`, `train_dir = os.path.join("data", "train")`)."""
    values: dict[str, list[Any]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                values.setdefault(target.id, []).append(_literal(node.value, {}))
    return {
        name: found[0] for name, found in values.items() if len(found) == 1 and found[0] is not None
    }


def _literal(node: ast.expr | None, constants: dict[str, Any]) -> Any:
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Call) and callee(node) == "join" and not node.keywords:
        parts = [_literal(arg, constants) for arg in node.args]
        if parts and all(isinstance(p, str) for p in parts):
            return os.path.join(*parts)
        return None
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_literal(item, constants) for item in node.elts]
        return None if any(i is None for i in items) else type_of(node)(items)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left, constants), _literal(node.right, constants)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return None
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def type_of(node: ast.expr) -> type:
    return tuple if isinstance(node, ast.Tuple) else list


def _size(call: ast.Call, position: int, constants: dict[str, Any]) -> tuple[int, int]:
    value = _literal(_argument(call, position, "target_size"), constants)
    if (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and 0 < v <= 4096 for v in value)
    ):
        return (value[0], value[1])
    return DEFAULT_SIZE


def _classes(call: ast.Call, constants: dict[str, Any]) -> tuple[str, ...]:
    value = _literal(_argument(call, 99, "classes"), constants)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return DEFAULT_CLASSES


def _class_mode(call: ast.Call, position: int, constants: dict[str, Any]) -> str:
    value = _literal(_argument(call, position, "class_mode"), constants)
    return value if isinstance(value, str) else "categorical"


def _directory_need(call: ast.Call, constants: dict[str, Any], needs: dict[str, DataNeed]) -> None:
    # flow_from_directory(directory, target_size, color_mode, classes, class_mode, ...)
    path = _literal(_argument(call, 0, "directory"), constants)
    if not isinstance(path, str) or not path:
        return
    need = needs.setdefault(path, DataNeed("directory", path))
    need.target_size = _size(call, 1, constants)
    classes = _classes(call, constants)
    if classes != DEFAULT_CLASSES:
        need.classes = classes
    need.class_mode = _class_mode(call, 4, constants)


def _dataframe_need(
    call: ast.Call, tree: ast.Module, constants: dict[str, Any], needs: dict[str, DataNeed]
) -> None:
    # flow_from_dataframe(dataframe, directory, x_col, y_col, weight_col, target_size,
    # color_mode, classes, class_mode, ...)
    csv = _csv_path(_argument(call, 0, "dataframe"), tree, constants)
    if csv is None:
        return
    need = needs.setdefault(csv, DataNeed("csv", csv))
    directory = _literal(_argument(call, 1, "directory"), constants)
    if isinstance(directory, str):
        need.image_dir = directory
    for attribute, position, name in (("x_col", 2, "x_col"), ("y_col", 3, "y_col")):
        value = _literal(_argument(call, position, name), constants)
        if isinstance(value, str):
            setattr(need, attribute, value)
    need.target_size = _size(call, 5, constants)
    classes = _classes(call, constants)
    if classes != DEFAULT_CLASSES:
        need.classes = classes
    need.class_mode = _class_mode(call, 8, constants)


def _csv_path(node: ast.expr | None, tree: ast.Module, constants: dict[str, Any]) -> str | None:
    """The path of `pd.read_csv(<path>)` the dataframe argument is (or is a name bound to;
    `df[...]` and `df.sample(...)` of it count too)."""
    while isinstance(node, (ast.Subscript, ast.Attribute)) or (
        isinstance(node, ast.Call)
        and callee(node) != "read_csv"
        and isinstance(node.func, ast.Attribute)
    ):
        node = node.value if not isinstance(node, ast.Call) else node.func.value  # type: ignore[union-attr]
    if isinstance(node, ast.Call) and callee(node) == "read_csv":
        path = _literal(_argument(node, 0, "filepath_or_buffer"), constants)
        return path if isinstance(path, str) else None
    if isinstance(node, ast.Name):
        for assign in ast.walk(tree):
            if (
                isinstance(assign, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in assign.targets)
                and isinstance(assign.value, ast.Call)
                and callee(assign.value) == "read_csv"
            ):
                return _csv_path(assign.value, tree, constants)
    return None


# -- writing stand-ins ----------------------------------------------------------------------------
def _image(path: Path, size: tuple[int, int], rng: random.Random, tint: int) -> None:
    """Smooth noise (so augmentations change it measurably) with a per-class tint."""
    height, width = size
    cells = 8
    grid = [[rng.randrange(256) for _ in range(cells + 1)] for _ in range(cells + 1)]
    shift = (tint * 67) % 256
    rows = []
    for y in range(height):
        gy = y * cells / max(height - 1, 1)
        y0 = min(int(gy), cells - 1)
        fy = gy - y0
        row = bytearray()
        for x in range(width):
            gx = x * cells / max(width - 1, 1)
            x0 = min(int(gx), cells - 1)
            fx = gx - x0
            top = grid[y0][x0] * (1 - fx) + grid[y0][x0 + 1] * fx
            bottom = grid[y0 + 1][x0] * (1 - fx) + grid[y0 + 1][x0 + 1] * fx
            value = int(top * (1 - fy) + bottom * fy)
            row += bytes((value, (value + shift) % 256, (255 - value + shift // 2) % 256))
        rows.append(bytes(row))
    write_png(path, width, height, b"".join(rows))


def make_stand_in(need: DataNeed, root: Path) -> dict[str, Path]:
    """Write the stand-in for `need` under `root`; returns {program path: written path}."""
    rng = random.Random(f"{need.kind}:{need.path}")
    if need.kind == "directory":
        target = root / "directory" / _safe(need.path)
        for index, label in enumerate(need.classes):
            (target / label).mkdir(parents=True, exist_ok=True)
            for number in range(IMAGES_PER_CLASS):
                _image(target / label / f"{label}_{number}.png", need.target_size, rng, index)
        return {need.path: target}
    table = root / "csv" / _safe(need.path)
    table.parent.mkdir(parents=True, exist_ok=True)
    images_key = need.image_dir
    images = root / "csv-images" / _safe(images_key or need.path + "-images")
    images.mkdir(parents=True, exist_ok=True)
    lines = [f"{need.x_col},{need.y_col}"]
    for number in range(CSV_ROWS):
        index = number % len(need.classes)
        name = f"image_{number}.png"
        _image(images / name, need.target_size, rng, index)
        label = str(float(index)) if need.class_mode == "raw" else need.classes[index]
        # Without a directory, x_col holds paths (relative to the working directory).
        shown = name if images_key else os.path.join(os.path.dirname(need.path), "images", name)
        lines.append(f"{shown},{label}")
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = {need.path: table}
    if images_key:
        mapping[images_key] = images
    else:
        mapping[os.path.join(os.path.dirname(need.path), "images")] = images
    return mapping


def _safe(path: str) -> str:
    return path.strip("/").replace("..", "up").replace(os.sep, "__") or "data"


def stand_ins(
    source: str | None, program_dir: str, root: Path, skip: set[str] | None = None
) -> tuple[dict[str, Path], list[str]]:
    """Stand-ins for the data paths of `source` that do not exist (relative to
    `program_dir`) and are not in `skip` (mapped by the user): ({program path: stand-in},
    a line for the report on each path)."""
    mapping: dict[str, Path] = {}
    notes: list[str] = []
    for need in find_data_needs(source or ""):
        if os.path.normpath(need.path) in (skip or set()):
            continue
        if os.path.isabs(need.path):
            notes.append(f"{need.path}: absolute, cannot be stood in (use a relative path)")
            continue
        if os.path.exists(os.path.join(program_dir, need.path)):
            notes.append(f"{need.path}: the program's own data")
            continue
        mapping.update(make_stand_in(need, root))
        notes.append(need.describe())
    return mapping, notes


# -- staging --------------------------------------------------------------------------------------
def parse_mapping(text: str) -> tuple[str, str]:
    """`PATH=DIR` -> (PATH, absolute DIR); ValueError with the reason otherwise."""
    path, equals, target = text.partition("=")
    if not equals or not path or not target:
        raise ValueError(f"{text!r} is not PATH=DIR")
    if os.path.isabs(path):
        raise ValueError(f"{path}: PATH must be relative to the program's directory")
    if not os.path.exists(target):
        raise ValueError(f"{target}: no such file or directory")
    return os.path.normpath(path), os.path.abspath(target)


def stage(program: str, mapping: dict[str, Path], destination: Path) -> str:
    """A copy of `program`'s directory made of symlinks, in which each mapped path (relative
    to that directory) is the mapped file or directory; returns the staged program's path.
    Paths that climb out of the directory (`../input/train`) are placed by nesting the
    staged directory as deep as they climb."""
    source_dir = Path(program).resolve().parent
    depth = max((_climb(path) for path in mapping), default=0)
    # The staged directory sits `depth` levels down, each level named as the original's
    # (`../input/train` from /kaggle/working: staged as DEST/working, data at DEST/input).
    ancestors = [source_dir, *source_dir.parents][:depth]
    staged = destination.joinpath(*[p.name or "root" for p in reversed(ancestors)])
    staged.mkdir(parents=True, exist_ok=True)
    _mirror(source_dir, staged, skip={Path(program).name})
    target = staged / Path(program).name
    target.write_bytes(Path(program).read_bytes())
    for path, stand_in in sorted(mapping.items()):
        _place(staged, source_dir, Path(os.path.normpath(path)), stand_in)
    return str(target)


def _climb(path: str) -> int:
    parts = Path(os.path.normpath(path)).parts
    return next((i for i, part in enumerate(parts) if part != ".."), len(parts))


def _mirror(source: Path, destination: Path, skip: frozenset[str] | set[str] = frozenset()) -> None:
    inside = destination.resolve()
    for entry in source.iterdir() if source.is_dir() else []:
        if entry.name in skip or (destination / entry.name).exists():
            continue
        if inside.is_relative_to(entry.resolve()):  # the staging area itself: no loop
            continue
        try:
            (destination / entry.name).symlink_to(entry.resolve())
        except OSError:  # no symlinks here: the program runs without its neighbours
            pass


def _place(staged: Path, source_dir: Path, relative: Path, target: Path) -> None:
    """Make `staged / relative` the `target`, turning symlinked parents into real
    directories that mirror the originals, so the rest of them stays visible."""
    here, original = staged, source_dir
    parts = relative.parts
    for part in parts[:-1]:
        here, original = here / part, original / part
        if here.is_symlink():
            here.unlink()
        here.mkdir(exist_ok=True)
        _mirror(original, here)
    final = here / parts[-1]
    if final.is_symlink() or final.is_file():
        final.unlink()
    final.symlink_to(target.resolve())

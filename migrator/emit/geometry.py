"""Emitted code for IDG's random parameters and its affine resample (design.md section 6).

Everything here returns Python source text; nothing imports TensorFlow. The resample
reproduces `apply_affine_transform` + `scipy.ndimage.affine_transform` exactly: the
matrix is built as IDG builds it (float64, same factor order, same centring, same
row/column swap), source coordinates are computed per output pixel in float64, mapped
with scipy's border rule for the fill mode, and read with a 4-neighbour (bilinear) or
1-neighbour (nearest) gather. Flips, which IDG applies after the affine transform, are
folded in by reading mirrored output positions (exact).
"""

from __future__ import annotations

from migrator.model import AugmentSpec, ShiftRange

DEGREES_TO_RADIANS = "0.017453292519943295"  # np.deg2rad's factor, pi / 180


def has_affine(spec: AugmentSpec) -> bool:
    """True when IDG builds a transform matrix (rotation, shift, shear or zoom)."""
    return bool(
        spec.rotation_range
        or spec.width_shift_range.active
        or spec.height_shift_range.active
        or spec.shear_range
        or spec.has_zoom
    )


def has_random_parameters(spec: AugmentSpec) -> bool:
    return bool(
        has_affine(spec)
        or spec.horizontal_flip
        or spec.vertical_flip
        or spec.channel_shift_range
        or spec.brightness_range is not None
    )


def _float(value: float) -> str:
    return repr(float(value))


def _shift(shift: ShiftRange, index: int, size: str, argument: str) -> tuple[str, str | None, int]:
    """(expression, comment, seeds used) for tx/ty drawn from one shift range."""
    if shift.kind == "uniform":
        value = shift.values[0]
        expression = f"uniform({index}, {_float(-value)}, {_float(value)})"
        used = 1
    else:
        values = ", ".join(_float(v) for v in shift.values)
        expression = f"choice({index}, [{values}])"
        used = 2
    if shift.fractional:
        expression += f" * tf.cast({size}, tf.float64)"
        comment = f"{argument}, a fraction of the {size}"
    else:
        comment = f"{argument}, in pixels"
    return expression, comment, used


def render_parameters(spec: AugmentSpec, name: str) -> str:
    """`def <name>(batch_size, height, width, seed)` returning the per-image parameters.

    Keys and units are those of `get_random_transform`'s dict, so tests (and users) can
    hand the same values to `ImageDataGenerator.apply_transform`.
    """
    entries: list[tuple[str, str, str | None]] = []  # key, expression, comment
    prelude: list[str] = []
    index = 0
    uses_choice = False
    if spec.rotation_range:
        r = spec.rotation_range
        entries.append(
            ("theta", f"uniform({index}, {_float(-r)}, {_float(r)})", "rotation_range, degrees")
        )
        index += 1
    # IDG's naming, kept: tx comes from height_shift_range (scaled by the height) and ty
    # from width_shift_range (scaled by the width); the transform's matrix swap decides
    # which way each moves the image.
    for key, shift, size, argument in (
        ("tx", spec.height_shift_range, "height", "height_shift_range"),
        ("ty", spec.width_shift_range, "width", "width_shift_range"),
    ):
        if shift.active:
            expression, comment, used = _shift(shift, index, size, argument)
            uses_choice = uses_choice or shift.kind == "choice"
            entries.append((key, expression, comment))
            index += used
    if spec.shear_range:
        s = spec.shear_range
        entries.append(
            ("shear", f"uniform({index}, {_float(-s)}, {_float(s)})", "shear_range, degrees")
        )
        index += 1
    if spec.has_zoom:
        low, high = spec.zoom_range
        prelude.append(
            f"zoom = tf.random.stateless_uniform([batch_size, 2], seeds[{index}], "
            f"{_float(low)}, {_float(high)}, tf.float64)"
        )
        entries.append(("zx", "zoom[:, 0]", "zx and zy are drawn independently"))
        entries.append(("zy", "zoom[:, 1]", None))
        index += 1
    for key, flag in (
        ("flip_horizontal", spec.horizontal_flip),
        ("flip_vertical", spec.vertical_flip),
    ):
        if flag:
            entries.append((key, f"uniform({index}, 0.0, 1.0) < 0.5", None))
            index += 1
    if spec.channel_shift_range:
        c = spec.channel_shift_range
        entries.append(
            ("channel_shift_intensity", f"uniform({index}, {_float(-c)}, {_float(c)})", None)
        )
        index += 1
    if spec.brightness_range is not None:
        low, high = spec.brightness_range
        entries.append(("brightness", f"uniform({index}, {_float(low)}, {_float(high)})", None))
        index += 1

    lines = [
        f"def {name}(batch_size, height, width, seed):",
        '    """Random parameters per image, as `ImageDataGenerator.get_random_transform`'
        " draws them.",
        "",
        "    Stateless random ops: the same `seed` (int64, shape [2]) gives the same values,",
        "    also inside a parallel `Dataset.map`.",
        '    """',
        f"    seeds = tf.random.experimental.stateless_split(seed, {index})",
        "",
        "    def uniform(index, low, high):",
        "        return tf.random.stateless_uniform([batch_size], seeds[index], low, high, tf.float64)",
    ]
    if uses_choice:
        lines += [
            "",
            "    def choice(index, values):  # np.random.choice(values) * np.random.choice([-1, 1])",
            "        pick = tf.random.stateless_uniform([batch_size], seeds[index], 0, len(values), tf.int32)",
            "        sign = tf.random.stateless_uniform([batch_size], seeds[index + 1], 0, 2, tf.int32)",
            "        return tf.gather(tf.constant(values, tf.float64), pick) * tf.cast(2 * sign - 1, tf.float64)",
        ]
    lines.append("")
    if not any("height" in e or "width" in e for _, e, _ in entries):
        lines.append("    del height, width  # only fractional shifts depend on the image size")
    lines += [f"    {line}" for line in prelude]
    lines.append("    return {")
    for key, expression, comment in entries:
        if comment:
            lines.append(f"        # {comment}")
        lines.append(f'        "{key}": {expression},')
    lines.append("    }")
    return "\n".join(lines)


# scipy.ndimage's border rules, per fill mode, for a float64 source coordinate `v` along an
# axis of `n` pixels (design.md section 6; verified against scipy for every mode, both
# interpolation orders, exact ties and integer coordinates). After mapping, v lies in
# [-1, n], where clamping the neighbour index is what scipy does.
_BORDER_RULES: dict[str, list[str]] = {
    "nearest": [
        "def border(v, n):  # fill_mode='nearest': scipy clamps the coordinate to [0, n - 1]",
        "    return tf.clip_by_value(v, 0.0, n - 1)",
    ],
    "reflect": [
        "def border(v, n):  # fill_mode='reflect': scipy's half-sample reflection, period 2n",
        "    v = tf.math.floormod(v, 2 * n)",
        "    return tf.where(v >= n, 2 * n - 1 - v, v)",
    ],
    "wrap": [
        "def border(v, n):  # fill_mode='wrap': scipy's wrap has period n - 1 (not n)",
        "    period = tf.maximum(n - 1, 1.0)",
        "    wrapped = tf.where(v > n - 1, tf.math.floormod(v, period), v)",
        "    return tf.where(v < 0, period - tf.math.floormod(-v, period), wrapped)",
    ],
    "constant": [
        "def border(v, n):  # fill_mode='constant': pixels read from outside become cval (below)",
        "    return tf.clip_by_value(v, 0.0, n - 1)",
    ],
}


def render_resample(spec: AugmentSpec) -> list[str]:
    """Body lines (indented one level) of the affine resample of `images` (B, H, W, C).

    Expects `batch`, `height`, `width`, `channels` and `parameters` to be bound.
    """
    one_factor: list[str] = []
    if spec.rotation_range:
        one_factor.append("rotation")
    if spec.width_shift_range.active or spec.height_shift_range.active:
        one_factor.append("shift")
    if spec.shear_range:
        one_factor.append("shear")
    if spec.has_zoom:
        one_factor.append("zoom")
    formula = " . ".join(
        {"rotation": "R(theta)", "shift": "T(tx, ty)", "shear": "S(shear)", "zoom": "Z(zx, zy)"}[f]
        for f in one_factor
    )
    lines = [
        "h = tf.cast(height, tf.float64)",
        "w = tf.cast(width, tf.float64)",
        "one = tf.ones([batch], tf.float64)",
        "zero = tf.zeros([batch], tf.float64)",
        "",
        "def matrices(*entries):  # one 3x3 matrix per image, entries row by row",
        "    return tf.reshape(tf.stack(entries, axis=1), [-1, 3, 3])",
        "",
        f"# IDG's matrix M = {formula},",
        "# built in float64 as `apply_affine_transform` builds it.",
    ]
    factors: list[str] = []
    if "rotation" in one_factor:
        lines += [
            f'theta = parameters["theta"] * {DEGREES_TO_RADIANS}  # degrees -> radians',
            "cos, sin = tf.cos(theta), tf.sin(theta)",
        ]
        factors.append("matrices(cos, -sin, zero, sin, cos, zero, zero, zero, one)")
    if "shift" in one_factor:
        tx = 'parameters["tx"]' if spec.height_shift_range.active else "zero"
        ty = 'parameters["ty"]' if spec.width_shift_range.active else "zero"
        factors.append(f"matrices(one, zero, {tx}, zero, one, {ty}, zero, zero, one)")
    if "shear" in one_factor:
        lines.append(f'shear = parameters["shear"] * {DEGREES_TO_RADIANS}')
        factors.append(
            "matrices(one, -tf.sin(shear), zero, zero, tf.cos(shear), zero, zero, zero, one)"
        )
    if "zoom" in one_factor:
        lines.append('zx, zy = parameters["zx"], parameters["zy"]')
        factors.append("matrices(zx, zero, zero, zero, zy, zero, zero, zero, one)")
    if len(factors) == 1:
        lines.append(f"transform = {factors[0]}")
    else:
        lines.append("transform = (")
        lines.append(f"    {factors[0]}")
        lines += [f"    @ {factor}" for factor in factors[1:]]
        lines.append(")")
    if "shift" in one_factor:  # name the shift ranges only where shifts are drawn
        quirks = [
            "# So the centre is (row (width - 1) / 2, column (height - 1) / 2), and tx",
            "# (height_shift_range) moves images horizontally, ty (width_shift_range) vertically.",
            "# Both quirks are IDG's own and kept on purpose.",
        ]
    else:
        quirks = [
            "# So the centre is (row (width - 1) / 2, column (height - 1) / 2): IDG's own quirk,",
            "# kept on purpose.",
        ]
    lines += [
        "# Centred on (height / 2 - 0.5, width / 2 - 0.5) in (x, y) order, then IDG swaps the",
        "# matrix's first two rows and columns (M' = P M P) to address (row, column) pixels.",
        *quirks,
        "ox, oy = h / 2 - 0.5, w / 2 - 0.5",
        "offset = tf.convert_to_tensor([[1.0, 0.0, ox], [0.0, 1.0, oy], [0.0, 0.0, 1.0]])",
        "reset = tf.convert_to_tensor([[1.0, 0.0, -ox], [0.0, 1.0, -oy], [0.0, 0.0, 1.0]])",
        "transform = offset @ transform @ reset",
        "transform = tf.gather(tf.gather(transform, [1, 0, 2], axis=1), [1, 0, 2], axis=2)",
        "",
    ]
    flips = spec.horizontal_flip or spec.vertical_flip
    if flips:
        lines.append(
            "# IDG flips after the affine transform: read mirrored output positions instead."
        )
    lines.append("rows = tf.range(h)[None, :]")
    if spec.vertical_flip:
        lines.append('rows = tf.where(parameters["flip_vertical"][:, None], h - 1 - rows, rows)')
    lines.append("cols = tf.range(w)[None, :]")
    if spec.horizontal_flip:
        lines.append('cols = tf.where(parameters["flip_horizontal"][:, None], w - 1 - cols, cols)')
    lines += [
        "# scipy.ndimage.affine_transform: source (row, column) of every output pixel.",
        "m = transform[:, :2, :, None, None]",
        "source_rows = m[:, 0, 0] * rows[:, :, None] + m[:, 0, 1] * cols[:, None, :] + m[:, 0, 2]",
        "source_cols = m[:, 1, 0] * rows[:, :, None] + m[:, 1, 1] * cols[:, None, :] + m[:, 1, 2]",
    ]
    if spec.fill_mode == "constant":
        lines += [
            "inside = (",
            "    (source_rows >= 0) & (source_rows <= h - 1) & (source_cols >= 0) & (source_cols <= w - 1)",
            ")",
        ]
    lines += [""] + _BORDER_RULES[spec.fill_mode] + [""]
    lines += [
        "source_rows = border(source_rows, h)",
        "source_cols = border(source_cols, w)",
        "flat = tf.reshape(images, [-1, channels])",
        "first_row = tf.range(batch)[:, None, None] * height  # of each image in `flat`",
        "",
        "def pixels(r, c):  # pixel (r, c) of each image, indices clamped to the image",
        "    r = tf.clip_by_value(r, 0, height - 1)",
        "    c = tf.clip_by_value(c, 0, width - 1)",
        "    return tf.gather(flat, (first_row + r) * width + c)",
        "",
    ]
    if spec.interpolation_order == 0:
        lines += [
            "# interpolation_order=0: scipy takes the nearest pixel, rounding halves up.",
            "images = pixels(",
            "    tf.cast(tf.floor(source_rows + 0.5), tf.int32),",
            "    tf.cast(tf.floor(source_cols + 0.5), tf.int32),",
            ")",
        ]
    else:
        lines += [
            "# interpolation_order=1: bilinear interpolation of the 4 neighbours.",
            "top, left = tf.floor(source_rows), tf.floor(source_cols)",
            "dy = tf.cast(source_rows - top, images.dtype)[..., None]",
            "dx = tf.cast(source_cols - left, images.dtype)[..., None]",
            "top, left = tf.cast(top, tf.int32), tf.cast(left, tf.int32)",
            "images = (pixels(top, left) * (1 - dx) + pixels(top, left + 1) * dx) * (1 - dy) + (",
            "    pixels(top + 1, left) * (1 - dx) + pixels(top + 1, left + 1) * dx",
            ") * dy",
        ]
    if spec.fill_mode == "constant":
        lines.append(
            f"images = tf.where(inside[..., None], images, tf.constant({_float(spec.cval)}, images.dtype))"
        )
    return lines


def render_flips(spec: AugmentSpec) -> list[str]:
    """Flips without an affine transform (IDG's `flip_axis` on columns, then rows)."""
    rows, cols = (1, 2) if spec.data_format == "channels_last" else (2, 3)
    lines: list[str] = []
    for key, axis, flag in (
        ("flip_horizontal", cols, spec.horizontal_flip),
        ("flip_vertical", rows, spec.vertical_flip),
    ):
        if flag:
            lines += [
                f'flip = parameters["{key}"][:, None, None, None]',
                f"images = tf.where(flip, tf.reverse(images, [{axis}]), images)",
            ]
    return lines

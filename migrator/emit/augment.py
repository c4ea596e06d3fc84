"""Render the per-batch augmentation function for one AugmentSpec.

CONTRACT (used by migrator.emit.pipeline and the planner):

    unsupported(spec) -> list[Refusal]
        Every part of `spec` the renderer cannot reproduce exactly; the planner refuses
        the rewrite (no code is changed) when this is non-empty.

    render_augment_function(spec, name, *, tf="tf", statistics=None) -> str | None
        Python source of `def <name>(images, seed):` where `images` is a float batch
        (B, H, W, C) for channels_last or (B, C, H, W) for channels_first, already cast to
        spec.dtype, and `seed` an int64 tensor of shape [2] (a fresh one per batch). It
        returns the batch augmented per image (IDG's distributions, order of operations,
        fill modes) and standardized, as IDG's NumpyArrayIterator would yield it. `tf` is
        the name TensorFlow is bound to in the user's module. `statistics` is the prefix
        of the variables render_statistics assigns (featurewise/ZCA only). Returns None
        when spec.is_identity (nothing to do but cast).

    render_statistics(spec, name, x_source, *, augment="False", rounds="1", seed="None",
                      tf="tf", augment_function=None) -> str
        Statements that compute, from the array expression `x_source`, the statistics
        IDG.fit would compute, assigned to variables prefixed `name`.

Shape of the emitted code (only the parts a configuration needs are rendered):

    def <name>_parameters(batch_size, height, width, seed) -> dict
        IDG's `get_random_transform`, vectorised: one value per image for each key of
        IDG's parameter dict (`theta`, `tx`, ..., `brightness`), from stateless random ops.
    @tf.function(jit_compile=True)   # only when there is an affine resample
    def <name>_transform(images, parameters)
        IDG's `apply_transform` for a batch: one affine resample (flips folded in),
        channel shift, flips, brightness.
    def <name>(images, seed)
        Draws the parameters, transforms, then standardizes (IDG's `standardize`).

`render_augment_function(..., statistics=...)` and `render_statistics(...,
augment_function=...)` share the `<augment name>_parameters/_transform` functions when
`fit(augment=True)` is used; without `augment_function`, render_statistics renders its
own copies under the statistics prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.emit import colour, geometry, standardize
from migrator.model import AugmentSpec
from migrator.rules import Code

FILL_MODES = ("nearest", "constant", "reflect", "wrap")
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Refusal:
    code: Code  # an MA1xx code
    argument: str  # the IDG argument at fault, e.g. "interpolation_order"
    reason: str  # why it is refused
    help: str | None = None  # what to do by hand (Diagnostic.help)


def unsupported(spec: AugmentSpec) -> list[Refusal]:
    refusals: list[Refusal] = []
    if spec.interpolation_order not in (0, 1):
        refusals.append(
            Refusal(
                "MA102",
                "interpolation_order",
                f"interpolation_order={spec.interpolation_order}: scipy's spline interpolation "
                "of order >= 2 has no exact TensorFlow equivalent",
                help="Use interpolation_order=1 (bilinear, the default) or 0 (nearest), "
                "or keep ImageDataGenerator here",
            )
        )
    if spec.fill_mode not in FILL_MODES:
        refusals.append(
            Refusal(
                "MA102",
                "fill_mode",
                f"fill_mode={spec.fill_mode!r} is not one of IDG's documented modes "
                f"({', '.join(FILL_MODES)}) and is not reproduced",
                help="Choose one of them",
            )
        )
    if spec.data_format not in ("channels_last", "channels_first"):
        refusals.append(
            Refusal(
                "MA102",
                "data_format",
                f"data_format={spec.data_format!r} is invalid (IDG raises)",
                help="Use 'channels_last' or 'channels_first'",
            )
        )
    if spec.brightness_range is not None and spec.data_format == "channels_first":
        refusals.append(
            Refusal(
                "MA102",
                "brightness_range",
                "brightness_range with data_format='channels_first': IDG's brightness shift "
                "converts images with the global (channels_last) layout and fails or scrambles "
                "them",
                help="Move brightness_range to a channels_last generator or drop it",
            )
        )
    if spec.dtype not in DTYPES:
        refusals.append(
            Refusal(
                "MA102",
                "dtype",
                f"dtype={spec.dtype!r}: only float32 (the default) and float64 are migrated; "
                "IDG's results in other dtypes depend on scipy and numpy casting rules "
                "(rounding, overflow, unsupported float16 resampling) that the rewrite does "
                "not reproduce",
                help="Drop dtype (float32) or cast the batches yourself",
            )
        )
    return refusals


def _check(spec: AugmentSpec) -> None:
    refusals = unsupported(spec)
    if refusals:
        raise ValueError(
            "; ".join(
                f"{r.code} {r.argument}: {r.reason}" + (f". {r.help}" if r.help else "")
                for r in refusals
            )
        )


def _with_tf(source: str, tf: str) -> str:
    return source if tf == "tf" else re.sub(r"(?<![\w.])tf\.", f"{tf}.", source)


def _indent(lines: list[str], level: int = 1) -> list[str]:
    pad = "    " * level
    return [f"{pad}{line}" if line else "" for line in lines]


def _size_arguments(spec: AugmentSpec) -> str:
    """(batch, height, width) of `images` from `shape = tf.shape(images)`."""
    if spec.data_format == "channels_last":
        return "shape[0], shape[1], shape[2]"
    return "shape[0], shape[2], shape[3]"


def _has_transform(spec: AugmentSpec) -> bool:
    return geometry.has_random_parameters(spec)


def _render_transform(spec: AugmentSpec, name: str) -> str:
    affine = geometry.has_affine(spec)
    # Only the resample needs (batch, row, column, channel); the rest is layout-free.
    transpose = affine and spec.data_format == "channels_first"
    body: list[str] = []
    if affine:
        body.append("static_shape = images.shape  # the gathers lose it")
    if transpose:
        body.append(
            "images = tf.transpose(images, [0, 2, 3, 1])  # to (batch, row, column, channel)"
        )
    if affine:
        body += [
            "shape = tf.shape(images)",
            "batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]",
        ]
        body += geometry.render_resample(spec)
    if spec.channel_shift_range:
        body += [""] + colour.render_channel_shift(spec)
    if not affine and (spec.horizontal_flip or spec.vertical_flip):
        body += ["", "# Flips (IDG's `flip_axis`), each with probability 0.5."]
        body += geometry.render_flips(spec)
    if spec.brightness_range is not None:
        body += [""] + colour.render_brightness(spec)
    if transpose:
        body.append("images = tf.transpose(images, [0, 3, 1, 2])  # back to channels_first")
    body.append("return tf.ensure_shape(images, static_shape)" if affine else "return images")
    header: list[str] = []
    if affine:
        header += [
            "@tf.function(jit_compile=True)  # XLA fuses the per-pixel math and the gathers",
            f"def {name}(images, parameters):",
            '    """Transforms each image with its `parameters` as `ImageDataGenerator.apply_transform`',
            '    does: one affine resample with scipy\'s border rules, then colour, in IDG\'s order."""',
        ]
    else:
        header += [
            f"def {name}(images, parameters):",
            '    """Transforms each image with its `parameters` as'
            ' `ImageDataGenerator.apply_transform` does."""',
        ]
    return "\n".join(header + _indent(body))


def _render_transform_functions(spec: AugmentSpec, prefix: str) -> list[str]:
    return [
        geometry.render_parameters(spec, f"{prefix}_parameters"),
        _render_transform(spec, f"{prefix}_transform"),
    ]


def render_augment_function(
    spec: AugmentSpec, name: str, *, tf: str = "tf", statistics: str | None = None
) -> str | None:
    _check(spec)
    if spec.is_identity:
        return None
    parts: list[str] = []
    body: list[str] = []
    if _has_transform(spec):
        parts += _render_transform_functions(spec, name)
        body += [
            "shape = tf.shape(images)",
            f"parameters = {name}_parameters({_size_arguments(spec)}, seed)",
            f"images = {name}_transform(images, parameters)",
        ]
    else:
        body.append("del seed  # this configuration draws no random numbers")
    if standardize.has_standardization(spec):
        body += standardize.render_standardize(spec, statistics)
    body.append("return images")
    pieces = []
    if _has_transform(spec):
        pieces.append("random transforms (one per image)")
    if standardize.has_standardization(spec):
        pieces.append("standardization")
    what = " and ".join(pieces)
    main = [
        f"def {name}(images, seed):",
        f'    """ImageDataGenerator\'s {what}, for a batch."""',
    ]
    parts.append("\n".join(main + _indent(body)))
    return _with_tf("\n\n\n".join(parts) + "\n", tf)


def render_statistics(
    spec: AugmentSpec,
    name: str,
    x_source: str,
    *,
    augment: str = "False",
    rounds: str = "1",
    seed: str = "None",
    tf: str = "tf",
    augment_function: str | None = None,
) -> str:
    """`augment_function`: the name given to render_augment_function, whose helpers the
    statistics reuse for `fit(augment=True)`; without it they get their own copies."""
    _check(spec)
    if not standardize.Featurewise.of(spec).any:
        raise ValueError("this configuration uses no statistics from fit()")
    parts: list[str] = []
    augmenting = augment.strip() not in ("False", "0", "None")
    transform = parameters = None
    if augmenting and _has_transform(spec):
        prefix = augment_function
        if prefix is None:
            prefix = name
            parts += _render_transform_functions(spec, prefix)
        transform, parameters = f"{prefix}_transform", f"{prefix}_parameters"
    elif augmenting:
        augment = "False"  # nothing random to apply: fit(augment=True) sees the same data
    parts.append(
        standardize.render_statistics(
            spec,
            name,
            x_source,
            augment=augment,
            rounds=rounds,
            seed=seed,
            transform=transform,
            parameters=parameters,
        )
    )
    return _with_tf("\n\n\n".join(parts) + "\n", tf)

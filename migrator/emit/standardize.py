"""Emitted code for IDG's `standardize` and for the statistics `IDG.fit` computes.

Returned as source text (no TensorFlow import here). The standardization lines act on a
batch `images` in the user's own layout; the statistics are shaped as IDG shapes them
((1, 1, C) for channels_last, (C, 1, 1) for channels_first), so they broadcast the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from migrator.model import AugmentSpec

# A preprocessing_function named by the program (called on the batch), as opposed to the
# body of an arithmetic lambda (analysis.idg_config.arithmetic_lambda), written out.
_DOTTED_NAME = re.compile(r"[A-Za-z_][\w.]*")


@dataclass(frozen=True)
class Featurewise:
    """Which statistics `fit` computes and `standardize` uses, after IDG's flag forcing."""

    center: bool
    std: bool
    zca: bool

    @staticmethod
    def of(spec: AugmentSpec) -> Featurewise:
        # IDG's constructor: zca forces center on and std off; std forces center on.
        zca = spec.zca_whitening
        std = spec.featurewise_std_normalization and not zca
        center = spec.featurewise_center or zca or std
        return Featurewise(center, std, zca)

    @property
    def any(self) -> bool:
        return self.center or self.std or self.zca


def samplewise(spec: AugmentSpec) -> tuple[bool, bool]:
    std = spec.samplewise_std_normalization
    return spec.samplewise_center or std, std


def has_standardization(spec: AugmentSpec) -> bool:
    return bool(
        spec.preprocessing_function
        or spec.rescale
        or any(samplewise(spec))
        or Featurewise.of(spec).any
    )


def statistics_names(statistics: str) -> dict[str, str]:
    return {"mean": f"{statistics}_mean", "std": f"{statistics}_std", "zca": f"{statistics}_zca"}


def render_standardize(spec: AugmentSpec, statistics: str | None) -> list[str]:
    """Body lines (indented one level) applying `ImageDataGenerator.standardize` to `images`."""
    lines = ["# ImageDataGenerator.standardize, in its order."]
    if spec.preprocessing_function:
        function = spec.preprocessing_function
        if _DOTTED_NAME.fullmatch(function):
            lines.append(f"images = {function}(images)")
        else:  # the body of an arithmetic lambda, written on `images`
            lines.append(f"images = {function}  # preprocessing_function")
    if spec.rescale:
        lines.append(f"images = images * {spec.rescale!r}  # rescale")
    center, std = samplewise(spec)
    if center:
        lines.append(
            "images = images - tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)"
            "  # samplewise_center"
        )
    if std:
        lines.append(
            "images = images / (tf.math.reduce_std(images, axis=[1, 2, 3], keepdims=True) + 1e-6)"
        )
    featurewise = Featurewise.of(spec)
    if featurewise.any:
        if statistics is None:
            raise ValueError("featurewise standardization needs the statistics' variable prefix")
        names = statistics_names(statistics)
        if featurewise.center:
            lines.append(f"images = images - {names['mean']}  # featurewise_center")
        if featurewise.std:
            lines.append(f"images = images / ({names['std']} + 1e-6)")
        if featurewise.zca:
            lines += [
                "# zca_whitening: each flattened image times the whitening matrix.",
                f"flat = tf.reshape(images, [tf.shape(images)[0], -1]) @ {names['zca']}",
                "images = tf.ensure_shape(tf.reshape(flat, tf.shape(images)), images.shape)",
            ]
    return lines


def render_statistics(
    spec: AugmentSpec,
    name: str,
    x_source: str,
    *,
    augment: str,
    rounds: str,
    seed: str,
    transform: str | None,
    parameters: str | None,
) -> str:
    """A `def <name>_fit(...)` computing what `IDG.fit` computes, and its call.

    `transform` and `parameters` name the emitted functions that draw and apply IDG's
    random transforms; they are needed only when `augment` is not literally False.
    """
    featurewise = Featurewise.of(spec)
    names = statistics_names(name)
    axes = "[0, 1, 2]" if spec.data_format == "channels_last" else "[0, 2, 3]"
    augmenting = augment.strip() not in ("False", "0", "None")
    if augmenting and (transform is None or parameters is None):
        raise ValueError("fit(augment=...) needs the transform functions' names")
    computed = ", ".join(
        flag for flag, on in (("mean", featurewise.center), ("std", featurewise.std)) if on
    )
    if featurewise.zca:
        computed += ", ZCA whitening matrix"
    signature = "x, augment=False, rounds=1, seed=None" if augmenting else "x"
    lines = [
        f"def {name}_fit({signature}):",
        f'    """What `ImageDataGenerator.fit` computes: {computed}."""',
        f"    x = tf.cast(x, tf.{spec.dtype})",
    ]
    if spec.rescale:
        lines.append(
            f"    x = x * {spec.rescale!r}  # fit rescales (and ignores preprocessing_function)"
        )
    if augmenting:
        height, width = ("1", "2") if spec.data_format == "channels_last" else ("2", "3")
        lines += [
            "    if augment:",
            "        # Fit on `rounds` randomly transformed copies of x (not standardized).",
            "        copies = tf.data.Dataset.from_tensor_slices(x).repeat(rounds).batch(256)",
            "        seeds = tf.data.Dataset.random(seed=seed).batch(2)",
            "",
            "        def transform(images, batch_seed):",
            "            shape = tf.shape(images)",
            f"            drawn = {parameters}(shape[0], shape[{height}], shape[{width}], batch_seed)",
            f"            return {transform}(images, drawn)",
            "",
            "        batches = tf.data.Dataset.zip((copies, seeds))",
            "        batches = batches.map(transform, num_parallel_calls=tf.data.AUTOTUNE)",
            "        x = tf.concat(list(batches), axis=0)",
        ]
    returned: list[str] = []
    if featurewise.center:
        lines += [
            "    # Per channel over (images, rows, columns), accumulated in float64.",
            f"    mean = tf.reduce_mean(tf.cast(x, tf.float64), axis={axes}, keepdims=True)[0]",
            "    mean = tf.cast(mean, x.dtype)",
        ]
        if featurewise.std or featurewise.zca:
            lines.append("    x = x - mean")
        returned.append("mean")
    if featurewise.std:
        lines += [
            "    # Of the centred data, as IDG computes it.",
            f"    std = tf.math.reduce_std(tf.cast(x, tf.float64), axis={axes}, keepdims=True)[0]",
            "    std = tf.cast(std, x.dtype)",
        ]
        returned.append("std")
    if featurewise.zca:
        lines += [
            "    # U diag(sqrt(n) / (s + zca_epsilon)) U^T from the SVD of the flattened images;",
            "    # IDG's U (of x^T) is V of x = U S V^T.",
            "    flat = tf.reshape(tf.cast(x, tf.float64), [tf.shape(x)[0], -1])",
            "    s, _, v = tf.linalg.svd(flat)",
            f"    scale = tf.sqrt(tf.cast(tf.shape(flat)[0], tf.float64)) / (s + {spec.zca_epsilon!r})",
            "    zca = tf.cast(tf.matmul(v * scale, v, transpose_b=True), x.dtype)",
        ]
        returned.append("zca")
    targets = ", ".join(names[key] for key in returned)
    arguments = f"{x_source}, {augment}, {rounds}, {seed}" if augmenting else x_source
    lines.append(f"    return {', '.join(returned)}")
    lines.append("")
    lines.append("")
    lines.append(f"{targets} = {name}_fit({arguments})")
    return "\n".join(lines)

"""Emitted code for IDG's colour transforms: channel shift and brightness.

Both act on `images` in (batch, row, column, channel) layout, per image, after the
affine resample. Returned as body lines indented one level (no TensorFlow import here).
"""

from __future__ import annotations

from migrator.model import AugmentSpec


def render_channel_shift(spec: AugmentSpec) -> list[str]:
    del spec
    return [
        "# channel_shift_range (`apply_channel_shift`): one intensity per image added to every",
        "# channel, clipped to the image's own range before the shift. numpy adds the float64",
        "# intensity in float64; so do we.",
        "low = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)",
        "high = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)",
        'intensity = parameters["channel_shift_intensity"][:, None, None, None]',
        "",
        "def shift(v):",
        "    shifted = tf.cast(v, tf.float64) + intensity",
        "    shifted = tf.clip_by_value(shifted, tf.cast(low, tf.float64), tf.cast(high, tf.float64))",
        "    return tf.cast(shifted, v.dtype)",
        "",
        "# The shift is monotonic, so the shifted extremes are the new image's extremes:",
        "# no second pass over the pixels to find them.",
        "images, low, high = shift(images), shift(low), shift(high)",
    ]


def render_brightness(spec: AugmentSpec) -> list[str]:
    """Brightness lines; after a channel shift, its `low`/`high` (the extremes) are reused."""
    extremes = (
        []
        if spec.channel_shift_range
        else [
            "low = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)",
            "high = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)",
        ]
    )
    return [
        "# brightness_range (`apply_brightness_shift(x, b, scale=False)`): IDG goes through an",
        "# 8-bit PIL image. Values are truncated to integers, multiplied by b in float32 (PIL),",
        "# clipped to [0, 255] and truncated again: [0, 1] data becomes 0s and 1s. An image",
        "# outside [0, 255] is min-max scaled to [0, 255] first and scaled back after.",
        *extremes,
        "outside = (low < 0) | (high > 255)",
        "x = tf.cast(images, tf.float32)  # `array_to_img` works in float32",
        "x_low = tf.cast(low, tf.float32)  # the cast is monotonic: min(cast(x)) = cast(min(x))",
        "x_span = tf.cast(high, tf.float32) - x_low",
        "x_span = tf.where(x_span == 0, tf.ones_like(x_span), x_span)",
        "x = tf.floor(tf.where(outside, (x - x_low) / x_span * 255, x))",
        'factor = tf.cast(parameters["brightness"], tf.float32)[:, None, None, None]',
        "if images.shape[-1] == 4:  # PIL leaves the alpha channel of an RGBA image alone",
        "    factor = tf.concat([tf.tile(factor, [1, 1, 1, 3]), tf.ones_like(factor)], axis=-1)",
        "x = tf.clip_by_value(tf.floor(x * factor), 0.0, 255.0)",
        "x = tf.cast(x, images.dtype)",
        "images = tf.where(outside, x / 255 * (high - low) + low, x)",
    ]

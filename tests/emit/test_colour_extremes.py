"""Channel shift followed by brightness reuses the shifted per-image extremes (a speed
change: no second reduction over the pixels). IDG recomputes them from the shifted image;
the results must be the same, also where brightness min-max scales (data outside
[0, 255]) and where the shift saturates at the image's own range."""

from __future__ import annotations

import numpy as np
import pytest

from migrator.emit.augment import render_augment_function
from migrator.model import AugmentSpec

pytestmark = pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning")

DATA = {
    "negative": lambda rng, shape: rng.normal(0, 60, shape),
    "above 255": lambda rng, shape: rng.uniform(100, 400, shape),
    "0..255": lambda rng, shape: rng.integers(0, 256, shape).astype(float),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("data", sorted(DATA))
def test_shift_then_brightness_matches_idg(tf, run_emitted, keras_idg, data, dtype) -> None:
    spec = AugmentSpec(channel_shift_range=80.0, brightness_range=(0.5, 1.5), dtype=dtype)
    source = render_augment_function(spec, "aug")
    assert source is not None
    assert source.count("tf.reduce_min") == 1  # the extremes are found once
    rng = np.random.default_rng(11)
    x = DATA[data](rng, (8, 9, 7, 3)).astype(dtype)
    # Shifts large enough to saturate at the image's own extremes, and small ones.
    shifts = [-400.0, 400.0, 0.0, *rng.uniform(-80, 80, 5)]
    params = [
        {"channel_shift_intensity": np.float64(s), "brightness": np.float64(b)}
        for s, b in zip(shifts, rng.uniform(0.5, 1.5, len(shifts)), strict=True)
    ]
    tensors = {
        key: tf.constant([p[key] for p in params], tf.float64)
        for key in ("channel_shift_intensity", "brightness")
    }
    got = run_emitted(source)["aug_transform"](tf.constant(x), tensors).numpy()
    idg = keras_idg(spec)
    expected = np.stack([idg.apply_transform(x[i], p) for i, p in enumerate(params)])
    scale = max(1.0, float(np.abs(x).max()))
    np.testing.assert_allclose(got, expected.astype(dtype), rtol=0, atol=1e-6 * scale)

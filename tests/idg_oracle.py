"""What the fidelity tests of the emitted code and of the runtime module share: the real
ImageDataGenerator applied with fixed parameters, and parameters that probe it.

IDG works one image at a time with a dict of parameters; the code under test works on
batches with one tensor per parameter. These helpers convert between the two and run
IDG's `apply_transform` image by image (the oracle).
"""

from __future__ import annotations

import numpy as np

BOOLEAN_KEYS = ("flip_horizontal", "flip_vertical")


def batched(tf, params: list[dict]) -> dict:
    """IDG's per-image parameter dicts -> the batched tensors of the code under test
    (keys IDG leaves None, for options that are off, are left out)."""
    keys = [key for key, value in params[0].items() if value is not None]
    return {
        key: tf.constant(
            [bool(p[key]) if key in BOOLEAN_KEYS else float(p[key]) for p in params],
            tf.bool if key in BOOLEAN_KEYS else tf.float64,
        )
        for key in keys
    }


def idg_draws(idg, shape: tuple[int, ...], seeds: list[int]) -> list[dict]:
    """What one generator draws for each sample after `np.random.seed(s)`, as a flow
    with a seed reseeds numpy (None values: options that are off)."""
    draws = []
    for seed in seeds:
        np.random.seed(seed)
        draws.append(idg.get_random_transform(shape))
    return draws


def unbatched(parameters: dict) -> list[dict]:
    """The emitted parameters -> IDG's per-image dicts (numpy float64 scalars, as IDG's own)."""
    arrays = {key: np.asarray(value) for key, value in parameters.items()}
    count = len(next(iter(arrays.values())))
    return [
        {
            key: bool(value[i]) if key in BOOLEAN_KEYS else np.float64(value[i])
            for key, value in arrays.items()
        }
        for i in range(count)
    ]


def idg_transform(idg, x: np.ndarray, params: list[dict]) -> np.ndarray:
    return np.stack(
        [idg.apply_transform(x[i].astype(idg.dtype), p) for i, p in enumerate(params)]
    ).astype(idg.dtype)


def geometry_parameters(rng: np.random.Generator, count: int) -> list[dict]:
    """Random affine parameters, plus the cases where float details decide pixels."""
    params = []
    for _ in range(count):
        params.append(
            dict(
                theta=rng.uniform(-30, 30),
                tx=rng.uniform(-4, 4),
                ty=rng.uniform(-4, 4),
                shear=rng.uniform(-15, 15),
                zx=rng.uniform(0.7, 1.3),
                zy=rng.uniform(0.7, 1.3),
                flip_horizontal=bool(rng.random() < 0.5),
                flip_vertical=bool(rng.random() < 0.5),
            )
        )
    identity = dict(theta=0.0, tx=0.0, ty=0.0, shear=0.0, zx=1.0, zy=1.0)
    flips = dict(flip_horizontal=True, flip_vertical=False)
    special = [
        {**identity, "flip_horizontal": False, "flip_vertical": False},
        {**identity, **flips, "tx": 3.0, "ty": -2.0},  # whole pixels: exact borders
        {**identity, **flips, "theta": 90.0},  # cos(90 deg) is not exactly 0
        {**identity, **flips, "zx": 0.5, "zy": 2.0, "tx": 0.5, "ty": -1.5},  # ties at .5
        {**identity, **flips, "tx": 40.0, "ty": -33.0},  # far outside: wrap/reflect periods
        {**identity, **flips, "zx": 3.0, "zy": 2.5, "theta": 10.0},  # zoomed out a lot
    ]
    return special + params


LAYOUTS = [  # (height, width, channels, data_format)
    (21, 17, 3, "channels_last"),
    (16, 16, 1, "channels_last"),
    (17, 21, 1, "channels_first"),
    (16, 16, 3, "channels_first"),
]


BRIGHTNESS_DATA = {
    "0..255": lambda rng, shape: rng.uniform(0, 255, shape),
    "integers": lambda rng, shape: rng.integers(0, 256, shape).astype(float),
    "0..1 (IDG destroys it)": lambda rng, shape: rng.random(shape),
    "negative (min-max scaled)": lambda rng, shape: rng.normal(0, 1, shape),
    "above 255 (min-max scaled)": lambda rng, shape: rng.uniform(100, 400, shape),
}

"""The data model between analysis and emission.

`AugmentSpec` is the parsed, normalised `ImageDataGenerator(...)` configuration. It
holds literal values (and names the arguments known only at run time): the analysis
builds it from the constructor call (or refuses),
the emitters render TensorFlow code from it, and tests of the emitters take it as input.
Field meanings follow IDG exactly (design.md section 6); normalisation mirrors what
IDG's own constructor does (zoom float -> pair, the featurewise/samplewise/zca forcing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FillMode = Literal["nearest", "constant", "reflect", "wrap"]
DataFormat = Literal["channels_last", "channels_first"]


@dataclass(frozen=True)
class ShiftRange:
    """`width_shift_range` / `height_shift_range` as IDG interprets them.

    - kind "uniform": a float `v` -> U(-v, v).
    - kind "choice": an int `k` -> a value from range(k), a list -> one of its items;
      either way times a random sign (-1 or +1).
    `fractional` is IDG's `np.max(v) < 1` test: the drawn value is then multiplied by the
    image's size along that axis, otherwise it is in pixels.
    """

    kind: Literal["uniform", "choice"]
    values: tuple[float, ...]  # ("uniform": (v,)); ("choice": the candidates)
    fractional: bool

    @property
    def active(self) -> bool:
        # IDG tests the raw argument's truthiness: 0, 0.0 and [] draw nothing.
        return any(v != 0 for v in self.values) if self.kind == "uniform" else bool(self.values)

    @staticmethod
    def none() -> ShiftRange:
        return ShiftRange("uniform", (0.0,), True)


GEOMETRY_ARGUMENTS = (
    "rotation_range",
    "width_shift_range",
    "height_shift_range",
    "shear_range",
    "zoom_range",
    "horizontal_flip",
    "vertical_flip",
)


@dataclass(frozen=True)
class AugmentSpec:
    """One `ImageDataGenerator` configuration, normalised as IDG's constructor does."""

    # Geometry (one affine matrix, one resample).
    rotation_range: float = 0.0  # degrees
    width_shift_range: ShiftRange = field(default_factory=ShiftRange.none)
    height_shift_range: ShiftRange = field(default_factory=ShiftRange.none)
    shear_range: float = 0.0  # degrees
    zoom_range: tuple[float, float] = (1.0, 1.0)
    horizontal_flip: bool = False
    vertical_flip: bool = False
    fill_mode: FillMode = "nearest"
    cval: float = 0.0
    interpolation_order: int = 1
    # Colour.
    channel_shift_range: float = 0.0
    brightness_range: tuple[float, float] | None = None
    # Standardization, in IDG's order.
    # An allow-listed function's qualified name (called on the batch), or the body of an
    # arithmetic lambda written on `images` (analysis.idg_config.arithmetic_lambda).
    preprocessing_function: str | None = None
    rescale: float | None = None
    samplewise_center: bool = False
    samplewise_std_normalization: bool = False
    featurewise_center: bool = False
    featurewise_std_normalization: bool = False
    zca_whitening: bool = False
    zca_epsilon: float = 1e-6
    # Layout and bookkeeping.
    data_format: DataFormat = "channels_last"
    validation_split: float = 0.0
    dtype: str = "float32"
    # Arguments whose values are known only at run time (`rotation_range=args.rotation`),
    # "**" when an unknown dict may set any: their fields above hold IDG's defaults, the
    # rewritten call passes the user's expressions on and the runtime module checks them.
    run_time: frozenset[str] = frozenset()

    def unknown(self, *names: str) -> bool:
        """Whether any of these arguments is known only at run time."""
        return "**" in self.run_time or any(name in self.run_time for name in names)

    @property
    def has_zoom(self) -> bool:
        return not (self.zoom_range[0] == 1 and self.zoom_range[1] == 1)

    @property
    def has_geometry(self) -> bool:
        return bool(
            self.rotation_range
            or self.width_shift_range.active
            or self.height_shift_range.active
            or self.shear_range
            or self.has_zoom
            or self.horizontal_flip
            or self.vertical_flip
            or self.unknown(*GEOMETRY_ARGUMENTS)
        )

    @property
    def has_random_parameters(self) -> bool:
        """IDG draws something per image (a transform, a flip, a colour shift)."""
        return bool(
            self.has_geometry or self.channel_shift_range or self.brightness_range is not None
        )

    @property
    def needs_fit_statistics(self) -> bool:
        """True when `datagen.fit(x)` computes statistics that `standardize` uses (or may:
        an argument known only at run time may ask for them)."""
        return self.needs_fit_statistics_for_sure or self.unknown(
            "featurewise_center", "featurewise_std_normalization", "zca_whitening"
        )

    @property
    def needs_fit_statistics_for_sure(self) -> bool:
        return self.featurewise_center or self.featurewise_std_normalization or self.zca_whitening

    @property
    def is_identity(self) -> bool:
        """True when IDG would only cast images to `dtype` and batch them."""
        return not (
            self.run_time
            or self.has_geometry
            or self.channel_shift_range
            or self.brightness_range is not None
            or self.preprocessing_function
            or self.rescale
            or self.samplewise_center
            or self.samplewise_std_normalization
            or self.needs_fit_statistics
        )


# The value of a flow-call argument that is not a literal (analysis.flow_config builds it,
# the file pipelines' emitters read it).
class _Unknown:
    """The value of an argument that is not a literal (known only at run time)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()

"""What the runtime module does not reproduce, and the values IDG itself raises for: the
constructor's (MA102) and the file flows' (MA101, MA102, MA104) refusals, read by
plan/blockers.py. Literal values only: a value known at run time is checked there by the
runtime module, with the same kind of error IDG raises."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from migrator.analysis.parameters import DATAFRAME_PARAMETERS, DIRECTORY_PARAMETERS
from migrator.model import UNKNOWN, AugmentSpec
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


COLOR_MODES = ("rgb", "rgba", "grayscale")
CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
# Every name load_img accepts (keras.src.utils.image_utils.PIL_INTERPOLATION_METHODS); the
# runtime module reproduces each of them exactly.
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _refuse_value(argument: str, value: object) -> tuple[Code, str, str, str | None] | None:
    if argument == "save_to_dir" and value is not None:
        return (
            "MA104",
            argument,
            "save_to_dir writes every augmented batch to disk as a side effect, which the "
            "tf.data pipeline does not do",
            "Drop save_to_dir (and save_prefix/save_format) to migrate, or keep "
            "ImageDataGenerator here",
        )
    if argument == "interpolation" and value not in INTERPOLATIONS:
        return (
            "MA102",
            argument,
            f"interpolation={value!r} is not one of load_img's methods "
            f"({', '.join(INTERPOLATIONS)}): IDG raises when it resizes",
            None,
        )
    if argument == "color_mode" and value not in COLOR_MODES:
        return (
            "MA102",
            argument,
            f"color_mode={value!r} is invalid (IDG raises)",
            "Use 'rgb', 'rgba' or 'grayscale'",
        )
    if argument == "class_mode" and value not in CLASS_MODES:
        return (
            "MA102",
            argument,
            f"class_mode={value!r} is invalid for flow_from_directory (IDG raises)",
            "Use 'categorical', 'binary', 'sparse', 'input' or None",
        )
    if argument == "subset" and value not in (None, "training", "validation"):
        return (
            "MA102",
            argument,
            f"subset={value!r} is invalid (IDG raises)",
            "Use 'training', 'validation' or None",
        )
    if argument == "target_size" and not (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return (
            "MA102",
            argument,
            f"target_size={value!r} is not a (height, width) pair of positive integers",
            None,
        )
    return None


def unsupported_directory_call(
    arguments: Mapping[str, object | None],
) -> list[tuple[Code, str, str, str | None]]:
    """(code, argument, reason, help) for every argument of a `flow_from_directory(...)` call that
    blocks the rewrite. `arguments` maps parameter names (positional ones already mapped
    through DIRECTORY_PARAMETERS) to their literal values, or to UNKNOWN for non-literal
    ones; parameters left out take flow_from_directory's defaults, which are all supported.

    Non-literal values are accepted for every parameter but save_to_dir: the runtime's
    directory_files takes them at run time and checks them when called (as IDG does).
    """
    refusals: list[tuple[Code, str, str, str | None]] = []
    for argument, value in arguments.items():
        if argument not in DIRECTORY_PARAMETERS:
            refusals.append(
                (
                    "MA104",
                    argument,
                    f"flow_from_directory() has no parameter {argument!r} (IDG raises)",
                    None,
                )
            )
        elif value is UNKNOWN:
            if argument == "save_to_dir":
                refusals.append(
                    (
                        "MA101",
                        argument,
                        "save_to_dir is not a literal: if it is set at run time, IDG writes "
                        "augmented images to disk, which the tf.data pipeline does not do",
                        "Drop it to migrate",
                    )
                )
        elif argument not in ("save_prefix", "save_format"):
            refusal = _refuse_value(argument, value)
            if refusal is not None:
                refusals.append(refusal)
    return refusals


DATAFRAME_CLASS_MODES = (
    "categorical",
    "binary",
    "sparse",
    "input",
    "multi_output",
    "raw",
    "other",
    None,
)


def unsupported_dataframe_call(
    arguments: Mapping[str, object | None],
) -> list[tuple[Code, str, str, str | None]]:
    """(code, argument, reason, help) for every argument of a `flow_from_dataframe(...)` call that
    blocks the rewrite; `arguments` as for directory.unsupported_directory_call (UNKNOWN
    for non-literal values). Non-literal values are accepted for every parameter but
    save_to_dir; keyword arguments outside DATAFRAME_PARAMETERS are ignored by IDG and
    dropped, never refused."""
    refusals: list[tuple[Code, str, str, str | None]] = []
    for argument, value in arguments.items():
        if argument == "save_to_dir" and value is UNKNOWN:
            refusals.append(
                (
                    "MA101",
                    argument,
                    "save_to_dir is not a literal: if it is set at run time, IDG writes "
                    "augmented images to disk, which the tf.data pipeline does not do",
                    "Drop it to migrate",
                )
            )
        elif value is UNKNOWN or argument not in DATAFRAME_PARAMETERS:
            continue
        elif argument == "save_to_dir" and value is not None:
            refusals.append(
                (
                    "MA104",
                    argument,
                    "save_to_dir writes every augmented batch to disk as a side effect, which "
                    "the tf.data pipeline does not do",
                    "Drop save_to_dir (and save_prefix/save_format) to migrate, or keep "
                    "ImageDataGenerator here",
                )
            )
        elif argument == "class_mode" and value not in DATAFRAME_CLASS_MODES:
            refusals.append(
                (
                    "MA102",
                    argument,
                    f"class_mode={value!r} is invalid for flow_from_dataframe (IDG raises)",
                    "Use 'categorical', 'binary', 'sparse', 'input', 'multi_output', 'raw' or None",
                )
            )
        elif argument in ("color_mode", "interpolation", "subset", "target_size"):
            refusals += unsupported_directory_call({argument: value})
    y_col = arguments.get("y_col", "class")
    if arguments.get("class_mode") == "multi_output" and y_col is not UNKNOWN:
        if not isinstance(y_col, list):
            refusals.append(
                (
                    "MA102",
                    "y_col",
                    f"class_mode='multi_output' needs y_col to be a list of columns, not "
                    f"{y_col!r} (IDG raises)",
                    None,
                )
            )
    return refusals

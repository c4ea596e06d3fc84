"""Turn an `ImageDataGenerator(...)` call into an AugmentSpec, or into reasons it can't be."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import libcst as cst

from migrator.analysis.literals import NameResolver, NotLiteral, evaluate
from migrator.arguments import parameter_names, refusal_code
from migrator.model import AugmentSpec, ShiftRange
from migrator.rules import Code

# IDG's constructor signature, in order (positional arguments map onto it), and the rule
# code of each argument's value refusals: both from the catalogue docs/arguments.md shows.
IDG_PARAMETERS: tuple[str, ...] = parameter_names("ImageDataGenerator")
VALUE_REFUSALS: dict[str, str] = {
    name: refusal_code("ImageDataGenerator", name) for name in IDG_PARAMETERS
}

FILL_MODES = ("nearest", "constant", "reflect", "wrap")


@dataclass(frozen=True)
class ConfigProblem:
    code: Code  # MA101 non-literal, MA102 unsupported value, MA103 preprocessing function
    argument: str
    reason: str  # what is wrong with the argument
    help: str | None = None  # what to do about it (Diagnostic.help)


@dataclass(frozen=True)
class ParsedConfig:
    spec: AugmentSpec | None  # None when any problem was found
    problems: tuple[ConfigProblem, ...]
    arguments: Mapping[str, cst.BaseExpression]  # as written, by parameter name
    # The arguments known only at run time (spec.run_time), each with what it is.
    run_time: tuple[ConfigProblem, ...] = ()


def bind_arguments(
    call: cst.Call, parameters: tuple[str, ...]
) -> tuple[dict[str, cst.BaseExpression], list[str]]:
    """Map a call's arguments onto parameter names; return (bound, problems)."""
    bound: dict[str, cst.BaseExpression] = {}
    problems: list[str] = []
    for index, arg in enumerate(call.args):
        if arg.star:
            problems.append(f"`{arg.star}` argument unpacking")
        elif arg.keyword is None:
            if index < len(parameters):
                bound[parameters[index]] = arg.value
            else:
                problems.append("too many positional arguments")
        else:
            bound[arg.keyword.value] = arg.value
    return bound, problems


_ARITHMETIC_OPERATORS = (
    cst.Add,
    cst.Subtract,
    cst.Multiply,
    cst.Divide,
    cst.FloorDivide,
    cst.Power,
)


class _RenameParameter(cst.CSTTransformer):
    def __init__(self, parameter: str) -> None:
        self.parameter = parameter

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        return (
            updated_node.with_changes(value="images")
            if updated_node.value == self.parameter
            else updated_node
        )


def _is_arithmetic(node: cst.BaseExpression, parameter: str) -> bool:
    if isinstance(node, cst.Name):
        return node.value == parameter
    if isinstance(node, cst.Integer | cst.Float):
        return True
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.Minus | cst.Plus) and _is_arithmetic(
            node.expression, parameter
        )
    if isinstance(node, cst.BinaryOperation):
        return (
            isinstance(node.operator, _ARITHMETIC_OPERATORS)
            and _is_arithmetic(node.left, parameter)
            and _is_arithmetic(node.right, parameter)
        )
    return False


def arithmetic_lambda(expression: cst.BaseExpression) -> str | None:
    """`lambda x: x / 127.5 - 1.0`: the body with its parameter renamed `images`, when it is
    only number literals and + - * / // ** on the parameter, else None. Such a body means the
    same on a float32 batch tensor as on IDG's float32 image (elementwise, float32 results),
    so it runs on the batch unchanged."""
    if not isinstance(expression, cst.Lambda):
        return None
    parameters = expression.params
    if (
        len(parameters.params) != 1
        or parameters.posonly_params
        or parameters.kwonly_params
        or not isinstance(parameters.star_arg, cst.MaybeSentinel)
        or parameters.star_kwarg is not None
        or parameters.params[0].default is not None
    ):
        return None
    parameter = parameters.params[0].name.value
    if not _is_arithmetic(expression.body, parameter):
        return None
    if isinstance(expression.body, cst.Name):
        return "images"  # the identity, however parenthesised
    body = expression.body.visit(_RenameParameter(parameter))
    code = cst.Module([]).code_for_node(cst.ensure_type(body, cst.BaseExpression))
    return code if "images" in code else None  # a constant would replace every image


def parse_idg_call(
    call: cst.Call,
    resolver: NameResolver,
    resolve_preprocessing: Callable[[cst.BaseExpression], str | None],
    source_of: Callable[[cst.CSTNode], str],
) -> ParsedConfig:
    """`resolve_preprocessing(expr)` returns the expression's source when it names an
    allow-listed TensorFlow-native preprocessing function, else None. `**config` is
    expanded when `config` is a dict whose value is statically certain."""
    unpacked: dict[str, Any] = {}
    problems: list[ConfigProblem] = []
    # Values known only at run time: passed on as written, checked by the runtime module.
    run_time: list[ConfigProblem] = []
    for arg in call.args:
        if arg.star == "**":
            try:
                mapping = evaluate(arg.value, None, resolver)
            except NotLiteral as error:
                mapping = None
                reason = str(error)
            else:
                reason = "not a dict"
            if isinstance(mapping, dict):
                unpacked.update(mapping)
            else:
                run_time.append(
                    ConfigProblem(
                        "MA101",
                        "**",
                        f"`**{source_of(arg.value)}` is not a statically known dict ({reason})",
                    )
                )
    plain = call.with_changes(args=[arg for arg in call.args if arg.star != "**"])
    bound, binding_problems = bind_arguments(plain, IDG_PARAMETERS)
    problems += [
        ConfigProblem(
            "MA101",
            "*",
            f"{reason} (which parameter each value lands on is known only at run time)",
            "Pass the arguments by keyword: `**options` of a dict is migrated",
        )
        for reason in binding_problems
    ]
    values: dict[str, Any] = {}
    for name, value in unpacked.items():
        if name not in IDG_PARAMETERS:
            problems.append(ConfigProblem("MA102", name, "not an ImageDataGenerator argument"))
        elif name in bound:
            problems.append(ConfigProblem("MA102", name, "given twice (IDG raises)"))
        elif name == "preprocessing_function" and value is not None:
            problems.append(ConfigProblem("MA103", name, "a function given through a dict"))
        else:
            values[name] = value
    for name, expression in bound.items():
        if name not in IDG_PARAMETERS:
            problems.append(ConfigProblem("MA102", name, "not an ImageDataGenerator argument"))
            continue
        if name == "preprocessing_function":
            try:
                if evaluate(expression, None, resolver) is None:
                    continue
            except NotLiteral:
                pass
            resolved = arithmetic_lambda(expression)
            if resolved is None:
                resolved = resolve_preprocessing(expression)
            elif resolved == "images":
                continue  # `lambda x: x` changes nothing
            if resolved is None:
                problems.append(
                    ConfigProblem(
                        VALUE_REFUSALS[name],
                        name,
                        f"`{source_of(expression)}` is not a known TensorFlow-native function",
                        "Rewrite it with TensorFlow ops and map it over the dataset by hand",
                    )
                )
            else:
                values[name] = resolved
            continue
        if name == "dtype":
            # `dtype=np.float32` names the same dtype as "float32" (IDG hands it to numpy).
            numpy_dtype = _numpy_dtype_name(resolver.qualified(expression))
            if numpy_dtype is not None:
                values[name] = numpy_dtype
                continue
        try:
            values[name] = evaluate(expression, None, resolver)
        except NotLiteral as error:
            run_time.append(
                ConfigProblem(
                    "MA101",
                    name,
                    f"`{name}={source_of(expression)}` is not statically known ({error})",
                    "Write it as a literal or a module-level constant",
                )
            )
    if problems:
        return ParsedConfig(None, tuple(problems), bound, tuple(run_time))
    spec, value_problems = _build_spec(values)
    if spec is not None and run_time:
        spec = replace(spec, run_time=frozenset(problem.argument for problem in run_time))
    return ParsedConfig(spec, tuple(value_problems), bound, tuple(run_time))


def _numpy_dtype_name(qualified_names: set[str]) -> str | None:
    """ "float32" for `numpy.float32` (any import of numpy), and so on for numpy's scalar
    types; None for anything else."""
    for name in qualified_names:
        module, _, attribute = name.rpartition(".")
        if module == "numpy" and attribute in _NUMPY_SCALAR_TYPES:
            return attribute
    return None


# numpy scalar types a user may pass as dtype; _build_spec decides which are migrated.
_NUMPY_SCALAR_TYPES = frozenset(
    {"float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64"}
)


def _build_spec(values: dict[str, Any]) -> tuple[AugmentSpec | None, list[ConfigProblem]]:
    problems: list[ConfigProblem] = []

    def bad(argument: str, reason: str) -> None:
        problems.append(ConfigProblem(VALUE_REFUSALS[argument], argument, reason))

    def number(name: str, default: float) -> float:
        value = values.get(name, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            bad(name, f"`{name}={value!r}` is not a number")
            return default
        return float(value)

    def flag(name: str) -> bool:
        value = values.get(name, False)
        if isinstance(value, bool | int | float | type(None)):
            return bool(value)
        bad(name, f"`{name}={value!r}` is not a boolean")
        return False

    zoom = values.get("zoom_range", 0.0)
    zoom_range: tuple[float, float] = (1.0, 1.0)
    if isinstance(zoom, int | float) and not isinstance(zoom, bool):
        zoom_range = (1.0 - zoom, 1.0 + zoom)
    elif (
        isinstance(zoom, tuple | list)
        and len(zoom) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in zoom)
    ):
        zoom_range = (float(zoom[0]), float(zoom[1]))
    else:
        bad("zoom_range", f"`zoom_range={zoom!r}` must be a float or a pair (IDG raises)")

    brightness = values.get("brightness_range")
    brightness_range: tuple[float, float] | None = None
    if brightness is not None:
        if (
            isinstance(brightness, tuple | list)
            and len(brightness) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in brightness)
        ):
            brightness_range = (float(brightness[0]), float(brightness[1]))
        else:
            bad("brightness_range", "must be a tuple or list of two numbers (IDG raises)")

    fill_mode = values.get("fill_mode", "nearest")
    if fill_mode not in FILL_MODES:
        bad(
            "fill_mode",
            f"`fill_mode={fill_mode!r}` has no exact TensorFlow equivalent; "
            f"use one of {', '.join(FILL_MODES)}",
        )
        fill_mode = "nearest"

    data_format = values.get("data_format") or "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        bad("data_format", f"`data_format={data_format!r}` is invalid (IDG raises)")
        data_format = "channels_last"

    dtype = values.get("dtype") or "float32"
    if not isinstance(dtype, str):
        bad("dtype", "only dtype names given as strings are supported")
        dtype = "float32"

    order = values.get("interpolation_order", 1)
    if isinstance(order, bool) or not isinstance(order, int):
        bad("interpolation_order", f"`interpolation_order={order!r}` is not an integer")
        order = 1

    validation_split = number("validation_split", 0.0)
    if validation_split and not 0 < validation_split < 1:
        bad("validation_split", "must be strictly between 0 and 1 (IDG raises)")

    rescale = values.get("rescale")
    if rescale is not None and (isinstance(rescale, bool) or not isinstance(rescale, int | float)):
        bad("rescale", f"`rescale={rescale!r}` is not a number")
        rescale = None

    spec_kwargs: dict[str, Any] = dict(
        rotation_range=number("rotation_range", 0.0),
        width_shift_range=_shift(values.get("width_shift_range", 0.0), "width_shift_range", bad),
        height_shift_range=_shift(values.get("height_shift_range", 0.0), "height_shift_range", bad),
        shear_range=number("shear_range", 0.0),
        zoom_range=zoom_range,
        horizontal_flip=flag("horizontal_flip"),
        vertical_flip=flag("vertical_flip"),
        fill_mode=fill_mode,
        cval=number("cval", 0.0),
        interpolation_order=order,
        channel_shift_range=number("channel_shift_range", 0.0),
        brightness_range=brightness_range,
        preprocessing_function=values.get("preprocessing_function"),
        rescale=float(rescale) if rescale else None,
        samplewise_center=flag("samplewise_center"),
        samplewise_std_normalization=flag("samplewise_std_normalization"),
        featurewise_center=flag("featurewise_center"),
        featurewise_std_normalization=flag("featurewise_std_normalization"),
        zca_whitening=flag("zca_whitening"),
        zca_epsilon=number("zca_epsilon", 1e-6),
        data_format=data_format,
        validation_split=validation_split,
        dtype=dtype,
    )
    # IDG's constructor overrides some flags (each with a warning); mirror it.
    if spec_kwargs["zca_whitening"]:
        spec_kwargs["featurewise_center"] = True
        spec_kwargs["featurewise_std_normalization"] = False
    if spec_kwargs["featurewise_std_normalization"]:
        spec_kwargs["featurewise_center"] = True
    if spec_kwargs["samplewise_std_normalization"]:
        spec_kwargs["samplewise_center"] = True
    if problems:
        return None, problems
    return AugmentSpec(**spec_kwargs), problems


def _shift(value: Any, name: str, bad: Callable[[str, str], None]) -> ShiftRange:
    """IDG: list/int -> np.random.choice (int k: range(k)) times a sign; float -> U(-v, v)."""
    if not value:  # IDG tests truthiness: None, False, 0 and [] draw nothing
        return ShiftRange.none()
    if isinstance(value, bool):
        bad(name, f"`{name}={value!r}` is not a number")
        return ShiftRange.none()
    if isinstance(value, int):
        if value < 0:
            bad(name, f"`{name}={value}`: a negative int makes IDG raise")
            return ShiftRange.none()
        return ShiftRange("choice", tuple(float(v) for v in range(value)), value < 1)
    if isinstance(value, float):
        return ShiftRange("uniform", (value,), value < 1)
    if (
        isinstance(value, tuple | list)
        and value
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    ):
        return ShiftRange("choice", tuple(float(v) for v in value), max(value) < 1)
    bad(name, f"`{name}={value!r}` is not a number or a list of numbers")
    return ShiftRange.none()

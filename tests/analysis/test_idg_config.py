import libcst as cst
import pytest

from migrator.analysis.idg_config import IDG_PARAMETERS, parse_idg_call
from migrator.analysis.literals import NameResolver
from migrator.api import migrate_source
from migrator.arguments import CATALOGUE, GENERAL, Argument, Case, parameter_names, refusal_code
from migrator.model import AugmentSpec, ShiftRange


def parse(code: str):
    call = cst.parse_expression(code)
    assert isinstance(call, cst.Call)
    module = cst.Module([])
    return parse_idg_call(
        call,
        NameResolver(),
        lambda expr: (
            "preprocess_input"
            if isinstance(expr, cst.Name) and expr.value == "preprocess_input"
            else None
        ),
        module.code_for_node,
    )


def test_defaults_are_identity() -> None:
    parsed = parse("ImageDataGenerator()")
    assert parsed.spec == AugmentSpec()
    assert parsed.spec.is_identity


def test_seed_configuration() -> None:
    spec = parse("IDG(rotation_range=20, width_shift_range=0.1, height_shift_range=0.1)").spec
    assert spec.rotation_range == 20
    assert spec.width_shift_range == ShiftRange("uniform", (0.1,), True)
    assert spec.has_geometry and not spec.is_identity


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0.2", ShiftRange("uniform", (0.2,), True)),
        ("3.0", ShiftRange("uniform", (3.0,), False)),
        ("3", ShiftRange("choice", (0.0, 1.0, 2.0), False)),
        ("[-2, 2]", ShiftRange("choice", (-2.0, 2.0), False)),
        ("[0.1, 0.2]", ShiftRange("choice", (0.1, 0.2), True)),
        ("0", ShiftRange.none()),
    ],
)
def test_shift_forms_follow_idg(code: str, expected: ShiftRange) -> None:
    assert parse(f"IDG(width_shift_range={code})").spec.width_shift_range == expected


def test_zoom_float_becomes_pair() -> None:
    assert parse("IDG(zoom_range=0.2)").spec.zoom_range == (0.8, 1.2)
    assert parse("IDG(zoom_range=[0.5, 1])").spec.zoom_range == (0.5, 1.0)


def test_constructor_forcing_is_mirrored() -> None:
    spec = parse("IDG(zca_whitening=True, featurewise_std_normalization=True)").spec
    assert spec.featurewise_center and not spec.featurewise_std_normalization
    assert parse("IDG(samplewise_std_normalization=True)").spec.samplewise_center


def test_positional_arguments_follow_the_signature() -> None:
    assert parse("IDG(True)").spec.featurewise_center


@pytest.mark.parametrize(
    ("code", "rule", "argument"),
    [
        ("IDG(fill_mode='mirror')", "MA102", "fill_mode"),
        ("IDG(zoom_range=(1, 2, 3))", "MA102", "zoom_range"),
        ("IDG(brightness_range=0.5)", "MA102", "brightness_range"),
        ("IDG(preprocessing_function=my_fn)", "MA103", "preprocessing_function"),
        ("IDG(not_an_argument=1)", "MA102", "not_an_argument"),
        ("IDG(*options)", "MA101", "*"),
    ],
)
def test_problems_name_the_argument(code: str, rule: str, argument: str) -> None:
    parsed = parse(code)
    assert parsed.spec is None
    assert [(p.code, p.argument) for p in parsed.problems] == [(rule, argument)]


@pytest.mark.parametrize(
    ("code", "run_time"),
    [
        ("IDG(rotation_range=args.rotation, horizontal_flip=True)", {"rotation_range"}),
        ("IDG(**config)", {"**"}),
        ("IDG(zoom_range=CFG.zoom, fill_mode=mode, **extra)", {"zoom_range", "fill_mode", "**"}),
    ],
)
def test_values_known_at_run_time_are_named_not_refused(code: str, run_time: set[str]) -> None:
    parsed = parse(code)
    assert parsed.problems == ()
    assert parsed.spec is not None
    assert parsed.spec.run_time == run_time
    assert {problem.argument for problem in parsed.run_time} == run_time


def test_a_run_time_value_keeps_the_spec_conservative() -> None:
    flip = parse("IDG(rotation_range=angle, horizontal_flip=True)").spec
    assert flip.horizontal_flip and flip.rotation_range == 0.0  # IDG's default stands in
    assert flip.has_geometry and not flip.is_identity
    assert not flip.needs_fit_statistics  # no standardization argument is unknown
    assert parse("IDG(featurewise_center=args.center)").spec.needs_fit_statistics
    unknown = parse("IDG(**config)").spec
    assert unknown.has_geometry and unknown.needs_fit_statistics
    assert not unknown.needs_fit_statistics_for_sure
    assert unknown.unknown("validation_split")
    assert not parse("IDG(rescale=scale)").spec.unknown("validation_split")


def test_known_preprocessing_function_is_kept_as_source() -> None:
    assert parse("IDG(preprocessing_function=preprocess_input)").spec.preprocessing_function == (
        "preprocess_input"
    )


# -- the argument catalogue (migrator/arguments.py, docs/arguments.md) ------------------
# Each refused case of the catalogue carries an example; running the tool on a program that
# uses it must refuse with the catalogue's code, so the docs cannot drift from the code.
PROGRAM = """\
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
    model.compile(loss="mse")


def train(x_train, y_train, x_extra, frame, angle, config, output_directory):
    datagen = ImageDataGenerator({init})
    model.fit(datagen.{method}({call}), epochs=1)
"""
DEFAULT_CALLS = {
    "flow": "x_train, y_train",
    "flow_from_directory": "'images'",
    "flow_from_dataframe": "frame, 'images'",
}
REFUSALS = [
    (argument, case)
    for argument in (*CATALOGUE, *GENERAL)
    for case in argument.cases
    if case.status == "refused"
]


def program(method: str, example: str) -> str:
    if method == "ImageDataGenerator":
        return PROGRAM.format(init=example, method="flow", call=DEFAULT_CALLS["flow"])
    return PROGRAM.format(init="", method=method, call=example)


@pytest.mark.parametrize(
    ("argument", "case"),
    REFUSALS,
    ids=[f"{a.method}-{a.name}-{c.example}" for a, c in REFUSALS],
)
def test_catalogue_refusals_are_what_the_tool_does(argument: Argument, case: Case) -> None:
    assert case.example is not None and case.code is not None
    source = program(argument.method, case.example)
    result = migrate_source(source, "example.py")
    codes = [d.code for d in result.diagnostics]
    assert not result.changed, f"{argument.method}({case.example}) was rewritten: {codes}"
    assert codes == [case.code], f"{argument.method}({case.example}) gave {codes}"
    # The diagnostic points into the call that holds the example.
    line = result.diagnostics[0].line
    call_line = 11 if argument.method == "ImageDataGenerator" else 12
    assert line == call_line or (case.code == "MA106" and line in (11, 12))


@pytest.mark.parametrize("method", ["ImageDataGenerator", "flow", "flow_from_directory"])
def test_the_program_without_refusals_is_rewritten(method: str) -> None:
    """The check above can fail: the same program with a plain call is migrated."""
    result = migrate_source(
        program(method, "" if method == "ImageDataGenerator" else DEFAULT_CALLS[method])
    )
    assert result.changed and [d.code for d in result.diagnostics] in (["MA001"], ["MA003"])


def test_parameters_and_value_refusal_codes_come_from_the_catalogue() -> None:
    assert IDG_PARAMETERS == parameter_names("ImageDataGenerator")
    for code, argument in [
        ("IDG(fill_mode='mirror')", "fill_mode"),
        ("IDG(preprocessing_function=my_fn)", "preprocessing_function"),
    ]:
        [problem] = parse(code).problems
        assert problem.code == refusal_code("ImageDataGenerator", argument)
    with pytest.raises(KeyError):
        refusal_code("flow", "batch_size")  # never refused: no code to take


DTYPE_PROGRAM = """import numpy as np
import numpy
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
datagen = ImageDataGenerator(rotation_range=5, dtype={dtype})
model.fit(datagen.flow(x, y, batch_size=8), epochs=1)
"""


@pytest.mark.parametrize("dtype", ["np.float32", "numpy.float64", '"float64"'])
def test_numpy_scalar_type_as_dtype_is_its_name(dtype: str) -> None:
    # IDG hands dtype to numpy, for which np.float32 and "float32" are the same dtype; so
    # does the runtime's Augmentation, which takes the expression as written.
    result = migrate_source(DTYPE_PROGRAM.format(dtype=dtype), "dtype.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert f"idg_tfdata.Augmentation(rotation_range=5, dtype={dtype})" in result.new_source


def test_an_unsupported_dtype_known_statically_is_refused() -> None:
    result = migrate_source(DTYPE_PROGRAM.format(dtype="np.float16"), "dtype.py")
    assert [d.code for d in result.diagnostics] == ["MA102"]
    assert result.new_source == DTYPE_PROGRAM.format(dtype="np.float16")


@pytest.mark.parametrize("dtype", ["tf.float32", "float32"])
def test_other_dtype_expressions_are_passed_on(dtype: str) -> None:
    # Not a numpy scalar type or a string: known when the program runs, and checked then
    # by the runtime module (as IDG's numpy does).
    result = migrate_source(DTYPE_PROGRAM.format(dtype=dtype), "dtype.py")
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert f"dtype={dtype}" in result.new_source


# -- arithmetic lambdas as preprocessing_function ----------------------------------------
# `lambda x: x / 127.5 - 1.0` (Kaggle/Colab notebooks) means the same on a float32 batch
# as on IDG's float32 image, so its body is emitted on `images`; anything else is MA103.
@pytest.mark.parametrize(
    ("function", "emitted"),
    [
        ("lambda x: x / 127.5 - 1.0", "images / 127.5 - 1.0"),
        ("lambda img: (img - 127.5) / 127.5", "(images - 127.5) / 127.5"),
        ("lambda x: -x * 2 + 1", "-images * 2 + 1"),
        ("lambda image: image ** 2 // 3", "images ** 2 // 3"),
    ],
)
def test_arithmetic_lambda_is_written_on_images(function: str, emitted: str) -> None:
    parsed = parse(f"IDG(preprocessing_function={function})")
    assert parsed.problems == ()
    assert parsed.spec.preprocessing_function == emitted


def test_identity_lambda_is_no_preprocessing() -> None:
    parsed = parse("IDG(rotation_range=5, preprocessing_function=lambda x: (x))")
    assert parsed.problems == ()
    assert parsed.spec.preprocessing_function is None


@pytest.mark.parametrize(
    "function",
    [
        "lambda x: x - x.mean()",  # per image here, per batch in a batched map
        "lambda x: np.clip(x, 0, 1)",  # a call
        "lambda x: x / scale",  # another name
        "lambda x, y=1: x * y",  # two parameters
        "lambda *x: x",
        "lambda x: 0.5",  # no image at all
        "lambda x: x % 2",  # an operator outside the list
        "lambda x: x[..., ::-1]",  # indexing
    ],
)
def test_other_lambdas_are_refused(function: str) -> None:
    parsed = parse(f"IDG(preprocessing_function={function})")
    assert parsed.spec is None
    assert [(p.code, p.argument) for p in parsed.problems] == [("MA103", "preprocessing_function")]

import libcst as cst
import pytest

from migrator.analysis.idg_config import parse_idg_call
from migrator.analysis.literals import NameResolver
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
            if cst.ensure_type(expr, cst.Name).value == "preprocess_input"
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
        ("IDG(rotation_range=args.rotation)", "MA101", "rotation_range"),
        ("IDG(fill_mode='mirror')", "MA102", "fill_mode"),
        ("IDG(zoom_range=(1, 2, 3))", "MA102", "zoom_range"),
        ("IDG(brightness_range=0.5)", "MA102", "brightness_range"),
        ("IDG(preprocessing_function=my_fn)", "MA103", "preprocessing_function"),
        ("IDG(not_an_argument=1)", "MA102", "not_an_argument"),
        ("IDG(**config)", "MA101", "**"),
    ],
)
def test_problems_name_the_argument(code: str, rule: str, argument: str) -> None:
    parsed = parse(code)
    assert parsed.spec is None
    assert [(p.code, p.argument) for p in parsed.problems] == [(rule, argument)]


def test_known_preprocessing_function_is_kept_as_source() -> None:
    assert parse("IDG(preprocessing_function=preprocess_input)").spec.preprocessing_function == (
        "preprocess_input"
    )

import libcst as cst
import pytest

from migrator.analysis.literals import NotLiteral, evaluate


def value(code: str):
    return evaluate(cst.parse_expression(code))


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("20", 20),
        ("0.1", 0.1),
        ("-5", -5),
        ("1. / 255", 1 / 255),
        ("2 * 3 + 1", 7),
        ("(0.9, 1.1)", (0.9, 1.1)),
        ("[0.1, 0.2]", [0.1, 0.2]),
        ("'nearest'", "nearest"),
        ("True", True),
        ("None", None),
        ("{'rotation_range': 10}", {"rotation_range": 10}),
        (
            "dict(rotation_range=10, zoom_range=[0.9, 1.1])",
            {"rotation_range": 10, "zoom_range": [0.9, 1.1]},
        ),
    ],
)
def test_literal_values(code: str, expected: object) -> None:
    assert value(code) == expected


@pytest.mark.parametrize(
    "code", ["args.rotation", "f()", "x", "1 / 0", "b'bytes'", "[*a]", "{**a}", "-'a'"]
)
def test_non_literals_raise(code: str) -> None:
    with pytest.raises(NotLiteral):
        value(code)


def test_constants_mapping_resolves_names() -> None:
    assert evaluate(cst.parse_expression("BATCH * 2"), {"BATCH": 16}) == 32

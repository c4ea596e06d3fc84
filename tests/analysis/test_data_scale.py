"""MA202's static test: is the array passed to flow() seen to be scaled to [0, 1]?"""

from __future__ import annotations

import libcst as cst
import pytest

from migrator.analysis.data_scale import unit_data_notes
from migrator.model import AugmentSpec

BRIGHTNESS = AugmentSpec(brightness_range=(0.5, 1.5))


def notes(code: str, spec: AugmentSpec = BRIGHTNESS) -> list[str]:
    """The source of each flow() argument the note would point at."""
    module = cst.parse_module(code)
    calls: list[cst.Call] = []

    class _Flows(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "flow":
                calls.append(node)

    module.visit(_Flows())
    return [
        module.code_for_node(node) for node, _, _ in unit_data_notes(spec, module, calls, _line)
    ]


def _line(node: cst.CSTNode) -> tuple[int, int]:
    return (7, 1)


SCALED = {
    "divide": "x = load()\nx = x / 255.\nit = g.flow(x, y)\n",
    "astype then divide": "x_train = x_train.astype('float32') / 255\ng.flow(x_train)\n",
    "augmented assignment": "x = load()\nx /= 255.0\ng.flow(x)\n",
    "multiply by reciprocal": "x = x * (1. / 255)\ng.flow(x)\n",
    "reciprocal first": "x = 0.00392156862745098 * x\ng.flow(x)\n",
    "tuple assignment": "x_train, x_test = x_train / 255.0, x_test / 255.0\ng.flow(x_train, y)\n",
    "inline": "g.flow(x_train / 255, y)\n",
    "keyword x, subscript": "x = x / 255.\ng.flow(y=y, x=x[:100])\n",
    "astype of the name": "x = x / 255.\ng.flow(x.astype('float32'))\n",
    "wrapper": "x = np.asarray(x / 255.0, dtype='float32')\ng.flow(x)\n",
    "in a function": "def train(data):\n    x = data / 255.\n    return g.flow(x)\n",
    "module name read in a function": "x = raw / 255.\ndef train():\n    g.flow(x)\n",
    # Kaggle's digit recognizer: scaled, reshaped from a DataFrame, then split.
    "reshaped and split": (
        "X = X / 255.0\nX = X.values.reshape(-1, 28, 28, 1)\n"
        "X_tr, X_va, y_tr, y_va = train_test_split(X, Y, test_size=0.1)\ng.flow(X_tr, y_tr)\n"
    ),
    "sliced into names": "x = x / 255.\nx_tr, x_va = x[8:], x[:8]\ng.flow(x_tr)\n",
    "expand_dims": "x = x / 255.\nx = np.expand_dims(x, -1)\ng.flow(x)\n",
    "flow of a reshaped name": "x = x / 255.\ng.flow(x.values.reshape(-1, 8, 8, 1))\n",
}
UNSCALED = {
    "uint8 data": "(x, y), _ = tf.keras.datasets.cifar10.load_data()\ng.flow(x, y)\n",
    "rescaled back": "x = x / 255.\nx = (x * 255).astype('uint8')\ng.flow(x)\n",
    "scaled after the flow": "it = g.flow(x)\nx = x / 255.\n",
    "parameter": "x = x / 255.\ndef train(x):\n    g.flow(x)\n",
    "other divisor": "x = x / 127.5 - 1\ng.flow(x)\n",
    "shifted after scaling": "x = x / 255.\nx -= 0.5\ng.flow(x)\n",
    "another name scaled": "z = x / 255.\ng.flow(x)\n",
    "unpacked from a call": "x, y = scaled_data()\ng.flow(x)\n",
    "loop variable": "x = x / 255.\nfor x in batches:\n    g.flow(x)\n",
    "nested function scales its own x": "def f():\n    x = x / 255.\ng.flow(x)\n",
    "split of another array": (
        "x = x / 255.\na_tr, a_va, y_tr, y_va = train_test_split(raw, y)\ng.flow(a_tr)\n"
    ),
    "labels half of a split": (
        "x = x / 255.\nx_tr, x_va, y_tr, y_va = train_test_split(x, y)\ng.flow(y_tr)\n"
    ),
    "derived before the scaling": "z = x.reshape(-1, 8, 8, 1)\nx = x / 255.\ng.flow(z)\n",
    "derived through an unknown call": "x = x / 255.\nz = augment(x)\ng.flow(z)\n",
}


@pytest.mark.parametrize("case", sorted(SCALED))
def test_scaled_data_is_noted(case: str) -> None:
    assert len(notes(SCALED[case])) == 1


@pytest.mark.parametrize("case", sorted(UNSCALED))
def test_no_false_alarm(case: str) -> None:
    assert notes(UNSCALED[case]) == []


def test_no_note_without_brightness() -> None:
    assert notes(SCALED["divide"], AugmentSpec(rotation_range=10)) == []


def test_message_names_the_array_and_the_scaling_line() -> None:
    module = cst.parse_module(SCALED["divide"])
    call = cst.ensure_type(
        cst.ensure_type(module.body[2], cst.SimpleStatementLine).body[0], cst.Assign
    ).value
    [(node, message, help)] = unit_data_notes(
        BRIGHTNESS, module, [cst.ensure_type(call, cst.Call)], _line
    )
    assert module.code_for_node(node) == "x"
    assert "`x`" in message and "line 7" in message and "rescale=1/255" in help

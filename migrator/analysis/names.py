"""Which qualified names mean ImageDataGenerator, a tf.distribute strategy, or a known
TensorFlow-native preprocessing function, in every import form users write."""

from __future__ import annotations

import libcst as cst

# Modules that export the legacy ImageDataGenerator (TF's keras, Keras 3's legacy module,
# tf_keras, standalone Keras 2 and keras-preprocessing).
IDG_MODULES: frozenset[str] = frozenset(
    {
        "tensorflow.keras.preprocessing.image",
        "tensorflow.compat.v1.keras.preprocessing.image",
        "tensorflow.compat.v2.keras.preprocessing.image",
        "tensorflow.python.keras.preprocessing.image",
        "keras.preprocessing.image",
        "keras.src.legacy.preprocessing.image",
        "keras.legacy.preprocessing.image",
        "keras._tf_keras.keras.preprocessing.image",
        "tf_keras.preprocessing.image",
        "tf_keras.src.preprocessing.image",
        "keras_preprocessing.image",
        "keras_preprocessing.image.image_data_generator",
    }
)
IDG_NAMES: frozenset[str] = frozenset(f"{module}.ImageDataGenerator" for module in IDG_MODULES)

_STRATEGY_MODULES = (
    "tensorflow.distribute.",
    "tensorflow.distribute.experimental.",
    "tensorflow.compat.v1.distribute.",
    "tensorflow.compat.v2.distribute.",
    "tensorflow.contrib.distribute.",
)

# keras.applications modules whose preprocess_input is written with backend ops and so
# runs inside a tf.data map (checked by the fidelity suite).
_APPLICATION_PREFIXES = (
    "tensorflow.keras.applications.",
    "keras.applications.",
    "keras.src.applications.",
    "tf_keras.applications.",
)


def star_import_module(module: cst.Module) -> str | None:
    """The module of the file's one top-level `from M import *`, or None when there is
    none or several (a name then comes from whichever exported it last: not knowable
    here without importing them)."""
    found: list[str] = []
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.names, cst.ImportStar)
                and not small.relative
                and small.module is not None
            ):
                found.append(_dotted(small.module))
    return found[0] if len(found) == 1 else None


def _dotted(node: cst.Attribute | cst.Name) -> str:
    if isinstance(node, cst.Name):
        return node.value
    return f"{_dotted(node.value)}.{node.attr.value}"  # type: ignore[arg-type]


def is_idg(qualified_names: set[str]) -> bool:
    return bool(qualified_names & IDG_NAMES)


def is_strategy_constructor(qualified_names: set[str]) -> bool:
    for name in qualified_names:
        for prefix in _STRATEGY_MODULES:
            if name.startswith(prefix):
                last = name[len(prefix) :]
                if "." not in last and (last.endswith("Strategy") or last == "get_strategy"):
                    return True
    return False


def is_native_preprocessing(qualified_names: set[str]) -> bool:
    for name in qualified_names:
        for prefix in _APPLICATION_PREFIXES:
            if name.startswith(prefix) and name.endswith(".preprocess_input"):
                return True
    return False


class LiveCodeVisitor(cst.CSTVisitor):
    """A visitor that skips the body of `if False:` / `if 0:` (code that never runs is not
    migrated: rewriting it would report a change that changes nothing). `else` is visited."""

    def visit_If(self, node: cst.If) -> bool:
        if _is_false_literal(node.test):
            if node.orelse is not None:
                node.orelse.visit(self)
            return False
        return True


def _is_false_literal(test: cst.BaseExpression) -> bool:
    if isinstance(test, cst.Name):
        return test.value == "False"
    return isinstance(test, cst.Integer) and test.evaluated_value == 0

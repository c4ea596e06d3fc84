"""Which Keras a program was written for, so that the verifier runs it as it ran in its era.
Pure: reads the source with `ast`, imports neither TensorFlow nor numpy.

Most ImageDataGenerator programs were written for Keras 2 and cannot run on Keras 3
(`from keras.preprocessing.image import ImageDataGenerator`, `fit_generator`, `lr=`). The
verifier runs such an original under **keras2**: tf_keras with `TF_USE_LEGACY_KERAS=1`,
and the old import paths (`keras`, `keras.<module>`, TensorFlow's private
`tensorflow.python.keras`) resolved to tf_keras in that process only (see
`bootstrap.Keras2Paths`). Everything else runs under **keras3**: the environment as it is
(Keras 3, or tf_keras where the program imports it itself). The migrated program always
runs under keras3: that is what the migration targets.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

AUTO, KERAS2, KERAS3 = "auto", "keras2", "keras3"
CHOICES = (AUTO, KERAS2, KERAS3)
OLD_METHODS = ("fit_generator", "evaluate_generator", "predict_generator")
# Modules of standalone Keras 2 that Keras 3 no longer has (importing one fails there).
KERAS2_MODULES = (
    "keras.engine",
    "keras.legacy",
    "keras.wrappers",
    "keras.layers.core",
    "keras.layers.convolutional",
    "keras.layers.pooling",
    "keras.layers.normalization",
    "keras.layers.advanced_activations",
    "keras.layers.merge",
    "keras.layers.recurrent",
    "keras.layers.embeddings",
    "keras.layers.noise",
    "keras.utils.np_utils",
    "keras.utils.generic_utils",
    "keras.utils.data_utils",
    "keras.utils.vis_utils",
    "keras.utils.multi_gpu_utils",
    "keras.backend.tensorflow_backend",
)
# Keras 2's fit/evaluate/predict took these; Keras 3's reject them (a PyDataset has them).
WORKER_KNOBS = ("workers", "use_multiprocessing", "max_queue_size")
OPTIMIZERS = frozenset(
    {"SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "AdamW"}
)


@dataclass(frozen=True)
class Runtime:
    name: str  # KERAS2 or KERAS3
    reasons: tuple[str, ...]  # why: what in the program is Keras 2 (or what the user asked)

    @property
    def description(self) -> str:
        if self.name == KERAS2:
            return "Keras 2 (tf_keras, keras.* -> tf_keras)"
        return "Keras 3 (the environment's keras)"


def choose_runtime(source: str | None, requested: str = AUTO) -> Runtime:
    """The runtime to run a program under: `requested` unless it is AUTO; else keras2 when
    the source shows Keras 2 (see `keras2_markers`), keras3 otherwise."""
    if requested == KERAS2:
        return Runtime(KERAS2, ("--original-runtime keras2",))
    if requested == KERAS3:
        return Runtime(KERAS3, ("--original-runtime keras3",))
    markers = keras2_markers(source or "")
    return Runtime(KERAS2, tuple(markers)) if markers else Runtime(KERAS3, ())


def keras2_markers(source: str) -> list[str]:
    """What in `source` only Keras 2 runs, one phrase each (with its first line), in order:
    imports of Keras 2's ImageDataGenerator or of modules Keras 3 removed, TensorFlow's
    private keras package, calls of the *_generator methods (unless the module defines a
    method of that name itself), fit/evaluate/predict given Keras 2's worker arguments, and
    optimizers given Keras 2's `lr=`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    own = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in OLD_METHODS
    }
    found: dict[str, int] = {}

    def note(text: str, node: ast.AST) -> None:
        found.setdefault(text, getattr(node, "lineno", 0))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                _note_module(alias.name, (), node, note)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            _note_module(node.module, tuple(a.name for a in node.names), node, note)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method = node.func.attr
            if method in OLD_METHODS and method not in own:
                note(f"calls {method}() (removed in Keras 3)", node)
        if isinstance(node, ast.Call) and callee(node) in ("fit", "evaluate", "predict"):
            knobs = [k.arg for k in node.keywords if k.arg in WORKER_KNOBS]
            if knobs:
                note(f"passes {knobs[0]}= to {callee(node)}() (Keras 2)", node)
        if isinstance(node, ast.Call) and callee(node) in OPTIMIZERS:
            if any(keyword.arg == "lr" for keyword in node.keywords):
                note(f"passes lr= to {callee(node)} (Keras 3 takes learning_rate=)", node)
    return [f"{text} (line {line})" for text, line in sorted(found.items(), key=lambda i: i[1])]


def _note_module(module: str, names: tuple[str, ...], node: ast.AST, note) -> None:
    if module == "tensorflow.python.keras" or module.startswith("tensorflow.python.keras."):
        note(f"imports {module} (gone from TensorFlow 2.16+)", node)
    elif module == "keras.preprocessing.image" and (not names or "ImageDataGenerator" in names):
        note("imports ImageDataGenerator from keras.preprocessing.image (Keras 2)", node)
    elif module == "keras.preprocessing" and "image" in names:
        note("imports keras.preprocessing.image (Keras 2's ImageDataGenerator)", node)
    else:
        for old in KERAS2_MODULES:
            if module == old or module.startswith(old + "."):
                note(f"imports {module} (removed in Keras 3)", node)
                break


def callee(call: ast.Call) -> str | None:
    """The called name: `fit` of `model.fit(...)`, `open` of `open(...)`."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def read_source(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None

"""No internal error, ever (issue #17, item 5). The codemod runs over every Python file of
the installed Keras packages (keras, tf_keras, and tensorflow's python/keras and
python/data directories), with the default options and with --all, in check mode (nothing
is written). A file may be unparsable (SourceParseError) or too deeply nested
(RecursionError, a clean one-line error in the CLI); any other exception fails the test.

Files go through the CLI's per-file step (migrator.processing over migrator.api), where
the pre-filter skips most of them; the files that name a flow, an ImageDataGenerator or a
`*_generator` identifier are analysed in full instead, the pre-filter bypassed: they
drive every site finder over code nobody wrote for this tool.

About 1,700 files, ~150 analysed in full: ~2 CPU-minutes, so about a minute on two idle
cores (two worker processes), several when the machine is shared. A second test puts a
name of every binding kind (builtins, imports, loop, with, except and match targets,
classes, functions, walrus, deleted and global names) inside the lambdas, helpers and
keyword dicts that wrap a flow.
"""

from __future__ import annotations

import importlib.util
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from migrator.codemod import migrate_module
from migrator.options import PREFILTERS, Options, SourceParseError
from migrator.processing import _migrate

OPTIONS = (Options(), Options(rewrite_without_strategy=True))
# Identifiers (not substrings such as `overflow`, `control_flow_ops`): the names a site
# finder looks at.
FORCED = re.compile(r"\bflow\b|\bflow_from_\w+|ImageDataGenerator|\w_generator\b")
WORKERS = 2


def corpus() -> list[Path]:
    """Every .py file of the installed packages' Keras-related directories."""
    roots: list[Path] = []
    for package, parts in (
        ("keras", ()),
        ("tf_keras", ()),
        ("tensorflow", ("python", "keras")),
        ("tensorflow", ("python", "data")),
    ):
        spec = importlib.util.find_spec(package)  # finds, never imports
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            root = Path(location).joinpath(*parts)
            if root.is_dir():
                roots.append(root)
    return sorted({path for root in roots for path in root.rglob("*.py")})


def internal_errors(path: Path) -> list[str]:
    """The internal errors of every run on `path`, each with its traceback's end."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if not FORCED.search(text):
        # As the CLI runs it: _migrate turns every exception into one error line.
        results = [_migrate(path, text, options) for options in OPTIONS]
        return [error for _, error in results if error is not None and "internal error" in error]
    # --all changes only what happens to an MA002 site (plan/site.py), and a site needs
    # one of the pre-filter's names: without one, the default run covers --all.
    marked = any(marker in text for marker in PREFILTERS)
    errors: list[str] = []
    for options in OPTIONS if marked else OPTIONS[:1]:
        try:
            migrate_module(text, str(path), options, prefilter=False)
        except (SourceParseError, RecursionError):
            pass
        except Exception as exception:  # noqa: BLE001 - the test reports every one
            where = "".join(traceback.format_exception(exception)[-4:])
            errors.append(f"{path} (analysed in full, {options}):\n{where}")
    return errors


@pytest.mark.slow
def test_no_internal_error_over_the_installed_keras_packages() -> None:
    files = corpus()
    if not files:
        pytest.fail("no keras, tf_keras or tensorflow installed: the test extra installs them")
    start = time.monotonic()
    forced = {p for p in files if FORCED.search(p.read_text(errors="replace"))}
    # The ~150 files analysed in full take nearly all the time (one takes seconds): the
    # largest first, one at a time, so that neither worker is left with a long one at
    # the end; then the rest, which the pre-filter skips, in chunks.
    heavy = sorted(forced, key=lambda p: p.stat().st_size, reverse=True)
    light = [p for p in files if p not in forced]
    with ProcessPoolExecutor(max_workers=WORKERS) as executor:
        # map submits every call at once: the light files queue behind the heavy ones.
        in_full = executor.map(internal_errors, heavy, chunksize=1)
        skipped = executor.map(internal_errors, light, chunksize=32)
        results = [*in_full, *skipped]
    errors = [error for found in results for error in found]
    elapsed = time.monotonic() - start
    print(f"{len(files)} files, {len(forced)} analysed in full, {elapsed:.0f} s")
    assert errors == [], "\n\n".join(errors[:20])


PROGRAM = """import math
import os
from os import path as osp

import numpy as np
import tensorflow as tf
from somewhere import *
from tensorflow.keras.preprocessing.image import ImageDataGenerator

x, y = np.zeros((8, 4, 4, 3)), np.zeros(8)
datagen = ImageDataGenerator(rotation_range=5)
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
{prelude}
{use}
"""
# A name of every binding kind, as the batch size of a flow inside a lambda or a helper.
BINDINGS = {
    "int(8)": "",
    "len(x) // 4": "",
    "math.floor(8.5)": "",
    "osp": "",
    "star_imported": "",
    "(n := 8)": "",
    "[i for i in range(1)][0] + 8": "",
    "(lambda: 8)()": "",
    "looped": "for looped in [8]:\n    pass",
    "opened": "with open('f') as opened:\n    pass",
    "caught": "try:\n    pass\nexcept Exception as caught:\n    pass",
    "Klass": "class Klass:\n    pass",
    "function()": "def function():\n    return 8",
    "deleted": "deleted = 8\ndel deleted",
    "global_name": "def g():\n    global global_name\n    global_name = 8",
    "captured": "match 8:\n    case captured:\n        pass",
    "annotated": "annotated: int",
}
USES = (
    "ds = tf.data.Dataset.from_generator(\n    lambda: datagen.flow(x, y, batch_size={e}),"
    " output_types=(tf.float32, tf.float32)\n)\nmodel.fit(ds.prefetch(2), epochs=1)",
    "def make(p={e}):\n    return datagen.flow(x, y, batch_size=p)\n\n\n"
    "ds = tf.data.Dataset.from_generator(make, output_types=(tf.float32, tf.float32))\n"
    "model.fit(ds, epochs=1)",
    "def gen():\n    for bx, by in datagen.flow(x, y, batch_size={e}):\n        yield bx, by\n\n\n"
    "ds = tf.data.Dataset.from_generator(gen, output_types=(tf.float32, tf.float32))\n"
    "model.fit(ds, epochs=1)",
    "kw = dict(batch_size={e})\nit = datagen.flow(x, y, **kw)\nmodel.fit(it, steps_per_epoch=len(it))",
)


@pytest.mark.parametrize("use", USES, ids=["lambda", "helper", "generator", "kwargs"])
def test_every_binding_kind_in_lambdas_and_helpers_is_no_crash(use: str) -> None:
    for expression, prelude in BINDINGS.items():
        source = PROGRAM.format(prelude=prelude, use=use.format(e=expression))
        for options in OPTIONS:
            migrate_module(source, "bindings.py", options)  # raises on an internal error

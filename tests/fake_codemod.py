"""A stand-in for the codemod's runtime output, for the driver's tests.

Until the codemod emits call sites on the runtime module (issue 16, another branch), no
real migration sets `FileResult.needs_runtime`. This one does, as that codemod will:
`ImageDataGenerator(` becomes `idg_tfdata.Augmentation(` (unqualified with
Options.inline_runtime), the IDG import becomes the runtime's import. Runtime copies go
through api.migrate_source's own path (runtime_copies.upgrade_copy) as in the real one.
"""

from __future__ import annotations

import pytest

import migrator.api
from migrator.options import FileResult, Options
from migrator.runtime_copies import upgrade_copy

IDG_IMPORT = "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
PROGRAM = (
    "import numpy as np\n"
    + IDG_IMPORT
    + "\n"
    + "x = np.zeros((4, 8, 8, 3))\n"
    + "datagen = ImageDataGenerator(rotation_range=20)\n"
)


def _import_line(name: str) -> str:
    package, _, module = name.rpartition(".")
    return f"from {package} import {module}\n" if package else f"import {name}\n"


_DEFAULT = Options()


def fake_migrate_source(
    source: str, path: str = "<string>", options: Options = _DEFAULT
) -> FileResult:
    copy = upgrade_copy(source, path, options)
    if copy is not None:
        return copy
    if "= ImageDataGenerator(" not in source:
        return FileResult(source, source)
    inline = options.inline_runtime
    qualifier = "" if inline else options.runtime_import.rpartition(".")[2] + "."
    new = source.replace(IDG_IMPORT, "" if inline else _import_line(options.runtime_import))
    new = new.replace("= ImageDataGenerator(", f"= {qualifier}Augmentation(")
    return FileResult(source, new, [], needs_runtime=True)


@pytest.fixture
def fake_codemod(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrator.api, "migrate_source", fake_migrate_source)

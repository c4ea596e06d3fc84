"""Notebooks: code cells migrated together across cells, IPython syntax kept, only the
changed cells' sources rewritten, per-cell diagnostics, refusals that change nothing."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from migrator.api import FileResult, Options, SourceParseError
from migrator.diagnostics import Diagnostic
from migrator.notebook import migrate_notebook

RUNNER = Path(__file__).with_name("run_programs.py")

IMPORTS = (
    "!pip install x\n"
    "%matplotlib inline\n"
    "import numpy as np\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator"
)
DATA = (
    'x_train = np.random.rand(64, 16, 16, 3).astype("float32")\n'
    "y_train = np.eye(3)[np.random.randint(0, 3, 64)]\n"
    "# Augment the training images.\n"
    "datagen = ImageDataGenerator(rotation_range=10, horizontal_flip=True)"
)
# tensorflow is imported only here, after the cell that will define the tf.data helpers.
MODEL = (
    "import tensorflow as tf\n"
    "strategy = tf.distribute.MirroredStrategy()\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential(\n"
    "        [tf.keras.Input((16, 16, 3)), tf.keras.layers.Flatten(), tf.keras.layers.Dense(3)]\n"
    "    )\n"
    '    model.compile(optimizer="sgd", loss="categorical_crossentropy")'
)
FIT = "%%time\nhistory = model.fit(datagen.flow(x_train, y_train, batch_size=16), epochs=1)"
# Not Python: excluded from the analysis, kept as it is.
BASH = "%%bash\nfor f in *.png; do echo $f; done"


def notebook(*cells: object, trailing_newline: bool = True) -> str:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    nb.cells = [new_code_cell(c) if isinstance(c, str) else c for c in cells]
    return nbformat.writes(nb) + ("\n" if trailing_newline else "")


def training_notebook(trailing_newline: bool = True) -> str:
    fit = new_code_cell(
        FIT,
        execution_count=7,
        outputs=[new_output("stream", name="stdout", text="Epoch 1/1\n")],
        metadata={"tags": ["train"]},
    )
    return notebook(
        IMPORTS,
        new_markdown_cell("## Data"),
        DATA,
        MODEL,
        fit,
        BASH,
        trailing_newline=trailing_newline,
    )


def read(text: str) -> nbformat.NotebookNode:
    return nbformat.reads(text, as_version=nbformat.NO_CONVERT)


def test_cells_migrated_together_and_everything_else_kept() -> None:
    text = training_notebook()
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.changed
    before, after = read(text), read(result.new_source)
    nbformat.validate(after)
    assert after.nbformat == before.nbformat and after.nbformat_minor == before.nbformat_minor
    assert after.metadata == before.metadata
    assert len(after.cells) == len(before.cells)
    for old, new in zip(before.cells, after.cells, strict=True):
        # Only sources change: ids, outputs, metadata, counts stay as they were.
        assert {k: v for k, v in old.items() if k != "source"} == {
            k: v for k, v in new.items() if k != "source"
        }
    imports, markdown, data, model, fit, bash = (cell.source for cell in after.cells)
    # The IDG import is gone, the runtime module's is added with the first imports (the
    # call sites use tf only after the model cell has imported it).
    assert imports == "!pip install x\n%matplotlib inline\nimport idg_tfdata\nimport numpy as np"
    assert result.needs_runtime
    assert markdown == "## Data"
    # The generator becomes the runtime's Augmentation in its own cell, under its comment.
    assert data.startswith(DATA.split("# Augment")[0] + "# Augment the training images.\n")
    assert "\ndatagen = idg_tfdata.Augmentation(rotation_range=10, horizontal_flip=True)" in data
    assert model == MODEL
    assert fit == (
        "%%time\ndatagen_batches = (\n"
        "    idg_tfdata.index_batches(x_train, y_train, batch_size=16)\n"
        "    .map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "    .prefetch(tf.data.AUTOTUNE)\n"
        ")\n"
        "history = model.fit(datagen_batches, epochs=1)"
    )
    assert bash == BASH
    # Diagnostics point at the cell (counted with the markdown one) and the line in it.
    assert [(d.path, d.line, d.column, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 5", 2, 21, "MA001")
    ]
    assert result.diagnostics[0].format().startswith("nb.ipynb:cell 5:2:21: MA001 ")


def test_second_run_changes_nothing() -> None:
    first = migrate_notebook(training_notebook(), "nb.ipynb", Options())
    second = migrate_notebook(first.new_source, "nb.ipynb", Options())
    assert not second.changed
    assert second.diagnostics == []


@pytest.mark.parametrize("trailing_newline", [True, False])
def test_output_is_nbformat_json_with_the_input_trailing_newline(trailing_newline: bool) -> None:
    text = training_notebook(trailing_newline)
    new_source = migrate_notebook(text, "nb.ipynb", Options()).new_source
    assert new_source.endswith("}\n") if trailing_newline else new_source.endswith("}")
    assert new_source.rstrip("\n") == nbformat.writes(read(new_source))


def test_migrated_notebook_runs(tmp_path: Path) -> None:
    """The code cells, magics dropped, train under MirroredStrategy on 2 logical CPUs."""
    pytest.importorskip("tensorflow")
    result = migrate_notebook(training_notebook(), "nb.ipynb", Options())
    cells = [c for c in read(result.new_source).cells if c.cell_type == "code"]
    program = "\n".join(
        "\n".join(line for line in cell.source.split("\n") if not re.match(r"\s*[%!]", line))
        for cell in cells
        if not cell.source.startswith("%%bash")
    )
    assert "import ImageDataGenerator" not in program
    path = tmp_path / "notebook_program.py"
    path.write_text(program + "\n")
    completed = subprocess.run(
        [sys.executable, str(RUNNER), str(path)], capture_output=True, text=True, timeout=300
    )
    records = [json.loads(x[7:]) for x in completed.stdout.splitlines() if x.startswith("RESULT ")]
    assert records, completed.stderr[-3000:]
    assert records[0]["ok"], records[0]["error"]
    assert records[0]["replicas"] == 2


def test_notebook_without_generator_is_returned_byte_for_byte() -> None:
    # Not nbformat's own layout: an unchanged notebook must not be re-serialised.
    raw = json.loads(notebook("import numpy as np", "%time x = np.zeros(3)"))
    text = json.dumps(raw, indent=2)
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.new_source is text
    assert result.diagnostics == []


def test_other_kernel_languages_are_left_alone() -> None:
    raw = json.loads(training_notebook())
    raw["metadata"]["kernelspec"]["language"] = "R"
    text = json.dumps(raw)
    assert not migrate_notebook(text, "nb.ipynb", Options()).changed


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"cells": [', "invalid JSON"),
        ("[1, 2]", "not a Jupyter notebook"),
        ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 1}', "not a valid"),
        ('{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}', "nbformat 3"),
    ],
)
def test_not_a_notebook_is_a_parse_error(text: str, message: str) -> None:
    with pytest.raises(SourceParseError, match=message):
        migrate_notebook(text, "nb.ipynb", Options())


def test_a_cell_that_does_not_parse_is_reported_and_the_others_migrated() -> None:
    broken = "x = 1\nprint 'no'"
    text = notebook(IMPORTS, DATA, broken, MODEL, FIT)
    result = migrate_notebook(text, "nb.ipynb", Options())
    cells = [cell.source for cell in read(result.new_source).cells]
    assert cells[2] == broken
    assert "datagen = idg_tfdata.Augmentation(" in cells[1]
    assert "idg_tfdata.index_batches(x_train" in cells[4]
    assert [(d.path, d.line, d.column, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 3", 2, 1, "MA107"),
        ("nb.ipynb:cell 5", 2, 21, "MA001"),
    ]
    assert result.diagnostics[0].message.startswith(
        "cell not migrated: it does not parse as Python (Missing parentheses in call to 'print'"
    )
    # Nothing left to migrate: the broken cell alone is no finding.
    second = migrate_notebook(result.new_source, "nb.ipynb", Options())
    assert not second.changed and second.diagnostics == []


def test_a_cell_that_does_not_parse_but_uses_the_generator_refuses_the_notebook() -> None:
    text = notebook(IMPORTS, DATA, MODEL, FIT, "print next(datagen.flow(x_train))")
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.new_source is text
    assert [(d.path, d.line, d.column, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 5", 1, 1, "MA107"),
        ("nb.ipynb:cell 5", 1, 12, "MA105"),
    ]


def test_a_cell_of_ipython_lines_that_does_not_parse_costs_only_itself() -> None:
    # `!pip` then an indented line: IndentationError in Jupyter too.
    broken = "!pip install foo\n  y = 2"
    result = migrate_notebook(notebook(IMPORTS, DATA, MODEL, FIT, broken), "nb.ipynb", Options())
    assert read(result.new_source).cells[4].source == broken
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 4", "MA001"),
        ("nb.ipynb:cell 5", "MA107"),
    ]


def indented(code: str, indent: str = "  ") -> str:
    return "\n".join(indent + line if line else line for line in code.split("\n"))


def test_indented_cells_run_as_jupyter_runs_them() -> None:
    """IPython removes an indented first line's indentation from the cell's lines (also
    from a %%time body's): such cells are migrated, and written back as IPython runs them
    when rewritten; an indented cell with nothing to change is kept as written."""
    untouched = indented("import os\nprint(os.sep)", " ")
    fit = "%%time\n" + indented(FIT.split("\n", 1)[1], "\t")
    text = notebook(IMPORTS, "\n" + indented(DATA), untouched, MODEL, fit)
    result = migrate_notebook(text, "nb.ipynb", Options())
    cells = [cell.source for cell in read(result.new_source).cells]
    assert cells[1].startswith("\n" + DATA.split("# Augment")[0])
    assert "datagen = idg_tfdata.Augmentation(" in cells[1]
    assert cells[2] == untouched
    # Written back as IPython runs it: dedented, the pipeline hoisted before the fit.
    assert cells[4].startswith("%%time\ndatagen_batches = (\n    idg_tfdata.index_batches(")
    assert cells[4].endswith("\nhistory = model.fit(datagen_batches, epochs=1)")
    # Columns as the user sees the line, indentation included.
    assert [(d.path, d.line, d.column) for d in result.diagnostics] == [("nb.ipynb:cell 5", 2, 22)]
    second = migrate_notebook(result.new_source, "nb.ipynb", Options())
    assert not second.changed and second.diagnostics == []


def test_a_refusal_is_reported_in_its_cell() -> None:
    data = DATA.replace("rotation_range=10", "interpolation_order=3")
    text = notebook(IMPORTS, data, MODEL, FIT)
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.new_source is text
    assert [(d.path, d.line, d.column, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 2", 4, 50, "MA102")
    ]


def test_a_run_time_argument_is_migrated_in_its_cell() -> None:
    data = DATA.replace("rotation_range=10", "rotation_range=float(input())")
    result = migrate_notebook(notebook(IMPORTS, data, MODEL, FIT), "nb.ipynb", Options())
    assert [d.code for d in result.diagnostics] == ["MA001"]
    assert "idg_tfdata.Augmentation(rotation_range=float(input())" in result.new_source


def test_generator_used_by_an_opaque_cell_refuses_the_notebook() -> None:
    # %%timeit runs its body in its own scope: it is not analysed, and it would lose
    # `datagen` if the rest were rewritten.
    text = notebook(IMPORTS, DATA, MODEL, FIT, "%%timeit\nbatch = next(datagen.flow(x_train))")
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.new_source is text
    assert result.diagnostics == [
        Diagnostic(
            "nb.ipynb:cell 5",
            2,
            14,
            "MA105",
            "notebook not migrated: `datagen` is also used by IPython code the tool cannot "
            "analyse (a magic, a non-Python cell or a cell that does not parse)",
            help="Migrate it by hand, or move that use into a plain Python cell and run "
            "migrate-aug again",
        )
    ]


def test_time_line_magic_statement_is_migrated_and_located() -> None:
    fit = "%time history = model.fit(datagen.flow(x_train, y_train, batch_size=16), epochs=1)"
    text = notebook(IMPORTS, DATA, MODEL, fit)
    result = migrate_notebook(text, "nb.ipynb", Options())
    # The pipeline is hoisted above the magic line, which keeps its own statement.
    assert read(result.new_source).cells[3].source == (
        "datagen_batches = (\n"
        "    idg_tfdata.index_batches(x_train, y_train, batch_size=16)\n"
        "    .map(datagen, num_parallel_calls=tf.data.AUTOTUNE)\n"
        "    .prefetch(tf.data.AUTOTUNE)\n"
        ")\n"
        "%time history = model.fit(datagen_batches, epochs=1)"
    )
    # The column counts the `%time ` prefix, as the user sees the line.
    assert [(d.path, d.line, d.column) for d in result.diagnostics] == [("nb.ipynb:cell 4", 1, 27)]


def test_python_that_looks_like_ipython_is_not_masked() -> None:
    tricky = (
        'label = ("%d images"\n'
        "         % 64)\n"
        'note = """\n!important\n%not a magic\n"""\n'
        "files = !ls\n"
        "np.zeros?\n"
        "for _ in range(1):\n"
        "    !echo \\\n"
        "        hi"
    )
    text = notebook(IMPORTS, DATA, tricky, MODEL, FIT)
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.changed
    assert read(result.new_source).cells[2].source == tricky


@pytest.mark.parametrize(
    "lost, where, message",
    [
        (" cell 3", "nb.ipynb", "cells could not be told apart"),
        (" magic ", "nb.ipynb:cell 1", "IPython syntax was lost"),
    ],
)
def test_a_split_that_goes_wrong_refuses_the_notebook(
    monkeypatch: pytest.MonkeyPatch, lost: str, where: str, message: str
) -> None:
    import migrator.codemod

    real = migrator.codemod.migrate_module

    def losing_a_line(source: str, path: str, options: Options) -> FileResult:
        # As if a rewrite had swallowed a cell boundary or a masked magic.
        result = real(source, path, options)
        lines = result.new_source.split("\n")
        index = next(i for i, line in enumerate(lines) if "# migrate-aug-" in line and lost in line)
        del lines[index]
        return FileResult(result.source, "\n".join(lines), result.diagnostics)

    monkeypatch.setattr(migrator.codemod, "migrate_module", losing_a_line)
    text = training_notebook()
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert result.new_source is text
    assert [(d.path, d.code, d.fixable) for d in result.diagnostics] == [(where, "MA107", False)]
    assert message in result.diagnostics[0].message


def test_notebook_migration_never_imports_tensorflow(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(training_notebook())
    code = (
        "import sys\n"
        "from migrator.api import Options\n"
        "from migrator.notebook import migrate_notebook\n"
        f"result = migrate_notebook(open({str(path)!r}).read(), 'nb.ipynb', Options())\n"
        "assert result.changed\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-2000:]


def test_generator_redefined_in_a_later_cell_is_migrated_per_definition() -> None:
    # Notebooks redefine names: each fit belongs to the definition above it.
    redefined = "datagen = ImageDataGenerator(rescale=1.0 / 255, zoom_range=0.2)"
    again = FIT.replace("history", "history_2")
    text = notebook(IMPORTS, DATA, MODEL, FIT, redefined, again)
    result = migrate_notebook(text, "nb.ipynb", Options())
    assert [(d.path, d.code) for d in result.diagnostics] == [
        ("nb.ipynb:cell 4", "MA001"),
        ("nb.ipynb:cell 6", "MA001"),
    ]
    cells = [cell.source for cell in read(result.new_source).cells]
    assert "idg_tfdata.index_batches(x_train" in cells[3] and ".map(datagen, " in cells[3]
    assert "datagen = idg_tfdata.Augmentation(rescale=1.0 / 255, zoom_range=0.2)" in cells[4]
    assert "datagen_batches_2 = (" in cells[5] and ".map(datagen, " in cells[5]
    second = migrate_notebook(result.new_source, "nb.ipynb", Options())
    assert not second.changed and second.diagnostics == []

"""`--add-ignore`: a suppression comment for every current finding, merged with existing
comments, every other byte kept; afterwards the same run reports nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"
SEED_HEAD = "".join(SEED.read_text().splitlines(keepends=True)[:17])  # up to `datagen.fit`
COMMENT = re.compile(r"  # migrate-aug: ignore\[[A-Z0-9,]+\]")
CASES = (
    "seed_mirrored",
    "fit_generator_keras2",
    "refuse_unpacked_positional_arguments",
    "refuse_save_to_dir",
    "no_strategy_reported",
    "brightness_unit_data_note",
    "self_attribute_trainer",
)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def without_added_comments(data: bytes) -> bytes:
    return COMMENT.sub("", data.decode("latin-1")).encode("latin-1")


def test_every_finding_is_silenced_and_nothing_else_changes(tmp_path: Path) -> None:
    for case in CASES:
        shutil.copy(ROOT / "fixtures" / case / "input.py", tmp_path / f"{case}.py")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert invoke("--check", str(tmp_path)).exit_code == 1
    result = invoke("--add-ignore", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "0 findings not suppressed, 0 errors" in result.output
    again = invoke("--check", str(tmp_path))
    assert again.exit_code == 0, again.output
    assert "0 files would be rewritten, 0 findings, 0 errors" in again.output
    for name, data in before.items():
        after = (tmp_path / name).read_bytes()
        assert after != data, name  # every case has a finding
        assert without_added_comments(after) == data, name
    # The comment goes on the finding's own line: the `.flow()` line here.
    seed = (tmp_path / "seed_mirrored.py").read_text().splitlines()
    assert seed[17].endswith("epochs=1)  # migrate-aug: ignore[MA001]")
    # A second --add-ignore has nothing left to do.
    assert (
        "0 lines given ignore comments in 0 files" in invoke("--add-ignore", str(tmp_path)).output
    )


def test_existing_comments_are_merged_or_extended(tmp_path: Path) -> None:
    source = SEED_HEAD + (
        "model.fit_generator(datagen.flow(x_train, y_train, batch_size=16), steps_per_epoch=2)"
        "  # migrate-aug: ignore[MA004]\n"
        "model.evaluate_generator(x_train, steps=1)  # noqa: E501\n"
    )
    (tmp_path / "train.py").write_text(source)
    result = invoke("--add-ignore", str(tmp_path))
    assert result.exit_code == 0
    assert f"Added ignore comments on 2 lines of {tmp_path / 'train.py'}" in result.output
    lines = (tmp_path / "train.py").read_text().splitlines()
    assert lines[17].endswith("steps_per_epoch=2)  # migrate-aug: ignore[MA001,MA004]")
    assert lines[18] == (
        "model.evaluate_generator(x_train, steps=1)  # noqa: E501  # migrate-aug: ignore[MA004]"
    )
    assert invoke("--check", str(tmp_path)).exit_code == 0


def test_crlf_bom_and_legacy_encoding_are_kept(tmp_path: Path) -> None:
    text = "# -*- coding: cp1252 -*-\n# €uro\n" + SEED.read_text()
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + SEED.read_text().replace("\n", "\r\n").encode())
    legacy = tmp_path / "legacy.py"
    legacy.write_bytes(text.encode("cp1252"))
    before = {crlf: crlf.read_bytes(), legacy: legacy.read_bytes()}
    assert invoke("--add-ignore", str(tmp_path)).exit_code == 0
    for path, data in before.items():
        after = path.read_bytes()
        assert b"# migrate-aug: ignore[MA001]" in after
        assert without_added_comments(after) == data
    assert b"ignore[MA001]\r\n" in crlf.read_bytes()
    assert invoke("--check", str(tmp_path)).exit_code == 0


@pytest.mark.parametrize(
    "fit",
    [
        # The `.flow()` line ends inside a multi-line string ...
        'model.fit(datagen.flow(x_train, y_train), epochs=1, callbacks=list("""\nab\n"""))\n',
        # ... or with a backslash continuation: no comment can go there.
        "model.fit(datagen.flow(x_train, y_train), \\\n          epochs=1)\n",
    ],
    ids=["multi-line-string", "backslash"],
)
def test_a_line_that_cannot_take_a_comment_uses_another_line_of_the_site(
    tmp_path: Path, fit: str
) -> None:
    (tmp_path / "train.py").write_text(SEED_HEAD + fit)
    result = invoke("--add-ignore", str(tmp_path))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "train.py").read_text()
    # The construction line carries it; the fit statement is byte for byte the same.
    assert (
        text
        == SEED_HEAD.replace(
            "height_shift_range=0.1)\n",
            "height_shift_range=0.1)  # migrate-aug: ignore[MA001]\n",
        )
        + fit
    )
    assert invoke("--check", str(tmp_path)).exit_code == 0


def test_a_finding_with_no_usable_line_is_reported_and_nothing_is_broken(tmp_path: Path) -> None:
    source = 'model = None\nmodel.fit_generator(gen, callbacks=list("""\nab\n"""))\n'
    (tmp_path / "train.py").write_text(source)
    result = invoke("--add-ignore", str(tmp_path))
    assert result.exit_code == 1
    assert "train.py:2:1: MA004" in result.output and "not suppressed" in result.output
    assert (tmp_path / "train.py").read_text() == source


def test_add_ignore_is_exclusive_with_diff_and_check(tmp_path: Path) -> None:
    result = invoke("--add-ignore", "--check", str(tmp_path))
    assert result.exit_code == 2 and "cannot be combined" in result.output


def test_notebook_cells_get_the_comments(tmp_path: Path) -> None:
    import json

    from tests.test_cli import NOTEBOOK_CELLS, _notebook

    cells = list(NOTEBOOK_CELLS)
    cells[1] = cells[1].replace("horizontal_flip=True", "horizontal_flip=True, fill_mode='mirror'")
    text = _notebook(*cells)
    (tmp_path / "train.ipynb").write_text(text)
    result = invoke("--add-ignore", str(tmp_path))
    assert result.exit_code == 0, result.output
    before, after = json.loads(text), json.loads((tmp_path / "train.ipynb").read_text())
    changed = [
        i for i, (a, b) in enumerate(zip(before["cells"], after["cells"], strict=True)) if a != b
    ]
    assert changed == [2]  # the construction's cell, and only its source
    assert {k: v for k, v in after["cells"][2].items() if k != "source"} == {
        k: v for k, v in before["cells"][2].items() if k != "source"
    }
    assert after["cells"][2]["source"][-1].endswith(
        "fill_mode='mirror')  # migrate-aug: ignore[MA102]"
    )
    assert invoke("--check", str(tmp_path)).exit_code == 0

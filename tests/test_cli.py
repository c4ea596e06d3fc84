"""The CLI end to end: rewrite in place, --diff, --check, exit codes, bad input,
encodings and file modes, formats, and no TensorFlow on the CLI path."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed_mirrored"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(SEED / "input.py", tmp_path / "train.py")
    (tmp_path / "other.py").write_text("x = 1\n")
    return tmp_path


def test_rewrites_in_place_and_second_run_changes_nothing(project: Path) -> None:
    other = (project / "other.py").read_bytes()
    result = invoke(str(project))
    assert result.exit_code == 1, result.output
    assert (project / "train.py").read_text() == (SEED / "expected.py").read_text()
    assert (project / "other.py").read_bytes() == other
    again = invoke(str(project))
    assert again.exit_code == 0, again.output


def test_diff_and_check_write_nothing(project: Path) -> None:
    before = (project / "train.py").read_bytes()
    diff = invoke("--diff", str(project))
    assert diff.exit_code == 1
    assert "+++ b/" in diff.output and "-datagen = ImageDataGenerator(" in diff.output
    check = invoke("--check", str(project))
    assert check.exit_code == 1
    assert "MA001" in check.output
    assert (project / "train.py").read_bytes() == before


def test_notes_only_do_not_fail(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import os\n")
    assert invoke("--check", str(tmp_path)).exit_code == 0


def test_bad_files_are_reported_and_the_rest_processed(project: Path) -> None:
    (project / "broken.py").write_text("from x import ImageDataGenerator\ndef (:\n")
    (project / "latin.py").write_bytes(b"# ImageDataGenerator \xff\n")
    result = invoke(str(project))
    assert result.exit_code == 2
    assert "broken.py:2:" in result.output and "error" in result.output
    assert "latin.py: error: cannot decode" in result.output
    assert (project / "train.py").read_text() == (SEED / "expected.py").read_text()


def test_missing_path_is_a_usage_error_and_nothing_is_written(project: Path) -> None:
    before = (project / "train.py").read_bytes()
    result = invoke(str(project), str(project / "nope.py"))
    assert result.exit_code == 2
    assert f"{project / 'nope.py'}: no such file or directory" in result.output
    assert "nothing was written" in result.output
    assert "Rewrote" not in result.output
    assert (project / "train.py").read_bytes() == before


@pytest.mark.parametrize("word", ["chek", "dif", "fixx"])
def test_a_mistyped_command_writes_nothing(project: Path, monkeypatch, word: str) -> None:
    monkeypatch.chdir(project)
    before = (project / "train.py").read_bytes()
    result = invoke(word, ".")
    assert result.exit_code == 2
    assert f"{word}: no such file or directory" in result.output
    assert "did you mean `migrate-aug " in result.output
    # The user typed no command: the usage line does not invent one.
    assert result.output.startswith("Usage: main [OPTIONS] [PATH]...")
    assert (project / "train.py").read_bytes() == before


def test_check_diff_and_fix_subcommands(project: Path) -> None:
    before = (project / "train.py").read_bytes()
    diff = invoke("diff", str(project / "train.py"))
    assert diff.exit_code == 1
    assert "+++ b/" in diff.output and "Rewrote" not in diff.output
    check = invoke("check", str(project))
    assert check.exit_code == 1 and "MA001" in check.output
    assert (project / "train.py").read_bytes() == before
    assert invoke("diff", "--check", str(project)).exit_code == 1  # flags still combine
    assert (project / "train.py").read_bytes() == before
    fixed = invoke("fix", str(project))
    assert fixed.exit_code == 1 and "Rewrote" in fixed.output
    assert (project / "train.py").read_text() == (SEED / "expected.py").read_text()


def test_crlf_bom_cookie_and_mode_are_preserved(tmp_path: Path) -> None:
    text = (SEED / "input.py").read_text()
    crlf = tmp_path / "crlf.py"
    crlf.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    crlf.chmod(0o750)
    latin = tmp_path / "latin.py"
    latin.write_bytes(("# -*- coding: latin-1 -*-\n# caf\xe9\n" + text).encode("latin-1"))
    assert invoke(str(tmp_path)).exit_code == 1
    data = crlf.read_bytes()
    assert (
        data.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in data
        and b"\n" not in data.replace(b"\r\n", b"")
    )
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o750
    assert "caf\xe9".encode("latin-1") in latin.read_bytes()
    assert "idg_tfdata.index_batches(" in latin.read_bytes().decode("latin-1")


def test_failed_write_leaves_the_original_intact(project: Path, monkeypatch) -> None:
    before = (project / "train.py").read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", explode)
    result = invoke(str(project))
    assert result.exit_code == 2
    assert (project / "train.py").read_bytes() == before
    assert sorted(p.name for p in project.iterdir()) == ["other.py", "train.py"]


def test_symlinks_in_directories_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SEED / "input.py", outside / "train.py")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.py").symlink_to(outside / "train.py")
    assert invoke(str(root)).exit_code == 0
    assert (outside / "train.py").read_text() == (SEED / "input.py").read_text()


def test_json_and_github_formats(project: Path) -> None:
    result = invoke("--check", "--format", "json", str(project))
    findings = json.loads(result.output)
    assert findings[0]["code"] == "MA001" and findings[0]["fixable"] is True
    assert findings[0]["replacement"] == "datagen_batches"  # the hoisted pipeline
    github = invoke("--check", "--format", "github", str(project))
    assert github.output.startswith("::warning file=")


def test_select_and_ignore(project: Path) -> None:
    assert invoke("--check", "--ignore", "MA0", str(project)).exit_code == 0
    assert invoke("--check", "--select", "MA001", str(project)).exit_code == 1


def test_rules_and_explain() -> None:
    assert "MA004" in invoke("rules").output
    explained = invoke("--explain", "MA201")
    assert explained.exit_code == 0 and "vertically" in explained.output


def test_cli_never_imports_tensorflow() -> None:
    code = "import sys, migrator.cli, migrator.codemod; assert 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_console_script_runs_on_the_shipped_example() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "migrator", "--diff", str(ROOT / "examples")],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1, completed.stderr
    assert "idg_tfdata.index_batches(x_train, y_train, batch_size=32)" in completed.stdout


def test_verify_subcommand_is_routed_to_the_verifier() -> None:
    result = invoke("verify", "--help")
    assert result.exit_code == 0
    assert "ORIGINAL" in result.output and "MIGRATED" in result.output


def _notebook(*cells: str) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Py"}
    nb.cells = [new_markdown_cell("# Training"), *(new_code_cell(c) for c in cells)]
    return nbformat.writes(nb) + "\n"


NOTEBOOK_CELLS = (
    "import numpy as np\nimport tensorflow as tf\n"
    "from tensorflow.keras.preprocessing.image import ImageDataGenerator",
    'x_train = np.random.rand(32, 8, 8, 3).astype("float32")\n'
    "y_train = np.eye(2)[np.random.randint(0, 2, 32)]\n"
    "datagen = ImageDataGenerator(horizontal_flip=True)",
    "strategy = tf.distribute.MirroredStrategy()\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Flatten(),"
    " tf.keras.layers.Dense(2)])\n"
    '    model.compile(optimizer="sgd", loss="categorical_crossentropy")',
    "%%time\nmodel.fit(datagen.flow(x_train, y_train, batch_size=8), epochs=1)",
)


def test_notebooks_are_found_and_migrated_end_to_end(tmp_path: Path) -> None:
    from migrator.api import Options
    from migrator.notebook import migrate_notebook
    from migrator.processing import migrate_text

    text = _notebook(*NOTEBOOK_CELLS)
    (tmp_path / "train.ipynb").write_text(text)
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "train-checkpoint.ipynb").write_text(text)
    (tmp_path / "broken.ipynb").write_text('{"cells": [ImageDataGenerator')
    check = invoke("--check", str(tmp_path))
    assert check.exit_code == 2  # the broken notebook
    assert f"{tmp_path / 'train.ipynb'}:cell 5:2:11: MA001 " in check.output
    assert f"{tmp_path / 'broken.ipynb'}:1:12: error: cannot parse: not a Jupyter notebook" in (
        check.output
    )
    (tmp_path / "broken.ipynb").unlink()
    result = invoke(str(tmp_path))
    assert result.exit_code == 1, result.output
    migrated = (tmp_path / "train.ipynb").read_text()
    # A notebook gets the runtime inlined (a sibling file does not travel with it).
    inlined = migrate_text(text, tmp_path / "train.ipynb", Options()).new_source
    assert migrated == inlined
    assert "index_batches(x_train, y_train, batch_size=8)" in migrated
    assert "idg_tfdata.index_batches(x_train" not in migrated and "idg-tfdata-runtime" in migrated
    assert not (tmp_path / "idg_tfdata.py").exists()
    assert migrate_notebook(text, "train.ipynb", Options()).changed
    # The checkpoint copy is excluded by default: untouched.
    assert (tmp_path / ".ipynb_checkpoints" / "train-checkpoint.ipynb").read_text() == text
    assert invoke("--check", str(tmp_path)).exit_code == 0


def test_notebook_findings_in_json_and_github_name_the_file_and_cell(tmp_path: Path) -> None:
    (tmp_path / "train.ipynb").write_text(_notebook(*NOTEBOOK_CELLS))
    findings = json.loads(invoke("--check", "--format", "json", str(tmp_path)).output)
    assert [(f["path"], f["cell"], f["line"], f["code"]) for f in findings] == [
        (str(tmp_path / "train.ipynb"), 5, 2, "MA001")
    ]
    github = invoke("--check", "--format", "github", str(tmp_path)).output.splitlines()
    # No `line=`: GitHub would read it as a line of the notebook's JSON.
    assert github[0].startswith(
        f"::warning file={tmp_path / 'train.ipynb'},title=MA001 (cell 5%2C line 2)::"
    )


def test_explain_prints_the_rule_and_its_before_after() -> None:
    explained = invoke("--explain", "ma001")
    assert explained.exit_code == 0
    output = explained.output
    assert output.startswith("MA001 idg-flow-under-strategy (rewrite)\n")
    assert "IDG augments one image at a time" in output  # the full text
    assert "Example (fixtures/seed_mirrored/input.py):" in output
    # before, the diagnostic and after, in the terminal (no path to open)
    assert "    datagen = ImageDataGenerator(" in output
    assert "    input.py:18:11: MA001 " in output
    assert "    idg_tfdata.index_batches(x_train, y_train, batch_size=16)" in output
    assert "    model.fit(datagen_batches, epochs=1)" in output
    assert "docs/rules.md" not in output
    assert invoke("--explain", "MA999").exit_code == 2


def test_no_path_is_a_usage_error_unless_options_are_ended(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke().exit_code == 2
    assert invoke("--check").exit_code == 2
    # What a hook runner sends when it has no file: nothing to do, not a failure.
    ended = invoke("--check", "--")
    assert ended.exit_code == 0 and "0 files would be rewritten" in ended.output


def test_exclude_flags(project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    (project / "venv").mkdir()
    shutil.copy(SEED / "input.py", project / "venv" / "vendored.py")

    def checked(*args: str) -> list[str]:
        result = invoke("--check", "--format", "json", *args)
        return sorted(Path(f["path"]).as_posix() for f in json.loads(result.stdout))

    assert checked(".") == ["train.py"]  # venv/ excluded by default
    assert checked("--exclude", "other.py", ".") == ["train.py", "venv/vendored.py"]
    assert checked("--extend-exclude", "train.py", ".") == []
    assert checked("venv/vendored.py") == ["venv/vendored.py"]  # named: processed
    assert checked("--force-exclude", "venv/vendored.py", "train.py") == ["train.py"]


def test_version_and_help() -> None:
    version = invoke("--version")
    assert version.exit_code == 0 and version.output.startswith("migrate-aug, version ")
    top = invoke("--help").output
    for command in ("fix", "check", "diff", "rules", "verify"):
        assert f"\n  {command} " in top
    for name in ("fix", "check", "diff", "run"):
        options = invoke(name, "--help").output
        for flag in (
            "--add-ignore",
            "--jobs N",
            "--config FILE",
            "--extend-exclude",
            "--force-exclude",
        ):
            assert flag in options
            assert flag in top  # the default command's options, at the top level too

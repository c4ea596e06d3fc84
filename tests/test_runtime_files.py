"""The runtime module in the user's tree (migrator/runtime_files.py, run.py): one
idg_tfdata.py per directory or one for the project, written only in fix mode, announced
under --check/--diff, upgraded when an unedited older copy is there (MA007), never
overwritten when edited, and in conflict with a module of the user's of that name.

The codemod does not emit runtime call sites yet on this branch: tests/fake_codemod.py
stands in for it (it sets needs_runtime as the real one will)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import migrator.run
from migrator.cli import main
from migrator.runtime import RUNTIME_VERSION as V
from migrator.runtime import is_pristine, parse_header, runtime_text
from migrator.sourcefile import write_new
from tests.fake_codemod import PROGRAM, fake_codemod  # noqa: F401 - a pytest fixture

ROOT = Path(__file__).resolve().parent.parent
OUTDATED = ROOT / "fixtures" / "runtime_outdated" / "input.py"

pytestmark = pytest.mark.usefixtures("fake_codemod")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["-j", "1", "--isolated", *args])


def tree(root: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PROGRAM)
        paths.append(path)
    return paths


def test_one_module_per_directory_shared_by_its_files(tmp_path: Path) -> None:
    tree(tmp_path, "a.py", "b.py", "sub/c.py")
    result = invoke(str(tmp_path))
    assert result.exit_code == 1, result.output
    for directory in (tmp_path, tmp_path / "sub"):
        module = directory / "idg_tfdata.py"
        assert module.read_text() == runtime_text()
        assert f"Wrote {module} (the idg_tfdata runtime module, version {V})" in result.output
    assert result.output.count("Wrote ") == 2  # a.py and b.py share one copy
    assert "import idg_tfdata\n" in (tmp_path / "b.py").read_text()
    again = invoke(str(tmp_path))
    assert again.exit_code == 0, again.output
    assert "0 files rewritten, 0 findings" in again.output


def test_check_and_diff_write_nothing_and_name_the_new_module(tmp_path: Path) -> None:
    (train,) = tree(tmp_path, "train.py")
    module = tmp_path / "idg_tfdata.py"
    for flag in ("--check", "--diff"):
        result = invoke(flag, str(train))
        assert result.exit_code == 1, result.output
        lines = runtime_text().count("\n")
        assert (
            f"Would write {module} (the idg_tfdata runtime module, version {V}, {lines:,} lines; "
            "not shown)" in result.output
        )
        assert "FILL_MODES" not in result.output  # no 1,600-line diff
        assert not module.exists() and train.read_text() == PROGRAM
    assert "+import idg_tfdata" in invoke("--diff", str(train)).stdout


def test_quiet_runs_print_no_module_line(tmp_path: Path) -> None:
    (train,) = tree(tmp_path, "train.py")
    result = invoke("-q", str(train))
    assert result.exit_code == 1 and result.output == ""
    assert (tmp_path / "idg_tfdata.py").exists()


def test_one_configured_module_for_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.migrate-aug]\nruntime-module = "src/pkg/idg_tfdata.py"\n'
    )
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    tree(tmp_path, "scripts/train.py", "src/pkg/model.py")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["-j", "1", "scripts", "src"])
    assert result.exit_code == 1, result.output
    module = Path("src/pkg/idg_tfdata.py")
    assert module.read_text() == runtime_text()
    assert result.output.count("Wrote ") == 1 and f"Wrote {module} " in result.output
    assert not Path("scripts/idg_tfdata.py").exists()
    # Options.runtime_import came from the config: the fake codemod imports it so.
    assert "from pkg import idg_tfdata\n" in Path("scripts/train.py").read_text()


# -- copies already there -----------------------------------------------------------------
def test_the_fixture_is_an_unedited_older_copy() -> None:
    text = OUTDATED.read_text()
    parsed = parse_header(text)
    assert parsed is not None and parsed[0].version == 0 and is_pristine(text)
    assert text != runtime_text()


@pytest.mark.parametrize("given", ["directory", "only the program"])
def test_an_outdated_copy_is_upgraded_byte_for_byte_keeping_its_mode(
    tmp_path: Path, given: str
) -> None:
    (train,) = tree(tmp_path, "train.py")
    module = tmp_path / "idg_tfdata.py"
    module.write_bytes(OUTDATED.read_bytes())
    module.chmod(0o640)
    result = invoke(str(tmp_path) if given == "directory" else str(train))
    assert result.exit_code == 1, result.output
    assert module.read_bytes() == runtime_text().encode()
    assert stat.S_IMODE(os.stat(module).st_mode) == 0o640
    assert (
        f"{module}:1:1: MA007 runtime module `idg_tfdata` version 0 is older than this "
        f"migrate-aug's version {V} and unedited: replaced by version {V}" in result.output
    )
    again = invoke(str(tmp_path))
    assert again.exit_code == 0, again.output


def test_an_outdated_copy_alone_is_upgraded_too(tmp_path: Path) -> None:
    # An already-migrated tree: no file needs migrating, the copy still gets the fixes.
    module = tmp_path / "idg_tfdata.py"
    module.write_bytes(OUTDATED.read_bytes())
    diff = invoke("--diff", str(tmp_path))
    assert diff.exit_code == 1
    assert (
        "-                count, self.seed, reshuffle_each_iteration=True" in diff.stdout
    )  # a real diff
    assert "+                max(count, 1), self.seed, reshuffle_each_iteration=True" in diff.stdout
    check = invoke("--check", str(tmp_path))
    assert check.exit_code == 1
    assert f"unedited: would be replaced by version {V}" in check.output
    assert module.read_bytes() == OUTDATED.read_bytes()
    assert invoke(str(tmp_path)).exit_code == 1
    assert module.read_text() == runtime_text()


def test_an_edited_copy_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    (train,) = tree(tmp_path, "train.py")
    module = tmp_path / "idg_tfdata.py"
    edited = OUTDATED.read_text().replace("_SMALL = 16 * 2**20", "_SMALL = 64 * 2**20")
    module.write_text(edited)
    for args in (["--check", str(tmp_path)], [str(train)], [str(tmp_path)]):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert module.read_text() == edited
        assert f"{module}:1:1: MA007 runtime module `idg_tfdata` version 0 was edited by hand" in (
            result.output
        )
        assert "  help: Keep your edits elsewhere" in result.output


def test_a_module_of_the_users_of_that_name_blocks_its_importers(tmp_path: Path) -> None:
    (train,) = tree(tmp_path, "train.py")
    own = tmp_path / "idg_tfdata.py"
    own.write_text("def helper():\n    return 1\n")
    for args in ([str(tmp_path)], [str(train)]):
        result = invoke(*args)
        assert result.exit_code == 1, result.output
        assert own.read_text() == "def helper():\n    return 1\n"
        assert train.read_text() == PROGRAM
        assert (
            f"{train}:1:1: MA007 not migrated: the rewrite imports `idg_tfdata`, but {own} is "
            "another module of that name (it has no migrate-aug header)" in result.output
        )
        assert "  help: Rename your module, or write the runtime elsewhere" in result.output


def test_a_current_copy_is_left_alone(tmp_path: Path) -> None:
    module = tmp_path / "idg_tfdata.py"
    module.write_text(runtime_text())
    (train,) = tree(tmp_path, "train.py")
    result = invoke(str(tmp_path))
    assert result.exit_code == 1 and "Wrote" not in result.output  # train.py only
    assert "MA007" not in result.output
    assert invoke("--check", str(tmp_path)).exit_code == 0


def test_a_module_that_cannot_be_written_keeps_its_importers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (train,) = tree(tmp_path, "train.py")

    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(migrator.run, "write_new", refuse)
    result = invoke(str(train))
    assert result.exit_code == 2
    assert f"{tmp_path / 'idg_tfdata.py'}: error: cannot write: Permission denied" in result.output
    assert f"{train}: error: not rewritten: its runtime module is not there" in result.output
    assert train.read_text() == PROGRAM


def test_write_new_never_replaces_a_file(tmp_path: Path) -> None:
    path = tmp_path / "idg_tfdata.py"
    write_new(path, "one\n")
    with pytest.raises(FileExistsError):
        write_new(path, "two\n")
    assert path.read_text() == "one\n"
    assert [p.name for p in tmp_path.iterdir()] == ["idg_tfdata.py"]  # no temporary left


def test_add_ignore_never_comments_a_copy(tmp_path: Path) -> None:
    module = tmp_path / "idg_tfdata.py"
    module.write_bytes(OUTDATED.read_bytes())
    result = invoke("--add-ignore", str(module))
    assert result.exit_code == 1
    assert "[not suppressed: a comment would edit the runtime's hashed text" in result.output
    assert module.read_bytes() == OUTDATED.read_bytes()


MIGRATED = "import idg_tfdata\n\ndatagen = idg_tfdata.Augmentation(rotation_range=20)\n"


def test_a_file_migrated_before_keeps_its_module_up_to_date(tmp_path: Path) -> None:
    # `migrate-aug train.py` (pre-commit passes the changed files only): the module the
    # file imports is upgraded though the file has nothing left to migrate.
    train = tmp_path / "train.py"
    train.write_text(MIGRATED)
    module = tmp_path / "idg_tfdata.py"
    module.write_bytes(OUTDATED.read_bytes())
    result = invoke(str(train))
    assert result.exit_code == 1, result.output
    assert f"{module}:1:1: MA007 runtime module `idg_tfdata` version 0 is older" in result.output
    assert module.read_text() == runtime_text() and train.read_text() == MIGRATED


@pytest.mark.parametrize("there", ["nothing", "a module of the user's"])
def test_a_file_migrated_before_creates_or_blames_nothing(tmp_path: Path, there: str) -> None:
    # The module may live elsewhere on purpose (moved into a library): only a file
    # migrated now creates one or is refused for a module in the way.
    train = tmp_path / "train.py"
    train.write_text(MIGRATED)
    module = tmp_path / "idg_tfdata.py"
    if there != "nothing":
        module.write_text("def helper():\n    return 1\n")
    result = invoke(str(train))
    assert result.exit_code == 0, result.output
    assert module.exists() == (there != "nothing")

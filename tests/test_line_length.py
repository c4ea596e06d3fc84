"""migrator/line_length.py: the line length a file's project formats at, and its wiring."""

from __future__ import annotations

from pathlib import Path

import pytest

import migrator.processing
from migrator.line_length import clear_cache, line_length_for
from migrator.options import FileResult, Options
from migrator.processing import process


@pytest.fixture(autouse=True)
def _fresh() -> None:
    clear_cache()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_default_without_config(tmp_path: Path) -> None:
    assert line_length_for(tmp_path / "pkg" / "train.py") == 88


@pytest.mark.parametrize("name", ["ruff.toml", ".ruff.toml"])
def test_ruff_toml_of_a_parent_directory(tmp_path: Path, name: str) -> None:
    write(tmp_path / name, "line-length = 100\n")
    assert line_length_for(tmp_path / "a" / "b" / "train.py") == 100


def test_dot_ruff_toml_takes_precedence_in_one_directory(tmp_path: Path) -> None:
    write(tmp_path / "ruff.toml", "line-length = 100\n")
    write(tmp_path / ".ruff.toml", "line-length = 110\n")
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 120\n")
    assert line_length_for(tmp_path / "train.py") == 110


def test_ruff_toml_without_line_length_means_88(tmp_path: Path) -> None:
    """The nearest ruff config is the one ruff uses, even when it leaves the length out."""
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 120\n")
    write(tmp_path / "sub" / "ruff.toml", "target-version = 'py310'\n")
    assert line_length_for(tmp_path / "sub" / "train.py") == 88


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tool.ruff]\nline-length = 100\n", 100),
        ("[tool.black]\nline-length = 79\n", 79),
        ("[tool.ruff]\nline-length = 100\n[tool.black]\nline-length = 79\n", 100),
        # [tool.ruff] without a length: black's still says what the team formats at
        ("[tool.ruff.lint]\nselect = ['E']\n[tool.black]\nline-length = 79\n", 79),
        ("[tool.ruff.lint]\nselect = ['E']\n", 88),
        ("[tool.black]\ntarget-version = ['py310']\n", 88),
    ],
)
def test_pyproject_toml(tmp_path: Path, text: str, expected: int) -> None:
    write(tmp_path / "pyproject.toml", text)
    assert line_length_for(tmp_path / "src" / "train.py") == expected


def test_pyproject_without_formatter_table_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "ruff.toml", "line-length = 100\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n[tool.migrate-aug]\n")
    assert line_length_for(tmp_path / "pkg" / "train.py") == 100


def test_nearest_directory_wins(tmp_path: Path) -> None:
    write(tmp_path / "ruff.toml", "line-length = 100\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[tool.black]\nline-length = 70\n")
    assert line_length_for(tmp_path / "pkg" / "deep" / "train.py") == 70
    assert line_length_for(tmp_path / "other.py") == 100


def test_unreadable_toml_is_passed_over(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    write(tmp_path / "sub" / "ruff.toml", "line-length = = 3\n")
    assert line_length_for(tmp_path / "sub" / "train.py") == 100


@pytest.mark.parametrize("value", ["'100'", "0", "1000", "true", "99.5"])
def test_invalid_length_counts_as_not_set(tmp_path: Path, value: str) -> None:
    write(
        tmp_path / "pyproject.toml",
        f"[tool.ruff]\nline-length = {value}\n[tool.black]\nline-length = 79\n",
    )
    assert line_length_for(tmp_path / "train.py") == 79


def test_cache_cleared_between_runs(tmp_path: Path) -> None:
    config = write(tmp_path / "ruff.toml", "line-length = 100\n")
    assert line_length_for(tmp_path / "train.py") == 100
    config.write_text("line-length = 120\n")
    clear_cache()
    assert line_length_for(tmp_path / "train.py") == 120


def test_each_file_is_migrated_at_its_projects_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file driver hands every file its own project's line length in Options."""
    write(tmp_path / "wide" / "ruff.toml", "line-length = 120\n")
    write(tmp_path / "narrow" / "pyproject.toml", "[tool.black]\nline-length = 72\n")
    files = [
        write(tmp_path / d / "train.py", "ImageDataGenerator\n")
        for d in ("wide", "narrow", "plain")
    ]
    seen: dict[str, int] = {}

    def spy(text: str, path: Path, options: Options) -> FileResult:
        seen[path.parent.name] = options.line_length
        return FileResult(text, text)

    monkeypatch.setattr(migrator.processing, "migrate_text", spy)
    outcomes = process(files, Options(rewrite_without_strategy=True))
    assert all(outcome.error is None for outcome in outcomes)
    assert seen == {"wide": 120, "narrow": 72, "plain": 88}

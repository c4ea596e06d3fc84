"""Rule codes are checked identities: one typed registry (rules.Code), every "MAnnn" of the
package registered, every registered code shown by a fixture and documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner, Result

from migrator.api import SourceParseError, UnknownCodeError, migrate_source
from migrator.cli import main
from migrator.rules import RULES, RULES_BY_CODE, Code

ROOT = Path(__file__).resolve().parent.parent
CODE_LITERAL = re.compile(r"""["'](MA\d{3})["']""")


def test_the_code_type_is_the_catalogue() -> None:
    assert list(get_args(Code)) == [rule.code for rule in RULES]
    assert len(set(RULES_BY_CODE)) == len(RULES)


def test_every_code_literal_in_the_package_is_registered() -> None:
    found = {
        (str(path.relative_to(ROOT)), code)
        for path in sorted((ROOT / "migrator").rglob("*.py"))
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8"))
    }
    assert found  # the scan reads the package
    assert {(path, code) for path, code in found if code not in RULES_BY_CODE} == set()


def test_the_scan_would_catch_a_typo() -> None:
    assert CODE_LITERAL.findall('Blocker("MA150", node, "...")') == ["MA150"]


@pytest.mark.parametrize("code", sorted(RULES_BY_CODE))
def test_every_code_has_a_fixture(code: str) -> None:
    shown = [
        path.parent.name
        for path in sorted((ROOT / "fixtures").glob("*/diagnostics.txt"))
        if re.search(rf"\b{code}\b", path.read_text(encoding="utf-8"))
    ]
    assert shown, f"no fixtures/*/diagnostics.txt shows {code}"
    example = RULES_BY_CODE[code].example
    if example:
        assert example in shown  # the docs show the rule with this fixture


@pytest.mark.parametrize("code", sorted(RULES_BY_CODE))
def test_every_code_has_a_docs_entry(code: str) -> None:
    rules_md = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rule = RULES_BY_CODE[code]
    assert f"## {code} {rule.name}\n" in rules_md


# -- an unknown code is a usage error wherever a user writes one ------------------------

SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_unknown_code_on_ignore_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(SEED.read_text())
    result = _invoke("--check", "--ignore", "MA001,MA999", str(tmp_path / "train.py"))
    assert result.exit_code == 2
    assert "--ignore: unknown rule code or prefix 'MA999'" in result.output


def test_unknown_code_in_an_ignore_comment_is_raised() -> None:
    source = "x = 1  # migrate-aug: ignore[MA001, MA999]\n"
    with pytest.raises(UnknownCodeError) as raised:
        migrate_source(source)
    error = raised.value
    assert isinstance(error, SourceParseError)  # every file-error path reports it
    assert (error.code, error.line, error.column) == ("MA999", 1, 8)
    assert "unknown rule code 'MA999'" in error.message


def test_known_codes_in_any_case_and_bare_ignores_are_fine() -> None:
    source = "x = 1  # migrate-aug: ignore[ma001]\ny = 2  # migrate-aug: ignore\n"
    assert not migrate_source(source).changed


def test_unknown_code_in_an_ignore_comment_exits_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\nx = 1  # migrate-aug: ignore[MA1]\n")
    good = tmp_path / "train.py"
    good.write_text(SEED.read_text())
    result = _invoke("--check", str(bad), str(good))
    assert result.exit_code == 2
    assert (
        f"{bad}:3:8: error: unknown rule code 'MA1' in a `# migrate-aug: ignore[...]` comment"
        in result.output
    )
    assert "MA001" in result.output  # the other file is still checked and reported
    assert bad.read_text() == "import os\n\nx = 1  # migrate-aug: ignore[MA1]\n"


def test_unknown_code_in_a_notebook_names_its_cell(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import os"),
        nbformat.v4.new_code_cell(SEED.read_text() + "\nz = 0  # migrate-aug: ignore[MA777]\n"),
    ]
    path = tmp_path / "train.ipynb"
    path.write_text(nbformat.writes(notebook))
    result = _invoke("--check", str(path))
    assert result.exit_code == 2
    line = len(SEED.read_text().splitlines()) + 2
    assert f"{path}:cell 2:{line}:8: error: unknown rule code 'MA777'" in result.output

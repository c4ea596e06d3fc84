"""Every fixtures/<case>/input.py migrates to expected.py with the diagnostics in
diagnostics.txt (each finding, then its `  help:` line when it has one); a second run changes nothing. UPDATE_FIXTURES=1 rewrites the expected
files (review the diff before committing)."""

from __future__ import annotations

import os

import pytest

from migrator.api import migrate_source
from tests.fixture_cases import Case, cases, read

UPDATE = os.environ.get("UPDATE_FIXTURES") == "1"


def _diagnostic_lines(result) -> str:
    """What the text output shows of each finding (its path left out): the finding, and
    its help on an indented line of its own."""
    return "".join(
        f"{d.line}:{d.column}: {d.code} {d.message}\n" + (f"  help: {d.help}\n" if d.help else "")
        for d in result.diagnostics
    )


@pytest.mark.parametrize("case", cases(), ids=lambda case: case.name)
def test_fixture(case: Case) -> None:
    source = read(case.input)
    result = migrate_source(source, "input.py", case.options)
    if UPDATE:
        with open(case.expected, "w", encoding="utf-8", newline="") as handle:
            handle.write(result.new_source)
        case.diagnostics.write_text(_diagnostic_lines(result))
    assert result.new_source == read(case.expected)
    assert _diagnostic_lines(result) == case.diagnostics.read_text()
    # Idempotent: the migrated program has nothing left to migrate.
    again = migrate_source(result.new_source, "expected.py", case.options)
    assert again.new_source == result.new_source
    assert not [d for d in again.diagnostics if d.fixable]


def test_every_fixture_has_an_expected_output() -> None:
    missing = [case.name for case in cases() if not case.expected.exists()]
    assert not missing


def test_fixtures_cover_rewrites_and_refusals() -> None:
    rewritten = [case for case in cases() if read(case.input) != read(case.expected)]
    untouched = [case for case in cases() if read(case.input) == read(case.expected)]
    assert len(rewritten) >= 5 and len(untouched) >= 5

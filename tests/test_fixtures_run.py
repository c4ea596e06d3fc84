"""Every rewritten fixture's expected.py runs: it trains under MirroredStrategy with 2
logical CPU replicas. Fixtures cannot drift into code that does not run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.fixture_cases import Case, cases
from tests.programs import RUNNER

RUNNABLE = [case for case in cases() if case.runnable]


@pytest.fixture(scope="module")
def run_results() -> dict[str, dict]:
    """One runner for all: TensorFlow imported once, each program in its own forked
    child, one per core."""
    pytest.importorskip("tensorflow")
    paths = [str(case.expected) for case in RUNNABLE]
    completed = subprocess.run(
        [sys.executable, str(RUNNER), "--jobs", "2", *paths], capture_output=True, text=True
    )
    records = [
        json.loads(line[len("RESULT ") :])
        for line in completed.stdout.splitlines()
        if line.startswith("RESULT ")
    ]
    assert len(records) == len(paths), completed.stderr[-3000:]
    return {record["path"]: record for record in records}


def test_some_fixtures_are_runnable() -> None:
    assert len(RUNNABLE) >= 5


@pytest.mark.parametrize("case", RUNNABLE, ids=lambda case: case.name)
def test_expected_fixture_runs(case: Case, run_results: dict[str, dict]) -> None:
    record = run_results[str(case.expected)]
    assert record["ok"], record["error"]
    assert record["replicas"] == 2

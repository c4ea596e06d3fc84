"""Every rewritten fixture's expected.py runs: it trains under MirroredStrategy with 2
logical CPU replicas. Fixtures cannot drift into code that does not run."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.fixture_cases import Case, cases

RUNNABLE = [case for case in cases() if case.runnable]
RUNNER = Path(__file__).with_name("run_programs.py")


@pytest.fixture(scope="module")
def run_results() -> dict[str, dict]:
    pytest.importorskip("tensorflow")
    with ThreadPoolExecutor(max_workers=2) as pool:  # one process per program, 2 cores
        records = list(pool.map(run_program, (str(case.expected) for case in RUNNABLE)))
    return {record["path"]: record for record in records}


def run_program(path: str) -> dict:
    completed = subprocess.run(
        [sys.executable, str(RUNNER), path], capture_output=True, text=True, timeout=600
    )
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    return {"path": path, "ok": False, "error": completed.stderr[-3000:], "replicas": None}


def test_some_fixtures_are_runnable() -> None:
    assert len(RUNNABLE) >= 5


@pytest.mark.parametrize("case", RUNNABLE, ids=lambda case: case.name)
def test_expected_fixture_runs(case: Case, run_results: dict[str, dict]) -> None:
    record = run_results[str(case.expected)]
    assert record["ok"], record["error"]
    assert record["replicas"] == 2

"""The tool's own rewrites verify: every fixture's input.py that the codemod rewrites
(see `Case.verifiable`: Keras 2 inputs under the Keras 2 runtime, programs reading data the
fixture does not ship on --stand-in-data) against `migrate_source(input.py)` (what
test_fixtures pins as expected.py), run in a temporary copy of the fixture's directory. The seed example must verify in
under a minute."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from migrator.api import migrate_source
from migrator.verify.command import VerifyOptions, migrated_copy, verify_pair
from migrator.verify.report import render_text
from tests.fixture_cases import Case, cases, read

# The rewritten, runnable fixtures (negative fixtures have nothing to verify) whose input
# runs here.
RUNNABLE = [case for case in cases() if case.verifiable]


@pytest.fixture(scope="module")
def verified(tmp_path_factory) -> dict[str, object]:
    pytest.importorskip("tensorflow")
    workdir = tmp_path_factory.mktemp("fixture-pairs")
    quick = VerifyOptions(budget=0.2)
    stand_in = VerifyOptions(budget=0.2, stand_in_data=True)
    outcomes: dict[str, object] = {}
    jobs = []
    for case in RUNNABLE:
        result = migrate_source(read(case.input), "input.py", case.options)
        assert result.changed, f"{case.name}: expected.py says it is rewritten"
        copy = migrated_copy(case.input, result.new_source, workdir / "copies" / case.name)
        jobs.append((case, copy))

    def run(job: tuple[Case, object]) -> tuple[str, tuple[object, float]]:
        case, copy = job
        started = time.perf_counter()
        options = stand_in if "--stand-in-data" in case.verify_flags else quick
        flags = case.verify_flags
        if "--original-runtime" in flags:  # e.g. keras2: fit(zip(...)) needs Keras 2
            runtime = flags[flags.index("--original-runtime") + 1]
            options = dataclasses.replace(options, original_runtime=runtime)
        verification = verify_pair(
            str(case.input), str(copy), options, str(workdir), str(workdir), prefix=f"{case.name}-"
        )
        return case.name, (verification, time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=2) as pool:  # one pair per core
        outcomes.update(pool.map(run, jobs))
    return outcomes


@pytest.mark.parametrize("case", RUNNABLE, ids=lambda case: case.name)
def test_the_rewrite_verifies_against_its_input(case: Case, verified) -> None:
    verification, seconds = verified[case.name]
    assert verification.passed, render_text(verification)
    if case.name == "seed_mirrored":
        assert seconds < 60

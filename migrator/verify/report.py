"""The verifier's report: a plain-text table (styled with click; click.echo drops the
colours when the output is not a terminal) and JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click

from migrator.verify.compare import ENVIRONMENT, FAIL, INFO, PASS, SKIP, Check, passed, verdict
from migrator.verify.runner import RunResult

CELL = 44  # widest original/migrated cell; the full story is in the details below
RESULT = {
    PASS: ("ok", "green"),
    FAIL: ("MISMATCH", "red"),
    SKIP: ("skipped", "yellow"),
    ENVIRONMENT: ("ENVIRONMENT", "yellow"),
}
# Exit codes of `migrate-aug verify` (documented in docs/verify.md and --help).
EXIT = {PASS: 0, FAIL: 1, ENVIRONMENT: 3}


@dataclass
class Verification:
    original: str  # paths as shown to the user
    migrated: str
    steps: int
    checks: list[Check]
    runs: dict[str, RunResult]  # "original", "migrated"
    data: list[str] = field(default_factory=list)  # what the programs read from disk, mapped
    page: str | None = None  # the HTML report (verify --report), once written

    @property
    def passed(self) -> bool:
        return passed(self.checks)

    @property
    def verdict(self) -> str:
        return verdict(self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if check.status == FAIL]

    @property
    def environment(self) -> list[Check]:
        return [check for check in self.checks if check.status == ENVIRONMENT]


def _cell(text: str) -> str:
    return text if len(text) <= CELL else text[: CELL - 3] + "..."


def _result(check: Check) -> str:
    if check.status == INFO:
        return check.detail or "-"
    word, colour = RESULT[check.status]
    return click.style(word, fg=colour, bold=check.status in (FAIL, ENVIRONMENT))


def render_text(verification: Verification) -> str:
    v = verification
    rows = [("check", "original", "migrated")] + [
        (c.name, _cell(c.original), _cell(c.migrated)) for c in v.checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]

    def line(row: tuple[str, str, str], result: str) -> str:
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        return "  " + "  ".join(cells) + "  " + result

    out = [
        click.style(f"verify {v.original} -> {v.migrated}", bold=True) + f"  ({v.steps} steps)",
        click.style(line(rows[0], "result"), dim=True),
    ]
    out += [line(row, _result(check)) for row, check in zip(rows[1:], v.checks, strict=True)]
    reasons = (v.runs["original"].record.get("runtime") or {}).get("reasons") if v.runs else None
    if reasons and (v.runs["original"].record.get("runtime") or {}).get("name") == "keras2":
        out.append(
            click.style("  the original ran as Keras 2 (tf_keras, keras.* -> tf_keras): ", dim=True)
            + "; ".join(reasons)
        )
    for check in v.checks:
        if check.status in (FAIL, ENVIRONMENT):
            colour = "red" if check.status == FAIL else "yellow"
            out.append(click.style(f"  - {check.name}: ", fg=colour) + check.detail)
    for note in v.data:
        out.append(click.style("  data: ", dim=True) + note)
    for check in v.checks:
        if check.status == PASS and check.detail:
            out.append(click.style(f"  (note on {check.name}: {check.detail})", dim=True))
    for check in v.checks:
        if check.status == SKIP and check.detail:
            out.append(click.style(f"  (skipped {check.name}: {check.detail})", dim=True))
    for side, run in v.runs.items():
        if not run.ok and run.record.get("log_tail"):
            out.append(f"  last lines of the {side} program's log ({run.log}):")
            out += ["    | " + text for text in run.record["log_tail"].splitlines()]
    if v.passed:
        word = click.style("PASS", fg="green", bold=True)
        out.append(
            f"{word}: the migrated program agrees with the original ({len(v.checks)} checks)"
        )
    elif v.verdict == ENVIRONMENT:
        names = ", ".join(check.name for check in v.environment)
        word = click.style("ENVIRONMENT", fg="yellow", bold=True)
        out.append(
            f"{word}: both programs fail alike ({names}): the environment, not the rewrite; "
            + (
                "the input pipelines could not be compared"
                if any(check.name == "run" for check in v.environment)
                else "every other check agrees"
            )
        )
    else:
        names = ", ".join(check.name for check in v.failures)
        word = click.style("FAIL", fg="red", bold=True)
        out.append(f"{word}: {len(v.failures)} mismatch(es): {names}")
    out.append("logs: " + "\n      ".join(f"{side}: {run.log}" for side, run in v.runs.items()))
    if v.page:
        out.append(f"report: {v.page}")
    return "\n".join(out)


def to_json(verification: Verification) -> dict[str, Any]:
    v = verification
    return {
        "original": v.original,
        "migrated": v.migrated,
        "steps": v.steps,
        "data": v.data,
        "report": v.page,
        "passed": v.passed,
        "verdict": v.verdict,  # "pass", "fail" or "environment"
        "environment": [check.name for check in v.environment],
        "mismatches": [check.name for check in v.failures],
        "checks": [check.to_json() for check in v.checks],
        "runs": {
            side: {
                "program": run.program,
                "log": run.log,
                "status": run.record.get("status"),
                "error": run.record.get("error"),
                "returncode": run.returncode,
                "seconds": round(run.seconds, 3),
                "record": run.record,
            }
            for side, run in v.runs.items()
        },
    }

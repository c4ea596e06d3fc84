"""A test's way to run one program through tests/run_programs.py (as `__main__`, with the
CPU split into 2 logical devices) in a fresh interpreter, and to read the JSON lines it
prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("run_programs.py")


def marked(stdout: str, marker: str, context: str = "") -> Any:
    """The JSON after `marker` on the first line of `stdout` that starts with it."""
    lines = [line for line in stdout.splitlines() if line.startswith(marker)]
    assert lines, context or stdout[-3000:]
    return json.loads(lines[0][len(marker) :])


def run_program(
    program: Path, *, env: dict[str, str] | None = None, timeout: float = 300
) -> tuple[dict[str, Any], str]:
    """(the runner's RESULT record, the program's stdout); fails the test when the
    program did not run to its end."""
    completed = subprocess.run(
        [sys.executable, str(RUNNER), str(program)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    record = marked(completed.stdout, "RESULT ", completed.stderr[-3000:])
    assert record["ok"], record["error"]
    return record, completed.stdout

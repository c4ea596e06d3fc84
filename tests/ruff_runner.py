"""Run the real ruff on many snippets in one process (the layout and lint tests).

One ruff call per batch keeps the tests fast: starting ruff costs more than formatting.
Each line length gets a directory of its own holding a `ruff.toml` with only that
`line-length`, so one `ruff format` call formats every snippet at its own length; ruff takes
the nearest config file and looks no further, so no outside configuration leaks in.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path


def _ruff_command() -> list[str]:
    """The ruff binary of this environment's ruff package (not `python -m ruff`: starting
    Python for each call would cost more than the formatting)."""
    try:
        from ruff.__main__ import find_ruff_bin

        return [find_ruff_bin()]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "ruff"]


RUFF = _ruff_command()


def ruff(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RUFF, *args], capture_output=True, text=True, cwd=cwd, check=False, timeout=120
    )


def format_many(snippets: Sequence[tuple[str, int]]) -> list[str]:
    """Each (source, line length) formatted by `ruff format`, in order, in one ruff call."""
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        paths = []
        for index, (source, line_length) in enumerate(snippets):
            directory = root / f"ll{line_length}"
            if not directory.exists():
                directory.mkdir()
                (directory / "ruff.toml").write_text(f"line-length = {line_length}\n")
            path = directory / f"s{index}.py"
            path.write_text(source, encoding="utf-8")
            paths.append(path)
        result = ruff("format", "--no-cache", str(root))
        if result.returncode != 0:
            raise AssertionError(f"ruff format failed:\n{result.stderr}")
        return [path.read_text(encoding="utf-8") for path in paths]

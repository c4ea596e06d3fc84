"""Codemod speed: `migrate-aug --check` on a large real tree against `ruff check`.

    python bench/codemod.py             # keras/src (~770 files), each tool once
    python bench/codemod.py --repeat 3  # best of 3 runs of each tool
    python bench/codemod.py --tree DIR  # another tree

Measures, in one run and on the same machine state:

    check tree     wall time of `migrate-aug --check TREE` (a fresh process: start-up,
                   file discovery, prefilter, parsing what passes it) and of
                   `ruff check --select ALL --no-cache --exit-zero TREE`
    start-up       `migrate-aug --version` (a fresh process each time)
    migrated file  in-process `migrate_source` on a file with a migration
                   (examples/seed_legacy.py): the first call (imports libcst and the
                   emitters) and the best of N later calls

The tree defaults to the installed `keras/src`, located with importlib.util.find_spec
(which does not import keras or TensorFlow). Targets (issue #8): no slower than ruff,
start-up <= 0.3 s, a migrated file <= 50 ms.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, cpu_description, table  # noqa: E402

SEED_FILE = ROOT / "examples" / "seed_legacy.py"


def keras_tree() -> Path:
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("keras is not installed: pass --tree DIR")
    return Path(next(iter(spec.submodule_search_locations))) / "src"


def executable(name: str, module: str | None = None) -> list[str]:
    """The console script installed next to this interpreter (no pyenv shim in between),
    else `python -m module`."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    if found is not None:
        return [found]
    if module is not None:
        return [sys.executable, "-m", module]
    raise SystemExit(f"{name} not found: install the test extra (`pip install -e .[test]`)")


# Children import this checkout's migrator, even when another copy is installed.
ENV = dict(os.environ, PYTHONPATH=str(ROOT))


def best_wall(command: list[str], repeat: int) -> tuple[float, int]:
    """(best wall seconds over `repeat` runs, exit code of the last run)."""
    best = float("inf")
    code = 0
    for _ in range(repeat):
        start = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, cwd=ROOT, env=ENV)
        best = min(best, time.perf_counter() - start)
        code = completed.returncode
    return best, code


PER_FILE_CHILD = """
import json, sys, time
start = time.perf_counter()
from migrator.api import migrate_source
source = open(sys.argv[1], encoding="utf-8").read()
result = migrate_source(source, sys.argv[1])
first = time.perf_counter() - start
assert result.changed, "the file was expected to have a migration"
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    migrate_source(source, sys.argv[1])
    best = min(best, time.perf_counter() - start)
print(json.dumps({"first": first, "best": best, "tf": "tensorflow" in sys.modules}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions of the small timings"
    )
    parser.add_argument("--tree", type=Path, help="tree to check (default: keras/src)")
    parser.add_argument("--file", type=Path, default=SEED_FILE, help="a file with a migration")
    parser.add_argument("--repeat", type=int, default=1, help="runs per tree timing, best kept")
    arguments = parser.parse_args()
    repeat = arguments.repeat
    small = 3 if arguments.quick else 10  # runs of the start-up and per-file timings
    tree = arguments.tree or keras_tree()
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"{tree} ({files} .py files); tree timings best of {repeat}; {cpu_description()}")

    migrate = executable("migrate-aug", "migrator")
    ruff = executable("ruff")
    check, check_code = best_wall([*migrate, "--check", str(tree)], repeat)
    linted, _ = best_wall(
        [*ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", str(tree)], repeat
    )
    startup, _ = best_wall([*migrate, "--version"], small)
    child = subprocess.run(
        [sys.executable, "-c", PER_FILE_CHILD, str(arguments.file), str(small)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        check=True,
    )
    per_file = json.loads(child.stdout.strip().splitlines()[-1])

    rows = [
        [
            "migrate-aug --check tree",
            f"{check:.2f} s",
            f"{check / linted:.2f}x ruff",
            "<= ruff",
            "ok" if check <= linted else "MISSED",
        ],
        ["ruff check --select ALL", f"{linted:.2f} s", "1.00x ruff", "", ""],
        [
            "migrate-aug --version",
            f"{startup:.3f} s",
            "",
            "<= 0.3 s",
            "ok" if startup <= 0.3 else "MISSED",
        ],
        [
            f"{arguments.file.name}: first call",
            f"{per_file['first'] * 1000:.0f} ms",
            "imports included",
            "",
            "",
        ],
        [
            f"{arguments.file.name}: best of {small}",
            f"{per_file['best'] * 1000:.1f} ms",
            "",
            "<= 50 ms",
            "ok" if per_file["best"] <= 0.05 else "MISSED",
        ],
    ]
    table(["measure", "time", "relative", "target", ""], rows)
    print(f"(migrate-aug --check exit code {check_code}; TensorFlow imported: {per_file['tf']})")


if __name__ == "__main__":
    main()

"""Run one program under the bootstrap in a child process, bounded in time and memory,
with its stdout and stderr in a log file. Never imports TensorFlow or numpy."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migrator.verify.bootstrap import (
    ENV_BUDGET,
    ENV_MEMORY,
    ENV_PICTURES,
    ENV_RECORD,
    ENV_RUNTIME,
    ENV_SEED,
    ENV_STEPS,
    ENV_TIMEOUT,
    RECORD_VERSION,
)

DEFAULT_TIMEOUT = 300.0
DEFAULT_MEMORY = 16 * 2**30
DEFAULT_BUDGET = 2.0  # seconds of drawing batches to measure throughput
LOG_TAIL_LINES = 25
# TensorFlow's C++ info/warning lines (absl format) and absl's preamble: noise in a tail.
NOISE = re.compile(r"^(?:[IW]\d{4} [\d:.]+\s+\d+ \S+:\d+\]|WARNING: All log messages before absl)")
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# Import the bootstrap from this checkout of migrate-aug, then leave sys.path as the
# program would see it (the bootstrap puts the program's directory first).
CHILD = (
    "import sys; sys.path.insert(0, {root!r}); import migrator.verify.bootstrap as b; "
    "sys.path.remove({root!r}); b.main()"
)


@dataclass
class RunResult:
    program: str
    record: dict[str, Any]  # the bootstrap's record; status "ok" when fit was recorded
    log: str  # path of the program's stdout + stderr
    returncode: int | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.record.get("status") == "ok"


def runtime_directory(workdir: str) -> str:
    """A directory in `workdir` holding the current runtime module (idg_tfdata.py)."""
    from migrator.runtime import MODULE_NAME, runtime_text

    directory = os.path.join(workdir, "runtime-module")
    path = os.path.join(directory, f"{MODULE_NAME}.py")
    if not os.path.exists(path):
        os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(runtime_text())
    return directory


def run_program(
    program: str,
    *,
    log: str,
    workdir: str,
    steps: int = 3,
    timeout: float = DEFAULT_TIMEOUT,
    memory: int = DEFAULT_MEMORY,
    budget: float | None = None,
    seed: int = 0,
    runtime: str = "keras3",
    pictures: str | None = None,
) -> RunResult:
    """Run `program` until its first fit has been recorded (or it fails, ends, or runs
    out of time); always returns a record, never raises for the program's behaviour.
    `budget` (seconds of drawing batches for throughput) defaults to the environment's
    MIGRATE_AUG_VERIFY_BUDGET, else DEFAULT_BUDGET. `runtime`: "keras3" (the environment
    as it is) or "keras2" (tf_keras with Keras 2's import paths, see `runtime`).
    `pictures`: a directory the child draws the first batch in (`verify --report`)."""
    if budget is None:
        budget = float(os.environ.get(ENV_BUDGET) or DEFAULT_BUDGET)
    program = os.path.abspath(program)
    run_id = uuid.uuid4().hex
    record_path = os.path.join(workdir, f"record-{run_id}.json")
    # The program's (and TensorFlow's, e.g. autograph's) temporary files go inside ours.
    child_tmp = os.path.join(workdir, f"tmp-{run_id}")
    os.makedirs(child_tmp)
    env = dict(os.environ)
    # The migrated program imports the runtime module: one beside it wins (the cwd comes
    # first on the child's path), else the current module from this checkout.
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [runtime_directory(child_tmp), os.environ.get("PYTHONPATH")])
    )
    env.update(
        {
            ENV_RECORD: record_path,
            ENV_STEPS: str(steps),
            ENV_MEMORY: str(memory),
            ENV_BUDGET: str(budget),
            ENV_TIMEOUT: str(timeout),
            ENV_SEED: str(seed),
            ENV_RUNTIME: runtime,
            "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ next to the user's modules
            "PYTHONUNBUFFERED": "1",  # the log is complete even when the child is killed
            "TMPDIR": child_tmp,
            "TEMP": child_tmp,
            "TMP": child_tmp,
        }
    )
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if pictures:
        env[ENV_PICTURES] = pictures
    if runtime == "keras2":
        env["TF_USE_LEGACY_KERAS"] = "1"  # tf.keras is tf_keras (the bootstrap sets it too)
    command = [sys.executable, "-c", CHILD.format(root=PACKAGE_ROOT), program]
    started = time.perf_counter()
    timed_out = False
    with open(log, "wb") as handle:
        handle.write(f"# migrate-aug verify: {program}\n".encode())
        handle.flush()
        process = subprocess.Popen(
            command,
            cwd=os.path.dirname(program),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a timeout kills all of it
        )
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            if process.poll() is None:
                _kill_group(process)
                returncode = process.wait()
    seconds = time.perf_counter() - started
    record = _read_record(record_path)
    for leftover in (record_path, record_path + ".part"):
        if os.path.exists(leftover):
            os.remove(leftover)
    shutil.rmtree(child_tmp, ignore_errors=True)
    _explain(record, timed_out, timeout, returncode, memory)
    if record.get("status") != "ok":
        record["log_tail"] = log_tail(log)
    return RunResult(program, record, log, returncode, seconds)


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _read_record(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return {"version": RECORD_VERSION, "status": "crashed", "error": None}
    return record if isinstance(record, dict) else {"status": "crashed", "error": None}


def _explain(
    record: dict[str, Any], timed_out: bool, timeout: float, returncode: int | None, memory: int
) -> None:
    """Turn a missing or unfinished record into a status and a reason a person can act on."""
    status = record.get("status")
    where = f" while {record['stage']}" if record.get("stage") else ""
    if timed_out:
        record["status"] = "timeout"
        record["error"] = f"did not finish within {timeout:g} s{where}; killed"
    elif status not in ("ok", "error", "no_fit"):
        record["status"] = "crashed"
        how = f"exit code {returncode}"
        if returncode is not None and returncode < 0:
            try:
                how = f"signal {signal.Signals(-returncode).name}"
            except ValueError:
                how = f"signal {-returncode}"
        hint = ""
        if memory and returncode not in (0, None):
            hint = f" (the memory limit is {format_bytes(memory)}; raise it with --memory)"
        record["error"] = f"the process died ({how}){where}{hint}"


def log_tail(path: str, lines: int = LOG_TAIL_LINES) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return ""
    kept = [line for line in text.rstrip("\n").splitlines() if not NOISE.match(line)]
    return "\n".join(kept[-lines:])


def format_bytes(count: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= size:
            return f"{count / size:g} {unit}"
    return f"{count} B"


def parse_memory(text: str) -> int:
    """'16G', '16GiB', '4096M', '512MB', a number of bytes; '0' or 'none': no limit."""
    value = text.strip().lower().replace(" ", "")
    if value in ("0", "none", "unlimited", "off"):
        return 0
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    for suffix in ("ib", "b"):
        if value.endswith(suffix) and value[: -len(suffix)][-1:] in units:
            value = value[: -len(suffix)]
    factor = 1
    if value[-1:] in units:
        factor = units[value[-1]]
        value = value[:-1]
    number = float(value)  # ValueError for nonsense
    if number < 0:
        raise ValueError("negative memory limit")
    return int(number * factor)

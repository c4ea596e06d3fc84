"""Run Python programs as `__main__` with the CPU split into 2 logical devices, so
MirroredStrategy has 2 replicas. Prints one JSON line per program: `RESULT {"path", "ok",
"error", "replicas"}`.

`python run_programs.py PROGRAM` runs one program in this process.
`python run_programs.py --jobs N PROGRAM...` runs each program in its own forked child,
N at a time: TensorFlow and Keras are imported once, here, before the first fork (a few
CPU-seconds each saved per program), and nothing of TensorFlow's runtime is initialised
before the fork, so each child configures its own devices as a fresh process would. One
program per process still: collective ops of several MirroredStrategy programs in one
process collide."""

from __future__ import annotations

import json
import os
import runpy
import shutil
import sys
import tempfile
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
TIMEOUT = 600.0  # seconds per program in a forked child
LOG_TAIL = 3000  # characters of a dead child's output kept as its error


def _runtime_on_path() -> None:
    """The migrated programs import the runtime module: the current one, from a
    temporary directory on the path (as a copy beside them would be)."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from migrator.runtime import MODULE_NAME, runtime_text

    directory = tempfile.mkdtemp(prefix="idg-tfdata-")
    with open(os.path.join(directory, f"{MODULE_NAME}.py"), "w", encoding="utf-8") as handle:
        handle.write(runtime_text())
    sys.path.append(directory)


def run(path: str) -> dict:
    """Configure 2 logical CPUs, run `path` as `__main__`, return its record."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    replicas = tf.distribute.MirroredStrategy().num_replicas_in_sync
    record = {"path": path, "ok": True, "error": None, "replicas": replicas}
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    try:
        sys.argv = [path]
        os.chdir(os.path.dirname(os.path.abspath(path)))
        runpy.run_path(path, run_name="__main__")
    except BaseException:  # noqa: BLE001 - report every failure
        record["ok"] = False
        record["error"] = traceback.format_exc(limit=6)
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
    return record


def _child(path: str, result: str, log: str) -> None:
    """In a forked child: output to `log`, the record to `result`; never returns."""
    import random

    import numpy as np

    try:
        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        # Fresh global RNGs, as a new process has (the fork copied the parent's state).
        random.seed()
        np.random.seed()
        record = run(path)
        with open(result, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(0)  # not the parent's atexit handlers, nor its buffers flushed twice


def _dead(path: str, log: str, how: str) -> dict:
    with open(log, encoding="utf-8", errors="replace") as handle:
        tail = handle.read()[-LOG_TAIL:]
    return {"path": path, "ok": False, "error": f"{how}\n{tail}", "replicas": None}


def run_forked(paths: list[str], jobs: int, timeout: float = TIMEOUT) -> None:
    """Each program in its own forked child, `jobs` at a time; print each record as its
    child ends (a child over `timeout` seconds is killed and recorded as such)."""
    import signal
    import time

    import keras  # noqa: F401 - imported once here, not in every child
    import tensorflow  # noqa: F401

    workdir = tempfile.mkdtemp(prefix="run-programs-")
    pending = list(enumerate(paths))
    running: dict[int, tuple[str, str, str, float]] = {}  # pid: path, result, log, start
    while pending or running:
        while pending and len(running) < jobs:
            index, path = pending.pop(0)
            result = os.path.join(workdir, f"{index}.json")
            log = os.path.join(workdir, f"{index}.log")
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(path, result, log)
            running[pid] = (path, result, log, time.monotonic())
        for pid, (path, result, log, started) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and time.monotonic() - started > timeout:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                record = _dead(path, log, f"killed after {timeout:g} s")
            elif not done:
                continue
            elif os.path.exists(result):
                with open(result, encoding="utf-8") as handle:
                    record = json.load(handle)
            else:
                code = os.waitstatus_to_exitcode(status)
                record = _dead(path, log, f"the child died (exit code {code})")
            del running[pid]
            print("RESULT " + json.dumps(record), flush=True)
        time.sleep(0.05)
    shutil.rmtree(workdir, ignore_errors=True)


def main(arguments: list[str]) -> None:
    _runtime_on_path()
    if arguments[:1] == ["--jobs"]:
        run_forked(arguments[2:], int(arguments[1]))
    else:
        print("RESULT " + json.dumps(run(arguments[0])), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

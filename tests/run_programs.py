"""Run a Python program as `__main__` with the CPU split into 2 logical devices, so
MirroredStrategy has 2 replicas. Prints one JSON line: {"path", "ok", "error",
"replicas"}. One program per process: collective ops of several MirroredStrategy
programs in one process collide."""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _runtime_on_path() -> None:
    """The migrated programs import the runtime module: the current one, from a
    temporary directory on the path (as a copy beside them would be)."""
    import tempfile

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from migrator.runtime import MODULE_NAME, runtime_text

    directory = tempfile.mkdtemp(prefix="idg-tfdata-")
    with open(os.path.join(directory, f"{MODULE_NAME}.py"), "w", encoding="utf-8") as handle:
        handle.write(runtime_text())
    sys.path.append(directory)


def main(paths: list[str]) -> None:
    import tensorflow as tf

    _runtime_on_path()

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    replicas = tf.distribute.MirroredStrategy().num_replicas_in_sync
    for path in paths:
        record = {"path": path, "ok": True, "error": None, "replicas": replicas}
        saved_argv, saved_cwd = sys.argv, os.getcwd()
        try:
            sys.argv = [path]
            os.chdir(os.path.dirname(os.path.abspath(path)))
            runpy.run_path(path, run_name="__main__")
        except BaseException:  # noqa: BLE001 - report every failure, keep going
            record["ok"] = False
            record["error"] = traceback.format_exc(limit=6)
        finally:
            sys.argv = saved_argv
            os.chdir(saved_cwd)
        print("RESULT " + json.dumps(record), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:2])

"""Two worker processes of one local MultiWorkerMirroredStrategy cluster (TF_CONFIG), for
the tests that train a migrated program across workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def run_workers(
    program: Path, marker: str = "SEEN ", timeout: float = 120, cwd: Path | None = None
) -> list[Any]:
    """Run `program` as worker 0 and 1 of one cluster (in `cwd`, default the current
    directory); return the JSON each worker printed after `marker`."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
    workers = []
    for index in range(2):
        # Keras 3's fit fails under MultiWorkerMirroredStrategy (keras-team/keras#20585,
        # tensorflow/tensorflow#72388): multi-worker users run tf.keras as Keras 2.
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        env["TF_USE_LEGACY_KERAS"] = "1"
        env["TF_CONFIG"] = json.dumps(
            {"cluster": cluster, "task": {"type": "worker", "index": index}}
        )
        workers.append(
            subprocess.Popen(
                [sys.executable, str(program)],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    try:
        outputs = [worker.communicate(timeout=timeout) for worker in workers]
    finally:
        for worker in workers:  # on a timeout or an error, no worker outlives the test
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    results = []
    for worker, (stdout, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr[-3000:]
        line = next(line for line in stdout.splitlines() if line.startswith(marker))
        results.append(json.loads(line[len(marker) :]))
    return results


# Program text that starts a tf.data service on localhost in the program's own process: a
# DispatchServer listing two WorkerServers (static sharding, the ShardingPolicy.HINT that
# idg_tfdata.served asks for). It binds `service`, `dispatcher` and `workers`; the program
# must import socket and tensorflow as tf before it.
LOCAL_SERVICE = """
service = tf.data.experimental.service


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


ports = free_ports(2)
dispatcher = service.DispatchServer(
    service.DispatcherConfig(port=0, worker_addresses=[f"localhost:{p}" for p in ports])
)
workers = [
    service.WorkerServer(
        service.WorkerConfig(
            dispatcher_address=dispatcher.target.split("://")[1],
            worker_address=f"localhost:{p}",
            port=p,
        )
    )
    for p in ports
]
"""

"""Which devices give a MirroredStrategy at least two replicas (pure; no TensorFlow).

The bootstrap lists the physical devices, asks `plan_devices` what to do, and applies the
plan with `tf.config.set_logical_device_configuration` before the user's program runs:

- two or more visible GPUs: use them as they are (one replica each);
- exactly one GPU: split it into two logical GPUs of `gpu_memory_mb` each (TensorFlow
  needs a memory limit for a split GPU);
- no GPU: split the first CPU into two logical CPUs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

REPLICAS = 2
GPU_MEMORY_MB = 2048  # per logical GPU when the only GPU is split


@dataclass(frozen=True)
class DevicePlan:
    device_type: str  # "GPU" or "CPU": where the replicas live
    split_device: str | None  # name of the physical device to split, None: leave all as is
    split: int  # logical devices made from `split_device`
    memory_limit_mb: int | None  # per logical device (GPU split only)
    replicas: int  # replicas MirroredStrategy will have
    description: str


def plan_devices(
    physical: Sequence[Any], *, replicas: int = REPLICAS, gpu_memory_mb: int = GPU_MEMORY_MB
) -> DevicePlan:
    """`physical`: objects with `.name` and `.device_type` (tf.config.PhysicalDevice)."""
    gpus = [d for d in physical if d.device_type == "GPU"]
    cpus = [d for d in physical if d.device_type == "CPU"]
    if len(gpus) >= replicas:
        return DevicePlan("GPU", None, 0, None, len(gpus), f"{len(gpus)} GPUs")
    if len(gpus) == 1:
        return DevicePlan(
            "GPU",
            gpus[0].name,
            replicas,
            gpu_memory_mb,
            replicas,
            f"1 GPU split into {replicas} logical GPUs of {gpu_memory_mb} MB",
        )
    if not cpus:
        raise ValueError("no CPU or GPU device found")
    return DevicePlan(
        "CPU", cpus[0].name, replicas, None, replicas, f"CPU split into {replicas} logical devices"
    )

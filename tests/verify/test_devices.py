"""Device selection for >= 2 replicas, without a GPU: the plan is a pure function of the
physical devices, and the bootstrap applies it (tested with a fake `tf`)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from migrator.verify.bootstrap import configure_devices
from migrator.verify.devices import plan_devices


def device(kind: str, index: int = 0) -> SimpleNamespace:
    return SimpleNamespace(name=f"/physical_device:{kind}:{index}", device_type=kind)


def test_cpu_only_is_split_in_two() -> None:
    plan = plan_devices([device("CPU")])
    assert (plan.device_type, plan.split_device, plan.split, plan.replicas) == (
        "CPU",
        "/physical_device:CPU:0",
        2,
        2,
    )
    assert plan.memory_limit_mb is None


def test_two_or_more_gpus_are_used_as_they_are() -> None:
    plan = plan_devices([device("CPU"), device("GPU", 0), device("GPU", 1), device("GPU", 2)])
    assert (plan.device_type, plan.split_device, plan.replicas) == ("GPU", None, 3)


def test_a_single_gpu_is_split_with_a_memory_limit() -> None:
    plan = plan_devices([device("CPU"), device("GPU")], gpu_memory_mb=1024)
    assert (plan.device_type, plan.split_device, plan.split) == ("GPU", "/physical_device:GPU:0", 2)
    assert plan.memory_limit_mb == 1024 and plan.replicas == 2


def test_no_device_at_all_is_an_error() -> None:
    with pytest.raises(ValueError):
        plan_devices([])


class FakeConfig:
    def __init__(self, devices, error: Exception | None = None) -> None:
        self.devices = devices
        self.error = error
        self.calls: list[tuple] = []

    def list_physical_devices(self):
        return self.devices

    def LogicalDeviceConfiguration(self, memory_limit=None):  # noqa: N802 - tf's name
        return ("logical", memory_limit)

    def set_logical_device_configuration(self, device, configs):
        if self.error:
            raise self.error
        self.calls.append((device.name, configs))


def test_bootstrap_applies_the_plan() -> None:
    config = FakeConfig([device("CPU"), device("GPU")])
    out = configure_devices(SimpleNamespace(config=config))
    assert config.calls == [("/physical_device:GPU:0", [("logical", 2048)] * 2)]
    assert "split" in out["plan"]


def test_bootstrap_survives_an_already_initialised_runtime() -> None:
    error = RuntimeError("Virtual devices cannot be modified after being initialized")
    config = FakeConfig([device("CPU")], error)
    out = configure_devices(SimpleNamespace(config=config))
    assert "left as configured" in out["plan"]

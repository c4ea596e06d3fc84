"""Runs inside the verifier's child process; the only module of migrate-aug that imports
TensorFlow (inside `main`, never at import time).

`python -c "from migrator.verify.bootstrap import main; main()" PROGRAM`, with the
environment variables below, in this order:

1. limits the address space (RLIMIT_AS; RLIMIT_DATA where an NVIDIA driver is present) to
   `MIGRATE_AUG_VERIFY_MEMORY` bytes (0: none);
2. under the keras2 runtime (`MIGRATE_AUG_VERIFY_RUNTIME=keras2`, see `runtime`), resolves
   `keras`, `keras.<module>` and `tensorflow.python.keras` to tf_keras (`Keras2Paths`) and
   sets `TF_USE_LEGACY_KERAS=1`, so that a Keras 2 program runs as it did in its era;
3. imports TensorFlow and gives MirroredStrategy >= 2 replicas (`devices.plan_devices`),
   before the program can touch TF; a RuntimeError from configuring an already
   initialised runtime is noted, not fatal;
4. seeds Python's, numpy's, TensorFlow's and Keras' global RNGs (`MIGRATE_AUG_VERIFY_SEED`,
   default 0), so both programs of a pair generate the same synthetic data;
5. replaces `keras.Model.fit` (and `tf_keras.Model.fit` when importable) with an
   interceptor, and under keras3 gives Keras 3 models Keras 2's `fit_generator`
   (forwarding to fit; tf_keras's own forwards to fit too);
6. runs PROGRAM as `__main__` (runpy.run_path) with `sys.argv = [PROGRAM]` and PROGRAM's
   directory as cwd and first on sys.path.

The first `fit` draws K batches of training and validation input (recording structure,
shapes, dtypes, value statistics, an augmentation signature, and the images/s of drawing
batches for a short time budget), trains K steps of one epoch through the original `fit`
(epochs=1, steps_per_epoch=K, on the original input, or on the recorded batches when the
input is a one-shot generator), records the losses and the strategy's replica count, writes
the record as JSON to `MIGRATE_AUG_VERIFY_RECORD` and stops the program. A program that
ends, fails or exits without calling fit gets a record saying so.
"""

from __future__ import annotations

import functools
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import json
import math
import os
import runpy
import sys
import time
import traceback
from collections.abc import Iterator
from typing import Any

from migrator.verify.runtime import KERAS2

ENV_RECORD = "MIGRATE_AUG_VERIFY_RECORD"
ENV_STEPS = "MIGRATE_AUG_VERIFY_STEPS"
ENV_MEMORY = "MIGRATE_AUG_VERIFY_MEMORY"
ENV_BUDGET = "MIGRATE_AUG_VERIFY_BUDGET"  # seconds spent measuring input throughput
ENV_GPU_MEMORY = "MIGRATE_AUG_VERIFY_GPU_MEMORY_MB"
ENV_SEED = "MIGRATE_AUG_VERIFY_SEED"  # the global RNGs' seed (default 0)
ENV_TIMEOUT = "MIGRATE_AUG_VERIFY_TIMEOUT"  # the parent's deadline, to dump stacks before it
ENV_RUNTIME = "MIGRATE_AUG_VERIFY_RUNTIME"  # "keras2": Keras 2 import paths -> tf_keras
ENV_PICTURES = "MIGRATE_AUG_VERIFY_PICTURES"  # a directory: write pictures (verify --report)
RECORD_VERSION = 1
MAX_BATCHES = 200  # drawn for throughput at most
SIGNATURE_IMAGES = 256  # drawn images matched against their sources at most


class ProgramStopped(BaseException):
    """Raised from the intercepted fit to stop the program; a BaseException so that the
    program's own `except Exception:` does not swallow it."""


class Session:
    def __init__(self, program: str, record_path: str, steps: int, budget: float) -> None:
        self.program = program
        self.record_path = record_path
        self.steps = steps
        self.budget = budget
        self.intercepted = False
        self.started = time.perf_counter()
        self.record: dict[str, Any] = {
            "version": RECORD_VERSION,
            "program": program,
            "status": "starting",
            "error": None,
            "steps": steps,
            "seconds": {},
        }

    def write(self) -> None:
        self.record["seconds"]["total"] = round(time.perf_counter() - self.started, 3)
        partial = self.record_path + ".part"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(self.record, handle, default=_plain)
        os.replace(partial, self.record_path)

    def fail(self, status: str, message: str) -> None:
        self.record["status"] = status
        self.record["error"] = message
        self.write()


def _plain(value: Any) -> Any:
    """numpy scalars and anything else json cannot write."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


# -- set-up ----------------------------------------------------------------------------
class Keras2Paths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves Keras 2's import paths to tf_keras, for this process only: `keras` and
    `keras.<x>` to `tf_keras.<x>` (or `tf_keras.src.<x>`, where Keras 2 had modules that
    tf_keras keeps private, e.g. `keras.engine`), and TensorFlow's private
    `tensorflow.python.keras.<x>` likewise. The module imported is tf_keras's own (the same
    object under both names), so classes, isinstance checks and registries are shared."""

    PREFIXES = (("tensorflow.python.keras", "tf_keras"), ("keras", "tf_keras"))

    def target(self, fullname: str) -> str | None:
        for old, new in self.PREFIXES:
            if fullname == old or fullname.startswith(old + "."):
                rest = fullname[len(old) :]
                candidates = [new + rest] + ([f"{new}.src{rest}"] if rest else [])
                for candidate in candidates:
                    try:
                        if importlib.util.find_spec(candidate) is not None:
                            return candidate
                    except (ImportError, ValueError):
                        continue
                return None
        return None

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname.startswith("tensorflow.") and not self._below_alias(fullname):
            # TensorFlow still ships (and itself imports) parts of tensorflow.python.keras:
            # only what it no longer has (e.g. .preprocessing) becomes tf_keras's.
            if importlib.machinery.PathFinder.find_spec(fullname, path) is not None:
                return None
        name = self.target(fullname)
        if name is None:
            return None
        spec = importlib.util.spec_from_loader(fullname, self)
        spec.loader_state = name
        return spec

    @staticmethod
    def _below_alias(fullname: str) -> bool:
        parent = sys.modules.get(fullname.rpartition(".")[0])
        return getattr(parent, "__name__", "").startswith("tf_keras")

    def create_module(self, spec: Any) -> None:
        return None  # a placeholder, replaced in sys.modules by exec_module

    def exec_module(self, module: Any) -> None:
        # The import system returns whatever sys.modules holds under the name afterwards.
        sys.modules[module.__name__] = importlib.import_module(module.__spec__.loader_state)


def use_keras2_paths() -> None:
    """Before TensorFlow is imported: tf.keras becomes tf_keras, and `keras.*` imports
    resolve to it (a Keras 3 already imported is forgotten)."""
    if importlib.util.find_spec("tf_keras") is None:
        raise RuntimeError(
            "the original is a Keras 2 program and runs under tf_keras, which is not "
            "installed: pip install 'migrate-aug[verify]' (or tf-keras)"
        )
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, Keras2Paths())


def runtime_record(name: str) -> dict[str, Any]:
    """The runtime a program ran under, for the report."""
    import keras  # under keras2, tf_keras

    return {"name": name, "keras": getattr(keras, "__version__", "?")}


def limit_memory(limit: int) -> str | None:
    """Limit the address space (RLIMIT_AS). With an NVIDIA driver present, limit the data
    segment (RLIMIT_DATA) instead: CUDA reserves far more address space than it uses, and
    an address-space limit would keep TensorFlow from using the GPUs."""
    if limit <= 0:
        return None
    import resource

    name = "RLIMIT_DATA" if os.path.exists("/dev/nvidiactl") else "RLIMIT_AS"
    kind = getattr(resource, name)
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(kind, (limit, hard))
    return name


def configure_devices(tf: Any) -> dict[str, Any]:
    from migrator.verify.devices import GPU_MEMORY_MB, plan_devices

    physical = tf.config.list_physical_devices()
    gpu_memory = int(os.environ.get(ENV_GPU_MEMORY, GPU_MEMORY_MB))
    plan = plan_devices(physical, gpu_memory_mb=gpu_memory)
    note = plan.description
    if plan.split_device is not None:
        device = next(d for d in physical if d.name == plan.split_device)
        config = [tf.config.LogicalDeviceConfiguration(memory_limit=plan.memory_limit_mb)]
        try:
            tf.config.set_logical_device_configuration(device, config * plan.split)
        except RuntimeError as error:  # the runtime was initialised before us
            note = f"devices left as configured ({error})"
    return {"plan": note, "physical": [d.name for d in physical]}


def seed_everything(seed: int) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras

        keras.utils.set_random_seed(seed)
    except Exception:  # noqa: BLE001 - seeding is a convenience
        import tensorflow as tf

        tf.random.set_seed(seed)


def patch_fit(session: Session, runtime: str = "") -> list[str]:
    if runtime == KERAS2:  # `keras` is tf_keras: its fit_generator forwards to fit
        import tf_keras

        return [_patch(tf_keras.Model, "tf_keras", session)]
    import keras

    patched = [_patch(keras.Model, "keras", session)]
    if not hasattr(keras.Model, "fit_generator"):
        keras.Model.fit_generator = _fit_generator
        patched.append("keras.fit_generator")
    if importlib.util.find_spec("tf_keras") is not None:
        try:
            import tf_keras
        except Exception:  # noqa: BLE001 - tf_keras broken: Keras 3 programs still verify
            pass
        else:
            if tf_keras.Model is not keras.Model:
                patched.append(_patch(tf_keras.Model, "tf_keras", session))
    return patched


def _fit_generator(
    self: Any,
    generator: Any,
    steps_per_epoch: Any = None,
    epochs: int = 1,
    verbose: Any = 1,
    callbacks: Any = None,
    validation_data: Any = None,
    validation_steps: Any = None,
    validation_freq: int = 1,
    class_weight: Any = None,
    max_queue_size: int = 10,
    workers: int = 1,
    use_multiprocessing: bool = False,
    shuffle: bool = True,
    initial_epoch: int = 0,
) -> Any:
    """Keras 2's fit_generator (removed in Keras 3) forwarding to fit, so that Keras 2
    programs, the originals of MA004 rewrites, can be verified against their rewrites."""
    return self.fit(
        generator,
        steps_per_epoch=steps_per_epoch,
        epochs=epochs,
        verbose=verbose,
        callbacks=callbacks,
        validation_data=validation_data,
        validation_steps=validation_steps,
        validation_freq=validation_freq,
        class_weight=class_weight,
        shuffle=shuffle,
        initial_epoch=initial_epoch,
    )


def _patch(model_class: type, framework: str, session: Session) -> str:
    original = model_class.fit

    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        return intercept(session, framework, original, self, args, kwargs)

    model_class.fit = fit
    return framework


# -- the intercepted fit ----------------------------------------------------------------
def intercept(session: Session, framework: str, original, model, args, kwargs) -> None:
    if session.intercepted:  # the program caught ProgramStopped and went on
        _exit()
    session.intercepted = True
    record = session.record
    record["status"] = "recording"
    record["framework"] = framework
    record["seconds"]["until_fit"] = round(time.perf_counter() - session.started, 3)
    try:
        record_fit(session, original, model, args, kwargs, sys._getframe(1))
        record["status"] = "ok"
    except Exception as error:  # noqa: BLE001 - report it as the verdict
        traceback.print_exc()
        record["status"] = "error"
        record["error"] = f"{record.get('stage', 'fit')}: {type(error).__name__}: {error}"
    session.write()
    raise ProgramStopped


def record_fit(session: Session, original, model, args, kwargs, caller) -> None:
    import tensorflow as tf

    record = session.record
    steps = session.steps
    bound = inspect.signature(original).bind(model, *args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    self_name = next(iter(arguments))
    arguments.pop(self_name)
    _record_strategy(tf, model, record)

    record["stage"] = "reading the training input"
    train = open_input(
        tf,
        arguments.get("x"),
        arguments.get("y"),
        arguments.get("sample_weight"),
        arguments.get("batch_size"),
        arguments.get("validation_split") or 0.0,
    )
    record["steps_per_epoch"] = _steps(arguments.get("steps_per_epoch")) or train.steps
    roots = _namespaces(caller, os.path.dirname(session.program)) + [arguments]
    # `--augment-on replica`: the model augments its own training batches. The batches are
    # described as the model's first layer sees them in training (the input stays raw
    # for training itself, which the layer augments again as usual).
    described = train
    layer = replica_augmentation(model)
    if layer is not None and train.reusable:
        record["replica_augmentation"] = type(layer).__name__
        described = augmented_input(train, layer)
    started = time.perf_counter()
    record["train"], train_batches = describe_input(
        described, steps, session.budget, roots, os.environ.get(ENV_PICTURES)
    )
    record["seconds"]["train_input"] = round(time.perf_counter() - started, 3)

    validation = None
    validation_batches: list[Any] = []
    if arguments.get("validation_data") is not None:
        record["stage"] = "reading the validation input"
        validation = open_validation(tf, arguments["validation_data"], arguments)
        record["validation"], validation_batches = describe_input(validation, steps, 0.0, roots)
        record["validation_steps"] = _steps(arguments.get("validation_steps")) or validation.steps
    else:
        record["validation"] = None
    session.write()  # partial: if training hangs, the input is still on record

    record["stage"] = "training"
    recorder = _loss_recorder(record["framework"])
    started = time.perf_counter()
    original(
        model,
        **training_arguments(
            tf, arguments, train, train_batches, validation, validation_batches, steps, recorder
        ),
    )
    record["seconds"]["training"] = round(time.perf_counter() - started, 3)
    record["losses"] = recorder.losses
    record["val_losses"] = recorder.val_losses
    record.pop("stage", None)


def _steps(value: Any) -> Any:
    """A step count as fit would use it: `len(x) / 8` gives 5.0, which means 5; Keras 2
    runs `while step < 4.5`, 5 steps (Keras 3 rejects a float)."""
    if isinstance(value, float) and math.isfinite(value):
        return math.ceil(value)
    return value


def _record_strategy(tf: Any, model: Any, record: dict[str, Any]) -> None:
    try:
        strategy = model.distribute_strategy
    except Exception:  # noqa: BLE001
        strategy = None
    strategy = strategy or tf.distribute.get_strategy()
    record["strategy"] = type(strategy).__name__
    record["replicas"] = int(strategy.num_replicas_in_sync)


def _namespaces(frame: Any, directory: str) -> list[Any]:
    """Locals of every frame from the caller of fit up to the program's module, and the
    globals of frames running the program's own code (its module and its helpers)."""
    roots: list[Any] = []
    here = os.path.abspath(__file__)
    while frame is not None and os.path.abspath(frame.f_code.co_filename) == here:
        frame = frame.f_back  # the fit wrapper
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if filename == here:  # main(): above the program
            break
        roots.append(frame.f_locals)
        if frame.f_globals.get("__name__") == "__main__" or filename.startswith(directory + os.sep):
            roots.append(frame.f_globals)
        frame = frame.f_back
    return roots


# -- inputs ----------------------------------------------------------------------------
REPLICA_PACKAGE = "migrate_aug>"  # emit/replica.py registers its layers under this package


def replica_augmentation(model: Any) -> Any:
    """The augmentation layer `--augment-on replica` put at the model's input, or None.

    Recognised by its registered serializable name (`migrate_aug>...`, set by the emitted
    decorator) and its place: the model's first layer after its inputs."""
    try:
        layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    except Exception:  # noqa: BLE001 - a model without layers cannot hold one
        return None
    if not layers:
        return None
    first = layers[0]
    for module_name in ("keras", "tf_keras"):  # tf.keras is one of them
        module = sys.modules.get(module_name)
        if module is None:
            continue
        try:
            name = module.utils.get_registered_name(type(first))
        except Exception:  # noqa: BLE001
            continue
        if isinstance(name, str) and name.startswith(REPLICA_PACKAGE):
            return first
    return None


def augmented_input(source: Input, layer: Any) -> Input:
    """`source` with `layer(images, training=True)` applied to each batch's images."""

    def batches() -> Iterator[Any]:
        for batch in source.batches():
            yield _augment_images(batch, layer)

    return Input(source.kind, source.steps, batches, source.reusable)


def _augment_images(batch: Any, layer: Any) -> Any:
    import numpy as np

    def apply(images: Any) -> Any:
        if isinstance(images, np.ndarray) and images.ndim == 4:
            return np.asarray(layer(images, training=True))
        return images

    if isinstance(batch, tuple):
        return (apply(batch[0]), *batch[1:])
    if isinstance(batch, list):
        return [apply(batch[0]), *batch[1:]]
    return apply(batch)


class Input:
    """One of fit's inputs: how to draw numpy batches from it and how many fit takes."""

    def __init__(self, kind: str, steps: int | None, batches: Any, reusable: bool) -> None:
        self.kind = kind  # "tf.data.Dataset", "PyDataset", "Sequence", "arrays", "generator"
        self.steps = steps  # batches per epoch, None when unknown
        self._batches = batches  # () -> iterator of numpy batches
        self.reusable = reusable  # fit can be given the input again

    def batches(self) -> Iterator[Any]:
        return self._batches()


def open_input(tf: Any, x: Any, y: Any, sample_weight: Any, batch_size: Any, split: float) -> Input:
    from migrator.verify.summary import to_numpy

    if isinstance(x, tf.data.Dataset):
        cardinality = int(x.cardinality())
        steps = cardinality if cardinality >= 0 else None

        def dataset_batches() -> Iterator[Any]:
            if cardinality > 0:
                # One iterator over repeated passes (the first pass is the dataset's own):
                # restarting the dataset every few batches would time its start-up, not its
                # steady rate, on the small data verification runs use.
                for element in x.repeat():
                    yield to_numpy(element)
                return
            while True:
                empty = True
                for element in x:
                    empty = False
                    yield to_numpy(element)
                if empty or cardinality == tf.data.INFINITE_CARDINALITY:
                    return

        return Input("tf.data.Dataset", steps, dataset_batches, True)
    if _is_sequence(x):
        length = x.num_batches if hasattr(x, "num_batches") else len(x)
        kind = "PyDataset" if hasattr(x, "num_batches") else "Sequence"

        def sequence_batches() -> Iterator[Any]:
            index = 0
            while length is None or length > 0:
                yield to_numpy(x[index % length if length else index])
                index += 1

        return Input(kind, length, sequence_batches, True)
    if _is_arrays(x):
        size = batch_size or 32
        count = len(_first_leaf(x))
        if split:
            count = int(math.ceil(count * (1.0 - split)))
        parts = [p for p in (x, y, sample_weight) if p is not None]

        def array_batches() -> Iterator[Any]:
            while count:
                for start in range(0, count, size):
                    piece = [_slice(p, start, min(start + size, count)) for p in parts]
                    yield to_numpy(piece[0] if len(piece) == 1 else tuple(piece))

        return Input("arrays", math.ceil(count / size), array_batches, True)
    iterator = x if hasattr(x, "__next__") else iter(x)

    def generator_batches() -> Iterator[Any]:
        for element in iterator:
            yield to_numpy(element)

    return Input("generator", None, generator_batches, False)


def open_validation(tf: Any, data: Any, arguments: dict[str, Any]) -> Input:
    size = arguments.get("validation_batch_size") or arguments.get("batch_size")
    if isinstance(data, (tuple, list)) and 2 <= len(data) <= 3 and _is_arrays(data[0]):
        weights = data[2] if len(data) == 3 else None
        return open_input(tf, data[0], data[1], weights, size, 0.0)
    return open_input(tf, data, None, None, size, 0.0)


def _is_sequence(x: Any) -> bool:
    if isinstance(x, (list, tuple, dict, str, bytes)) or _is_array_leaf(x):
        return False
    return hasattr(x, "__getitem__") and (hasattr(x, "__len__") or hasattr(x, "num_batches"))


def _is_array_leaf(x: Any) -> bool:
    return hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "element_spec")


def _is_arrays(x: Any) -> bool:
    if _is_array_leaf(x):
        return True
    if isinstance(x, dict):
        return bool(x) and all(_is_array_leaf(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return bool(x) and all(_is_array_leaf(v) for v in x)
    return False


def _first_leaf(x: Any) -> Any:
    if isinstance(x, dict):
        return next(iter(x.values()))
    if isinstance(x, (list, tuple)):
        return x[0]
    return x


def _slice(x: Any, start: int, stop: int) -> Any:
    if isinstance(x, dict):
        return {k: v[start:stop] for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return tuple(v[start:stop] for v in x)
    return x[start:stop]


def describe_input(
    source: Input, steps: int, budget: float, roots: list[Any], pictures: str | None = None
) -> tuple[dict[str, Any], list[Any]]:
    """Draw batches: the first `steps` are recorded; drawing goes on for `budget` seconds
    to measure throughput; up to SIGNATURE_IMAGES images are matched to their sources.
    `pictures`: a directory to draw the first batch and matched images in (`pictures`)."""
    from migrator.verify.summary import (
        augmentation_signature,
        collect_arrays,
        image_tensor,
        label_tensor,
        leaves,
        source_candidates,
        summarise_batches,
    )

    recorded: list[Any] = []
    images: list[Any] = []
    labels: list[Any] = []
    times: list[float] = []
    counts: list[int] = []
    drawn = 0
    iterator = source.batches()
    while True:
        started = time.perf_counter()
        try:
            batch = next(iterator)
        except StopIteration:
            break
        times.append(time.perf_counter() - started)
        found = leaves(batch)
        counts.append(len(found[0][1]) if found and getattr(found[0][1], "ndim", 0) else 1)
        if len(recorded) < steps:
            recorded.append(batch)
        image = image_tensor(batch)
        if image is not None and drawn < SIGNATURE_IMAGES:
            label = label_tensor(batch)
            images.append(image)
            labels.append(label if label is not None and len(label) == len(image) else None)
            drawn += len(image)
        spent = sum(times)
        if len(times) >= steps and (spent >= budget or len(times) >= MAX_BATCHES):
            break
    if hasattr(iterator, "close"):
        iterator.close()
    described = summarise_batches(recorded)
    described["kind"] = source.kind
    described["steps"] = source.steps
    described["throughput"] = _throughput(times, counts)
    if images:
        import numpy as np

        stacked = np.concatenate(images)[:SIGNATURE_IMAGES]
        label_array = None
        if all(label is not None for label in labels):
            label_array = np.concatenate(labels)[:SIGNATURE_IMAGES]
        arrays = collect_arrays(roots)
        sources = source_candidates(arrays, stacked.shape[1:])
        described["signature"] = augmentation_signature(stacked, label_array, sources, arrays)
    else:
        stacked, sources = None, []
        described["signature"] = {
            "available": False,
            "reason": "the batches hold no rank-4 image tensor",
        }
    if pictures:
        from migrator.verify.pictures import save_pictures

        first = image_tensor(recorded[0]) if recorded else None
        try:
            described["pictures"] = save_pictures(
                pictures, first, stacked, described["signature"].get("rows"), sources
            )
        except Exception as error:  # noqa: BLE001 - pictures are a convenience
            described["pictures"] = {"reason": f"{type(error).__name__}: {error}"}
    return described, recorded


def _throughput(times: list[float], counts: list[int]) -> dict[str, Any]:
    # The first batch pays for tracing and pipeline start-up: leave it out when possible.
    if len(times) > 1:
        times, counts = times[1:], counts[1:]
    seconds = sum(times)
    return {
        "batches": len(times),
        "images": sum(counts),
        "seconds": round(seconds, 6),
        "images_per_second": round(sum(counts) / seconds, 3) if seconds > 0 else None,
    }


# -- training ----------------------------------------------------------------------------
def training_arguments(
    tf: Any,
    arguments: dict[str, Any],
    train: Input,
    train_batches: list[Any],
    validation: Input | None,
    validation_batches: list[Any],
    steps: int,
    recorder: Any,
) -> dict[str, Any]:
    out = dict(arguments)
    out.update(
        epochs=1,
        initial_epoch=0,
        verbose=0,
        callbacks=[recorder],  # the program's callbacks could write files: leave them out
        validation_freq=1,
        steps_per_epoch=min(steps, train.steps) if train.steps else steps,
    )
    if not train.reusable:
        out.update(x=_dataset(tf, train_batches), y=None, sample_weight=None, batch_size=None)
        out["steps_per_epoch"] = len(train_batches)
    if validation is not None:
        if validation.kind == "arrays":
            out["validation_data"] = tuple(
                _slice(p, 0, len(validation_batches) * _rows(validation_batches))
                for p in arguments["validation_data"]
            )
            out["validation_steps"] = None
        elif not validation.reusable:
            out["validation_data"] = _dataset(tf, validation_batches)
            out["validation_steps"] = len(validation_batches)
        else:
            out["validation_steps"] = min(steps, validation.steps) if validation.steps else steps
    return out


def _rows(batches: list[Any]) -> int:
    from migrator.verify.summary import leaves

    return max(len(leaves(b)[0][1]) for b in batches) if batches else 0


def _dataset(tf: Any, batches: list[Any]) -> Any:
    def tuples(tree: Any) -> Any:
        if isinstance(tree, (list, tuple)):
            return tuple(tuples(v) for v in tree)
        if isinstance(tree, dict):
            return {k: tuples(v) for k, v in tree.items()}
        return tree

    dataset = None
    for batch in batches:
        part = tf.data.Dataset.from_tensors(tuples(batch))
        dataset = part if dataset is None else dataset.concatenate(part)
    return dataset


def _loss_recorder(framework: str) -> Any:
    if framework == "tf_keras":
        import tf_keras as module
    else:
        import keras as module

    class LossRecorder(module.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.losses: list[Any] = []
            self.val_losses: list[Any] = []

        def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
            if logs and "loss" in logs:
                self.losses.append(_loss(logs["loss"]))

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            if logs and "val_loss" in logs:
                self.val_losses.append(_loss(logs["val_loss"]))

    return LossRecorder()


def _loss(value: Any) -> float | str:
    from migrator.verify.summary import json_float

    return json_float(float(value))


# -- main ---------------------------------------------------------------------------------
def _exit(code: int = 0) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    # Skip interpreter teardown: strategies' and input pipelines' threads can hang it.
    os._exit(code)


def main() -> None:
    program = os.path.abspath(sys.argv[1])
    session = Session(
        program,
        os.environ[ENV_RECORD],
        int(os.environ.get(ENV_STEPS, "3")),
        float(os.environ.get(ENV_BUDGET, "2")),
    )
    timeout = float(os.environ.get(ENV_TIMEOUT, "0"))
    if timeout > 3:  # show in the log where a program that runs out of time was stuck
        import faulthandler

        faulthandler.dump_traceback_later(timeout - 1.5)
    runtime = os.environ.get(ENV_RUNTIME, "keras3")
    try:
        session.record["memory_limit"] = limit_memory(int(os.environ.get(ENV_MEMORY, "0")))
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        if runtime == KERAS2:
            use_keras2_paths()
        import tensorflow as tf

        session.record["devices"] = configure_devices(tf)
        seed_everything(int(os.environ.get(ENV_SEED, "0")))
        session.record["runtime"] = runtime_record(runtime)
        session.record["patched"] = patch_fit(session, runtime)
    except BaseException as error:  # noqa: BLE001
        traceback.print_exc()
        session.fail("error", f"setting up TensorFlow: {type(error).__name__}: {error}")
        _exit()
    session.record["seconds"]["startup"] = round(time.perf_counter() - session.started, 3)
    session.record["status"] = "running"
    directory = os.path.dirname(program)
    sys.argv = [program]
    if sys.path and sys.path[0] == "":  # `python -c`: the program's directory instead
        sys.path[0] = directory
    else:
        sys.path.insert(0, directory)
    os.chdir(directory)
    try:
        runpy.run_path(program, run_name="__main__")
    except ProgramStopped:
        pass
    except SystemExit as stop:
        if not session.intercepted:
            session.fail("no_fit", f"the program exited (code {stop.code!r}) without calling fit")
    except BaseException as error:  # noqa: BLE001 - the program's own failure
        if not session.intercepted:
            traceback.print_exc()
            session.fail("error", f"the program raised {type(error).__name__}: {error}")
    else:
        if not session.intercepted:
            session.fail("no_fit", "the program finished without calling fit")
    _exit()


if __name__ == "__main__":
    main()

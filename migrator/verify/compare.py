"""Compare two records (original, migrated) into a list of checks. Pure: no TensorFlow,
no numpy; records are the bootstrap's JSON.

What must agree, and how close is close enough (two runs of the same random augmentation
agree; a wrong scale, dtype, batch size, label encoding, missing normalisation or a
dropped augmentation do not):

- **run**: both programs reached fit and trained; otherwise nothing else is compared.
- **replicas**, **steps per epoch**, **validation steps**: equal.
- **structure**, **batch shapes** (batch dimension included) and **dtypes** of the first K
  batches: equal.
- **values** of each tensor over the first K batches: mean within
  `0.05 * spread + 4 * SE(mean)`; std within `0.1 * spread + 4 * SE`; min and max within
  `0.25 * range`, where spread is the larger std, range the larger max - min, and the
  standard errors come from the per-sample means and stds (the sampling noise of a
  random pipeline). Non-finite counts must agree.
- **augmentation**, from the signature (each image matched to its un-augmented source,
  see `summary`):
  - *augmented images*: the fraction of images that are not a copy of a source; differs by
    at most `max(0.1, 4 * binomial SE)` (a dropped augmentation gives 0);
  - *augmentation strength*: mean `1 - correlation` with the best source, within
    `0.02 + 4 * SE` (degrees vs radians, a wrong range);
  - *photometric*: over still-recognisable images, the spread of log(std ratio) and of the
    mean shift, each within `0.015 + 0.1 * s + 4 * s / sqrt(2n)` (brightness, channel shift);
  - *label alignment*: the fraction of surely matched images whose label is their
    source's label, within `max(0.1, 4 * binomial SE)`.
  A signature that is unavailable (no source array found, not images) is skipped, not failed.
- **losses**: finite in both programs.

Environment, not the rewrite: when both programs fail the same way (the same status and
error, or both for want of their data: a missing file, IDG finding no images), or both train to non-finite losses (e.g. Keras 3's open NaN bugs under
MirroredStrategy on several GPUs), the check's status is ENVIRONMENT: the original cannot be
verified against here, and the verdict says so (exit code 3) instead of blaming the rewrite.
- **input throughput**: images/s of drawing batches, old vs new: information only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

PASS, FAIL, SKIP, INFO = "pass", "fail", "skip", "info"
ENVIRONMENT = "environment"  # both programs fail alike: the environment, not the rewrite
MIN_SAMPLE = 8  # fewer measurable images: the check is skipped
UNCHANGED = 1e-4  # 1 - correlation below this: the image is a copy of its source


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # pass / fail / skip / info / environment
    original: str
    migrated: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def passed(checks: Iterable[Check]) -> bool:
    return all(check.status not in (FAIL, ENVIRONMENT) for check in checks)


def verdict(checks: Iterable[Check]) -> str:
    """PASS; FAIL when a check differs; else ENVIRONMENT when the environment kept both
    programs from running (or training) alike."""
    statuses = {check.status for check in checks}
    if FAIL in statuses:
        return FAIL
    return ENVIRONMENT if ENVIRONMENT in statuses else PASS


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Check]:
    run = _run_check(old, new)
    if run.status != PASS:
        return [run]
    checks = [run]
    checks.append(
        _equal(
            "replicas",
            old.get("replicas"),
            new.get("replicas"),
            f"{old.get('replicas')} ({old.get('strategy', '?')})",
            f"{new.get('replicas')} ({new.get('strategy', '?')})",
        )
    )
    checks.append(_equal("steps per epoch", old.get("steps_per_epoch"), new.get("steps_per_epoch")))
    # Keras 2 and Keras 3 build some of the program's own data differently (to_categorical
    # gives float32 in Keras 2, float64 in Keras 3): across runtimes, a label's float width
    # is a note, not a mismatch (both cast labels to the model's dtype for the loss).
    across = (old.get("runtime") or {}).get("name") != (new.get("runtime") or {}).get("name")
    checks.extend(_input_checks("", old.get("train"), new.get("train"), across))
    if old.get("validation") or new.get("validation"):
        if not (old.get("validation") and new.get("validation")):
            checks.append(
                Check(
                    "validation data",
                    FAIL,
                    "given" if old.get("validation") else "none",
                    "given" if new.get("validation") else "none",
                    "only one program passes validation_data to fit",
                )
            )
        else:
            checks.append(
                _equal("validation steps", old.get("validation_steps"), new.get("validation_steps"))
            )
            checks.extend(
                _input_checks("validation ", old["validation"], new["validation"], across)
            )
    checks.append(_losses_check(old, new))
    checks.append(_throughput_check(old.get("train") or {}, new.get("train") or {}))
    for name, record in (("original", old), ("migrated", new)):
        layer = record.get("replica_augmentation")
        if layer:  # --augment-on replica: batches were described through the model's layer
            checks.append(
                Check(
                    "replica augmentation",
                    INFO,
                    layer if name == "original" else "-",
                    layer if name == "migrated" else "-",
                    f"{name} batches checked through the model's {layer}(training=True)",
                )
            )
    return checks


# -- run, equality -------------------------------------------------------------------------
def _run_text(record: dict[str, Any]) -> str:
    status = record.get("status", "?")
    total = (record.get("seconds") or {}).get("total")
    return f"{status}, {total:.1f} s" if isinstance(total, (int, float)) else status


def _run_check(old: dict[str, Any], new: dict[str, Any]) -> Check:
    problems = [
        f"{side}: {record.get('error') or record.get('status')}"
        for side, record in (("original", old), ("migrated", new))
        if record.get("status") != "ok"
    ]
    status = FAIL if problems else PASS
    missing = [_missing_data(record) for record in (old, new)]
    alike = _failure_kind(old) == _failure_kind(new) or all(missing)
    if len(problems) == 2 and alike and old.get("status") != "no_fit":
        # Not a difference the rewrite made: the original cannot run here either.
        status = ENVIRONMENT
        problems.insert(
            0,
            "both programs fail the same way, so the original cannot be verified against "
            "here (under the verifier's strategy); make the original run (e.g. a batch size "
            "the replicas can split), then verify again",
        )
        if any(missing):
            problems.insert(
                1,
                "their data is missing here: --stand-in-data runs them on generated "
                "stand-in data, --data PATH=DIR on a sample of yours",
            )
    return Check(
        "run",
        status,
        _run_text(old),
        _run_text(new),
        "; ".join(problems),
    )


MISSING_DATA = (
    "FileNotFoundError",
    "No such file or directory",
    "Found 0 images",
    "Found 0 validated",
)


def _missing_data(record: dict[str, Any]) -> bool:
    """The program failed for want of its data: a missing file, or IDG found no images."""
    if record.get("status") == "ok":
        return False
    text = str(record.get("error") or "") + "\n" + str(record.get("log_tail") or "")
    return any(marker in text for marker in MISSING_DATA)


def _failure_kind(record: dict[str, Any]) -> tuple[str, str]:
    """(status, the error's exception name or first words): equal for the same failure in
    both programs, whose messages differ in paths and line numbers."""
    error = str(record.get("error") or "")
    head = error.split(":")[:2] if ":" in error else error.split()[:3]
    return str(record.get("status")), ":".join(part.strip() for part in head)


def _equal(
    name: str, a: Any, b: Any, text_a: str | None = None, text_b: str | None = None
) -> Check:
    text_a = text_a or ("unknown" if a is None else str(a))
    text_b = text_b or ("unknown" if b is None else str(b))
    status = PASS if a == b else FAIL
    return Check(name, status, text_a, text_b, "" if status == PASS else f"{text_a} vs {text_b}")


# -- one input (training or validation) ------------------------------------------------------
def _input_checks(
    prefix: str, old: dict[str, Any] | None, new: dict[str, Any] | None, across: bool = False
) -> list[Check]:
    old, new = old or {}, new or {}
    checks = []
    old_batches, new_batches = old.get("batches") or [], new.get("batches") or []
    checks.append(
        _equal(
            prefix + "structure",
            _uniform([b["structure"] for b in old_batches]),
            _uniform([b["structure"] for b in new_batches]),
        )
    )
    checks.append(_shapes_check(prefix + "batch shapes", old_batches, new_batches))
    checks.append(_dtypes_check(prefix + "dtypes", old_batches, new_batches, across))
    old_values, new_values = old.get("values") or {}, new.get("values") or {}
    for leaf in list(old_values) + [k for k in new_values if k not in old_values]:
        checks.append(
            _values_check(f"{prefix}values {leaf}", old_values.get(leaf), new_values.get(leaf))
        )
    checks.extend(_signature_checks(prefix, old.get("signature"), new.get("signature")))
    return checks


def _uniform(items: list[str]) -> str | None:
    if not items:
        return None
    if all(item == items[0] for item in items):
        return items[0]
    return " | ".join(items)


def _shape_text(batch: dict[str, Any]) -> str:
    return " ".join(
        "("
        + ", ".join(str(d) for d in leaf["shape"])
        + ("," if len(leaf["shape"]) == 1 else "")
        + ")"
        for leaf in batch["leaves"].values()
    )


def _batches_text(batches: list[dict[str, Any]]) -> str:
    if not batches:
        return "no batches"
    texts = [_shape_text(b) for b in batches]
    if all(t == texts[0] for t in texts):
        return f"{len(texts)} x {texts[0]}"
    return "; ".join(texts)


def _shapes_check(name: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Check:
    differences = []
    if len(old) != len(new):
        differences.append(f"{len(old)} vs {len(new)} batches drawn")
    for index, (a, b) in enumerate(zip(old, new, strict=False)):
        for leaf in list(a["leaves"]) + [k for k in b["leaves"] if k not in a["leaves"]]:
            sa = a["leaves"].get(leaf, {}).get("shape")
            sb = b["leaves"].get(leaf, {}).get("shape")
            if sa != sb:
                differences.append(f"batch {index} {leaf}: {_tuple(sa)} vs {_tuple(sb)}")
    return Check(
        name,
        FAIL if differences else PASS,
        _batches_text(old),
        _batches_text(new),
        "; ".join(differences[:4]),
    )


def _tuple(shape: list[int] | None) -> str:
    return "missing" if shape is None else str(tuple(shape))


def _dtypes(batches: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, list[str]] = {}
    for batch in batches:
        for leaf, info in batch["leaves"].items():
            if info["dtype"] not in out.setdefault(leaf, []):
                out[leaf].append(info["dtype"])
    return {leaf: "/".join(types) for leaf, types in out.items()}


FLOAT_WIDTHS = frozenset({"float32", "float64"})


def _dtypes_check(
    name: str, old: list[dict[str, Any]], new: list[dict[str, Any]], across: bool = False
) -> Check:
    """Equal dtypes per leaf. `across` runtimes (Keras 2 original, Keras 3 migration), a
    label or weight leaf (not x) that is float32 in one and float64 in the other is noted."""
    a, b = _dtypes(old), _dtypes(new)
    differences, notes = [], []
    for leaf in list(a) + [k for k in b if k not in a]:
        if a.get(leaf) == b.get(leaf):
            continue
        text = f"{leaf}: {a.get(leaf, 'missing')} vs {b.get(leaf, 'missing')}"
        if across and not leaf.startswith("x") and {a.get(leaf), b.get(leaf)} == FLOAT_WIDTHS:
            notes.append(text + " (Keras 2 and Keras 3 make it differently, e.g. to_categorical)")
        else:
            differences.append(text)
    return Check(
        name,
        FAIL if differences else PASS,
        " ".join(f"{k}:{v}" for k, v in a.items()),
        " ".join(f"{k}:{v}" for k, v in b.items()),
        "; ".join(differences or notes),
    )


# -- statistics helpers ----------------------------------------------------------------------
def _num(value: Any) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)  # "nan", "inf", "-inf"
        except ValueError:
            return math.nan
    return math.nan


def _finite(values: Iterable[Any]) -> list[float]:
    return [v for v in (_num(x) for x in values if x is not None) if math.isfinite(v)]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def _var(values: list[float]) -> float:
    if len(values) < 2:
        return 0.0
    m = _mean(values)
    return sum((v - m) ** 2 for v in values) / (len(values) - 1)


def _std(values: list[float]) -> float:
    return math.sqrt(_var(values))


def _se2(values: list[float]) -> float:
    """Squared standard error of the mean of `values`."""
    return _var(values) / len(values) if values else 0.0


def _g(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    return f"{value:.4g}"


# -- values ----------------------------------------------------------------------------------
def _values_text(v: dict[str, Any] | None) -> str:
    if v is None:
        return "n/a"
    text = f"mean {_g(_num(v['mean']))} std {_g(_num(v['std']))} [{_g(_num(v['min']))}, {_g(_num(v['max']))}]"
    if v.get("nonfinite"):
        text += f" {v['nonfinite']} non-finite"
    return text


def _values_check(name: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> Check:
    if a is None or b is None:
        status = PASS if a == b else FAIL
        return Check(
            name,
            status,
            _values_text(a),
            _values_text(b),
            "" if status == PASS else "tensor missing or not numeric in one program",
        )
    differences = []
    if a.get("nonfinite", 0) != b.get("nonfinite", 0):
        differences.append(f"non-finite values {a.get('nonfinite', 0)} vs {b.get('nonfinite', 0)}")
    mean_a, mean_b = _num(a["mean"]), _num(b["mean"])
    std_a, std_b = _num(a["std"]), _num(b["std"])
    low_a, low_b = _num(a["min"]), _num(b["min"])
    high_a, high_b = _num(a["max"]), _num(b["max"])
    spread = max(std_a, std_b)
    extent = max(high_a - low_a, high_b - low_b)
    means_a, means_b = _finite(a.get("sample_means", [])), _finite(b.get("sample_means", []))
    stds_a, stds_b = _finite(a.get("sample_stds", [])), _finite(b.get("sample_stds", []))
    se_mean = math.sqrt(_se2(means_a) + _se2(means_b))
    se_std = math.sqrt(_se2(stds_a) + _se2(stds_b) + se_mean**2)
    limits = {
        "mean": (mean_a, mean_b, 1e-6 + 0.05 * spread + 4 * se_mean),
        "std": (std_a, std_b, 1e-6 + 0.1 * spread + 4 * se_std),
        "min": (low_a, low_b, 1e-6 + 0.25 * extent),
        "max": (high_a, high_b, 1e-6 + 0.25 * extent),
    }
    for stat, (x, y, tolerance) in limits.items():
        if not (math.isfinite(x) and math.isfinite(y)):
            if not (x == y or (math.isnan(x) and math.isnan(y))):
                differences.append(f"{stat} {_g(x)} vs {_g(y)}")
        elif abs(x - y) > tolerance:
            differences.append(f"{stat} {_g(x)} vs {_g(y)} (tolerance {_g(tolerance)})")
    return Check(
        name,
        FAIL if differences else PASS,
        _values_text(a),
        _values_text(b),
        "; ".join(differences),
    )


# -- augmentation signature ------------------------------------------------------------------
def _signature_checks(
    prefix: str, a: dict[str, Any] | None, b: dict[str, Any] | None
) -> list[Check]:
    a, b = a or {}, b or {}
    if not (a.get("available") and b.get("available")):
        reasons = [
            f"{side}: {sig.get('reason', 'not recorded')}"
            for side, sig in (("original", a), ("migrated", b))
            if not sig.get("available")
        ]
        return [Check(prefix + "augmentation", SKIP, "-", "-", "; ".join(reasons))]
    sim_a, sim_b = _finite(a["similarity"]), _finite(b["similarity"])
    return [
        _changed_check(prefix + "augmented images", sim_a, sim_b),
        _strength_check(prefix + "augmentation strength", sim_a, sim_b),
        _photometric_check(prefix + "photometric changes", a, b),
        _alignment_check(prefix + "label alignment", a.get("aligned", []), b.get("aligned", [])),
    ]


def _proportions_differ(k1: int, n1: int, k2: int, n2: int) -> tuple[bool, float]:
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    tolerance = max(0.1, 4 * math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2)))
    return abs(p1 - p2) > tolerance, tolerance


def _changed_check(name: str, sim_a: list[float], sim_b: list[float]) -> Check:
    if not sim_a or not sim_b:
        return Check(name, SKIP, "-", "-", "no images")
    k1 = sum(1 for s in sim_a if s < 1 - UNCHANGED)
    k2 = sum(1 for s in sim_b if s < 1 - UNCHANGED)
    differ, tolerance = _proportions_differ(k1, len(sim_a), k2, len(sim_b))
    detail = ""
    if differ:
        detail = f"{k1 / len(sim_a):.0%} vs {k2 / len(sim_b):.0%} of images augmented (tolerance {tolerance:.0%})"
        if k2 == 0:
            detail += ": the migrated pipeline does not augment"
        elif k1 == 0:
            detail += ": the migrated pipeline augments, the original does not"
    return Check(
        name,
        FAIL if differ else PASS,
        f"{k1}/{len(sim_a)} changed",
        f"{k2}/{len(sim_b)} changed",
        detail,
    )


def _strength_check(name: str, sim_a: list[float], sim_b: list[float]) -> Check:
    if not sim_a or not sim_b:
        return Check(name, SKIP, "-", "-", "no images")
    d_a = [1 - s for s in sim_a]
    d_b = [1 - s for s in sim_b]
    m_a, m_b = _mean(d_a), _mean(d_b)
    tolerance = 0.02 + 4 * math.sqrt(_se2(d_a) + _se2(d_b))
    differ = abs(m_a - m_b) > tolerance
    return Check(
        name,
        FAIL if differ else PASS,
        f"1-corr {m_a:.3f}",
        f"1-corr {m_b:.3f}",
        f"mean 1-correlation with the source {m_a:.3f} vs {m_b:.3f} (tolerance {tolerance:.3f})"
        if differ
        else "",
    )


def _photometric_check(name: str, a: dict[str, Any], b: dict[str, Any]) -> Check:
    measures = (("log_std_ratio", "std ratio"), ("offset", "mean shift"))
    texts_a, texts_b, differences = [], [], []
    counts = []
    for key, label in measures:
        va, vb = _finite(a.get(key, [])), _finite(b.get(key, []))
        counts.append(min(len(va), len(vb)))
        if min(len(va), len(vb)) < MIN_SAMPLE:
            continue
        sa, sb = _std(va), _std(vb)
        largest = max(sa, sb)
        tolerance = 0.015 + 0.1 * largest + 4 * largest / math.sqrt(2 * min(len(va), len(vb)))
        texts_a.append(f"{label} sd {sa:.3f}")
        texts_b.append(f"{label} sd {sb:.3f}")
        if abs(sa - sb) > tolerance:
            differences.append(f"{label} spread {sa:.3f} vs {sb:.3f} (tolerance {tolerance:.3f})")
    if not texts_a:
        return Check(
            name,
            SKIP,
            "-",
            "-",
            f"fewer than {MIN_SAMPLE} recognisable images (strong geometric augmentation)",
        )
    return Check(
        name,
        FAIL if differences else PASS,
        ", ".join(texts_a),
        ", ".join(texts_b),
        "; ".join(differences),
    )


def _alignment_check(name: str, a: list[Any], b: list[Any]) -> Check:
    va = [v for v in a if v is not None]
    vb = [v for v in b if v is not None]
    if len(va) < MIN_SAMPLE or len(vb) < MIN_SAMPLE:
        return Check(
            name,
            SKIP,
            f"{sum(va)}/{len(va)} aligned",
            f"{sum(vb)}/{len(vb)} aligned",
            f"fewer than {MIN_SAMPLE} images matched surely to a source with labels",
        )
    k1, k2 = sum(va), sum(vb)
    differ, tolerance = _proportions_differ(k1, len(va), k2, len(vb))
    return Check(
        name,
        FAIL if differ else PASS,
        f"{k1}/{len(va)} aligned",
        f"{k2}/{len(vb)} aligned",
        f"labels match their images' sources in {k1 / len(va):.0%} vs {k2 / len(vb):.0%} (tolerance {tolerance:.0%})"
        if differ
        else "",
    )


# -- losses, throughput ------------------------------------------------------------------------
def _losses_text(record: dict[str, Any]) -> str:
    losses = record.get("losses") or []
    if not losses:
        return "none"
    return " ".join(_g(_num(v)) for v in losses)


def _losses_check(old: dict[str, Any], new: dict[str, Any]) -> Check:
    problems = []
    nonfinite = []
    for side, record in (("original", old), ("migrated", new)):
        losses = list(record.get("losses") or [])
        if not losses:
            problems.append(f"{side}: no training step reported a loss")
        values = losses + list(record.get("val_losses") or [])
        if any(not math.isfinite(_num(v)) for v in values):
            problems.append(f"{side}: non-finite loss")
            nonfinite.append(side)
    status = FAIL if problems else PASS
    if len(nonfinite) == 2 and len(problems) == 2:
        status = ENVIRONMENT
        problems.insert(
            0,
            "both programs train to non-finite losses: the environment (e.g. Keras 3's NaN "
            "losses under MirroredStrategy on several GPUs) or the model, not the rewrite",
        )
    return Check(
        "losses finite",
        status,
        _losses_text(old),
        _losses_text(new),
        "; ".join(problems),
    )


def _rate(train: dict[str, Any]) -> float | None:
    value = (train.get("throughput") or {}).get("images_per_second")
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def _throughput_check(old: dict[str, Any], new: dict[str, Any]) -> Check:
    a, b = _rate(old), _rate(new)
    detail = f"{b / a:.2f}x the original's rate" if a and b else ""
    return Check(
        "input throughput",
        INFO,
        f"{a:,.0f} img/s" if a else "n/a",
        f"{b:,.0f} img/s" if b else "n/a",
        detail,
    )


# -- runtimes ---------------------------------------------------------------------------------
def runtime_text(record: dict[str, Any]) -> str:
    """Which Keras a program ran under: 'Keras 2 (tf_keras 2.21.0)', 'Keras 3.15.1', or
    'tf_keras 2.21.0 (its own import)' for a program that imports tf_keras itself."""
    runtime = record.get("runtime") or {}
    version = runtime.get("keras")
    if runtime.get("name") == "keras2":
        return f"Keras 2 (tf_keras {version})" if version else "Keras 2 (tf_keras)"
    if record.get("framework") == "tf_keras":
        return "tf_keras (its own import)"
    return f"Keras {version}" if version else "Keras 3"


def runtime_check(old: dict[str, Any], new: dict[str, Any]) -> Check:
    """Information: the runtime each side ran under (see `runtime`)."""
    legacy = (old.get("runtime") or {}).get("name") == "keras2"
    return Check(
        "runtime",
        INFO,
        runtime_text(old),
        runtime_text(new),
        "original as in Keras 2" if legacy else "-",
    )

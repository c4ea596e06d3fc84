"""`verify --report DIR`: one self-contained HTML page (inline CSS and SVG, no scripts,
nothing fetched) next to the PNGs the programs drew (see `pictures`): the verdict, the
runtimes each side ran under, the first batch of each program side by side, the same
source samples as each program augmented them, histograms of pixel values and of the
augmentation strength, and the check table. Pure: no numpy, no TensorFlow."""

from __future__ import annotations

import html
import math
import os
from typing import Any

from migrator.verify.compare import ENVIRONMENT, FAIL, INFO, PASS, SKIP, runtime_text

SIDES = ("original", "migrated")
COLOURS = {"original": "#1f77b4", "migrated": "#d62728"}
STATUS = {
    PASS: ("ok", "#2e7d32"),
    FAIL: ("MISMATCH", "#c62828"),
    SKIP: ("skipped", "#8d6e00"),
    INFO: ("info", "#555"),
    ENVIRONMENT: ("ENVIRONMENT", "#8d6e00"),
}
VERDICT = {
    PASS: ("PASS", "#2e7d32", "the migrated program agrees with the original"),
    FAIL: ("FAIL", "#c62828", "the migrated program differs from the original"),
    ENVIRONMENT: (
        "ENVIRONMENT",
        "#8d6e00",
        "both programs fail alike: the environment, not the rewrite",
    ),
}
SAME_SOURCES_SHOWN = 8
CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
code, td.v { font-family: ui-monospace, monospace; font-size: 12px; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; color: #fff;
  font-weight: 700; margin: 8px 0; }
.sides { display: flex; gap: 24px; flex-wrap: wrap; }
.side { flex: 1 1 45%; min-width: 320px; }
.side h3 { font-size: 14px; margin: 4px 0; }
img { image-rendering: pixelated; max-width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left;
  vertical-align: top; }
th { background: #f5f5f5; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.muted { color: #666; }
table.same td { text-align: center; } table.same img { width: 96px; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text))


def write_report(directory: str, verification: Any, name: str = "index.html") -> str:
    """Write the page for `verification` (a report.Verification whose runs drew their
    pictures into sub-directories of `directory`); returns the page's path."""
    os.makedirs(directory, exist_ok=True)
    records = {side: run.record for side, run in verification.runs.items()}
    pictures = {side: (records[side].get("train") or {}).get("pictures") or {} for side in SIDES}
    word, colour, meaning = VERDICT[verification.verdict]
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>migrate-aug verify: {_e(word)}</title><style>{CSS}</style></head><body>",
        f"<h1>migrate-aug verify</h1><div class='muted'><code>{_e(verification.original)}</code>"
        f" &rarr; <code>{_e(verification.migrated)}</code> ({verification.steps} steps)</div>",
        f"<div class='verdict' style='background:{colour}'>{_e(word)}</div> {_e(meaning)}",
        _runtimes(records, verification),
        _first_batches(directory, pictures),
        _same_sources(directory, pictures),
        "<h2>Distributions</h2><div class='sides'>",
        "<div class='side'><h3>Pixel values of the first batches (density)</h3>",
        _pixel_histogram(records),
        "</div><div class='side'><h3>Augmentation strength: 1 - correlation with the "
        "source image</h3>",
        _strength_histogram(records),
        "</div></div>",
        _checks(verification),
        _logs(verification),
        "</body></html>",
    ]
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(parts))
    return path


def _legend() -> str:
    return " ".join(
        f"<span class='swatch' style='background:{COLOURS[s]}'></span>{s}" for s in SIDES
    )


def _runtimes(records: dict[str, Any], verification: Any) -> str:
    rows = []
    for side in SIDES:
        record = records[side]
        runtime = record.get("runtime") or {}
        reasons = runtime.get("reasons") or []
        why = "; ".join(reasons) if runtime.get("name") == "keras2" else ""
        devices = (record.get("devices") or {}).get("plan", "")
        replicas = record.get("replicas")
        rows.append(
            f"<tr><td>{side}</td><td>{_e(runtime_text(record))}</td>"
            f"<td>{_e(record.get('framework', '-'))}</td>"
            f"<td>{_e(devices)}{', ' + str(replicas) + ' replicas' if replicas else ''}</td>"
            f"<td class='muted'>{_e(why)}</td></tr>"
        )
    data = "".join(f"<li><code>{_e(note)}</code></li>" for note in verification.data)
    return (
        "<h2>Runtimes</h2><table><tr><th>program</th><th>ran under</th><th>fit of</th>"
        "<th>devices</th><th>why</th></tr>"
        + "".join(rows)
        + "</table>"
        + (f"<p>Data the programs read:</p><ul>{data}</ul>" if data else "")
    )


def _image(directory: str, side: str, pictures: dict[str, Any], name: str | None) -> str:
    folder = pictures.get("directory")
    if not (folder and name and os.path.exists(os.path.join(folder, name))):
        return f"<p class='muted'>{_e(pictures.get('reason') or 'no picture')}</p>"
    relative = os.path.relpath(os.path.join(folder, name), directory)
    return f"<img src='{_e(relative)}' alt='{_e(side)} {_e(name)}'>"


def _first_batches(directory: str, pictures: dict[str, dict[str, Any]]) -> str:
    cells = []
    for side in SIDES:
        shown = pictures[side]
        low, high = (shown.get("range") or [None, None])[:2]
        scale = f"shown on [{low:.4g}, {high:.4g}]" if low is not None else ""
        count = shown.get("first_batch_count")
        cells.append(
            f"<div class='side'><h3>{side}: first {count or ''} images of the first batch "
            f"<span class='muted'>{_e(scale)}</span></h3>"
            + _image(directory, side, shown, shown.get("first_batch"))
            + "</div>"
        )
    return "<h2>First training batch</h2><div class='sides'>" + "".join(cells) + "</div>"


def _same_sources(directory: str, pictures: dict[str, dict[str, Any]]) -> str:
    mine = pictures["original"].get("augmented") or {}
    theirs = pictures["migrated"].get("augmented") or {}
    common = sorted(set(mine) & set(theirs), key=int)[:SAME_SOURCES_SHOWN]
    if not common:
        return (
            "<h2>Same source samples</h2><p class='muted'>No source sample was matched in both "
            "programs (the images are not in memory as an array, or augmentation is too "
            "strong to match).</p>"
        )
    rows = []
    for label, side, names in (
        ("source", "original", {row: f"source-{row}.png" for row in common}),
        ("original", "original", mine),
        ("migrated", "migrated", theirs),
    ):
        cells = "".join(
            f"<td>{_image(directory, side, pictures[side], names[row])}</td>" for row in common
        )
        rows.append(f"<tr><th>{label}</th>{cells}</tr>")
    header = "".join(f"<th>row {row}</th>" for row in common)
    return (
        "<h2>Same source samples</h2><p class='muted'>Each column: one sample of the "
        "program's data, un-augmented, then as each program's pipeline augmented it.</p>"
        f"<table class='same'><tr><th></th>{header}</tr>" + "".join(rows) + "</table>"
    )


def _svg(series: dict[str, tuple[list[float], list[float]]], x_label: str) -> str:
    """Step curves of densities over bin edges, one per side, on common axes."""
    series = {k: v for k, v in series.items() if v[0] and len(v[1]) == len(v[0]) + 1}
    if not series:
        return "<p class='muted'>not recorded</p>"
    width, height, pad = 520, 220, 36
    low = min(edges[0] for _, edges in series.values())
    high = max(edges[-1] for _, edges in series.values())
    high = high if high > low else low + 1.0
    densities = {}
    for side, (counts, edges) in series.items():
        total = sum(counts) or 1
        densities[side] = [
            c / total / max(edges[i + 1] - edges[i], 1e-12) for i, c in enumerate(counts)
        ]
    top = max(max(d) for d in densities.values()) or 1.0

    def x(value: float) -> float:
        return pad + (value - low) / (high - low) * (width - 2 * pad)

    def y(value: float) -> float:
        return height - pad - value / top * (height - 2 * pad)

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' style='background:#fff;border:1px solid #ddd'>",
        f"<line x1='{pad}' y1='{height - pad}' x2='{width - pad}' y2='{height - pad}' "
        "stroke='#999'/>",
        f"<line x1='{pad}' y1='{pad}' x2='{pad}' y2='{height - pad}' stroke='#999'/>",
    ]
    for tick in range(5):
        value = low + (high - low) * tick / 4
        out.append(
            f"<text x='{x(value):.1f}' y='{height - pad + 14}' font-size='10' "
            f"text-anchor='middle'>{value:.3g}</text>"
        )
    out.append(
        f"<text x='{width / 2}' y='{height - 6}' font-size='11' text-anchor='middle'>"
        f"{_e(x_label)}</text>"
    )
    for side, (_, edges) in series.items():
        points = [(x(edges[0]), y(0))]
        for i, density in enumerate(densities[side]):
            points += [(x(edges[i]), y(density)), (x(edges[i + 1]), y(density))]
        points.append((x(edges[-1]), y(0)))
        text = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(
            f"<polyline points='{text}' fill='none' stroke='{COLOURS[side]}' "
            "stroke-width='1.6' opacity='0.85'/>"
        )
    out.append("</svg>")
    return "".join(out) + f"<div>{_legend()}</div>"


def _pixel_histogram(records: dict[str, Any]) -> str:
    series = {}
    for side in SIDES:
        found = ((records[side].get("train") or {}).get("pictures") or {}).get("histogram")
        if found:
            series[side] = (found["counts"], found["edges"])
    return _svg(series, "pixel value")


def _strength_histogram(records: dict[str, Any], bins: int = 24) -> str:
    values = {}
    for side in SIDES:
        signature = (records[side].get("train") or {}).get("signature") or {}
        strength = [
            1 - float(v)
            for v in signature.get("similarity") or []
            if isinstance(v, (int, float)) and math.isfinite(v)
        ]
        if strength:
            values[side] = strength
    if not values:
        return "<p class='muted'>not measured (no un-augmented source images in memory)</p>"
    high = max(max(v) for v in values.values())
    high = high if high > 0 else 1.0
    edges = [high * i / bins for i in range(bins + 1)]
    series = {}
    for side, strength in values.items():
        counts = [0] * bins
        for value in strength:
            counts[min(int(value / high * bins), bins - 1)] += 1
        series[side] = (counts, edges)
    return _svg(series, "1 - correlation (0: a copy of the source)")


def _checks(verification: Any) -> str:
    rows = []
    for check in verification.checks:
        word, colour = STATUS.get(check.status, (check.status, "#555"))
        result = check.detail if check.status == INFO else word
        detail = check.detail if check.status not in (INFO, PASS) or check.detail else ""
        rows.append(
            f"<tr><td>{_e(check.name)}</td><td class='v'>{_e(check.original)}</td>"
            f"<td class='v'>{_e(check.migrated)}</td>"
            f"<td style='color:{colour};font-weight:600'>{_e(result or '-')}</td>"
            f"<td class='muted'>{_e(detail if check.status != INFO else '')}</td></tr>"
        )
    return (
        "<h2>Checks</h2><table><tr><th>check</th><th>original</th><th>migrated</th>"
        "<th>result</th><th>detail</th></tr>" + "".join(rows) + "</table>"
    )


def _logs(verification: Any) -> str:
    items = "".join(
        f"<li>{side}: <code>{_e(run.log)}</code></li>" for side, run in verification.runs.items()
    )
    return f"<h2>Logs</h2><ul>{items}</ul>"

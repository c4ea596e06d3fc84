"""`--format sarif`: a SARIF 2.1.0 log (what GitHub code scanning uploads read).

One run, one result per finding; the rule catalogue goes in `tool.driver.rules` so that a
result's rule has its full text and help. Paths are URIs relative to the current directory
when they are below it (GitHub matches them against the repository's files). A notebook's
finding points at the notebook file; its cell, line and column are in the message and in
the result's properties, since a region's lines would be read as lines of the JSON file.
tests/test_sarif.py validates the output against the OASIS schema.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from migrator import __version__
from migrator.diagnostics import Diagnostic
from migrator.report import meaning, notebook_cell
from migrator.rules import RULES, Rule

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
LEVELS = {"rewritten": "warning", "reported": "warning", "refused": "warning", "note": "note"}


def _uri(path: str, cwd: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return quote(absolute.relative_to(cwd).as_posix())
    except ValueError:
        return absolute.as_uri()


def _rule(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary}. {rule.why}"},
        "help": {"text": rule.why},
        "defaultConfiguration": {"level": "note" if rule.kind == "note" else "warning"},
        "properties": {"kind": rule.kind},
    }


def _result(diagnostic: Diagnostic, index: dict[str, int], cwd: Path) -> dict[str, object]:
    file, cell = notebook_cell(diagnostic.path)
    text = diagnostic.message
    if cell is not None:
        text = f"cell {cell}, line {diagnostic.line}, column {diagnostic.column}: {text}"
    if diagnostic.help:
        text += f"\nhelp: {diagnostic.help}"
    location: dict[str, object] = {"artifactLocation": {"uri": _uri(file, cwd)}}
    if cell is None:
        location["region"] = {"startLine": diagnostic.line, "startColumn": diagnostic.column}
    result: dict[str, object] = {
        "ruleId": diagnostic.code,
        "level": LEVELS[meaning(diagnostic)],
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
        "properties": {"kind": meaning(diagnostic), "fixable": diagnostic.fixable},
    }
    if diagnostic.code in index:
        result["ruleIndex"] = index[diagnostic.code]
    if cell is not None:
        result["properties"] = {
            **result["properties"],  # type: ignore[dict-item]
            "cell": cell,
            "line": diagnostic.line,
            "column": diagnostic.column,
        }
    return result


def sarif_log(findings: Sequence[Diagnostic], cwd: Path | None = None) -> dict[str, object]:
    cwd = Path(os.path.abspath(cwd or Path.cwd()))
    index = {rule.code: number for number, rule in enumerate(RULES)}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "migrate-aug",
                        "version": __version__,
                        "rules": [_rule(rule) for rule in RULES],
                    }
                },
                "results": [_result(d, index, cwd) for d in findings],
            }
        ],
    }

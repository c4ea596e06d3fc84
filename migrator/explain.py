"""`migrate-aug rules [CODE...]` and `migrate-aug --explain CODE`, in the terminal.

The examples come from migrator/rule_examples.json, generated from the test fixtures by
`python -m migrator.docs` and shipped in the package, so an installed tool shows them
without this repository.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from textwrap import fill, indent

from migrator.report import paint
from migrator.rules import Rule

WIDTH = 88  # prose is wrapped; code and diagnostics are shown as they are


@cache
def examples() -> dict[str, dict[str, object] | None]:
    text = files("migrator").joinpath("rule_examples.json").read_text(encoding="utf-8")
    return json.loads(text)


def rule_line(rule: Rule) -> str:
    return f"{rule.code}  {rule.name:<34} {rule.kind:<8} {rule.summary}"


def rule_json(rule: Rule) -> dict[str, object]:
    return {
        "code": rule.code,
        "name": rule.name,
        "kind": rule.kind,
        "summary": rule.summary,
        "explanation": rule.why,
        "example": examples().get(rule.code),
    }


def rules_json(rules: list[Rule]) -> str:
    return json.dumps([rule_json(rule) for rule in rules], indent=2)


def _code_block(text: str) -> str:
    return indent(text.rstrip("\n"), "    ")


def explanation(rule: Rule, colour: bool = False) -> str:
    """The rule's full text, then its example: the input, the diagnostic, the result."""

    def heading(text: str) -> str:
        return paint(text, "path", colour)

    parts = [
        heading(f"{rule.code} {rule.name}") + f" ({rule.kind})",
        fill(f"{rule.summary}.", WIDTH),
        fill(rule.why, WIDTH),
    ]
    example = examples().get(rule.code)
    if example is None:
        return "\n\n".join(parts) + "\n"
    parts += [
        heading(f"Example ({example['fixture']}/input.py):"),
        _code_block(str(example["input"])),
        heading("Diagnostic:"),
        _code_block("\n".join(example["diagnostics"])),  # type: ignore[arg-type]
    ]
    if example["rewritten"] is not None:
        parts += [
            heading("Rewritten to (emitted function bodies shortened to their docstring):"),
            _code_block(str(example["rewritten"])),
        ]
    elif example["unchanged"]:
        parts.append("The file is left unchanged.")
    else:
        parts.append("The rewrite itself is the one `migrate-aug --explain MA001` shows.")
    return "\n\n".join(parts) + "\n"

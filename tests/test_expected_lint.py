"""The added and changed lines of every expected output pass ruff (issue 16, part 5).

For each fixture, input.py and expected.py are put in one temporary tree beside a stub
`idg_tfdata.py` (so ruff's isort sees `import idg_tfdata` as first-party, as it is in a user's
tree holding the runtime module), and:

- `ruff check` (E, W, F, I, B, UP at 88): every violation in expected.py must also be in
  input.py, matched by (code, text of the line it is on) as a multiset: the lines the codemod
  adds or changes add none; the user's own violations may stay.
- `ruff format --diff`: every line ruff would change in expected.py must be a line it also
  changes in input.py (the user's own unformatted code); blank lines ruff would add or remove
  count as changes before the next line. A change to any other line is churn the codemod
  causes, named with the fixture and the line.

ruff runs once per kind over all fixtures. E3 (blank lines) is a preview rule in ruff, so
`ruff check` does not report it here; `ruff format` normalises blank lines, so the format
check catches what E303 would. A tab-indented fixture is checked with its indentation as
spaces (see `untabbed`). There are no notebook fixtures (tests/fixture_cases.py lists
input.py/expected.py pairs only); a notebook's cells go through the same emitter.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from migrator.emit.layout import Call, Chain, format_statement
from tests.fixture_cases import FIXTURES, Case, cases, read
from tests.ruff_runner import ruff

SELECT = "E,W,F,I,B,UP"
LINE_LENGTH = "88"
# Matched by their message, not their line: an undefined name of the user's (fixtures use
# `x_train` without defining it) moves with the argument into the pipeline's statement.
BY_MESSAGE = frozenset({"F821"})
STUB = '"""Stands in for the runtime module: its presence makes the import first-party."""\n'


@dataclass(frozen=True)
class Violation:
    code: str
    text: str  # the line it is on (what is compared)
    line: int = field(compare=False)  # where, for the message


@dataclass(frozen=True)
class Change:
    """A line `ruff format` would change: a removed or rewritten line (`kind` "line"), or
    blank lines added or removed before a line (`kind` "blank lines before")."""

    kind: str
    text: str
    line: int = field(compare=False)  # in the file before formatting, for the message

    def describe(self) -> str:
        if self.kind == "line":
            what = f"ruff format changes the line {self.text!r}"
        else:
            before = repr(self.text) if self.text.strip() else "a blank line or the end"
            what = f"ruff format adds or removes blank lines before {before}"
        return f"{what}, which it does not change in input.py (the codemod's own layout)"


@dataclass
class Report:
    lint: list[Violation] = field(default_factory=list)  # new in expected.py
    format: list[Change] = field(default_factory=list)  # churn in expected.py
    errors: list[str] = field(default_factory=list)  # ruff could not read a file

    def problems(self, name: str) -> list[str]:
        found = [f"{name}: {error}" for error in self.errors]
        found += [
            f"{name}: expected.py:{v.line}: {v.code} on a line the codemod added or changed: "
            f"{v.text!r}"
            for v in self.lint
        ]
        found += [f"{name}: expected.py:{c.line}: {c.describe()}" for c in self.format]
        return found


def unmatched(found: Iterable[Violation | Change], allowed: Iterable[Violation | Change]) -> list:
    """The items of `found` left over once each is matched against one equal item of
    `allowed` (multisets: a violation input.py has once excuses one in expected.py)."""
    pool = Counter(allowed)
    left = []
    for item in found:
        if pool[item] > 0:
            pool[item] -= 1
        else:
            left.append(item)
    return left


def parse_diff(diff: str) -> dict[str, list[Change]]:
    """The changes of a `ruff format --diff` output, per file path (as in its headers).

    A run of `-`/`+` lines changes its non-blank `-` lines ("line", their text); blank lines
    it adds or removes are one change before the next unchanged line ("blank lines before"
    its text, "" at the end of the file), so that blank lines ruff puts after a user's line
    it also reformats are not hidden by that line's own change."""
    changes: dict[str, list[Change]] = {}
    path = ""
    old = 0
    run: list[tuple[str, str, int]] = []

    def flush(next_line: str) -> None:
        for sign, text, number in run:
            if sign == "-" and text.strip():
                changes[path].append(Change("line", text, number))
        if any(not text.strip() for _, text, _ in run):
            changes[path].append(Change("blank lines before", next_line, old))
        run.clear()

    lines = diff.splitlines()
    for index, line in enumerate(lines):
        if (
            line.startswith("--- ")
            and index + 1 < len(lines)
            and lines[index + 1].startswith("+++ ")
        ):
            if run:
                flush("")
            path = line[4:].strip()
            changes.setdefault(path, [])
        elif line.startswith("+++ "):
            continue
        elif line.startswith("@@"):
            if run:
                flush("")
            old = int(line.split()[1].lstrip("-").split(",")[0])
        elif line.startswith("-"):
            run.append(("-", line[1:].rstrip("\r"), old))
            old += 1
        elif line.startswith("+"):
            run.append(("+", line[1:].rstrip("\r"), old))
        elif line.startswith(" ") or line == "":
            if run:
                flush(line[1:].rstrip("\r"))
            old += 1
        # "\ No newline at end of file" and anything else: no line of either file
    if run:
        flush("")
    return changes


def check_pairs(pairs: Mapping[str, tuple[str, str]]) -> dict[str, Report]:
    """Run ruff check and ruff format --diff once each over every (input, expected) pair."""
    reports = {name: Report() for name in pairs}
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        (root / "idg_tfdata.py").write_text(STUB)
        files: list[str] = []
        for name, (source, expected) in pairs.items():
            (root / name).mkdir()
            for file, text in (("input.py", source), ("expected.py", expected)):
                with open(root / name / file, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
                files.append(f"{name}/{file}")
        common = ("--isolated", "--line-length", LINE_LENGTH, "--no-cache")
        checked = ruff(
            "check",
            *common,
            "--select",
            SELECT,
            "--output-format",
            "json",
            "--exit-zero",
            *files,
            cwd=root,
        )
        assert checked.returncode == 0, checked.stderr
        violations: dict[str, list[Violation]] = {f: [] for f in files}
        for item in json.loads(checked.stdout):
            file = Path(item["filename"]).resolve().relative_to(root.resolve()).as_posix()
            row = item["location"]["row"]
            lines = read(root / file).splitlines()
            text = lines[row - 1] if row <= len(lines) else ""
            if item["code"] in BY_MESSAGE:
                text = item["message"]  # the user's own name, wherever the rewrite moved it
            violations[file].append(Violation(item["code"] or "invalid-syntax", text, row))
        formatted = ruff("format", *common, "--diff", *files, cwd=root)
        if formatted.returncode not in (0, 1):  # 2: a file ruff cannot parse
            for name in pairs:
                if re.search(
                    rf"(^|[\s/]){re.escape(name)}/(input|expected)\.py", formatted.stderr, re.M
                ):
                    reports[name].errors.append(f"ruff format failed: {formatted.stderr.strip()}")
        changes = parse_diff(formatted.stdout)
    for name, report in reports.items():
        report.lint = unmatched(violations[f"{name}/expected.py"], violations[f"{name}/input.py"])
        report.format = unmatched(
            changes.get(f"{name}/expected.py", []), changes.get(f"{name}/input.py", [])
        )
    return reports


# -- every fixture ------------------------------------------------------------------------

CASES = cases()


def untabbed(text: str) -> str:
    """Leading tabs as 4 spaces each. A tab-indented project formats with
    `indent-style = "tab"`, which `--isolated` cannot say, and the codemod indents what it adds
    with the file's own tabs (mixing would be a TabError): so such a pair is checked with its
    indentation as spaces, which keeps every width (ruff counts a tab as 4 columns)."""
    lines = text.splitlines(keepends=True)
    return "".join(
        "    " * (len(line) - len(line.lstrip("\t"))) + line.lstrip("\t") for line in lines
    )


def fixture_pair(case: Case) -> tuple[str, str]:
    source, expected = read(case.input), read(case.expected)
    if any(line.startswith("\t") for line in source.splitlines()):
        return untabbed(source), untabbed(expected)
    return source, expected


@pytest.fixture(scope="module")
def fixture_reports() -> dict[str, Report]:
    return check_pairs({c.name: fixture_pair(c) for c in CASES})


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_expected_output_is_lint_clean_and_formatted(
    case: Case, fixture_reports: dict[str, Report]
) -> None:
    problems = fixture_reports[case.name].problems(case.name)
    assert not problems, "\n".join(problems)


# -- the matching logic, on small pairs -----------------------------------------------------


def seed_in_the_new_shape(laid_out: bool) -> tuple[str, str]:
    """fixtures/seed_mirrored rewritten as issue 16 asks, its statements laid out by
    emit/layout.py (`laid_out`) or each written on one line."""
    source = read(FIXTURES / "seed_mirrored" / "input.py")
    augmentation = Call(
        "idg_tfdata.Augmentation",
        ("rotation_range=20", "width_shift_range=0.1", "height_shift_range=0.1"),
    )
    batches = Chain(
        Call("idg_tfdata.index_batches", ("x_train", "y_train", "batch_size=16")),
        (
            Call("map", ("datagen", "num_parallel_calls=tf.data.AUTOTUNE")),
            Call("prefetch", ("tf.data.AUTOTUNE",)),
        ),
    )
    length = 88 if laid_out else 1000
    expected = source.replace(
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
        "\nimport idg_tfdata\n",
    ).replace(
        "datagen = ImageDataGenerator(rotation_range=20, width_shift_range=0.1, "
        "height_shift_range=0.1)\ndatagen.fit(x_train)\n"
        "model.fit(datagen.flow(x_train, y_train, batch_size=16), epochs=1)",
        format_statement("datagen", augmentation, indent=0, line_length=length)
        + "\n"
        + format_statement("datagen_batches", batches, indent=0, line_length=length)
        + "\nmodel.fit(datagen_batches, epochs=1)",
    )
    assert expected.count("idg_tfdata.") == 2  # both replacements took
    return source, expected


USER = (
    "import os\n\nx = [1,2]  # the user's own unformatted line\nprint(os.sep, x, \""
    + "a" * 70
    + '")\n'
)

SYNTHETIC = {
    # Kept user lines (unformatted, too long) and well-formatted additions: clean.
    "clean": (USER, USER + '\ny = os.path.join("a", "b")\n'),
    # The runtime module's import, placed as isort places a first-party module: clean.
    "import_placed": (
        "import os\n\nimport numpy as np\n\nprint(os, np)\n",
        "import os\n\nimport numpy as np\n\nimport idg_tfdata\n\nprint(os, np, idg_tfdata)\n",
    ),
    # An import the rewrite leaves unused: F401 on a line the input did not flag.
    "unused_import": (USER, USER.replace("import os\n", "import os\nimport sys\n")),
    # Also a violation the input has, but once more than the input has it.
    "one_long_line_more": (USER, USER + USER.splitlines()[-1] + "\n"),
    # The runtime module's import out of place: I001.
    "import_unsorted": (
        "import os\n\nimport numpy as np\n\nprint(os, np)\n",
        "import os\nimport idg_tfdata\n\nimport numpy as np\n\nprint(os, np, idg_tfdata)\n",
    ),
    # An emitted line ruff would reformat.
    "unformatted_addition": (USER, USER + "y = os.path.join( 'a','b' )\n"),
    # An emitted definition without the blank lines ruff puts around it.
    "missing_blank_lines": (USER, USER + "def f():\n    return 1\ny = f()\n"),
    # Blank lines the emitter left too many of.
    "too_many_blank_lines": (USER, USER.replace("\n\n", "\n\n\n\n")),
    # A real fixture in the new shape: clean when laid out, not when on one line each.
    "seed_laid_out": seed_in_the_new_shape(laid_out=True),
    "seed_on_one_line": seed_in_the_new_shape(laid_out=False),
    # Output that is no Python: reported, and the other pairs are still checked.
    "broken": (USER, USER + "def (:\n"),
}


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Report]:
    return check_pairs(SYNTHETIC)


@pytest.mark.parametrize("name", ["clean", "import_placed", "seed_laid_out"])
def test_clean_pairs_pass(name: str, synthetic: dict[str, Report]) -> None:
    assert synthetic[name].problems(name) == []


def test_new_violation_is_reported_with_its_line(synthetic: dict[str, Report]) -> None:
    assert synthetic["unused_import"].lint == [Violation("F401", "import sys", 2)]
    assert synthetic["unused_import"].format == []


def test_violations_are_a_multiset(synthetic: dict[str, Report]) -> None:
    (extra,) = synthetic["one_long_line_more"].lint
    assert (extra.code, extra.text) == ("E501", USER.splitlines()[-1])


def test_import_out_of_place_is_reported(synthetic: dict[str, Report]) -> None:
    assert [v.code for v in synthetic["import_unsorted"].lint] == ["I001"]


def test_reformatted_addition_is_reported(synthetic: dict[str, Report]) -> None:
    report = synthetic["unformatted_addition"]
    assert report.format == [Change("line", "y = os.path.join( 'a','b' )", 5)]
    message = report.problems("unformatted_addition")[0]
    assert message.startswith("unformatted_addition: expected.py:5: ruff format changes the line")


def test_blank_lines_are_reported(synthetic: dict[str, Report]) -> None:
    # The user's long print() line is reformatted in both files; the blank lines ruff adds
    # after it, before the emitted definition, only in expected.py.
    assert synthetic["missing_blank_lines"].format == [
        Change("blank lines before", "def f():", 5),
        Change("blank lines before", "y = f()", 7),
    ]
    assert [c.kind for c in synthetic["too_many_blank_lines"].format] == ["blank lines before"]


def test_statements_not_laid_out_are_reported(synthetic: dict[str, Report]) -> None:
    report = synthetic["seed_on_one_line"]
    assert [v.code for v in report.lint] == ["E501", "E501"]
    assert [c.text.split(" = ")[0] for c in report.format] == ["datagen", "datagen_batches"]


def test_unparsable_output_is_reported(synthetic: dict[str, Report]) -> None:
    report = synthetic["broken"]
    assert "invalid-syntax" in {v.code for v in report.lint}
    assert report.errors and "broken/expected.py" in report.errors[0]
    assert synthetic["clean"].errors == []


def test_parse_diff_keys_changes_by_text() -> None:
    diff = (
        "--- a/input.py\n+++ a/input.py\n@@ -2,4 +2,5 @@\n keep\n-x = [1,2]\n+x = [1, 2]\n"
        " keep2\n+\n def f():\n--- b.py\n+++ b.py\n@@ -1,2 +1,1 @@\n-\n-\n z = 1\n"
    )
    assert parse_diff(diff) == {
        "a/input.py": [Change("line", "x = [1,2]", 3), Change("blank lines before", "def f():", 5)],
        "b.py": [Change("blank lines before", "z = 1", 3)],
    }
    assert parse_diff(diff)["a/input.py"][0].line == 3


def test_untabbed_keeps_tabs_after_the_indentation() -> None:
    assert untabbed("if x:\r\n\t\ty = '\t'\r\nz\n") == "if x:\r\n        y = '\t'\r\nz\n"


def test_unmatched_consumes_one_per_match() -> None:
    a, b = Violation("E501", "x", 1), Violation("E501", "x", 9)
    assert unmatched([a, b], [Violation("E501", "x", 4)]) == [b]

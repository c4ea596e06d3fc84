"""The README stays true: every shell command in it is run here (or listed in NOT_RUN with
the reason and the test that covers it instead), its pre-commit snippet runs under the real
pre-commit, its configuration parses, its before/after is the tool's real output on the
shipped example, and CI runs its test command.

Each command runs in a fresh git repository holding a copy of examples/ as `examples/`,
`src/` and `legacy/`, through `bash -c`, with `migrate-aug` on PATH running this checkout.
`UPDATE_README=1 python -m pytest tests/test_readme.py` rewrites the example blocks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.api import migrate_source
from migrator.cli import main
from migrator.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "seed_legacy.py"
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```\n", re.M | re.S)

# Commands the README shows that this test does not run, and why.
NOT_RUN: dict[str, str] = {
    "pip install -e .": "installs this checkout: .ci/run does, before the tests",
    'pip install -e ".[test,verify]"': "installs this checkout: .ci/run does, before the tests",
    "python -m pytest -q": "the suite itself: .ci/run runs it (test_ci_runs_the_readme_commands)",
    "pip install .": "installs the tool: .ci/run installs the same package with its extras",
    'pip install ".[notebooks]"': "installs an extra .ci/run installs too (the test extra)",
    'pip install ".[verify]"': "installs an extra .ci/run installs (TensorFlow)",
    "migrate-aug verify legacy/train.py src/train.py": (
        "trains two programs with TensorFlow (a minute): tests/verify/test_command.py::"
        "test_the_seed_example_verifies_in_under_a_minute runs the command on such a pair"
    ),
    "migrate-aug --verify src/train.py": (
        "trains with TensorFlow: tests/verify/test_command.py::"
        "test_verify_paths_checks_the_rewrite_in_a_copy runs what --verify runs"
    ),
}


def _blocks(language: str, text: str | None = None) -> list[str]:
    text = README.read_text(encoding="utf-8") if text is None else text
    return [m["body"] for m in FENCE.finditer(text) if m["lang"] == language]


def _strip_comment(line: str) -> str:
    # No command in the README quotes a `#`: everything after ` #` is a comment.
    return re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip()


# `migrate-aug ...` in the text: run too, unless it only names a command or has a
# placeholder; what each must exit with when it is not 0 or 1.
NAMES = {"migrate-aug check", "migrate-aug diff", "migrate-aug verify"}
PLACEHOLDERS = ("PATH", "...", "<")
EXIT_CODES = {"migrate-aug chek .": 2}  # the README's example of a typo: a usage error


def readme_commands() -> list[str]:
    commands: list[str] = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            command = _strip_comment(line)
            commands += [part.strip() for part in command.split("&&") if part.strip()]
    return commands


def inline_commands() -> tuple[list[str], list[str]]:
    """(run, only named or with a placeholder) `migrate-aug ...` spans of the text."""
    spans = dict.fromkeys(re.findall(r"`(migrate-aug [^`]*)`", README.read_text()))
    skipped = [s for s in spans if s in NAMES or any(p in s for p in PLACEHOLDERS)]
    return [s for s in spans if s not in skipped], skipped


RUN = [command for command in readme_commands() if command not in NOT_RUN]
RUN += [command for command in inline_commands()[0] if command not in RUN]


def test_every_command_is_run_or_listed_with_a_reason() -> None:
    commands = readme_commands()
    assert RUN, "the README shows no command this test runs"
    stale = sorted(set(NOT_RUN) - set(commands))
    assert not stale, f"NOT_RUN lists commands the README no longer has: {stale}"
    print("run:", *RUN, sep="\n  ")
    print("not run:", *(f"{c}  ({why})" for c, why in NOT_RUN.items()), sep="\n  ")
    print("in the text, not commands:", *inline_commands()[1], sep="\n  ")
    assert set(EXIT_CODES) <= set(RUN)


@pytest.fixture
def shim(tmp_path: Path) -> dict[str, str]:
    """An environment whose `migrate-aug` is this checkout run by this interpreter."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "migrate-aug"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m migrator "$@"\n')
    script.chmod(0o755)
    environment = dict(os.environ)
    python_path = [str(ROOT), *filter(None, [environment.get("PYTHONPATH")])]
    environment.update(
        PATH=f"{bin_dir}{os.pathsep}{environment['PATH']}",
        PYTHONPATH=os.pathsep.join(python_path),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        NO_COLOR="1",
    )
    environment.pop("FORCE_COLOR", None)
    return environment


def _workspace(root: Path, environment: dict[str, str]) -> Path:
    root.mkdir()
    for name in ("examples", "src", "legacy"):
        (root / name).mkdir()
        shutil.copy(EXAMPLE, root / name / ("train.py" if name != "examples" else EXAMPLE.name))
    for command in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "x"]):
        subprocess.run(command, cwd=root, check=True, env=environment, capture_output=True)
    return root


@pytest.mark.skipif(shutil.which("git") is None, reason="the README's commands use git")
@pytest.mark.parametrize("command", RUN)
def test_readme_command_runs(command: str, tmp_path: Path, shim: dict[str, str]) -> None:
    workspace = _workspace(tmp_path / "work", shim)
    completed = subprocess.run(
        ["bash", "-c", command],
        cwd=workspace,
        env=shim,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output, output
    if command in EXIT_CODES:
        assert completed.returncode == EXIT_CODES[command], output
        return
    # 1 is migrate-aug's "something to do" (the example is legacy code); 2 is a usage error.
    allowed = (0, 1) if command.startswith("migrate-aug") else (0,)
    assert completed.returncode in allowed, output
    assert "Usage:" not in output or "--help" in command, output


# -- the pre-commit snippet -------------------------------------------------------------------
def _pre_commit(repo: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
@pytest.mark.parametrize("variant", ["fix", "check"])
def test_pre_commit_snippet_works(variant: str, tmp_path: Path, shim: dict[str, str]) -> None:
    text = README.read_text(encoding="utf-8")
    snippet = _blocks("yaml", text[text.index("<!-- pre-commit:config -->") :])[0]
    if variant == "check":  # the variant the README names in prose
        assert "`entry: migrate-aug check --force-exclude --`" in text
        snippet = snippet.replace("entry: migrate-aug --", "entry: migrate-aug check --")
    environment = {**shim, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    repo = _workspace(tmp_path / "repo", environment)
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=environment)
    legacy = EXAMPLE.read_text()
    first = _pre_commit(repo, environment)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    assert "src/train.py:35:11: MA001" in output
    migrated = migrate_source(legacy).new_source
    expected = migrated if variant == "fix" else legacy
    assert (repo / "src" / "train.py").read_text() == expected, output
    if variant == "fix":
        assert "files were modified by this hook" in output
        subprocess.run(["git", "add", "."], cwd=repo, check=True, env=environment)
        second = _pre_commit(repo, environment)
        assert second.returncode == 0, second.stdout + second.stderr


def test_configuration_example_parses(tmp_path: Path) -> None:
    (block,) = _blocks("toml")
    (tmp_path / "pyproject.toml").write_text(block)
    config = load_config(tmp_path / "pyproject.toml")
    assert config.select == ("MA0", "MA1") and config.all is True


def test_ci_runs_the_readme_commands() -> None:
    first = _blocks("bash")[0].splitlines()
    assert first[1] == 'pip install -e ".[test,verify]" && python -m pytest -q'
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert 'python -m pip install -q -e ".[test,verify]"' in ci
    assert "python -m pytest -q" in ci


# -- the before/after ---------------------------------------------------------------------------
def _after_docstring(text: str) -> str:
    return text[text.index("import numpy") :]


def _tool_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "examples" / EXAMPLE.name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["examples/seed_legacy.py"], env={"NO_COLOR": "1"})
    return result.output


def expected_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    legacy = EXAMPLE.read_text(encoding="utf-8")
    migrated = migrate_source(legacy, str(EXAMPLE)).new_source
    return {
        "before": _after_docstring(legacy),
        "after": _after_docstring(migrated),
        "output": _tool_output(tmp_path, monkeypatch),
    }


def test_before_after_is_the_tools_real_output(tmp_path: Path, monkeypatch) -> None:
    text = README.read_text(encoding="utf-8")
    updated = text
    for name, body in expected_examples(tmp_path, monkeypatch).items():
        marker = f"<!-- example:{name} -->\n"
        start = updated.index(marker) + len(marker)
        block = FENCE.match(updated, start)
        assert block is not None, f"no code block after {marker!r}"
        fenced = f"```{block['lang']}\n{body}```\n"
        updated = updated[:start] + fenced + updated[block.end() :]
    if os.environ.get("UPDATE_README"):
        README.write_text(updated, encoding="utf-8")
    assert updated == text, "README's example is stale: UPDATE_README=1 regenerates it"

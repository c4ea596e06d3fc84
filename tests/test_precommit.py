"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit on a temporary git repo.

`pre-commit try-repo` clones this repository (with uncommitted changes to tracked files),
builds the hook's python environment and runs it, so the manifest, the entries and the
install are all exercised. Offline: the hook's environment sees the packages of the
interpreter running the tests (libcst, click, setuptools), whether that is the system Python
or a virtualenv, and pip is told to use no index and no build isolation.
"""

from __future__ import annotations

import os
import shlex
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrator.api import migrate_source

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"
MANIFEST = ROOT / ".pre-commit-hooks.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def test_manifest_declares_both_hooks() -> None:
    manifest = hooks()
    assert set(manifest) == {"migrate-aug", "migrate-aug-check"}
    for hook in manifest.values():
        assert hook["types_or"] == ["python", "jupyter"]
        assert hook["language"] == "python"
    assert "--check" in str(manifest["migrate-aug-check"]["entry"])
    assert "--check" not in str(manifest["migrate-aug"]["entry"])


@pytest.mark.parametrize("hook_id", ["migrate-aug", "migrate-aug-check"])
def test_entry_with_no_files_succeeds(hook_id: str, tmp_path: Path) -> None:
    # pre-commit skips a hook without matching files, but other runners (and
    # `pass_filenames` splits) may call the entry with none: that is not a usage error.
    entry = shlex.split(str(hooks()[hook_id]["entry"]))
    assert entry[0] == "migrate-aug"
    completed = subprocess.run(
        [sys.executable, "-m", "migrator", *entry[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stderr


def running_site_packages() -> list[str]:
    """The site directories of the interpreter running the tests, a virtualenv's included.

    pre-commit builds the hook's virtualenv from the *base* interpreter, so
    VIRTUALENV_SYSTEM_SITE_PACKAGES would only show it the base's packages: in a fresh
    virtualenv (`python -m venv .venv && pip install -e ".[test]"`) libcst is in the
    virtualenv, not there, and the offline `pip install .` of the hook fails."""
    directories = [*site.getsitepackages(), site.getusersitepackages()]
    directories += [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    return [d for d in dict.fromkeys(directories) if Path(d).is_dir()]


def _environment(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ)
    # On PYTHONPATH, not as site directories: their .pth files (an editable install of
    # migrate-aug among them) are not run, so the hook imports the copy pre-commit installs.
    python_path = [environment["PYTHONPATH"]] if environment.get("PYTHONPATH") else []
    environment.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PYTHONPATH=os.pathsep.join([*python_path, *running_site_packages()]),
        PIP_NO_INDEX="1",  # no network
        PIP_NO_BUILD_ISOLATION="0",  # pip's inverted spelling of --no-build-isolation
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    return environment


def _try_repo(repo: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "--all-files"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_real_pre_commit_runs_both_hooks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "build").mkdir(parents=True)
    shutil.copy(SEED, repo / "train.py")
    shutil.copy(SEED, repo / "build" / "generated.py")  # excluded by default: untouched
    (repo / "other.py").write_text("x = 1\n")
    (repo / "notes.txt").write_text("ImageDataGenerator\n")
    environment = _environment(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=environment)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=environment)

    first = _try_repo(repo, environment)
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    # The check hook runs first (sorted ids) and reports; the rewriting hook then fixes.
    assert "train.py:18:11: MA001" in output
    assert "files were modified by this hook" in output
    assert "generated.py" not in output
    assert (repo / "train.py").read_text() == migrate_source(SEED.read_text()).new_source
    assert (repo / "build" / "generated.py").read_text() == SEED.read_text()

    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=environment)
    second = _try_repo(repo, environment)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout.count("Passed") == 2

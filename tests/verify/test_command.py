"""The `verify` command and `verify_paths` (`--verify PATH...`): exit codes, output,
files left alone, temporary files cleaned, no TensorFlow in the parent process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import migrator.api
from migrator.verify import command
from migrator.verify.bootstrap import ENV_BUDGET
from migrator.verify.command import VerifyOptions, coerce_options, verify, verify_paths

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
ROOT = HERE.parents[1]
SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"


@pytest.fixture
def quick(monkeypatch) -> None:
    monkeypatch.setenv(ENV_BUDGET, "0.2")  # less time measuring throughput


def test_importing_the_command_imports_neither_tensorflow_nor_numpy() -> None:
    code = (
        "import sys, migrator.verify.command, migrator.verify.compare, migrator.verify.report; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'numpy', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stderr


def test_without_tensorflow_it_says_so_in_one_line(monkeypatch) -> None:
    monkeypatch.setattr(command, "tensorflow_missing", lambda: True)
    result = CliRunner().invoke(verify, [str(SEED), str(SEED)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "TensorFlow" in result.output
    assert verify_paths([str(SEED)]) == 2


def test_tensorflow_detection_uses_find_spec(monkeypatch) -> None:
    monkeypatch.setattr(command.importlib.util, "find_spec", lambda name: None)
    assert command.tensorflow_missing()


def test_a_bad_memory_size_is_a_usage_error() -> None:
    result = CliRunner().invoke(verify, [str(SEED), str(SEED), "--memory", "lots"])
    assert result.exit_code == 2 and "16G" in result.output


def test_options_from_other_shapes() -> None:
    assert coerce_options(None) == VerifyOptions()
    options = coerce_options({"timeout": 9, "format": "json", "memory": "1G"})
    assert (options.timeout, options.output_format, options.memory) == (9, "json", 2**30)

    class Cli:
        steps = 5
        output_format = "text"

    assert coerce_options(Cli()).steps == 5


def test_the_seed_example_verifies_in_under_a_minute(tmp_path) -> None:
    """The seed example against a correct hand-written tf.data version, with the
    command's defaults, through click."""
    pytest.importorskip("tensorflow")
    started = time.perf_counter()
    result = CliRunner().invoke(
        verify,
        [str(SEED), str(PROGRAMS / "seed_tfdata.py"), "--log-dir", str(tmp_path / "logs")],
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "executes your programs' code" in result.output
    assert "replicas" in result.output and "2 (MirroredStrategy)" in result.output
    assert sorted(os.listdir(tmp_path / "logs")) == ["migrated.log", "original.log"]
    assert elapsed < 60


def test_module_entry_point_json_failure_and_clean_temp(tmp_path) -> None:
    pytest.importorskip("tensorflow")
    env = dict(os.environ, TMPDIR=str(tmp_path), **{ENV_BUDGET: "0.2"})
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "migrator.verify",
            str(PROGRAMS / "idg_original.py"),
            str(PROGRAMS / "tfdata_no_augmentation.py"),
            "--format",
            "json",
            "--report",
            str(tmp_path / "report"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    # --report: the page and the pictures it shows (tested in depth in test_keras2_runtime).
    page = (tmp_path / "report" / "index.html").read_text()
    assert report["report"] == str(tmp_path / "report" / "index.html")
    assert "MISMATCH" in page and "original/first_batch.png" in page
    assert (tmp_path / "report" / "migrated" / "first_batch.png").stat().st_size > 100
    shutil.rmtree(tmp_path / "report")
    assert report["passed"] is False
    assert {"augmented images", "augmentation strength"} <= set(report["mismatches"])
    assert report["runs"]["migrated"]["status"] == "ok"
    assert os.path.exists(report["runs"]["original"]["log"])
    assert out.stderr.count("executes your programs' code") == 1
    # Only the kept log directory remains in the temporary directory.
    assert [p.name.startswith("migrate-aug-verify-logs-") for p in tmp_path.iterdir()] == [True]


def test_verify_paths_checks_the_rewrite_in_a_copy(tmp_path, monkeypatch, quick, capsys) -> None:
    """--verify migrates into a temporary copy of the file's directory (so `import common`
    still resolves) and leaves the user's directory as it was."""
    pytest.importorskip("tensorflow")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("idg_original.py", "common.py"):
        shutil.copy(PROGRAMS / name, project / name)
    correct = (PROGRAMS / "tfdata_correct.py").read_text()

    def fake_migrate(source, path="<string>", options=None):  # the codemod's contract
        new = correct if path.endswith("idg_original.py") else source
        return migrator.api.FileResult(source=source, new_source=new)

    monkeypatch.setattr(migrator.api, "migrate_source", fake_migrate)
    before = {p.name: p.read_bytes() for p in project.iterdir()}
    logs = tmp_path / "logs"
    code = verify_paths([str(project)], VerifyOptions(log_dir=str(logs)))
    out = capsys.readouterr()
    assert code == 0, out.out
    assert "verified 1 migrated file(s): 1 passed, 0 failed" in out.out
    assert {p.name: p.read_bytes() for p in project.iterdir()} == before
    kept = list(logs.glob("*-idg_original-migrated.py"))
    assert kept and kept[0].read_text() == correct


def test_verify_paths_with_nothing_to_rewrite(tmp_path, capsys) -> None:
    (tmp_path / "plain.py").write_text("print('no generator here')\n")
    assert verify_paths([str(tmp_path)]) == 0
    assert "nothing to verify" in capsys.readouterr().out


def test_verify_paths_reports_unparsable_files(tmp_path, capsys) -> None:
    (tmp_path / "broken.py").write_text("ImageDataGenerator(\n")
    assert verify_paths([str(tmp_path / "broken.py")]) == 2
    assert "broken.py" in capsys.readouterr().err


def test_both_programs_failing_alike_is_the_environment_exit_3(monkeypatch) -> None:
    from migrator.verify.runner import RunResult

    def fake_run(program, *, log, **options):
        error = "the program raised FileNotFoundError: data/train.csv"
        return RunResult(program, {"status": "error", "error": error}, log, 0, 1.0)

    monkeypatch.setattr(command, "tensorflow_missing", lambda: False)
    monkeypatch.setattr(command, "run_program", fake_run)
    result = CliRunner().invoke(verify, [str(SEED), str(SEED)])
    assert result.exit_code == 3, result.output
    assert "ENVIRONMENT: both programs fail alike (run): the environment, not the rewrite" in (
        result.output
    )
    json_result = CliRunner().invoke(verify, [str(SEED), str(SEED), "--format", "json"])
    report = json.loads(json_result.output[json_result.output.index("{") :])
    assert json_result.exit_code == 3 and report["verdict"] == "environment"

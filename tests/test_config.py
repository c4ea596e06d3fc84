"""`[tool.migrate-aug]` in pyproject.toml: found by walking up, keys applied, command-line
flags win, bad configuration is one clear error line (exit 2), never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from migrator.cli import main
from migrator.config import Config, ConfigError, find_config, load_config
from migrator.options import Options

ROOT = Path(__file__).resolve().parent.parent
NO_STRATEGY = ROOT / "fixtures" / "no_strategy_reported" / "input.py"
SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def codes(result: Result) -> list[str]:
    return [finding["code"] for finding in json.loads(result.stdout)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose only site trains without a strategy (MA002)."""
    (tmp_path / "src").mkdir()
    shutil.copy(NO_STRATEGY, tmp_path / "src" / "train.py")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(f'[project]\nname = "x"\n\n[tool.migrate-aug]\n{body}\n')
    return path


def test_found_by_walking_up_past_pyprojects_without_the_table(project: Path) -> None:
    config = write_config(project, 'ignore = ["MA002"]')
    (project / "src" / "pyproject.toml").write_text("[tool.black]\nline-length = 80\n")
    assert find_config(["src/train.py"]) == config
    assert find_config([str(project / "src")]) == config
    assert invoke("--check", "src").exit_code == 0  # MA002 ignored by the config
    assert find_config([], cwd=project / "src") == config  # no PATH: from the cwd


def test_keys_are_read_and_typed(project: Path) -> None:
    path = write_config(
        project,
        'select = ["MA0"]\nignore = ["MA004"]\nexclude = ["gen"]\n'
        'extend-exclude = ["*_old.py"]\nall = true\nforce-exclude = true',
    )
    assert load_config(path) == Config(
        path=path,
        select=("MA0",),
        ignore=("MA004",),
        exclude=("gen",),
        extend_exclude=("*_old.py",),
        all=True,
        force_exclude=True,
    )


def test_all_in_config_rewrites_and_the_flag_overrides_it(project: Path) -> None:
    write_config(project, "all = true")
    before = (project / "src" / "train.py").read_text()
    assert codes(invoke("--check", "--format", "json", "src")) == ["MA002"]
    diff = invoke("--diff", "src")
    assert diff.exit_code == 1 and "idg_tfdata.index_batches(" in diff.stdout  # under all
    no_all = invoke("--diff", "--no-all", "src")
    assert no_all.exit_code == 1 and no_all.stdout.count("MA002") == 1
    assert "idg_tfdata.index_batches(" not in no_all.stdout
    assert (project / "src" / "train.py").read_text() == before


def test_command_line_select_and_ignore_replace_the_config(project: Path) -> None:
    write_config(project, 'ignore = ["MA0"]')
    assert invoke("--check", "src").exit_code == 0
    assert codes(invoke("--check", "--format", "json", "--ignore", "MA1", "src")) == ["MA002"]
    assert invoke("--check", "--isolated", "src").exit_code == 1  # no config at all


def test_explicit_config_file(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("conf")
    write_config(elsewhere, 'select = ["MA1"]')
    assert invoke("--check", "src").exit_code == 1
    assert invoke("--check", "--config", str(elsewhere / "pyproject.toml"), "src").exit_code == 0


def test_excludes_from_config_are_relative_to_it(project: Path) -> None:
    write_config(project, 'extend-exclude = ["src/train.py"]')
    shutil.copy(SEED, project / "train.py")  # same name, not under src/: still processed
    result = invoke("--check", "--format", "json", ".")
    assert [Path(f["path"]).as_posix() for f in json.loads(result.stdout)] == ["train.py"]
    # A run from another directory anchors the patterns at the config, not at the cwd.
    result = invoke("--check", "--format", "json", str(project / "src"))
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("colour = true", "unknown key `colour`"),
        ('select = "MA001"', "`select` must be a list of strings"),
        ("all = 1", "`all` must be true or false"),
        ('ignore = ["XX9"]', "unknown rule code or prefix 'XX9'"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_configuration_is_one_clear_error(project: Path, body: str, message: str) -> None:
    write_config(project, body)
    result = invoke("--check", "src")
    assert result.exit_code == 2
    assert message in result.output and "pyproject.toml" in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert len(result.output.strip().splitlines()) == 1
    with pytest.raises(ConfigError, match=message.split("`")[0].strip() or message):
        load_config(project / "pyproject.toml")


def test_unknown_selector_on_the_command_line(project: Path) -> None:
    result = invoke("--check", "--select", "MA001,NOPE", "src")
    assert result.exit_code == 2 and "--select: unknown rule code or prefix 'NOPE'" in result.output


# -- the runtime module's place (runtime-module, runtime-import) and inline ---------------
@pytest.mark.parametrize(
    ("body", "module", "name"),
    [
        ('runtime-module = "src/pkg/idg_tfdata.py"', "src/pkg/idg_tfdata.py", "pkg.idg_tfdata"),
        ('runtime-module = "pkg/aug/idg_tfdata.py"', "pkg/aug/idg_tfdata.py", "pkg.aug.idg_tfdata"),
        (
            'runtime-module = "src/pkg/idg_tfdata.py"\nruntime-import = "src.pkg.idg_tfdata"',
            "src/pkg/idg_tfdata.py",
            "src.pkg.idg_tfdata",
        ),
    ],
)
def test_the_runtime_module_for_a_package(project: Path, body: str, module: str, name: str) -> None:
    config = load_config(write_config(project, body))
    assert config.runtime_module == project / module
    assert config.runtime_import == name


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            'runtime-module = "src/pkg/idg_tfdata.py"\nruntime-import = "other.idg_tfdata"',
            "`runtime-import` 'other.idg_tfdata' is not the module at `runtime-module`",
        ),
        ('runtime-module = "src/my-pkg/idg_tfdata.py"', "gives no importable name"),
        (
            'runtime-module = "src/pkg/idg_tfdata.py"\nruntime-import = "pkg.idg-tfdata"',
            "`runtime-import` must be a dotted module name",
        ),
        ('runtime-import = "pkg.idg_tfdata"', "`runtime-import` needs `runtime-module`"),
        ('runtime-module = "../elsewhere/idg_tfdata.py"', "must be a .py file below"),
        ('runtime-module = "src/pkg/idg_tfdata"', "must be a .py file below"),
        ("runtime-module = 3", "`runtime-module` must be a non-empty string"),
        ('inline = "yes"', "`inline` must be true or false"),
    ],
)
def test_a_bad_runtime_place_is_one_clear_error(project: Path, body: str, message: str) -> None:
    write_config(project, body)
    result = invoke("--check", "src")
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_inline_from_the_config_and_the_flag(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[bool, str]] = []

    def record(files: object, options: Options, jobs: int, **kwargs: object) -> int:
        seen.append((options.inline_runtime, options.runtime_import))
        return 0

    monkeypatch.setattr("migrator.cli.run_files", record)
    write_config(project, 'inline = true\nruntime-module = "src/idg_tfdata.py"')
    invoke("--check", "src")
    invoke("--check", "--no-inline", "src")
    invoke("--check", "--isolated", "--inline", "src")
    assert seen == [(True, "idg_tfdata"), (False, "idg_tfdata"), (True, "idg_tfdata")]


def test_tf_data_service_from_the_config_and_the_flag(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str | None] = []

    def record(files: object, options: Options, jobs: int, **kwargs: object) -> int:
        seen.append(options.tf_data_service)
        return 0

    monkeypatch.setattr("migrator.cli.run_files", record)
    path = write_config(project, 'tf-data-service = "grpc://dispatcher:5050"')
    assert load_config(path) == Config(path=path, tf_data_service="grpc://dispatcher:5050")
    invoke("--check", "src")
    invoke("--check", "--tf-data-service", "grpc://[::1]:6000", "src")  # the flag wins
    invoke("--check", "--isolated", "src")
    assert seen == ["grpc://dispatcher:5050", "grpc://[::1]:6000", None]


def test_tf_data_service_migrates_to_served_pipelines(project: Path) -> None:
    write_config(project, 'all = true\ntf-data-service = "grpc://dispatcher:5050"')
    diff = invoke("--diff", "src")
    assert diff.exit_code == 1, diff.output
    assert 'service="grpc://dispatcher:5050"' in diff.stdout
    assert "idg_tfdata.served(" in diff.stdout


@pytest.mark.parametrize(
    ("args", "body", "message"),
    [
        (
            ["--tf-data-service", "dispatcher:5050"],
            None,
            "--tf-data-service: 'dispatcher:5050' is not a tf.data service dispatcher "
            "address: expected grpc://HOST:PORT",
        ),
        (["--tf-data-service", "grpc://d:0"], None, "the port must be between 1 and 65535"),
        (["--tf-data-service", 'grpc://d:1"'], None, "expected grpc://HOST:PORT"),
        ([], 'tf-data-service = "http://d:5050"', "`tf-data-service`: 'http://d:5050' is not"),
        ([], "tf-data-service = 5050", "`tf-data-service` must be a non-empty string"),
    ],
)
def test_a_bad_service_address_is_one_clear_usage_error(
    project: Path, args: list[str], body: str | None, message: str
) -> None:
    if body is not None:
        write_config(project, body)
    before = (project / "src" / "train.py").read_text()
    result = invoke(*args, "--all", "src")
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (project / "src" / "train.py").read_text() == before


def test_verify_with_tf_data_service_is_a_usage_error(project: Path) -> None:
    """The verifier would train pipelines waiting for a dispatcher: refused, flag or config."""
    message = "--verify cannot be combined with --tf-data-service"
    result = invoke("--verify", "--tf-data-service", "grpc://d:5050", "src")
    assert result.exit_code == 2 and message in result.output, result.output
    write_config(project, 'tf-data-service = "grpc://d:5050"')
    result = invoke("--verify", "src")
    assert result.exit_code == 2 and message in result.output, result.output

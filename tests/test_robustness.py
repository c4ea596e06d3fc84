"""The CLI on hostile input: internal errors, failing writes, read-only files and
directories, symlinks, empty, huge and deeply nested files, tabs, newer Python syntax,
legacy encodings, and parallel runs byte-identical to serial ones. One bad file never
stops the run and no traceback ever reaches the user."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import migrator.processing
from migrator.api import FileResult, Options, migrate_source
from migrator.cli import main
from migrator.processing import process

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "fixtures" / "seed_mirrored" / "input.py"
SEED_TEXT = SEED.read_text()
MIGRATED_SEED = migrate_source(SEED_TEXT).new_source


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def clean_exit(result: Result) -> None:
    """Exited through sys.exit, never through an exception (a traceback)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """Two files that both need the rewrite."""
    for name in ("a.py", "b.py"):
        shutil.copy(SEED, tmp_path / name)
    return tmp_path


def test_internal_error_names_the_file_and_the_run_goes_on(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = migrator.processing.migrate_text

    def flaky(text: str, path: Path, options: Options) -> FileResult:
        if path.name == "a.py":
            raise KeyError("boom")
        return real(text, path, options)

    monkeypatch.setattr(migrator.processing, "migrate_text", flaky)
    result = invoke("--jobs", "1", str(two))
    clean_exit(result)
    assert result.exit_code == 2
    assert f"{two / 'a.py'}: internal error: KeyError: 'boom'" in result.output
    assert "please report" in result.output
    assert (two / "a.py").read_text() == SEED_TEXT
    assert (two / "b.py").read_text() == MIGRATED_SEED


def test_an_error_outside_any_file_is_one_line(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("discovery exploded")

    monkeypatch.setattr(migrator.cli, "discover", broken)
    result = invoke(str(two))
    clean_exit(result)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "migrate-aug: internal error: RuntimeError: discovery exploded; "
        "please report this to the migrate-aug maintainers"
    )


def test_a_write_failing_midway_leaves_the_original_and_no_debris(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half of the data, then the disk is full."""

        def __init__(self, stream: object) -> None:
            self.stream = stream

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.stream.write(data[: len(data) // 2])  # type: ignore[attr-defined]
            self.stream.flush()  # type: ignore[attr-defined]
            raise OSError(28, "No space left on device")

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> object:
        stream = real_fdopen(fd, mode, *args, **kwargs)
        return HalfWriter(stream) if mode == "wb" else stream

    monkeypatch.setattr(os, "fdopen", fdopen)
    result = invoke("--jobs", "1", str(two))
    clean_exit(result)
    assert result.exit_code == 2
    # The runtime module goes first (its files import it): it cannot be written, so
    # neither are they.
    assert f"{two / 'idg_tfdata.py'}: error: cannot write: No space left on device" in (
        result.output
    )
    assert f"{two / 'a.py'}: error: not rewritten: its runtime module is not there" in (
        result.output
    )
    for name in ("a.py", "b.py"):
        assert (two / name).read_text() == SEED_TEXT
    assert sorted(p.name for p in two.iterdir()) == ["a.py", "b.py"]  # no temporary left


def test_read_only_file_is_an_error_and_the_others_are_rewritten(two: Path) -> None:
    (two / "a.py").chmod(0o444)
    result = invoke(str(two))
    clean_exit(result)
    assert result.exit_code == 2
    assert f"{two / 'a.py'}: error: cannot write: file is read-only; not rewritten" in result.output
    assert (two / "a.py").read_text() == SEED_TEXT
    assert stat.S_IMODE((two / "a.py").stat().st_mode) == 0o444
    assert (two / "b.py").read_text() == MIGRATED_SEED


def test_read_only_directory_fails_cleanly(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = two / "locked"
    locked.mkdir()
    shutil.move(two / "a.py", locked / "a.py")
    locked.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere: refuse as the kernel does for others
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args: object, dir: str | os.PathLike[str] | None = None, **kw: object):
            if dir is not None and Path(dir) == locked:
                raise PermissionError(13, "Permission denied")
            return real_mkstemp(*args, dir=dir, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    try:
        result = invoke(str(two))
    finally:
        locked.chmod(0o755)
    clean_exit(result)
    assert result.exit_code == 2
    module = locked / "idg_tfdata.py"  # a.py's runtime module cannot be created there
    assert f"{module}: error: cannot write: cannot create a temporary file in" in result.output
    assert f"{locked / 'a.py'}: error: not rewritten: its runtime module is not there" in (
        result.output
    )
    assert (locked / "a.py").read_text() == SEED_TEXT
    assert sorted(p.name for p in locked.iterdir()) == ["a.py"]
    assert (two / "b.py").read_text() == MIGRATED_SEED


def test_a_named_symlink_stays_a_link_to_the_rewritten_file(tmp_path: Path) -> None:
    shutil.copy(SEED, tmp_path / "real.py")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    result = invoke(str(tmp_path / "link.py"))
    clean_exit(result)
    assert result.exit_code == 1
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real.py").read_text() == MIGRATED_SEED


def test_empty_and_blank_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "blank.py").write_bytes(b"\n\n  \n")
    (tmp_path / "empty.ipynb").write_bytes(b"")
    result = invoke(str(tmp_path))
    clean_exit(result)
    assert result.exit_code == 0
    assert (tmp_path / "empty.py").read_bytes() == b""
    assert (tmp_path / "blank.py").read_bytes() == b"\n\n  \n"


def test_a_huge_file_is_fast_without_idg_and_correct_with_it(tmp_path: Path) -> None:
    big = "".join(f"value_{i} = {i}  # padding line\n" for i in range(400_000))
    assert len(big) > 10_000_000
    (tmp_path / "big.py").write_text(big)
    started = time.perf_counter()
    result = invoke("--check", str(tmp_path / "big.py"))
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - started < 10  # the pre-filter: never parsed

    # 10 MB, most of it one string: the rewrite of the site is the same as in a small file.
    blob = 'BLOB = "' + "xy" * 5_000_000 + '"\n'
    (tmp_path / "big.py").write_text(SEED_TEXT + blob)
    result = invoke(str(tmp_path / "big.py"))
    assert result.exit_code == 1, result.output
    assert (tmp_path / "big.py").read_text() == MIGRATED_SEED + blob


def test_deep_nesting_is_processed_or_one_clear_error(tmp_path: Path) -> None:
    # 199 nested brackets: the most CPython accepts; it must be migrated.
    deep = "nested = " + "[" * 199 + "1" + "]" * 199 + "\n"
    (tmp_path / "deep.py").write_text(SEED_TEXT + deep)
    # Far more than Python allows (200): libcst's own parser would crash the process.
    # The error points at the 201st bracket, as Python's does.
    absurd = "nested = " + "[" * 5000 + "1" + "]" * 5000 + "\n"
    (tmp_path / "absurd.py").write_text(SEED_TEXT + absurd)
    result = invoke("--jobs", "1", str(tmp_path))
    clean_exit(result)
    assert result.exit_code == 2
    assert (tmp_path / "deep.py").read_text() == MIGRATED_SEED + deep
    errors = [line for line in result.output.splitlines() if "error" in line and "absurd" in line]
    assert errors == [
        f"{tmp_path / 'absurd.py'}:19:210: error: cannot parse: too many nested parentheses"
    ]
    assert (tmp_path / "absurd.py").read_text() == SEED_TEXT + absurd


def test_tab_indented_code_stays_consistent(tmp_path: Path) -> None:
    source = (
        "import tensorflow as tf\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n\n\n"
        "def train(model, x, y):\n"
        "\tstrategy = tf.distribute.MirroredStrategy()\n"
        "\twith strategy.scope():\n"
        "\t\tmodel = tf.keras.models.clone_model(model)\n"
        "\tdatagen = ImageDataGenerator(horizontal_flip=True)\n"
        "\tif x is not None:\n"
        "\t\tmodel.fit(datagen.flow(x, y, batch_size=8), epochs=1)\n"
    )
    (tmp_path / "tabs.py").write_text(source)
    result = invoke(str(tmp_path))
    assert result.exit_code == 1, result.output
    rewritten = (tmp_path / "tabs.py").read_text()
    assert "idg_tfdata.index_batches(x, y, batch_size=8)" in rewritten
    compile(rewritten, "tabs.py", "exec")  # a TabError if indentation got mixed up
    body = [line for line in rewritten.splitlines() if line.startswith((" ", "\t"))]
    assert body and all(not line.startswith(" ") for line in body)


@pytest.mark.parametrize(
    "snippet",
    [
        "type Vector = list[float]\n",
        "def first[T](items: list[T]) -> T:\n    return items[0]\n",
        'names = {"a": 1}\nlabel = f"{names["a"]}"\n',
        "match x_train.ndim:\n    case 4:\n        pass\n    case _:\n        pass\n",
    ],
    ids=["type-alias", "type-parameters", "nested-f-string", "match"],
)
def test_newer_python_syntax_is_migrated(tmp_path: Path, snippet: str) -> None:
    (tmp_path / "new.py").write_text(SEED_TEXT + snippet)
    result = invoke(str(tmp_path))
    clean_exit(result)
    assert result.exit_code == 1, result.output
    assert (tmp_path / "new.py").read_text() == MIGRATED_SEED + snippet


@pytest.mark.parametrize("encoding", ["cp1252", "euc_jp"])
def test_legacy_encodings_are_kept(tmp_path: Path, encoding: str) -> None:
    word = "€uro" if encoding == "cp1252" else "画像"
    text = f"# -*- coding: {encoding} -*-\n# {word}\n" + SEED_TEXT
    (tmp_path / "legacy.py").write_bytes(text.encode(encoding))
    result = invoke(str(tmp_path))
    assert result.exit_code == 1, result.output
    data = (tmp_path / "legacy.py").read_bytes()
    assert word.encode(encoding) in data
    assert data.decode(encoding) == f"# -*- coding: {encoding} -*-\n# {word}\n" + MIGRATED_SEED


def corpus(directory: Path) -> None:
    """Enough files for the process pool: rewrites, refusals, a parse error, no IDG."""
    directory.mkdir()
    for case in (
        "seed_mirrored",
        "fit_generator_keras2",
        "refuse_unpacked_positional_arguments",
        "no_strategy_reported",
        "brightness_unit_data_note",
        "self_attribute_trainer",
    ):
        shutil.copy(ROOT / "fixtures" / case / "input.py", directory / f"{case}.py")
    (directory / "broken.py").write_text("from x import ImageDataGenerator\ndef (:\n")
    (directory / "plain.py").write_text("x = 1\n")


def test_parallel_output_is_byte_identical_to_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    corpus(serial)
    corpus(parallel)
    used: list[int] = []
    real_parallel = migrator.processing._parallel

    def spy(items: Sequence[object], *args: object) -> object:
        used.append(len(items))
        return real_parallel(items, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(migrator.processing, "_parallel", spy)
    # --diff prints every new source byte for byte, then the findings; stderr the errors.
    monkeypatch.chdir(serial)
    one = invoke("--jobs", "1", "--diff", ".")
    monkeypatch.chdir(parallel)
    two = invoke("--jobs", "2", "--diff", ".")
    assert used == [7]  # the pool really ran, on the files that pass the pre-filter
    assert one.exit_code == two.exit_code == 2
    assert "+++ b/seed_mirrored.py" in one.stdout and "broken.py:2:" in one.stderr
    assert one.stdout == two.stdout and one.stderr == two.stderr


def crash_on_doomed(
    items: Sequence[tuple[Path, str]], options: Options
) -> list[tuple[FileResult | None, str | None]]:
    """A worker that dies (as on a native crash) on `doomed.py`; runs in the pool."""
    if any(path.name == "doomed.py" for path, _ in items):
        os._exit(70)
    return migrator.processing._migrate_chunk(items, options)


def test_a_dying_worker_costs_only_its_file(tmp_path: Path) -> None:
    names = ["a.py", "b.py", "c.py", "doomed.py", "e.py", "f.py"]
    for name in names:
        shutil.copy(SEED, tmp_path / name)
    outcomes = process(
        [tmp_path / name for name in names], Options(), jobs=2, migrate_chunk=crash_on_doomed
    )
    assert [o.path.name for o in outcomes] == names
    for outcome in outcomes:
        if outcome.path.name == "doomed.py":
            assert outcome.result is None
            assert "internal error: the process analysing it stopped unexpectedly" in str(
                outcome.error
            )
        else:
            assert outcome.error is None
            assert outcome.result is not None and outcome.result.new_source == MIGRATED_SEED


def test_without_worker_processes_the_files_are_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def unavailable(*args: object, **kwargs: object) -> None:
        raise OSError(38, "Function not implemented")  # e.g. no /dev/shm in a sandbox

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", unavailable)
    names = ["a.py", "b.py", "c.py", "d.py"]
    for name in names:
        shutil.copy(SEED, tmp_path / name)
    outcomes = process([tmp_path / name for name in names], Options(), jobs=2)
    assert [o.result.new_source if o.result else o.error for o in outcomes] == [MIGRATED_SEED] * 4


def _group(pgid: int) -> list[int]:
    """The live (not zombie) processes of process group `pgid`, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # not a process, or it just ended
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":  # fields: state, ppid, pgrp
            members.append(int(entry))
    return members


def _ignores_sigint(pid: int) -> bool:
    import signal

    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            masks = [line.split()[1] for line in handle if line.startswith("SigIgn:")]
    except OSError:
        return False
    return bool(masks) and bool(int(masks[0], 16) & (1 << (signal.SIGINT - 1)))


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_ctrl_c_is_one_line_and_leaves_no_worker(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    # Enough work (tens of seconds) that the signal always lands mid-run.
    for index in range(400):
        shutil.copy(SEED, tmp_path / f"f{index}.py")
    # A terminal's Ctrl-C signals the whole process group: the CLI and its workers.
    child = subprocess.Popen(
        [sys.executable, "-m", "migrator", "--check", "--jobs", "2", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        # Analysing in the pool: both workers up and ignoring SIGINT (as they do once
        # started), however long the start takes on a loaded machine; no fixed sleep.
        workers = lambda: [p for p in _group(child.pid) if p != child.pid and _ignores_sigint(p)]  # noqa: E731
        assert _wait_for(lambda: len(workers()) == 2, 120), "the workers did not start"
        os.killpg(child.pid, signal.SIGINT)
        _, err = child.communicate(timeout=60)
        assert child.returncode == 130
        assert err == "migrate-aug: interrupted (files written so far are complete)\n"
        # No worker left running: the terminated workers are gone soon after the CLI.
        assert _wait_for(lambda: not _group(child.pid), 10), _group(child.pid)
    finally:  # a failure leaves no process behind either
        for pid in _group(child.pid):
            os.kill(pid, signal.SIGKILL)
        child.wait()


def test_a_closed_pipe_is_not_an_error_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    for index in range(3):
        shutil.copy(SEED, tmp_path / f"f{index}.py")
    # `migrate-aug --diff . | head -1`: the reader goes away after one line.
    child = subprocess.Popen(
        [sys.executable, "-m", "migrator", "--diff", "--jobs", "1", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"--- a/")
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=120) == 1
    for noise in ("Traceback", "internal error", "Exception ignored", "BrokenPipe"):
        assert noise not in err


def test_a_module_created_for_a_file_that_then_fails_goes_again(
    two: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The module is written just before its first file; when that file cannot be written
    (and no other file uses the module yet), the new module is removed: no debris."""
    real_replace = os.replace

    def replace(source: str, destination: str, *args: object, **kwargs: object) -> None:
        if Path(destination).name in ("a.py", "b.py"):
            raise OSError(28, "No space left on device")
        real_replace(source, destination, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    result = invoke("--jobs", "1", str(two))
    assert result.exit_code == 2
    assert f"{two / 'a.py'}: error: cannot write: No space left on device" in result.output
    assert not (two / "idg_tfdata.py").exists()
    assert sorted(p.name for p in two.iterdir()) == ["a.py", "b.py"]

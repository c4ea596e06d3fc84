"""Keras 2 originals run as they ran: under tf_keras with Keras 2's import paths.

Pure tests of which runtime a program gets, and one end-to-end run (three programs: a
Keras 2 script, its migration, and the migration with the step count truncated by int(),
MA004's old rewrite) through the child process; the same runs draw the pictures of the
HTML report (`verify --report`), whose page is tested here too."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from migrator.api import Options, migrate_source
from migrator.verify.compare import FAIL, INFO, compare, passed, runtime_check
from migrator.verify.runner import RunResult, run_program
from migrator.verify.runtime import KERAS2, KERAS3, choose_runtime, keras2_markers

PROGRAM = Path(__file__).resolve().parent / "programs" / "keras2_fit_generator.py"


# -- which runtime ----------------------------------------------------------------------------
def test_keras2_programs_are_recognised_by_what_keras3_cannot_run() -> None:
    source = (
        "from keras.preprocessing.image import ImageDataGenerator\n"
        "from keras.layers.core import Dense\n"
        "from tensorflow.python.keras.preprocessing import image\n"
        "opt = keras.optimizers.Adam(lr=0.1)\n"
        "model.fit_generator(gen, 10)\n"
        "model.fit(gen, workers=4)\n"
    )
    markers = keras2_markers(source)
    assert markers == [
        "imports ImageDataGenerator from keras.preprocessing.image (Keras 2) (line 1)",
        "imports keras.layers.core (removed in Keras 3) (line 2)",
        "imports tensorflow.python.keras.preprocessing (gone from TensorFlow 2.16+) (line 3)",
        "passes lr= to Adam (Keras 3 takes learning_rate=) (line 4)",
        "calls fit_generator() (removed in Keras 3) (line 5)",
        "passes workers= to fit() (Keras 2) (line 6)",
    ]
    assert choose_runtime(source).name == KERAS2


def test_keras3_programs_and_lookalikes_keep_the_environment() -> None:
    keras3 = (
        "import keras\nfrom keras.preprocessing.image import load_img\n"
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "model.fit(gen, steps_per_epoch=10)\n"
        "# model.fit_generator(gen) in a comment\n"
    )
    assert keras2_markers(keras3) == []
    # A class with its own fit_generator method is not Keras 2's.
    own = "class T:\n    def fit_generator(self):\n        pass\n\nT().fit_generator()\n"
    assert keras2_markers(own) == []
    assert choose_runtime(keras3).name == KERAS3
    assert choose_runtime("not python (").name == KERAS3


def test_the_user_can_choose() -> None:
    assert choose_runtime("import keras\n", "keras2").name == KERAS2
    assert choose_runtime(PROGRAM.read_text(), "keras3").name == KERAS3


def test_the_runtime_row_says_what_each_side_ran_under() -> None:
    old = {"runtime": {"name": "keras2", "keras": "2.21.0"}, "framework": "tf_keras"}
    new = {"runtime": {"name": "keras3", "keras": "3.15.1"}, "framework": "keras"}
    check = runtime_check(old, new)
    assert check.status == INFO
    assert (check.original, check.migrated) == ("Keras 2 (tf_keras 2.21.0)", "Keras 3.15.1")
    own = {"runtime": {"name": "keras3", "keras": "3.15.1"}, "framework": "tf_keras"}
    assert runtime_check(own, new).original == "tf_keras (its own import)"


# -- end to end ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, RunResult]:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras")
    workdir = tmp_path_factory.mktemp("keras2")
    source = PROGRAM.read_text()
    migrated = migrate_source(source, PROGRAM.name, Options()).new_source
    assert "steps_per_epoch=math.ceil(len(x_train) / batch_size)" in migrated
    truncated = migrated.replace(
        "steps_per_epoch=math.ceil(len(x_train) / batch_size)",
        "steps_per_epoch=int(len(x_train) / batch_size)",
    )
    programs = {"original": (str(PROGRAM), KERAS2)}
    for name, text in (("migrated", migrated), ("truncated", truncated)):
        path = workdir / f"{name}.py"
        path.write_text(text)
        programs[name] = (str(path), KERAS3)

    def run(name: str) -> tuple[str, RunResult]:
        program, runtime = programs[name]
        log = str(workdir / f"{name}.log")
        pictures = str(workdir / "report" / name)  # for the HTML report's test
        return name, run_program(
            program, log=log, workdir=str(workdir), budget=0.2, runtime=runtime, pictures=pictures
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, programs))


def test_the_keras2_original_runs_under_tf_keras_and_its_migration_passes(runs) -> None:
    original = runs["original"].record
    assert original["status"] == "ok", original.get("log_tail")
    assert original["runtime"]["name"] == "keras2" and original["runtime"]["keras"].startswith("2.")
    assert original["framework"] == "tf_keras"
    assert original["steps_per_epoch"] == 5  # 36 / 8 = 4.5: Keras 2's loop runs 5 steps
    assert original["validation_steps"] == 3  # 20 / 8 = 2.5
    migrated = runs["migrated"].record
    assert migrated["runtime"]["name"] == "keras3" and migrated["framework"] == "keras"
    checks = compare(original, migrated)
    assert passed(checks), [(c.name, c.detail) for c in checks if c.status == FAIL]


def test_a_truncated_step_count_fails_on_steps_per_epoch(runs) -> None:
    checks = compare(runs["original"].record, runs["truncated"].record)
    failed = [c for c in checks if c.status == FAIL]
    assert [(c.name, c.original, c.migrated) for c in failed] == [("steps per epoch", "5", "4")]


def test_the_html_report_shows_both_programs(runs) -> None:
    from PIL import Image

    from migrator.verify.html_report import write_report
    from migrator.verify.report import Verification

    pair = {"original": runs["original"], "migrated": runs["migrated"]}
    reasons = list(choose_runtime(PROGRAM.read_text()).reasons)  # as verify_pair adds them
    pair["original"].record["runtime"]["reasons"] = reasons
    checks = compare(pair["original"].record, pair["migrated"].record)
    checks.insert(1, runtime_check(pair["original"].record, pair["migrated"].record))
    verification = Verification("orig.py", "mig.py", 3, checks, pair, ["data/x: stand-in"])
    report = Path(runs["original"].record["train"]["pictures"]["directory"]).parent
    page = Path(write_report(str(report), verification))
    text = page.read_text()
    assert "PASS" in text and "Keras 2 (tf_keras" in text and "Keras 3" in text
    assert "calls fit_generator() (removed in Keras 3)" in text  # why the original ran so
    assert text.count("<svg") == 2 and "steps per epoch" in text and "data/x: stand-in" in text
    sources = re.findall(r"<img src='([^']+)'", text)
    assert "original/first_batch.png" in sources and "migrated/first_batch.png" in sources
    assert any(s.startswith("migrated/augmented-") for s in sources)  # same source rows
    for source in sources:  # every picture the page shows is there and decodes
        with Image.open(report / source) as image:
            image.load()
            assert image.mode == "RGB" and min(image.size) >= 8
    with Image.open(report / "original" / "first_batch.png") as grid:
        assert grid.size == (8 * 100 + 4, 100 + 4)  # 8 images of 8 px shown at 96 px, 4 px gaps

"""Stand-in data for programs that read theirs from disk (pure: no TensorFlow, no runs)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrator.verify.command import verify
from migrator.verify.png import write_png
from migrator.verify.standin import (
    IMAGES_PER_CLASS,
    find_data_needs,
    parse_mapping,
    stage,
    stand_ins,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PROGRAM = """
import os
import pandas as pd
IMAGE_SIZE = (32, 24)
labels = pd.read_csv("data/labels.csv")
train = d.flow_from_dataframe(labels, "data/images", x_col="id", y_col="y",
                              target_size=IMAGE_SIZE, class_mode="raw")
test = d.flow_from_directory(os.path.join("..", "input", "test"), IMAGE_SIZE,
                             classes=["cat", "dog", "fox"])
unknown = d.flow_from_directory(somewhere(), target_size=IMAGE_SIZE)
"""


def test_the_programs_data_paths_and_parameters_are_read() -> None:
    csv, directory = find_data_needs(PROGRAM)
    assert (csv.kind, csv.path, csv.image_dir, csv.x_col, csv.y_col) == (
        "csv",
        "data/labels.csv",
        "data/images",
        "id",
        "y",
    )
    assert csv.target_size == (32, 24) and csv.class_mode == "raw"
    assert (directory.kind, directory.path, directory.target_size) == (
        "directory",
        os.path.join("..", "input", "test"),
        (32, 24),
    )
    assert directory.classes == ("cat", "dog", "fox")
    assert find_data_needs("not python (") == []


def test_stand_ins_are_written_and_staged_where_the_program_looks(tmp_path) -> None:
    from PIL import Image

    project = tmp_path / "project" / "work"
    project.mkdir(parents=True)
    (project / "train.py").write_text(PROGRAM)
    (project / "helpers.py").write_text("X = 1\n")
    (project / "data").mkdir()
    (project / "data" / "notes.txt").write_text("the user's own file\n")
    mapping, notes = stand_ins(PROGRAM, str(project), tmp_path / "made")
    assert len(notes) == 2 and "3 classes (cat, dog, fox)" in notes[1]
    staged = Path(stage(str(project / "train.py"), mapping, tmp_path / "stage"))
    # `../input/test` climbs one level: the program is staged one level down.
    assert staged == tmp_path / "stage" / "work" / "train.py"
    here = staged.parent
    assert (here / "helpers.py").read_text() == "X = 1\n"
    assert (here / "data" / "notes.txt").read_text() == "the user's own file\n"
    rows = (here / "data" / "labels.csv").read_text().splitlines()
    assert rows[0] == "id,y" and rows[1] == "image_0.png,0.0" and len(rows) == 17
    with Image.open(here / "data" / "images" / "image_0.png") as image:
        assert image.size == (24, 32) and image.mode == "RGB"  # (width, height)
    fox = sorted((here / ".." / "input" / "test" / "fox").iterdir())
    assert len(fox) == IMAGES_PER_CLASS
    # The user's directory is as it was.
    assert sorted(p.name for p in project.iterdir()) == ["data", "helpers.py", "train.py"]
    assert [p.name for p in (project / "data").iterdir()] == ["notes.txt"]


def test_existing_and_absolute_paths_are_not_stood_in(tmp_path) -> None:
    (tmp_path / "data" / "train").mkdir(parents=True)
    source = 'a.flow_from_directory("data/train")\nb.flow_from_directory("/mnt/x")\n'
    mapping, notes = stand_ins(source, str(tmp_path), tmp_path / "made")
    assert mapping == {}
    assert notes == [
        "data/train: the program's own data",
        "/mnt/x: absolute, cannot be stood in (use a relative path)",
    ]


def test_png_writer(tmp_path) -> None:
    from PIL import Image

    pixels = bytes(range(256))[: 4 * 3 * 3] * 1
    write_png(tmp_path / "a.png", 3, 4, pixels)
    with Image.open(tmp_path / "a.png") as image:
        assert image.size == (3, 4) and image.tobytes() == pixels


def test_data_mappings_are_checked(tmp_path) -> None:
    assert parse_mapping(f"data/train={tmp_path}") == ("data/train", str(tmp_path))
    for wrong in ("data/train", "/abs=" + str(tmp_path), "data=" + str(tmp_path / "none")):
        with pytest.raises(ValueError):
            parse_mapping(wrong)
    program = str(FIXTURES / "directory_stand_in_data" / "input.py")
    result = CliRunner().invoke(verify, [program, program, "--data", "nothing"])
    assert result.exit_code == 2 and "is not PATH=DIR" in result.output

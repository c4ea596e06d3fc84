"""Discovery: which files are processed, gitignore-style excludes, named files and symlinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from migrator.discovery import DEFAULT_EXCLUDE, Excluder, discover


def tree(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def relative(files: list[Path], root: Path) -> list[str]:
    return [file.relative_to(root).as_posix() for file in files]


def defaults(root: Path) -> Excluder:
    return Excluder((pattern, root) for pattern in DEFAULT_EXCLUDE)


def test_python_and_notebooks_sorted_default_excludes_pruned(tmp_path: Path) -> None:
    tree(
        tmp_path,
        "b.py",
        "a.ipynb",
        "notes.txt",
        "pkg/z.py",
        "pkg/.ipynb_checkpoints/a-checkpoint.ipynb",
        ".venv/lib/site.py",
        "venv/x.py",
        "build/lib/pkg/z.py",
        ".git/hooks/h.py",
        "src/site-packages/dep.py",
        "node_modules/n.py",
    )
    found = discover([str(tmp_path)], defaults(tmp_path))
    assert relative(found.files, tmp_path) == ["a.ipynb", "b.py", "pkg/z.py"]
    assert found.errors == []


def test_gitignore_patterns(tmp_path: Path) -> None:
    tree(
        tmp_path,
        "keep.py",
        "old_legacy.py",
        "sub/old_legacy.py",
        "sub/gen_a.py",
        "gen_b.py",
        "data/x.py",
        "deep/a/b/data.py",
        "deep/a/b/skip_me/c.py",
        "sub/important_legacy.py",
    )
    excluder = Excluder(
        (pattern, tmp_path)
        for pattern in [
            "*_legacy.py",  # no slash: any directory
            "/sub/gen_*.py",  # leading slash: anchored
            "data/",  # directories only (deep/a/b/data.py is a file)
            "deep/**/skip_me",
            "!sub/important_legacy.py",  # the last match wins
        ]
    )
    found = discover([str(tmp_path)], excluder)
    assert relative(found.files, tmp_path) == [
        "deep/a/b/data.py",
        "gen_b.py",
        "keep.py",
        "sub/important_legacy.py",
    ]


def test_named_files_are_processed_unless_force_exclude(tmp_path: Path) -> None:
    tree(tmp_path, "build/gen.py", "build/deeper/x.py", "venv_notes.py")
    excluder = defaults(tmp_path)
    named = [str(tmp_path / "build" / "gen.py"), str(tmp_path / "venv_notes.py")]
    assert relative(discover(named, excluder).files, tmp_path) == ["build/gen.py", "venv_notes.py"]
    forced = discover(named, excluder, force_exclude=True, root=tmp_path)
    assert relative(forced.files, tmp_path) == ["venv_notes.py"]
    # A named directory is walked (it was asked for) unless force_exclude prunes it.
    assert relative(discover([str(tmp_path / "build")], excluder).files, tmp_path) == [
        "build/deeper/x.py",
        "build/gen.py",
    ]
    assert (
        discover([str(tmp_path / "build")], excluder, force_exclude=True, root=tmp_path).files == []
    )


def test_force_exclude_only_looks_at_directories_below_the_root(tmp_path: Path) -> None:
    # The project itself lives in a directory called `build`: that must not exclude it.
    project = tmp_path / "build" / "project"
    tree(project, "train.py")
    found = discover(
        [str(project / "train.py")], defaults(project), force_exclude=True, root=project
    )
    assert relative(found.files, project) == ["train.py"]


def test_symlinks_are_not_followed_while_walking(tmp_path: Path) -> None:
    tree(tmp_path, "outside/secret.py", "root/real.py")
    root = tmp_path / "root"
    (root / "link.py").symlink_to(tmp_path / "outside" / "secret.py")
    (root / "linked_dir").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert relative(discover([str(root)]).files, root) == ["real.py"]


def test_missing_paths_and_duplicates(tmp_path: Path) -> None:
    tree(tmp_path, "a.py")
    found = discover([str(tmp_path), str(tmp_path / "a.py"), str(tmp_path / "nope.py")])
    assert relative(found.files, tmp_path) == ["a.py"]
    assert found.errors == [f"{tmp_path / 'nope.py'}: error: no such file or directory"]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.py", "a/b/c.py", True),
        ("a/*.py", "a/b/c.py", False),  # `*` does not cross `/`
        ("a/**/c.py", "a/b/c.py", True),
        ("a/**/c.py", "a/c.py", True),  # `**/` also matches no directory
        ("c.[pq]y", "c.py", True),
        ("c.[!p]y", "c.py", False),
        ("?.py", "ab.py", False),
    ],
)
def test_pattern_matching(tmp_path: Path, pattern: str, path: str, expected: bool) -> None:
    assert Excluder([(pattern, tmp_path)]).excluded(tmp_path / path, False) is expected

"""The cheap gates before libcst: a file that only mentions the names is not analysed."""

from __future__ import annotations

from migrator import codemod
from migrator.api import migrate_source

MENTIONS_ONLY = '''"""Docs about ImageDataGenerator and fit_generator."""
# model.fit_generator(ImageDataGenerator().flow(x, y))
TEXT = "ImageDataGenerator(rotation_range=20)"
'''


def test_mentions_in_strings_and_comments_skip_the_parser(monkeypatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("libcst should not run")

    monkeypatch.setattr(codemod.cst, "parse_module", fail)
    result = migrate_source(MENTIONS_ONLY, "docs.py")
    assert not result.changed and result.diagnostics == []


def test_names_in_code_reach_the_codemod() -> None:
    for source in (
        "from keras.preprocessing import image\ng = image.ImageDataGenerator()\n",
        "model.fit_generator(batches, 3)\n",
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n",
        "print(f'{ImageDataGenerator}')\n",
    ):
        assert codemod._names_a_marker(source), source
    assert not codemod._names_a_marker(MENTIONS_ONLY)


def test_source_python_cannot_parse_still_goes_to_libcst() -> None:
    # 3.12 syntax on 3.11, or an outright error: libcst decides (and reports).
    assert codemod._names_a_marker("def f[T](x: T) -> T: return x\n# ImageDataGenerator\n")


def test_nesting_beyond_python_limits_is_refused_before_libcst() -> None:
    import pytest

    from migrator.api import SourceParseError

    absurd = "x = " + "[" * 5000 + "ImageDataGenerator" + "]" * 5000 + "\n"
    with pytest.raises(SourceParseError, match="too many nested parentheses"):
        migrate_source(absurd, "absurd.py")

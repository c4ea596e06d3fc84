"""docs/arguments.md and docs/rules.md are generated and current, and what they are generated
from agrees with the code: the real ImageDataGenerator's signatures, the emitters' parameter
lists, the fidelity tests they name, the fixtures each rule names."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from migrator import docs
from migrator.arguments import CATALOGUE, GENERAL, METHODS, arguments_of, parameter_names
from migrator.rules import RULES, RULES_BY_CODE
from tests.fixture_cases import FIXTURES, read

ROOT = Path(__file__).resolve().parent.parent
STALE = f"is stale: regenerate it with `{docs.REGENERATE}` and commit the result"


@pytest.mark.parametrize("name", ["docs/arguments.md", "docs/rules.md", docs.EXAMPLES])
def test_generated_docs_are_current(name: str) -> None:
    path = ROOT / name
    assert path.exists(), f"{name} is missing: generate it with `{docs.REGENERATE}`"
    assert path.read_text(encoding="utf-8") == docs.outputs()[path], f"{name} {STALE}"


def test_check_mode_reports_stale_docs(tmp_path, monkeypatch, capsys) -> None:
    """`--check` exits 1 and names the file when a generated file differs, writes nothing."""
    monkeypatch.setattr(docs, "DOCS", tmp_path)
    monkeypatch.setattr(docs, "ROOT", tmp_path.parent)
    (tmp_path / "rules.md").write_text("old\n")
    assert docs.main(["--check"]) == 1
    assert "rules.md" in capsys.readouterr().out
    assert (tmp_path / "rules.md").read_text() == "old\n"
    assert docs.main([]) == 0 and docs.main(["--check"]) == 0


# -- the argument catalogue ---------------------------------------------------------------
def _signature(method: str, module: str = "keras.src.legacy.preprocessing.image") -> list[str]:
    # The oracle: IDG as Keras 3 ships it (and tf_keras, for programs that use it).
    ImageDataGenerator = importlib.import_module(module).ImageDataGenerator  # noqa: N806
    function = getattr(ImageDataGenerator, "__init__" if method == "ImageDataGenerator" else method)
    names = []
    for parameter in list(inspect.signature(function).parameters.values())[1:]:  # no self
        kind = parameter.kind
        names.append(f"**{parameter.name}" if kind is parameter.VAR_KEYWORD else parameter.name)
    return names


def test_catalogue_lists_every_parameter_of_the_real_signatures_in_order() -> None:
    for method in METHODS:
        listed = [argument.name for argument in arguments_of(method)]
        assert listed == _signature(method), f"the catalogue's {method} arguments differ"


def test_tf_keras_signatures_are_the_same() -> None:
    pytest.importorskip("tf_keras")
    for method in METHODS:
        assert _signature(method, "tf_keras.src.preprocessing.image") == _signature(method)


def test_emitters_take_their_parameter_lists_from_the_same_signatures() -> None:
    from migrator.analysis.idg_config import IDG_PARAMETERS
    from migrator.codemod import IDG_FIT_PARAMETERS
    from migrator.emit.dataframe import DATAFRAME_PARAMETERS, KEPT_DATAFRAME_PARAMETERS
    from migrator.emit.directory import (
        DIRECTORY_PARAMETERS,
        DROPPED_DIRECTORY_PARAMETERS,
        KEPT_DIRECTORY_PARAMETERS,
    )
    from migrator.emit.pipeline import DROPPED_FLOW_PARAMETERS, FLOW_PARAMETERS

    assert IDG_PARAMETERS == parameter_names("ImageDataGenerator")
    assert FLOW_PARAMETERS == parameter_names("flow")
    assert DIRECTORY_PARAMETERS == parameter_names("flow_from_directory")
    assert DATAFRAME_PARAMETERS == parameter_names("flow_from_dataframe")
    assert IDG_FIT_PARAMETERS == parameter_names("fit")
    # "dropped" in the docs = left out of the rewritten call by the code.
    assert DROPPED_FLOW_PARAMETERS == _only_dropped("flow")
    assert DROPPED_DIRECTORY_PARAMETERS == _ever_dropped("flow_from_directory")
    assert KEPT_DIRECTORY_PARAMETERS == tuple(
        name for name in DIRECTORY_PARAMETERS if name not in _ever_dropped("flow_from_directory")
    )
    assert set(DATAFRAME_PARAMETERS) - set(KEPT_DATAFRAME_PARAMETERS) == _ever_dropped(
        "flow_from_dataframe"
    ) - {"**kwargs"}


def _ever_dropped(method: str) -> frozenset[str]:
    return frozenset(
        a.name for a in arguments_of(method) if any(c.status == "dropped" for c in a.cases)
    )


def _only_dropped(method: str) -> frozenset[str]:
    return frozenset(
        a.name for a in arguments_of(method) if all(c.status == "dropped" for c in a.cases)
    )


@cache
def _test_functions(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(node.name for node in tree.body if isinstance(node, ast.FunctionDef))


def test_every_case_is_complete_and_names_real_tests() -> None:
    for argument in (*CATALOGUE, *GENERAL):
        assert argument.cases, argument.name
        for case in argument.cases:
            where = f"{argument.method}({argument.name}) [{case.when}]"
            if case.status == "exact":
                assert case.tests, f"{where}: an exact case names no test"
                for test in case.tests:
                    path, _, function = test.partition("::")
                    assert path.startswith(("tests/emit/", "tests/runtime/")), f"{where}: {test}"
                    assert function.startswith("test_"), f"{where}: {test}"
                    assert function in _test_functions(path), f"{where}: no {test}"
            elif case.status == "refused":
                assert case.code in RULES_BY_CODE, f"{where}: unknown code {case.code}"
                assert RULES_BY_CODE[case.code].kind == "refusal", where
                assert case.reason and case.example is not None, where
            else:
                assert case.reason and not case.tests and case.code is None, where


def test_missing_test_functions_are_detected() -> None:
    """The existence check above can fail."""
    assert "test_affine_resample_matches_idg" in _test_functions(
        "tests/emit/test_augment_fidelity.py"
    )
    assert "test_no_such_thing" not in _test_functions("tests/emit/test_augment_fidelity.py")


def test_package_modules_do_not_import_tensorflow() -> None:
    code = "import sys, migrator.docs, migrator.arguments; print('tensorflow' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


# -- rules and their fixtures -------------------------------------------------------------
def _codes_in(case: Path) -> set[str]:
    lines = read(case / "diagnostics.txt").splitlines()
    return {line.split()[1] for line in lines if line and not line.startswith("  help: ")}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_every_rule_has_a_fixture_that_shows_it(rule) -> None:
    case = FIXTURES / rule.example
    assert rule.example and (case / "input.py").exists(), (
        f"{rule.code} names no example fixture: set Rule(example=...) in migrator/rules.py"
    )
    assert rule.code in _codes_in(case), f"fixtures/{rule.example} does not show {rule.code}"
    rewritten = read(case / "input.py") != read(case / "expected.py")
    assert rewritten == (rule.kind in ("rewrite", "note")), rule.code


def test_shortened_rewrite_keeps_signatures_and_drops_bodies() -> None:
    original = "def train():\n    pass\n"
    expected = (
        "def train():\n    pass\n\n\ndef added(x):\n"
        '    """First line\n    of the summary.\n\n    More."""\n'
        "    def inner():\n        return 1\n    return x\n"
    )
    shortened = docs.shorten_emitted(expected, original)
    assert shortened == (
        'def train():\n    pass\n\n\ndef added(x):\n    """First line of the summary."""\n    ...\n'
    )

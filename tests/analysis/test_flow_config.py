"""FlowSpec: the flow call bound and evaluated once, as the planner reads it."""

from __future__ import annotations

import libcst as cst

from migrator.analysis.constants import ScopeConstants
from migrator.analysis.flow_config import FlowMethod, FlowSpec, parse_flow_call
from migrator.analysis.sites import SiteFinder
from migrator.model import UNKNOWN


def _spec(source: str, method: FlowMethod) -> FlowSpec:
    module = cst.parse_module(source)
    finder = SiteFinder(cst.MetadataWrapper(module, unsafe_skip_copy=True))
    call = cst.ensure_type(
        cst.ensure_type(finder.module.body[-1], cst.SimpleStatementLine).body[0], cst.Expr
    ).value
    return parse_flow_call(cst.ensure_type(call, cst.Call), method, ScopeConstants(finder), module)


def test_file_arguments_are_bound_in_signature_order_and_evaluated() -> None:
    spec = _spec(
        "SIZE = (64, 64)\nd.flow_from_directory('data', SIZE, class_mode=mode, batch_size=2 * 8)\n",
        "flow_from_directory",
    )
    assert spec.from_files and not spec.unpacked
    assert dict(spec.values) == {
        "directory": "data",
        "target_size": (64, 64),
        "class_mode": UNKNOWN,
        "batch_size": 16,
    }
    assert spec.sources["batch_size"] == "2 * 8"
    assert isinstance(spec.arguments["target_size"], cst.Name)


def test_flow_keeps_both_bindings_around_a_star_argument() -> None:
    # As written, `*pair` takes the first position; the emitted function receives `*pair`
    # as flow() does, so without it `w` is the first listed argument.
    spec = _spec("d.flow(*pair, w, batch_size=4)\n", "flow")
    assert spec.unpacked and not spec.from_files
    assert cst.ensure_type(spec.arguments["y"], cst.Name).value == "w"
    assert cst.ensure_type(spec.listed["x"], cst.Name).value == "w"
    assert spec.problems == ("`*` argument unpacking",)
    assert spec.listed_problems == ()
    assert dict(spec.values) == {}  # flow()'s arguments are arrays: not evaluated


def test_a_known_keyword_dict_is_expanded_into_the_file_call() -> None:
    spec = _spec(
        "SIZE = (64, 64)\nBASE = dict(target_size=SIZE, batch_size=8)\n"
        "KW = {**BASE, 'interpolation': 'bilinear'}\n"
        "d.flow_from_directory('data', subset='training', **KW)\n",
        "flow_from_directory",
    )
    assert not spec.unpacked
    assert dict(spec.expanded) == {"KW": ("target_size", "batch_size", "interpolation")}
    assert spec.values["target_size"] == (64, 64)
    assert spec.values["interpolation"] == "bilinear"
    assert spec.values["subset"] == "training"


def test_a_keyword_dict_that_may_change_or_repeats_an_argument_stays_unpacked() -> None:
    changed = "KW = dict(batch_size=8)\nKW['batch_size'] = 4\nd.flow_from_directory('data', **KW)\n"
    twice = "KW = dict(batch_size=8)\nd.flow_from_directory('data', batch_size=4, **KW)\n"
    for source in (changed, twice):
        spec = _spec(source, "flow_from_directory")
        assert spec.unpacked and not spec.expanded
        assert "batch_size" not in spec.values or spec.values["batch_size"] == 4


def test_expanded_literals_are_written_as_formatters_write_them() -> None:
    from migrator.analysis.flow_config import written

    assert written("bilinear") == '"bilinear"'
    assert written("it's") == '"it\'s"'
    assert written('say "hi"') == "'say \"hi\"'"
    assert written((224, 224)) == "(224, 224)" and written((1,)) == "(1,)"
    assert written(["a", {"b": None}]) == '["a", {"b": None}]'
    for value in ("x", "it's", 'a"b', "a'\"b", ("a", 1.5), [True, None], {"k": ("v",)}):
        assert eval(written(value)) == value

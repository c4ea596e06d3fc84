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

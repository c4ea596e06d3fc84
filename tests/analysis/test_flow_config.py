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


def test_a_known_keyword_dict_is_expanded_into_flow() -> None:
    # flow()'s own `**kwargs` (issue #17, item 3), as flow_from_directory's: a dict bound
    # once in reach, here merged from another and naming a module constant.
    spec = _spec(
        "BATCH = 32\nBASE = dict(batch_size=BATCH)\nflow_kwargs = {**BASE, 'shuffle': True}\n"
        "d.flow(x, y, seed=1, **flow_kwargs)\n",
        "flow",
    )
    assert not spec.unpacked and spec.problems == () and spec.listed_problems == ()
    assert dict(spec.expanded) == {"flow_kwargs": ("batch_size", "shuffle")}
    for binding in (spec.arguments, spec.listed):
        assert cst.ensure_type(binding["x"], cst.Name).value == "x"
        assert cst.ensure_type(binding["batch_size"], cst.Integer).value == "32"
        assert cst.ensure_type(binding["shuffle"], cst.Name).value == "True"
    assert spec.sources["seed"] == "1" and spec.sources["batch_size"] == "32"
    # Arrays too: the dict's own expressions, passed on in it.
    spec = _spec("flow_kwargs = dict(x=x_train, batch_size=8)\nd.flow(**flow_kwargs)\n", "flow")
    assert not spec.unpacked and spec.listed_problems == ()
    assert spec.sources["x"] == "x_train" and spec.sources["batch_size"] == "8"


def test_a_flow_keyword_dict_that_is_not_known_stays_refused() -> None:
    # A dict rebound later, a key given twice, a parameter's dict.
    for source in (
        "KW = dict(batch_size=8)\nKW = dict(batch_size=4)\nd.flow(x, **KW)\n",
        "KW = dict(batch_size=8)\nd.flow(x, batch_size=4, **KW)\n",
        "def f(x, kw):\n    d.flow(x, **kw)\nd.flow(x, **kw)\n",
    ):
        spec = _spec(source, "flow")
        assert spec.unpacked and not spec.expanded, source
        assert spec.listed_problems == ("`**` argument unpacking",), source
    # With `*pair` too, each binding keeps its own problems.
    spec = _spec("d.flow(*pair, **kw)\n", "flow")
    assert spec.problems == ("`*` argument unpacking", "`**` argument unpacking")
    assert spec.listed_problems == ("`**` argument unpacking",)


def _inner_call(source: str, method: FlowMethod) -> FlowSpec:
    """The spec of the call on the last line of the module's first function."""
    finder = SiteFinder(cst.MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True))
    function = cst.ensure_type(finder.module.body[0], cst.FunctionDef)
    line = cst.ensure_type(function.body.body[-1], cst.SimpleStatementLine)
    call = cst.ensure_type(cst.ensure_type(line.body[0], cst.Expr).value, cst.Call)
    return parse_flow_call(call, method, ScopeConstants(finder), finder.module)


def test_a_dict_built_once_from_expressions_is_expanded_entry_by_entry() -> None:
    # The cnnClassifier template: the values are the config's, read where the dict is built;
    # `**dataflow_kwargs` passes exactly those on. Literal entries are still evaluated.
    spec = _inner_call(
        "def valid(self):\n"
        "    dataflow_kwargs = dict(\n"
        "        target_size=self.size[:-1], batch_size=self.batch, interpolation='bilinear'\n"
        "    )\n"
        "    d.flow_from_directory(directory=self.data, subset='validation', **dataflow_kwargs)\n",
        "flow_from_directory",
    )
    assert not spec.unpacked
    assert dict(spec.expanded) == {
        "dataflow_kwargs": ("target_size", "batch_size", "interpolation")
    }
    assert spec.values["interpolation"] == "bilinear"
    assert spec.values["batch_size"] is UNKNOWN and spec.sources["batch_size"] == "self.batch"
    assert spec.sources["target_size"] == "self.size[:-1]"


def test_a_dict_of_expressions_that_may_change_stays_unpacked() -> None:
    for body in (
        "    kw = dict(batch_size=self.batch)\n    kw['seed'] = 1\n",
        "    kw = dict(batch_size=self.batch)\n    other = kw\n",
        "    kw = dict(batch_size=self.batch)\n    kw.update(seed=1)\n",
        "    if self.big:\n        kw = dict(batch_size=self.batch)\n",
        "    kw = {self.key: 1}\n",
        "    dict = make\n    kw = dict(batch_size=self.batch)\n",
    ):
        source = f"def f(self):\n{body}    d.flow_from_directory('data', **kw)\n"
        spec = _inner_call(source, "flow_from_directory")
        assert spec.unpacked and not spec.expanded, body


def test_expanded_literals_are_written_as_formatters_write_them() -> None:
    from migrator.analysis.flow_config import written

    assert written("bilinear") == '"bilinear"'
    assert written("it's") == '"it\'s"'
    assert written('say "hi"') == "'say \"hi\"'"
    assert written((224, 224)) == "(224, 224)" and written((1,)) == "(1,)"
    assert written(["a", {"b": None}]) == '["a", {"b": None}]'
    for value in ("x", "it's", 'a"b', "a'\"b", ("a", 1.5), [True, None], {"k": ("v",)}):
        assert eval(written(value)) == value

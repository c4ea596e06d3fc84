import textwrap

import libcst as cst
import pytest

from migrator.analysis.sites import SiteFinder
from migrator.analysis.strategy import StrategyIndex


def fit_is_distributed(code: str) -> bool:
    wrapper = cst.MetadataWrapper(cst.parse_module(textwrap.dedent(code)))
    finder = SiteFinder(wrapper)
    index = StrategyIndex(wrapper.module, finder.qualified, finder.parents)
    fits: list[cst.Call] = []

    class _Fits(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "fit":
                fits.append(node)

    wrapper.module.visit(_Fits())
    assert len(fits) == 1
    return index.is_distributed(fits[0])


@pytest.mark.parametrize(
    "strategy",
    [
        "tf.distribute.MirroredStrategy()",
        "tf.distribute.MultiWorkerMirroredStrategy()",
        "tf.distribute.experimental.MultiWorkerMirroredStrategy()",
        "tf.distribute.TPUStrategy(resolver)",
        "tf.distribute.experimental.CentralStorageStrategy()",
        "tf.distribute.OneDeviceStrategy('/gpu:0')",
        "tf.distribute.get_strategy()",
    ],
)
def test_every_strategy_kind(strategy: str) -> None:
    assert fit_is_distributed(
        f"""
        import tensorflow as tf
        strategy = {strategy}
        with strategy.scope():
            model = make()
        model.fit(data)
        """
    )


def test_model_built_by_a_function_that_enters_the_scope() -> None:
    assert fit_is_distributed(
        """
        from tensorflow.distribute import MirroredStrategy
        def build(strategy):
            with strategy.scope():
                net = make()
            return net
        model = build(MirroredStrategy())
        model.fit(data)
        """
    )


def test_fit_in_a_function_called_inside_the_scope() -> None:
    assert fit_is_distributed(
        """
        import tensorflow as tf
        def train(model):
            model.fit(data)
        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            train(make())
        """
    )


def test_self_attribute_strategy() -> None:
    assert fit_is_distributed(
        """
        import tensorflow as tf
        class T:
            def __init__(self):
                self.strategy = tf.distribute.MirroredStrategy()
                with self.strategy.scope():
                    self.model = make()
            def train(self):
                self.model.fit(data)
        """
    )


def test_no_strategy() -> None:
    assert not fit_is_distributed(
        """
        import tensorflow as tf
        model = make()
        model.fit(data)
        """
    )


def test_model_built_outside_the_scope_is_not_distributed() -> None:
    assert not fit_is_distributed(
        """
        import tensorflow as tf
        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            other = make()
        model = make()
        model.fit(data)
        """
    )


def test_unrelated_scope_method_is_not_a_strategy() -> None:
    assert not fit_is_distributed(
        """
        import tensorflow as tf
        with graph.scope():
            model = make()
        model.fit(data)
        """
    )


def test_scope_bound_to_a_name_then_entered() -> None:
    assert fit_is_distributed(
        """
        import tensorflow as tf
        strategy = tf.distribute.MirroredStrategy()
        scope = strategy.scope()
        with scope:
            model = make()
        model.fit(data)
        """
    )


@pytest.mark.parametrize(
    "binding",
    [
        "scope = graph.scope()",  # not a strategy's scope
        "scope = strategy.scope()\nscope = contextlib.nullcontext()",  # bound twice
        "scope = contextlib.nullcontext()",
    ],
)
def test_other_scope_names_are_not_a_strategy(binding: str) -> None:
    # `make()` alone would be untraceable; the model is bound in the with block so only the
    # with statement decides.
    code = (
        "import contextlib\nimport tensorflow as tf\nstrategy = None\n"
        + binding
        + ("\nwith scope:\n    model = make()\nmodel.fit(data)\n")
    )
    assert not fit_is_distributed(code)

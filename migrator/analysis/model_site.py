"""Where `--augment-on replica` can put a generator's augmentation: the Keras model that
its flow() trains, found in the same file, and the place at that model's input.

`find_model_site(finder, site, ...)` returns a `ModelSite` when a layer added at the
model's input changes nothing but where the augmentation runs, else the reason (a
sentence) why the augmentation must stay in the host pipeline. Conservative on purpose:
every use of the model must be one the tool knows is unaffected by the added layer.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import GlobalScope, Scope

from migrator.analysis.tree import Tree
from migrator.analysis.uses import GeneratorSite

# Where Keras lives, by the qualified names users import it under.
KERAS_ROOTS = ("tensorflow.keras", "keras", "tf_keras")
# Model methods that cannot see the added layer act differently: it is inactive outside
# training, and it has no weights (saving and loading are unchanged).
SAFE_METHODS = frozenset(
    {
        "compile",
        "evaluate",
        "predict",
        "predict_on_batch",
        "test_on_batch",
        "summary",
        "save",
        "save_weights",
        "load_weights",
        "count_params",
        "get_layer",
        "to_json",
        "get_config",
    }
)
TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})
# Layer arguments that give a Sequential model its input shape from its first layer.
INPUT_SHAPE_ARGUMENTS = ("input_shape", "batch_input_shape", "input_dim", "batch_shape")
ROLE_NAMES = {"validation": "validation_data", "evaluate": "evaluate()", "predict": "predict()"}


def keras_class(qualified: Collection[str], names: Collection[str]) -> str | None:
    """The Keras root ("tensorflow.keras", "keras", "tf_keras") when one of the
    qualified names is `<root>.<name>` or `<root>.<models|layers>.<name>`."""
    for root in KERAS_ROOTS:
        for name in names:
            for module in ("", "models.", "layers."):
                if f"{root}.{module}{name}" in qualified:
                    return root
    return None


@dataclass(frozen=True)
class SequentialForm:
    """`model = <keras>.Sequential([...])`: the layer is inserted into the list."""

    layers: cst.List
    index: int  # position of the new element (after a leading Input/InputLayer)


@dataclass(frozen=True)
class FunctionalForm:
    """`inputs = <keras>.Input(...)` ... `model = <keras>.Model(inputs, outputs)`: the
    layer is applied to `inputs` right after it is built, and every other use of `inputs`
    reads the augmented tensor instead."""

    input_statement: cst.SimpleStatementLine
    input_name: str
    uses: list[cst.Name] = field(default_factory=list)


@dataclass(frozen=True)
class ModelSite:
    name: str  # the model's variable, e.g. "model"
    binding: cst.Name  # its assignment target (identifies the model)
    keras: str  # source of the Keras namespace to subclass Layer from, e.g. "tf.keras"
    anchor: cst.CSTNode  # the statement before which the layer class is defined
    form: SequentialForm | FunctionalForm


def find_model_site(
    finder: Tree,
    site: GeneratorSite,
    source_of: Callable[[cst.CSTNode], str],
    line_of: Callable[[cst.CSTNode], int],
    module_aliases: dict[str, str],
) -> ModelSite | str:
    """`module_aliases`: the names module-level `import tensorflow/keras/tf_keras [as x]`
    bind, by module (a bare `Sequential` imported from Keras is subclassed through them)."""
    if site.kind == "attribute":
        return "the generator is a `self` attribute, whose model the tool does not follow"
    if any(flow.from_files for flow in site.flows):
        return "replica placement is built for flow() over arrays, not for file pipelines"
    receivers: list[cst.Name] = []
    consumer_calls: set[cst.Call] = set()
    for flow in site.flows:
        for consumer in flow.consumers:
            if consumer.role != "train":
                return (
                    f"the generator also feeds {ROLE_NAMES[consumer.role]} (line "
                    f"{line_of(consumer.argument)}), whose batches IDG augmented and a model "
                    "layer (inactive outside training) would not"
                )
            if consumer.wrapper is not None:
                return "the flow reaches fit() through tf.data.Dataset.from_generator"
            if consumer.repacked_by is not None:
                return f"the flow reaches fit() through the Python generator `{consumer.repacked_by}()`"
            func = consumer.call.func
            assert isinstance(func, cst.Attribute)
            if not isinstance(func.value, cst.Name):
                return f"the trained model `{source_of(func.value)}` is not a plain name"
            receivers.append(func.value)
            consumer_calls.add(consumer.call)
    if not receivers:
        return "nothing trains on the generator"
    bindings = {_binding(finder, receiver) for receiver in receivers}
    if len(bindings) != 1 or None in bindings:
        name = receivers[0].value
        return (
            f"`{name}` is bound more than once (or not in this file): the tool cannot tell "
            "which model to add the layer to"
            if len(bindings) == 1
            else "the generator trains more than one model"
        )
    binding = bindings.pop()
    assert binding is not None
    name = binding.value
    construction = _constructed_by(finder, binding)
    if construction is None:
        return f"`{name}` is not built by a plain assignment the tool can edit"
    reason = _unsafe_use(finder, binding, consumer_calls, source_of, line_of)
    if reason is not None:
        return reason
    built = _built_by_helper(finder, construction, source_of, line_of)
    if isinstance(built, str):
        return built
    helper = None
    if built is not None:  # the class goes before the helper: defined once, not per call
        helper = finder.enclosing(built, cst.FunctionDef)
        construction = built
    qualified = finder.qualified(construction.func)
    idg_scope = finder.scopes.get(site.construction)
    if keras_class(qualified, ("Sequential",)) is not None:
        form: SequentialForm | FunctionalForm | str = _sequential(construction, source_of)
        placed_in: cst.CSTNode = construction
    elif keras_class(qualified, ("Model", "Functional")) is not None:
        form = _functional(finder, construction, source_of)
        placed_in = form.input_statement if isinstance(form, FunctionalForm) else construction
    else:
        return (
            f"`{name}` is built by `{_short(source_of(construction.func))}(...)`, not by a "
            "Keras Sequential([...]) or functional Model(inputs, outputs) in this file; the "
            "tool cannot add a layer to it faithfully"
        )
    if isinstance(form, str):
        return form
    if helper is not None:
        placed_in = helper
    layer_scope = finder.scopes.get(placed_in)
    if not (isinstance(idg_scope, GlobalScope) or layer_scope is idg_scope):
        return _outside_message(finder, site.construction, placed_in, helper)
    keras = _keras_namespace(finder, construction.func, source_of, module_aliases)
    if keras is None:
        return (
            "the Keras module is not imported under a name the added layer can use "
            "(e.g. `import tensorflow as tf` or `import keras`)"
        )
    return ModelSite(name, binding, keras, _scope_statement(finder, placed_in), form)


def _outside_message(
    finder: Tree,
    construction: cst.CSTNode,
    placed_in: cst.CSTNode,
    helper: cst.CSTNode | None,
) -> str:
    """Why a model built in another function than the generator cannot get the layer,
    and how to make it possible (typically `def main(): datagen = ...` with a
    module-level `def build_model()`)."""
    idg_function = finder.enclosing(construction, cst.FunctionDef)
    model_function = (
        helper
        if isinstance(helper, cst.FunctionDef)
        else finder.enclosing(placed_in, cst.FunctionDef)
    )
    where = (
        f"in `{model_function.name.value}()`"
        if isinstance(model_function, cst.FunctionDef)
        else "at module level"
    )
    generator = (
        f"`{idg_function.name.value}()`"
        if isinstance(idg_function, cst.FunctionDef)
        else "another function"
    )
    return (
        f"the model is built {where}, outside {generator} where the generator is built, so a "
        "layer there could not reach the generator's emitted functions; build the "
        "ImageDataGenerator at module level (or the model in the same function) to "
        "augment on the replicas"
    )


def _built_by_helper(
    finder: Tree,
    call: cst.Call,
    source_of: Callable[[cst.CSTNode], str],
    line_of: Callable[[cst.CSTNode], int],
) -> cst.Call | str | None:
    """`model = build_model(...)` with `def build_model` in this file, called only here,
    ending in `return <keras>.Sequential/Model(...)` or in `return m` where `m` is built by
    one and otherwise only compiled or summarised: that construction. None when `call` does
    not call a function of this file; the reason when it does but cannot be followed."""
    if not isinstance(call.func, cst.Name):
        return None
    scope = finder.scopes.get(call.func)
    assignments = list(scope[call.func.value]) if scope is not None else []
    if len(assignments) != 1 or not isinstance(assignments[0].node, cst.FunctionDef):
        return None
    function = assignments[0].node
    name = function.name.value
    if len(assignments[0].references) != 1:
        return f"`{name}()` is used more than once: other models it builds would get the layer"
    if function.decorators:
        return f"`{name}()` is decorated"
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else ()
    returns: list[cst.Return] = []

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            returns.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function  # returns of nested functions are theirs

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

    function.visit(_Returns())
    last = body[-1] if body else None
    if len(returns) != 1 or not (
        isinstance(last, cst.SimpleStatementLine) and list(last.body) == [returns[0]]
    ):
        return f"`{name}()` does not end in its only `return`"
    value = returns[0].value
    if isinstance(value, cst.Call):
        return value
    if not isinstance(value, cst.Name):
        return f"`{name}()` does not return a model built in it"
    inner = _binding(finder, value)
    if inner is None or finder.scopes.get(inner) is not finder.scopes.get(value):
        return f"`{name}()` returns `{value.value}`, which it does not build once"
    built = _constructed_by(finder, inner)
    if built is None:
        return f"`{value.value}` in `{name}()` is not built by a plain assignment"
    reason = _unsafe_use(finder, inner, set(), source_of, line_of, allowed=value)
    return reason if reason is not None else built


def _binding(finder: Tree, name: cst.Name) -> cst.Name | None:
    """The single assignment target `name` refers to, or None."""
    scope = finder.scopes.get(name)
    if scope is None:
        return None
    assignments = list(scope[name.value])
    if len(assignments) != 1 or not isinstance(assignments[0].node, cst.Name):
        return None
    return assignments[0].node


def _constructed_by(finder: Tree, target: cst.Name) -> cst.Call | None:
    holder = finder.parent(target)
    assign = finder.parent(holder) if isinstance(holder, cst.AssignTarget) else None
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1):
        return None
    line = finder.parent(assign)
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
        return None
    return assign.value if isinstance(assign.value, cst.Call) else None


def _references(finder: Tree, target: cst.Name) -> list[cst.Name]:
    scope: Scope | None = finder.scopes.get(target)
    if scope is None:
        return []
    found = []
    for assignment in scope.assignments[target.value]:
        if assignment.node is target:
            found += [a.node for a in assignment.references if isinstance(a.node, cst.Name)]
    return sorted(
        found,
        key=lambda node: (finder.positions[node].start.line, finder.positions[node].start.column),
    )


def _unsafe_use(
    finder: Tree,
    binding: cst.Name,
    consumer_calls: set[cst.Call],
    source_of: Callable[[cst.CSTNode], str],
    line_of: Callable[[cst.CSTNode], int],
    allowed: cst.Name | None = None,
) -> str | None:
    """Why some use of the model could see the added layer, or None. `allowed`: a use
    known to be safe (the `return` of the function building it)."""
    name = binding.value
    for use in _references(finder, binding):
        if use is allowed:
            continue
        attribute = finder.parent(use)
        call = finder.parent(attribute) if isinstance(attribute, cst.Attribute) else None
        is_call = isinstance(call, cst.Call) and call.func is attribute
        method = attribute.attr.value if isinstance(attribute, cst.Attribute) else None
        if is_call and call in consumer_calls:
            continue
        if is_call and method in SAFE_METHODS:
            continue
        if is_call and method in TRAINING_METHODS:
            return (
                f"`{name}` also trains at line {line_of(use)} (`{name}.{method}(...)`) on "
                "input the layer would augment too"
            )
        if isinstance(attribute, cst.Return):
            return (
                f"`{name}` is returned at line {line_of(use)}: the tool cannot check what the "
                "caller does with it (another fit, its layers list, a custom loop)"
            )
        shown = source_of(call if is_call else attribute if method else use)
        return (
            f"`{name}` is used at line {line_of(use)} (`{_short(shown)}`) in a way the tool "
            "cannot check against an added layer (a custom training loop, its layers list, "
            "or the model passed on)"
        )
    return None


def _sequential(call: cst.Call, source_of: Callable[[cst.CSTNode], str]) -> SequentialForm | str:
    layers = _first_argument(call, "layers")
    if layers is _UNPACKED:
        return "Sequential(...) with unpacked arguments"
    if not isinstance(layers, cst.List) or not layers.elements:
        return (
            "the Sequential model is not built from a list literal of layers (layers added "
            "with .add() or passed in)"
        )
    if any(isinstance(element, cst.StarredElement) for element in layers.elements):
        return "the Sequential model's layer list is unpacked (`*layers`)"
    first = layers.elements[0].value
    if isinstance(first, cst.Call) and _is_input(first, source_of):
        return SequentialForm(layers, 1)
    if isinstance(first, cst.Call) and any(
        arg.keyword is not None and arg.keyword.value in INPUT_SHAPE_ARGUMENTS for arg in first.args
    ):
        return (
            "the Sequential model takes its input shape from its first layer's "
            "`input_shape=`; start the list with `Input(shape=...)` and run the tool again"
        )
    return SequentialForm(layers, 0)


_UNPACKED = cst.Name("_unpacked")  # a call with *args/**kwargs: its arguments are unknown


def _first_argument(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    """The call's first positional argument or its `keyword=` argument; _UNPACKED when
    the call unpacks arguments."""
    found = None
    for index, arg in enumerate(call.args):
        if arg.star:
            return _UNPACKED
        if (arg.keyword is None and index == 0) or (arg.keyword and arg.keyword.value == keyword):
            found = arg.value
    return found


def _is_input(call: cst.Call, source_of: Callable[[cst.CSTNode], str]) -> bool:
    last = source_of(call.func).rpartition(".")[2]
    return last in ("Input", "InputLayer")


def _functional(
    finder: Tree, call: cst.Call, source_of: Callable[[cst.CSTNode], str]
) -> FunctionalForm | str:
    inputs = _first_argument(call, "inputs")
    if inputs is _UNPACKED:
        return "Model(...) with unpacked arguments"
    if isinstance(inputs, cst.List | cst.Tuple) and len(inputs.elements) == 1:
        inputs = inputs.elements[0].value
    if not isinstance(inputs, cst.Name):
        return "the functional model's inputs are not one name bound to Input(...)"
    binding = _binding(finder, inputs)
    built = _constructed_by(finder, binding) if binding is not None else None
    if (
        binding is None
        or built is None
        or keras_class(finder.qualified(built.func), ("Input",)) is None
    ):
        return f"`{inputs.value}` is not bound once to a Keras Input(...) in this file"
    others = [use for use in _references(finder, binding) if use is not inputs]
    if not others:
        return f"`{inputs.value}` feeds no layer"
    for use in others:
        holder = finder.enclosing(use, cst.Call)
        while holder is not None:
            if keras_class(finder.qualified(holder.func), ("Model", "Functional")) is not None:
                return f"`{inputs.value}` is also the input of another model"
            holder = finder.enclosing(holder, cst.Call)
    statement = finder.parent(finder.parent(finder.parent(binding)))
    assert isinstance(statement, cst.SimpleStatementLine)
    return FunctionalForm(statement, inputs.value, others)


def _scope_statement(finder: Tree, node: cst.CSTNode) -> cst.CSTNode:
    """The statement holding `node` that sits directly in its function's (or the
    module's) body: a class defined just before it is visible to `node`."""
    current = finder.enclosing_statement(node)
    while True:
        parent = finder.parent(current)
        if parent is None or isinstance(parent, cst.Module):
            return current
        if isinstance(parent, cst.IndentedBlock) and isinstance(
            finder.parent(parent), cst.FunctionDef
        ):
            return current
        current = finder.enclosing_statement(parent)


def _keras_namespace(
    finder: Tree,
    func: cst.BaseExpression,
    source_of: Callable[[cst.CSTNode], str],
    module_aliases: dict[str, str],
) -> str | None:
    """`tf.keras.Sequential` -> "tf.keras", `keras.models.Model` -> "keras"; a bare
    imported name goes through the module's own `import tensorflow/keras/tf_keras`."""
    if isinstance(func, cst.Attribute):
        base = func.value
        if isinstance(base, cst.Attribute) and base.attr.value in ("models", "layers"):
            base = base.value
        if finder.qualified(base) & set(KERAS_ROOTS):
            return source_of(base)
        return None
    root = keras_class(finder.qualified(func), ("Sequential", "Model", "Functional"))
    if root == "tensorflow.keras" and "tensorflow" in module_aliases:
        return f"{module_aliases['tensorflow']}.keras"
    if root in module_aliases:
        return module_aliases[root]
    return None


def _short(code: str) -> str:
    code = " ".join(code.split())
    return code if len(code) <= 60 else code[:57] + "..."

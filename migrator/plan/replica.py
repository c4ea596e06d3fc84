"""`--augment-on replica`: whether the augmentation can run as a layer at the model's
input (analysis.model_site finds the model), and the edits that place it.

`plan_replica(session, site, spec)` returns a `ReplicaPlan`: `placed` tells whether the
layer is used (else the augmentation stays on the host, and `note` says why), `add_edits`
adds the class and the model edit once the augmentation function's name is known. Raises
no code of its own: its note rides on the rewrite's MA001/MA003 message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from migrator.analysis.model_site import FunctionalForm, ModelSite, find_model_site
from migrator.analysis.tree import Tree
from migrator.analysis.uses import GeneratorSite
from migrator.emit.geometry import has_random_parameters
from migrator.emit.replica import layer_class_name, render_layer_class
from migrator.model import AugmentSpec
from migrator.plan.edits import Edits


@dataclass
class ReplicaPlan:
    note: str  # appended to the rewrite's message
    model: ModelSite | None = None  # None: the augmentation stays on the host
    class_name: str = ""

    @property
    def placed(self) -> bool:
        return self.model is not None

    def add_edits(
        self,
        edits: Edits,
        augment: str,
        generator: str,
        *,
        tf: str,
        emit: Callable[[str], list[cst.BaseStatement]],
        fresh: Callable[[str], str],
    ) -> None:
        """Define the layer class before the model and insert the layer at the model's
        input. `emit` turns emitted code into statements and
        `fresh` gives an unused name."""
        assert self.model is not None
        site = self.model
        code = render_layer_class(self.class_name, augment, generator, keras=site.keras, tf=tf)
        statements = emit(code)
        edits.insert_before.setdefault(site.anchor, []).extend(statements)
        edits.blocks.append((statements[0], statements[-1]))
        layer = cst.parse_expression(f"{self.class_name}()")
        form = site.form
        if isinstance(form, FunctionalForm):
            augmented = fresh(f"{form.input_name}_augmented")
            applied = cst.SimpleStatementLine(
                [
                    cst.Assign(
                        [cst.AssignTarget(cst.Name(augmented))],
                        cst.Call(layer, [cst.Arg(cst.Name(form.input_name))]),
                    )
                ]
            )
            edits.statements[form.input_statement] = [form.input_statement, applied]
            for use in form.uses:
                edits.expressions[use] = cst.Name(augmented)
        else:
            index = form.index
            edits.expressions[form.layers] = lambda updated: with_element(updated, index, layer)


def with_element(layers: cst.List, index: int, value: cst.BaseExpression) -> cst.List:
    """`layers` with `value` inserted at `index`, laid out like its neighbours (one per
    line stays one per line)."""
    elements = list(layers.elements)
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    neighbour = elements[index - 1] if index > 0 else elements[0]
    comma = neighbour.comma if isinstance(neighbour.comma, cst.Comma) else space
    if index == len(elements):  # after the last element: it needs a comma now
        elements[-1] = elements[-1].with_changes(comma=space)
        comma = cst.MaybeSentinel.DEFAULT
    elements.insert(index, cst.Element(value=value, comma=comma))
    return layers.with_changes(elements=elements)


def plan_replica(
    finder: Tree,
    site: GeneratorSite,
    spec: AugmentSpec,
    *,
    source_of: Callable[[cst.CSTNode], str],
    line_of: Callable[[cst.CSTNode], int],
    taken: set[cst.Name],
    fresh: Callable[[str], str],
) -> ReplicaPlan:
    """`taken`: the models (their bindings) given a layer so far in this module."""

    def host(reason: str) -> ReplicaPlan:
        return ReplicaPlan(f"; augmentation kept in the host pipeline: {reason}")

    if spec.run_time:
        return host(
            "arguments known only at run time ("
            + ", ".join(sorted(spec.run_time))
            + "): the layer's placement needs the configuration"
        )
    if not has_random_parameters(spec):
        return host("no random transform to move to the replicas")
    if spec.dtype != "float32":
        return host(f"dtype={spec.dtype!r} (the layer computes in float32)")
    for flow in site.flows:
        arguments = {} if flow.from_files else flow.spec.arguments
        seed = arguments.get("seed")
        if any(arg.star for arg in flow.call.args) or (
            seed is not None and not (isinstance(seed, cst.Name) and seed.value == "None")
        ):
            return host(
                "flow()'s `seed` (or unpacked arguments) makes the augmentation reproducible "
                "from that seed; the layer draws from TensorFlow's global random state"
            )
    found = find_model_site(finder, site, source_of, line_of, module_aliases(finder.module))
    if isinstance(found, str):
        return host(found)
    if found.binding in taken:
        return host(f"another generator's augmentation layer already trains `{found.name}`")
    taken.add(found.binding)
    name = fresh(layer_class_name(site.name))
    return ReplicaPlan(
        f"; the augmentation runs on each replica in the `{name}` layer added at the input "
        f"of `{found.name}` (active only in training; a saved model loads where `{name}` "
        "is defined: it is registered as serializable)",
        found,
        name,
    )


def module_aliases(module: cst.Module) -> dict[str, str]:
    """The names module-level `import tensorflow/keras/tf_keras [as x]` bind, by module."""
    found: dict[str, str] = {}
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if not isinstance(small, cst.Import):
                continue
            for alias in small.names:
                name = cst.helpers.get_full_name_for_node(alias.name)
                if name in ("tensorflow", "keras", "tf_keras"):
                    bound = alias.asname.name if alias.asname is not None else alias.name
                    if isinstance(bound, cst.Name):
                        found.setdefault(name, bound.value)
    return found

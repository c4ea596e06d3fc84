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
from migrator.model import AugmentSpec
from migrator.plan.chains import runtime_name
from migrator.plan.edits import Edits
from migrator.plan.session import Session


@dataclass
class ReplicaPlan:
    note: str  # appended to the rewrite's message
    model: ModelSite | None = None  # None: the augmentation stays on the host
    # The statement before which the construction moves (the layer is built with the
    # model and needs the augmentation by then); None: it is built before already.
    move_before: cst.CSTNode | None = None

    @property
    def placed(self) -> bool:
        return self.model is not None

    def add_edits(
        self, session: Session, edits: Edits, site: GeneratorSite, generator: str
    ) -> None:
        """Insert `idg_tfdata.augmentation_layer(<generator>)` at the model's input (moving
        the construction before the model when it came after it)."""
        assert self.model is not None
        model = self.model
        if self.move_before is not None:
            assert site.statement is not None
            edits.statements[site.statement] = []
            moved = edits.expressions.get(site.construction)
            line = site.statement
            if isinstance(moved, cst.BaseExpression):
                assign = line.body[0]
                assert isinstance(assign, cst.Assign)
                line = line.with_changes(body=[assign.with_changes(value=moved)])
            edits.insert_before.setdefault(self.move_before, []).append(line)
        keras = "" if model.keras.endswith(".keras") else f", keras={model.keras}"
        layer = cst.parse_expression(
            f"{runtime_name(session, 'augmentation_layer')}({generator}{keras})"
        )
        form = model.form
        if isinstance(form, FunctionalForm):
            augmented = session.fresh(f"{form.input_name}_augmented")
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
    if not spec.has_random_parameters:
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
    move_before = _move_point(finder, site, found, line_of)
    if isinstance(move_before, str):
        return host(move_before)
    taken.add(found.binding)
    return ReplicaPlan(
        f"; the augmentation runs on each replica in the layer added at the input of "
        f"`{found.name}` (active only in training; a saved model loads where "
        "idg_tfdata.augmentation_layer has run: it is registered as serializable)",
        found,
        move_before,
    )


def _move_point(
    finder: Tree, site: GeneratorSite, model: ModelSite, line_of: Callable[[cst.CSTNode], int]
) -> cst.CSTNode | None | str:
    """Where the construction must move so that the augmentation exists when the model's
    layer is built: None when it is built before the model already, else the statement
    (in the construction's own block) that holds the model; or why it cannot move."""
    statement = site.statement
    if site.kind != "name" or statement is None:
        return "the generator is not bound to a plain name"
    block = finder.parent(statement)
    point: cst.CSTNode | None = model.anchor
    while point is not None and finder.parent(point) is not block:
        point = finder.parent(point)
    if point is None:
        return "the model is built outside the block that builds the generator"
    if line_of(statement) < line_of(point):
        return None
    names = [
        node
        for arg in site.construction.args
        for node in _names(arg.value)
        if node.value not in ("True", "False", "None")
    ]
    if names:
        return (
            "the generator is built after the model from names the tool does not move it "
            "past (build it before the model to augment on the replicas)"
        )
    return point


def _names(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = []

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

    node.visit(_Collect())
    return found


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

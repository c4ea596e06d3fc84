"""MA005/MA108: `tf.data.Dataset.from_generator` wrapping a flow. The wrapper goes whole,
replaced by the native pipeline (MA005), when its declared signature agrees with what IDG
yields; else the site is refused (MA108) with the disagreement."""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from migrator.analysis.idg_config import bind_arguments
from migrator.analysis.uses import Blocker, FlowUse, Wrapper
from migrator.emit.layout import Call, Chain
from migrator.model import UNKNOWN, AugmentSpec
from migrator.plan.calls import is_none
from migrator.plan.chains import assigned_value, formatted_value, place, with_methods
from migrator.plan.edits import Edits
from migrator.plan.session import Session

DTYPES = frozenset(
    {"float16", "bfloat16", "float32", "float64", "half", "double"}
    | {f"{kind}{bits}" for kind in ("int", "uint") for bits in (8, 16, 32, 64)}
    | {"bool", "string", "complex64", "complex128"}
)
Signature = tuple[list[tuple[str, tuple[int | None, ...] | None]], bool]


def _yielded(session: Session, flow: FlowUse, spec: AugmentSpec) -> list[str | None] | str:
    """The dtype of each component IDG yields (None: known only at run time, e.g. the
    labels of .flow), one entry for a bare image batch; or why it cannot be told."""
    if spec.unknown("dtype"):
        return "the generator's dtype is known only at run time"
    if not flow.from_files:
        if flow.spec.unpacked:
            return "the flow() arguments are unpacked"
        arguments = flow.spec.arguments
        given = [
            name
            for name in ("y", "sample_weight")
            if name in arguments and not is_none(arguments[name])
        ]
        if given == ["sample_weight"]:
            return "flow() with sample_weight but no y"
        return [spec.dtype] + [None] * len(given)
    values = flow.spec.values
    class_mode = values.get("class_mode", "categorical")
    weight_col = values.get("weight_col") if flow.from_dataframe else None
    if class_mode is UNKNOWN or weight_col is UNKNOWN:
        return "class_mode or weight_col is not a literal"
    if class_mode is None:
        return [spec.dtype]
    if class_mode == "multi_output":
        return "class_mode='multi_output' yields nested labels"
    known = class_mode in ("categorical", "binary", "sparse", "input")
    return [spec.dtype, spec.dtype if known else None] + ([None] if weight_col else [])


def wrapper_casts(
    session: Session, flow: FlowUse, spec: AugmentSpec, wrapper: Wrapper
) -> list[str | None] | Blocker:
    """from_generator converts every yielded array to its declared dtype. The native
    pipeline keeps those conversions (a dtype per component to cast to, None when
    nothing changes), or the declared signature disagrees with what IDG yields."""

    def mismatch(reason: str) -> Blocker:
        return Blocker(
            "MA108",
            wrapper.call,
            f"the from_generator wrapper declares {reason}",
            "Fix the declaration (or the program) first, then migrate",
        )

    yielded = _yielded(session, flow, spec)
    if isinstance(yielded, str):
        return mismatch(f"a signature the tool cannot check ({yielded})")
    declared = _declared_signature(wrapper.call, session.source_of)
    if isinstance(declared, str):
        return mismatch(f"a signature the tool cannot check ({declared})")
    components, single = declared
    if single != (len(yielded) == 1) or len(components) != len(yielded):
        shape = "one array" if len(yielded) == 1 else f"a tuple of {len(yielded)}"
        return mismatch(f"{len(components)} component(s) but IDG yields {shape}")
    (image_dtype, image_shape), *rest = components
    if image_dtype != spec.dtype:
        return mismatch(
            f"images of dtype {image_dtype} but IDG yields {spec.dtype} (from_generator "
            "would convert them)"
        )
    if image_shape is not None:
        if len(image_shape) != 4:
            return mismatch(f"images of shape {image_shape}, IDG yields 4-D batches")
        expected = _image_shape(session, flow)
        for declared_size, size in zip(image_shape[1:], expected, strict=True):
            if declared_size is not None and size is not None and declared_size != size:
                return mismatch(
                    f"images of shape {image_shape} but IDG yields (None, "
                    + ", ".join(str(v) for v in expected)
                    + ")"
                )
    for dtype_shape in components:
        shape = dtype_shape[1]
        if shape is not None and shape and shape[0] is not None:
            return mismatch(
                f"a fixed batch size ({shape}); IDG's last batch of an epoch is smaller"
            )
    return [None] + [
        None if dtype == known else dtype
        for (dtype, _), known in zip(rest, yielded[1:], strict=True)
    ]


def _image_shape(session: Session, flow: FlowUse) -> tuple[int | None, int | None, int | None]:
    if not flow.from_files:
        return (None, None, None)  # from the array, known at run time
    values = flow.spec.values
    size = values.get("target_size", (256, 256))
    height, width = size if isinstance(size, tuple | list) and len(size) == 2 else (None,) * 2
    depth = {"grayscale": 1, "rgb": 3, "rgba": 4}.get(values.get("color_mode", "rgb"))  # type: ignore[arg-type]
    return (height, width, depth)


def replace_wrapper(
    session: Session,
    edits: Edits,
    flow: FlowUse,
    spec: AugmentSpec,
    wrapper: Wrapper,
    chain: Chain,
    base: str,
    site_lines: set[int],
) -> None:
    """`tf.data.Dataset.from_generator(fn, ...)` -> `<pipeline>.repeat()`: IDG's
    iterator never ends, so neither does the wrapped dataset; fn goes. `chain`: the
    flow's pipeline, placed here when fn holds the flow call itself (`base` names it)."""
    casts = wrapper_casts(session, flow, spec, wrapper)
    assert not isinstance(casts, Blocker)
    # The program's own `.repeat()` right after from_generator(...) does it already.
    method = session.finder.parent(wrapper.call)
    outer = session.finder.parent(method) if isinstance(method, cst.Attribute) else None
    repeated = (
        isinstance(method, cst.Attribute)
        and method.attr.value == "repeat"
        and isinstance(outer, cst.Call)
        and not outer.args
    )
    methods: list[Call] = []
    if any(casts):
        # from_generator converted each array to its declared dtype: so does a map.
        names = ["images", "labels", "weights"][: len(casts)]
        converted = [
            name if dtype is None else f"{session.tf}.cast({name}, {session.tf}.{dtype})"
            for name, dtype in zip(names, casts, strict=True)
        ]
        methods.append(Call("map", (f"lambda {', '.join(names)}: ({', '.join(converted)})",)))
    if not repeated:
        methods.append(Call("repeat", ()))
    replacement: cst.BaseExpression
    if wrapper.source is flow.call:
        replacement = place(
            session, edits.insert_before, wrapper.call, with_methods(chain, *methods), base
        )
    elif not methods:
        replacement = wrapper.source
    else:  # the iterator's name, bound to the pipeline where the flow call was
        name = session.source_of(wrapper.source)
        first, *rest = methods
        chain = Chain(Call(f"{name}.{first.callee}", first.args), tuple(rest))
        if assigned_value(session, wrapper.call) is not None:  # `ds = (chain)` in place
            replacement = place(session, edits.insert_before, wrapper.call, chain, base)
        else:  # a method call on a name: nothing worth a statement of its own
            replacement = formatted_value(session, None, chain, wrapper.call)
    edits.expressions[wrapper.call] = replacement
    if wrapper.function is not None:
        edits.statements[wrapper.function] = []
    session.report(
        "MA005",
        wrapper.call,
        "tf.data.Dataset.from_generator wrapping ImageDataGenerator."
        f"{flow.method}(): replaced whole by the native tf.data pipeline, repeated "
        "because the wrapped IDG iterator never ends"
        + (" (the declared dtypes are kept with tf.cast)" if any(casts) else ""),
        site_lines | session.lines(wrapper.call),
        fixable=True,
    )


def _declared_signature(call: cst.Call, source_of: Callable[[cst.CSTNode], str]) -> Signature | str:
    """from_generator's declared components: (dtype, shape or None when unknown) each, and
    whether it is a single component rather than a tuple; or why it cannot be read."""
    arguments = {arg.keyword.value: arg.value for arg in call.args if arg.keyword is not None}
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if any(arg.star for arg in call.args) or len(positional) > 3:
        return "arguments unpacked"
    for name, value in zip(
        ("generator", "output_types", "output_shapes"), positional, strict=False
    ):
        arguments.setdefault(name, value)
    if "args" in arguments:
        return "args= for the generator"
    if "output_signature" in arguments:
        specs = arguments["output_signature"]
        single = not isinstance(specs, cst.Tuple | cst.List)
        elements = [specs] if single else [e.value for e in specs.elements]  # type: ignore[union-attr]
        components = []
        for element in elements:
            if not (
                isinstance(element, cst.Call)
                and (cst.helpers.get_full_name_for_node(element.func) or "").endswith("TensorSpec")
            ):
                return f"`{source_of(element)}` is not a TensorSpec(...)"
            spec_arguments = bind_arguments(element, ("shape", "dtype", "name"))[0]
            dtype = _dtype_name(spec_arguments["dtype"]) if "dtype" in spec_arguments else "float32"
            if dtype is None or "shape" not in spec_arguments:
                return f"`{source_of(element)}` has no literal shape and dtype"
            components.append((dtype, _shape(spec_arguments["shape"])))
        return components, single
    if "output_types" not in arguments:
        return "neither output_signature nor output_types"
    types = arguments["output_types"]
    single = not isinstance(types, cst.Tuple | cst.List)
    type_nodes = [types] if single else [e.value for e in types.elements]  # type: ignore[union-attr]
    shapes: list[tuple[int | None, ...] | None] = [None] * len(type_nodes)
    if "output_shapes" in arguments:
        shape_node = arguments["output_shapes"]
        if single:
            shapes = [_shape(shape_node)]
        elif isinstance(shape_node, cst.Tuple | cst.List) and len(shape_node.elements) == len(
            type_nodes
        ):
            shapes = [_shape(e.value) for e in shape_node.elements]
    dtypes = [_dtype_name(node) for node in type_nodes]
    if any(dtype is None for dtype in dtypes):
        return "output_types are not literal dtypes"
    return [(d, s) for d, s in zip(dtypes, shapes, strict=True) if d is not None], single


def _dtype_name(node: cst.BaseExpression) -> str | None:
    """`tf.float32`, `np.float32`, "float32" -> "float32"."""
    if isinstance(node, cst.Attribute):
        name = node.attr.value
    elif isinstance(node, cst.SimpleString):
        name = node.evaluated_value if isinstance(node.evaluated_value, str) else ""
    else:
        return None
    name = {"half": "float16", "double": "float64"}.get(name, name)
    return name if name in DTYPES else None


def _shape(node: cst.BaseExpression) -> tuple[int | None, ...] | None:
    """A literal shape (tuple/list of ints and None, or TensorShape of one), else None."""
    if isinstance(node, cst.Call) and len(node.args) == 1:
        if (cst.helpers.get_full_name_for_node(node.func) or "").endswith("TensorShape"):
            node = node.args[0].value
    if not isinstance(node, cst.Tuple | cst.List):
        return None
    dims: list[int | None] = []
    for element in node.elements:
        value = element.value
        if isinstance(element, cst.StarredElement):
            return None
        if isinstance(value, cst.Name) and value.value == "None":
            dims.append(None)
        elif isinstance(value, cst.Integer):
            dims.append(int(value.value))
        else:
            return None
    return tuple(dims)

"""The augmentation emitter's output as text: it compiles, is specialised to the spec,
names TensorFlow as the user's module does, and refuses what it cannot reproduce.
No TensorFlow needed (the fidelity of the emitted code is tested against IDG elsewhere)."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from migrator.emit.augment import (
    Refusal,
    render_augment_function,
    render_statistics,
    unsupported,
)
from migrator.model import AugmentSpec, ShiftRange
from migrator.rules import RULES_BY_CODE

SEED_CONFIG = AugmentSpec(
    rotation_range=20,
    width_shift_range=ShiftRange("uniform", (0.1,), True),
    height_shift_range=ShiftRange("uniform", (0.1,), True),
)

SPECS: dict[str, AugmentSpec] = {
    "seed": SEED_CONFIG,
    "everything": AugmentSpec(
        rotation_range=30,
        width_shift_range=ShiftRange("choice", (0.0, 1.0, 2.0), False),
        height_shift_range=ShiftRange("choice", (0.05, 0.1), True),
        shear_range=10,
        zoom_range=(0.8, 1.2),
        horizontal_flip=True,
        vertical_flip=True,
        fill_mode="constant",
        cval=0.5,
        interpolation_order=0,
        channel_shift_range=20.0,
        brightness_range=(0.5, 1.5),
        preprocessing_function="preprocess_input",
        rescale=1 / 255,
        samplewise_center=True,
        samplewise_std_normalization=True,
        featurewise_center=True,
        featurewise_std_normalization=True,
    ),
    "zca_channels_first": AugmentSpec(
        zoom_range=(0.5, 1.5),
        fill_mode="wrap",
        data_format="channels_first",
        zca_whitening=True,
        featurewise_center=True,
    ),
    "flips_only": AugmentSpec(horizontal_flip=True, vertical_flip=True),
    "flips_channels_first": AugmentSpec(horizontal_flip=True, data_format="channels_first"),
    "colour_only": AugmentSpec(channel_shift_range=0.1, brightness_range=(0.9, 1.1)),
    "rescale_only": AugmentSpec(rescale=0.5),
    "reflect_float64": AugmentSpec(shear_range=5, fill_mode="reflect", dtype="float64"),
}


def functions(source: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(source)
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("key", sorted(SPECS))
def test_rendered_function_compiles_and_has_the_contract_signature(key: str) -> None:
    spec = SPECS[key]
    source = render_augment_function(spec, "datagen_augment", statistics="datagen_statistics")
    assert source is not None
    compile(source, "<emitted>", "exec")
    main = functions(source)["datagen_augment"]
    assert [a.arg for a in main.args.args] == ["images", "seed"]
    assert "migrator" not in source and "migrate_aug" not in source
    tree = ast.parse(source)
    assert not any(isinstance(node, ast.Import | ast.ImportFrom) for node in ast.walk(tree))
    # Only the user's `tf` is needed, no numpy.
    assert not {"np", "numpy"} & {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def test_identity_renders_nothing() -> None:
    assert render_augment_function(AugmentSpec(), "datagen_augment") is None


def test_seed_config_is_specialised() -> None:
    source = render_augment_function(SEED_CONFIG, "datagen_augment")
    assert source is not None
    assert set(functions(source)) == {
        "datagen_augment_parameters",
        "datagen_augment_transform",
        "datagen_augment",
    }
    for absent in (
        "shear",
        "zoom",
        "flip",
        "channel_shift",
        "brightness",
        "choice",
        "cval",
        "reflect",
        "wrap",
        "rescale",
        "standardize",
        "transpose",
    ):
        assert absent not in source, absent
    assert "jit_compile=True" in source
    assert '"theta": uniform(0, -20.0, 20.0)' in source
    assert "fill_mode='nearest'" in source
    assert "bilinear" in source


def test_only_the_configured_fill_mode_and_order_are_rendered() -> None:
    wrap = render_augment_function(SPECS["zca_channels_first"], "g", statistics="s") or ""
    assert "fill_mode='wrap'" in wrap and "fill_mode='nearest'" not in wrap
    assert "tf.transpose" in wrap  # the resample works in (batch, row, column, channel)
    everything = render_augment_function(SPECS["everything"], "g", statistics="s") or ""
    assert "inside" in everything and "0.5, images.dtype" in everything  # cval
    assert "interpolation_order=0" in everything and "bilinear" not in everything


def test_flips_without_affine_need_no_resample() -> None:
    source = render_augment_function(SPECS["flips_only"], "g") or ""
    assert "jit_compile" not in source and "tf.gather" not in source
    assert "tf.reverse(images, [2])" in source and "tf.reverse(images, [1])" in source
    first = render_augment_function(SPECS["flips_channels_first"], "g") or ""
    assert "tf.reverse(images, [3])" in first and "transpose" not in first


def test_standardization_only_draws_nothing() -> None:
    source = render_augment_function(SPECS["rescale_only"], "g") or ""
    assert set(functions(source)) == {"g"}
    assert "del seed" in source and "images * 0.5" in source


def test_standardization_follows_idg_order() -> None:
    source = render_augment_function(SPECS["everything"], "g", statistics="s") or ""
    body = source[source.index("def g(images, seed)") :]
    order = [
        "preprocess_input(images)",
        "images * 0.00392156862745098",
        "tf.reduce_mean(images, axis=[1, 2, 3]",
        "tf.math.reduce_std(images, axis=[1, 2, 3]",
        "images - s_mean",
        "images / (s_std + 1e-6)",
    ]
    positions = [body.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_featurewise_without_statistics_prefix_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_augment_function(AugmentSpec(featurewise_center=True), "g")


def names_in(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def test_tf_alias_is_used_everywhere() -> None:
    for spec in SPECS.values():
        default = names_in(render_augment_function(spec, "g", statistics="s") or "")
        aliased = names_in(
            render_augment_function(spec, "g", tf="tensorflow", statistics="s") or ""
        )
        assert "tf" not in aliased
        assert ("tf" in default) == ("tensorflow" in aliased)
    statistics = render_statistics(SPECS["everything"], "s", "x", augment="True", tf="tensorflow")
    assert "tf" not in names_in(statistics) and "tensorflow" in names_in(statistics)


@pytest.mark.parametrize(
    "kwargs", [{}, {"augment": "True", "rounds": "3", "seed": "7"}, {"augment": "do_augment"}]
)
@pytest.mark.parametrize("key", ["everything", "zca_channels_first"])
def test_statistics_compile_and_assign_prefixed_names(key: str, kwargs: dict) -> None:
    spec = SPECS[key]
    source = render_statistics(spec, "datagen_statistics", "x_train", **kwargs)
    compile(source, "<emitted>", "exec")
    tree = ast.parse(source)
    assigned = [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for element in node.targets
        for target in (element.elts if isinstance(element, ast.Tuple) else [element])
    ]
    expected = ["datagen_statistics_mean", "datagen_statistics_std"]
    if spec.zca_whitening:
        expected = ["datagen_statistics_mean", "datagen_statistics_zca"]
    assert assigned == expected
    augmenting = "augment" in kwargs
    # Without the augment function's name the statistics carry their own transform.
    assert ("def datagen_statistics_transform" in source) == augmenting
    assert ("x_train" in source.splitlines()[-1]) and "migrator" not in source


def test_statistics_reuse_the_augment_functions_when_named() -> None:
    source = render_statistics(
        SPECS["everything"], "s", "x", augment="True", augment_function="datagen_augment"
    )
    assert "datagen_augment_parameters(" in source and "datagen_augment_transform(" in source
    assert "def " in source and "def s_transform" not in source


def test_statistics_of_rescale_only_fit() -> None:
    source = render_statistics(
        AugmentSpec(rescale=0.5, featurewise_center=True), "s", "images[:100]"
    )
    assert "x * 0.5" in source and "s_mean = s_fit(images[:100])" in source
    assert "std" not in source.replace("samplewise", "")


def test_supported_specs_have_no_refusals() -> None:
    for spec in SPECS.values():
        assert unsupported(spec) == []


@pytest.mark.parametrize(
    ("spec", "argument"),
    [
        (AugmentSpec(rotation_range=10, interpolation_order=3), "interpolation_order"),
        (AugmentSpec(rotation_range=10, fill_mode="mirror"), "fill_mode"),  # type: ignore[arg-type]
        (
            AugmentSpec(brightness_range=(0.5, 1.5), data_format="channels_first"),
            "brightness_range",
        ),
        (AugmentSpec(rescale=0.5, dtype="uint8"), "dtype"),
        (AugmentSpec(rescale=0.5, dtype="float16"), "dtype"),
    ],
)
def test_refusals(spec: AugmentSpec, argument: str) -> None:
    refusals = unsupported(spec)
    assert [r.argument for r in refusals] == [argument]
    refusal = refusals[0]
    assert isinstance(refusal, Refusal)
    assert refusal.code in RULES_BY_CODE and RULES_BY_CODE[refusal.code].kind == "refusal"
    assert len(refusal.reason) > 40  # says why and what to do
    with pytest.raises(ValueError, match=argument):
        render_augment_function(spec, "g")


def test_emitter_never_imports_tensorflow() -> None:
    code = (
        "import sys\n"
        "from migrator.emit import augment\n"
        "from migrator.model import AugmentSpec\n"
        "augment.render_augment_function(AugmentSpec(rotation_range=5), 'g')\n"
        "assert 'tensorflow' not in sys.modules and 'numpy' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

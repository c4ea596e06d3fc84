"""Render the tf.data pipeline for paired image + mask generators (segmentation).

Users pair two ImageDataGenerators with the same geometric settings and the same flow
`seed`, then zip their flows: IDG then shuffles both arrays the same way and draws the
same random parameters for the i-th image and the i-th mask (`get_random_transform` draws
rotation, shifts, shear, zoom and both flips first, in that order, so colour ranges drawn
after them do not break the pairing). The rewrite makes the pairing explicit: ONE set of
random parameters per sample, applied to the image with the image generator's resample
settings (fill_mode, cval, interpolation_order), colour and standardization, and to the
mask with the mask generator's own.

CONTRACT (nothing here imports TensorFlow; everything returns Python source):

    unsupported_pair(image, mask) -> list[Refusal]
        What stops a faithful paired pipeline: different geometric settings or layouts,
        colour augmentation on the mask that differs from the image's, featurewise
        statistics, and anything augment.unsupported refuses for either spec.

    render_paired_dataset_function(image, mask, name, *, tf="tf") -> str
        Source of, in order (parts a configuration does not need are not rendered):
        `<name>_parameters(batch_size, height, width, seed)` (geometry.render_parameters of
        the image spec), `<name>_image_transform` / `<name>_mask_transform` (one affine
        resample each, see augment), `<name>_image(images, parameters)` /
        `<name>_mask(masks, parameters)` (transform + that generator's standardization),
        `<name>_augment(images, masks, seed)` and
        `<name>_dataset(images, masks, batch_size=32, shuffle=True, seed=None)`, the
        replacement for `zip(image_datagen.flow(images, ...), mask_datagen.flow(masks, ...))`
        yielding `(image_batch, mask_batch)` pairs.
"""

from __future__ import annotations

from migrator.emit import geometry, standardize
from migrator.emit.augment import Refusal, _indent, _render_transform, _with_tf, unsupported
from migrator.model import AugmentSpec

# The settings that decide the random geometric parameters (and their meaning): they
# must be equal for IDG's two random streams to stay in step.
GEOMETRY_FIELDS = (
    "rotation_range",
    "width_shift_range",
    "height_shift_range",
    "shear_range",
    "zoom_range",
    "horizontal_flip",
    "vertical_flip",
    "data_format",
)
COLOUR_FIELDS = ("channel_shift_range", "brightness_range")


def unsupported_pair(image: AugmentSpec, mask: AugmentSpec) -> list[Refusal]:
    refusals = [
        Refusal(r.code, r.argument, f"{role} generator: {r.reason}", r.help)
        for role, spec in (("image", image), ("mask", mask))
        for r in unsupported(spec)
    ]
    for name in GEOMETRY_FIELDS:
        if getattr(image, name) != getattr(mask, name):
            refusals.append(
                Refusal(
                    "MA107",
                    name,
                    f"the image and mask generators differ in {name} "
                    f"({getattr(image, name)!r} vs {getattr(mask, name)!r}): IDG's two random "
                    "streams then drift apart and masks stop matching their images",
                    help="Give both generators the same geometric settings",
                )
            )
    for name in COLOUR_FIELDS:
        ours, theirs = getattr(image, name), getattr(mask, name)
        if theirs not in (None, 0, 0.0) and theirs != ours:
            refusals.append(
                Refusal(
                    "MA107",
                    name,
                    f"the mask generator has its own {name} ({theirs!r}, the image's is "
                    f"{ours!r}): colour augmentation of masks is not migrated",
                    help="Drop it",
                )
            )
    for role, spec in (("image", image), ("mask", mask)):
        if spec.needs_fit_statistics:
            refusals.append(
                Refusal(
                    "MA107",
                    "featurewise_center",
                    f"the {role} generator uses featurewise statistics from fit(); paired "
                    "pipelines with statistics are not migrated yet",
                )
            )
    return refusals


def render_paired_dataset_function(
    image: AugmentSpec, mask: AugmentSpec, name: str, *, tf: str = "tf"
) -> str:
    refusals = unsupported_pair(image, mask)
    if refusals:
        raise ValueError(
            "; ".join(
                f"{r.code} {r.argument}: {r.reason}" + (f". {r.help}" if r.help else "")
                for r in refusals
            )
        )
    # The mask's random parameters are a subset of the image's (same geometry; mask
    # colour absent or equal), so the image spec draws them for both.
    random = geometry.has_random_parameters(image)
    parts: list[str] = []
    if random:
        parts.append(geometry.render_parameters(image, f"{name}_parameters"))
    for role, spec, variable in (("image", image, "images"), ("mask", mask, "masks")):
        transformed = geometry.has_random_parameters(spec)
        if transformed:
            parts.append(_render_transform(spec, f"{name}_{role}_transform"))
        parts.append(_render_one(spec, name, role, variable, transformed, random))
    parts.append(_render_augment(image, name, random))
    parts.append(_render_dataset(image, mask, name))
    return _with_tf("\n\n\n".join(parts) + "\n", tf)


def _render_one(
    spec: AugmentSpec, name: str, role: str, variable: str, transformed: bool, random: bool
) -> str:
    """`def <name>_<role>(<variable>, parameters)`: transform, then standardize."""
    body: list[str] = []
    if transformed:
        body.append(f"images = {name}_{role}_transform({variable}, parameters)")
    else:
        body.append(f"images = {variable}")
        if random:
            body.append(f"del parameters  # the {role} generator transforms nothing")
    if standardize.has_standardization(spec):
        body += standardize.render_standardize(spec, None)
    body.append("return images")
    signature = f"{variable}, parameters" if random else variable
    doc = (
        f'    """The {role} generator\'s transform with the shared `parameters`, then its '
        'standardization."""'
        if random
        else f'    """The {role} generator\'s standardization."""'
    )
    return "\n".join([f"def {name}_{role}({signature}):", doc] + _indent(body))


def _render_augment(image: AugmentSpec, name: str, random: bool) -> str:
    rows = "1:3" if image.data_format == "channels_last" else "2:4"
    sizes = (
        "shape[0], shape[1], shape[2]"
        if image.data_format == "channels_last"
        else "shape[0], shape[2], shape[3]"
    )
    lines = [
        f"def {name}_augment(images, masks, seed):",
        '    """One random transform per sample, applied to the image and to its mask."""',
        "    # Shifts given as fractions are scaled by the image's size: masks must match it.",
        "    tf.debugging.assert_equal(",
        f"        tf.shape(images)[{rows}], tf.shape(masks)[{rows}], "
        'message="images and masks differ in size"',
        "    )",
    ]
    if random:
        lines += [
            "    shape = tf.shape(images)",
            f"    parameters = {name}_parameters({sizes}, seed)",
            f"    return {name}_image(images, parameters), {name}_mask(masks, parameters)",
        ]
    else:
        lines += [
            "    del seed  # neither generator draws random numbers",
            f"    return {name}_image(images), {name}_mask(masks)",
        ]
    return "\n".join(lines)


def _render_dataset(image: AugmentSpec, mask: AugmentSpec, name: str) -> str:
    return f'''def {name}_dataset(images, masks, batch_size=32, shuffle=True, seed=None):
    """tf.data version of zipping `image_datagen.flow(images, seed=seed)` with
    `mask_datagen.flow(masks, seed=seed)`: (image, mask) batches, one random transform per
    sample shared by the image and its mask, built in parallel."""
    # NumPy arrays stay as they are (see `gather`); anything else becomes a tensor.
    images = images if hasattr(images, "__array_interface__") else tf.convert_to_tensor(images)
    masks = masks if hasattr(masks, "__array_interface__") else tf.convert_to_tensor(masks)
    if len(images.shape) != 4 or len(masks.shape) != 4:
        raise ValueError(f"expected rank-4 arrays, got shapes {{images.shape}} and {{masks.shape}}")
    if len(images) != len(masks):
        raise ValueError(f"{{len(images)}} images but {{len(masks)}} masks")
    count = len(images)
    indices = tf.data.Dataset.range(count)
    if shuffle:
        # Shuffle indices, not images: memory stays flat, and each image keeps its mask.
        indices = indices.shuffle(max(count, 1), seed=seed, reshuffle_each_iteration=True)
    # One seed pair per batch for the stateless random ops: parallel map calls stay
    # independent, and a given `seed` reproduces the same batches.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)

    def gather(array, index):
        if tf.is_tensor(array):
            return tf.gather(array, index)
        # Read the batch from the array itself: a tensor of the whole array would copy it.
        batch = tf.numpy_function(
            lambda i: array[i], [index], tf.as_dtype(array.dtype), stateful=False
        )
        return tf.ensure_shape(batch, [None, *array.shape[1:]])

    def load(index, augment_seed):
        return {name}_augment(
            tf.cast(gather(images, index), tf.{image.dtype}),
            tf.cast(gather(masks, index), tf.{mask.dtype}),
            augment_seed,
        )

    batches = tf.data.Dataset.zip((indices.batch(batch_size), seeds))
    dataset = batches.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)'''

"""Render the tf.data function that replaces `datagen.flow_from_directory(...)` (MA003).

The emitted `<name>(directory, target_size=(256, 256), color_mode="rgb", classes=None,
class_mode="categorical", batch_size=32, shuffle=True, seed=None, follow_links=False,
subset=None, interpolation="nearest", keep_aspect_ratio=False)` takes flow_from_directory's
own arguments (minus save_to_dir/save_prefix/save_format), so call sites keep theirs, and
returns a finite dataset with IDG's batches:

- the files IDG lists, in its order (sorted class directories, each walked recursively in
  sorted order, IDG's extension white list), listed in plain Python when the function is
  called; `validation_split` + `subset` take the same slice of every class directory;
- each file decoded in a parallel map as `load_img` + `img_to_array` would: PIL's colour
  conversions (its fixed-point luma for grayscale), JPEG with libjpeg's accurate integer
  DCT, and PIL's resize for every `interpolation` load_img accepts: nearest index for index
  (PIL steps through the source in float64), the antialiased filters (bilinear, bicubic,
  hamming, box, lanczos) with PIL's coefficients, 22-bit fixed point, pass order (Pillow 13)
  and RGBA premultiplication; `keep_aspect_ratio`'s centred crop;
- IDG's labels per class_mode, in the generator's dtype; the augmentation (one fresh seed
  pair per batch) before the labels, so class_mode="input" sees augmented images.

Measured against the real `flow_from_directory` (tests/emit/test_directory.py): identical
pixels for PNG, BMP and baseline/progressive JPEG files in every color_mode, with and
without resizing, for every interpolation. Pillow < 13 always resamples horizontally first;
against it the filters can differ by one level on some pixels. What cannot be reproduced
is refused by `unsupported_directory_call` or, for properties of the files only known at
run time, raises a clear error when the emitted function is called or the file is read
(PPM/TIFF files, 16-bit greyscale PNGs). CMYK JPEGs differ by up to one level (TF's and
PIL's CMYK conversions round differently).

Size: one emitted function with IDG's listing, decoding and labels, and its refusals;
it goes when the call sites use the runtime module (migrator/runtime/) instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from migrator.model import UNKNOWN, AugmentSpec  # UNKNOWN: re-exported (emit.directory.UNKNOWN)
from migrator.rules import Code

# flow_from_directory()'s parameters in order (Keras 3 and tf_keras).
DIRECTORY_PARAMETERS: tuple[str, ...] = (
    "directory",
    "target_size",
    "color_mode",
    "classes",
    "class_mode",
    "batch_size",
    "shuffle",
    "seed",
    "save_to_dir",
    "save_prefix",
    "save_format",
    "follow_links",
    "subset",
    "interpolation",
    "keep_aspect_ratio",
)
# The emitted function's parameters, in order. Arguments after `seed` must be passed to it
# by keyword: the dropped save_* parameters sit before them in flow_from_directory.
KEPT_DIRECTORY_PARAMETERS: tuple[str, ...] = (
    "directory",
    "target_size",
    "color_mode",
    "classes",
    "class_mode",
    "batch_size",
    "shuffle",
    "seed",
    "follow_links",
    "subset",
    "interpolation",
    "keep_aspect_ratio",
)
# Arguments without any effect once save_to_dir is unset, dropped from rewritten calls.
DROPPED_DIRECTORY_PARAMETERS: frozenset[str] = frozenset(
    {"save_to_dir", "save_prefix", "save_format"}
)

COLOR_MODES = ("rgb", "rgba", "grayscale")
CLASS_MODES = ("categorical", "binary", "sparse", "input", None)
# Every name load_img accepts (keras.src.utils.image_utils.PIL_INTERPOLATION_METHODS); the
# emitted code reproduces each of them exactly.
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _refuse_value(argument: str, value: object) -> tuple[Code, str, str, str | None] | None:
    if argument == "save_to_dir" and value is not None:
        return (
            "MA104",
            argument,
            "save_to_dir writes every augmented batch to disk as a side effect, which the "
            "tf.data pipeline does not do",
            "Drop save_to_dir (and save_prefix/save_format) to migrate, or keep "
            "ImageDataGenerator here",
        )
    if argument == "interpolation" and value not in INTERPOLATIONS:
        return (
            "MA102",
            argument,
            f"interpolation={value!r} is not one of load_img's methods "
            f"({', '.join(INTERPOLATIONS)}): IDG raises when it resizes",
            None,
        )
    if argument == "color_mode" and value not in COLOR_MODES:
        return (
            "MA102",
            argument,
            f"color_mode={value!r} is invalid (IDG raises)",
            "Use 'rgb', 'rgba' or 'grayscale'",
        )
    if argument == "class_mode" and value not in CLASS_MODES:
        return (
            "MA102",
            argument,
            f"class_mode={value!r} is invalid for flow_from_directory (IDG raises)",
            "Use 'categorical', 'binary', 'sparse', 'input' or None",
        )
    if argument == "subset" and value not in (None, "training", "validation"):
        return (
            "MA102",
            argument,
            f"subset={value!r} is invalid (IDG raises)",
            "Use 'training', 'validation' or None",
        )
    if argument == "target_size" and not (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
    ):
        return (
            "MA102",
            argument,
            f"target_size={value!r} is not a (height, width) pair of positive integers",
            None,
        )
    return None


def unsupported_directory_call(
    arguments: Mapping[str, object | None],
) -> list[tuple[Code, str, str, str | None]]:
    """(code, argument, reason, help) for every argument of a `flow_from_directory(...)` call that
    blocks the rewrite. `arguments` maps parameter names (positional ones already mapped
    through DIRECTORY_PARAMETERS) to their literal values, or to UNKNOWN for non-literal
    ones; parameters left out take flow_from_directory's defaults, which are all supported.

    Non-literal values are accepted for every parameter but save_to_dir: the emitted function
    takes them at run time and checks them when called (as IDG does when constructed).
    """
    refusals: list[tuple[Code, str, str, str | None]] = []
    for argument, value in arguments.items():
        if argument not in DIRECTORY_PARAMETERS:
            refusals.append(
                (
                    "MA104",
                    argument,
                    f"flow_from_directory() has no parameter {argument!r} (IDG raises)",
                    None,
                )
            )
        elif value is UNKNOWN:
            if argument == "save_to_dir":
                refusals.append(
                    (
                        "MA101",
                        argument,
                        "save_to_dir is not a literal: if it is set at run time, IDG writes "
                        "augmented images to disk, which the tf.data pipeline does not do",
                        "Drop it to migrate",
                    )
                )
        elif argument not in ("save_prefix", "save_format"):
            refusal = _refuse_value(argument, value)
            if refusal is not None:
                refusals.append(refusal)
    return refusals


def _with_tf(source: str, tf: str) -> str:
    return source if tf == "tf" else re.sub(r"(?<![\w.])tf\.", f"{tf}.", source)


_SIGNATURE: tuple[str, ...] = (
    "directory",
    "target_size=(256, 256)",
    'color_mode="rgb"',
    "classes=None",
    'class_mode="categorical"',
    "batch_size=32",
    "shuffle=True",
    "seed=None",
    "follow_links=False",
    "subset=None",
    'interpolation="nearest"',
    "keep_aspect_ratio=False",
)


def _header(name: str) -> str:
    return "\n".join([f"def {name}(", *(f"    {p}," for p in _SIGNATURE), "):"])


_LISTING = """
    if color_mode not in ("rgb", "rgba", "grayscale"):
        raise ValueError(f"Invalid color_mode {color_mode!r}: use 'rgb', 'rgba' or 'grayscale'.")
    if class_mode not in ("categorical", "binary", "sparse", "input", None):
        raise ValueError(f"Invalid class_mode {class_mode!r}.")
__INTERPOLATION_CHECK__    # IDG's file list: class directories in sorted order (or `classes`' order), each walked
    # recursively in sorted order, keeping names that end with IDG's extensions.
    if not classes:
        entries = sorted(os.listdir(directory))
        classes = [entry for entry in entries if os.path.isdir(os.path.join(directory, entry))]
    class_indices = {name: index for index, name in enumerate(classes)}
    split = None
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(f"Invalid subset {subset!r}: use 'training' or 'validation'.")
        # validation_split=__SPLIT__: the first files of every class form the validation subset.
        split = (0, __SPLIT__) if subset == "validation" else (__SPLIT__, 1)
    formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
    paths, labels = [], []
    for class_name in classes:
        class_directory = os.path.join(directory, class_name)
        walk = os.walk(class_directory, followlinks=follow_links)
        found = [
            os.path.join(root, name)
            for root, _, names in sorted(walk, key=lambda entry: entry[0])
            for name in sorted(names)
            if name.lower().endswith(formats)
        ]
        if split is not None:
            found = found[int(split[0] * len(found)) : int(split[1] * len(found))]
        paths += found
        labels += [class_indices[os.path.basename(class_directory)]] * len(found)
    undecodable = [path for path in paths if path.lower().endswith(("ppm", "tif", "tiff"))]
    if undecodable:
        raise ValueError(
            f"TensorFlow cannot decode PPM or TIFF images such as {undecodable[0]!r}: convert "
            "them to PNG, or keep ImageDataGenerator for this directory."
        )
    filepaths, count = paths, len(paths)
    print(f"Found {count} images belonging to {len(class_indices)} classes.")  # as IDG
    paths = tf.constant(paths, tf.string)
    labels = tf.constant(labels, tf.int32)
    height, width = target_size
    depth = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]
"""

_READ = '''
__HELPERS__
    def to_color_mode(image):
        """PIL's convert() to color_mode, from the file's own channels (1 grey, 2 grey +
        alpha, 3 RGB, 4 RGBA); by hand, as TF's alpha filler is wrong for palette PNGs."""
        shape = tf.shape(image)
        # Grey (1 or 2 channels) is repeated to RGB; a 2nd or 4th channel is alpha.
        rgb = tf.broadcast_to(image[:, :, : tf.where(shape[2] < 3, 1, 3)], [shape[0], shape[1], 3])
        rgb = tf.cast(rgb, tf.int32)
        if color_mode == "grayscale":
            # PIL's ITU-R 601-2 luma in 16-bit fixed point, rounded (grey stays grey).
            luma = tf.reduce_sum(rgb * [19595, 38470, 7471], axis=2, keepdims=True)
            return (luma + 32768) // 65536
        if color_mode == "rgb":
            return rgb
        alpha = tf.where(shape[2] % 2 == 0, tf.cast(image[:, :, -1:], tf.int32), 255)
        return tf.concat([rgb, alpha], axis=2)

    def read(path):
        """One file as keras' load_img + img_to_array read it (PIL)."""
        contents = tf.io.read_file(path)
        # PIL decodes JPEG with libjpeg's accurate integer DCT (TF's default is the fast one).
        image = tf.cond(
            tf.io.is_jpeg(contents),
            lambda: tf.io.decode_jpeg(contents, channels=3, dct_method="INTEGER_ACCURATE"),
            lambda: tf.io.decode_image(contents, expand_animations=False),
        )
        png = tf.strings.substr(contents, 0, 8) == b"\\x89PNG\\r\\n\\x1a\\n"
        tf.debugging.Assert(
            tf.logical_not(png & (tf.strings.substr(contents, 24, 2) == b"\\x10\\x00")),
            ["16-bit greyscale PNGs are not reproduced (PIL keeps 16-bit values):", path],
        )
        # PIL reads 32-bit BMPs as RGB: the fourth byte is padding, not alpha.
        image = image[:, :, : tf.where(tf.strings.substr(contents, 0, 2) == b"BM", 3, 4)]
        shape = tf.shape(image)
        top, left, crop_height, crop_width = 0, 0, shape[0], shape[1]
__CROP____RESIZE__        image = tf.ensure_shape(image, [height, width, depth])__TRANSPOSE__
        return tf.cast(image, tf.uint8)  # batched as bytes: a quarter of the copying
'''

_CROP = """\
        if keep_aspect_ratio:
            # load_img's centred crop to the target aspect ratio, resized as PIL's box.
            crop_height = tf.minimum(shape[0], shape[1] * height // width)
            crop_width = tf.minimum(shape[1], shape[0] * width // height)
            top, left = (shape[0] - crop_height) // 2, (shape[1] - crop_width) // 2
"""


_NEAREST = """
    def pil_nearest(start, extent, size):
        # PIL's nearest-neighbour resize steps through the source in float64, one addition
        # per output pixel, and truncates; tf.image.resize picks other pixels for many sizes.
        # (divide_no_nan: TF's graph optimiser turns a division by a constant into an
        # inexact multiplication, never this op.)
        step = tf.math.divide_no_nan(tf.cast(extent, tf.float64), tf.cast(size, tf.float64))
        first = tf.cast(start, tf.float64) + step * 0.5
        positions = tf.math.cumsum(tf.concat([[first], tf.fill([size - 1], step)], axis=0))
        return tf.cast(positions, tf.int32)
"""

_NEAREST_RESIZE = """\
        # Nearest only picks pixels: it can run before the colour conversion (cheaper).
        rows = pil_nearest(top, crop_height, height)
        columns = pil_nearest(left, crop_width, width)
        # Unchanged when the size already matches: the indices are then 0, 1, 2, ...
        grid = tf.stack(tf.meshgrid(rows, columns, indexing="ij"), axis=-1)
        image = to_color_mode(tf.gather_nd(image, grid))
"""

_FILTER_RESIZE = """\
        image = to_color_mode(image)  # PIL converts, then resizes
        # load_img resizes only when the size differs.
        resize = (shape[0] != height) | (shape[1] != width)
        image = tf.cond(
            resize,
            lambda: pil_resample(image, top, left, crop_height, crop_width),
            lambda: image,
        )
"""


def _indent(block: str) -> str:
    return "".join(f"    {line}" if line.strip() else line for line in block.splitlines(True))


# PIL's filter kernels (libImaging/Resample.c), evaluated in float64 in PIL's order.
_KERNELS = {
    "box": """\
        if interpolation == "box":
            return tf.cast((x > -0.5) & (x <= 0.5), tf.float64)
""",
    "bilinear": """\
        if interpolation == "bilinear":
            return tf.where(tf.abs(x) < 1.0, 1.0 - tf.abs(x), 0.0)
""",
    "hamming": """\
        if interpolation == "hamming":
            # PIL's constants are C floats: 0.54f and 0.46f.
            c54, c46 = (tf.cast(tf.constant(c, tf.float32), tf.float64) for c in (0.54, 0.46))
            v = tf.abs(x) * 3.141592653589793
            window = tf.sin(v) / v * (c54 + c46 * tf.cos(v))
            return tf.where(x != 0.0, tf.where(tf.abs(x) < 1.0, window, 0.0), 1.0)
""",
    "bicubic": """\
        if interpolation == "bicubic":  # a = -0.5
            x = tf.abs(x)
            near = (1.5 * x - 2.5) * x * x + 1.0
            far = (((x - 5.0) * x + 8.0) * x - 4.0) * -0.5
            return tf.where(x < 1.0, near, tf.where(x < 2.0, far, 0.0))
""",
    "lanczos": """\
        if interpolation == "lanczos":  # sinc(x) * sinc(x / 3) on [-3, 3)

            def sinc(v):
                v = v * 3.141592653589793
                return tf.where(v != 0.0, tf.sin(v) / v, 1.0)

            third = tf.math.divide_no_nan(x, tf.constant(3.0, tf.float64))
            return tf.where((x >= -3.0) & (x < 3.0), sinc(x) * sinc(third), 0.0)
""",
}
_RADII = {"box": 0.5, "bilinear": 1.0, "hamming": 1.0, "bicubic": 2.0, "lanczos": 3.0}

_FILTERS = """
    # PIL's antialiased resize (libImaging/Resample.c), reproduced bit for bit: coefficients
    # in float64 exactly as PIL computes them (no reassociation: TF's graph optimiser would
    # regroup `a + b + 0.5` with a constant), rounded to 22-bit fixed point; two 8-bit passes.
    radii = __RADII__
    radius = radii.get(interpolation, 0.0)

    def pil_filter(x):
__KERNELS__        raise ValueError(f"interpolation={interpolation!r} is not supported")

    def pil_weights(start, extent, source_size, size):
        \"\"\"PIL's coefficients for one axis: the filter stretched by the scale when
        shrinking (antialiasing), normalised per output pixel, times 2**22, rounded.\"\"\"
        scale = tf.math.divide_no_nan(tf.cast(extent, tf.float64), tf.cast(size, tf.float64))
        stretch = tf.maximum(scale, 1.0)
        support = radius * stretch
        center = tf.cast(start, tf.float64) + (tf.range(size, dtype=tf.float64) + 0.5) * scale
        first = tf.maximum(tf.floor(center - support + 0.5), 0.0)[:, None]
        end = tf.minimum(tf.floor(center - -support + 0.5), tf.cast(source_size, tf.float64))
        source = tf.range(source_size, dtype=tf.float64)[None, :]
        weights = pil_filter((source - center[:, None] + 0.5) * (1.0 / stretch))
        weights = tf.where((source >= first) & (source < end[:, None]), weights, 0.0)
        total = tf.math.cumsum(weights, axis=1)[:, -1:]  # summed in order, as PIL does
        weights = tf.where(total != 0.0, weights / total, weights) * 2.0**22
        return tf.where(weights < 0.0, tf.math.ceil(weights - 0.5), tf.floor(weights + 0.5))

    def pil_pass(image, weights):
        # Resamples axis 0: PIL's integer sums (exact in float64; sparse, so only each
        # window's pixels are multiplied), its rounding, clipped to 8 bits.
        shape = tf.shape(image)
        rows = tf.reshape(image, [shape[0], -1])
        total = tf.sparse.sparse_dense_matmul(tf.sparse.from_dense(weights), rows)
        total = tf.clip_by_value(tf.floor((total + 2.0**21) / 2.0**22), 0.0, 255.0)
        return tf.reshape(total, tf.concat([[-1], shape[1:]], axis=0))

    def pil_resample(image, top, left, crop_height, crop_width):
        \"\"\"Image.resize(size, filter, box) on an 8-bit image (int32 in, int32 out).\"\"\"
        shape = tf.shape(image)
        if color_mode == "rgba":
            # PIL resizes RGBA premultiplied by alpha ("RGBa") and divides it out after.
            alpha = image[:, :, 3:]
            product = image[:, :, :3] * alpha + 128
            image = tf.concat([(product // 256 + product) // 256, alpha], axis=2)
        image = tf.cast(image, tf.float64)

        def horizontal(image):
            weights = pil_weights(left, crop_width, shape[1], width)
            return tf.transpose(pil_pass(tf.transpose(image, [1, 0, 2]), weights), [1, 0, 2])

        def vertical(image):
            return pil_pass(image, pil_weights(top, crop_height, shape[0], height))

        # Pillow >= 13 runs the vertical pass first when the height shrinks more than twice
        # as much as the width. (PIL skips a pass that keeps the size; here such a pass has
        # the weights 2**22 on the diagonal and 0 elsewhere: it changes nothing.)
        shrink = shape[0] - height
        image = tf.cond(
            (shrink > 0) & (shrink > (shape[1] - width) * 2),
            lambda: horizontal(vertical(image)),
            lambda: vertical(horizontal(image)),
        )
        image = tf.cast(image, tf.int32)
        if color_mode == "rgba":
            alpha = image[:, :, 3:]
            divided = tf.minimum(255 * image[:, :, :3] // tf.maximum(alpha, 1), 255)
            colour = tf.where((alpha == 0) | (alpha == 255), image[:, :, :3], divided)
            image = tf.concat([colour, alpha], axis=2)
        return image
"""


def interpolation_check(supported: tuple[str, ...]) -> str:
    if len(supported) == 1:
        # One interpolation: a comparison (a one-name "tuple" written `("lanczos")` would be
        # a string, and `in` a substring test).
        return f"""\
    if interpolation != "{supported[0]}":
        raise ValueError(
            f"interpolation={{interpolation!r}}: this function reproduces only '{supported[0]}'."
        )
"""
    names = ", ".join(f'"{name}"' for name in supported)
    return f"""\
    interpolations = ({names})
    if interpolation not in interpolations:
        raise ValueError(f"interpolation={{interpolation!r}}: use one of {{interpolations}}.")
"""


def supported_interpolations(interpolations: Collection[str] | None) -> tuple[str, ...]:
    """The interpolations the emitted code handles, in INTERPOLATIONS order."""
    if interpolations is None:
        return INTERPOLATIONS
    unknown = sorted(set(interpolations) - set(INTERPOLATIONS), key=str)
    if unknown:
        raise ValueError(f"unsupported interpolation(s): {unknown}")
    return tuple(i for i in INTERPOLATIONS if i in interpolations) or ("nearest",)


def render_reader(spec: AugmentSpec, supported: tuple[str, ...], *, crop: bool) -> str:
    """The nested `read(path)` (and its resampling helpers): one file as load_img +
    img_to_array give it (values 0..255, as uint8: cast after batching), in
    `spec.data_format`. Uses the emitted
    function's `color_mode`, `target_size` (as `height, width`), `depth`, `interpolation`
    and, with `crop`, `keep_aspect_ratio`."""
    filters = [i for i in supported if i != "nearest"]
    helpers, resize = "", ""
    if "nearest" in supported:
        helpers += _NEAREST
        resize = _NEAREST_RESIZE
    if filters:
        kernels = "".join(_KERNELS[name] for name in filters)
        radii = "{" + ", ".join(f'"{name}": {_RADII[name]}' for name in filters) + "}"
        helpers += _FILTERS.replace("__KERNELS__", kernels).replace("__RADII__", radii)
        resize = _FILTER_RESIZE
    if "nearest" in supported and filters:
        resize = (
            '        if interpolation == "nearest":\n'
            + _indent(_NEAREST_RESIZE)
            + "        else:\n"
            + _indent(_FILTER_RESIZE)
        )
    transpose = ""
    if spec.data_format == "channels_first":
        transpose = "\n        image = tf.transpose(image, [2, 0, 1])  # channels_first"
    read = _READ.replace("__TRANSPOSE__", transpose).replace("__DTYPE__", spec.dtype)
    read = read.replace("__CROP__", _CROP if crop else "")
    return read.replace("__HELPERS__", helpers.lstrip("\n")).replace("__RESIZE__", resize)


_FACTS = """\
    dataset.n, dataset.batch_size, dataset.num_classes = count, batch_size, len(class_indices)
    # Each file's class index in file order (int32, as IDG's), its path relative to directory.
    dataset.classes = labels.numpy()
    dataset.filenames = [os.path.relpath(path, directory) for path in filepaths]
    dataset.labels = dataset.classes  # IDG's alias
    dataset.image_shape = __IMAGE_SHAPE__
"""


def image_shape(spec: AugmentSpec) -> str:
    """IDG's `image_shape` of a file iterator, from the emitted function's locals."""
    if spec.data_format == "channels_first":
        return "(depth, height, width)"
    return "(height, width, depth)"


def render_directory_dataset_function(
    spec: AugmentSpec,
    dataset_name: str,
    augment_name: str | None,
    generator_name: str,
    *,
    tf: str = "tf",
    interpolations: Collection[str] | None = None,
    facts: bool = False,
) -> str:
    """Source of `def <dataset_name>(directory, ...)`, the tf.data replacement of
    `<generator_name>.flow_from_directory(...)`. `augment_name` is the function rendered by
    migrator.emit.augment for `spec` (None when spec.is_identity). The source uses `tf` and
    `os` (the caller makes sure the module imports os).

    `interpolations`: the `interpolation` values the emitted function must reproduce (the
    literal values at the call sites); None for every one load_img accepts. Only the
    resampling code they need is rendered; other values raise ValueError when called.
    `facts`: also attach the rest of what IDG's DirectoryIterator tells (n, batch_size,
    num_classes, classes, filenames), for programs that read them."""
    supported = supported_interpolations(interpolations)
    split = repr(float(spec.validation_split))
    listing = _LISTING
    if not spec.validation_split:
        listing = listing.replace(
            "validation_split=__SPLIT__: the first files of every class form the validation subset.",
            "No validation_split (IDG's 0.0): 'validation' is empty, 'training' every file.",
        )
    listing = listing.replace("__SPLIT__", split)
    listing = listing.replace("__INTERPOLATION_CHECK__", interpolation_check(supported))
    load = (
        render_reader(spec, supported, crop=True)
        + """
    def load(index):
        return read(tf.gather(paths, index)), tf.gather(labels, index)
"""
    )
    arguments, augment = "images, classes", ""
    cast = f"\n        images = tf.cast(images, tf.{spec.dtype})"
    if augment_name is not None:
        arguments = "batch, augment_seed"
        cast = "\n        images, classes = batch" + cast
        augment = f"\n        images = {augment_name}(images, augment_seed)"
    finish = f'''
    def finish({arguments}):
        """The batch as IDG yields it: labels from the class indices of its files."""{cast}{augment}
        if class_mode is None:
            return images
        if class_mode == "input":
            return images, images
        if class_mode == "categorical":
            return images, tf.one_hot(classes, len(class_indices), dtype=tf.{spec.dtype})
        return images, tf.cast(classes, tf.{spec.dtype})  # binary, sparse: the class index
'''
    if augment_name is None:
        batches = "dataset.map(finish, num_parallel_calls=tf.data.AUTOTUNE)"
        seeds = ""
    else:
        seeds = """
    # One seed pair per batch for the augmentation's stateless random ops: parallel map
    # calls stay independent, and a given `seed` reproduces the same batches.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)"""
        batches = (
            "tf.data.Dataset.zip((dataset, seeds)).map(finish, num_parallel_calls=tf.data.AUTOTUNE)"
        )
    source = f'''{_header(dataset_name)}
    """tf.data version of `{generator_name}.flow_from_directory(...)`: same files, labels and
    batches; the files are decoded in parallel."""{listing}
    indices = tf.data.Dataset.range(count)
    if shuffle:
        # Shuffle indices, not images, so memory stays flat; a new order every epoch.
        indices = indices.shuffle(max(count, 1), seed=seed, reshuffle_each_iteration=True)
{load}{finish}
    # Decode file by file in parallel, then batch (the last batch may be partial).
    dataset = indices.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size){seeds}
    dataset = {batches}
    options = tf.data.Options()
    # Files fed by index: FILE sharding is impossible, each worker keeps its share of batches.
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.DATA
    )
    dataset = dataset.with_options(options).prefetch(tf.data.AUTOTUNE)
    # What IDG's iterator tells about the files, for code that reads it.
    dataset.class_indices, dataset.filepaths, dataset.samples = class_indices, filepaths, count
{_FACTS.replace("__IMAGE_SHAPE__", image_shape(spec)) if facts else ""}    return dataset
'''
    return _with_tf(source, tf)

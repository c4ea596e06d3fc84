"""Render the tf.data function that replaces `datagen.flow_from_dataframe(...)` (MA003).

The emitted `<name>(dataframe, directory=None, x_col="filename", y_col="class",
weight_col=None, target_size=(256, 256), color_mode="rgb", classes=None,
class_mode="categorical", batch_size=32, shuffle=True, seed=None, subset=None,
interpolation="nearest", validate_filenames=True)` takes flow_from_dataframe's own arguments
(minus save_to_dir/save_prefix/save_format and the **kwargs IDG ignores), so call sites keep
theirs, and returns a finite dataset with IDG's batches (DataFrameIterator):

- the rows IDG keeps, in the frame's order: with validate_filenames, those whose
  `os.path.join(directory, x)` exists and ends with IDG's extensions; for
  categorical/binary/sparse, `classes` filters the labels (multi-label lists too) and rows
  left without a label are dropped; then `validation_split` + `subset` slice the frame
  (globally, unlike flow_from_directory's per-class split);
- files read exactly as flow_from_directory's replacement reads them
  (migrator.emit.directory.render_reader; DataFrameIterator has no keep_aspect_ratio);
- labels as IDG builds them: categorical one-hot (multi-hot for lists of classes), binary
  and sparse the class index, all in the generator's dtype; raw `dataframe[y_col].values`
  and multi_output `np.array(dataframe[col].tolist())` per column, in numpy's dtypes;
  "input" the augmented images; sample weights from `weight_col` in the column's dtype.

The emitted code uses only `tf`, `os` and the DataFrame's own methods (no pandas or numpy
import). Label columns holding strings (raw/multi_output) become tf.string tensors where
IDG yields numpy object arrays.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from migrator.emit.directory import (
    UNKNOWN,
    image_shape,
    interpolation_check,
    render_reader,
    supported_interpolations,
    unsupported_directory_call,
)
from migrator.model import AugmentSpec
from migrator.rules import Code

# flow_from_dataframe()'s named parameters in order (Keras 3 and tf_keras); it also takes
# **kwargs, which it ignores (has_ext, sort and drop_duplicates only warn).
DATAFRAME_PARAMETERS: tuple[str, ...] = (
    "dataframe",
    "directory",
    "x_col",
    "y_col",
    "weight_col",
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
    "subset",
    "interpolation",
    "validate_filenames",
)
# The emitted function's parameters, in order. Arguments after `seed` must be passed to it
# by keyword: the dropped save_* parameters sit before them in flow_from_dataframe.
KEPT_DATAFRAME_PARAMETERS: tuple[str, ...] = (
    "dataframe",
    "directory",
    "x_col",
    "y_col",
    "weight_col",
    "target_size",
    "color_mode",
    "classes",
    "class_mode",
    "batch_size",
    "shuffle",
    "seed",
    "subset",
    "interpolation",
    "validate_filenames",
)
# Every other argument is dropped from rewritten calls: save_prefix/save_format do nothing
# without save_to_dir, and IDG ignores whatever lands in **kwargs (keep_aspect_ratio too).
CLASS_MODES = ("categorical", "binary", "sparse", "input", "multi_output", "raw", "other", None)


def unsupported_dataframe_call(
    arguments: Mapping[str, object | None],
) -> list[tuple[Code, str, str, str | None]]:
    """(code, argument, reason, help) for every argument of a `flow_from_dataframe(...)` call that
    blocks the rewrite; `arguments` as for directory.unsupported_directory_call (UNKNOWN
    for non-literal values). Non-literal values are accepted for every parameter but
    save_to_dir; keyword arguments outside DATAFRAME_PARAMETERS are ignored by IDG and
    dropped, never refused."""
    refusals: list[tuple[Code, str, str, str | None]] = []
    for argument, value in arguments.items():
        if argument == "save_to_dir" and value is UNKNOWN:
            refusals.append(
                (
                    "MA101",
                    argument,
                    "save_to_dir is not a literal: if it is set at run time, IDG writes "
                    "augmented images to disk, which the tf.data pipeline does not do",
                    "Drop it to migrate",
                )
            )
        elif value is UNKNOWN or argument not in DATAFRAME_PARAMETERS:
            continue
        elif argument == "save_to_dir" and value is not None:
            refusals.append(
                (
                    "MA104",
                    argument,
                    "save_to_dir writes every augmented batch to disk as a side effect, which "
                    "the tf.data pipeline does not do",
                    "Drop save_to_dir (and save_prefix/save_format) to migrate, or keep "
                    "ImageDataGenerator here",
                )
            )
        elif argument == "class_mode" and value not in CLASS_MODES:
            refusals.append(
                (
                    "MA102",
                    argument,
                    f"class_mode={value!r} is invalid for flow_from_dataframe (IDG raises)",
                    "Use 'categorical', 'binary', 'sparse', 'input', 'multi_output', 'raw' or None",
                )
            )
        elif argument in ("color_mode", "interpolation", "subset", "target_size"):
            refusals += unsupported_directory_call({argument: value})
    y_col = arguments.get("y_col", "class")
    if arguments.get("class_mode") == "multi_output" and y_col is not UNKNOWN:
        if not isinstance(y_col, list):
            refusals.append(
                (
                    "MA102",
                    "y_col",
                    f"class_mode='multi_output' needs y_col to be a list of columns, not "
                    f"{y_col!r} (IDG raises)",
                    None,
                )
            )
    return refusals


def _with_tf(source: str, tf: str) -> str:
    return source if tf == "tf" else re.sub(r"(?<![\w.])tf\.", f"{tf}.", source)


_SIGNATURE: tuple[str, ...] = (
    "dataframe",
    "directory=None",
    'x_col="filename"',
    'y_col="class"',
    "weight_col=None",
    "target_size=(256, 256)",
    'color_mode="rgb"',
    "classes=None",
    'class_mode="categorical"',
    "batch_size=32",
    "shuffle=True",
    "seed=None",
    "subset=None",
    'interpolation="nearest"',
    "validate_filenames=True",
)

_ROWS = """
    if class_mode == "other":
        class_mode = "raw"  # IDG's deprecated alias
    if color_mode not in ("rgb", "rgba", "grayscale"):
        raise ValueError(f"Invalid color_mode {color_mode!r}: use 'rgb', 'rgba' or 'grayscale'.")
    modes = ("categorical", "binary", "sparse", "input", "multi_output", "raw", None)
    if class_mode not in modes:
        raise ValueError(f"Invalid class_mode {class_mode!r}: use one of {modes}.")
__INTERPOLATION_CHECK__    # IDG's checks of the frame (DataFrameIterator._check_params), in its order.
    if class_mode == "multi_output" and not isinstance(y_col, list):
        raise TypeError(f'class_mode="multi_output" needs y_col to be a list, not {y_col!r}.')
    if not all(isinstance(name, str) for name in dataframe[x_col]):
        raise TypeError(f"All values in column x_col={x_col} must be strings.")
    if class_mode in ("binary", "sparse"):
        if not all(isinstance(label, str) for label in dataframe[y_col]):
            raise TypeError(f'class_mode="{class_mode}" needs string labels in y_col={y_col!r}.')
    if class_mode == "binary":
        found = len(set(classes)) if classes else dataframe[y_col].nunique()
        if found != 2:
            raise ValueError(f'If class_mode="binary" there must be 2 classes, not {found}.')
    if class_mode == "categorical":
        if not all(isinstance(label, (str, list, tuple)) for label in dataframe[y_col]):
            message = "needs strings, lists or tuples of strings as labels"
            raise TypeError(f'class_mode="categorical" {message} in y_col={y_col!r}.')
    if weight_col and dataframe[weight_col].dtype.kind not in "iufc":  # numpy numbers
        raise TypeError(f"Column weight_col={weight_col} must be numeric.")
    directory = directory or ""
    frame = dataframe
    formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
    if validate_filenames:
        # IDG keeps the rows whose file exists and has one of its extensions.
        paths = [os.path.join(directory, name) for name in frame[x_col]]
        keep = [path.lower().endswith(formats) and os.path.isfile(path) for path in paths]
        frame = frame.iloc[[row for row, kept in enumerate(keep) if kept]]
    class_indices = None
    if class_mode in ("categorical", "binary", "sparse"):
        if classes:
            # Only the listed classes (first occurrences, in order); labels lose the others.
            classes = list(dict.fromkeys(classes))

            def known(label):
                if isinstance(label, (list, tuple)):
                    return [name for name in label if name in classes] or None
                if isinstance(label, str):
                    return label if label in classes else None
                raise TypeError(f"Expect string, list or tuple but found {type(label)}.")

            frame = frame.copy()
            frame[y_col] = frame[y_col].apply(known)
        else:
            names = set()
            for label in frame[y_col]:
                if isinstance(label, (list, tuple)):
                    names.update(label)
                else:
                    names.add(label)
            classes = sorted(names)
        frame = frame.dropna(subset=[y_col])  # rows left without a class
        class_indices = {name: index for index, name in enumerate(classes)}
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(f"Invalid subset {subset!r}: use 'training' or 'validation'.")
        # validation_split=__SPLIT__: the first rows of the (filtered) frame form the
        # validation subset.
        split = (0, __SPLIT__) if subset == "validation" else (__SPLIT__, 1)
        frame = frame.iloc[int(split[0] * len(frame)) : int(split[1] * len(frame))]
    filepaths = [os.path.join(directory, name) for name in frame[x_col]]
    undecodable = [path for path in filepaths if path.lower().endswith(("ppm", "tif", "tiff"))]
    if undecodable:
        raise ValueError(
            f"TensorFlow cannot decode PPM or TIFF images such as {undecodable[0]!r}: convert "
            "them to PNG, or keep ImageDataGenerator for this dataframe."
        )
    count = len(filepaths)
    validated = "validated" if validate_filenames else "non-validated"
    if class_indices is None:  # IDG's message: input, multi_output, raw and None
        print(f"Found {count} {validated} image filenames.")
    else:
        classes_found = f"belonging to {len(class_indices)} classes"
        print(f"Found {count} {validated} image filenames {classes_found}.")
    paths = tf.constant(filepaths, tf.string)
    if class_indices is not None:
        # Each row's class indices, flat (categorical labels may be lists of classes).
        rows = [
            [class_indices[name] for name in label]
            if isinstance(label, (list, tuple))
            else [class_indices[label]]
            for label in frame[y_col]
        ]
        flat = tf.constant([index for row in rows for index in row], tf.int32)
        lengths = tf.constant([len(row) for row in rows], tf.int64)
        class_ids = tf.RaggedTensor.from_row_lengths(flat, lengths)
    elif class_mode == "raw":
        targets = tf.constant(frame[y_col].values)
    elif class_mode == "multi_output":

        def as_array(values):
            # np.array(values): Python ints and floats become int64 and float64 (TF: 32 bits).
            tensor = tf.constant(values)
            wide = {tf.int32: tf.int64, tf.float32: tf.float64}.get(tensor.dtype)
            return tensor if wide is None else tf.constant(values, wide)

        outputs = [as_array(frame[column].tolist()) for column in y_col]
    weights = tf.constant(frame[weight_col].values) if weight_col else None
    height, width = target_size
    depth = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]

    indices = tf.data.Dataset.range(count)
    if shuffle:
        # Shuffle indices, not images, so memory stays flat; a new order every epoch.
        indices = indices.shuffle(max(count, 1), seed=seed, reshuffle_each_iteration=True)
"""

_LOAD = '''
    def load(index):
        """One row: its image, then IDG's label and sample weight for it."""
        parts = [read(tf.gather(paths, index))]
        if class_mode == "categorical":
            # 1 at every class of the row (IDG: batch_y[i, classes] = 1).
            hot = tf.one_hot(tf.gather(class_ids, index), len(class_indices), dtype=tf.__DTYPE__)
            parts.append(tf.minimum(tf.reduce_sum(hot, axis=0), 1))
        elif class_mode in ("binary", "sparse"):
            parts.append(tf.cast(tf.gather(class_ids, index)[0], tf.__DTYPE__))
        elif class_mode == "raw":
            parts.append(tf.gather(targets, index))
        elif class_mode == "multi_output":
            parts.append(tuple(tf.gather(output, index) for output in outputs))
        if weights is not None and class_mode is not None:
            parts.append(tf.gather(weights, index))
        return tuple(parts)
'''


_FACTS = """\
    dataset.n, dataset.batch_size, dataset.filenames = count, batch_size, list(frame[x_col])
    if class_indices is not None:
        # Each row's class index (a list of them for multi-label rows), as IDG's `classes`.
        dataset.classes = [
            row if isinstance(label, (list, tuple)) else row[0]
            for label, row in zip(frame[y_col], rows)
        ]
        dataset.labels = dataset.classes
    elif class_mode == "raw":
        dataset.labels = frame[y_col].values  # IDG's raw targets
    dataset.image_shape = __IMAGE_SHAPE__
"""


def render_dataframe_dataset_function(
    spec: AugmentSpec,
    dataset_name: str,
    augment_name: str | None,
    generator_name: str,
    *,
    tf: str = "tf",
    interpolations: Collection[str] | None = None,
    facts: bool = False,
) -> str:
    """Source of `def <dataset_name>(dataframe, ...)`, the tf.data replacement of
    `<generator_name>.flow_from_dataframe(...)`; arguments as for
    directory.render_directory_dataset_function. The source uses `tf` and `os`.
    `facts`: also attach the rest of what IDG's DataFrameIterator tells (n, batch_size,
    filenames, classes), for programs that read them."""
    supported = supported_interpolations(interpolations)
    split = repr(float(spec.validation_split))
    rows = _ROWS
    if not spec.validation_split:
        rows = rows.replace(
            "validation_split=__SPLIT__: the first rows of the (filtered) frame form the\n"
            "        # validation subset.",
            "No validation_split (IDG's 0.0): 'validation' is empty, 'training' every row.",
        )
    rows = rows.replace("__SPLIT__", split)
    rows = rows.replace("__INTERPOLATION_CHECK__", interpolation_check(supported))
    load = render_reader(spec, supported, crop=False) + _LOAD.replace("__DTYPE__", spec.dtype)
    cast = f"\n        images = tf.cast(images, tf.{spec.dtype})"
    if augment_name is None:
        arguments, augment = "images, *labels", ""
        batches = "dataset.map(finish, num_parallel_calls=tf.data.AUTOTUNE)"
        seeds = ""
    else:
        arguments = "batch, augment_seed"
        cast = "\n        images, *labels = batch" + cast
        augment = f"\n        images = {augment_name}(images, augment_seed)"
        seeds = """
    # One seed pair per batch for the augmentation's stateless random ops: parallel map
    # calls stay independent, and a given `seed` reproduces the same batches.
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)"""
        batches = (
            "tf.data.Dataset.zip((dataset, seeds)).map(finish, num_parallel_calls=tf.data.AUTOTUNE)"
        )
    finish = f'''
    def finish({arguments}):
        """The batch as IDG yields it: images, labels, sample weights."""{cast}{augment}
        if class_mode is None:
            return images
        if class_mode == "input":
            return (images, images, *labels)
        return (images, *labels)
'''
    header = "\n".join([f"def {dataset_name}(", *(f"    {p}," for p in _SIGNATURE), "):"])
    source = f'''{header}
    """tf.data version of `{generator_name}.flow_from_dataframe(...)`: same rows, labels and
    batches; the files are decoded in parallel."""{rows}
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
    dataset.filepaths, dataset.samples = filepaths, count
    if class_indices is not None:
        dataset.class_indices = class_indices
{_FACTS.replace("__IMAGE_SHAPE__", image_shape(spec)) if facts else ""}    return dataset
'''
    return _with_tf(source, tf)

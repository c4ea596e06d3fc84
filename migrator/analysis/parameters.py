"""The flow methods' parameter lists (Keras 3 and tf_keras agree), and which of them the
rewritten call passes on to the runtime's pipeline (index_batches, directory_files,
dataframe_files). tests/test_docs.py checks them against the real signatures and the
argument catalogue (arguments.py)."""

from __future__ import annotations

# flow()'s parameters in order.
FLOW_PARAMETERS: tuple[str, ...] = (
    "x",
    "y",
    "batch_size",
    "shuffle",
    "sample_weight",
    "seed",
    "save_to_dir",
    "save_prefix",
    "save_format",
    "ignore_class_split",
    "subset",
)
# Arguments without any effect once save_to_dir is unset, dropped from rewritten calls.
DROPPED_FLOW_PARAMETERS: frozenset[str] = frozenset({"save_prefix", "save_format"})
# What index_batches takes (save_to_dir is refused before a rewrite).
KEPT_FLOW_PARAMETERS: tuple[str, ...] = tuple(
    name for name in FLOW_PARAMETERS if name not in DROPPED_FLOW_PARAMETERS | {"save_to_dir"}
)

# flow_from_directory()'s parameters in order.
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
# directory_files' parameters, in order. Those after `seed` are keyword-only there: the
# dropped save_* parameters sit before them in flow_from_directory.
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

# flow_from_dataframe()'s named parameters in order; it also takes **kwargs, which it
# ignores (has_ext, sort and drop_duplicates only warn).
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
# dataframe_files' parameters, in order (keyword-only after `seed`). Every other argument
# is dropped: save_prefix/save_format do nothing without save_to_dir, and IDG ignores
# whatever lands in **kwargs (keep_aspect_ratio too).
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

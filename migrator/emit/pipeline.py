"""Render the tf.data function that replaces `datagen.flow(...)` for one generator.

The emitted `<prefix>_dataset(x, y=None, batch_size=32, shuffle=True, sample_weight=None,
seed=None[, subset=None])` takes flow()'s own arguments, so call sites keep theirs, and
returns a finite dataset with IDG's batches: ceil(n / batch_size) per pass, the last one
partial, reshuffled every pass. It shuffles indices, not images, and feeds the
augmentation one fresh seed pair per batch for its stateless random ops.

Memory stays flat: a NumPy array (or memmap) is never converted to one tensor, which
would copy it whole (measured on a 2.2 GB uint8 array under MirroredStrategy: one copy
at conversion and another once Keras distributes the dataset, peak RSS 3.5x the array;
reading batches from the array instead: 1.4x, see tests/test_large_data.py). Each batch
is read with one NumPy fancy index, then cast to IDG's dtype: only batches are copied.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import AugmentSpec

# flow()'s parameters in order, and those the emitted function keeps.
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
# Arguments without any effect once save_to_dir is unset (ignore_class_split only relaxes
# an error check), dropped from rewritten calls.
DROPPED_FLOW_PARAMETERS: frozenset[str] = frozenset(
    {"save_prefix", "save_format", "ignore_class_split"}
)


@dataclass(frozen=True)
class PipelineNames:
    dataset: str  # e.g. "datagen_dataset"
    augment: str | None  # e.g. "datagen_augment"; None when the spec is the identity
    generator: str  # the user's name for the generator, for the docstring


def kept_parameters(spec: AugmentSpec) -> tuple[str, ...]:
    base = ("x", "y", "batch_size", "shuffle", "sample_weight", "seed")
    return (*base, "subset") if spec.validation_split else base


def render_dataset_function(spec: AugmentSpec, names: PipelineNames, *, tf: str = "tf") -> str:
    signature = "x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None"
    subset_block = ""
    if spec.validation_split:
        signature += ", subset=None"
        subset_block = f"""
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(f"Invalid subset {{subset!r}}: use 'training' or 'validation'.")
        # validation_split={spec.validation_split!r}: the first samples form the validation subset.
        split = int(len(images) * {spec.validation_split!r})
        start, stop = (0, split) if subset == "validation" else (split, len(images))
        images = images[start:stop]
        labels = None if labels is None else labels[start:stop]
        # IDG splits x and y but not sample_weight: a subset's i-th sample takes
        # sample_weight[i], for 'training' too (IDG's pairing, kept as it is)."""

    cast = f"{tf}.cast(gather(index), {tf}.{spec.dtype})"
    if names.augment is None:
        load_signature = "index"
        batch_line = f"batch = {cast}"
        batches = ""
        batches_line = "indices.batch(batch_size)"
        seeds_block = ""
    else:
        load_signature = "index, augment_seed"
        batch_line = f"batch = {names.augment}({cast}, augment_seed)"
        batches = f"\n    batches = {tf}.data.Dataset.zip((indices.batch(batch_size), seeds))"
        batches_line = "batches"
        seeds_block = f"""
    # One seed pair per batch for the augmentation's stateless random ops: parallel map
    # calls stay independent, and a given `seed` reproduces the same batches.
    seeds = {tf}.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)"""

    header = f"def {names.dataset}({signature}):"
    if len(header) > 95:
        header = f"def {names.dataset}(\n    {signature}\n):"
    return f'''{header}
    """tf.data version of `{names.generator}.flow(...)`: same batches, built in parallel."""
    # A NumPy array stays as it is (see `gather`); anything else becomes a tensor.
    images = x if hasattr(x, "__array_interface__") else {tf}.convert_to_tensor(x)
    if len(images.shape) != 4:
        raise ValueError(f"expected a rank-4 array of images, got shape {{images.shape}}")
    labels = None if y is None else {tf}.convert_to_tensor(y)
    weights = None if sample_weight is None else {tf}.convert_to_tensor(sample_weight)
    for name, values in (("y", labels), ("sample_weight", weights)):
        if values is not None and len(values) != len(images):
            raise ValueError(f"x and {{name}} differ in length: {{len(images)}} != {{len(values)}}"){subset_block}
    count = len(images)
    indices = {tf}.data.Dataset.range(count)
    if shuffle:
        # Shuffle indices, not images, so memory stays flat; a new order every epoch.
        indices = indices.shuffle(max(count, 1), seed=seed, reshuffle_each_iteration=True){seeds_block}

    def gather(index):
        if {tf}.is_tensor(images):
            return {tf}.gather(images, index)
        # Read the batch from the array itself: a tensor of the whole array would copy it
        # (twice the memory, and more once the dataset is distributed).
        batch = {tf}.numpy_function(
            lambda i: images[i], [index], {tf}.as_dtype(images.dtype), stateful=False
        )
        return {tf}.ensure_shape(batch, [None, *images.shape[1:]])

    def load({load_signature}):
        {batch_line}
        if labels is None:
            return batch
        if weights is None:
            return batch, {tf}.gather(labels, index)
        return batch, {tf}.gather(labels, index), {tf}.gather(weights, index)
{batches}
    dataset = {batches_line}.map(load, num_parallel_calls={tf}.data.AUTOTUNE)
    options = {tf}.data.Options()
    # In-memory data: each worker of a multi-worker strategy keeps its share of batches.
    options.experimental_distribute.auto_shard_policy = (
        {tf}.data.experimental.AutoShardPolicy.DATA
    )
    return dataset.with_options(options).prefetch({tf}.data.AUTOTUNE)
'''

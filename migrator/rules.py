"""The rule catalogue. Codes are part of the public interface: never reuse or renumber."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["rewrite", "report", "refusal", "note"]
# Every rule code, as a type: a code field typed `Code` cannot hold a typo (mypy), and
# tests/test_rules.py checks this list, RULES and every "MAnnn" literal of the package agree.
Code = Literal[
    "MA001",
    "MA002",
    "MA003",
    "MA004",
    "MA005",
    "MA006",
    "MA007",
    "MA101",
    "MA102",
    "MA103",
    "MA104",
    "MA105",
    "MA106",
    "MA107",
    "MA108",
    "MA109",
    "MA201",
    "MA202",
]


@dataclass(frozen=True)
class Rule:
    code: Code
    name: str
    kind: Kind
    summary: str  # one line: what it finds
    why: str  # why it matters / what to do
    example: str = ""  # the fixtures/<case> that shows it (docs/rules.md)


RULES: tuple[Rule, ...] = (
    Rule(
        "MA001",
        "idg-flow-under-strategy",
        "rewrite",
        "ImageDataGenerator.flow() feeding fit() of a model trained under a tf.distribute strategy",
        "IDG augments one image at a time on one CPU thread; every replica waits on it. "
        "The rewrite builds an equivalent tf.data pipeline whose augmentation runs in "
        "parallel TensorFlow ops.",
        example="seed_mirrored",
    ),
    Rule(
        "MA002",
        "idg-flow-without-strategy",
        "report",
        "ImageDataGenerator.flow() feeding fit() with no tf.distribute strategy in sight",
        "The same bottleneck exists without a strategy, but the win is smaller; the site is "
        "reported and rewritten only with --all (config: all = true).",
        example="no_strategy_reported",
    ),
    Rule(
        "MA003",
        "idg-flow-from-files",
        "rewrite",
        "ImageDataGenerator.flow_from_directory() / flow_from_dataframe()",
        "File-based IDG pipelines decode and augment on one CPU thread. Both are rewritten "
        "to a tf.data file pipeline: the same files (flow_from_dataframe: the same rows after "
        "validate_filenames), order, classes and labels (every class_mode, weight_col), "
        "decoded in parallel. save_to_dir is refused, and so is argument unpacking unless it "
        "unpacks a dict built once and never changed (`**dataflow_kwargs`).",
        example="flow_from_directory_detected",
    ),
    Rule(
        "MA004",
        "fit-generator",
        "rewrite",
        "Model.fit_generator() / evaluate_generator() / predict_generator()",
        "These methods were removed in Keras 3; call fit() / evaluate() / predict() instead.",
        example="fit_generator_keras2",
    ),
    Rule(
        "MA005",
        "from-generator-wrapper",
        "rewrite",
        "tf.data.Dataset.from_generator() wrapping an ImageDataGenerator iterator",
        "Wrapping IDG in from_generator keeps the single-threaded Python producer: the "
        "bottleneck stays. A wrapper that only hands on the iterator (`for x, y in it: "
        "yield x, y`, `yield from it`, `return it`, `lambda: it`, `while True: yield "
        "next(it)`) is replaced whole by the "
        "native pipeline, repeated like IDG's endless iterator, keeping the declared dtypes; "
        "the wrapper function goes. A wrapper that does more is reported: replace it by hand.",
        example="from_generator_wrapper_rewritten",
    ),
    Rule(
        "MA006",
        "keras2-image-import",
        "rewrite",
        "ImageDataGenerator imported or referenced through keras.preprocessing.image (Keras 2)",
        "Keras 3's keras.preprocessing.image has no ImageDataGenerator: the import fails. "
        "Where every use is migrated the import goes; where the class is still used (a "
        "generator left as is), it is imported from tensorflow.keras.preprocessing.image, "
        "the same legacy class in TF 2.16+.",
        example="keras2_imports_partly_migrated",
    ),
    Rule(
        "MA007",
        "runtime-module",
        "rewrite",
        "A copy of the runtime module idg_tfdata (a file, or inlined with --inline) older than "
        "this migrate-aug, edited by hand, or another module of that name in its place",
        "Rewritten code calls the runtime module migrate-aug writes into the project, so a "
        "fix in a newer migrate-aug reaches migrated code only when the copy is upgraded. "
        "An unedited copy (its text matches the sha256 in its header) of an older version is "
        "replaced by the current one; a copy edited by hand is reported and never "
        "overwritten; a file of that name without the header is the project's own module: "
        "it is left alone and the files that would import the runtime are not migrated.",
        example="runtime_outdated",
    ),
    Rule(
        "MA101",
        "non-literal-argument",
        "refusal",
        "An ImageDataGenerator argument the rewrite needs to know before the program runs",
        "Values known only at run time (`rotation_range=args.rotation`, `**config`) are "
        "passed on as written and checked by the runtime module when the program runs. A "
        "few shapes cannot be: positional unpacking (`*options`: which parameter each value "
        "lands on is unknown) and a `save_to_dir` that is not a literal (a side effect the "
        "pipeline does not have). Pass the arguments by keyword, or keep "
        "ImageDataGenerator for this generator.",
        example="refuse_unpacked_positional_arguments",
    ),
    Rule(
        "MA102",
        "unsupported-argument-value",
        "refusal",
        "An ImageDataGenerator argument value that TensorFlow ops cannot reproduce exactly",
        "For example interpolation_order >= 2 or a scipy-only fill_mode. Keep IDG here or "
        "choose a supported value.",
        example="refuse_interpolation_order",
    ),
    Rule(
        "MA103",
        "arbitrary-preprocessing-function",
        "refusal",
        "A preprocessing_function that is not a known TensorFlow-native function",
        "Arbitrary Python/numpy code cannot run inside a parallel tf.data map. Rewrite it "
        "with TensorFlow ops and apply it in the pipeline by hand.",
        example="refuse_preprocessing_function",
    ),
    Rule(
        "MA104",
        "unsupported-flow-argument",
        "refusal",
        "A flow() argument the tf.data pipeline cannot reproduce (save_to_dir, tuple x, ...)",
        "The site is left as is; drop the argument or migrate by hand.",
        example="refuse_save_to_dir",
    ),
    Rule(
        "MA105",
        "generator-used-elsewhere",
        "refusal",
        "The generator or its iterator is used in a way the rewrite cannot follow",
        "It is read as an attribute, passed to another function, iterated by hand or "
        "rebound; replacing it could break that use. Migrate by hand.",
        example="refuse_manual_iteration",
    ),
    Rule(
        "MA106",
        "missing-fit-statistics",
        "refusal",
        "featurewise/ZCA standardization without a datagen.fit(x) call the tool can follow",
        "The statistics IDG.fit computes must be computed by the new code from the same "
        "array; call datagen.fit(x) once, in the same scope as the generator.",
        example="refuse_featurewise_without_fit",
    ),
    Rule(
        "MA107",
        "not-yet-supported",
        "refusal",
        "An ImageDataGenerator feature this version of migrate-aug does not migrate yet",
        "The site is left untouched; migrate it by hand or wait for support.",
        example="refuse_featurewise_attribute",
    ),
    Rule(
        "MA108",
        "from-generator-signature-mismatch",
        "refusal",
        "A from_generator wrapper whose declared signature disagrees with what IDG yields",
        "from_generator converts every yielded array to the declared dtype and checks the "
        "declared shapes; a declaration that disagrees with IDG's batches (image dtype, "
        "number of components, image size, a fixed batch size) would change or break the "
        "data. Fix the declaration, then migrate.",
        example="from_generator_signature_mismatch",
    ),
    Rule(
        "MA109",
        "iterator-attribute-unavailable",
        "refusal",
        "An attribute of IDG's iterator the rewritten program could not provide",
        "Programs read `gen.samples`, `gen.n`, `gen.classes`, `gen.class_indices`, "
        "`gen.filenames`, `gen.batch_size`, call `gen.reset()` or `len(gen)`. The file "
        "pipelines carry these facts on the dataset (listed, never decoded) and `.flow()`'s "
        "`n`/`batch_size` become `len(x)`/the batch size; what has no cheap equivalent (e.g. "
        "`.flow()`'s `x`, a subset's size) blocks the rewrite. Compute it from your data.",
        example="iterator_facts_refused",
    ),
    Rule(
        "MA201",
        "shift-axis-swap",
        "note",
        "width_shift_range and height_shift_range differ (IDG swaps their axes)",
        "With channels_last, IDG's width_shift_range moves images vertically and "
        "height_shift_range horizontally. The rewrite keeps that behaviour; you probably "
        "meant the documented axes.",
        example="bound_flow_steps_per_epoch",
    ),
    Rule(
        "MA202",
        "brightness-on-unit-data",
        "note",
        "brightness_range on data that is probably scaled to [0, 1]",
        "IDG applies brightness through an 8-bit PIL image: values in [0, 1] are truncated "
        "to 0 or 1. The rewrite reproduces this; it is likely a bug in the program.",
        example="brightness_unit_data_note",
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def expand_selector(selector: str) -> set[str]:
    """`MA1` -> every MA1xx code, `ALL` -> every code, `MA001` -> itself."""
    selector = selector.strip().upper()
    if selector == "ALL":
        return set(RULES_BY_CODE)
    return {code for code in RULES_BY_CODE if code.startswith(selector)}

"""The argument catalogue: every argument of `ImageDataGenerator(...)`, `.flow()`,
`.flow_from_directory()`, `.flow_from_dataframe()` and `.fit()`, what the rewrite emits for
it, and whether it is reproduced exactly, refused (with the rule code and why) or dropped
(it has no effect on the batches).

This is the single source of docs/arguments.md (`python -m migrator.docs`), and the code
checks itself against it:
- analysis.idg_config takes the parameter order and its refusal codes from here;
- tests/test_docs.py checks that the catalogue names every parameter of the installed
  ImageDataGenerator's methods, in order, that each `exact` case names tests that exist,
  and that the parameter lists of the emitters agree with it;
- tests/analysis/test_idg_config.py runs the tool on each refused case's `example` and
  expects its code on the argument.
Never imports TensorFlow.

Size: a declarative table of ~150 arguments (one row each, with its cases and proofs), not
code; split by method it would only scatter the one source of docs/arguments.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from migrator.rules import Code

Status = Literal["exact", "refused", "dropped"]
Method = Literal["ImageDataGenerator", "flow", "flow_from_directory", "flow_from_dataframe", "fit"]
METHODS: tuple[Method, ...] = (
    "ImageDataGenerator",
    "flow",
    "flow_from_directory",
    "flow_from_dataframe",
    "fit",
)

FIDELITY = "tests/runtime/test_augmentation.py"
PIPELINE = "tests/runtime/test_index_batches.py"
DIRECTORY = "tests/runtime/test_files.py"
DATAFRAME = "tests/runtime/test_files.py"


@dataclass(frozen=True)
class Case:
    """What happens to one argument for some of its values."""

    status: Status
    when: str  # which values, e.g. "0 or 1"
    code: Code | None = None  # refused: the MA1xx rule code
    reason: str = ""  # refused / dropped: why; exact: what to know (optional)
    tests: tuple[str, ...] = ()  # exact: "tests/...py::test_name" comparing with IDG
    # refused: the arguments as written (`method(<example>)`) that make the tool refuse
    example: str | None = None


@dataclass(frozen=True)
class Argument:
    method: Method
    name: str  # "**kwargs" for flow_from_dataframe's catch-all
    emitted: str  # the TensorFlow the rewrite emits for it (markdown)
    cases: tuple[Case, ...]


def _exact(when: str, *tests: str, note: str = "") -> Case:
    return Case("exact", when, reason=note, tests=tests)


def _refused(when: str, code: Code, reason: str, example: str) -> Case:
    return Case("refused", when, code, reason, example=example)


def _dropped(when: str, reason: str) -> Case:
    return Case("dropped", when, reason=reason)


def _invalid(example: str, what: str = "an invalid value") -> Case:
    return _refused(what, "MA102", "IDG itself raises on it", example)


def _not_number(name: str) -> Case:
    return _refused("not a number", "MA102", "IDG fails on it", f"{name}='20'")


def _not_boolean(name: str) -> Case:
    return _refused(
        "not a boolean (or a number or None)",
        "MA102",
        "refused rather than guessing how IDG's truth test treats it",
        f"{name}='yes'",
    )


RESAMPLE = f"{FIDELITY}::test_affine_resample_matches_idg"
CONTINUOUS = f"{FIDELITY}::test_continuous_parameters_follow_idg"
DISCRETE = f"{FIDELITY}::test_discrete_parameters_follow_idg"
STANDARDIZE = f"{FIDELITY}::test_each_standardization_step_matches_idg"
STANDARDIZE_STEPS = f"{FIDELITY}::test_each_standardization_step_matches_idg"
FEATUREWISE = f"{FIDELITY}::test_featurewise_statistics_match_idg_fit"
ZCA = f"{FIDELITY}::test_zca_matches_idg_fit"
AFFINE = "the affine resample"
# Terms the table uses, explained once above it.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "the affine resample",
        "rotation, shifts, shear and zoom become one 3x3 matrix per image (`R . T . S . Z`, "
        "built in float64, centred and axis-swapped exactly as IDG builds it) and ONE "
        "resample of the batch: explicit source coordinates, scipy's border rule for "
        "`fill_mode`, a 4-neighbour bilinear (or nearest) `tf.gather`, XLA-compiled "
        "(`tf.function(jit_compile=True)`); flips are folded into it",
    ),
    (
        "stateless draws",
        "random parameters come from `tf.random.stateless_uniform` with one seed pair per "
        "batch (`tf.data.Dataset.random`), one value per image: the same distributions as "
        "IDG's numpy draws (two-sample tests on 5000 draws), reproducible for a given seed",
    ),
)
NO_STATISTICS = (
    "featurewise statistics need exactly one `datagen.fit(x)` in the generator's scope, "
    "before its flows, for the rewrite to compute them from the same array"
)

IDG_ARGUMENTS: tuple[Argument, ...] = (
    Argument(
        "ImageDataGenerator",
        "featurewise_center",
        "`images - <name>_statistics_mean`; the mean per channel is computed by emitted "
        "code from `datagen.fit(x)`'s array (`tf.reduce_mean`, accumulated in float64)",
        (
            _exact("True", FEATUREWISE),
            _refused(
                "True without a `datagen.fit(x)` the tool can follow",
                "MA106",
                NO_STATISTICS,
                "featurewise_center=True",
            ),
            _not_boolean("featurewise_center"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "samplewise_center",
        "`images - tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)` (per image, all "
        "channels)",
        (_exact("True", STANDARDIZE, STANDARDIZE_STEPS), _not_boolean("samplewise_center")),
    ),
    Argument(
        "ImageDataGenerator",
        "featurewise_std_normalization",
        "`images / (<name>_statistics_std + 1e-6)`, the std per channel of `fit(x)`'s "
        "centred array; forces featurewise_center as IDG does",
        (
            _exact("True", FEATUREWISE),
            _refused(
                "True without a `datagen.fit(x)` the tool can follow",
                "MA106",
                NO_STATISTICS,
                "featurewise_std_normalization=True",
            ),
            _not_boolean("featurewise_std_normalization"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "samplewise_std_normalization",
        "`images / (tf.math.reduce_std(images, axis=[1, 2, 3], keepdims=True) + 1e-6)`; "
        "forces samplewise_center as IDG does",
        (
            _exact("True", STANDARDIZE, STANDARDIZE_STEPS),
            _not_boolean("samplewise_std_normalization"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "zca_whitening",
        "the whitening matrix from `tf.linalg.svd` of `fit(x)`'s flattened, centred array; "
        "each flattened image times it (`tf.matmul`); forces featurewise_center and turns "
        "off featurewise_std_normalization as IDG does",
        (
            _exact("True", ZCA),
            _refused(
                "True without a `datagen.fit(x)` the tool can follow",
                "MA106",
                NO_STATISTICS,
                "zca_whitening=True",
            ),
            _not_boolean("zca_whitening"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "zca_epsilon",
        "the constant in `sqrt(n) / (s + zca_epsilon)`",
        (
            _exact("any number", ZCA, f"{FIDELITY}::test_zca_matches_idg_fit"),
            _not_number("zca_epsilon"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "rotation_range",
        "stateless draws of the angle, U(-r, r) degrees; " + AFFINE,
        (_exact("any number", RESAMPLE, CONTINUOUS), _not_number("rotation_range")),
    ),
    Argument(
        "ImageDataGenerator",
        "width_shift_range",
        "`ty` per image: `tf.random.stateless_uniform` for a float, a stateless choice "
        "times a random sign for an int or list; times the width when < 1; " + AFFINE,
        (
            _exact(
                "float, int or list; fractions or pixels",
                RESAMPLE,
                DISCRETE,
                f"{FIDELITY}::test_fractional_choice_and_pixel_float_shifts_follow_idg",
                f"{FIDELITY}::test_integer_pixel_shifts_are_exact",
                note="moves images vertically with channels_last, as IDG does (note MA201)",
            ),
            _invalid("width_shift_range=-2", "a negative int or a non-number"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "height_shift_range",
        "`tx` per image, as width_shift_range (times the height when < 1); " + AFFINE,
        (
            _exact(
                "float, int or list; fractions or pixels",
                RESAMPLE,
                CONTINUOUS,
                f"{FIDELITY}::test_fractional_choice_and_pixel_float_shifts_follow_idg",
                f"{FIDELITY}::test_integer_pixel_shifts_are_exact",
                note="moves images horizontally with channels_last, as IDG does (note MA201)",
            ),
            _invalid("height_shift_range='wide'", "a negative int or a non-number"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "brightness_range",
        "`tf.random.stateless_uniform` factor per image; PIL's 8-bit brightness "
        "reproduced: `tf.floor`, multiply, `tf.clip_by_value` to [0, 255], `tf.floor` "
        "(min-max scaled around it for images outside [0, 255])",
        (
            _exact(
                "a pair, channels_last",
                f"{FIDELITY}::test_brightness_matches_idg",
                CONTINUOUS,
                note="data in [0, 1] is truncated to 0/1 exactly as by IDG (note MA202)",
            ),
            _refused(
                "with data_format='channels_first'",
                "MA102",
                "IDG's brightness shift converts images with the global channels_last "
                "layout and fails or scrambles them",
                "brightness_range=(0.5, 1.5), data_format='channels_first'",
            ),
            _invalid("brightness_range=0.5", "not a pair of numbers"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "shear_range",
        "stateless draws of the shear, U(-s, s) degrees; " + AFFINE,
        (_exact("any number", RESAMPLE, CONTINUOUS), _not_number("shear_range")),
    ),
    Argument(
        "ImageDataGenerator",
        "zoom_range",
        "`zx`, `zy` drawn independently per image (`tf.random.stateless_uniform`, shape "
        "[batch, 2]); " + AFFINE,
        (
            _exact(
                "a float z (-> [1 - z, 1 + z]) or a pair",
                RESAMPLE,
                CONTINUOUS,
                f"{FIDELITY}::test_continuous_parameters_follow_idg",
            ),
            _invalid("zoom_range=(0.5, 1.0, 1.5)", "anything else"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "channel_shift_range",
        "`tf.random.stateless_uniform` intensity per image added in float64, "
        "`tf.clip_by_value` to the image's own range before the shift",
        (
            _exact(
                "any number",
                f"{FIDELITY}::test_all_transforms_in_idg_order",
                CONTINUOUS,
            ),
            _not_number("channel_shift_range"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "fill_mode",
        "scipy's border rule in the resample: clamp (`nearest`), half-sample reflection "
        "(`reflect`), period n - 1 (`wrap`), `cval` outside [0, n - 1] (`constant`)",
        (
            _exact("'nearest', 'constant', 'reflect', 'wrap'", RESAMPLE),
            _refused(
                "any other mode (e.g. scipy's 'mirror')",
                "MA102",
                "not one of IDG's modes; scipy's other modes have no exact TensorFlow "
                "equivalent in the emitted resample",
                "fill_mode='mirror'",
            ),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "cval",
        "the value `tf.where` puts outside the image with fill_mode='constant'",
        (_exact("any number", RESAMPLE), _not_number("cval")),
    ),
    Argument(
        "ImageDataGenerator",
        "horizontal_flip",
        "a stateless coin per image; mirrored output columns folded into the resample "
        "(or `tf.reverse` when there is no affine part)",
        (_exact("True", RESAMPLE, DISCRETE), _not_boolean("horizontal_flip")),
    ),
    Argument(
        "ImageDataGenerator",
        "vertical_flip",
        "a stateless coin per image; mirrored output rows folded into the resample "
        "(or `tf.reverse` when there is no affine part)",
        (_exact("True", RESAMPLE, DISCRETE), _not_boolean("vertical_flip")),
    ),
    Argument(
        "ImageDataGenerator",
        "rescale",
        "`images * rescale`, after preprocessing_function and before the other "
        "standardization steps (IDG's order)",
        (
            _exact("a number", STANDARDIZE, STANDARDIZE_STEPS),
            _invalid("rescale='1/255'", "not a number"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "preprocessing_function",
        "a call of the same function on the batch, first in the standardization",
        (
            _exact(
                "a known TensorFlow-native function (`keras.applications.*.preprocess_input`)",
                f"{FIDELITY}::test_augment_is_transform_then_standardize",
            ),
            _exact(
                "a lambda of numbers and + - * / // ** on its argument "
                "(`lambda x: x / 127.5 - 1.0`)",
                f"{FIDELITY}::test_augment_is_transform_then_standardize",
                note="its body is written on the batch (`images = images / 127.5 - 1.0`): "
                "elementwise float32 arithmetic, the same on a batch as on each image; "
                "`lambda x: x` is dropped",
            ),
            _refused(
                "any other function",
                "MA103",
                "arbitrary Python/numpy code cannot run inside a parallel tf.data map",
                "preprocessing_function=add_noise",
            ),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "data_format",
        "the layout of the emitted transforms and statistics (channel axis 3 or 1)",
        (
            _exact(
                "'channels_last' (or None), 'channels_first'",
                RESAMPLE,
                FEATUREWISE,
                ZCA,
            ),
            _invalid("data_format='channels_middle'"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "validation_split",
        "the flow's `subset` slices the first `int(n * validation_split)` samples "
        "(validation) or the rest (training) before batching",
        (
            _exact(
                "0 < split < 1",
                f"{PIPELINE}::test_subsets_and_sample_weights_pair_as_idg",
                f"{DIRECTORY}::test_directory_subsets_take_the_same_files_per_class",
                f"{DATAFRAME}::test_dataframe_batches_match_idg",
            ),
            _invalid("validation_split=1.5", "outside (0, 1)"),
            _not_number("validation_split"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "interpolation_order",
        "bilinear (1) or nearest (0, `tf.floor(v + 0.5)`) sampling in the resample",
        (
            _exact("0 or 1", RESAMPLE),
            _refused(
                ">= 2",
                "MA102",
                "scipy's spline interpolation of order >= 2 has no exact TensorFlow equivalent",
                "interpolation_order=3",
            ),
            _invalid("interpolation_order=1.5", "not an int"),
        ),
    ),
    Argument(
        "ImageDataGenerator",
        "dtype",
        "`tf.cast` of each batch to the dtype before augmenting; every op in that dtype",
        (
            _exact(
                "'float32' (or None, np.float32), 'float64' (np.float64)",
                f"{FIDELITY}::test_float64_with_channel_shift",
                RESAMPLE,
            ),
            _refused(
                "any other dtype (or a dtype object other than numpy's, e.g. tf.float32)",
                "MA102",
                "IDG's results then depend on scipy and numpy casting rules (rounding, "
                "overflow, no float16 resampling) that the rewrite does not reproduce",
                "dtype='float16'",
            ),
        ),
    ),
)

FLOW_ARGUMENTS: tuple[Argument, ...] = (
    Argument(
        "flow",
        "x",
        "`tf.data.Dataset.range(n)` of indices, batched, then each batch gathered "
        "(`tf.gather` for a tensor, `tf.numpy_function` reading a NumPy array in place) "
        "and cast to the generator's dtype in a parallel `map`",
        (
            _exact("a rank-4 array", f"{PIPELINE}::test_unshuffled_batches_match_idg"),
            _refused(
                "a tuple (images, extra inputs)",
                "MA104",
                "the extra inputs are not supported yet",
                "(x_train, x_extra), y_train",
            ),
        ),
    ),
    Argument(
        "flow",
        "y",
        "`tf.gather(labels, index)` next to the images, unchanged (images only for None)",
        (
            _exact(
                "an array or None",
                f"{PIPELINE}::test_unshuffled_batches_match_idg",
                f"{PIPELINE}::test_images_only_without_y_even_with_sample_weight",
            ),
        ),
    ),
    Argument(
        "flow",
        "batch_size",
        "`indices.batch(batch_size)`: ceil(n / batch_size) batches, the last one partial",
        (_exact("an int", f"{PIPELINE}::test_unshuffled_batches_match_idg"),),
    ),
    Argument(
        "flow",
        "shuffle",
        "`indices.shuffle(n, seed=seed, reshuffle_each_iteration=True)`: a new "
        "permutation every epoch",
        (
            _exact(
                "True or False",
                f"{PIPELINE}::test_shuffle_visits_every_sample_once_per_epoch_and_reshuffles",
                note="the same kind of order as IDG's, not IDG's numpy permutation",
            ),
        ),
    ),
    Argument(
        "flow",
        "sample_weight",
        "`tf.gather(weights, index)` as the third element of each batch",
        (_exact("an array or None", f"{PIPELINE}::test_unshuffled_batches_match_idg"),),
    ),
    Argument(
        "flow",
        "seed",
        "seeds the shuffle and `tf.data.Dataset.random` (one stateless seed pair per batch "
        "for the augmentation)",
        (
            _exact(
                "an int or None",
                f"{PIPELINE}::test_each_batch_gets_its_own_seed_reproducibly",
                f"{FIDELITY}::test_seeds_decide_the_batch_also_in_a_parallel_map",
                note="the same seed gives the same batches; IDG's numpy stream itself "
                "cannot be reproduced in TensorFlow",
            ),
        ),
    ),
    Argument(
        "flow",
        "save_to_dir",
        "nothing",
        (
            _dropped("None", "the default: nothing is saved"),
            _refused(
                "anything but None",
                "MA104",
                "IDG writes every augmented image to disk as a side effect; the tf.data "
                "pipeline does not",
                "x_train, y_train, save_to_dir='augmented'",
            ),
        ),
    ),
    Argument(
        "flow",
        "save_prefix",
        "nothing",
        (_dropped("any value", "only used with save_to_dir"),),
    ),
    Argument(
        "flow",
        "save_format",
        "nothing",
        (_dropped("any value", "only used with save_to_dir"),),
    ),
    Argument(
        "flow",
        "ignore_class_split",
        "passed on to `index_batches`, which makes IDG's check that both subsets hold "
        "every class (or not) as IDG does",
        (
            _exact(
                "any value",
                "tests/runtime/test_index_batches.py::test_class_split_check_and_subset_name_as_idg",
            ),
        ),
    ),
    Argument(
        "flow",
        "subset",
        "the slice of `validation_split` (see there), passed on as `subset=`",
        (
            _exact(
                "'training' or 'validation', with validation_split",
                f"{PIPELINE}::test_subsets_and_sample_weights_pair_as_idg",
            ),
            _dropped("None without validation_split", "the default: the whole array"),
            _refused(
                "a subset without validation_split",
                "MA104",
                "IDG would raise (there is nothing to split)",
                "x_train, y_train, subset='training'",
            ),
        ),
    ),
)

SAVE_TO_DIR_NOT_LITERAL = (
    "if it is set at run time IDG writes augmented images to disk, which the tf.data "
    "pipeline does not do"
)
FILE_READER = (
    "files read by `tf.io.read_file` + `tf.io.decode_image`/`decode_jpeg` in a parallel "
    "`map`, resized as PIL's `load_img` does"
)


def _file_arguments(method: Method, tests: str, *, dataframe: bool) -> tuple[Argument, ...]:
    """The arguments flow_from_directory and flow_from_dataframe share."""
    first = "frame, 'images', " if dataframe else "'images', "
    batches = (
        f"{tests}::test_dataframe_shuffle_visits_every_row_once_per_epoch_and_reshuffles"
        if dataframe
        else f"{tests}::test_shuffled_files_are_augmented_reproducibly"
    )
    images = (
        f"{tests}::test_dataframe_batches_match_idg"
        if dataframe
        else f"{tests}::test_directory_resize_filters_match_pil"
    )
    labels = (
        f"{tests}::test_dataframe_batches_match_idg"
        if dataframe
        else f"{tests}::test_directory_batches_match_idg"
    )
    seed_test = (
        f"{tests}::test_input_targets_are_the_augmented_images"
        if dataframe
        else f"{tests}::test_input_targets_are_the_augmented_images"
    )
    return (
        Argument(
            method,
            "target_size",
            "the (height, width) of the emitted resize: PIL's sampling positions computed "
            "exactly, `tf.gather_nd`",
            (
                _exact(
                    "a pair of positive ints",
                    images,
                    *(() if dataframe else (f"{tests}::test_directory_resize_filters_match_pil",)),
                ),
                _invalid(f"{first}target_size=(64, 0)", "anything else"),
            ),
        ),
        Argument(
            method,
            "color_mode",
            "PIL's conversions reproduced on the decoded bytes (ITU-R 601-2 luma for "
            "grayscale, opaque alpha added for rgba)",
            (
                _exact("'rgb', 'rgba', 'grayscale'", labels, images),
                _invalid(f"{first}color_mode='hsv'"),
            ),
        ),
        Argument(
            method,
            "classes",
            "the class list and indices, in IDG's order",
            (
                _exact(
                    "a list or None",
                    labels
                    if dataframe
                    else f"{tests}::test_directory_classes_follow_links_channels_first_float64",
                ),
            ),
        ),
        Argument(
            method,
            "class_mode",
            "labels as IDG builds them: `tf.one_hot` (categorical), the class index "
            "(binary, sparse), the augmented images (input), none (None)"
            + (", raw column values (raw, multi_output)" if dataframe else ""),
            (
                _exact(
                    "categorical, binary, sparse, input, None"
                    + (", raw, multi_output" if dataframe else ""),
                    labels,
                    *((f"{tests}::test_dataframe_batches_match_idg",) if dataframe else ()),
                ),
                _invalid(f"{first}class_mode='one_hot'"),
                _refused(
                    "a value known only at run time",
                    "MA101",
                    "the call site maps the images as targets after the augmentation for "
                    "'input' only, so which pipeline to write depends on the value",
                    f"{first}class_mode=args.mode",
                ),
            ),
        ),
        Argument(
            method,
            "batch_size",
            "`indices.batch(batch_size)`: ceil(n / batch_size) batches, the last one partial",
            (_exact("an int", labels),),
        ),
        Argument(
            method,
            "shuffle",
            "`indices.shuffle(n, seed=seed, reshuffle_each_iteration=True)`",
            (_exact("True or False", batches),),
        ),
        Argument(
            method,
            "seed",
            "seeds the shuffle and the per-batch augmentation seeds",
            (_exact("an int or None", batches, seed_test),),
        ),
        Argument(
            method,
            "save_to_dir",
            "nothing",
            (
                _dropped("None", "the default: nothing is saved"),
                _refused(
                    "a literal other than None",
                    "MA104",
                    "IDG writes every augmented image to disk as a side effect; the tf.data "
                    "pipeline does not",
                    f"{first}save_to_dir='augmented'",
                ),
                _refused(
                    "a value not known statically",
                    "MA101",
                    SAVE_TO_DIR_NOT_LITERAL,
                    f"{first}save_to_dir=output_directory",
                ),
            ),
        ),
        Argument(
            method,
            "save_prefix",
            "nothing",
            (_dropped("any value", "only used with save_to_dir"),),
        ),
        Argument(
            method,
            "save_format",
            "nothing",
            (_dropped("any value", "only used with save_to_dir"),),
        ),
        Argument(
            method,
            "subset",
            "the generator's validation_split, taken "
            + ("over the filtered frame" if dataframe else "per class")
            + " as IDG does",
            (
                _exact(
                    "'training', 'validation' or None",
                    f"{tests}::test_dataframe_batches_match_idg"
                    if dataframe
                    else f"{tests}::test_directory_subsets_take_the_same_files_per_class",
                ),
                _invalid(f"{first}subset='test'"),
            ),
        ),
        Argument(
            method,
            "interpolation",
            "the resize filter: PIL's nearest, bilinear, bicubic, hamming, box and lanczos "
            "reproduced (antialiased, as `load_img`); only the filters the calls use are "
            "emitted",
            (
                _exact(
                    "'nearest', 'bilinear', 'bicubic', 'hamming', 'box', 'lanczos'",
                    images,
                    *(() if dataframe else (f"{tests}::test_directory_batches_match_idg",)),
                ),
                _invalid(f"{first}interpolation='area'"),
            ),
        ),
    )


def _by_name(arguments: tuple[Argument, ...]) -> dict[str, Argument]:
    return {argument.name: argument for argument in arguments}


_directory_shared = _by_name(_file_arguments("flow_from_directory", DIRECTORY, dataframe=False))
DIRECTORY_ARGUMENTS: tuple[Argument, ...] = (
    Argument(
        "flow_from_directory",
        "directory",
        "the class folders and image files listed with `os.listdir`/`os.walk` in IDG's "
        "order and extensions; " + FILE_READER,
        (_exact("a path", f"{DIRECTORY}::test_directory_batches_match_idg"),),
    ),
    *(
        _directory_shared[name]
        for name in (
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
        )
    ),
    Argument(
        "flow_from_directory",
        "follow_links",
        "`os.walk(..., followlinks=follow_links)`",
        (
            _exact(
                "True or False",
                f"{DIRECTORY}::test_directory_classes_follow_links_channels_first_float64",
            ),
        ),
    ),
    _directory_shared["subset"],
    _directory_shared["interpolation"],
    Argument(
        "flow_from_directory",
        "keep_aspect_ratio",
        "the centre crop `load_img` makes before resizing",
        (_exact("True or False", f"{DIRECTORY}::test_directory_resize_filters_match_pil"),),
    ),
)

_dataframe_shared = _by_name(_file_arguments("flow_from_dataframe", DATAFRAME, dataframe=True))
DATAFRAME_ARGUMENTS: tuple[Argument, ...] = (
    Argument(
        "flow_from_dataframe",
        "dataframe",
        "the rows IDG keeps, in the frame's order, read with the frame's own methods; "
        + FILE_READER,
        (_exact("a DataFrame", f"{DATAFRAME}::test_dataframe_batches_match_idg"),),
    ),
    Argument(
        "flow_from_dataframe",
        "directory",
        "`os.path.join(directory, filename)` for each row (absolute paths without it)",
        (
            _exact(
                "a path or None",
                f"{DATAFRAME}::test_dataframe_unvalidated_filenames_and_absolute_paths",
            ),
        ),
    ),
    Argument(
        "flow_from_dataframe",
        "x_col",
        "the column of file names",
        (_exact("a column name", f"{DATAFRAME}::test_dataframe_batches_match_idg"),),
    ),
    Argument(
        "flow_from_dataframe",
        "y_col",
        "the label column(s), encoded as class_mode says",
        (
            _exact(
                "a column name or a list of them",
                f"{DATAFRAME}::test_dataframe_batches_match_idg",
                f"{DATAFRAME}::test_dataframe_batches_match_idg",
            ),
            _refused(
                "not a list with class_mode='multi_output'",
                "MA102",
                "IDG itself raises on it",
                "frame, 'images', y_col='label', class_mode='multi_output'",
            ),
        ),
    ),
    Argument(
        "flow_from_dataframe",
        "weight_col",
        "sample weights from that column, in the column's dtype",
        (_exact("a column name or None", f"{DATAFRAME}::test_dataframe_batches_match_idg"),),
    ),
    *(
        _dataframe_shared[name]
        for name in (
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
        )
    ),
    Argument(
        "flow_from_dataframe",
        "validate_filenames",
        "with True, rows whose file does not exist or lacks IDG's extensions are left out "
        "(checked with `os.path` when the dataset is built)",
        (
            _exact(
                "True or False",
                f"{DATAFRAME}::test_dataframe_batches_match_idg",
                f"{DATAFRAME}::test_dataframe_unvalidated_filenames_and_absolute_paths",
            ),
        ),
    ),
    Argument(
        "flow_from_dataframe",
        "**kwargs",
        "nothing",
        (_dropped("any keyword", "IDG ignores them (has_ext, sort, drop_duplicates only warn)"),),
    ),
)

FIT_ARGUMENTS: tuple[Argument, ...] = (
    Argument(
        "fit",
        "x",
        "emitted statements computing the statistics from the same array (`tf.cast` to "
        "float32, `* rescale`, per-channel `tf.reduce_mean` / `tf.math.reduce_std`, "
        "`tf.linalg.svd` for ZCA)",
        (
            _exact(
                "an array",
                FEATUREWISE,
                ZCA,
                note="refused (MA106) unless it is the generator's only fit, in its scope "
                "and before its flows",
            ),
        ),
    ),
    Argument(
        "fit",
        "augment",
        "`rounds` randomly transformed copies through the emitted transform functions",
        (_exact("True or False", f"{FIDELITY}::test_fit_with_augment"),),
    ),
    Argument(
        "fit",
        "rounds",
        "the number of augmented copies",
        (_exact("an int", f"{FIDELITY}::test_fit_with_augment"),),
    ),
    Argument(
        "fit",
        "seed",
        "seeds the copies' stateless random parameters",
        (
            _exact(
                "an int or None",
                f"{FIDELITY}::test_fit_with_augment",
                note="reproducible for a given seed; not IDG's numpy stream",
            ),
        ),
    ),
)

# Refusals that apply to any argument of ImageDataGenerator(...).
GENERAL: tuple[Argument, ...] = (
    Argument(
        "ImageDataGenerator",
        "any argument",
        "",
        (
            _exact(
                "a value known only at run time (`args.rotation`, `CFG.zoom`, a variable)",
                "tests/runtime/test_augmentation.py::test_run_time_values_are_read_when_built",
                note="passed on as written; the runtime module checks it when the program "
                "runs (IDG's own errors, and a clear error for a value it does not reproduce)",
            ),
            _exact(
                "`**config` of a dict known only at run time",
                "tests/runtime/test_augmentation.py::test_run_time_values_are_read_when_built",
                note="passed on as written (a preprocessing_function in it must be written "
                "with TensorFlow operations: the runtime module says so when it is not)",
            ),
            _refused(
                "`*options` (positional unpacking)",
                "MA101",
                "which parameter each value lands on is known only at run time",
                "*options",
            ),
            _refused(
                "a keyword ImageDataGenerator does not have",
                "MA102",
                "IDG itself raises on it",
                "rotation=10",
            ),
        ),
    ),
)

CATALOGUE: tuple[Argument, ...] = (
    *IDG_ARGUMENTS,
    *FLOW_ARGUMENTS,
    *DIRECTORY_ARGUMENTS,
    *DATAFRAME_ARGUMENTS,
    *FIT_ARGUMENTS,
)


def arguments_of(method: Method) -> tuple[Argument, ...]:
    return tuple(argument for argument in CATALOGUE if argument.method == method)


def parameter_names(method: Method) -> tuple[str, ...]:
    """The method's parameters in signature order (without a `**kwargs` catch-all)."""
    return tuple(a.name for a in arguments_of(method) if not a.name.startswith("*"))


def refusal_code(method: Method, name: str) -> Code:
    """The rule code of the refused cases of `method`'s argument `name` that are about its
    value (MA102/MA103/MA104). Raises KeyError when the catalogue lists no such refusal:
    a refusal the docs do not explain is a bug."""
    codes = {
        case.code
        for argument in arguments_of(method)
        if argument.name == name
        for case in argument.cases
        if case.status == "refused" and case.code not in ("MA101", "MA106")
    }
    if len(codes) != 1:
        raise KeyError(f"the catalogue lists no single value refusal for {method}({name}=...)")
    return codes.pop()  # type: ignore[return-value]

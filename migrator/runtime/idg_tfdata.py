# fmt: off
# Formatters leave this file as migrate-aug wrote it: the hash in its header decides
# whether a newer migrate-aug may upgrade it (see the end of the docstring).
"""ImageDataGenerator's augmentation and batching, exactly, as tf.data pipelines.

Written into this project by migrate-aug, which replaced Keras' `ImageDataGenerator`
(IDG) with the pieces below. Everything here reproduces the installed IDG
(`keras.src.legacy.preprocessing.image`, the same algorithm as tf_keras') and is tested
against it: the random parameters and their distributions, the single affine resample
with scipy's border rule for each `fill_mode`, the colour transforms, `standardize` and
the statistics `fit` computes, and the decoding of image files as `load_img` does it.
It needs only TensorFlow (and NumPy, which TensorFlow installs).

Pieces (each documented where it is defined):

- `Augmentation(**idg_arguments)`: takes IDG's constructor arguments, checks them when
  it is built (IDG's errors, plus a clear error for the few values this module does not
  reproduce) and, called on `(batch, seed)`, transforms each image of the batch with its
  own random parameters, then standardizes it, in IDG's order. `fit(x)` computes the
  featurewise statistics as `IDG.fit` does.
- `PairedAugmentation(image, mask)`: one random geometry per sample, applied to an image
  and to its mask, each with its own generator's resampling and standardization.
- `index_batches(x, y, ...)`: what `IDG.flow(x, y, ...)` batches, from in-memory arrays.
- `directory_files(directory, ...)`, `dataframe_files(dataframe, ...)`: what
  `flow_from_directory` / `flow_from_dataframe` batch, read from the files.
- `served(dataset)`: a pipeline built with `service=` run by a tf.data service.

Under a multi-worker strategy each worker reads and augments only its share of every
epoch (one common permutation, split before anything is read; see `_Shares`).

The pipelines yield `(batch, seed)` pairs, where `batch` is what IDG yields before its
augmentation (images, or `(images, y[, sample_weight])`) and `seed` a fresh pair of
int64 numbers for the stateless random ops of the augmentation mapped over them:

    datagen = idg_tfdata.Augmentation(rotation_range=20, horizontal_flip=True)
    train = idg_tfdata.index_batches(x_train, y_train, batch_size=32)
    train = train.map(datagen, num_parallel_calls=tf.data.AUTOTUNE)
    model.fit(train.prefetch(tf.data.AUTOTUNE), epochs=10)

Speed: the configuration is plain Python read when TensorFlow traces the mapped
function, so only the operations a configuration needs end up in the graph, and the
resample is compiled with XLA (`jit_compile=True`).

The first two lines of this file name the version of migrate-aug's runtime this is and
the SHA-256 of the text below them: migrate-aug upgrades an unedited copy and never
overwrites one whose text was changed (edit freely; the tool then leaves it alone).
"""

import hashlib
import inspect
import json
import os
import random
import warnings

import numpy as np
import tensorflow as tf

__all__ = [
    "Augmentation",
    "PairedAugmentation",
    "augmentation_layer",
    "dataframe_files",
    "directory_files",
    "images_as_targets",
    "index_batches",
    "served",
    "zipped",
]

FILL_MODES = ("nearest", "constant", "reflect", "wrap")
DTYPES = ("float32", "float64")
_DEGREES_TO_RADIANS = 0.017453292519943295  # np.deg2rad's factor, pi / 180


def _truthy(value):
    """IDG tests its range arguments with `if value:`; arrays count by their size."""
    if isinstance(value, np.ndarray):
        return value.size > 0 and bool(np.any(value))
    return bool(value)


def _dtype_name(dtype):
    """The name of a dtype given as IDG takes it: "float32", np.float32, tf.float32."""
    try:
        return tf.as_dtype(dtype).name
    except (TypeError, ValueError):
        return str(dtype)


def _differs(value, default):
    try:
        return bool(value != default)
    except (TypeError, ValueError):  # e.g. an array
        return True


class _Shift:
    """`width_shift_range` / `height_shift_range` as `get_random_transform` reads them.

    An int k draws from range(k) and a list (or tuple) from its items, either times a
    random sign; a float v draws U(-v, v). When the largest value is below 1 the drawn
    value is a fraction of the image's size along the axis, otherwise pixels.
    """

    def __init__(self, value, name):
        self.active = _truthy(value)
        self.candidates = None  # the values to choose from; None for U(-v, v)
        self.bound = 0.0
        self.fractional = True
        if not self.active:
            return
        if isinstance(value, (int, np.integer)):  # bool too, as in numpy
            if value > 0:  # np.random.choice(k) draws from range(k)
                self.candidates = [float(v) for v in range(int(value))]
        elif isinstance(value, (list, tuple, np.ndarray)):
            self.candidates = [float(v) for v in np.asarray(value).ravel()]
        if self.candidates is None:
            try:
                self.bound = float(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"`{name}` should be a float, an int or a list of numbers. "
                    f"Received: {value!r}"
                ) from None
        self.fractional = float(np.max(value)) < 1

    def draw(self, seeds, size, batch_size):
        """One value per image (float64); `seeds` holds two seed pairs."""
        if self.candidates is None:
            value = tf.random.stateless_uniform(
                [batch_size], seeds[0], -self.bound, self.bound, tf.float64
            )
        else:  # np.random.choice(values) * np.random.choice([-1, 1])
            count = len(self.candidates)
            pick = tf.random.stateless_uniform(
                [batch_size], seeds[0], 0, count, tf.int32
            )
            sign = tf.random.stateless_uniform([batch_size], seeds[1], 0, 2, tf.int32)
            value = tf.gather(tf.constant(self.candidates, tf.float64), pick)
            value = value * tf.cast(2 * sign - 1, tf.float64)
        if self.fractional:
            value = value * tf.cast(size, tf.float64)
        return value


class Augmentation:
    """`ImageDataGenerator(...)`'s random transforms and standardization, for batches.

    Takes IDG's constructor arguments, with IDG's defaults and in its order, and
    normalises them as IDG does (a float `zoom_range` z means [1 - z, 1 + z];
    `zca_whitening` forces `featurewise_center` on and `featurewise_std_normalization`
    off; `featurewise_std_normalization` forces `featurewise_center` and
    `samplewise_std_normalization` forces `samplewise_center`, each with IDG's warning).
    The attributes keep IDG's names (`datagen.rotation_range`, `datagen.mean`, ...).

    Raises IDG's ValueError for an invalid `data_format`, `validation_split`,
    `zoom_range` or `brightness_range`, and a ValueError for the values this module does
    not reproduce: `interpolation_order` other than 0 or 1 (scipy's splines of
    order >= 2), a `fill_mode` other than IDG's four, a `dtype` other than float32 or
    float64, and `brightness_range` with channels_first (IDG's brightness scrambles
    such images).

    `preprocessing_function` is called on each image, as IDG calls it, through
    `tf.map_fn`: it must be written with TensorFlow operations (as
    `keras.applications.*.preprocess_input` and arithmetic lambdas are); one that runs
    only on NumPy arrays raises a TypeError that says so when the pipeline is built.

    Called as `datagen(batch, seed)` (what `Dataset.map` does with the pipelines'
    `(batch, seed)` elements): `batch` is a batch of images, or a tuple whose first item
    is, followed by labels and sample weights, which are returned unchanged. `seed` is
    an int32/int64 tensor of shape [2]; the same seed gives the same batch.

    The configuration and the featurewise statistics are read when TensorFlow traces
    the function that calls the augmentation (`Dataset.map` traces when it is called):
    build the Augmentation, and `fit` it, before mapping it.
    """

    def __init__(
        self,
        featurewise_center=False,
        samplewise_center=False,
        featurewise_std_normalization=False,
        samplewise_std_normalization=False,
        zca_whitening=False,
        zca_epsilon=1e-6,
        rotation_range=0,
        width_shift_range=0.0,
        height_shift_range=0.0,
        brightness_range=None,
        shear_range=0.0,
        zoom_range=0.0,
        channel_shift_range=0.0,
        fill_mode="nearest",
        cval=0.0,
        horizontal_flip=False,
        vertical_flip=False,
        rescale=None,
        preprocessing_function=None,
        data_format=None,
        validation_split=0.0,
        interpolation_order=1,
        dtype=None,
    ):
        if data_format is None:
            data_format = tf.keras.backend.image_data_format()
        if dtype is None:
            dtype = tf.keras.backend.floatx()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                '`data_format` should be `"channels_last"` (channel after row and '
                'column) or `"channels_first"` (channel before row and column). '
                f"Received: {data_format}"
            )
        if validation_split and not 0 < validation_split < 1:
            raise ValueError(
                "`validation_split` must be strictly between 0 and 1. "
                f" Received: {validation_split}"
            )
        if isinstance(zoom_range, (float, int)):
            zoom_range = [1 - zoom_range, 1 + zoom_range]
        elif len(zoom_range) == 2 and all(
            isinstance(value, (float, int)) for value in zoom_range
        ):
            zoom_range = [zoom_range[0], zoom_range[1]]
        else:
            raise ValueError(
                "`zoom_range` should be a float or a tuple or list of two floats. "
                f"Received: {zoom_range}"
            )
        pair = (
            isinstance(brightness_range, (tuple, list)) and len(brightness_range) == 2
        )
        if brightness_range is not None and not pair:
            raise ValueError(
                "`brightness_range should be tuple or list of two floats. "
                f"Received: {brightness_range}"
            )
        # What this module does not reproduce: a clear error now, not wrong pixels.
        if interpolation_order not in (0, 1):
            raise ValueError(
                f"interpolation_order={interpolation_order!r} is not reproduced: "
                "scipy's spline interpolation of order >= 2 has no exact TensorFlow "
                "equivalent. "
                "Use 1 (bilinear, the default) or 0 (nearest)."
            )
        if fill_mode not in FILL_MODES:
            raise ValueError(
                f"fill_mode={fill_mode!r} is not one of ImageDataGenerator's modes "
                f"{FILL_MODES} and is not reproduced."
            )
        dtype = _dtype_name(dtype)
        if dtype not in DTYPES:
            raise ValueError(
                f"dtype={dtype!r} is not reproduced: use float32 (the default) or "
                "float64; IDG's results in other dtypes depend on numpy and scipy "
                "casting rules."
            )
        if brightness_range is not None and data_format == "channels_first":
            raise ValueError(
                "brightness_range with data_format='channels_first' is not reproduced: "
                "ImageDataGenerator's brightness shift reads such images as "
                "channels_last and scrambles or rejects them."
            )
        if preprocessing_function is not None and not callable(preprocessing_function):
            raise TypeError(
                "preprocessing_function must be callable, not "
                f"{preprocessing_function!r}"
            )

        self.featurewise_center = bool(featurewise_center)
        self.samplewise_center = bool(samplewise_center)
        self.featurewise_std_normalization = bool(featurewise_std_normalization)
        self.samplewise_std_normalization = bool(samplewise_std_normalization)
        self.zca_whitening = bool(zca_whitening)
        self.zca_epsilon = float(zca_epsilon)
        self.rotation_range = rotation_range
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.brightness_range = brightness_range
        self.shear_range = shear_range
        self.zoom_range = zoom_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = float(cval)
        self.horizontal_flip = bool(horizontal_flip)
        self.vertical_flip = bool(vertical_flip)
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = data_format
        self.validation_split = validation_split
        self.interpolation_order = interpolation_order
        self.dtype = dtype
        # The arguments, as normalised above, that differ from IDG's defaults (for
        # augmentation_layer's saved config).
        given = dict(locals())
        self.arguments = {
            name: given[name]
            for name in _ARGUMENT_NAMES
            if _differs(given[name], _ARGUMENT_DEFAULTS[name])
        }
        # Set by fit(), or by hand as with IDG.
        self.mean = None
        self.std = None
        self.zca_whitening_matrix = None
        # IDG's constructor side effects, with its warnings.
        if zca_whitening:
            if not featurewise_center:
                self.featurewise_center = True
                warnings.warn(
                    "This ImageDataGenerator specifies `zca_whitening`, which "
                    "overrides setting of `featurewise_center`.",
                    stacklevel=2,
                )
            if featurewise_std_normalization:
                self.featurewise_std_normalization = False
                warnings.warn(
                    "This ImageDataGenerator specifies `zca_whitening` which "
                    "overrides setting of`featurewise_std_normalization`.",
                    stacklevel=2,
                )
        if featurewise_std_normalization and not featurewise_center:
            self.featurewise_center = True
            warnings.warn(
                "This ImageDataGenerator specifies `featurewise_std_normalization`, "
                "which overrides setting of `featurewise_center`.",
                stacklevel=2,
            )
        if samplewise_std_normalization and not samplewise_center:
            self.samplewise_center = True
            warnings.warn(
                "This ImageDataGenerator specifies `samplewise_std_normalization`, "
                "which overrides setting of `samplewise_center`.",
                stacklevel=2,
            )
        _Shift(height_shift_range, "height_shift_range")  # raises for an invalid range
        _Shift(width_shift_range, "width_shift_range")
        self._resample = tf.function(self._transform, jit_compile=True)

    # -- what the configuration does --

    @property
    def _height_shift(self):
        return _Shift(self.height_shift_range, "height_shift_range")

    @property
    def _width_shift(self):
        return _Shift(self.width_shift_range, "width_shift_range")

    @property
    def has_zoom(self):
        return not (self.zoom_range[0] == 1 and self.zoom_range[1] == 1)

    @property
    def has_affine(self):
        """True when IDG builds a transform matrix (rotation, shift, shear or zoom)."""
        return bool(
            _truthy(self.rotation_range)
            or self._height_shift.active
            or self._width_shift.active
            or _truthy(self.shear_range)
            or self.has_zoom
        )

    @property
    def is_random(self):
        """True when IDG draws random parameters that change images."""
        return bool(
            self.has_affine
            or self.horizontal_flip
            or self.vertical_flip
            or self.channel_shift_range != 0
            or self.brightness_range is not None
        )

    def _image_size(self, images):
        """(batch, height, width) of a batch in this generator's layout."""
        shape = tf.shape(images)
        if self.data_format == "channels_last":
            return shape[0], shape[1], shape[2]
        return shape[0], shape[2], shape[3]

    # -- the augmentation --

    def __call__(self, batch, seed):
        """IDG's batch from `(batch, seed)`: see the class docstring."""
        seed = tf.convert_to_tensor(seed)
        if (
            seed.shape.rank != 1
            or seed.shape[0] not in (2, None)
            or not seed.dtype.is_integer
        ):
            raise TypeError(
                "Augmentation is called as `datagen(batch, seed)` with an integer seed "
                f"of shape [2], not {seed!r}: map it over the (batch, seed) elements "
                "of index_batches, directory_files or dataframe_files."
            )
        # As int64: stateless_split draws new seeds in the dtype of the seed.
        seed = tf.cast(seed, tf.int64)
        if isinstance(batch, (tuple, list)):
            return (self.augment(batch[0], seed), *batch[1:])
        return self.augment(batch, seed)

    def augment(self, images, seed):
        """Casts a batch to `dtype`, transforms each image with its own random
        parameters (drawn from `seed`) and standardizes it, as IDG's iterators do.

        The affine resample reads the batch in its own dtype (uint8 from files, say)
        and casts each pixel it gathers: the same values as casting first (a cast is
        per pixel), with a quarter of the bytes read for uint8."""
        if not self.has_affine:
            images = tf.cast(images, self.dtype)
        if self.is_random:
            parameters = self.random_parameters(*self._image_size(images), seed)
            images = self.apply_transform(images, parameters)
        return self.standardize(tf.cast(images, self.dtype))

    def cast(self, batch, seed=None):
        """The batch as IDG yields it without augmenting: images cast to `dtype`, labels
        and sample weights unchanged; the seed is dropped (for `augmentation_layer`)."""
        del seed
        if isinstance(batch, (tuple, list)):
            return (tf.cast(batch[0], self.dtype), *batch[1:])
        return tf.cast(batch, self.dtype)

    def random_parameters(self, batch_size, height, width, seed):
        """`get_random_transform` for a batch: a dict with IDG's keys and units (theta,
        tx, ty, shear in degrees or pixels, zx, zy, flip_horizontal, flip_vertical,
        channel_shift_intensity, brightness), one value per image, for the parts this
        configuration uses. Stateless: the same `seed` gives the same values, also in a
        parallel `Dataset.map`."""
        seeds = tf.random.experimental.stateless_split(seed, 12)

        def uniform(index, low, high):
            return tf.random.stateless_uniform(
                [batch_size], seeds[index], low, high, tf.float64
            )

        parameters = {}
        if _truthy(self.rotation_range):
            r = float(self.rotation_range)
            parameters["theta"] = uniform(0, -r, r)
        # IDG's naming, kept: tx comes from height_shift_range (scaled by the height)
        # and ty from width_shift_range (scaled by the width); the matrix swap in
        # apply_transform decides which way each moves the image.
        if self._height_shift.active:
            parameters["tx"] = self._height_shift.draw(seeds[1:3], height, batch_size)
        if self._width_shift.active:
            parameters["ty"] = self._width_shift.draw(seeds[3:5], width, batch_size)
        if _truthy(self.shear_range):
            s = float(self.shear_range)
            parameters["shear"] = uniform(5, -s, s)
        if self.has_zoom:
            low, high = (float(v) for v in self.zoom_range)
            zoom = tf.random.stateless_uniform(
                [batch_size, 2], seeds[6], low, high, tf.float64
            )
            parameters["zx"], parameters["zy"] = zoom[:, 0], zoom[:, 1]  # independent
        if self.horizontal_flip:
            parameters["flip_horizontal"] = uniform(7, 0.0, 1.0) < 0.5
        if self.vertical_flip:
            parameters["flip_vertical"] = uniform(8, 0.0, 1.0) < 0.5
        if self.channel_shift_range != 0:
            c = float(self.channel_shift_range)
            parameters["channel_shift_intensity"] = uniform(9, -c, c)
        if self.brightness_range is not None:
            low, high = (float(v) for v in self.brightness_range)
            parameters["brightness"] = uniform(10, low, high)
        return parameters

    def apply_transform(self, images, parameters):
        """`IDG.apply_transform` for a batch: each image with its `parameters` (as
        `random_parameters` returns them): one affine resample with scipy's border
        rules (flips folded in), channel shift, flips, brightness, in IDG's order."""
        if self.has_affine:
            return self._resample(images, parameters)  # XLA-compiled
        return self._transform(images, parameters)

    def _transform(self, images, parameters):
        static_shape = images.shape  # the gathers lose it
        transpose = self.data_format == "channels_first"
        if transpose:  # the resample and colour code read (batch, row, column, channel)
            images = tf.transpose(images, [0, 2, 3, 1])
        if self.has_affine:
            images = self._affine(images, parameters)
        low = high = None
        if "channel_shift_intensity" in parameters:
            images, low, high = _channel_shift(images, parameters)
        if not self.has_affine:
            # IDG's flip_axis on columns, then rows, each with probability 0.5.
            for key, axis in (("flip_horizontal", 2), ("flip_vertical", 1)):
                if key in parameters:
                    flip = parameters[key][:, None, None, None]
                    images = tf.where(flip, tf.reverse(images, [axis]), images)
        if "brightness" in parameters:
            images = _brightness(images, parameters, low, high)
        if transpose:
            images = tf.transpose(images, [0, 3, 1, 2])
        return tf.ensure_shape(images, static_shape)

    def _matrices(self, parameters, height, width, batch):
        """IDG's transform matrix per image, M = R(theta) . T(tx, ty) . S(shear) .
        Z(zx, zy) (only the factors in use), built in float64 as
        `apply_affine_transform` builds it, centred, then with its first two rows and
        columns swapped (M' = P M P) to map output (row, column) to input (row,
        column)."""
        h, w = tf.cast(height, tf.float64), tf.cast(width, tf.float64)
        one = tf.ones([batch], tf.float64)
        zero = tf.zeros([batch], tf.float64)

        def matrices(*entries):  # one 3x3 matrix per image, entries row by row
            return tf.reshape(tf.stack(entries, axis=1), [-1, 3, 3])

        factors = []
        if "theta" in parameters:
            theta = parameters["theta"] * _DEGREES_TO_RADIANS
            cos, sin = tf.cos(theta), tf.sin(theta)
            factors.append(matrices(cos, -sin, zero, sin, cos, zero, zero, zero, one))
        if "tx" in parameters or "ty" in parameters:
            tx = parameters.get("tx", zero)
            ty = parameters.get("ty", zero)
            factors.append(matrices(one, zero, tx, zero, one, ty, zero, zero, one))
        if "shear" in parameters:
            shear = parameters["shear"] * _DEGREES_TO_RADIANS
            sin, cos = tf.sin(shear), tf.cos(shear)
            factors.append(matrices(one, -sin, zero, zero, cos, zero, zero, zero, one))
        if "zx" in parameters:
            zx, zy = parameters["zx"], parameters["zy"]
            factors.append(matrices(zx, zero, zero, zero, zy, zero, zero, zero, one))
        transform = factors[0]
        for factor in factors[1:]:
            transform = transform @ factor
        # Centred on (height / 2 - 0.5, width / 2 - 0.5) in IDG's (x, y) order, before
        # the swap: rotation, shear and zoom turn about (row (width - 1) / 2, column
        # (height - 1) / 2), and tx (height_shift_range) moves images horizontally, ty
        # (width_shift_range) vertically. Both quirks are IDG's own, kept on purpose.
        ox, oy = h / 2 - 0.5, w / 2 - 0.5
        offset = tf.convert_to_tensor([[1.0, 0, ox], [0, 1.0, oy], [0, 0, 1.0]])
        reset = tf.convert_to_tensor([[1.0, 0, -ox], [0, 1.0, -oy], [0, 0, 1.0]])
        transform = offset @ transform @ reset
        return tf.gather(tf.gather(transform, [1, 0, 2], axis=1), [1, 0, 2], axis=2)

    def _affine(self, images, parameters):
        """`scipy.ndimage.affine_transform` of each image (batch, row, column, channel)
        with its matrix, then IDG's flips, in one resample: source coordinates per
        output pixel in float64, scipy's border rule for the fill mode, a 4-neighbour
        (bilinear) or 1-neighbour (nearest) gather."""
        shape = tf.shape(images)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        h, w = tf.cast(height, tf.float64), tf.cast(width, tf.float64)
        transform = self._matrices(parameters, height, width, batch)
        # IDG flips after the affine transform: read mirrored output positions instead.
        dtype = self.dtype  # the gathered pixels are cast (images may be narrower)
        rows = tf.range(h)[None, :]
        if "flip_vertical" in parameters:
            rows = tf.where(parameters["flip_vertical"][:, None], h - 1 - rows, rows)
        cols = tf.range(w)[None, :]
        if "flip_horizontal" in parameters:
            cols = tf.where(parameters["flip_horizontal"][:, None], w - 1 - cols, cols)
        m = transform[:, :2, :, None, None]
        source_rows = (
            m[:, 0, 0] * rows[:, :, None] + m[:, 0, 1] * cols[:, None, :] + m[:, 0, 2]
        )
        source_cols = (
            m[:, 1, 0] * rows[:, :, None] + m[:, 1, 1] * cols[:, None, :] + m[:, 1, 2]
        )
        inside = None
        if self.fill_mode == "constant":  # scipy: outside [0, n - 1] on an axis -> cval
            inside = (source_rows >= 0) & (source_rows <= h - 1)
            inside = inside & (source_cols >= 0) & (source_cols <= w - 1)
        source_rows = _border(self.fill_mode, source_rows, h)
        source_cols = _border(self.fill_mode, source_cols, w)
        flat = tf.reshape(images, [-1, channels])
        first_row = tf.range(batch)[:, None, None] * height  # of each image in `flat`

        def pixels(r, c):  # pixel (r, c) of each image, indices clamped to the image
            r = tf.clip_by_value(r, 0, height - 1)
            c = tf.clip_by_value(c, 0, width - 1)
            return tf.cast(tf.gather(flat, (first_row + r) * width + c), dtype)

        if self.interpolation_order == 0:
            # scipy takes the nearest pixel, rounding halves up.
            images = pixels(
                tf.cast(tf.floor(source_rows + 0.5), tf.int32),
                tf.cast(tf.floor(source_cols + 0.5), tf.int32),
            )
        else:  # bilinear interpolation of the 4 neighbours
            top, left = tf.floor(source_rows), tf.floor(source_cols)
            dy = tf.cast(source_rows - top, dtype)[..., None]
            dx = tf.cast(source_cols - left, dtype)[..., None]
            top, left = tf.cast(top, tf.int32), tf.cast(left, tf.int32)
            upper = pixels(top, left) * (1 - dx) + pixels(top, left + 1) * dx
            lower = pixels(top + 1, left) * (1 - dx) + pixels(top + 1, left + 1) * dx
            images = upper * (1 - dy) + lower * dy
        if inside is not None:
            cval = tf.constant(self.cval, images.dtype)
            images = tf.where(inside[..., None], images, cval)
        return images

    def standardize(self, images):
        """`IDG.standardize` for a batch, in its order: preprocessing_function,
        rescale, samplewise centre / std, featurewise centre / std, ZCA. The
        featurewise statistics are read when TensorFlow traces this (fit first)."""
        if self.preprocessing_function:
            images = _each_image(self.preprocessing_function, images)
        if self.rescale:
            images = images * self.rescale
        if self.samplewise_center:  # over the whole image, all channels
            images = images - tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
        if self.samplewise_std_normalization:
            std = tf.math.reduce_std(images, axis=[1, 2, 3], keepdims=True)
            images = images / (std + 1e-6)
        for flag, statistic in (
            ("featurewise_center", self.mean),
            ("featurewise_std_normalization", self.std),
            ("zca_whitening", self.zca_whitening_matrix),
        ):
            if not getattr(self, flag):
                continue
            if statistic is None:  # IDG warns and skips the step
                warnings.warn(
                    f"This ImageDataGenerator specifies `{flag}`, but it hasn't been "
                    "fit on any training data. Fit it first by calling "
                    "`.fit(numpy_data)`.",
                    stacklevel=2,
                )
                continue
            statistic = tf.cast(statistic, images.dtype)
            if flag == "featurewise_center":
                images = images - statistic
            elif flag == "featurewise_std_normalization":
                images = images / (statistic + 1e-6)
            else:  # each flattened image times the whitening matrix
                flat = tf.reshape(images, [tf.shape(images)[0], -1]) @ statistic
                images = tf.ensure_shape(
                    tf.reshape(flat, tf.shape(images)), images.shape
                )
        return images

    # -- statistics --

    def fit(self, x, augment=False, rounds=1, seed=None):
        """`IDG.fit`: per-channel `mean`, `std` and the `zca_whitening_matrix` this
        configuration uses, from x (rescaled first; preprocessing_function is not
        applied, as in IDG), stored as NumPy arrays in IDG's shapes. With `augment`,
        from `rounds` randomly transformed copies of x (not standardized); `seed` makes
        them reproducible (the copies are not IDG's: its numpy random stream is not
        reproduced, only its distributions)."""
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim != 4:
            raise ValueError(
                f"Input to `.fit()` should have rank 4. Got array with shape: {x.shape}"
            )
        channel_axis = 3 if self.data_format == "channels_last" else 1
        if x.shape[channel_axis] not in {1, 3, 4}:
            warnings.warn(
                f"Expected images with 1, 3 or 4 channels on axis {channel_axis} "
                f"({self.data_format}). "
                f"However, it was passed an array with shape {x.shape} "
                f"({x.shape[channel_axis]} channels).",
                stacklevel=2,
            )
        images = tf.constant(x)
        if self.rescale:
            images = images * self.rescale
        if augment and self.is_random:
            copies = tf.data.Dataset.from_tensor_slices(images).repeat(rounds)
            seeds = tf.data.Dataset.random(seed=seed).batch(2, drop_remainder=True)

            def transform(batch, batch_seed):
                size = self._image_size(batch)
                return self.apply_transform(
                    batch, self.random_parameters(*size, batch_seed)
                )

            batches = tf.data.Dataset.zip((copies.batch(256), seeds)).map(transform)
            images = tf.concat(list(batches), axis=0)
        elif augment:  # nothing random: the copies equal x, and so do the statistics
            images = tf.tile(images, [rounds, 1, 1, 1])
        axes = [0, 1, 2] if self.data_format == "channels_last" else [0, 2, 3]
        wide = tf.cast(images, tf.float64)  # accumulated in float64
        if self.featurewise_center:
            mean = tf.reduce_mean(wide, axis=axes, keepdims=True)[0]
            self.mean = tf.cast(mean, self.dtype).numpy()
            images = images - self.mean
            wide = tf.cast(images, tf.float64)
        if self.featurewise_std_normalization:
            std = tf.math.reduce_std(wide, axis=axes, keepdims=True)[0]
            self.std = tf.cast(std, self.dtype).numpy()
        if self.zca_whitening:
            # U diag(sqrt(n) / (s + zca_epsilon)) U^T from the SVD of the flattened
            # images; IDG's U (of x^T) is V of x = U S V^T.
            flat = tf.reshape(wide, [tf.shape(wide)[0], -1])
            s, _, v = tf.linalg.svd(flat)
            count = tf.cast(tf.shape(flat)[0], tf.float64)
            scale = tf.sqrt(count) / (s + self.zca_epsilon)
            zca = tf.matmul(v * scale, v, transpose_b=True)
            self.zca_whitening_matrix = tf.cast(zca, self.dtype).numpy()


_SIGNATURE = inspect.signature(Augmentation.__init__).parameters
_ARGUMENT_NAMES = [name for name in _SIGNATURE if name != "self"]
_ARGUMENT_DEFAULTS = {name: _SIGNATURE[name].default for name in _ARGUMENT_NAMES}


class PairedAugmentation:
    """Two generators' augmentation of images and their masks (segmentation), paired.

    Replaces zipping `image_datagen.flow(x, seed=s)` with `mask_datagen.flow(masks,
    seed=s)`: two IDGs with the same geometric settings, reseeded alike, draw the same
    geometric parameters for the i-th image and the i-th mask. Here ONE set of random
    parameters is drawn per sample (by `image`) and applied to the image with the image
    generator's resampling (fill_mode, cval, interpolation_order), colour and
    standardization, and to the mask with the mask generator's own.

    Raises ValueError when IDG's two streams would not stay paired: different geometric
    settings or data_format, or different colour ranges (channel_shift_range,
    brightness_range: IDG draws them from the same stream, so a range on one side only
    shifts every later draw of that side, and from the second image of a batch on the
    masks stop matching their images; an equal range draws the same values, and is
    applied to both). Featurewise statistics are each generator's own (fit each on its
    data).

    Called as `paired((images, masks), seed)`, what `Dataset.map` does with
    `index_batches(images, masks, ...)`'s elements; returns `(images, masks)`.
    """

    GEOMETRY = (
        "rotation_range",
        "width_shift_range",
        "height_shift_range",
        "shear_range",
        "zoom_range",
        "horizontal_flip",
        "vertical_flip",
        "data_format",
    )
    COLOUR = ("channel_shift_range", "brightness_range")

    def __init__(self, image, mask):
        for name in self.GEOMETRY:
            ours, theirs = getattr(image, name), getattr(mask, name)
            if not np.array_equal(np.asarray(ours, object), np.asarray(theirs, object)):
                raise ValueError(
                    f"The image and mask generators differ in {name} ({ours!r} vs "
                    f"{theirs!r}): IDG's two random streams then drift apart and masks "
                    "stop matching their images. Give both the same geometric settings."
                )
        for name in self.COLOUR:
            ours, theirs = getattr(image, name), getattr(mask, name)
            if not np.array_equal(np.asarray(ours, object), np.asarray(theirs, object)):
                raise ValueError(
                    f"The image and mask generators differ in {name} ({ours!r} vs "
                    f"{theirs!r}): IDG draws it from the same random stream as the "
                    "geometry, so the two streams drift apart and masks stop matching "
                    "their images. Give both the same value (or neither)."
                )
        self.image, self.mask = image, mask

    def __call__(self, batch, seed):
        images, masks = batch
        seed = tf.cast(seed, tf.int64)
        images = tf.cast(images, self.image.dtype)
        masks = tf.cast(masks, self.mask.dtype)
        if self.image.data_format == "channels_last":
            sizes = tf.shape(images)[1:3], tf.shape(masks)[1:3]
        else:
            sizes = tf.shape(images)[2:4], tf.shape(masks)[2:4]
        # Fractional shifts are scaled by the image's size: masks must have it too.
        tf.debugging.assert_equal(*sizes, message="images and masks differ in size")
        if self.image.is_random:
            parameters = self.image.random_parameters(
                *self.image._image_size(images), seed
            )
            images = self.image.apply_transform(images, parameters)
            if self.mask.is_random:
                # The mask's keys: the same geometry, and colour only where it has some.
                colour = {
                    "channel_shift_intensity": self.mask.channel_shift_range != 0,
                    "brightness": self.mask.brightness_range is not None,
                }
                shared = {k: v for k, v in parameters.items() if colour.get(k, True)}
                masks = self.mask.apply_transform(masks, shared)
        return self.image.standardize(images), self.mask.standardize(masks)


def zipped(images, masks):
    """`zip(image_iterator, mask_iterator)` of two pipelines built alike (the same seed,
    batch size and shuffle, so the same order of samples), as the `((images, masks),
    seed)` elements `PairedAugmentation` is mapped over: the image pipeline's seed draws
    the one random transform of each sample."""
    lengths = [int(dataset.cardinality()) for dataset in (images, masks)]
    if min(lengths) >= 0 and lengths[0] != lengths[1]:
        raise ValueError(
            f"The image and mask pipelines differ in length ({lengths[0]} vs "
            f"{lengths[1]} batches): give both as many samples."
        )

    def pair(image_element, mask_element):
        (image_batch, seed), (mask_batch, _) = image_element, mask_element
        return (image_batch, mask_batch), seed

    return tf.data.Dataset.zip((images, masks)).map(pair)


# Keras layer classes by Keras module (Keras 3 and tf_keras each need their own).
_LAYER_CLASSES = {}


def augmentation_layer(augmentation, keras=None):
    """`augmentation` as a Keras layer, to put at a model's input: the augmentation
    (IDG's random transform, then its standardization) runs inside the training step, on
    each replica of a distribution strategy, with a fresh seed per step; outside
    training (evaluate, predict) batches pass unchanged. The host pipeline then only
    gathers and batches: map `augmentation.cast` over it instead of the augmentation.

    `keras` is the Keras module the model is built with (`keras`, `tf_keras`; `tf.keras`
    when None). The layer computes in float32 whatever the precision policy, as IDG
    does, and is registered as serializable (package "migrate_aug", in the process where
    `augmentation_layer` has run for that Keras): its config holds the augmentation's
    arguments and statistics (a preprocessing_function must then be a Keras-serializable
    function).
    """
    keras = tf.keras if keras is None else keras
    if keras not in _LAYER_CLASSES:
        _LAYER_CLASSES[keras] = _layer_class(keras)
    return _LAYER_CLASSES[keras](augmentation)


def _layer_class(keras):
    @keras.utils.register_keras_serializable(package="migrate_aug")
    class IdgAugmentation(keras.layers.Layer):
        """Applies an Augmentation to training batches; other batches pass unchanged."""

        def __init__(self, augmentation=None, statistics=None, **kwargs):
            kwargs["dtype"] = "float32"  # as ImageDataGenerator, whatever the policy
            super().__init__(**kwargs)
            if isinstance(augmentation, dict):  # from get_config
                augmentation = Augmentation(**augmentation)
                for name, value in (statistics or {}).items():
                    setattr(
                        augmentation, name, None if value is None else np.array(value)
                    )
            self.augmentation = augmentation

        def call(self, images, training=None):
            if not training:
                return images
            # A fresh seed pair per step and replica for the stateless random ops.
            seed = tf.random.uniform([2], 0, 2**62, tf.int64)
            return self.augmentation.augment(images, seed)

        def get_config(self):
            statistics = {
                name: None if value is None else np.asarray(value).tolist()
                for name in ("mean", "std", "zca_whitening_matrix")
                for value in [getattr(self.augmentation, name)]
            }
            arguments = dict(self.augmentation.arguments)
            return {
                **super().get_config(),
                "augmentation": arguments,
                "statistics": statistics,
            }

    return IdgAugmentation


def _each_image(function, images):
    """`function` applied to each image of the batch, as IDG applies its
    preprocessing_function (to one rank-3 image at a time: a function of the whole
    batch, such as one subtracting the mean, would mean something else on a batch), in a
    graph loop over the batch (`tf.map_fn`)."""
    if tf.executing_eagerly():  # called by hand, outside a pipeline
        return tf.stack([function(image) for image in tf.unstack(images)])
    # map_fn sets a caching device on the global variable scope and resets it only when
    # it returns: after an error it would stay set, and break eager code later.
    scope = tf.compat.v1.get_variable_scope()
    caching_device = scope.caching_device
    try:
        return tf.map_fn(function, images)
    except Exception as error:  # NumPy or Python code that TensorFlow cannot trace
        scope.set_caching_device(caching_device)
        name = getattr(function, "__qualname__", repr(function))
        raise TypeError(
            f"preprocessing_function {name} does not run on TensorFlow tensors "
            f"({type(error).__name__}: {error}). IDG calls it on one NumPy image at a "
            "time; rewrite it with TensorFlow operations (it is then applied to each "
            "image of the batch), or keep ImageDataGenerator for this generator."
        ) from error


# scipy.ndimage's border rules, per fill mode, for a float64 source coordinate `v` along
# an axis of `n` pixels (verified against scipy for every mode, both interpolation
# orders, exact ties and integer coordinates). After mapping, v lies in [-1, n], where
# clamping the neighbour index (in `pixels`) is what scipy does.
def _border(fill_mode, v, n):
    if fill_mode == "reflect":  # half-sample reflection, period 2n
        v = tf.math.floormod(v, 2 * n)
        return tf.where(v >= n, 2 * n - 1 - v, v)
    if fill_mode == "wrap":  # scipy's wrap has period n - 1 (not n)
        period = tf.maximum(n - 1, 1.0)
        wrapped = tf.where(v > n - 1, tf.math.floormod(v, period), v)
        return tf.where(v < 0, period - tf.math.floormod(-v, period), wrapped)
    # nearest clamps to [0, n - 1]; constant too, its outside pixels become cval after.
    return tf.clip_by_value(v, 0.0, n - 1)


def _channel_shift(images, parameters):
    """`apply_channel_shift`: one intensity per image added to every channel, clipped to
    the image's own range before the shift. IDG's intensity is a Python float, which
    NumPy converts to the image's dtype before adding (NEP 50): so does this. Returns
    the images and their new extremes (for brightness)."""
    low = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)
    high = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
    intensity = parameters["channel_shift_intensity"][:, None, None, None]

    def shift(v):
        return tf.clip_by_value(v + tf.cast(intensity, v.dtype), low, high)

    # The shift is monotonic, so the shifted extremes are the new image's extremes.
    return shift(images), shift(low), shift(high)


def _brightness(images, parameters, low=None, high=None):
    """`apply_brightness_shift(x, b, scale=False)`: IDG goes through an 8-bit PIL image.
    Values are truncated to integers, multiplied by b in float32 (PIL), clipped to
    [0, 255] and truncated again: [0, 1] data becomes 0s and 1s. An image outside
    [0, 255] is min-max scaled to [0, 255] first and scaled back after."""
    if low is None:
        low = tf.reduce_min(images, axis=[1, 2, 3], keepdims=True)
        high = tf.reduce_max(images, axis=[1, 2, 3], keepdims=True)
    outside = (low < 0) | (high > 255)
    x = tf.cast(images, tf.float32)  # `array_to_img` works in float32
    x_low = tf.cast(low, tf.float32)  # monotonic cast: min(cast(x)) = cast(min(x))
    x_span = tf.cast(high, tf.float32) - x_low
    x_span = tf.where(x_span == 0, tf.ones_like(x_span), x_span)
    x = tf.floor(tf.where(outside, (x - x_low) / x_span * 255, x))
    factor = tf.cast(parameters["brightness"], tf.float32)[:, None, None, None]
    if images.shape[-1] == 4:  # PIL leaves the alpha channel of an RGBA image alone
        colour = tf.tile(factor, [1, 1, 1, 3])
        factor = tf.concat([colour, tf.ones_like(factor)], axis=-1)
    x = tf.clip_by_value(tf.floor(x * factor), 0.0, 255.0)
    x = tf.cast(x, images.dtype)
    return tf.where(outside, x / 255 * (high - low) + low, x)


# -- pipelines -----------------------------------------------------------------------


def _with_seeds(batches, seed):
    """`(batch, seed)` elements: one fresh seed pair per batch for the augmentation's
    stateless random ops, so parallel map calls stay independent and a given `seed`
    reproduces the same batches (new ones every epoch)."""
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    seeds = seeds.batch(2, drop_remainder=True)  # static shape [2]
    return tf.data.Dataset.zip((batches, seeds))


def _input_pipeline():
    """(pipelines, index, cluster) of this process under a multi-worker strategy: the
    number of workers that each build this pipeline, this one's input pipeline id
    (MultiWorkerMirroredStrategy's: the chief first, then the workers) and the cluster
    spec; (1, 0, None) for a single input pipeline.

    Read from the MultiWorkerMirroredStrategy in scope, else from TF_CONFIG (set before
    the strategy is created, so also when the pipeline is built outside its scope). A
    cluster with parameter servers, an evaluator, and strategies that distribute one
    client's dataset to several hosts themselves (TPUStrategy) count as one pipeline:
    their datasets are sharded by the strategy (or by the dataset_fn's InputContext)."""
    resolver = None
    if tf.distribute.has_strategy():
        strategy = tf.distribute.get_strategy()
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return 1, 0, None
        resolver = strategy.cluster_resolver
    elif os.environ.get("TF_CONFIG"):
        resolver = tf.distribute.cluster_resolver.TFConfigClusterResolver()
    if resolver is None:
        return 1, 0, None
    cluster = resolver.cluster_spec().as_dict()
    if "ps" in cluster or resolver.task_type not in ("chief", "worker"):
        return 1, 0, None
    chiefs, workers = len(cluster.get("chief", [])), len(cluster.get("worker", []))
    task = int(resolver.task_id or 0)
    index = task if resolver.task_type == "chief" else chiefs + task
    return chiefs + workers, index, cluster


def _stable_seed(*parts):
    """A seed in [0, 2**31) that every process computes alike from `parts` (JSON)."""
    text = json.dumps(parts, sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:4], "big") & 0x7FFFFFFF


class _Shares:
    """How the indices of an epoch are shared out before anything is read or augmented.

    `count` input pipelines (workers, or tf.data service workers when `served`) each
    take every count-th index of ONE permutation per epoch, common to all: the
    shuffle's seed is the same in every pipeline, so its sequence of per-epoch orders
    is too, and the shares of an epoch are disjoint and together the data set once.

    - seed given: that seed (as with IDG, the same run to run).
    - seed=None under a multi-worker strategy: a seed derived from the cluster spec,
      which every worker reads alike (from TF_CONFIG); so a cluster with the same
      addresses repeats its orders from run to run: pass seed= to change them.
    - seed=None under the tf.data service: a seed drawn when the pipeline is built; the
      service workers run that one graph. Each epoch of a served pipeline is a new
      job, started afresh from that graph: the order is the same every epoch, and
      the augmentation's draws are unseeded (new every epoch) whatever `seed`.

    `index` is this pipeline's place (None under the service: tf.data's SHARD_HINT
    placeholders, which the service's ShardingPolicy.HINT fills in per worker).
    """

    def __init__(self, seed, service=None):
        self.service = service
        self.augment_seed = seed  # the augmentation's seed stream (per batch)
        if service is not None:
            self.count, self.index, self.sharded = None, None, True
            # Each epoch is a new job whose workers start the graph afresh: a seeded
            # stream would repeat its draws every epoch, so the service draws anew.
            self.augment_seed = None
            if seed is None:
                seed = random.SystemRandom().getrandbits(31)
            self.seed = seed
            return
        self.count, self.index, cluster = _input_pipeline()
        self.sharded = self.count > 1
        self.seed = seed
        if self.sharded:
            if seed is None:
                self.seed = _stable_seed("idg_tfdata", cluster)
            else:  # each worker its own augmentation draws, reproducibly
                self.augment_seed = _stable_seed(seed, self.index)

    def indices(self, count, shuffle):
        """This pipeline's indices of each epoch, in order (a new order every epoch
        when `shuffle`), as a dataset."""
        indices = tf.data.Dataset.range(count)
        if shuffle:
            # Indices, not samples, are shuffled, so memory stays flat.
            indices = indices.shuffle(
                max(count, 1), self.seed, reshuffle_each_iteration=True
            )
        if self.service is not None:
            hint = tf.data.experimental.SHARD_HINT
            indices = indices.shard(hint, hint)
        elif self.sharded:
            indices = indices.shard(self.count, self.index)
        return indices

    def finish(self, batches):
        """The `(batch, seed)` dataset, with the distribution options its sharing
        needs."""
        dataset = _with_seeds(batches, self.augment_seed)
        options = tf.data.Options()
        policy = tf.data.experimental.AutoShardPolicy
        if self.sharded:
            # Sharded above, before any read or augmentation: a strategy's own
            # sharding would split this worker's share again (DATA keeps 1/N of it,
            # after augmenting all of it).
            options.experimental_distribute.auto_shard_policy = policy.OFF
            if self.service is None:
                # tf.distribute splits each global batch of this worker's share into
                # per-replica batches and runs one step per split: Keras would infer
                # the steps from this dataset's batches (1/N of them). Unknown, fit
                # runs until every worker's share is done.
                dataset = dataset.filter(lambda *element: tf.constant(True))
        else:
            # A strategy this process cannot see (no TF_CONFIG): each worker keeps its
            # share of batches (correct, though every worker augments every batch).
            options.experimental_distribute.auto_shard_policy = policy.DATA
        dataset = dataset.with_options(options)
        if self.service is not None:
            dataset._idg_tfdata_service = self.service
        return dataset


# Arrays up to this size (labels, weights) become tensors: gathering from a tensor costs
# less per batch than a call into NumPy, and the copy is small.
_SMALL = 16 * 2**20


def _array(values, small_as_tensor=False):
    """A NumPy array (or memmap) stays as it is, read batch by batch (see `_gather`); a
    tensor stays a tensor; anything else becomes a NumPy array, as IDG's np.asarray
    makes it. With `small_as_tensor`, a small numeric array becomes a tensor."""
    if tf.is_tensor(values):
        return values
    if not hasattr(values, "__array_interface__"):
        values = np.asarray(values)
    if small_as_tensor and values.nbytes <= _SMALL and values.dtype.kind in "biuf":
        return tf.constant(values)
    return values


def _split(generator, validation_split):
    """`validation_split` as given, else the generator's, else IDG's default 0.0."""
    if validation_split is None:
        validation_split = getattr(generator, "validation_split", None)
    return validation_split or 0.0


def _gather(values, index):
    """values[index] for a batch of indices, without copying the whole array: a tensor
    of a large NumPy array would copy it (twice the memory, more once a strategy
    distributes the dataset)."""
    if tf.is_tensor(values):
        return tf.gather(values, index)
    batch = tf.numpy_function(
        lambda i: values[i], [index], tf.as_dtype(values.dtype), stateful=False
    )
    return tf.ensure_shape(batch, [None, *values.shape[1:]])


# The most array bytes a served pipeline holds as constants: its graph is sent to the
# service as one protocol buffer, which cannot exceed 2 GiB.
SERVED_BYTES = 2**30


def _served_arrays(*arrays):
    """The arrays as constants, for a graph the tf.data service workers can run (a
    NumPy read through tf.numpy_function calls back into this process)."""
    arrays = [None if a is None else tf.convert_to_tensor(a) for a in arrays]
    total = sum(int(np.prod(a.shape)) * a.dtype.size for a in arrays if a is not None)
    if total > SERVED_BYTES:
        limit = SERVED_BYTES / 2**20
        raise ValueError(
            f"The arrays hold {total / 2**20:,.0f} MiB: a pipeline served by the "
            f"tf.data service holds them in its graph, up to {limit:,.0f}"
            " MiB (protocol buffers stop at 2 GiB). Write the images to files and use "
            "directory_files or dataframe_files (the service workers read the files), "
            "or train without the service."
        )
    return arrays


def served(dataset, service=None, job_name=None):
    """`dataset` (a pipeline built with `service=`, the augmentation mapped over it)
    produced by the workers of a tf.data service, one pass per epoch.

        train = idg_tfdata.index_batches(x, y, service="grpc://dispatcher:5050")
        train = idg_tfdata.served(train.map(datagen, num_parallel_calls=AUTOTUNE))

    Everything up to here runs on the service's workers: reading, augmentation,
    standardization. Each worker takes its share of every epoch's indices (one
    permutation, `ShardingPolicy.HINT`): the dispatcher must list the workers
    (`DispatcherConfig(worker_addresses=[...])`, static sharding), and an epoch delivers
    every sample once. The batches hold the same samples every epoch (each epoch is a
    new job starting the graph afresh); the augmentation draws anew every epoch.
    `service` defaults to the address the pipeline was built with;
    `job_name` lets several clients share one job (see
    `tf.data.experimental.service.distribute`).
    """
    built = _served_address(dataset)
    if built is None:
        raise ValueError(
            "served() needs a pipeline built for the tf.data service: pass service= "
            "to index_batches, directory_files or dataframe_files (arrays become "
            "constants and each service worker reads its share)."
        )
    return dataset.apply(
        tf.data.experimental.service.distribute(
            processing_mode=tf.data.experimental.service.ShardingPolicy.HINT,
            service=service or built,
            job_name=job_name,
        )
    )


def _served_address(dataset):
    """The `service` a pipeline function was given, found through the datasets that
    `dataset` was made from (map, prefetch... each keep their input)."""
    pending = [dataset]
    while pending:
        current = pending.pop()
        address = getattr(current, "_idg_tfdata_service", None)
        if address is not None:
            return address
        pending.extend(current._inputs())
    return None


def index_batches(
    x,
    y=None,
    batch_size=32,
    shuffle=True,
    sample_weight=None,
    seed=None,
    *,
    subset=None,
    validation_split=None,
    ignore_class_split=False,
    generator=None,
    service=None,
):
    """What `IDG.flow(x, y, batch_size, shuffle, sample_weight, seed, subset=...)`
    batches, as a finite dataset of `(batch, seed)` pairs to map an `Augmentation` over.

    `batch` is the images `x[i]` of a batch in x's own dtype (the augmentation casts
    them), or `(images, y[i])`, or `(images, y[i], sample_weight[i])`; without `y`, IDG
    yields images only (and ignores sample_weight). ceil(n / batch_size) batches per
    pass, the last one partial, in a new order every pass when `shuffle`.

    `subset` ("training" or "validation") takes the generator's `validation_split` as
    IDG does: the first int(n * validation_split) samples are the validation subset, the
    rest the training one, before shuffling; IDG raises when the two subsets hold
    different classes unless `ignore_class_split`. As in IDG, `sample_weight` is not
    split: a subset's i-th sample takes sample_weight[i]. `generator` (the Augmentation
    mapped over the batches) gives `validation_split` when it is not passed.

    Memory stays flat: indices are shuffled and batched, and each batch is read from the
    arrays with one NumPy fancy index; a NumPy array or memmap is never copied whole.

    Under a multi-worker strategy (TF_CONFIG) each worker takes its share of the
    indices of every epoch before reading them (see `_Shares`); `len()` of the dataset
    is then unknown. `service` (a tf.data service dispatcher, "grpc://host:port")
    builds the pipeline for `served`: the arrays become constants of its graph (the
    service workers cannot call back into this process), up to `SERVED_BYTES`.
    """
    if isinstance(x, (tuple, list)):  # IDG reads x as (images, other inputs)
        raise ValueError(
            "x as a tuple or list (images, other inputs) is not reproduced: pass the "
            "images as one array and zip the other inputs in yourself."
        )
    images = _array(x)
    labels = None if y is None else _array(y, small_as_tensor=True)
    weights = None if sample_weight is None else _array(sample_weight, True)
    if labels is not None and len(images) != len(labels):
        raise ValueError(
            "`x` (images tensor) and `y` (labels) should have the same length. "
            f"Found: x.shape = {images.shape}, y.shape = {labels.shape}"
        )
    if weights is not None and len(images) != len(weights):
        raise ValueError(
            "`x` (images tensor) and `sample_weight` should have the same length. "
            f"Found: x.shape = {images.shape}, sample_weight.shape = {weights.shape}"
        )
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(
                f'Invalid subset name: {subset}; expected "training" or "validation".'
            )
        split = int(len(images) * _split(generator, validation_split))
        if labels is not None and not ignore_class_split:
            classes = np.asarray(labels)
            validation, training = (
                np.unique(classes[:split]),
                np.unique(classes[split:]),
            )
            if not np.array_equal(validation, training):
                raise ValueError(
                    "Training and validation subsets have different number of "
                    "classes after the split. If your numpy arrays are sorted by the "
                    "label, you might want to shuffle them."
                )
        part = slice(0, split) if subset == "validation" else slice(split, len(images))
        images = images[part]
        labels = None if labels is None else labels[part]
    if len(images.shape) != 4:
        raise ValueError(
            "Input data in `NumpyArrayIterator` should have rank 4. You passed an "
            f"array with shape {tuple(images.shape)}"
        )

    def load(index):
        batch = _gather(images, index)
        if labels is None:
            return batch
        if weights is None:
            return batch, _gather(labels, index)
        return batch, _gather(labels, index), _gather(weights, index)

    if service is not None:
        images, labels, weights = _served_arrays(images, labels, weights)
    shares = _Shares(seed, service)
    indices = shares.indices(len(images), shuffle).batch(batch_size)
    batches = indices.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return shares.finish(batches)


# -- files ---------------------------------------------------------------------------

# IDG's extension white list, and what TensorFlow cannot decode as PIL does.
_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
_UNDECODABLE = ("ppm", "tif", "tiff")
_COLOR_MODES = ("rgb", "rgba", "grayscale")
# Every name load_img accepts (keras' PIL_INTERPOLATION_METHODS), each reproduced.
INTERPOLATIONS = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _file_reader(
    target_size, color_mode, interpolation, keep_aspect_ratio, data_format
):
    """`read(path)`: one file as keras' `load_img` + `img_to_array` give it (PIL): PIL's
    colour conversions (its fixed-point luma for grayscale), JPEG with libjpeg's
    accurate integer DCT, PIL's resize for every `interpolation` load_img accepts
    (nearest index for index as PIL steps through the source in float64; the antialiased
    filters with PIL's coefficients, 22-bit fixed point, Pillow 13's pass order and RGBA
    premultiplication), `keep_aspect_ratio`'s centred crop. Values 0..255 as uint8 (the
    augmentation casts the batch), in `data_format`. 16-bit greyscale PNGs raise."""
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"Invalid color_mode {color_mode!r}: use 'rgb', 'rgba' or 'grayscale'."
        )
    if interpolation not in INTERPOLATIONS:
        raise ValueError(
            f"Invalid interpolation method {interpolation!r} specified. Supported "
            f"methods are {', '.join(INTERPOLATIONS)}"
        )
    height, width = target_size
    depth = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]

    def pil_nearest(start, extent, size):
        # PIL's nearest-neighbour resize steps through the source in float64, one
        # addition per output pixel, and truncates; tf.image.resize picks other pixels
        # for many sizes. (divide_no_nan: TF's graph optimiser turns a division by a
        # constant into an inexact multiplication, never this op.)
        step = tf.math.divide_no_nan(
            tf.cast(extent, tf.float64), tf.cast(size, tf.float64)
        )
        first = tf.cast(start, tf.float64) + step * 0.5
        positions = tf.math.cumsum(
            tf.concat([[first], tf.fill([size - 1], step)], axis=0)
        )
        return tf.cast(positions, tf.int32)

    # PIL's antialiased resize (libImaging/Resample.c), reproduced bit for bit:
    # coefficients in float64 exactly as PIL computes them (no reassociation: TF's graph
    # optimiser would regroup `a + b + 0.5` with a constant), rounded to 22-bit fixed
    # point; two 8-bit passes.
    radii = {
        "bilinear": 1.0,
        "bicubic": 2.0,
        "hamming": 1.0,
        "box": 0.5,
        "lanczos": 3.0,
    }
    radius = radii.get(interpolation, 0.0)

    def pil_filter(x):
        if interpolation == "bilinear":
            return tf.where(tf.abs(x) < 1.0, 1.0 - tf.abs(x), 0.0)
        if interpolation == "bicubic":  # a = -0.5
            x = tf.abs(x)
            near = (1.5 * x - 2.5) * x * x + 1.0
            far = (((x - 5.0) * x + 8.0) * x - 4.0) * -0.5
            return tf.where(x < 1.0, near, tf.where(x < 2.0, far, 0.0))
        if interpolation == "hamming":
            # PIL's constants are C floats: 0.54f and 0.46f.
            c54, c46 = (
                tf.cast(tf.constant(c, tf.float32), tf.float64) for c in (0.54, 0.46)
            )
            v = tf.abs(x) * 3.141592653589793
            window = tf.sin(v) / v * (c54 + c46 * tf.cos(v))
            return tf.where(x != 0.0, tf.where(tf.abs(x) < 1.0, window, 0.0), 1.0)
        if interpolation == "box":
            return tf.cast((x > -0.5) & (x <= 0.5), tf.float64)
        if interpolation == "lanczos":  # sinc(x) * sinc(x / 3) on [-3, 3)

            def sinc(v):
                v = v * 3.141592653589793
                return tf.where(v != 0.0, tf.sin(v) / v, 1.0)

            third = tf.math.divide_no_nan(x, tf.constant(3.0, tf.float64))
            return tf.where((x >= -3.0) & (x < 3.0), sinc(x) * sinc(third), 0.0)
        raise ValueError(f"interpolation={interpolation!r} is not supported")

    def pil_weights(start, extent, source_size, size):
        """PIL's coefficients for one axis: the filter stretched by the scale when
        shrinking (antialiasing), normalised per output pixel, times 2**22, rounded."""
        scale = tf.math.divide_no_nan(
            tf.cast(extent, tf.float64), tf.cast(size, tf.float64)
        )
        stretch = tf.maximum(scale, 1.0)
        support = radius * stretch
        center = (
            tf.cast(start, tf.float64)
            + (tf.range(size, dtype=tf.float64) + 0.5) * scale
        )
        first = tf.maximum(tf.floor(center - support + 0.5), 0.0)[:, None]
        end = tf.minimum(
            tf.floor(center - -support + 0.5), tf.cast(source_size, tf.float64)
        )
        source = tf.range(source_size, dtype=tf.float64)[None, :]
        weights = pil_filter((source - center[:, None] + 0.5) * (1.0 / stretch))
        weights = tf.where((source >= first) & (source < end[:, None]), weights, 0.0)
        total = tf.math.cumsum(weights, axis=1)[:, -1:]  # summed in order, as PIL does
        weights = tf.where(total != 0.0, weights / total, weights) * 2.0**22
        return tf.where(
            weights < 0.0, tf.math.ceil(weights - 0.5), tf.floor(weights + 0.5)
        )

    def pil_pass(image, weights):
        # Resamples axis 0: PIL's integer sums (exact in float64; sparse, so only each
        # window's pixels are multiplied), its rounding, clipped to 8 bits.
        shape = tf.shape(image)
        rows = tf.reshape(image, [shape[0], -1])
        total = tf.sparse.sparse_dense_matmul(tf.sparse.from_dense(weights), rows)
        total = tf.clip_by_value(tf.floor((total + 2.0**21) / 2.0**22), 0.0, 255.0)
        return tf.reshape(total, tf.concat([[-1], shape[1:]], axis=0))

    def pil_resample(image, top, left, crop_height, crop_width):
        """Image.resize(size, filter, box) on an 8-bit image (int32 in, int32 out)."""
        shape = tf.shape(image)
        if color_mode == "rgba":
            # PIL resizes RGBA premultiplied by alpha ("RGBa") and divides it out after.
            alpha = image[:, :, 3:]
            product = image[:, :, :3] * alpha + 128
            image = tf.concat([(product // 256 + product) // 256, alpha], axis=2)
        image = tf.cast(image, tf.float64)

        def horizontal(image):
            weights = pil_weights(left, crop_width, shape[1], width)
            return tf.transpose(
                pil_pass(tf.transpose(image, [1, 0, 2]), weights), [1, 0, 2]
            )

        def vertical(image):
            return pil_pass(image, pil_weights(top, crop_height, shape[0], height))

        # Pillow >= 13 runs the vertical pass first when the height shrinks more than
        # twice as much as the width. (PIL skips a pass that keeps the size; here such a
        # pass has the weights 2**22 on the diagonal and 0 elsewhere: it changes
        # nothing.)
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

    def to_color_mode(image):
        """PIL's convert() to color_mode, from the file's own channels (1 grey, 2
        grey + alpha, 3 RGB, 4 RGBA); by hand, as TF's alpha filler is wrong for
        palette PNGs."""
        shape = tf.shape(image)
        # Grey (1 or 2 channels) is repeated to RGB; a 2nd or 4th channel is alpha.
        rgb = tf.broadcast_to(
            image[:, :, : tf.where(shape[2] < 3, 1, 3)], [shape[0], shape[1], 3]
        )
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
        # PIL decodes JPEG with libjpeg's accurate integer DCT (TF's default is the fast
        # one).
        image = tf.cond(
            tf.io.is_jpeg(contents),
            lambda: tf.io.decode_jpeg(
                contents, channels=3, dct_method="INTEGER_ACCURATE"
            ),
            lambda: tf.io.decode_image(contents, expand_animations=False),
        )
        png = tf.strings.substr(contents, 0, 8) == b"\x89PNG\r\n\x1a\n"
        tf.debugging.Assert(
            tf.logical_not(png & (tf.strings.substr(contents, 24, 2) == b"\x10\x00")),
            [
                "16-bit greyscale PNGs are not reproduced (PIL keeps 16-bit values):",
                path,
            ],
        )
        # PIL reads 32-bit BMPs as RGB: the fourth byte is padding, not alpha.
        image = image[
            :, :, : tf.where(tf.strings.substr(contents, 0, 2) == b"BM", 3, 4)
        ]
        shape = tf.shape(image)
        top, left, crop_height, crop_width = 0, 0, shape[0], shape[1]
        if keep_aspect_ratio:
            # load_img's centred crop to the target aspect ratio, resized as PIL's box.
            crop_height = tf.minimum(shape[0], shape[1] * height // width)
            crop_width = tf.minimum(shape[1], shape[0] * width // height)
            top, left = (shape[0] - crop_height) // 2, (shape[1] - crop_width) // 2
        if interpolation == "nearest":
            # Nearest only picks pixels: it can run before the colour conversion
            # (cheaper).
            rows = pil_nearest(top, crop_height, height)
            columns = pil_nearest(left, crop_width, width)
            # Unchanged when the size already matches: the indices are then 0, 1, 2, ...
            grid = tf.stack(tf.meshgrid(rows, columns, indexing="ij"), axis=-1)
            image = to_color_mode(tf.gather_nd(image, grid))
        else:
            image = to_color_mode(image)  # PIL converts, then resizes
            # load_img resizes only when the size differs.
            resize = (shape[0] != height) | (shape[1] != width)
            image = tf.cond(
                resize,
                lambda: pil_resample(image, top, left, crop_height, crop_width),
                lambda: image,
            )
        image = tf.ensure_shape(image, [height, width, depth])
        if data_format == "channels_first":
            image = tf.transpose(image, [2, 0, 1])
        return tf.cast(image, tf.uint8)  # batched as bytes: a quarter of the copying

    return read


def _check_decodable(paths, what):
    undecodable = [path for path in paths if path.lower().endswith(_UNDECODABLE)]
    if undecodable:
        raise ValueError(
            f"TensorFlow cannot decode PPM or TIFF images such as {undecodable[0]!r}: "
            f"convert them to PNG, or keep ImageDataGenerator for this {what}."
        )


def _file_options(generator, validation_split, data_format, dtype):
    """The generator's options a file pipeline needs: explicit arguments first, then the
    `generator`'s (an Augmentation), then IDG's defaults (Keras' image_data_format() and
    floatx())."""
    validation_split = _split(generator, validation_split)
    if data_format is None:
        data_format = getattr(generator, "data_format", None)
    if data_format is None:
        data_format = tf.keras.backend.image_data_format()
    if dtype is None:
        dtype = getattr(generator, "dtype", None) or tf.keras.backend.floatx()
    return validation_split, data_format, _dtype_name(dtype)


def _image_shape(target_size, color_mode, data_format):
    depth = {"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode]
    if data_format == "channels_first":
        return (depth, *target_size)
    return (*target_size, depth)


def _file_batches(paths, read, load_targets, batch_size, shuffle, seed, service):
    """`(batch, seed)` pairs from files read in parallel by index, then batched (each
    worker's share of the indices only, see `_Shares`)."""
    paths = tf.constant(paths, tf.string)

    def load(index):  # the image alone, or (image, *targets)
        parts = (read(tf.gather(paths, index)), *load_targets(index))
        return parts[0] if len(parts) == 1 else parts

    shares = _Shares(seed, service)
    indices = shares.indices(int(paths.shape[0]), shuffle)
    batches = indices.map(load, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size)
    return shares.finish(batches)


def images_as_targets(images, *rest):
    """For class_mode="input": IDG yields the (augmented) images as the targets too. Map
    it after the augmentation: `.map(datagen).map(idg_tfdata.images_as_targets)`."""
    return (images, images, *rest)


def directory_files(
    directory,
    target_size=(256, 256),
    color_mode="rgb",
    classes=None,
    class_mode="categorical",
    batch_size=32,
    shuffle=True,
    seed=None,
    *,
    follow_links=False,
    subset=None,
    interpolation="nearest",
    keep_aspect_ratio=False,
    validation_split=None,
    data_format=None,
    dtype=None,
    generator=None,
    service=None,
):
    """What `IDG.flow_from_directory(directory, ...)` batches, as a finite dataset of
    `(batch, seed)` pairs to map an `Augmentation` over.

    The files are those IDG lists, in its order: sorted class directories (or `classes`'
    order), each walked recursively in sorted order, keeping IDG's extensions; with
    `subset`, the generator's `validation_split` takes the same slice of every class
    (the first files are the validation subset). Listing happens now (and prints IDG's
    "Found N images belonging to K classes."); decoding happens in the pipeline, file by
    file in parallel, as `load_img` + `img_to_array` do it (see `_file_reader`).

    `batch` is the images (uint8 until the augmentation casts them), with, per
    `class_mode`, IDG's labels in `dtype`: "categorical" one-hot, "binary" and "sparse"
    the class index; "input" and None give the images alone (for "input", map
    `images_as_targets` after the augmentation).

    `validation_split`, `data_format` and `dtype` are the generator's settings: pass
    them, or pass `generator=datagen` (the Augmentation mapped over the batches) to take
    them from it; IDG's defaults otherwise.

    `service` builds the pipeline for `served` (the service workers read the files:
    the paths must be valid there, e.g. shared storage); sharing under a multi-worker
    strategy as in `index_batches`.

    The returned dataset carries what IDG's iterator tells about the files:
    class_indices, filepaths, filenames, samples (= n), classes (= labels, int32),
    num_classes, batch_size, image_shape. Mapping returns a new dataset: keep this one
    to read them.
    """
    validation_split, data_format, dtype = _file_options(
        generator, validation_split, data_format, dtype
    )
    if class_mode not in ("categorical", "binary", "sparse", "input", None):
        raise ValueError(
            f"Invalid class_mode: {class_mode}; expected one of: categorical, binary, "
            "sparse, input, None"
        )
    read = _file_reader(
        target_size, color_mode, interpolation, keep_aspect_ratio, data_format
    )
    if not classes:
        entries = sorted(os.listdir(directory))
        classes = [
            entry for entry in entries if os.path.isdir(os.path.join(directory, entry))
        ]
    class_indices = {name: index for index, name in enumerate(classes)}
    split = None
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(
                f'Invalid subset name: {subset}; expected "training" or "validation"'
            )
        split = (
            (0, validation_split) if subset == "validation" else (validation_split, 1)
        )
    filepaths, labels = [], []
    for class_name in classes:
        class_directory = os.path.join(directory, class_name)
        walk = os.walk(class_directory, followlinks=follow_links)
        found = [
            os.path.join(root, name)
            for root, _, names in sorted(walk, key=lambda entry: entry[0])
            for name in sorted(names)
            if name.lower().endswith(_FORMATS)
        ]
        if split is not None:
            found = found[int(split[0] * len(found)) : int(split[1] * len(found))]
        filepaths += found
        labels += [class_indices[class_name]] * len(found)
    _check_decodable(filepaths, "directory")
    count = len(filepaths)
    print(f"Found {count} images belonging to {len(class_indices)} classes.")  # as IDG
    class_ids = tf.constant(labels, tf.int32)

    def targets(index):
        if class_mode == "categorical":
            return (
                tf.one_hot(
                    tf.gather(class_ids, index), len(class_indices), dtype=dtype
                ),
            )
        if class_mode in ("binary", "sparse"):
            return (tf.cast(tf.gather(class_ids, index), dtype),)
        return ()  # None and "input": the images alone

    dataset = _file_batches(
        filepaths, read, targets, batch_size, shuffle, seed, service
    )
    # What IDG's DirectoryIterator tells about the files, for code that reads it.
    dataset.class_indices, dataset.filepaths = class_indices, filepaths
    dataset.samples = dataset.n = count
    dataset.filenames = [os.path.relpath(path, directory) for path in filepaths]
    dataset.classes = dataset.labels = np.asarray(labels, "int32")
    dataset.num_classes, dataset.batch_size = len(class_indices), batch_size
    dataset.image_shape = _image_shape(target_size, color_mode, data_format)
    return dataset


_DATAFRAME_CLASS_MODES = (
    "categorical",
    "binary",
    "sparse",
    "input",
    "multi_output",
    "raw",
    None,
)


def _check_frame(dataframe, x_col, y_col, weight_col, classes, class_mode):
    """IDG's checks of the frame (DataFrameIterator._check_params), in its order."""
    if class_mode not in _DATAFRAME_CLASS_MODES:
        raise ValueError(
            f"Invalid class_mode: {class_mode}; expected one of: "
            f"{_DATAFRAME_CLASS_MODES}"
        )
    if class_mode == "multi_output" and not isinstance(y_col, list):
        raise TypeError(
            f'If class_mode="multi_output", y_col must be a list. Received {y_col}'
        )
    if not all(isinstance(name, str) for name in dataframe[x_col]):
        raise TypeError(f"All values in column x_col={x_col} must be strings.")
    if class_mode in ("binary", "sparse"):
        if not all(isinstance(label, str) for label in dataframe[y_col]):
            raise TypeError(
                f'If class_mode="{class_mode}", y_col="{y_col}" column values must be '
                "strings."
            )
    if class_mode == "binary":
        found = len(set(classes)) if classes else dataframe[y_col].nunique()
        if found != 2:
            raise ValueError(
                'If class_mode="binary" there must be 2 classes. '
                f"Found {found} classes."
            )
    if class_mode == "categorical":
        if not all(isinstance(label, (str, list, tuple)) for label in dataframe[y_col]):
            raise TypeError(
                f'If class_mode="{class_mode}", y_col="{y_col}" column values must be '
                "type string, list or tuple."
            )
    if weight_col and dataframe[weight_col].dtype.kind not in "iufc":  # numpy numbers
        raise TypeError(f"Column weight_col={weight_col} must be numeric.")


def dataframe_files(
    dataframe,
    directory=None,
    x_col="filename",
    y_col="class",
    weight_col=None,
    target_size=(256, 256),
    color_mode="rgb",
    classes=None,
    class_mode="categorical",
    batch_size=32,
    shuffle=True,
    seed=None,
    *,
    subset=None,
    interpolation="nearest",
    validate_filenames=True,
    validation_split=None,
    data_format=None,
    dtype=None,
    generator=None,
    service=None,
):
    """What `IDG.flow_from_dataframe(dataframe, ...)` batches, as a finite dataset of
    `(batch, seed)` pairs to map an `Augmentation` over.

    The rows are those IDG keeps, in the frame's order: with `validate_filenames`, those
    whose `os.path.join(directory, x)` exists and ends with IDG's extensions; for
    categorical/binary/sparse, `classes` filters the labels (lists of labels too) and
    rows left without a label are dropped; then `subset` takes the generator's
    `validation_split` of the (filtered) frame, globally (the first rows are the
    validation subset). Prints IDG's "Found N validated image filenames ..." line. Files
    are decoded as `directory_files` decodes them (DataFrameIterator has no
    keep_aspect_ratio).

    `batch` is the images (uint8 until the augmentation casts them), then IDG's labels:
    "categorical" one-hot (multi-hot for lists of classes), "binary" and "sparse" the
    class index, all in `dtype`; "raw" `dataframe[y_col].values` and "multi_output" a
    tuple of `np.array(dataframe[column].tolist())` per column, in NumPy's dtypes
    (strings become tf.string); then the sample weights of `weight_col`, in the column's
    dtype. "input" and None give no labels (for "input", map `images_as_targets` after
    the augmentation; IDG yields no weights with None). "other" is IDG's alias of "raw".
    `validation_split`, `data_format`, `dtype`, `generator` and `service` as for
    `directory_files`.

    The returned dataset carries filepaths, filenames, samples (= n), batch_size,
    image_shape and, for categorical/binary/sparse, class_indices and classes (=
    labels), as IDG's iterator does; "raw" sets labels to the raw targets.
    """
    validation_split, data_format, dtype = _file_options(
        generator, validation_split, data_format, dtype
    )
    if class_mode == "other":
        class_mode = "raw"  # IDG's deprecated alias
    read = _file_reader(target_size, color_mode, interpolation, False, data_format)
    _check_frame(dataframe, x_col, y_col, weight_col, classes, class_mode)
    directory = directory or ""
    frame = dataframe
    if validate_filenames:
        # IDG keeps the rows whose file exists and has one of its extensions.
        paths = [os.path.join(directory, name) for name in frame[x_col]]
        keep = [p.lower().endswith(_FORMATS) and os.path.isfile(p) for p in paths]
        frame = frame.iloc[[row for row, kept in enumerate(keep) if kept]]
    class_indices = None
    if class_mode in ("categorical", "binary", "sparse"):
        if classes:
            # Only the listed classes (first occurrences, in order); labels lose others.
            classes = list(dict.fromkeys(classes))

            def known(label):
                if isinstance(label, (list, tuple)):
                    return [name for name in label if name in classes] or None
                if isinstance(label, str):
                    return label if label in classes else None
                raise TypeError(
                    f"Expect string, list or tuple but found {type(label)}."
                )

            frame = frame.copy()
            frame[y_col] = frame[y_col].apply(known)
        else:
            names = set()
            for label in frame[y_col]:
                names.update(label if isinstance(label, (list, tuple)) else [label])
            classes = sorted(names)
        frame = frame.dropna(subset=[y_col])  # rows left without a class
        class_indices = {name: index for index, name in enumerate(classes)}
    if subset is not None:
        if subset not in ("training", "validation"):
            raise ValueError(
                f'Invalid subset name: {subset}; expected "training" or "validation"'
            )
        split = (
            (0, validation_split) if subset == "validation" else (validation_split, 1)
        )
        frame = frame.iloc[int(split[0] * len(frame)) : int(split[1] * len(frame))]
    filepaths = [os.path.join(directory, name) for name in frame[x_col]]
    _check_decodable(filepaths, "dataframe")
    count = len(filepaths)
    validated = "validated" if validate_filenames else "non-validated"
    if class_indices is None:  # IDG's message: input, multi_output, raw and None
        print(f"Found {count} {validated} image filenames.")
    else:
        found = f"belonging to {len(class_indices)} classes"
        print(f"Found {count} {validated} image filenames {found}.")

    rows = None
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
        raw = tf.constant(frame[y_col].values)
    elif class_mode == "multi_output":

        def as_array(values):
            # np.array(values): Python ints and floats are 64-bit (TF makes 32 bits).
            tensor = tf.constant(values)
            wide = {tf.int32: tf.int64, tf.float32: tf.float64}.get(tensor.dtype)
            return tensor if wide is None else tf.constant(values, wide)

        outputs = [as_array(frame[column].tolist()) for column in y_col]
    weights = tf.constant(frame[weight_col].values) if weight_col else None

    def targets(index):
        parts = []
        if class_mode == "categorical":
            # 1 at every class of the row (IDG: batch_y[i, classes] = 1).
            ids = tf.gather(class_ids, index)
            hot = tf.one_hot(ids, len(class_indices), dtype=dtype)
            parts.append(tf.minimum(tf.reduce_sum(hot, axis=0), 1))
        elif class_mode in ("binary", "sparse"):
            parts.append(tf.cast(tf.gather(class_ids, index)[0], dtype))
        elif class_mode == "raw":
            parts.append(tf.gather(raw, index))
        elif class_mode == "multi_output":
            parts.append(tuple(tf.gather(output, index) for output in outputs))
        if weights is not None and class_mode is not None:
            parts.append(tf.gather(weights, index))
        return tuple(parts)

    dataset = _file_batches(
        filepaths, read, targets, batch_size, shuffle, seed, service
    )
    # What IDG's DataFrameIterator tells about the files, for code that reads it.
    dataset.filepaths, dataset.samples, dataset.n = filepaths, count, count
    dataset.filenames, dataset.batch_size = list(frame[x_col]), batch_size
    dataset.image_shape = _image_shape(target_size, color_mode, data_format)
    if class_indices is not None:
        dataset.class_indices = class_indices
        # Each row's class index (a list of them for multi-label rows), as IDG's.
        dataset.classes = dataset.labels = [
            row if isinstance(label, (list, tuple)) else row[0]
            for label, row in zip(frame[y_col], rows, strict=True)
        ]
    elif class_mode == "raw":
        dataset.labels = frame[y_col].values  # IDG's raw targets
    return dataset

"""index_batches + Augmentation yield what IDG.flow yields: batch count, sizes, order,
dtypes, labels and sample weights, subsets, reshuffling, per-batch seeds; memory stays
flat; and the datasets train Keras 3 and tf_keras models."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:This ImageDataGenerator specifies:UserWarning")


def epoch(dataset) -> list[tuple[np.ndarray, ...]]:
    return [
        tuple(np.asarray(t) for t in b) if isinstance(b, tuple) else (np.asarray(b),)
        for b in dataset
    ]


def idg_epoch(iterator) -> list[tuple[np.ndarray, ...]]:
    return [
        b if isinstance(b, tuple) else (b,) for b in (iterator[i] for i in range(len(iterator)))
    ]


def assert_same(ours, theirs) -> None:
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs, strict=True):
        assert len(mine) == len(reference)
        for a, b in zip(mine, reference, strict=True):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (10, 4, 5, 3)).astype("uint8")
    y = rng.integers(0, 3, 10)
    w = rng.random(10).astype("float32")
    return x, y, w


@pytest.fixture(scope="module")
def pipeline(tf, idg_tfdata):
    def build(x, *args, augmentation=None, **kwargs):
        augmentation = augmentation or idg_tfdata.Augmentation()
        batches = idg_tfdata.index_batches(x, *args, **kwargs)
        return batches.map(augmentation, num_parallel_calls=tf.data.AUTOTUNE)

    return build


@pytest.mark.parametrize("rescale", [None, 1 / 255])
def test_unshuffled_batches_match_idg(pipeline, idg_tfdata, legacy, data, rescale) -> None:
    x, y, w = data
    augmentation = idg_tfdata.Augmentation(rescale=rescale)
    ours = epoch(pipeline(x, y, 4, False, w, augmentation=augmentation))
    generator = legacy.ImageDataGenerator(rescale=rescale)
    assert_same(ours, idg_epoch(generator.flow(x, y, 4, False, w)))
    assert [b[0].shape[0] for b in ours] == [4, 4, 2]


def test_images_only_without_y_even_with_sample_weight(pipeline, legacy, data) -> None:
    x, _, w = data
    ours = epoch(pipeline(x, batch_size=6, shuffle=False, sample_weight=w))
    generator = legacy.ImageDataGenerator()
    assert_same(ours, idg_epoch(generator.flow(x, batch_size=6, shuffle=False, sample_weight=w)))


def test_labels_keep_idg_dtypes(pipeline, legacy, data) -> None:
    x, _, _ = data
    y = [[0.5, 1.5]] * 10  # a Python list: np.asarray makes float64, as IDG
    ours = epoch(pipeline(x, y, batch_size=5, shuffle=False))
    theirs = idg_epoch(legacy.ImageDataGenerator().flow(x, y, batch_size=5, shuffle=False))
    assert ours[0][1].dtype == theirs[0][1].dtype == np.float64
    assert_same(ours, theirs)


def test_shuffle_visits_every_sample_once_per_epoch_and_reshuffles(pipeline, data) -> None:
    x, _, _ = data
    dataset = pipeline(x, np.arange(10), batch_size=3, seed=1)
    epochs = [np.concatenate([b[1] for b in epoch(dataset)]) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(10))
    assert len({tuple(order) for order in epochs}) > 1
    again = pipeline(x, np.arange(10), batch_size=3, seed=1)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in epoch(again)]), epochs[0])


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_subsets_and_sample_weights_pair_as_idg(pipeline, legacy, data, subset) -> None:
    """IDG splits x and y but not sample_weight: a subset's i-th sample takes
    sample_weight[i] (for 'training' too)."""
    x, y, w = data
    ours = pipeline(x, y, 4, False, w, subset=subset, validation_split=0.3, ignore_class_split=True)
    generator = legacy.ImageDataGenerator(validation_split=0.3)
    theirs = generator.flow(x, y, 4, False, w, subset=subset, ignore_class_split=True)
    assert_same(epoch(ours), idg_epoch(theirs))


def test_validation_split_comes_from_the_generator(pipeline, idg_tfdata, legacy, data) -> None:
    x, y, w = data
    datagen = idg_tfdata.Augmentation(validation_split=0.3)
    arguments = dict(batch_size=4, shuffle=False, subset="validation", ignore_class_split=True)
    ours = pipeline(x, y, **arguments, generator=datagen, augmentation=datagen)
    theirs = legacy.ImageDataGenerator(validation_split=0.3).flow(x, y, **arguments)
    assert_same(epoch(ours), idg_epoch(theirs))
    assert len(epoch(ours)[0][0]) == 3


def test_class_split_check_and_subset_name_as_idg(idg_tfdata, legacy, data) -> None:
    x, _, _ = data
    y = np.array([0] * 5 + [1] * 5)  # sorted by label: the subsets hold other classes
    generator = legacy.ImageDataGenerator(validation_split=0.3)
    for subset, arguments in [("training", {}), ("test", {"ignore_class_split": True})]:
        with pytest.raises(ValueError) as theirs:
            generator.flow(x, y, subset=subset, **arguments)
        with pytest.raises(ValueError) as ours:
            idg_tfdata.index_batches(x, y, subset=subset, validation_split=0.3, **arguments)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("argument", ["y", "sample_weight"])
def test_lengths_are_checked_as_idg_checks_them(idg_tfdata, legacy, data, argument) -> None:
    x, y, w = data
    arguments = {"y": y, "sample_weight": w}
    arguments[argument] = arguments[argument][:-1]
    with pytest.raises(ValueError) as theirs:
        legacy.ImageDataGenerator().flow(x, **arguments)
    with pytest.raises(ValueError) as ours:
        idg_tfdata.index_batches(x, **arguments)
    assert str(ours.value) == str(theirs.value)


def test_rank_and_tuple_inputs_are_refused(idg_tfdata) -> None:
    with pytest.raises(ValueError, match="should have rank 4"):
        idg_tfdata.index_batches(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="not reproduced"):
        idg_tfdata.index_batches((np.zeros((3, 4, 4, 3)), np.zeros((3, 2))))


def test_each_batch_gets_its_own_seed_reproducibly(idg_tfdata, data) -> None:
    x, _, _ = data
    dataset = idg_tfdata.index_batches(x, batch_size=2, shuffle=False, seed=3)
    first = [tuple(seed) for _, seed in dataset.as_numpy_iterator()]
    second = [tuple(seed) for _, seed in dataset.as_numpy_iterator()]
    assert len(set(first)) == len(first) == 5  # a fresh seed per batch
    assert first != second  # and new ones every epoch
    rebuilt = idg_tfdata.index_batches(x, batch_size=2, shuffle=False, seed=3)
    assert [tuple(seed) for _, seed in rebuilt.as_numpy_iterator()] == first


def test_augmented_epochs_are_reproducible_for_a_seed(pipeline, idg_tfdata, data) -> None:
    x, y, _ = data
    augmentation = idg_tfdata.Augmentation(rotation_range=40, horizontal_flip=True)

    def run():
        return epoch(pipeline(x, y, batch_size=4, seed=9, augmentation=augmentation))

    first = run()
    assert_same(run(), first)
    assert not np.array_equal(first[0][0], np.asarray(x[:4], "float32"))


def test_batches_are_read_from_the_array_not_a_copy(pipeline, data) -> None:
    # A change to x after building the dataset shows in the batches: the whole array was
    # never copied into a tensor.
    x, y, _ = data
    x = x.copy()
    dataset = pipeline(x, y, batch_size=4, shuffle=False)
    x[:] = 7
    images = np.concatenate([b[0] for b in epoch(dataset)])
    np.testing.assert_array_equal(images, np.full(x.shape, 7, np.float32))


@pytest.mark.parametrize("kind", ["tensor", "memmap"])
def test_tensors_and_memmaps_give_the_numpy_batches(tf, pipeline, data, kind, tmp_path) -> None:
    x, y, w = data
    if kind == "tensor":
        given = tf.constant(x)
    else:
        given = np.lib.format.open_memmap(tmp_path / "x.npy", "w+", x.dtype, x.shape)
        given[:] = x
    arguments = dict(batch_size=4, sample_weight=w, seed=2, subset="training")
    arguments.update(validation_split=0.3, ignore_class_split=True)
    ours = epoch(pipeline(given, y, **arguments))
    assert [len(b[0]) for b in ours] == [4, 3]
    assert_same(ours, epoch(pipeline(x, y, **arguments)))


def test_static_shapes_and_cardinality(tf, pipeline, data) -> None:
    x, y, _ = data
    dataset = pipeline(x, y, batch_size=4)
    assert dataset.element_spec[0].shape.as_list() == [None, 4, 5, 3]
    assert dataset.element_spec[0].dtype == tf.float32
    assert len(dataset) == 3  # finite: Keras sees the epoch's length (steps_per_epoch)


@pytest.mark.parametrize("keras_module", ["keras", "tf_keras"])
def test_trains_keras_3_and_tf_keras_models(tf, idg_tfdata, data, keras_module) -> None:
    keras = pytest.importorskip(keras_module)
    x, y, w = data
    augmentation = idg_tfdata.Augmentation(rotation_range=10, rescale=1 / 255)
    dataset = idg_tfdata.index_batches(x, y, batch_size=4, sample_weight=w, seed=0)
    dataset = dataset.map(augmentation, num_parallel_calls=tf.data.AUTOTUNE)
    model = keras.Sequential(
        [keras.Input((4, 5, 3)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer="sgd", loss=loss)
    history = model.fit(dataset.prefetch(tf.data.AUTOTUNE), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])

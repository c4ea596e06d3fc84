"""How the verifier draws batches from fit's input (bootstrap.open_input)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from migrator.verify.bootstrap import open_input  # noqa: E402


def _draw(dataset, count: int) -> list[list[int]]:
    source = open_input(tf, dataset, None, None, None, 0.0)
    return [np.asarray(b).tolist() for b in itertools.islice(source.batches(), count)]


def test_a_finite_dataset_is_drawn_pass_after_pass_from_one_iterator(monkeypatch) -> None:
    dataset = tf.data.Dataset.range(6).batch(2)
    restarts = []
    own_iter = type(dataset).__iter__

    def counting_iter(self):  # noqa: ANN001, ANN202
        restarts.append(1)
        return own_iter(self)

    # Restarting the dataset each pass would time its start-up, not its steady rate.
    monkeypatch.setattr(type(dataset), "__iter__", counting_iter)
    assert open_input(tf, dataset, None, None, None, 0.0).steps == 3
    assert _draw(dataset, 7) == [[0, 1], [2, 3], [4, 5], [0, 1], [2, 3], [4, 5], [0, 1]]
    assert restarts == []  # drawn through dataset.repeat(): one iterator


def test_empty_and_unknown_cardinality_datasets_end() -> None:
    assert _draw(tf.data.Dataset.range(0).batch(2), 5) == []
    unknown = tf.data.Dataset.range(4).filter(lambda v: v < 3).batch(2)
    assert _draw(unknown, 4) == [[0, 1], [2], [0, 1], [2]]

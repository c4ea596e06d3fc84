"""The child's numpy summaries: batch structure, value statistics, and the augmentation
signature (matching drawn images to their un-augmented sources). No TensorFlow."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from migrator.verify import summary
from migrator.verify.summary import (
    ValueSummary,
    augmentation_signature,
    collect_arrays,
    leaves,
    source_candidates,
    structure,
    summarise_batches,
)


def smooth_images(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    blocks = rng.random((count, 4, 4, 3))
    return (np.kron(blocks, np.ones((1, 4, 4, 1))) * 255).astype("uint8")


def test_structure_and_leaf_names() -> None:
    x, y, w = np.zeros((2, 4)), np.zeros(2), np.ones(2)
    assert structure((x, y)) == "(x, y)"
    assert structure((x, y, w)) == "(x, y, sample_weight)"
    assert structure(x) == "x"
    assert structure(({"b": x, "a": x}, y)) == "({'a': x['a'], 'b': x['b']}, y)"
    assert [name for name, _ in leaves(({"b": x, "a": x}, y))] == ["x['a']", "x['b']", "y"]
    assert [name for name, _ in leaves([x, y])] == ["x", "y"]


def test_value_summary_matches_numpy_over_all_batches() -> None:
    rng = np.random.default_rng(1)
    batches = [rng.normal(3, 2, (5, 4, 4)) for _ in range(3)]
    stats = ValueSummary()
    for batch in batches:
        stats.add(batch)
    data = np.concatenate(batches)
    out = stats.to_json()
    assert out["count"] == data.size
    assert out["mean"] == pytest.approx(data.mean())
    assert out["std"] == pytest.approx(data.std())
    assert (out["min"], out["max"]) == (pytest.approx(data.min()), pytest.approx(data.max()))
    assert len(out["sample_means"]) == 15
    assert out["sample_means"][0] == pytest.approx(batches[0][0].mean(), rel=1e-5)


def test_value_summary_counts_non_finite_values_and_skips_strings() -> None:
    stats = ValueSummary()
    stats.add(np.array([[1.0, np.nan], [np.inf, 3.0]]))
    out = stats.to_json()
    assert out["nonfinite"] == 2
    assert (out["min"], out["max"]) == (1.0, 3.0)
    text = ValueSummary()
    text.add(np.array(["a", "b"]))
    assert text.to_json() is None


def test_summarise_batches_records_every_batch_shape_and_dtype() -> None:
    batches = [
        (np.zeros((4, 2, 2, 3), "float32"), np.zeros(4, "int64")),
        (np.zeros((1, 2, 2, 3), "float32"), np.zeros(1, "int64")),
    ]
    out = summarise_batches(batches)
    assert [b["leaves"]["x"]["shape"] for b in out["batches"]] == [[4, 2, 2, 3], [1, 2, 2, 3]]
    assert out["batches"][0]["leaves"]["y"]["dtype"] == "int64"
    assert out["batches"][0]["structure"] == "(x, y)"
    assert set(out["values"]) == {"x", "y"}


def test_collect_arrays_reaches_attributes_tuples_and_dicts_once() -> None:
    images = smooth_images(8)
    labels = np.arange(8)
    holder = SimpleNamespace(x=images)
    found = collect_arrays([{"holder": holder, "pair": (images, labels), "n": 3, "s": "text"}])
    assert sum(a is images for a in found) == 1
    assert any(a is labels for a in found)


def test_source_candidates_drop_copies_and_other_shapes() -> None:
    images = smooth_images(8)
    copy = images.astype("float32")  # what IDG keeps of the array it is given
    other = smooth_images(8, seed=5)
    found = source_candidates([images, copy, other, np.zeros((8, 3))], (16, 16, 3))
    assert len(found) == 2 and found[0] is images and found[1] is other


def test_signature_of_unaugmented_standardised_copies() -> None:
    sources = smooth_images(32)
    labels = np.arange(32) % 3
    order = np.random.default_rng(2).permutation(32)[:16]
    batch = sources[order].astype("float32") / 255.0
    batch -= batch.mean(axis=(1, 2, 3), keepdims=True)  # samplewise_center
    sig = augmentation_signature(batch, labels[order], [sources], [labels, sources])
    assert sig["available"]
    assert min(sig["similarity"]) > 1 - 1e-5
    assert sig["aligned"] == [True] * 16
    assert max(abs(v) for v in sig["log_std_ratio"]) < 1e-3 + abs(np.log(1 / 255))


def test_signature_sees_flips_and_misaligned_labels() -> None:
    sources = smooth_images(32)
    labels = np.arange(32)  # distinct: a rolled label never matches by chance
    order = np.arange(16)
    flipped = sources[order][:, :, ::-1].astype("float32")
    sig = augmentation_signature(flipped, labels[order], [sources], [labels])
    assert max(sig["similarity"]) < 1 - 1e-4  # every image changed
    copies = sources[order].astype("float32")
    wrong = np.roll(labels[order], 1)
    sig = augmentation_signature(copies, wrong, [sources], [labels])
    assert sig["aligned"].count(True) == 0


def test_signature_unavailable_without_sources_or_when_too_large(monkeypatch) -> None:
    batch = smooth_images(4).astype("float32")
    assert not augmentation_signature(batch, None, [], [])["available"]
    monkeypatch.setattr(summary, "MAX_SOURCE_ELEMENTS", 10)
    out = augmentation_signature(batch, None, [smooth_images(4)], [])
    assert not out["available"] and "too large" in out["reason"]


def test_matching_works_across_chunks(monkeypatch) -> None:
    monkeypatch.setattr(summary, "CHUNK_ELEMENTS", 768 * 3)  # 3 source rows per chunk
    sources = smooth_images(20)
    picks = np.array([0, 4, 19, 7])
    found = summary.match_sources(sources[picks], [sources])
    assert list(found["row"]) == list(picks)
    assert np.all(found["best"] > 1 - 1e-5) and np.all(found["second"] < 0.99)

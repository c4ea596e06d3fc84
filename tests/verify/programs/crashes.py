"""Fails before fit."""

print("loading data")
raise RuntimeError("boom: data/train.npz is missing")

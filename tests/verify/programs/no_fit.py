"""Ends without ever calling fit."""

from common import load_data

x_train, y_train, x_val, y_val = load_data()
print("loaded", x_train.shape)

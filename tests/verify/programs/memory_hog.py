"""Allocates 4 GiB before fit: fails under a smaller memory limit."""

blob = bytearray(4 * 2**30)
print("allocated", len(blob))

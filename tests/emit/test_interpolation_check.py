"""The emitted guard on `interpolation` accepts exactly the supported names."""

from __future__ import annotations

import textwrap

import pytest

from migrator.emit.directory import interpolation_check


def _guard(supported: tuple[str, ...]):
    code = "def guard(interpolation):\n" + interpolation_check(supported) + "    return True\n"
    namespace: dict[str, object] = {}
    exec(textwrap.dedent(code), namespace)  # the emitted snippet, as the user's program runs it
    return namespace["guard"]


@pytest.mark.parametrize("supported", [("nearest",), ("lanczos",), ("nearest", "bilinear")])
def test_supported_names_pass_and_others_raise(supported: tuple[str, ...]) -> None:
    guard = _guard(supported)
    for name in supported:
        assert guard(name)
    # A substring of a supported name must not pass (a one-name `("lanczos")` is a string).
    for name in ("lan", "near", "hamming"):
        with pytest.raises(ValueError, match="interpolation="):
            guard(name)

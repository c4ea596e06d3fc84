"""Render the per-batch augmentation function for one AugmentSpec.

CONTRACT (used by migrator.emit.pipeline and the planner):

    unsupported(spec) -> list[Refusal]
        Every part of `spec` the renderer cannot reproduce exactly; the planner refuses
        the rewrite (no code is changed) when this is non-empty.

    render_augment_function(spec, name, *, tf="tf", statistics=None) -> str | None
        Python source of `def <name>(images, seed):` where `images` is a float batch
        (B, H, W, C) for channels_last or (B, C, H, W) for channels_first, already cast to
        spec.dtype, and `seed` an int64 tensor of shape [2] (a fresh one per batch). It
        returns the batch augmented per image (IDG's distributions, order of operations,
        fill modes) and standardized, as IDG's NumpyArrayIterator would yield it. `tf` is
        the name TensorFlow is bound to in the user's module. `statistics` is the prefix
        of the variables render_statistics assigns (featurewise/ZCA only). Returns None
        when spec.is_identity (nothing to do but cast).

    render_statistics(spec, name, x_source, *, augment="False", rounds="1", seed="None",
                      tf="tf") -> str
        Statements that compute, from the array expression `x_source`, the statistics
        IDG.fit would compute, assigned to variables prefixed `name`.
"""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import AugmentSpec


@dataclass(frozen=True)
class Refusal:
    code: str  # an MA1xx code from migrator.rules
    argument: str  # the IDG argument at fault, e.g. "interpolation_order"
    reason: str  # why, and what to do by hand


def unsupported(spec: AugmentSpec) -> list[Refusal]:
    raise NotImplementedError


def render_augment_function(
    spec: AugmentSpec, name: str, *, tf: str = "tf", statistics: str | None = None
) -> str | None:
    raise NotImplementedError


def render_statistics(
    spec: AugmentSpec,
    name: str,
    x_source: str,
    *,
    augment: str = "False",
    rounds: str = "1",
    seed: str = "None",
    tf: str = "tf",
) -> str:
    raise NotImplementedError

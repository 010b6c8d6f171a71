"""Standard electrode positions, matched by channel label."""

from __future__ import annotations

import warnings
from functools import lru_cache

import mne
import numpy as np


@lru_cache(maxsize=1)
def standard_montage() -> mne.channels.DigMontage:
    """The 10-05 template montage (``colin27_1005`` in newer MNE, ``standard_1005`` before)."""
    if "colin27_1005" in mne.channels.get_builtin_montages():
        return mne.channels.make_standard_montage("colin27_1005")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return mne.channels.make_standard_montage("standard_1005")


def positions_2d(ch_names: list[str]) -> dict[str, tuple[float, float]]:
    """Flat (azimuthal-equidistant) head positions of the channels the template knows, head radius 1."""
    montage = standard_montage()
    lower = {n.lower(): n for n in montage.ch_names}
    pos3 = montage.get_positions()["ch_pos"]
    out = {}
    for ch in ch_names:
        key = lower.get(ch.lower())
        if key is None:
            continue
        x, y, z = pos3[key]
        r = np.sqrt(x * x + y * y + z * z)
        theta = np.arccos(np.clip(z / r, -1, 1))  # angle from the vertex
        phi = np.arctan2(y, x)
        rho = theta / (np.pi / 2)  # the equator (Fpz-T7-Oz-T8 ring) at radius 1
        out[ch] = (float(rho * np.cos(phi)), float(rho * np.sin(phi)))
    return out

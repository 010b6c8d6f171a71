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


_OUTER_RING = ("FPZ", "FP1", "FP2", "F7", "F8", "T7", "T8", "P7", "P8", "O1", "O2", "OZ")


def _clean(name: str) -> str:
    """Label key: case-insensitive, without padding dots or an ``EEG`` prefix (``EEG Cz``, ``Fc5.``)."""
    n = name.strip().strip(".").upper()
    return n[4:].strip() if n.startswith("EEG ") else n


@lru_cache(maxsize=1)
def _projection() -> tuple[dict[str, np.ndarray], np.ndarray, float]:
    pos = {_clean(k): np.asarray(v, float) for k, v in standard_montage().get_positions()["ch_pos"].items()}
    ring = np.array([pos[k] for k in _OUTER_RING])
    centre = ring.mean(axis=0)
    ref_theta = float(np.mean(np.arccos((ring - centre)[:, 2] / np.linalg.norm(ring - centre, axis=1))))
    return pos, centre, ref_theta


def positions_2d(ch_names: list[str]) -> dict[str, tuple[float, float]]:
    """Flat head positions (x toward the right ear, y toward the nose) of the channels the template
    knows, matched by label. Azimuthal projection about the centre of the outer 10-20 ring (Fpz, F7,
    T7, P7, Oz, ...), which lands on the head circle of radius 1; electrodes below it (T9, Iz) are
    drawn at most 10 % outside it."""
    pos, centre, ref_theta = _projection()
    out = {}
    for ch in ch_names:
        p = pos.get(_clean(ch))
        if p is None:
            continue
        v = p - centre
        theta = min(float(np.arccos(np.clip(v[2] / np.linalg.norm(v), -1, 1))) / ref_theta, 1.1)
        phi = np.arctan2(v[1], v[0])
        out[ch] = (float(theta * np.cos(phi)), float(theta * np.sin(phi)))
    return out

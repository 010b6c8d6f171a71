"""Discriminability and class views of the analysis window: contrasts, signed r², top-k, class
spectra, ERD/ERS maps and connectivity by class (the science behind its plots, no Qt)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from bcigui.core.analysis.extractors import Progress
from bcigui.core.cancel import check_cancel
from bcigui.core.features.cache import FeatureTensor


# -- discriminability -----------------------------------------------------------------------------
def signed_r2(values: np.ndarray, y: np.ndarray, classes: list[str]) -> np.ndarray:
    """Signed r² per feature between ``classes[0]`` and ``classes[1]`` (positive: ``classes[0]`` higher)."""
    from bcigui.core.features.discriminability import signed_r2 as core_signed_r2

    if len(classes) < 2:
        raise ValueError(f"signed r² needs at least two classes, got {classes}")
    return np.asarray(core_signed_r2(values, y, classes=list(classes[:2])))


REST = "all others"


def contrasts(classes: list[str]) -> list[tuple[str, str]]:
    """Class pairs to compare: each pair, then (for 3+ classes) each class against all the others."""
    pairs = [(a, b) for i, a in enumerate(classes) for b in classes[i + 1:]]
    if len(classes) > 2:
        pairs += [(c, REST) for c in classes]
    return pairs


def contrast_r2(values: np.ndarray, y: np.ndarray, a: str, b: str) -> np.ndarray:
    """Signed r² of class ``a`` against class ``b`` (or against :data:`REST`); positive: ``a`` higher."""
    y = np.asarray(y)
    if b == REST:
        return signed_r2(values, np.where(y == a, a, REST), [a, REST])
    return signed_r2(values, y, [a, b])


def band_values(r2: np.ndarray, freqs: np.ndarray, fmin: float, fmax: float | None = None) -> np.ndarray:
    """Per-channel values of an r² map at ``fmin`` Hz or averaged over ``fmin``-``fmax`` Hz."""
    from bcigui.core.features.discriminability import topomap_values

    return np.asarray(topomap_values(r2, freqs, fmin, None if fmax in (None, fmin) else fmax))


def top_k(r2: np.ndarray, k: int) -> list[tuple[int, int]]:
    """``(row, freq)`` indices of the ``k`` largest ``|r²|`` entries, best first."""
    flat = np.argsort(-np.abs(r2), axis=None)[: max(0, int(k))]
    return [tuple(int(i) for i in np.unravel_index(f, r2.shape)) for f in flat]


def class_spectra(tensor: FeatureTensor, row: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean and SEM over epochs of each class for one row (display units)."""
    vals = tensor.db[:, row, :]
    out = {}
    for c in tensor.classes:
        v = vals[tensor.y == c]
        sem = v.std(axis=0, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.zeros(v.shape[1])
        out[c] = (v.mean(axis=0), sem)
    return out


# -- time-frequency ERD/ERS -----------------------------------------------------------------------
@dataclass
class TFRResult:
    """ERD/ERS in percent of the baseline power: ``maps[class]`` ``(n_freqs, n_times)``."""

    maps: dict[str, np.ndarray]
    freqs: np.ndarray
    times: np.ndarray
    channel: str
    baseline: tuple[float, float]


def erd_ers(epochs: Any, channel: str, baseline: tuple[float, float], fmin: float = 4.0,
            fmax: float = 40.0, fstep: float = 1.0, progress: Progress = None,
            cancel: threading.Event | None = None) -> TFRResult:
    """ERD/ERS map (percent of baseline power) per class of ``channel``, ``baseline`` in seconds."""
    from bcigui.core.features.discriminability import erd_ers_map

    if channel not in epochs.ch_names:
        raise ValueError(f"channel must be one of the epochs' channels, got {channel!r}")
    freqs = np.arange(fmin, fmax + 1e-9, fstep)
    x = epochs.X[:, [epochs.ch_names.index(channel)], :]
    decim = max(1, int(round(epochs.sfreq / 40)))  # ~40 columns per second is plenty to look at
    maps = {}
    for i, c in enumerate(epochs.classes):
        check_cancel(cancel, "analysis")
        mask = epochs.y == c
        res = erd_ers_map(x[mask], epochs.y[mask], epochs.sfreq, freqs, epochs.tmin, tuple(baseline),
                          decim=decim)
        maps[c] = 100.0 * res.maps[str(c)][0]
        times = res.times
        if progress:
            progress((i + 1) / len(epochs.classes), f"ERD/ERS of class {c}")
    check_cancel(cancel, "analysis")
    return TFRResult(maps, freqs, times, channel, tuple(baseline))


# -- connectivity matrices ------------------------------------------------------------------------
def connectivity_by_class(epochs: Any, fmin: float, fmax: float, method: str = "imcoh",
                          progress: Progress = None, cancel: threading.Event | None = None
                          ) -> dict[str, np.ndarray]:
    """Mean connectivity matrix ``(n_ch, n_ch)`` of each class in the band ``fmin``-``fmax`` Hz."""
    from bcigui.core.features.connectivity import connectivity_matrices

    freqs = np.arange(fmin, fmax + 1e-9, 1.0)
    out = {}
    for i, c in enumerate(epochs.classes):
        check_cancel(cancel, "analysis")
        out[c] = connectivity_matrices(epochs.X[epochs.y == c], epochs.sfreq, freqs, method).mean(axis=(0, 3))
        if progress:
            progress((i + 1) / len(epochs.classes), f"connectivity of class {c}")
    return out

"""Discriminability maps: signed r² and Fisher score per feature; ERD/ERS maps; topomap values.

All functions are vectorised over the feature axes (no loops over channels or frequencies).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bcigui.core.checks import invalid_option
from bcigui.core.features._base import check_epochs


def _classes(y: np.ndarray, classes: list | None) -> list:
    present = list(dict.fromkeys(y.tolist()))
    classes = present if classes is None else list(classes)
    missing = [c for c in classes if c not in present]
    if missing or len(classes) < 2:
        raise ValueError(f"Parameter 'classes' must list >= 2 classes present in y {sorted(map(str, present))}, got {classes}")
    return classes


def _check(F: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    F = np.asarray(F, dtype=np.float64)
    y = np.asarray(y)
    if F.ndim < 2 or len(F) != len(y):
        raise ValueError(f"F must be (n_epochs, ...) with one label per epoch; got F {F.shape}, y {y.shape}")
    if not np.all(np.isfinite(F)):
        raise ValueError("F contains NaN or infinite values")
    return F, y


def _signed_r2_binary(F: np.ndarray, mask: np.ndarray) -> np.ndarray:
    n1, n = mask.sum(), len(mask)
    n2 = n - n1
    m1 = F[mask].mean(axis=0)
    m2 = F[~mask].mean(axis=0)
    sd = F.std(axis=0)
    r = np.divide((m1 - m2) * np.sqrt(n1 * n2) / n, sd, out=np.zeros_like(sd), where=sd > 0)
    return np.sign(r) * r**2


def signed_r2(F: np.ndarray, y: np.ndarray, classes: list | None = None) -> np.ndarray:
    """Signed r² = sign(mean1 - mean2) * r², r the point-biserial correlation with the labels.

    ``F`` is ``(n_epochs, ...)`` (e.g. a ``(n_epochs, n_channels, n_freqs)`` PSD tensor). Two classes:
    returns ``F.shape[1:]`` (positive where ``classes[0]`` is larger). More classes: one-vs-rest,
    ``(n_classes, *F.shape[1:])``.
    """
    F, y = _check(F, y)
    classes = _classes(y, classes)
    if len(classes) == 2:
        keep = np.isin(y, classes)
        return _signed_r2_binary(F[keep], y[keep] == classes[0])
    return np.stack([_signed_r2_binary(F, y == c) for c in classes])


def fisher_score(F: np.ndarray, y: np.ndarray, classes: list | None = None) -> np.ndarray:
    """Fisher score ``sum_k n_k (m_k - m)² / sum_k n_k var_k`` per feature -> ``F.shape[1:]``."""
    F, y = _check(F, y)
    classes = _classes(y, classes)
    keep = np.isin(y, classes)
    F, y = F[keep], y[keep]
    m = F.mean(axis=0)
    num = np.zeros(F.shape[1:])
    den = np.zeros(F.shape[1:])
    for c in classes:  # loop over classes only
        Fc = F[y == c]
        num += len(Fc) * (Fc.mean(axis=0) - m) ** 2
        den += len(Fc) * Fc.var(axis=0)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def topomap_values(
    values: np.ndarray, freqs: np.ndarray, fmin: float, fmax: float | None = None, reduce: str = "mean"
) -> np.ndarray:
    """Per-channel values of a ``(n_channels, n_freqs)`` map at ``fmin`` Hz or over ``fmin..fmax``.

    ``reduce`` is ``"mean"`` or ``"maxabs"`` (the signed value of largest magnitude in the band).
    """
    values = np.asarray(values)
    freqs = np.asarray(freqs, dtype=float)
    if fmax is None:
        sel = np.array([np.argmin(np.abs(freqs - fmin))])
    else:
        sel = np.flatnonzero((freqs >= fmin) & (freqs <= fmax))
        if sel.size == 0:
            raise ValueError(f"No frequency of the map ({freqs[0]:g}-{freqs[-1]:g} Hz) lies in {fmin:g}-{fmax:g} Hz")
    sub = values[..., sel]
    if reduce == "mean":
        return sub.mean(axis=-1)
    if reduce == "maxabs":
        idx = np.abs(sub).argmax(axis=-1)
        return np.take_along_axis(sub, idx[..., None], axis=-1)[..., 0]
    raise invalid_option("Parameter 'reduce'", reduce, ["mean", "maxabs"])


@dataclass
class TFRMap:
    """Relative power change per class: ``maps[c]`` is ``(n_channels, n_freqs, n_times)``."""

    maps: dict[str, np.ndarray]
    freqs: np.ndarray
    times: np.ndarray
    baseline: tuple[float, float]


def erd_ers_map(
    X: np.ndarray,
    y: np.ndarray,
    sfreq: float,
    freqs: np.ndarray,
    tmin: float,
    baseline: tuple[float, float],
    n_cycles: float | np.ndarray | None = None,
    decim: int = 1,
    classes: list | None = None,
) -> TFRMap:
    """ERD/ERS ``(P - P_baseline) / P_baseline`` per class from Morlet power (``tfr_array_morlet``).

    ``X`` epochs start at ``tmin`` seconds relative to the event; ``baseline`` is a time window in
    the same time base. Negative values are desynchronisation (ERD).
    """
    from mne.time_frequency import tfr_array_morlet

    X = check_epochs(X)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"y must hold one label per epoch: {len(X)} epochs, got {len(y)} labels")
    freqs = np.asarray(freqs, dtype=float)
    present = list(dict.fromkeys(y.tolist()))
    classes = present if classes is None else list(classes)
    missing = [c for c in classes if c not in present]
    if missing or not classes:
        raise ValueError(f"Parameter 'classes' must list classes present in y {present}, got {classes}")
    times = tmin + np.arange(X.shape[-1]) / sfreq
    b0, b1 = baseline
    bmask = (times >= b0) & (times <= b1)
    if not bmask.any():
        raise ValueError(f"Parameter 'baseline' {baseline} lies outside the epoch ({times[0]:g}..{times[-1]:g} s)")
    if n_cycles is None:
        n_cycles = np.clip(freqs / 2.0, 2.0, 7.0)
    maps = {}
    for c in classes:
        P = tfr_array_morlet(X[y == c], sfreq, freqs, n_cycles=n_cycles, output="avg_power", verbose=False)
        base = P[..., bmask].mean(axis=-1, keepdims=True)
        rel = np.divide(P - base, base, out=np.zeros_like(P), where=base > 0)
        maps[str(c)] = rel[..., ::decim]
    return TFRMap(maps, freqs, times[::decim], (b0, b1))

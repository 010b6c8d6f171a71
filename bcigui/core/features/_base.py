"""Shared helpers of the feature extractors: input checks, frequency grids, feature names."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.exceptions import NotFittedError


class NotFitted(NotFittedError, RuntimeError):
    """scikit-learn's ``NotFittedError`` (also a ``RuntimeError``, as these estimators raised before)."""


def not_fitted(est: object) -> NotFitted:
    """The error of ``est`` used before ``fit``."""
    return NotFitted(f"{type(est).__name__} is not fitted: call fit() first")


def check_fitted(est: object, attribute: str) -> None:
    """Raise :class:`NotFitted` unless ``est`` has the fitted ``attribute``."""
    if not hasattr(est, attribute):
        raise not_fitted(est)


def check_epochs(X: np.ndarray, n_channels: int | None = None) -> np.ndarray:
    """Return ``X`` as float64 ``(n_epochs, n_channels, n_times)``; raise a clear ``ValueError``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"X must be epochs of shape (n_epochs, n_channels, n_times), got shape {X.shape}")
    if X.shape[0] == 0 or X.shape[2] < 2:
        raise ValueError(f"X must hold at least one epoch of at least 2 samples, got shape {X.shape}")
    if n_channels is not None and X.shape[1] != n_channels:
        raise ValueError(f"X must have {n_channels} channels (as when fitted), got {X.shape[1]}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


def check_sfreq(sfreq: float | None) -> float:
    """Validate the ``sfreq`` estimator parameter."""
    if sfreq is None or not np.isfinite(sfreq) or sfreq <= 0:
        raise ValueError(f"Parameter 'sfreq' must be a positive sampling rate in Hz, got {sfreq!r}")
    return float(sfreq)


def frequency_grid(fmin: float, fmax: float, freq_resolution: float, sfreq: float | None = None) -> np.ndarray:
    """Frequencies ``fmin, fmin + res, ..., <= fmax`` in Hz (validated against Nyquist if ``sfreq``)."""
    if freq_resolution is None or freq_resolution <= 0:
        raise ValueError(f"Parameter 'freq_resolution' must be > 0 Hz, got {freq_resolution!r}")
    if fmin is None or fmax is None or fmin < 0 or fmax < fmin:
        raise ValueError(f"Parameters 'fmin'/'fmax' must satisfy 0 <= fmin <= fmax, got fmin={fmin!r}, fmax={fmax!r}")
    if sfreq is not None and fmax > sfreq / 2:
        raise ValueError(f"Parameter 'fmax' must be <= Nyquist ({sfreq / 2:g} Hz), got {fmax!r}")
    n = int(np.floor((fmax - fmin) / freq_resolution + 1e-9)) + 1
    return np.round(fmin + freq_resolution * np.arange(n), 10)


def fmt_freq(f: float) -> str:
    """12 -> '12.0', 12.25 -> '12.25' (the frequency part of a feature name)."""
    return f"{f:.1f}" if abs(round(f, 1) - f) < 1e-9 else f"{f:g}"


def fmt_band(lo: float, hi: float) -> str:
    return f"{lo:g}-{hi:g}"


def default_names(ch_names: Sequence[str] | None, n: int) -> list[str]:
    """``ch_names`` checked against ``n`` channels, or ``ch0, ch1, ...``."""
    if ch_names is None:
        return [f"ch{i}" for i in range(n)]
    names = list(ch_names)
    if len(names) != n:
        raise ValueError(f"Parameter 'ch_names' has {len(names)} names but X has {n} channels")
    return names


def tensor_names(rows: Sequence[str], cols: Sequence[str]) -> np.ndarray:
    """Flattened (row-major) feature names ``"row;col"``."""
    return np.array([f"{r};{c}" for r in rows for c in cols], dtype=object)

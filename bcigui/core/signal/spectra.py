"""Welch PSD, band power and spectrogram: :func:`welch` and :func:`band_mask` are the one Welch
estimate and the one band-edge rule of bcigui (live views, signal quality, PSD features).

The live-view helpers take ``(n_samples, n_channels)`` in volts and return powers in µV²/Hz.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

DEFAULT_BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 4.0),
    "theta": (4.0, 8.0),
    "alpha/mu": (8.0, 13.0),
    "beta": (13.0, 30.0),
    "gamma": (30.0, 45.0),
}


def _check(data: np.ndarray, sfreq: float) -> np.ndarray:
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"data must have shape (n_samples, n_channels), got {x.shape}")
    if not sfreq > 0:
        raise ValueError(f"sfreq must be > 0 Hz, got {sfreq}")
    return np.nan_to_num(x) * 1e6


def welch(x: np.ndarray, sfreq: float, nperseg: int, axis: int = -1, nfft: int | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD along ``axis``: Hann segments of ``nperseg`` samples, 50 % overlap, each segment's
    mean removed; ``(freqs, psd)`` with the power in the square of ``x``'s unit per Hz (V²/Hz for volts)."""
    return signal.welch(x, fs=sfreq, nperseg=nperseg, noverlap=nperseg // 2, nfft=nfft, axis=axis,
                        detrend="constant")


def band_mask(freqs: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Bins of the band ``lo``-``hi`` Hz: ``lo <= f < hi``, so adjacent bands share no bin."""
    freqs = np.asarray(freqs)
    return (freqs >= lo) & (freqs < hi)


def welch_psd(data: np.ndarray, sfreq: float, fmin: float = 1.0, fmax: float = 100.0,
              seg_seconds: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Welch PSD ``(freqs, psd (n_freqs, n_channels))`` in µV²/Hz between ``fmin`` and ``fmax``."""
    x = _check(data, sfreq)
    if x.shape[0] < 8:
        raise ValueError(f"need at least 8 samples for a spectrum, got {x.shape[0]}")
    nperseg = int(min(x.shape[0], max(8, round(seg_seconds * sfreq))))
    f, p = welch(x, sfreq, nperseg, axis=0)
    keep = (f >= fmin) & (f <= min(fmax, sfreq / 2))
    return f[keep], p[keep]


def band_power(freqs: np.ndarray, psd: np.ndarray,
               bands: dict[str, tuple[float, float]] | None = None) -> np.ndarray:
    """Mean PSD in each band: ``(n_bands, n_channels)`` (NaN for a band without frequency bins)."""
    bands = DEFAULT_BANDS if bands is None else bands
    out = np.full((len(bands), psd.shape[1]), np.nan)
    for i, (lo, hi) in enumerate(bands.values()):
        sel = band_mask(freqs, lo, hi)
        if sel.any():
            out[i] = psd[sel].mean(axis=0)
    return out


def spectrogram(x: np.ndarray, sfreq: float, seg_seconds: float = 0.5, fmax: float = 60.0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spectrogram of one channel ``x`` (volts): ``(freqs, times, power (n_freqs, n_times))`` µV²/Hz."""
    x = _check(np.asarray(x).reshape(-1, 1), sfreq)[:, 0]
    nperseg = int(max(8, round(seg_seconds * sfreq)))
    if x.shape[0] < nperseg:
        raise ValueError(f"need at least {nperseg} samples for the spectrogram, got {x.shape[0]}")
    f, t, s = signal.spectrogram(x, fs=sfreq, nperseg=nperseg, noverlap=nperseg // 2, detrend="constant")
    keep = f <= min(fmax, sfreq / 2)
    return f[keep], t, s[keep]

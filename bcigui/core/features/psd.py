"""Power spectral density features: Welch, multitaper, Burg autoregressive; log band power.

Frequencies are always in Hz on an explicit grid ``fmin:freq_resolution:fmax`` (``freqs_``); FFT
bins never leave this module. Output is a ``(n_epochs, n_channels, n_freqs)`` tensor
(``output="tensor"``, for maps and selectors) or flattened features named ``"C3;12.0"``
(``output="flat"``); with ``bands`` the columns are band means named ``"C3;8-12"``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from bcigui.core.catalog import PSD_METHODS
from bcigui.core.checks import invalid_option
from bcigui.core.features._base import (
    check_epochs,
    check_sfreq,
    default_names,
    fmt_band,
    fmt_freq,
    frequency_grid,
    not_fitted,
    tensor_names,
)
from bcigui.core.plugins.params import parse_bands
from bcigui.core.signal.spectra import band_mask, welch

METHODS = PSD_METHODS
OUTPUTS = ("flat", "tensor")


def burg_ar(x: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Burg's method on the last axis of ``x``, vectorised over the leading axes.

    Returns ``(a, sigma2)``: coefficients ``a`` of shape ``(..., order + 1)`` with ``a[..., 0] == 1``
    (model ``sum_k a_k x[n-k] = e[n]``) and the prediction-error variance ``sigma2``.
    """
    x = np.asarray(x, dtype=np.float64)
    if order < 1 or order >= x.shape[-1]:
        raise ValueError(f"Parameter 'order' must be between 1 and n_times - 1 ({x.shape[-1] - 1}), got {order}")
    lead = x.shape[:-1]
    x = x.reshape(-1, x.shape[-1])
    x = x - x.mean(axis=1, keepdims=True)
    a = np.ones((x.shape[0], 1))
    sigma2 = np.mean(x**2, axis=1)
    ef, eb = x[:, 1:], x[:, :-1]
    for _ in range(order):
        den = np.sum(ef**2, axis=1) + np.sum(eb**2, axis=1)
        k = np.divide(-2.0 * np.sum(ef * eb, axis=1), den, out=np.zeros_like(den), where=den > 0)
        a_ext = np.hstack([a, np.zeros((a.shape[0], 1))])
        a = a_ext + k[:, None] * a_ext[:, ::-1]
        sigma2 = sigma2 * (1.0 - k**2)
        ef, eb = (ef + k[:, None] * eb)[:, 1:], (eb + k[:, None] * ef)[:, :-1]
    return a.reshape(*lead, order + 1), sigma2.reshape(lead)


def ar_psd(a: np.ndarray, sigma2: np.ndarray, freqs: np.ndarray, sfreq: float) -> np.ndarray:
    """One-sided PSD (V²/Hz) of AR models ``(a, sigma2)`` at ``freqs`` (Hz)."""
    k = np.arange(a.shape[-1])
    phase = np.exp(-2j * np.pi * np.outer(k, freqs) / sfreq)  # (order+1, n_freqs)
    resp = np.abs(a @ phase) ** 2
    return 2.0 * sigma2[..., None] / sfreq / np.maximum(resp, 1e-300)


def psd_array(
    X: np.ndarray,
    sfreq: float,
    freqs: np.ndarray,
    method: str = "welch",
    order: int = 16,
    bandwidth: float = 0.0,
) -> np.ndarray:
    """PSD of ``X`` ``(..., n_times)`` evaluated at ``freqs`` (Hz) -> ``(..., n_freqs)``."""
    if method not in METHODS:
        raise invalid_option("Parameter 'method'", method, list(METHODS))
    n_times = X.shape[-1]
    if method == "burg":
        a, s2 = burg_ar(X, order)
        return ar_psd(a, s2, freqs, sfreq)
    res = float(np.min(np.diff(freqs))) if len(freqs) > 1 else sfreq / n_times
    if method == "welch":
        nperseg = int(min(n_times, np.ceil(sfreq / res)))
        nfft = int(max(nperseg, np.ceil(sfreq / res)))
        f, p = welch(X, sfreq, nperseg, axis=-1, nfft=nfft)
    else:
        from mne.time_frequency import psd_array_multitaper

        p, f = psd_array_multitaper(
            X, sfreq, fmin=0.0, fmax=sfreq / 2, bandwidth=bandwidth or None, adaptive=False,
            normalization="full", verbose=False,
        )
    return _interp_last(f, p, freqs)


def _interp_last(f: np.ndarray, p: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``p`` (..., len(f)) onto ``freqs`` (exact where grids coincide)."""
    idx = np.clip(np.searchsorted(f, freqs), 1, len(f) - 1)
    f0, f1 = f[idx - 1], f[idx]
    w = np.clip((freqs - f0) / (f1 - f0), 0.0, 1.0)
    return p[..., idx - 1] * (1.0 - w) + p[..., idx] * w


class PSDFeatures(TransformerMixin, BaseEstimator):
    """Per-epoch PSD of each channel (optionally log, optionally averaged in bands).

    Parameters
    ----------
    sfreq : sampling rate of the epochs (Hz).
    method : ``"welch"``, ``"multitaper"`` or ``"burg"`` (autoregressive, order ``order``).
    fmin, fmax, freq_resolution : output frequency grid in Hz.
    order : Burg AR model order.  bandwidth : multitaper bandwidth in Hz (0 = MNE default).
    bands : ``""`` for single frequencies, or ``"8-12,12-30"`` for log band power per band.
    log : return ``log10`` of the power.  output : ``"flat"`` or ``"tensor"``.
    ch_names : channel names used in feature names (default ``ch0, ch1...``).

    The grid is what is reported; the effective resolution is also limited by the epoch length
    (Welch/multitaper spectra are interpolated onto the grid). With ``bands``, ``freqs_`` holds
    the band centres and ``columns_`` the band labels.
    """

    def __init__(
        self,
        sfreq: float | None = None,
        method: str = "welch",
        fmin: float = 1.0,
        fmax: float = 40.0,
        freq_resolution: float = 1.0,
        order: int = 16,
        bandwidth: float = 0.0,
        bands: str = "",
        log: bool = True,
        output: str = "flat",
        ch_names: list[str] | None = None,
    ) -> None:
        self.sfreq = sfreq
        self.method = method
        self.fmin = fmin
        self.fmax = fmax
        self.freq_resolution = freq_resolution
        self.order = order
        self.bandwidth = bandwidth
        self.bands = bands
        self.log = log
        self.output = output
        self.ch_names = ch_names

    def _grid(self) -> tuple[np.ndarray, list[tuple[float, float]] | None]:
        sfreq = check_sfreq(self.sfreq)
        if self.method not in METHODS:
            raise invalid_option("Parameter 'method'", self.method, list(METHODS))
        if self.output not in OUTPUTS:
            raise invalid_option("Parameter 'output'", self.output, list(OUTPUTS))
        if self.bands:
            bands = parse_bands(self.bands, name="Parameter 'bands'")
            lo, hi = min(b[0] for b in bands), max(b[1] for b in bands)
            return frequency_grid(lo, hi, self.freq_resolution, sfreq), bands
        return frequency_grid(self.fmin, self.fmax, self.freq_resolution, sfreq), None

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> PSDFeatures:
        X = check_epochs(X)
        grid, bands = self._grid()
        self.n_channels_ = X.shape[1]
        self.channel_names_ = default_names(self.ch_names, X.shape[1])
        self.grid_ = grid
        if bands is None:
            self.freqs_ = grid
            self.columns_ = [fmt_freq(f) for f in grid]
            self.bands_ = None
        else:
            self.bands_ = bands
            self.freqs_ = np.array([(lo + hi) / 2 for lo, hi in bands])
            self.columns_ = [fmt_band(lo, hi) for lo, hi in bands]
        self.n_features_out_ = self.n_channels_ * len(self.columns_)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "grid_"):
            raise not_fitted(self)
        X = check_epochs(X, self.n_channels_)
        p = psd_array(X, self.sfreq, self.grid_, self.method, self.order, self.bandwidth)
        if self.bands_ is not None:
            p = np.stack([p[..., band_mask(self.grid_, lo, hi)].mean(axis=-1) for lo, hi in self.bands_], -1)
        if self.log:
            p = np.log10(np.maximum(p, 1e-30))
        return p if self.output == "tensor" else p.reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """``"C3;12.0"`` (channel;Hz) or ``"C3;8-12"`` (channel;band), channel-major."""
        return tensor_names(self.channel_names_, self.columns_)

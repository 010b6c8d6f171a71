"""Per-epoch functional connectivity: coherence family (pyriemann) and PLV/wPLI (mne-connectivity).

Measures (``method``):
``coh`` magnitude-squared coherence; ``imcoh`` |imaginary part of coherency|; ``instantaneous`` and
``lagged`` Pascual-Marqui's (squared) instantaneous/lagged coherence -- all from the Welch
cross-spectrum of each epoch (``pyriemann.geometry.covariance.coherence``, windows of
``sfreq / freq_resolution`` samples, 75 % overlap); ``plv`` and ``wpli`` from
``mne_connectivity.spectral_connectivity_time`` (multitaper, per epoch).

``reduce="node"`` gives node strength (a channel's mean connectivity to all other channels, as in
HappyFeat): a ``(n_epochs, n_channels, n_freqs)`` tensor; ``reduce="edges"`` gives each channel
pair ``"C3-C4"`` (upper triangle): ``(n_epochs, n_pairs, n_freqs)``. ``output="flat"`` flattens it
with names ``"C3;12.0"`` / ``"C3-C4;12.0"``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from bcigui.core.catalog import COH_METHODS, CONNECTIVITY_METHODS
from bcigui.core.checks import invalid_option
from bcigui.core.features._base import (
    check_epochs,
    check_sfreq,
    default_names,
    fmt_freq,
    frequency_grid,
    not_fitted,
    tensor_names,
)
from bcigui.core.features.psd import _interp_last

METHODS = CONNECTIVITY_METHODS
REDUCTIONS = ("node", "edges")


def connectivity_matrices(
    X: np.ndarray, sfreq: float, freqs: np.ndarray, method: str = "imcoh"
) -> np.ndarray:
    """Connectivity ``(n_epochs, n_channels, n_channels, n_freqs)`` of epochs ``X`` at ``freqs`` (Hz).

    The matrices are symmetric with a zero diagonal.
    """
    if method not in METHODS:
        raise invalid_option("Parameter 'method'", method, list(METHODS))
    n_ep, n_ch, n_times = X.shape
    if method in COH_METHODS:
        import warnings

        from pyriemann.utils.covariance import coherence

        res = float(np.min(np.diff(freqs))) if len(freqs) > 1 else 1.0
        window = int(min(n_times, np.ceil(sfreq / res)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lagged coherence warns about the DC bin
            # restrict the cross-spectrum to the requested band (one bin of margin for interpolation)
            lo, hi = max(float(freqs[0]) - sfreq / window, 0.0), min(float(freqs[-1]) + sfreq / window, sfreq / 2)
            C, f = coherence(X, window=window, overlap=0.75, fmin=lo, fmax=hi, fs=sfreq, coh=COH_METHODS[method])
        C = np.real(C)
        if method == "imcoh":
            C = np.sqrt(np.maximum(C, 0.0))
        C = _interp_last(f, C, freqs)
    else:
        from mne_connectivity import spectral_connectivity_time

        n_cycles = np.clip(freqs * (n_times / sfreq) / 2.0, 1.0, 7.0)
        con = spectral_connectivity_time(
            X, freqs=freqs, method=method, sfreq=sfreq, mode="multitaper", n_cycles=n_cycles,
            average=False, verbose=False,
        )
        D = np.abs(con.get_data("dense"))  # one triangle filled
        C = D + np.swapaxes(D, 1, 2)
    idx = np.arange(n_ch)
    C[:, idx, idx, :] = 0.0
    return C


def node_strength(C: np.ndarray) -> np.ndarray:
    """Mean connectivity of each channel to all others: ``(..., n_ch, n_ch, n_f) -> (..., n_ch, n_f)``."""
    n = C.shape[-2]
    return C.sum(axis=-2) / max(n - 1, 1)


def edge_values(C: np.ndarray) -> np.ndarray:
    """Upper-triangle pairs ``(..., n_ch, n_ch, n_f) -> (..., n_pairs, n_f)``."""
    i, j = np.triu_indices(C.shape[-2], k=1)
    return C[..., i, j, :]


class ConnectivityFeatures(TransformerMixin, BaseEstimator):
    """Per-epoch connectivity reduced to node strength or edges (see the module docstring)."""

    def __init__(
        self,
        sfreq: float | None = None,
        method: str = "imcoh",
        fmin: float = 1.0,
        fmax: float = 40.0,
        freq_resolution: float = 1.0,
        reduce: str = "node",
        output: str = "flat",
        ch_names: list[str] | None = None,
    ) -> None:
        self.sfreq = sfreq
        self.method = method
        self.fmin = fmin
        self.fmax = fmax
        self.freq_resolution = freq_resolution
        self.reduce = reduce
        self.output = output
        self.ch_names = ch_names

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> ConnectivityFeatures:
        X = check_epochs(X)
        sfreq = check_sfreq(self.sfreq)
        if self.method not in METHODS:
            raise invalid_option("Parameter 'method'", self.method, list(METHODS))
        if self.reduce not in REDUCTIONS:
            raise invalid_option("Parameter 'reduce'", self.reduce, list(REDUCTIONS))
        if self.output not in ("flat", "tensor"):
            raise invalid_option("Parameter 'output'", self.output, ["flat", "tensor"])
        if X.shape[1] < 2:
            raise ValueError(f"Connectivity needs at least 2 channels, got {X.shape[1]}")
        self.freqs_ = frequency_grid(self.fmin, self.fmax, self.freq_resolution, sfreq)
        if self.method == "lagged" and self.freqs_[0] <= 0:
            raise ValueError(f"Parameter 'fmin' must be > 0 Hz for lagged coherence, got {self.fmin!r}")
        self.n_channels_ = X.shape[1]
        names = default_names(self.ch_names, X.shape[1])
        if self.reduce == "node":
            self.channel_names_ = names
        else:
            i, j = np.triu_indices(len(names), k=1)
            self.channel_names_ = [f"{names[a]}-{names[b]}" for a, b in zip(i, j, strict=True)]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "freqs_"):
            raise not_fitted(self)
        X = check_epochs(X, self.n_channels_)
        C = connectivity_matrices(X, float(self.sfreq), self.freqs_, self.method)
        T = node_strength(C) if self.reduce == "node" else edge_values(C)
        return T if self.output == "tensor" else T.reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return tensor_names(self.channel_names_, [fmt_freq(f) for f in self.freqs_])


def band_connectivity(x: np.ndarray, sfreq: float, band: tuple[float, float], method: str = "imcoh",
                      resolution: float = 1.0) -> np.ndarray:
    """Connectivity ``(n_channels, n_channels)`` of continuous data ``x`` ``(n_samples, n_channels)``,
    averaged over the frequencies of ``band`` (Hz) at ``resolution`` Hz: the live view's measure, the
    same computation as the per-epoch features (one epoch: the whole segment)."""
    lo, hi = float(band[0]), float(band[1])
    if not 0 <= lo < hi <= sfreq / 2:
        raise ValueError(f"band must be (low, high) within 0-{sfreq / 2:g} Hz, got {band!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < int(2 * sfreq / resolution):
        raise ValueError(f"x must be (n_samples, n_channels) with at least {2 / resolution:g} s of data, "
                         f"got shape {x.shape}")
    freqs = np.arange(lo, hi + resolution / 2, resolution)
    return connectivity_matrices(x.T[None], sfreq, freqs, method)[0].mean(axis=-1)

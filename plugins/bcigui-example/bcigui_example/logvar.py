"""Log-variance feature: one value per channel of each epoch."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline


class LogVariance(TransformerMixin, BaseEstimator):
    """Transform epochs ``(n_epochs, n_channels, n_times)`` into ``log(var)`` per channel."""

    def __init__(self, floor: float = 1e-12) -> None:
        self.floor = floor

    def fit(self, X, y=None):
        X = np.asarray(X)
        if X.ndim != 3:
            raise ValueError(f"X must have shape (n_epochs, n_channels, n_times), got {X.shape}")
        self.n_channels_ = X.shape[1]
        return self

    def transform(self, X):
        X = np.asarray(X)
        if X.ndim != 3 or X.shape[1] != self.n_channels_:
            raise ValueError(f"X must have shape (n_epochs, {self.n_channels_}, n_times), got {X.shape}")
        return np.log(np.maximum(X.var(axis=2), self.floor))


def make_logvar_lda(sfreq: float, ch_names: list[str], classes: list[str], floor: float = 1e-12) -> Pipeline:
    """Decoder factory: log-variance per channel -> shrinkage LDA (an unfitted pipeline on epochs)."""
    return Pipeline([("logvar", LogVariance(floor)),
                     ("lda", LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))])

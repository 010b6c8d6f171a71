"""Riemannian features: regularised spatial covariance per epoch projected to the tangent space."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from bcigui.core.features._base import check_epochs, default_names
from bcigui.core.features.spatial import _check_cov

METRICS = ("riemann", "logeuclid", "euclid")


class TangentSpaceFeatures(TransformerMixin, BaseEstimator):
    """``pyriemann`` ``Covariances(cov_estimator)`` + ``TangentSpace(metric)`` (reference fitted on X).

    Gives ``n_channels * (n_channels + 1) / 2`` features named ``"C3-C4"`` (``"C3-C3"`` on the diagonal).
    """

    def __init__(self, cov_estimator: str = "oas", metric: str = "riemann", ch_names: list[str] | None = None) -> None:
        self.cov_estimator = cov_estimator
        self.metric = metric
        self.ch_names = ch_names

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> TangentSpaceFeatures:
        from pyriemann.estimation import Covariances
        from pyriemann.tangentspace import TangentSpace

        X = check_epochs(X)
        if self.metric not in METRICS:
            raise ValueError(f"Parameter 'metric' must be one of {list(METRICS)}, got {self.metric!r}")
        self.cov_ = Covariances(estimator=_check_cov(self.cov_estimator))
        self.ts_ = TangentSpace(metric=self.metric).fit(self.cov_.transform(X))
        self.n_channels_ = X.shape[1]
        self.channel_names_ = default_names(self.ch_names, X.shape[1])
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "ts_"):
            raise RuntimeError("TangentSpaceFeatures is not fitted: call fit() first")
        X = check_epochs(X, self.n_channels_)
        return self.ts_.transform(self.cov_.transform(X))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        n = self.n_channels_
        i, j = np.triu_indices(n)  # pyriemann's upper-triangle order
        names = self.channel_names_
        return np.array([f"{names[a]}-{names[b]}" for a, b in zip(i, j, strict=True)], dtype=object)

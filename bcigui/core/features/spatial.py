"""CSP and filter-bank CSP (log-variance of spatially filtered epochs), built on pyriemann."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from bcigui.core.catalog import COV_ESTIMATORS
from bcigui.core.checks import invalid_option
from bcigui.core.features._base import check_epochs, check_sfreq, fmt_band, not_fitted
from bcigui.core.plugins.params import parse_bands
from bcigui.core.signal.filters import bandpass_epochs


def _check_cov(estimator: str) -> str:
    if estimator not in COV_ESTIMATORS:
        raise invalid_option("Parameter 'cov_estimator'", estimator, list(COV_ESTIMATORS))
    return estimator


def _fit_csp(X: np.ndarray, y: np.ndarray, n_components: int, cov_estimator: str):
    from pyriemann.spatialfilters import CSP

    from bcigui.core.features.riemann import Covariances

    if n_components < 1 or n_components > X.shape[1]:
        raise ValueError(f"Parameter 'n_components' must be between 1 and n_channels ({X.shape[1]}), got {n_components}")
    if len(np.unique(y)) < 2:
        raise ValueError(f"CSP needs at least 2 classes in y, got {list(np.unique(y))}")
    cov = Covariances(estimator=cov_estimator)
    return cov, CSP(nfilter=n_components, log=True).fit(cov.transform(X), y)


class CSPFeatures(TransformerMixin, BaseEstimator):
    """Common spatial patterns: ``n_components`` log-variance features (multi-class through AJD)."""

    def __init__(self, n_components: int = 4, cov_estimator: str = "oas") -> None:
        self.n_components = n_components
        self.cov_estimator = cov_estimator

    def fit(self, X: np.ndarray, y: np.ndarray) -> CSPFeatures:
        X = check_epochs(X)
        self.cov_, self.csp_ = _fit_csp(X, np.asarray(y), self.n_components, _check_cov(self.cov_estimator))
        self.n_channels_ = X.shape[1]
        self.patterns_ = self.csp_.patterns_
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "csp_"):
            raise not_fitted(self)
        X = check_epochs(X, self.n_channels_)
        return self.csp_.transform(self.cov_.transform(X))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([f"csp{i}" for i in range(self.n_components)], dtype=object)


class FilterBankCSP(TransformerMixin, BaseEstimator):
    """Filter-bank CSP: zero-phase band-pass per band, CSP per band, log-variance features.

    With ``n_bands_select > 0`` only the bands whose CSP features carry the most mutual
    information with the labels (estimated on the training data inside ``fit``) are kept.
    """

    def __init__(
        self,
        sfreq: float | None = None,
        bands: str = "4-8,8-12,12-16,16-20,20-24,24-28,28-32",
        n_components: int = 4,
        n_bands_select: int = 0,
        filter_order: int = 4,
        cov_estimator: str = "oas",
        random_state: int = 0,
    ) -> None:
        self.sfreq = sfreq
        self.bands = bands
        self.n_components = n_components
        self.n_bands_select = n_bands_select
        self.filter_order = filter_order
        self.cov_estimator = cov_estimator
        self.random_state = random_state

    def _filter(self, X: np.ndarray, band: tuple[float, float]) -> np.ndarray:
        return bandpass_epochs(X, self.sfreq, band[0], band[1], self.filter_order)

    def fit(self, X: np.ndarray, y: np.ndarray) -> FilterBankCSP:
        from sklearn.feature_selection import mutual_info_classif

        X = check_epochs(X)
        y = np.asarray(y)
        sfreq = check_sfreq(self.sfreq)
        bands = parse_bands(self.bands, name="Parameter 'bands'")
        for lo, hi in bands:
            if lo <= 0 or hi >= sfreq / 2:
                raise ValueError(f"Parameter 'bands': each band must lie in (0, {sfreq / 2:g}) Hz, got {lo:g}-{hi:g}")
        if not 0 <= self.n_bands_select <= len(bands):
            raise ValueError(f"Parameter 'n_bands_select' must be between 0 and {len(bands)}, got {self.n_bands_select}")
        _check_cov(self.cov_estimator)
        fitted, feats = [], []
        for band in bands:
            Xb = self._filter(X, band)
            cov, csp = _fit_csp(Xb, y, self.n_components, self.cov_estimator)
            fitted.append((band, cov, csp))
            feats.append(csp.transform(cov.transform(Xb)))
        self.band_scores_ = np.array(
            [mutual_info_classif(f, y, random_state=self.random_state).sum() for f in feats]
        )
        keep = np.arange(len(bands))
        if self.n_bands_select:
            keep = np.sort(np.argsort(self.band_scores_)[::-1][: self.n_bands_select])
        self.selected_bands_ = [bands[i] for i in keep]
        self.filters_ = [fitted[i] for i in keep]
        self.n_channels_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "filters_"):
            raise not_fitted(self)
        X = check_epochs(X, self.n_channels_)
        return np.hstack([csp.transform(cov.transform(self._filter(X, band))) for band, cov, csp in self.filters_])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array(
            [f"csp{i};{fmt_band(*band)}" for band, _, _ in self.filters_ for i in range(self.n_components)],
            dtype=object,
        )

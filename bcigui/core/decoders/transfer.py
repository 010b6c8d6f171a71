"""Transfer between sessions and subjects by Riemannian re-centering, and unsupervised adaptation.

Each recording (a *domain*: one session of one person) has its own mean spatial covariance. Whitening
every domain's covariances by its own Riemannian mean puts all of them around the identity
(Zanini et al. 2018, IEEE TBME 65(5); pyriemann's ``TLCenter``), where a classifier trained on other
sessions or people applies to the new one. Optionally each domain's dispersion around the identity
is stretched to 1 (Rodrigues et al. 2019; pyriemann's ``TLScale``).

:class:`AlignedDecoder` wraps a covariance pipeline ``epochs -> covariances -> classifier``: it
re-centers the new session by the mean of its own (few) calibration trials, the earlier sessions or
other subjects given as ``prior`` each by their own mean, and fits the classifier on all of them.
Online, :meth:`AlignedDecoder.adapt` moves the new session's reference toward the live covariances
(a running Riemannian mean, no labels). The prior is data for ``fit`` only; the fitted decoder keeps
one reference matrix, never the prior's trials.

:class:`EuclideanAligned` aligns the signals themselves (Euclidean alignment, He & Wu 2019): each
domain's epochs are whitened by their mean spatial covariance, and any decoder, covariance-based or
not (``erp_ts``), is trained on the aligned epochs of all domains.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pyriemann.utils.base import invsqrtm, powm
from pyriemann.utils.distance import distance_riemann
from pyriemann.utils.geodesic import geodesic_riemann
from pyriemann.utils.mean import mean_riemann
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from bcigui.core.checks import invalid_option

COVARIANCE_ALIGNMENTS = ("recenter", "stretch")  # of covariances: AlignedDecoder
ALIGNMENTS = (*COVARIANCE_ALIGNMENTS, "euclidean")  # and of the signals: EuclideanAligned


def _whiten(C: np.ndarray, W: np.ndarray) -> np.ndarray:
    return W @ C @ W


def dispersion(C: np.ndarray) -> float:
    """Root-mean-square Riemannian distance of re-centred matrices to the identity."""
    eye = np.eye(C.shape[-1])
    return float(np.sqrt(np.mean([distance_riemann(c, eye) ** 2 for c in C])))


class Prior:
    """Labelled epochs of earlier sessions or other subjects, one entry per domain.

    Immutable and shared: copies (``clone`` in cross-validation) refer to the same arrays, and the
    covariances each pipeline front computes from them are cached.
    """

    def __init__(self, domains: Sequence[tuple[np.ndarray, np.ndarray]], names: Sequence[str] = ()) -> None:
        self.domains = [(np.asarray(X), np.asarray(y).astype(str)) for X, y in domains]
        self.names = list(names) or [f"prior {i + 1}" for i in range(len(self.domains))]
        self._cache: dict[str, list[np.ndarray]] = {}

    def __deepcopy__(self, memo: dict) -> Prior:
        return self

    def __len__(self) -> int:
        return len(self.domains)

    @property
    def n_trials(self) -> int:
        return int(sum(len(y) for _, y in self.domains))

    def aligned_epochs(self) -> list[np.ndarray]:
        """Each domain's epochs whitened by its own mean spatial covariance (Euclidean alignment)."""
        if "euclidean" not in self._cache:
            self._cache["euclidean"] = [_apply(euclidean_filter(X), X) for X, _ in self.domains]
        return self._cache["euclidean"]

    def covariances(self, front: Any) -> list[np.ndarray]:
        """Covariances of each domain's epochs through the (unsupervised) pipeline ``front``."""
        key = repr(front)
        if key not in self._cache:
            self._cache[key] = [front.transform(X) for X, _ in self.domains]
        return self._cache[key]


class Recenter(TransformerMixin, BaseEstimator):
    """Whiten covariance matrices by a reference (their Riemannian mean at ``fit``): the reference maps
    to the identity. ``stretch`` also scales the dispersion around the identity to 1."""

    def __init__(self, stretch: bool = False) -> None:
        self.stretch = stretch

    def fit(self, X: np.ndarray, y: Any = None) -> Recenter:
        X = np.asarray(X, dtype=float)
        self.reference_ = mean_riemann(X)
        self.filter_ = invsqrtm(self.reference_)
        self.n_seen_ = len(X)
        self.scale_ = 1.0 / max(dispersion(_whiten(X, self.filter_)), 1e-9) if self.stretch else 1.0
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        Z = _whiten(np.asarray(X, dtype=float), self.filter_)
        return Z if self.scale_ == 1.0 else np.array([powm(z, self.scale_) for z in Z])

    def update(self, X: np.ndarray, min_rate: float = 0.0) -> None:
        """Move the reference toward new matrices ``X`` (one geodesic step each): a running Riemannian
        mean over every matrix seen, whose step never falls below ``min_rate`` (to follow drift)."""
        ref = self.reference_
        for C in np.asarray(X, dtype=float).reshape(-1, *ref.shape):
            self.n_seen_ += 1
            ref = geodesic_riemann(ref, C, max(1.0 / self.n_seen_, min_rate))
        self.reference_ = (ref + ref.T) / 2
        self.filter_ = invsqrtm(self.reference_)


def split_covariance_pipeline(pipeline: Any) -> tuple[Pipeline, Pipeline]:
    """``(front, back)`` of a pipeline with a ``cov`` step: epochs -> covariances, covariances -> class."""
    steps = getattr(pipeline, "steps", None)
    names = [n for n, _ in steps] if steps else []
    if "cov" not in names:
        raise ValueError("alignment and --prior need a decoder built on spatial covariances with a 'cov' step "
                         f"(csp_lda, ts_lr, mdm); this pipeline's steps are {names or type(pipeline).__name__}")
    i = names.index("cov") + 1
    if i == len(names):
        raise ValueError("the pipeline ends at its covariances; it has no classifier to align")
    return Pipeline(steps[:i]), Pipeline(steps[i:])


class AlignedDecoder(ClassifierMixin, BaseEstimator):
    """Covariance decoder whose new session is re-centred on its own mean, trained with an optional prior.

    Parameters
    ----------
    front : epochs -> covariance matrices (channel picks, covariance estimator; fitted without labels).
    back : covariance matrices -> class (tangent space + classifier, CSP + LDA, MDM, ...).
    prior : :class:`Prior` or None; used by ``fit`` only. Clear it (``set_params(prior=None)``) before
        saving a fitted decoder; the file then holds the reference matrix, not the prior's trials.
    alignment : "recenter" or "stretch" (re-center, and scale each domain's dispersion to 1).
    target_weight : weight of each trial of the new session relative to a prior trial in the fit.
    """

    def __init__(self, front: Any, back: Any, prior: Prior | None = None, alignment: str = "recenter",
                 target_weight: float = 1.0) -> None:
        self.front = front
        self.back = back
        self.prior = prior
        self.alignment = alignment
        self.target_weight = target_weight

    def fit(self, X: np.ndarray, y: np.ndarray) -> AlignedDecoder:
        if self.alignment not in COVARIANCE_ALIGNMENTS:
            raise invalid_option("alignment", self.alignment, list(COVARIANCE_ALIGNMENTS))
        y = np.asarray(y).astype(str)
        stretch = self.alignment == "stretch"
        self.front_ = clone(self.front).fit(X, y)
        C = self.front_.transform(X)
        self.recenter_ = Recenter(stretch=stretch).fit(C)
        self.calibration_reference_ = self.recenter_.reference_.copy()
        Z, labels = [self.recenter_.transform(C)], [y]
        weights = [np.full(len(y), float(self.target_weight))]
        if self.prior is not None and len(self.prior):
            for Cd, (_, yd) in zip(self.prior.covariances(self.front_), self.prior.domains, strict=True):
                keep = np.isin(yd, np.unique(y))
                Z.append(Recenter(stretch=stretch).fit_transform(Cd)[keep])
                labels.append(yd[keep])
                weights.append(np.ones(int(keep.sum())))
        self.back_ = clone(self.back)
        w = np.concatenate(weights)
        last = self.back_.steps[-1][0] if hasattr(self.back_, "steps") else None
        kwargs = {f"{last}__sample_weight": w} if last and not np.allclose(w, 1.0) and _takes_weight(self.back_) else {}
        self.back_.fit(np.concatenate(Z), np.concatenate(labels), **kwargs)
        self.classes_ = np.asarray(self.back_.classes_)
        return self

    def aligned(self, X: np.ndarray) -> np.ndarray:
        """Covariances of epochs ``X`` re-centred on this session's current reference."""
        return self.recenter_.transform(self.front_.transform(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.back_.predict(self.aligned(X))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.back_.predict_proba(self.aligned(X))

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self.back_.decision_function(self.aligned(X))

    def adapt(self, X: np.ndarray, min_rate: float = 0.0) -> None:
        """Unsupervised update of the session reference from epochs ``X`` (no labels)."""
        self.recenter_.update(self.front_.transform(X), min_rate)

    def drift(self) -> float:
        """Riemannian distance of the current reference from the one fitted on the calibration trials."""
        return float(distance_riemann(self.recenter_.reference_, self.calibration_reference_))


def epoch_covariances(X: np.ndarray) -> np.ndarray:
    """Spatial covariance ``x x^T / n_times`` of each epoch (no centring: the epochs are band-passed)."""
    X = np.asarray(X, dtype=float)
    return np.einsum("nct,ndt->ncd", X, X) / X.shape[-1]


def _inv_sqrt(C: np.ndarray) -> np.ndarray:
    w, V = np.linalg.eigh((C + C.T) / 2)
    w = np.maximum(w, w.max() * 1e-10)  # a rank-deficient reference (e.g. average reference) stays finite
    return (V / np.sqrt(w)) @ V.T


def euclidean_filter(X: np.ndarray) -> np.ndarray:
    """``R^(-1/2)``, ``R`` the arithmetic mean of the epochs' spatial covariances (He & Wu 2019)."""
    return _inv_sqrt(epoch_covariances(X).mean(axis=0))


def _apply(W: np.ndarray, X: np.ndarray) -> np.ndarray:
    return np.einsum("ij,njt->nit", W, np.asarray(X, dtype=float))


class EuclideanAligned(ClassifierMixin, BaseEstimator):
    """Any epochs decoder trained on Euclidean-aligned signals (He & Wu 2019, IEEE TBME 67(2)).

    Each domain's epochs are whitened by the inverse square root of its mean spatial covariance, so
    that every domain's mean covariance is the identity; the new session by the mean of its own
    calibration trials, each prior domain by its own. Unlike :class:`AlignedDecoder` the signals
    themselves are aligned, so pipelines that are not built on covariances (``erp_ts``: Xdawn
    potentials and rhythms) learn from other people too.

    Parameters
    ----------
    pipeline : epochs -> class (any decoder).
    prior : :class:`Prior` or None; used by ``fit`` only (clear it before saving).
    target_weight : weight of each trial of the new session relative to a prior trial (copies).
    """

    alignment = "euclidean"

    def __init__(self, pipeline: Any, prior: Prior | None = None, target_weight: float = 1.0) -> None:
        self.pipeline = pipeline
        self.prior = prior
        self.target_weight = target_weight

    def fit(self, X: np.ndarray, y: np.ndarray) -> EuclideanAligned:
        y = np.asarray(y).astype(str)
        C = epoch_covariances(X)
        self.reference_ = C.mean(axis=0)
        self.calibration_reference_ = self.reference_.copy()
        self.filter_ = _inv_sqrt(self.reference_)
        self.n_seen_ = len(C)
        copies = max(1, int(round(self.target_weight)))
        Xs, ys = [_apply(self.filter_, X)] * copies, [y] * copies
        if self.prior is not None and len(self.prior):
            for Xd, (_, yd) in zip(self.prior.aligned_epochs(), self.prior.domains, strict=True):
                keep = np.isin(yd, np.unique(y))
                Xs.append(Xd[keep])
                ys.append(yd[keep])
        self.pipeline_ = clone(self.pipeline).fit(np.concatenate(Xs), np.concatenate(ys))
        self.classes_ = np.asarray(self.pipeline_.classes_)
        return self

    def aligned(self, X: np.ndarray) -> np.ndarray:
        """Epochs ``X`` whitened by this session's current reference."""
        check_is_fitted(self, "filter_")
        X = np.asarray(X, dtype=float)
        if X.ndim != 3 or X.shape[1] != len(self.filter_):
            raise ValueError(f"epochs must have shape (n_epochs, {len(self.filter_)} channels, n_times), "
                             f"got {X.shape}")
        return _apply(self.filter_, X)

    def predict(self, X: np.ndarray) -> np.ndarray:
        Z = self.aligned(X)  # checks the fit and the shape first
        return self.pipeline_.predict(Z)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        Z = self.aligned(X)  # checks the fit and the shape first
        return self.pipeline_.predict_proba(Z)

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        Z = self.aligned(X)  # checks the fit and the shape first
        return self.pipeline_.decision_function(Z)

    def adapt(self, X: np.ndarray, min_rate: float = 0.0) -> None:
        """Unsupervised update of the reference from epochs ``X``: a running mean of their covariances
        whose step never falls below ``min_rate`` (to follow drift)."""
        ref = self.reference_
        for C in epoch_covariances(X):
            self.n_seen_ += 1
            ref = ref + max(1.0 / self.n_seen_, min_rate) * (C - ref)
        self.reference_ = (ref + ref.T) / 2
        self.filter_ = _inv_sqrt(self.reference_)

    def drift(self) -> float:
        """Riemannian distance of the current reference from the one fitted on the calibration trials."""
        return float(distance_riemann(self.reference_, self.calibration_reference_))


def _takes_weight(back: Any) -> bool:
    import inspect

    est = back.steps[-1][1] if hasattr(back, "steps") else back
    try:
        return "sample_weight" in inspect.signature(est.fit).parameters
    except (TypeError, ValueError):
        return False


def make_aligned(pipeline: Any, prior: Prior | None = None, alignment: str | None = None,
                 target_weight: float = 1.0) -> AlignedDecoder | EuclideanAligned:
    """Wrap a pipeline for transfer: a covariance pipeline (``csp_lda``, ``ts_lr``, ``mdm``) into an
    :class:`AlignedDecoder` (``recenter``, ``stretch``), any pipeline into :class:`EuclideanAligned`
    (``euclidean``). ``None``: ``recenter`` for covariance pipelines, else ``euclidean``."""
    if alignment is None:
        alignment = "recenter" if "cov" in [n for n, _ in getattr(pipeline, "steps", ())] else "euclidean"
    if alignment not in ALIGNMENTS:
        raise invalid_option("alignment", alignment, list(ALIGNMENTS))
    if alignment == "euclidean":
        return EuclideanAligned(pipeline, prior=prior, target_weight=target_weight)
    front, back = split_covariance_pipeline(pipeline)
    return AlignedDecoder(front, back, prior=prior, alignment=alignment, target_weight=target_weight)

"""SSVEP decoders: CCA, filter-bank CCA, TRCA / ensemble TRCA, filter-bank covariances.

Class labels that parse as numbers are stimulus frequencies in Hz; ``rest_label`` (default
``"rest"``) is the no-target class. With a rest class, ``rest_mode="threshold"`` predicts rest when
the best correlation falls below a threshold learned on the training data, ``"learned"`` trains a
shrinkage LDA on the correlation scores (which also learns per-class biases).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from bcigui.core.catalog import REST_MODES
from bcigui.core.checks import invalid_option
from bcigui.core.features._base import check_epochs, check_fitted
from bcigui.core.signal.filters import bandpass_epochs


def parse_frequency(label: object) -> float | None:
    """The stimulus frequency of a class label (``"13"`` -> 13.0), ``None`` if not a number."""
    try:
        freq = float(str(label).strip().lower().removesuffix("hz"))
    except ValueError:
        return None
    return freq if freq > 0 else None


def reference_signals(freq: float, sfreq: float, n_times: int, n_harmonics: int) -> np.ndarray:
    """Sine/cosine references ``(2 * n_harmonics, n_times)`` at ``freq`` and its harmonics."""
    t = np.arange(n_times) / sfreq
    rows = []
    for h in range(1, n_harmonics + 1):
        rows += [np.sin(2 * np.pi * h * freq * t), np.cos(2 * np.pi * h * freq * t)]
    return np.asarray(rows)


def _orthobasis(A: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the centred rows of ``A`` (as columns, ``(n_times, rank)``)."""
    A = A - A.mean(axis=1, keepdims=True)
    q, _ = np.linalg.qr(A.T)
    return q


def cca_correlation(X: np.ndarray, Y: np.ndarray) -> float:
    """First canonical correlation between rows of ``X`` ``(n_ch, n_t)`` and ``Y`` ``(n_ref, n_t)``."""
    s = np.linalg.svd(_orthobasis(X).T @ _orthobasis(Y), compute_uv=False)
    return float(min(s[0], 1.0))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a.ravel() - a.mean()
    b = b.ravel() - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 0 else 0.0


def filter_bank_bands(freqs: list[float], sfreq: float, n_bands: int, n_harmonics: int) -> list[tuple[float, float]]:
    """Sub-bands for filter-bank CCA/TRCA (Chen et al. 2015): ``[m*f_min - 2, f_top]`` Hz."""
    fmin = min(freqs) if freqs else 8.0
    fmax = max(freqs) if freqs else 15.0
    top = min(0.9 * sfreq / 2, fmax * n_harmonics + 6)
    bands = []
    for m in range(1, n_bands + 1):
        low = max(1.0, m * fmin - 2)
        if low < top - 4:
            bands.append((low, top))
    return bands or [(max(1.0, fmin - 2), top)]


def _fb_weights(n: int) -> np.ndarray:
    m = np.arange(1, n + 1)
    return m ** -1.25 + 0.25


def cca_scores(X: np.ndarray, freqs: np.ndarray, sfreq: float, n_harmonics: int,
               bands: list[tuple[float, float]]) -> np.ndarray:
    """CCA correlation of each epoch with each frequency's references ``(n_epochs, n_freqs)``.

    With ``bands`` (filter-bank CCA), the weighted sum of squared correlations over the sub-bands.
    """
    refs = [reference_signals(f, sfreq, X.shape[2], n_harmonics) for f in freqs]
    if not bands:
        return np.array([[cca_correlation(x, r) for r in refs] for x in X])
    total = np.zeros((len(X), len(refs)))
    for w, (lo, hi) in zip(_fb_weights(len(bands)), bands, strict=True):
        Xb = bandpass_epochs(X, sfreq, lo, hi)
        total += w * np.array([[cca_correlation(x, ref) for ref in refs] for x in Xb]) ** 2
    return total


class _SSVEPBase(ClassifierMixin, BaseEstimator):
    """Shared fit/predict logic: per-stimulus scores, then argmax with rest handling."""

    def _check_X(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 3:
            raise ValueError(f"X must have shape (n_epochs, n_channels, n_times), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        return X

    def _setup(self, y: np.ndarray, need_freqs: bool, n_channels: int) -> None:
        if self.rest_mode not in REST_MODES:
            raise invalid_option("rest_mode", self.rest_mode, list(REST_MODES))
        self.classes_ = np.unique(y)
        self.n_channels_ = n_channels
        self.stim_classes_ = np.array([c for c in self.classes_ if c != self.rest_label])
        freqs = [parse_frequency(c) for c in self.stim_classes_]
        if need_freqs and any(f is None for f in freqs):
            bad = [str(c) for c, f in zip(self.stim_classes_, freqs, strict=True) if f is None]
            raise ValueError(
                f"SSVEP class labels must be stimulus frequencies in Hz or {self.rest_label!r} "
                f"(rest_label), got {bad}"
            )
        self.freqs_ = np.array([f if f is not None else np.nan for f in freqs])
        self.has_rest_ = bool(self.rest_label in self.classes_)
        if len(self.stim_classes_) < 1 or len(self.classes_) < 2:
            raise ValueError(f"need at least two classes including one stimulus, got {list(self.classes_)}")

    def _fit_decision(self, scores: np.ndarray, y: np.ndarray) -> None:
        """Learn the rest threshold or the score classifier from training scores."""
        self.threshold_ = -np.inf
        self.score_clf_ = None
        if self.rest_mode == "learned":
            self.score_clf_ = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(scores, y)
            return
        if self.has_rest_:
            best = scores.max(axis=1)
            is_rest = y == self.rest_label
            cands = np.unique(best)
            bal = [0.5 * (np.mean(best[is_rest] < t) + np.mean(best[~is_rest] >= t)) for t in cands]
            i = int(np.argmax(bal))
            below = cands[i - 1] if i > 0 else cands[i] - 1e-3
            self.threshold_ = float(0.5 * (cands[i] + below))

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        """Per-class scores ``(n_epochs, n_classes)`` in the order of ``classes_``."""
        check_fitted(self, "threshold_")
        scores = self._scores(check_epochs(X, self.n_channels_))
        if self.score_clf_ is not None:
            df = self.score_clf_.decision_function(scores)
            if df.ndim == 1:
                df = np.column_stack([-df, df])
            order = [list(self.score_clf_.classes_).index(c) for c in self.classes_]
            return df[:, order]
        out = np.zeros((len(X), len(self.classes_)))
        for j, c in enumerate(self.classes_):
            if c == self.rest_label:
                out[:, j] = self.threshold_
            else:
                out[:, j] = scores[:, list(self.stim_classes_).index(c)]
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


class CCA(_SSVEPBase):
    """Training-free CCA against sine/cosine references; filter-bank CCA with ``n_bands > 1``."""

    def __init__(self, sfreq: float = 256.0, n_harmonics: int = 3, n_bands: int = 1,
                 rest_label: str = "rest", rest_mode: str = "threshold") -> None:
        self.sfreq = sfreq
        self.n_harmonics = n_harmonics
        self.n_bands = n_bands
        self.rest_label = rest_label
        self.rest_mode = rest_mode

    def fit(self, X: np.ndarray, y: np.ndarray) -> CCA:
        X = self._check_X(X)
        y = np.asarray(y).astype(str)
        self._setup(y, need_freqs=True, n_channels=X.shape[1])
        self.bands_ = (filter_bank_bands(list(self.freqs_), self.sfreq, self.n_bands, self.n_harmonics)
                       if self.n_bands > 1 else [])
        self._fit_decision(self._scores(X), y)
        return self

    def _scores(self, X: np.ndarray) -> np.ndarray:
        return cca_scores(X, self.freqs_, self.sfreq, self.n_harmonics, self.bands_)


def _trca_filter(Xc: np.ndarray) -> np.ndarray:
    """TRCA spatial filter of trials ``Xc`` ``(n_trials, n_ch, n_t)`` (Nakanishi et al. 2018)."""
    Xc = Xc - Xc.mean(axis=2, keepdims=True)
    s = Xc.sum(axis=0)
    S = s @ s.T - np.einsum("kct,kdt->cd", Xc, Xc)
    cat = np.concatenate(list(Xc), axis=1)
    Q = cat @ cat.T
    Q += 1e-6 * np.trace(Q) / len(Q) * np.eye(len(Q))
    vals, vecs = np.linalg.eig(np.linalg.solve(Q, S))
    return np.real(vecs[:, np.argmax(np.real(vals))])


class TRCA(_SSVEPBase):
    """Task-related component analysis with per-class templates; ``ensemble=True`` for eTRCA."""

    def __init__(self, sfreq: float = 256.0, ensemble: bool = True, n_bands: int = 3, n_harmonics: int = 3,
                 rest_label: str = "rest", rest_mode: str = "threshold") -> None:
        self.sfreq = sfreq
        self.ensemble = ensemble
        self.n_bands = n_bands
        self.n_harmonics = n_harmonics
        self.rest_label = rest_label
        self.rest_mode = rest_mode

    def _band_list(self) -> list[tuple[float, float] | None]:
        freqs = [f for f in self.freqs_ if np.isfinite(f)]
        if self.n_bands <= 1:
            return [None]
        return list(filter_bank_bands(freqs, self.sfreq, self.n_bands, self.n_harmonics))

    def _band(self, X: np.ndarray, band: tuple[float, float] | None) -> np.ndarray:
        return X if band is None else bandpass_epochs(X, self.sfreq, *band)

    def _fit_state(self, Xbs: list[np.ndarray], y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        state = []
        for Xb in Xbs:
            W = np.column_stack([_trca_filter(Xb[y == c]) for c in self.stim_classes_])
            T = np.stack([Xb[y == c].mean(axis=0) for c in self.stim_classes_])
            state.append((W, T))
        return state

    def _state_scores(self, Xbs: list[np.ndarray], state: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        n_bands = len(Xbs)
        weights = _fb_weights(n_bands) if n_bands > 1 else np.ones(1)
        total = np.zeros((len(Xbs[0]), len(self.stim_classes_)))
        for w, Xb, (W, T) in zip(weights, Xbs, state, strict=True):
            for k in range(len(self.stim_classes_)):
                Wk = W if self.ensemble else W[:, [k]]
                tk = Wk.T @ T[k]
                r = np.array([_corr(Wk.T @ x, tk) for x in Xb])
                total[:, k] += w * (np.sign(r) * r**2 if n_bands > 1 else r)
        return total

    def fit(self, X: np.ndarray, y: np.ndarray) -> TRCA:
        X = self._check_X(X)
        y = np.asarray(y).astype(str)
        self._setup(y, need_freqs=self.n_bands > 1, n_channels=X.shape[1])
        self.bands_ = self._band_list()
        Xbs = [self._band(X, b) for b in self.bands_]
        stim = y != self.rest_label
        counts = [int(np.sum(y == c)) for c in self.stim_classes_]
        if min(counts) < 2:
            raise ValueError(f"TRCA needs at least 2 training trials per class, got {dict(zip(self.stim_classes_, counts, strict=True))}")
        self.state_ = self._fit_state([Xb[stim] for Xb in Xbs], y[stim])
        need_oof = self.has_rest_ or self.rest_mode == "learned"
        if need_oof and min(counts) >= 3:  # out-of-fold scores: no optimistic bias in the threshold/LDA
            scores = np.zeros((len(y), len(self.stim_classes_)))
            n_splits = min(3, int(np.min(np.unique(y, return_counts=True)[1])))
            for tr, te in StratifiedKFold(n_splits, shuffle=True, random_state=0).split(X, y):
                tr_stim = tr[stim[tr]]
                st = self._fit_state([Xb[tr_stim] for Xb in Xbs], y[tr_stim])
                scores[te] = self._state_scores([Xb[te] for Xb in Xbs], st)
        else:
            scores = self._state_scores(Xbs, self.state_)
        self._fit_decision(scores, y)
        return self

    def _scores(self, X: np.ndarray) -> np.ndarray:
        return self._state_scores([self._band(X, b) for b in self.bands_], self.state_)


class FilterBankStack(TransformerMixin, BaseEstimator):
    """Band-pass each epoch around each stimulus frequency and stack the bands as channels.

    The MOABB ``SSVEP_TS+LR`` input: ``(n, n_ch, n_t)`` -> ``(n, n_ch * n_freqs, n_t)``; frequencies
    come from the numeric class labels seen in ``fit`` (or ``freqs``).
    """

    def __init__(self, sfreq: float = 256.0, freqs: tuple[float, ...] | None = None, bandwidth: float = 1.0,
                 order: int = 2) -> None:
        self.sfreq = sfreq
        self.freqs = freqs
        self.bandwidth = bandwidth
        self.order = order

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> FilterBankStack:
        if self.freqs is not None:
            freqs = [float(f) for f in self.freqs]
        else:
            freqs = sorted({f for f in (parse_frequency(c) for c in np.unique(y)) if f is not None})
        if not freqs:
            raise ValueError("FilterBankStack needs numeric class labels (Hz) or the freqs parameter")
        self.freqs_ = np.array(freqs)
        self.n_channels_ = check_epochs(X).shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "freqs_")
        X = check_epochs(X, self.n_channels_)
        bands = [bandpass_epochs(X, self.sfreq, f - self.bandwidth, f + self.bandwidth, self.order) for f in self.freqs_]
        return np.concatenate(bands, axis=1)


class SSVEPFeatures(TransformerMixin, BaseEstimator):
    """Phase-invariant SSVEP features for a classifier (which then also learns the rest class).

    Per channel, the log power at each stimulus frequency and harmonic (Hann-windowed DFT at the exact
    frequency, summed over ``offsets`` Hz around it), plus the filter-bank CCA score of each stimulus.
    """

    def __init__(self, sfreq: float = 256.0, n_harmonics: int = 2, offsets: tuple[float, ...] = (-0.5, 0.0, 0.5),
                 n_bands: int = 3, cca_harmonics: int = 3) -> None:
        self.sfreq = sfreq
        self.n_harmonics = n_harmonics
        self.offsets = offsets
        self.n_bands = n_bands
        self.cca_harmonics = cca_harmonics

    def fit(self, X: np.ndarray, y: np.ndarray) -> SSVEPFeatures:
        freqs = sorted({f for f in (parse_frequency(c) for c in np.unique(np.asarray(y).astype(str))) if f})
        if not freqs:
            raise ValueError("SSVEPFeatures needs class labels that are stimulus frequencies in Hz")
        self.freqs_ = np.array(freqs)
        self.bands_ = (filter_bank_bands(freqs, self.sfreq, self.n_bands, self.cca_harmonics)
                       if self.n_bands > 1 else [])
        self.n_channels_ = check_epochs(X).shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "freqs_")
        X = check_epochs(X, self.n_channels_)
        n = X.shape[2]
        t = np.arange(n) / self.sfreq
        Xw = (X - X.mean(axis=2, keepdims=True)) * np.hanning(n)
        feats = []
        for f in self.freqs_:
            for h in range(1, self.n_harmonics + 1):
                p = sum(np.abs(Xw @ np.exp(-2j * np.pi * (h * f + d) * t)) ** 2 for d in self.offsets)
                feats.append(np.log(p + 1e-30))
        if self.n_bands > 0:
            feats.append(cca_scores(X, self.freqs_, self.sfreq, self.cca_harmonics, self.bands_))
        return np.concatenate(feats, axis=1)


# -- pipeline factories: make_*(sfreq, ch_names, classes, **params) -> Pipeline -------------------------

def make_cca(sfreq: float, ch_names: list[str], classes: list[str], n_harmonics: int = 3, n_bands: int = 1,
             rest_mode: str = "threshold", rest_label: str = "rest") -> Pipeline:
    """CCA against sine/cosine references (filter-bank CCA with ``n_bands > 1``)."""
    return Pipeline([("clf", CCA(sfreq, n_harmonics, n_bands, rest_label, rest_mode))])


def make_fbcca(sfreq: float, ch_names: list[str], classes: list[str], n_harmonics: int = 3, n_bands: int = 3,
               rest_mode: str = "learned", rest_label: str = "rest") -> Pipeline:
    """Filter-bank CCA (Chen et al. 2015)."""
    return make_cca(sfreq, ch_names, classes, n_harmonics, n_bands, rest_mode, rest_label)


def make_trca(sfreq: float, ch_names: list[str], classes: list[str], ensemble: bool = False, n_bands: int = 1,
              rest_mode: str = "threshold", rest_label: str = "rest") -> Pipeline:
    """TRCA (``ensemble=True``: ensemble TRCA); needs stimuli phase-locked to the event markers."""
    return Pipeline([("clf", TRCA(sfreq, ensemble, n_bands, 3, rest_label, rest_mode))])


def make_etrca(sfreq: float, ch_names: list[str], classes: list[str], n_bands: int = 1,
               rest_mode: str = "threshold", rest_label: str = "rest") -> Pipeline:
    """Ensemble TRCA."""
    return make_trca(sfreq, ch_names, classes, True, n_bands, rest_mode, rest_label)


def make_ssvep_ts(sfreq: float, ch_names: list[str], classes: list[str], bandwidth: float = 1.0,
                  classifier: str = "lr") -> Pipeline:
    """MOABB's SSVEP_TS+LR: band-pass around each stimulus frequency, stack, covariance, tangent space."""
    from bcigui.core.decoders.classifiers import make_classifier
    from bcigui.core.features.riemann import Covariances, TangentSpace

    steps = [("fb", FilterBankStack(sfreq, None, bandwidth, 2)), ("cov", Covariances("lwf"))]
    if classifier != "mdm":
        steps.append(("ts", TangentSpace(metric="riemann")))
    return Pipeline([*steps, ("clf", make_classifier(classifier))])


def make_ssvep_features(sfreq: float, ch_names: list[str], classes: list[str], n_harmonics: int = 2,
                        n_bands: int = 3, classifier: str = "lda") -> Pipeline:
    """Narrow-band log power per channel + filter-bank CCA scores -> scaled -> classifier (learns rest)."""
    from sklearn.preprocessing import StandardScaler

    from bcigui.core.decoders.classifiers import make_classifier

    return Pipeline([("features", SSVEPFeatures(sfreq, n_harmonics, (-0.5, 0.0, 0.5), n_bands)),
                     ("scale", StandardScaler()), ("clf", make_classifier(classifier))])

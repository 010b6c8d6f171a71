"""Motor-imagery decoder pipelines: ``make_*(sfreq, ch_names, classes, **params) -> Pipeline``.

Every pipeline takes epochs ``(n_epochs, n_channels, n_times)`` already filtered by the model's
causal :class:`~bcigui.core.signal.filters.FilterSpec`; any further (filter-bank) band-pass is a
step of the pipeline, so cross-validation fits everything inside the folds.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from bcigui.core.checks import invalid_option
from bcigui.core.decoders.classifiers import make_classifier
from bcigui.core.features._base import check_epochs, check_fitted
from bcigui.core.plugins.params import parse_bands, parse_channels
from bcigui.core.signal.filters import bandpass_epochs

#: log-Euclidean reference point (25x faster than the Riemannian mean for 64 channels), Riemannian map
_TS_METRIC = {"mean": "logeuclid", "map": "riemann"}
DEFAULT_BANDS = "8-12,12-16,16-20,20-24,24-28,28-32"


SENSORIMOTOR = ("FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "C5", "C3", "C1", "Cz", "C2", "C4", "C6",
                "CP5", "CP3", "CP1", "CPz", "CP2", "CP4", "CP6")


def resolve_channels(spec: str, ch_names: list[str]) -> list[str] | None:
    """``""`` -> all channels (``None``); ``"sensorimotor"`` -> those of :data:`SENSORIMOTOR` present
    (all channels if fewer than 4 are); else a comma-separated list that must all exist."""
    spec = str(spec or "").strip()
    if not spec:
        return None
    if spec.lower() == "sensorimotor":
        found = {c.lower(): c for c in ch_names}
        picks = [found[c.lower()] for c in SENSORIMOTOR if c.lower() in found]
        return picks if len(picks) >= 4 else None
    picks = parse_channels(spec)
    missing = [c for c in picks if c not in ch_names]
    if missing:
        raise ValueError(f"channels: {missing} not among the data channels {list(ch_names)}")
    return picks


class PickChannels(TransformerMixin, BaseEstimator):
    """Keep the channels ``picks`` (names) of epochs whose channels are ``ch_names``."""

    def __init__(self, ch_names: tuple[str, ...] = (), picks: tuple[str, ...] = ()) -> None:
        self.ch_names = ch_names
        self.picks = picks

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> PickChannels:
        names = list(self.ch_names)
        if np.asarray(X).shape[1] != len(names):
            raise ValueError(f"X has {np.asarray(X).shape[1]} channels but ch_names lists {len(names)}")
        self.index_ = np.array([names.index(c) for c in self.picks], dtype=int)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "index_")
        return check_epochs(X, len(self.ch_names))[:, self.index_]


def _picker(channels: str, ch_names: list[str]) -> list:
    picks = resolve_channels(channels, list(ch_names))
    return [] if picks is None else [("picks", PickChannels(tuple(ch_names), tuple(picks)))]


class FilterBank(TransformerMixin, BaseEstimator):
    """Band-pass epochs in each band, apply a clone of ``estimator`` per band, concatenate features.

    Each epoch is filtered on its own (zero-phase), identically offline and online.
    """

    def __init__(self, estimator: BaseEstimator, bands: tuple[tuple[float, float], ...], sfreq: float,
                 order: int = 4) -> None:
        self.estimator = estimator
        self.bands = bands
        self.sfreq = sfreq
        self.order = order

    def _filtered(self, X: np.ndarray, band: tuple[float, float]) -> np.ndarray:
        return bandpass_epochs(X, self.sfreq, band[0], band[1], self.order)

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> FilterBank:
        X = check_epochs(X)
        self.n_channels_ = X.shape[1]
        self.estimators_ = [clone(self.estimator).fit(self._filtered(X, b), y) for b in self.bands]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        check_fitted(self, "estimators_")
        X = check_epochs(X, self.n_channels_)
        outs = [est.transform(self._filtered(X, b)) for est, b in zip(self.estimators_, self.bands, strict=True)]
        return np.concatenate([o.reshape(len(o), -1) for o in outs], axis=1)


def _cov(estimator: str):
    from bcigui.core.features.riemann import Covariances

    return Covariances(estimator=estimator)


def make_csp_lda(sfreq: float, ch_names: list[str], classes: list[str], n_components: int = 6,
                 cov_estimator: str = "oas", classifier: str = "lda", channels: str = "") -> Pipeline:
    """Covariances -> CSP log-variance -> classifier (shrinkage LDA by default)."""
    from pyriemann.spatialfilters import CSP

    return Pipeline([*_picker(channels, ch_names), ("cov", _cov(cov_estimator)), ("csp", CSP(nfilter=n_components, log=True)),
                     ("clf", make_classifier(classifier))])


def make_fbcsp(sfreq: float, ch_names: list[str], classes: list[str], bands: str = "4-8,8-12,12-16,16-20,20-24,24-28,28-32,32-40",
               n_components: int = 4, cov_estimator: str = "oas", classifier: str = "svm_linear",
               channels: str = "") -> Pipeline:
    """Filter-bank CSP: CSP per band, concatenated log-variances, scaled -> classifier (linear SVM)."""
    from pyriemann.spatialfilters import CSP

    per_band = Pipeline([("cov", _cov(cov_estimator)), ("csp", CSP(nfilter=n_components, log=True))])
    return Pipeline([*_picker(channels, ch_names), ("fb", FilterBank(per_band, tuple(parse_bands(bands, nyquist=sfreq / 2)), sfreq)),
                     ("scale", StandardScaler()), ("clf", make_classifier(classifier))])


def make_ts(sfreq: float, ch_names: list[str], classes: list[str], cov_estimator: str = "oas",
            classifier: str = "lr", channels: str = "") -> Pipeline:
    """Riemannian tangent space of covariances -> classifier (logistic regression, C by inner CV)."""
    from bcigui.core.features.riemann import TangentSpace

    if classifier == "mdm":
        return make_mdm(sfreq, ch_names, classes, cov_estimator, channels)
    return Pipeline([*_picker(channels, ch_names), ("cov", _cov(cov_estimator)), ("ts", TangentSpace(metric=_TS_METRIC)),
                     ("clf", make_classifier(classifier))])


def make_fbts(sfreq: float, ch_names: list[str], classes: list[str], bands: str = DEFAULT_BANDS,
              cov_estimator: str = "oas", classifier: str = "ridge", channels: str = "") -> Pipeline:
    """Filter-bank tangent space: one covariance + tangent space per band, scaled -> classifier."""
    from bcigui.core.features.riemann import TangentSpace

    per_band = Pipeline([("cov", _cov(cov_estimator)), ("ts", TangentSpace(metric=_TS_METRIC))])
    return Pipeline([*_picker(channels, ch_names), ("fb", FilterBank(per_band, tuple(parse_bands(bands, nyquist=sfreq / 2)), sfreq)),
                     ("scale", StandardScaler()), ("clf", make_classifier(classifier))])


def make_mdm(sfreq: float, ch_names: list[str], classes: list[str], cov_estimator: str = "oas",
             channels: str = "") -> Pipeline:
    """Covariances -> minimum distance to the Riemannian class means."""
    return Pipeline([*_picker(channels, ch_names), ("cov", _cov(cov_estimator)), ("clf", make_classifier("mdm"))])


FEATURE_FAMILIES = ("psd", "connectivity", "psd+connectivity")


def tensor_feature_plugins() -> list[str]:
    """Names of the installed feature plugins that give ``(epochs, rows, freqs)`` tensors unsupervised."""
    from bcigui.core.plugins.registry import get_registry

    return [s.name for s in get_registry().list("feature")
            if s.tags.get("tensor") and not s.tags.get("supervised") and s.name not in FEATURE_FAMILIES]


def _plugin_extractor(feature: str, sfreq: float, ch_names: list[str], fmin: float, fmax: float) -> BaseEstimator:
    """The tensor feature plugin ``feature`` set up as the analysis window sets it up."""
    from bcigui.core.analysis.extractors import Extractor
    from bcigui.core.plugins.registry import get_registry
    from bcigui.core.workspace import make_extractor

    available = tensor_feature_plugins()
    if feature not in available:
        raise invalid_option("feature", feature, [*FEATURE_FAMILIES, *available])
    spec = get_registry().get("feature", feature)
    known = {p.name for p in spec.params}
    band = {k: v for k, v in {"fmin": fmin, "fmax": fmax}.items() if k in known}
    return make_extractor(spec, {**band, **Extractor(spec).fixed()}, sfreq, ch_names)


def _candidates(channels: str, ch_names: list[str]) -> list[str] | None:
    """Rows the automatic selection may pick: ``"sensorimotor"`` (those present), a list, or all (``None``)."""
    if channels.strip().lower() == "sensorimotor":
        return resolve_channels(channels, list(ch_names))
    return parse_channels(channels) or None


def make_happyfeat(sfreq: float, ch_names: list[str], classes: list[str], feature: str = "psd",
                   method: str = "welch", fmin: float = 4.0, fmax: float = 40.0, selection: str = "",
                   n_features: int = 6, channels: str = "sensorimotor", classifier: str = "lda",
                   connectivity_method: str = "imcoh") -> Pipeline:
    """HappyFeat workflow: PSD (or connectivity node strength, or both) per channel and frequency,
    features chosen by signed r² inside each training fold (top ``n_features`` rows at their best
    frequency, among ``channels``: by default the sensorimotor rows, where motor imagery changes the
    mu/beta power) or fixed by ``selection`` (``"C3;12, C4;8:12"``), then a classifier (shrinkage LDA).

    ``feature="psd+connectivity"`` stacks both tensors (:class:`CombinedFeatures`, ``output="tensor"``):
    rows are ``"psd:C3"`` and ``"<connectivity_method>:C3"`` (e.g. ``"imcoh:C3"``), so a selection
    reads ``"psd:C3;12, imcoh:C4;10"``; plain names in ``channels`` stand for both rows of a channel.
    """
    from bcigui.core.features._base import frequency_grid
    from bcigui.core.features.selection import AutoFeatSelector, ManualSelector

    def psd():
        from bcigui.core.features.psd import PSDFeatures

        return PSDFeatures(sfreq=sfreq, method=method, fmin=fmin, fmax=fmax, output="tensor", ch_names=list(ch_names))

    def conn():
        from bcigui.core.features.connectivity import ConnectivityFeatures

        return ConnectivityFeatures(sfreq=sfreq, method=connectivity_method, fmin=fmin, fmax=fmax, output="tensor",
                                    ch_names=list(ch_names))

    if feature not in FEATURE_FAMILIES:  # a third-party tensor feature: rows and grid known once fitted
        from bcigui.core.features.selection import SelectedTensorFeatures

        extractor = _plugin_extractor(feature, sfreq, list(ch_names), fmin, fmax)
        cands = None if selection.strip() else _candidates(channels, ch_names)
        selector = (ManualSelector(selection=selection) if selection.strip()
                    else AutoFeatSelector(n_features=min(n_features, len(cands)) if cands else n_features,
                                          channels=cands))
        return Pipeline([("features", SelectedTensorFeatures(extractor, selector)), ("scale", StandardScaler()),
                         ("clf", make_classifier(classifier))])
    rows = list(ch_names)
    if feature == "psd":
        extractor = psd()
    elif feature == "connectivity":
        extractor = conn()
    else:  # psd+connectivity
        from bcigui.core.features.combine import CombinedFeatures

        if connectivity_method == "psd":
            raise ValueError("connectivity_method must name a connectivity measure such as 'imcoh', got 'psd'")
        extractor = CombinedFeatures([("psd", psd()), (connectivity_method, conn())], output="tensor")
        rows = [f"{p}:{c}" for p in ("psd", connectivity_method) for c in ch_names]
    freqs = frequency_grid(fmin, fmax, 1.0, sfreq).tolist()
    if selection.strip():
        selector = ManualSelector(selection=selection, ch_names=rows, freqs=freqs)
    else:
        cands = _candidates(channels, ch_names)
        if cands and feature == "psd+connectivity":  # a plain channel name stands for its PSD and connectivity rows
            cands = [r for c in cands for r in ([c] if ":" in c else [f"psd:{c}", f"{connectivity_method}:{c}"])]
        n_cands = len(cands) if cands else len(rows)
        selector = AutoFeatSelector(n_features=min(n_features, n_cands) if n_cands else n_features, ch_names=rows,
                                    freqs=freqs, channels=cands)
    return Pipeline([("features", extractor), ("select", selector), ("scale", StandardScaler()),
                     ("clf", make_classifier(classifier))])


def make_erp_ts(sfreq: float, ch_names: list[str], classes: list[str], erp_band: str = "1-4",
                bands: str = "8-32", n_xdawn: int = 4, cov_estimator: str = "oas", classifier: str = "lda",
                channels: str = "", rhythm: str = "ts", n_csp: int = 6) -> Pipeline:
    """Slow potentials + rhythms: Xdawn covariances of the low band (movement-related potentials)
    and covariances of the mu/beta band(s), each mapped to the tangent space (``rhythm="csp"``: CSP
    log-variances instead), concatenated, scaled, then a classifier (shrinkage LDA: Ledoit-Wolf, no tuning)."""
    from pyriemann.estimation import XdawnCovariances
    from sklearn.pipeline import FeatureUnion

    from bcigui.core.features.riemann import TangentSpace

    erp = Pipeline([("xdawn", XdawnCovariances(nfilter=n_xdawn, estimator=cov_estimator)),
                    ("ts", TangentSpace(metric=_TS_METRIC))])
    if rhythm == "ts":
        rhythm_est = Pipeline([("cov", _cov(cov_estimator)), ("ts", TangentSpace(metric=_TS_METRIC))])
    elif rhythm == "csp":
        from pyriemann.spatialfilters import CSP

        rhythm_est = Pipeline([("cov", _cov(cov_estimator)), ("csp", CSP(nfilter=n_csp, log=True))])
    else:
        raise invalid_option("rhythm", rhythm, ["ts", "csp"])
    union = FeatureUnion([("erp", FilterBank(erp, tuple(parse_bands(erp_band, nyquist=sfreq / 2, name="erp_band")), sfreq)),
                          ("rhythm", FilterBank(rhythm_est, tuple(parse_bands(bands, nyquist=sfreq / 2)), sfreq))])
    return Pipeline([*_picker(channels, ch_names), ("features", union), ("scale", StandardScaler()),
                     ("clf", make_classifier(classifier))])

"""Feature selection on ``(n_epochs, n_channels, n_freqs)`` tensors (PSD or connectivity).

:class:`AutoFeatSelector` is HappyFeat's *AutoFeat*: within a channel subset and a band, take the
``n_features`` channels whose best |r²| is highest, each at its best frequency. It is fitted on the
training data only, so inside a pipeline every CV fold repeats the selection.
:class:`ManualSelector` extracts a fixed list such as ``"C3;12, C4;8:12"`` (channel;Hz or
channel;lo:hi band mean, in Hz).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

from bcigui.core.checks import invalid_option
from bcigui.core.features._base import default_names, fmt_freq, not_fitted
from bcigui.core.features.discriminability import fisher_score, signed_r2

SCORES = ("r2", "fisher")


def _check_tensor(F: np.ndarray, n_rows: int | None = None, n_freqs: int | None = None) -> np.ndarray:
    F = np.asarray(F, dtype=np.float64)
    if F.ndim != 3:
        raise ValueError(f"Expected a feature tensor (n_epochs, n_channels, n_freqs), got shape {F.shape}")
    if n_rows is not None and F.shape[1:] != (n_rows, n_freqs):
        raise ValueError(f"Feature tensor must be (n_epochs, {n_rows}, {n_freqs}) as when fitted, got {F.shape}")
    if not np.all(np.isfinite(F)):
        raise ValueError("Feature tensor contains NaN or infinite values")
    return F


def _freqs(freqs, n: int) -> np.ndarray:
    if freqs is None:
        return np.arange(n, dtype=float)
    f = np.asarray(freqs, dtype=float)
    if f.shape != (n,):
        raise ValueError(f"Parameter 'freqs' has {f.size} values but the tensor has {n} frequencies")
    return f


def parse_selection(text: str) -> list[tuple[str, float, float | None]]:
    """``"C3;12, C4;8:12"`` -> ``[("C3", 12.0, None), ("C4", 8.0, 12.0)]``."""
    out = []
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item:
            continue
        ch, sep, freq = item.partition(";")
        lo, colon, hi = freq.replace("-", ":").partition(":")
        try:
            out.append((ch.strip(), float(lo), float(hi) if colon else None))
        except ValueError:
            raise ValueError(
                f"Parameter 'selection' expects items 'channel;Hz' or 'channel;lo:hi' (e.g. 'C3;12, C4;8:12'), got {item!r}"
            ) from None
        if not ch.strip() or not sep:
            raise ValueError(f"Parameter 'selection' item {item!r} must be 'channel;Hz'")
    if not out:
        raise ValueError(f"Parameter 'selection' must list at least one feature like 'C3;12', got {text!r}")
    return out


class AutoFeatSelector(TransformerMixin, BaseEstimator):
    """Top ``n_features`` channels by best |score| in ``fmin..fmax`` Hz, each at its best frequency.

    ``ch_names``/``freqs`` describe the tensor's axes (``freqs_`` and ``channel_names_`` of the
    extractor); ``channels`` optionally restricts the candidates (e.g. ``["C3", "C4", "CP3"]``).
    ``score`` is ``"r2"`` (max |signed r²| over one-vs-rest) or ``"fisher"``.
    """

    def __init__(
        self,
        n_features: int = 5,
        ch_names: list[str] | None = None,
        freqs: list[float] | None = None,
        channels: list[str] | None = None,
        fmin: float | None = None,
        fmax: float | None = None,
        score: str = "r2",
    ) -> None:
        self.n_features = n_features
        self.ch_names = ch_names
        self.freqs = freqs
        self.channels = channels
        self.fmin = fmin
        self.fmax = fmax
        self.score = score

    def fit(self, F: np.ndarray, y: np.ndarray) -> AutoFeatSelector:
        F = _check_tensor(F)
        names = default_names(self.ch_names, F.shape[1])
        freqs = _freqs(self.freqs, F.shape[2])
        if self.score not in SCORES:
            raise invalid_option("Parameter 'score'", self.score, list(SCORES))
        if self.score == "r2":
            s = np.abs(signed_r2(F, y))
            s = s if s.ndim == 2 else s.max(axis=0)
        else:
            s = fisher_score(F, y)
        rows = np.arange(F.shape[1])
        if self.channels is not None:
            unknown = [c for c in self.channels if c not in names]
            if unknown:
                raise ValueError(f"Parameter 'channels' names unknown channels {unknown}; available: {names}")
            rows = np.array([names.index(c) for c in self.channels], dtype=int)
        lo = -np.inf if self.fmin is None else self.fmin
        hi = np.inf if self.fmax is None else self.fmax
        cols = np.flatnonzero((freqs >= lo) & (freqs <= hi))
        if cols.size == 0:
            raise ValueError(f"No frequency in fmin..fmax ({self.fmin}..{self.fmax} Hz); tensor covers {freqs[0]:g}..{freqs[-1]:g} Hz")
        if not 1 <= self.n_features <= rows.size:
            raise ValueError(f"Parameter 'n_features' must be between 1 and {rows.size} (candidate channels), got {self.n_features}")
        sub = s[np.ix_(rows, cols)]
        best_col = sub.argmax(axis=1)
        best = sub[np.arange(len(rows)), best_col]
        order = np.argsort(-best, kind="stable")[: self.n_features]
        self.rows_ = rows[order]
        self.cols_ = cols[best_col[order]]
        self.scores_ = s
        self.selected_scores_ = best[order]
        self.shape_ = F.shape[1:]
        self.feature_names_ = np.array(
            [f"{names[r]};{fmt_freq(freqs[c])}" for r, c in zip(self.rows_, self.cols_, strict=True)], dtype=object
        )
        return self

    def transform(self, F: np.ndarray) -> np.ndarray:
        if not hasattr(self, "rows_"):
            raise not_fitted(self)
        F = _check_tensor(F, *self.shape_)
        return F[:, self.rows_, self.cols_]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return self.feature_names_


class ManualSelector(TransformerMixin, BaseEstimator):
    """Fixed features ``"C3;12, C4;8:12"`` from a tensor (a band item is the mean over its bins)."""

    def __init__(self, selection: str = "", ch_names: list[str] | None = None, freqs: list[float] | None = None) -> None:
        self.selection = selection
        self.ch_names = ch_names
        self.freqs = freqs

    def fit(self, F: np.ndarray, y: np.ndarray | None = None) -> ManualSelector:
        F = _check_tensor(F)
        names = default_names(self.ch_names, F.shape[1])
        freqs = _freqs(self.freqs, F.shape[2])
        self.items_ = []
        out_names = []
        for ch, lo, hi in parse_selection(self.selection):
            if ch not in names:
                raise ValueError(f"Parameter 'selection': unknown channel {ch!r}; available: {names}")
            if hi is None:
                cols = np.flatnonzero(np.isclose(freqs, lo))
                if cols.size == 0:
                    raise ValueError(f"Parameter 'selection': {lo:g} Hz is not on the frequency grid {freqs.tolist()}")
                out_names.append(f"{ch};{fmt_freq(lo)}")
            else:
                cols = np.flatnonzero((freqs >= lo) & (freqs <= hi))
                if cols.size == 0:
                    raise ValueError(f"Parameter 'selection': no frequency of the grid in {lo:g}:{hi:g} Hz")
                out_names.append(f"{ch};{lo:g}:{hi:g}")
            self.items_.append((names.index(ch), cols))
        self.shape_ = F.shape[1:]
        self.feature_names_ = np.array(out_names, dtype=object)
        return self

    def transform(self, F: np.ndarray) -> np.ndarray:
        if not hasattr(self, "items_"):
            raise not_fitted(self)
        F = _check_tensor(F, *self.shape_)
        return np.stack([F[:, r, cols].mean(axis=1) for r, cols in self.items_], axis=1)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return self.feature_names_


class SelectedTensorFeatures(TransformerMixin, BaseEstimator):
    """A tensor feature extractor followed by a selector that learns its rows and frequencies from it:
    any ``(epochs, rows, freqs)`` extractor with ``channel_names_`` and ``freqs_`` (a third-party
    feature plugin) feeds :class:`AutoFeatSelector` or :class:`ManualSelector`, both fitted inside
    the training folds like the rest of the pipeline."""

    def __init__(self, extractor: BaseEstimator, selector: BaseEstimator) -> None:
        self.extractor = extractor
        self.selector = selector

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> SelectedTensorFeatures:
        self.extractor_ = clone(self.extractor).fit(X, y)
        F = self.extractor_.transform(X)
        rows = getattr(self.extractor_, "channel_names_", None)
        freqs = getattr(self.extractor_, "freqs_", None)
        if F.ndim != 3 or rows is None or freqs is None:
            raise ValueError(f"{type(self.extractor).__name__} must give an (epochs, rows, freqs) tensor and set "
                             f"channel_names_ and freqs_ when fitted, got output of shape {F.shape}")
        self.selector_ = clone(self.selector).set_params(ch_names=list(rows), freqs=[float(f) for f in freqs])
        self.selector_.fit(F, y)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "selector_"):
            raise not_fitted(self)
        return self.selector_.transform(self.extractor_.transform(X))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return self.selector_.get_feature_names_out()

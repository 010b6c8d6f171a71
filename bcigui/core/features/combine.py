"""Combine several feature extractors (e.g. PSD and connectivity) into one named feature set."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.metaestimators import _BaseComposition


class CombinedFeatures(TransformerMixin, _BaseComposition):
    """Concatenate the flat outputs of named transformers: ``[("psd", PSDFeatures(...)), ...]``.

    Feature names are ``"<name>:<feature>"`` (e.g. ``"psd:C3;12.0"``, ``"imcoh:C3;12.0"``), so the
    same channel/frequency from different extractors can be compared side by side.
    ``transformer_slices_`` gives each part's columns.
    """

    def __init__(self, transformers: list[tuple[str, BaseEstimator]]) -> None:
        self.transformers = transformers

    def _check(self) -> None:
        names = [name for name, _ in self.transformers]
        if not self.transformers or len(set(names)) != len(names) or any(":" in n for n in names):
            raise ValueError(
                f"Parameter 'transformers' must be a non-empty list of (unique name without ':', transformer), got names {names}"
            )

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> CombinedFeatures:
        self._check()
        self.transformers_, self.transformer_slices_ = [], {}
        start = 0
        for name, est in self.transformers:
            fitted = clone(est).fit(X, y)
            n = fitted.transform(X[:1]).reshape(1, -1).shape[1]
            self.transformers_.append((name, fitted))
            self.transformer_slices_[name] = slice(start, start + n)
            start += n
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "transformers_"):
            raise RuntimeError("CombinedFeatures is not fitted: call fit() first")
        return np.hstack([est.transform(X).reshape(len(X), -1) for _, est in self.transformers_])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        out = []
        for name, est in self.transformers_:
            out.extend(f"{name}:{f}" for f in est.get_feature_names_out())
        return np.array(out, dtype=object)

    def get_params(self, deep: bool = True) -> dict:
        return self._get_params("transformers", deep=deep)

    def set_params(self, **params) -> CombinedFeatures:
        """Set parameters, including nested ones such as ``psd__fmax``."""
        self._set_params("transformers", **params)
        return self


def concat_tensors(tensors: dict[str, np.ndarray]) -> np.ndarray:
    """Stack ``(n_epochs, n_rows, n_freqs)`` tensors of several extractors along the row axis."""
    arrays = list(tensors.values())
    shapes = {(a.shape[0], a.shape[2]) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"tensors must share n_epochs and n_freqs, got shapes { {k: v.shape for k, v in tensors.items()} }")
    return np.concatenate(arrays, axis=1)

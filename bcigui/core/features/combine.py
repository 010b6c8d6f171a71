"""Combine several feature extractors (e.g. PSD and connectivity) into one named feature set."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.metaestimators import _BaseComposition

from bcigui.core.checks import invalid_option
from bcigui.core.features._base import fmt_freq, not_fitted, tensor_names


class CombinedFeatures(TransformerMixin, _BaseComposition):  # private sklearn base, as Pipeline uses;
    # its nested get/set_params are pinned by test_combined_features_names_and_params
    """Concatenate the outputs of named transformers: ``[("psd", PSDFeatures(...)), ...]``.

    Feature names are ``"<name>:<feature>"`` (e.g. ``"psd:C3;12.0"``, ``"imcoh:C3;12.0"``), so the
    same channel/frequency from different extractors can be compared side by side.

    ``output="flat"`` concatenates the flat features; ``transformer_slices_`` gives each part's
    columns. ``output="tensor"`` stacks ``(n_epochs, n_rows, n_freqs)`` tensors of extractors on one
    frequency grid along the row axis (each part is set to ``output="tensor"``): rows are named
    ``"<name>:<row>"`` (``channel_names_``, e.g. ``"psd:C3"``, ``"imcoh:C3"``), ``freqs_`` is the
    shared grid in Hz, and ``transformer_slices_`` gives each part's rows, so the row-addressed
    selectors (:class:`~bcigui.core.features.selection.ManualSelector` with ``"psd:C3;12"``) work on it.
    """

    def __init__(self, transformers: list[tuple[str, BaseEstimator]], output: str = "flat") -> None:
        self.transformers = transformers
        self.output = output

    def _check(self) -> None:
        names = [name for name, _ in self.transformers]
        if not self.transformers or len(set(names)) != len(names) or any(":" in n for n in names):
            raise ValueError(
                f"Parameter 'transformers' must be a non-empty list of (unique name without ':', transformer), got names {names}"
            )

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> CombinedFeatures:
        self._check()
        if self.output not in ("flat", "tensor"):
            raise invalid_option("Parameter 'output'", self.output, ["flat", "tensor"])
        if self.output == "tensor":
            return self._fit_tensor(X, y)
        self.transformers_, self.transformer_slices_ = [], {}
        start = 0
        for name, est in self.transformers:
            fitted = clone(est).fit(X, y)
            n = fitted.transform(X[:1]).reshape(1, -1).shape[1]
            self.transformers_.append((name, fitted))
            self.transformer_slices_[name] = slice(start, start + n)
            start += n
        return self

    def _fit_tensor(self, X: np.ndarray, y: np.ndarray | None) -> CombinedFeatures:
        self.transformers_, self.transformer_slices_, self.channel_names_ = [], {}, []
        freqs = None
        for name, est in self.transformers:
            est = clone(est)
            if "output" not in est.get_params():
                raise ValueError(f"output='tensor' needs tensor extractors (with an 'output' parameter); "
                                 f"{name!r} is a {type(est).__name__}")
            fitted = est.set_params(output="tensor").fit(X, y)
            rows, f = list(fitted.channel_names_), np.asarray(fitted.freqs_, dtype=float)
            if freqs is not None and (f.shape != freqs.shape or not np.allclose(f, freqs)):
                raise ValueError(f"output='tensor' needs one frequency grid for all parts; {name!r} has "
                                 f"{f.tolist()} Hz, the first part {freqs.tolist()} Hz")
            freqs = f
            start = len(self.channel_names_)
            self.channel_names_.extend(f"{name}:{r}" for r in rows)
            self.transformers_.append((name, fitted))
            self.transformer_slices_[name] = slice(start, len(self.channel_names_))
        self.freqs_ = freqs
        first = self.transformers_[0][1]
        self.columns_ = list(getattr(first, "columns_", None) or [fmt_freq(v) for v in freqs])
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "transformers_"):
            raise not_fitted(self)
        if self.output == "tensor":
            return concat_tensors({name: est.transform(X) for name, est in self.transformers_})
        return np.hstack([est.transform(X).reshape(len(X), -1) for _, est in self.transformers_])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        if self.output == "tensor":
            return tensor_names(self.channel_names_, self.columns_)
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

"""The decoders' own estimators follow the scikit-learn conventions the feature extractors follow."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from bcigui.core.decoders.pipelines import FilterBank, PickChannels
from bcigui.core.decoders.ssvep import CCA, TRCA, FilterBankStack, SSVEPFeatures
from bcigui.core.decoders.transfer import EuclideanAligned
from bcigui.core.features.spatial import CSPFeatures
from tests.conftest import fit_by_convention

SF = 256.0
NAMES = ("O1", "Oz", "O2", "Pz")


def _ssvep_epochs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    t = np.arange(int(SF)) / SF
    y = np.repeat(["13", "17"], 12)
    X = rng.standard_normal((24, 4, len(t)))
    for i, f in enumerate(y):
        X[i, :3] += 2 * np.sin(2 * np.pi * float(f) * t + rng.uniform(0, 2 * np.pi))
    return X, y


ESTIMATORS = [
    PickChannels(NAMES, ("Oz", "Pz")),
    FilterBank(CSPFeatures(2), ((8.0, 12.0), (12.0, 30.0)), SF),
    FilterBankStack(SF),
    SSVEPFeatures(SF),
    CCA(SF),
    TRCA(SF, n_bands=1),
    EuclideanAligned(make_pipeline(CSPFeatures(2), LinearDiscriminantAnalysis())),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sklearn_conventions(est):
    X, y = _ssvep_epochs()
    c = fit_by_convention(est, X, y)
    out = c.decision_function if hasattr(c, "decision_function") else c.transform
    F = out(X)
    assert len(F) == 24 and np.all(np.isfinite(F))
    again = clone(est).fit(X, y)
    np.testing.assert_allclose(again.decision_function(X) if hasattr(again, "decision_function")
                               else again.transform(X), F)  # deterministic
    with pytest.raises(ValueError, match="channels|shape"):
        out(X[:, :3])
    unfitted = clone(est)
    with pytest.raises(NotFittedError, match="not fitted"):
        (unfitted.decision_function if hasattr(unfitted, "decision_function") else unfitted.transform)(X)

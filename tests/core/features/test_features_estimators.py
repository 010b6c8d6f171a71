"""scikit-learn conventions of every extractor, CSP/FBCSP/tangent space on PhysioNet, combination, plugins."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from features_testdata import SENSORIMOTOR, physionet
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_get_params_invariance, check_set_params

from bcigui.core.features.combine import CombinedFeatures, concat_tensors
from bcigui.core.features.connectivity import ConnectivityFeatures
from bcigui.core.features.plugins import PLUGINS
from bcigui.core.features.psd import PSDFeatures
from bcigui.core.features.riemann import TangentSpaceFeatures
from bcigui.core.features.selection import AutoFeatSelector, ManualSelector
from bcigui.core.features.spatial import CSPFeatures, FilterBankCSP
from bcigui.core.plugins.registry import Registry
from tests.conftest import fit_by_convention

SF = 160.0


def _epochs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 6, 320))
    y = np.repeat(["a", "b"], 12)
    X[y == "a", 0] *= 2.0
    return X, y


ESTIMATORS = [
    PSDFeatures(SF),
    PSDFeatures(SF, "burg", bands="8-12,12-30"),
    ConnectivityFeatures(SF, fmax=30),
    CSPFeatures(2),
    FilterBankCSP(SF, "8-12,12-30", n_components=2, n_bands_select=1),
    TangentSpaceFeatures(),
    CombinedFeatures([("psd", PSDFeatures(SF, fmax=20)), ("ts", TangentSpaceFeatures())]),
]


@pytest.mark.parametrize("est", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sklearn_conventions(est):
    X, y = _epochs()
    c = fit_by_convention(est, X, y)
    F = c.transform(X)
    assert F.shape == (24, len(c.get_feature_names_out())) and np.all(np.isfinite(F))
    np.testing.assert_allclose(clone(est).fit(X, y).transform(X), F)  # deterministic
    with pytest.raises(ValueError, match="channels|shape"):
        c.transform(X[:, :4])
    with pytest.raises(RuntimeError, match="not fitted"):
        clone(est).transform(X)


def test_selectors_conventions():
    for est in (AutoFeatSelector(2), ManualSelector("ch0;1")):
        check_get_params_invariance(type(est).__name__, est)
        check_set_params(type(est).__name__, est)
        F = np.random.default_rng(0).standard_normal((10, 3, 4))
        c = clone(est)
        assert c.fit(F, np.repeat([0, 1], 5)) is c


def test_csp_fbcsp_tangent_space_on_physionet(shared_data):
    ep = physionet((6, 10, 14), ("hands", "feet"))
    ep = replace(ep, X=ep.X[:, [i for i, c in enumerate(ep.ch_names) if c in SENSORIMOTOR]])  # 21 channels
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    for est, clf in [(CSPFeatures(4), LinearDiscriminantAnalysis()),
                     (FilterBankCSP(ep.sfreq, "8-12,12-16,16-24,24-30", n_bands_select=2), LinearDiscriminantAnalysis()),
                     (TangentSpaceFeatures(), LogisticRegression(max_iter=500))]:
        acc = cross_val_score(make_pipeline(est, clf), ep.X, ep.y, cv=cv).mean()
        assert acc > 0.75, (type(est).__name__, acc)
    fb = FilterBankCSP(ep.sfreq, "8-12,12-16,16-24,24-30", n_bands_select=2).fit(ep.X, ep.y)
    assert len(fb.selected_bands_) == 2 and fb.transform(ep.X).shape == (len(ep.y), 8)
    assert fb.band_scores_.shape == (4,)


def test_combined_features_names_and_params():
    X, y = _epochs()
    comb = CombinedFeatures([("psd", PSDFeatures(SF, fmin=8, fmax=12)),
                             ("imcoh", ConnectivityFeatures(SF, fmin=8, fmax=12))]).fit(X)
    names = comb.get_feature_names_out()
    assert names[0] == "psd:ch0;8.0" and names[30] == "imcoh:ch0;8.0" and len(names) == 60
    assert comb.transformer_slices_["imcoh"] == slice(30, 60)
    F = comb.transform(X)
    np.testing.assert_allclose(F[:, :30], PSDFeatures(SF, fmin=8, fmax=12).fit(X).transform(X))
    comb.set_params(psd__fmax=10)
    assert comb.get_params()["psd__fmax"] == 10 and comb.fit(X).transform(X).shape == (24, 18 + 30)
    with pytest.raises(ValueError, match="unique name"):
        CombinedFeatures([("a", PSDFeatures(SF)), ("a", PSDFeatures(SF))]).fit(X)
    T = concat_tensors({"psd": np.zeros((3, 4, 5)), "coh": np.ones((3, 4, 5))})
    assert T.shape == (3, 8, 5)
    with pytest.raises(ValueError, match="share n_epochs"):
        concat_tensors({"psd": np.zeros((3, 4, 5)), "coh": np.ones((3, 4, 6))})


def test_plugins_declare_valid_feature_specs():
    reg = Registry()
    reg.register_many(PLUGINS, "test")
    assert not reg.failures
    X, y = _epochs()
    for spec in reg.list("feature"):
        est = spec.create(**({"sfreq": SF} if any(p.name == "sfreq" for p in spec.params) else {}))
        assert {p.name for p in spec.params} <= set(est.get_params())
        assert est.fit(X, y).transform(X).shape[0] == len(X)
    assert {s.name for s in reg.list("feature")} >= {"psd", "band_power", "connectivity", "csp", "fbcsp", "tangent_space"}
    with pytest.raises(ValueError, match="method.*must be one of"):
        reg.get("feature", "psd").create(method="fft")

"""bcigui's Covariances / TangentSpace give pyriemann's results, survive a model file, and refuse bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyriemann import estimation, tangentspace
from sklearn.base import clone

from bcigui.core.decoders.pipelines import make_fbts, make_ts
from bcigui.core.features.riemann import Covariances, TangentSpace
from bcigui.core.model_file import load_model, save_model


def _signals(n: int = 30, n_ch: int = 8, n_times: int = 400, offset: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    mixing = rng.standard_normal((n_ch, n_ch))
    return np.einsum("ij,njt->nit", mixing, rng.standard_normal((n, n_ch, n_times))) + offset


@pytest.mark.parametrize("offset", [0.0, 50.0])  # a DC offset (unfiltered EEG) must not cost precision
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_oas_covariances_equal_pyriemann(offset: float, dtype: type) -> None:
    X = _signals(offset=offset).astype(dtype)
    ours = Covariances("oas").transform(X)
    ref = estimation.Covariances("oas").transform(X.astype(np.float64))
    assert ours.shape == (30, 8, 8) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-12 * np.abs(ref).max())


@pytest.mark.parametrize("estimator", ["lwf", "scm"])
def test_other_estimators_are_pyriemann_s(estimator: str) -> None:
    X = _signals()
    np.testing.assert_array_equal(Covariances(estimator).transform(X), estimation.Covariances(estimator).transform(X))


@pytest.mark.parametrize("metric", [
    {"mean": "logeuclid", "map": "riemann"},  # the bcigui pipelines' metric: cached whitening
    "riemann",  # cached whitening
    "logeuclid",  # pyriemann's own transform
])
def test_tangent_space_equals_pyriemann(metric: dict | str) -> None:
    C = estimation.Covariances("oas").transform(_signals())
    fit, new = C[:20], C[20:]
    ours = TangentSpace(metric=metric).fit(fit)
    ref = tangentspace.TangentSpace(metric=metric).fit(fit)
    np.testing.assert_allclose(ours.transform(new), ref.transform(new), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(TangentSpace(metric=metric).fit_transform(fit), ref.transform(fit), rtol=1e-10, atol=1e-12)
    assert (ours.whitening_ is None) == (metric == "logeuclid")


def test_tsupdate_recentres_each_batch_like_pyriemann() -> None:
    C = estimation.Covariances("oas").transform(_signals())
    ours = TangentSpace(tsupdate=True).fit(C[:20])
    ref = tangentspace.TangentSpace(tsupdate=True).fit(C[:20])
    assert ours.whitening_ is None
    np.testing.assert_allclose(ours.transform(C[20:]), ref.transform(C[20:]), rtol=1e-10, atol=1e-12)


def test_tangent_space_refuses_matrices_of_another_size() -> None:
    C = estimation.Covariances("oas").transform(_signals())
    ts = TangentSpace().fit(C)
    with pytest.raises(ValueError, match=r"\(\.\.\., 8, 8\).*\(30, 6, 6\)"):
        ts.transform(C[:, :6, :6])


def test_clone_keeps_parameters_only() -> None:
    ts = TangentSpace(metric="riemann").fit(estimation.Covariances("oas").transform(_signals()))
    copy = clone(ts)
    assert copy.get_params() == ts.get_params() and not hasattr(copy, "whitening_")


@pytest.mark.parametrize("factory", [make_ts, make_fbts])
def test_model_file_round_trip_keeps_the_whitening(factory, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    X = _signals(40, 4, 300)
    y = np.array(["a", "b"] * 20)
    X[y == "a", 0] *= 1.5 + 0.1 * rng.random()
    ch = ["C3", "Cz", "C4", "Pz"]
    pipe = factory(100.0, ch, ["a", "b"]).fit(X, y)
    manifest = {"paradigm": "mi", "classes": ["a", "b"], "ch_names": ch, "sfreq": 100.0, "tmin": 0.0,
                "tmax": 3.0, "filter": {}, "pipeline": {"name": factory.__name__}}
    save_model(tmp_path / "m.bcimodel", pipe, manifest)
    loaded = load_model(tmp_path / "m.bcimodel")
    assert "bcigui.core.features.riemann.TangentSpace" in loaded.manifest["types"]
    np.testing.assert_array_equal(loaded.pipeline.decision_function(X), pipe.decision_function(X))


def test_models_saved_with_pyriemann_s_classes_still_load(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = _signals(40, 4, 300)
    y = np.array(["a", "b"] * 20)
    X[y == "a", 0] *= 1.5
    pipe = make_pipeline(estimation.Covariances("oas"), tangentspace.TangentSpace(), LogisticRegression()).fit(X, y)
    manifest = {"paradigm": "mi", "classes": ["a", "b"], "ch_names": ["C3", "Cz", "C4", "Pz"], "sfreq": 100.0,
                "tmin": 0.0, "tmax": 3.0, "filter": {}, "pipeline": {"name": "ts_lr"}}
    save_model(tmp_path / "old.bcimodel", pipe, manifest)
    loaded = load_model(tmp_path / "old.bcimodel")
    assert "pyriemann.tangentspace.TangentSpace" in loaded.manifest["types"]
    np.testing.assert_array_equal(loaded.pipeline.predict_proba(X), pipe.predict_proba(X))

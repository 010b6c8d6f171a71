"""Every decoder plugin: builds, fits, predicts, survives the model file; no leakage under CV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from decoder_sim import mi_epochs, noise_epochs, ssvep_epochs
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold, cross_val_score

from bcigui.core.decoders.training import build_pipeline
from bcigui.core.model_file import load_model, save_model
from bcigui.core.plugins import get_registry
from bcigui.core.signal.filters import FilterSpec

SPECS = get_registry().list("decoder")
NAMES = [s.name for s in SPECS]
MI_NAMES = [f"C{i}" for i in range(8)]


def _small(spec) -> tuple[np.ndarray, np.ndarray, float]:
    if spec.tags["paradigm"] == "ssvep":
        X, y = ssvep_epochs(n_per_class=6, sfreq=128.0, seconds=1.5, snr=1.0, seed=7)
        return X, y, 128.0
    X, y = mi_epochs(n_per_class=12, seed=7)
    return X, y, 128.0


def test_all_expected_pipelines_are_registered() -> None:
    expected = {"erp_ts", "csp_lda", "fbcsp_svm", "ts_lr", "fbts", "mdm", "happyfeat",
                "cca", "fbcca", "trca", "etrca", "ssvep_ts_lr", "ssvep_features"}
    assert expected <= set(NAMES)
    for spec in SPECS:
        assert spec.tags["paradigm"] in ("mi", "ssvep") and spec.tags["tmax"] > spec.tags["tmin"]
        assert set(spec.tags["filter"]) <= {"l_freq", "h_freq", "notch", "order", "reference"}
        FilterSpec.from_dict(spec.tags["filter"])  # a valid causal filter


@pytest.mark.parametrize("name", NAMES)
def test_fit_predict_and_model_file_round_trip(name: str, tmp_path: Path) -> None:
    spec = get_registry().get("decoder", name)
    X, y, sf = _small(spec)
    ch = MI_NAMES if spec.tags["paradigm"] == "mi" else [f"O{i}" for i in range(8)]
    pipe, params = build_pipeline(spec, sf, ch, sorted(set(y)))
    pipe.fit(X, y)
    pred = pipe.predict(X)
    assert pred.shape == (len(y),) and set(pred) <= set(y)
    assert np.mean(pred == y) > 0.6  # learns the simulated effect (training accuracy)
    path = tmp_path / f"{name}.bcimodel"
    save_model(path, pipe, {"paradigm": spec.tags["paradigm"], "classes": sorted(set(y)), "ch_names": ch,
                            "sfreq": sf, "tmin": 0.0, "tmax": 1.5, "filter": None,
                            "pipeline": {"name": name, "params": params}})
    loaded = load_model(path).pipeline
    np.testing.assert_array_equal(loaded.predict(X), pred)


def test_classifier_catalog_round_trips(tmp_path: Path) -> None:
    spec = get_registry().get("decoder", "csp_lda")
    X, y = mi_epochs(n_per_class=12, seed=8)
    for clf in next(p for p in spec.params if p.name == "classifier").choices:
        pipe, _ = build_pipeline(spec, 128.0, MI_NAMES, ["left", "right"], {"classifier": clf, "n_components": "4"})
        pipe.fit(X, y)
        save_model(tmp_path / "m.bcimodel", pipe, {"paradigm": "mi", "classes": ["left", "right"], "ch_names": MI_NAMES,
                                                   "sfreq": 128.0, "tmin": 0, "tmax": 2, "filter": None, "pipeline": clf})
        np.testing.assert_array_equal(load_model(tmp_path / "m.bcimodel").pipeline.predict(X), pipe.predict(X))


def test_bad_parameters_are_named() -> None:
    spec = get_registry().get("decoder", "csp_lda")
    with pytest.raises(ValueError, match=r"'classifier' must be one of \[.*'lda'.*\], got 'xgboost'"):
        build_pipeline(spec, 128.0, MI_NAMES, ["a", "b"], {"classifier": "xgboost"})
    with pytest.raises(ValueError, match="bands"):
        build_pipeline(get_registry().get("decoder", "fbts"), 128.0, MI_NAMES, ["a", "b"], {"bands": "8-80"})


# -- leakage guard --------------------------------------------------------------------------------------

def _permuted_noise(paradigm: str) -> tuple[np.ndarray, np.ndarray]:
    X = noise_epochs(n=160, n_channels=8, n_t=192, seed=11)
    labels = ["13", "21"] if paradigm == "ssvep" else ["left", "right"]
    y = np.random.default_rng(12).permutation(np.repeat(labels, 80))
    return X, y


@pytest.mark.parametrize("name", NAMES)
def test_permuted_labels_score_at_chance(name: str) -> None:
    spec = get_registry().get("decoder", name)
    X, y = _permuted_noise(spec.tags["paradigm"])
    params = {"happyfeat": {"n_features": 3}, "fbcsp_svm": {"bands": "8-12,12-20,20-30"},
              "fbts": {"bands": "8-12,12-20,20-30"}}.get(name, {})  # fewer bands: same structure, faster
    pipe, _ = build_pipeline(spec, 128.0, MI_NAMES, sorted(set(y)), params)
    acc = cross_val_score(pipe, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=42)).mean()
    assert acc <= 0.6, f"{name}: {acc:.3f} on permuted labels"


def test_selection_outside_the_folds_would_be_caught() -> None:
    """Control: choosing features on all trials before CV inflates the score above the 0.6 bound."""
    X, y = _permuted_noise("mi")
    features = build_pipeline(get_registry().get("decoder", "happyfeat"), 128.0, MI_NAMES, ["left", "right"],
                              {"n_features": 3})[0][:2]  # PSD + r² selection
    leaky = features.fit(X, y).transform(X)  # selected on every trial, test folds included
    acc = cross_val_score(LinearDiscriminantAnalysis(), leaky, y, cv=StratifiedKFold(5, shuffle=True, random_state=42)).mean()
    assert acc > 0.6

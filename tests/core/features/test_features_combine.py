"""PSD + connectivity as one feature set: combined tensor, 'happyfeat' with feature='psd+connectivity'."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.decoders.evaluation import cross_validate
from bcigui.core.decoders.pipelines import make_happyfeat
from bcigui.core.features.combine import CombinedFeatures
from bcigui.core.features.connectivity import ConnectivityFeatures
from bcigui.core.features.psd import PSDFeatures
from bcigui.core.model_file import load_model, save_model
from bcigui.core.signal.filters import FilterSpec
from tests.conftest import physionet_file

PICKS = ["FC3", "FCz", "FC4", "C5", "C3", "C1", "Cz", "C2", "C4", "C6", "CP3", "CPz", "CP4"]


@pytest.fixture(scope="module")
def epochs(shared_data):
    recs = load_recordings([physionet_file(1, r) for r in (4, 8, 12)])
    return make_epochs(recs, {"T1": "left", "T2": "right"}, 0.5, 2.5, filter=FilterSpec(7.0, 30.0), picks=PICKS)


def test_combined_tensor_has_both_row_sets(epochs):
    psd = PSDFeatures(sfreq=epochs.sfreq, fmin=6, fmax=30, ch_names=PICKS)
    conn = ConnectivityFeatures(sfreq=epochs.sfreq, fmin=6, fmax=30, ch_names=PICKS)
    comb = CombinedFeatures([("psd", psd), ("imcoh", conn)], output="tensor").fit(epochs.X)
    T = comb.transform(epochs.X)
    n = len(PICKS)
    assert T.shape == (len(epochs), 2 * n, 25)
    assert comb.channel_names_[:2] == ["psd:FC3", "psd:FCz"] and comb.channel_names_[n] == "imcoh:FC3"
    np.testing.assert_allclose(comb.freqs_, np.arange(6.0, 31.0))
    # each part is exactly its own extractor's tensor (flat-mode parts were set to tensor output)
    np.testing.assert_allclose(T[:, comb.transformer_slices_["psd"]],
                               psd.set_params(output="tensor").fit(epochs.X).transform(epochs.X))
    np.testing.assert_allclose(T[:, comb.transformer_slices_["imcoh"]],
                               conn.set_params(output="tensor").fit(epochs.X).transform(epochs.X))
    names = comb.get_feature_names_out()
    assert names[0] == "psd:FC3;6.0" and names[n * 25] == "imcoh:FC3;6.0" and len(names) == 2 * n * 25
    # flat mode keeps the previous behaviour; mismatched grids are refused with the reason
    flat = CombinedFeatures([("psd", psd.set_params(output="flat")), ("imcoh", conn.set_params(output="flat"))])
    np.testing.assert_allclose(flat.fit(epochs.X).transform(epochs.X), T.reshape(len(T), -1))
    bad = CombinedFeatures([("psd", psd), ("imcoh", conn.set_params(fmax=20))], output="tensor")
    with pytest.raises(ValueError, match="one frequency grid"):
        bad.fit(epochs.X)


def test_happyfeat_psd_plus_connectivity_cv_and_model_file(epochs, tmp_path):
    pipe = make_happyfeat(epochs.sfreq, PICKS, epochs.classes, feature="psd+connectivity", fmin=6.0, fmax=30.0,
                          n_features=4, channels="C3,C4,Cz")
    rep = cross_validate(pipe, epochs.X, epochs.y, cv=3, runs=epochs.runs, classes=epochs.classes)
    assert len(rep["folds"]) == 3 and rep["n_trials"] == len(epochs)
    assert 0.0 <= rep["accuracy"] <= 1.0 and np.sum(rep["confusion_matrix"]) == len(epochs)
    fitted = pipe.fit(epochs.X, epochs.y)
    chosen = list(fitted.named_steps["select"].get_feature_names_out())
    assert len(chosen) == 4 and all(c.split(":")[0] in ("psd", "imcoh") for c in chosen)
    assert all(c.split(":")[1].split(";")[0] in ("C3", "C4", "Cz") for c in chosen)

    manual = make_happyfeat(epochs.sfreq, PICKS, epochs.classes, feature="psd+connectivity", fmin=6.0,
                            fmax=30.0, selection="psd:C3;12, imcoh:C4;10:12, psd:C4;11").fit(epochs.X, epochs.y)
    assert list(manual.named_steps["select"].get_feature_names_out()) == ["psd:C3;12.0", "imcoh:C4;10:12",
                                                                          "psd:C4;11.0"]
    path = tmp_path / "combined.bcimodel"
    save_model(path, manual, {"paradigm": "mi", "classes": list(epochs.classes), "ch_names": PICKS,
                              "sfreq": epochs.sfreq, "tmin": 0.5, "tmax": 2.5, "filter": None,
                              "pipeline": {"name": "happyfeat", "params": {"feature": "psd+connectivity"}}})
    loaded = load_model(path).pipeline
    np.testing.assert_array_equal(loaded.predict(epochs.X), manual.predict(epochs.X))
    np.testing.assert_allclose(loaded.decision_function(epochs.X), manual.decision_function(epochs.X))
    with pytest.raises(ValueError, match="unknown channel 'C3'"):  # rows of a combined set carry their prefix
        make_happyfeat(epochs.sfreq, PICKS, epochs.classes, feature="psd+connectivity", fmin=6.0, fmax=30.0,
                       selection="C3;12").fit(epochs.X, epochs.y)
    with pytest.raises(ValueError, match="feature must be one of"):
        make_happyfeat(epochs.sfreq, PICKS, epochs.classes, feature="psd+erp")

"""AutoFeat and manual selection; the selector is fitted inside each CV fold (no leakage)."""

from __future__ import annotations

import numpy as np
import pytest
from features_testdata import SENSORIMOTOR, physionet
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from bcigui.core.features.psd import PSDFeatures
from bcigui.core.features.selection import AutoFeatSelector, ManualSelector, parse_selection

CH = [f"ch{i}" for i in range(20)]
FREQS = list(np.arange(1.0, 41.0))


def _tensor(n: int = 80, seed: int = 0):
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, 20, 40))
    y = np.repeat(["a", "b"], n // 2)
    F[y == "a", 3, 11] += 1.5  # ch3 at 12 Hz
    F[y == "a", 7, 24] -= 1.2  # ch7 at 25 Hz
    F[y == "a", 15, 2] += 2.0  # ch15 at 3 Hz (outside the band used below)
    return F, y


def test_autofeat_finds_planted_features_in_band_and_subset():
    F, y = _tensor()
    sel = AutoFeatSelector(2, CH, FREQS, fmin=8, fmax=30).fit(F, y)
    assert list(sel.get_feature_names_out()) == ["ch3;12.0", "ch7;25.0"]
    np.testing.assert_array_equal(sel.transform(F), F[:, [3, 7], [11, 24]])
    assert list(AutoFeatSelector(1, CH, FREQS).fit(F, y).get_feature_names_out()) == ["ch15;3.0"]
    sub = AutoFeatSelector(1, CH, FREQS, channels=["ch7", "ch9"], fmin=8, fmax=30).fit(F, y)
    assert list(sub.get_feature_names_out()) == ["ch7;25.0"]
    fisher = AutoFeatSelector(2, CH, FREQS, fmin=8, fmax=30, score="fisher").fit(F, y)
    assert set(fisher.get_feature_names_out()) == {"ch3;12.0", "ch7;25.0"}


def test_selection_uses_training_data_only():
    F, y = _tensor()
    rng = np.random.default_rng(5)
    a = AutoFeatSelector(3, CH, FREQS).fit(F, y).get_feature_names_out()
    b = AutoFeatSelector(3, CH, FREQS).fit(F, rng.permutation(y)).get_feature_names_out()
    assert set(a) != set(b)
    # pure noise with random labels: selecting inside each fold keeps CV accuracy at chance
    noise = rng.standard_normal((80, 64, 40))
    labels = rng.permutation(np.repeat(["a", "b"], 40))
    pipe = make_pipeline(AutoFeatSelector(10), LinearDiscriminantAnalysis())
    acc = cross_val_score(pipe, noise, labels, cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert acc <= 0.6
    # ...whereas selecting on all data first (the leak the pipeline avoids) inflates it
    leaked = AutoFeatSelector(10).fit(noise, labels).transform(noise)
    leak_acc = cross_val_score(LinearDiscriminantAnalysis(), leaked, labels,
                               cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert leak_acc > acc + 0.1


def test_psd_autofeat_lda_pipeline_on_physionet(shared_data):
    ep = physionet((6, 10, 14), ("hands", "feet"))
    psd = PSDFeatures(ep.sfreq, "burg", fmin=8, fmax=30, output="tensor", ch_names=ep.ch_names)
    freqs = list(np.arange(8.0, 31.0))
    pipe = make_pipeline(psd, AutoFeatSelector(6, ep.ch_names, freqs), LinearDiscriminantAnalysis())
    acc = cross_val_score(pipe, ep.X, ep.y, cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    assert acc > 0.75
    fitted = clone(pipe).fit(ep.X, ep.y)
    names = fitted[1].get_feature_names_out()
    assert sum(n.split(";")[0] in SENSORIMOTOR for n in names) >= 4


def test_manual_selector():
    F, _ = _tensor()
    sel = ManualSelector("ch3;12, ch7;24:26", CH, FREQS).fit(F)
    out = sel.transform(F)
    np.testing.assert_allclose(out[:, 0], F[:, 3, 11])
    np.testing.assert_allclose(out[:, 1], F[:, 7, 23:26].mean(axis=1))
    assert list(sel.get_feature_names_out()) == ["ch3;12.0", "ch7;24:26"]
    assert parse_selection("C3;12, C4;8-12") == [("C3", 12.0, None), ("C4", 8.0, 12.0)]
    with pytest.raises(ValueError, match="unknown channel 'Cz'"):
        ManualSelector("Cz;10", CH, FREQS).fit(F)
    with pytest.raises(ValueError, match="12.5 Hz is not on the frequency grid"):
        ManualSelector("ch1;12.5", CH, FREQS).fit(F)
    with pytest.raises(ValueError, match="channel;Hz"):
        ManualSelector("ch1;abc", CH, FREQS).fit(F)


def test_selector_errors():
    F, y = _tensor()
    with pytest.raises(ValueError, match="n_features.*between 1 and 2"):
        AutoFeatSelector(3, CH, FREQS, channels=["ch1", "ch2"]).fit(F, y)
    with pytest.raises(ValueError, match="unknown channels"):
        AutoFeatSelector(1, CH, FREQS, channels=["C3"]).fit(F, y)
    with pytest.raises(ValueError, match="freqs"):
        AutoFeatSelector(1, CH, FREQS[:10]).fit(F, y)
    sel = AutoFeatSelector(2, CH, FREQS).fit(F, y)
    with pytest.raises(ValueError, match=r"\(n_epochs, 20, 40\)"):
        sel.transform(F[:, :10])

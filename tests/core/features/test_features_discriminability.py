"""Signed r², Fisher score, topomap values and ERD/ERS maps; r² maps on PhysioNet motor imagery."""

from __future__ import annotations

import numpy as np
import pytest
from features_testdata import SENSORIMOTOR, physionet
from scipy import stats

from bcigui.core.features.discriminability import erd_ers_map, fisher_score, signed_r2, topomap_values
from bcigui.core.features.psd import PSDFeatures


def test_signed_r2_matches_point_biserial_correlation():
    rng = np.random.default_rng(0)
    F = rng.standard_normal((60, 4, 5))
    y = np.array(["a"] * 25 + ["b"] * 35)
    F[y == "a", 1, 2] += 1.0  # class a larger here
    F[y == "a", 3, 0] -= 0.7  # and smaller here
    r2 = signed_r2(F, y, ["a", "b"])
    assert r2.shape == (4, 5)
    for i, j in [(0, 0), (1, 2), (3, 0), (2, 4)]:
        r, _ = stats.pointbiserialr((y == "a").astype(int), F[:, i, j])
        assert r2[i, j] == pytest.approx(np.sign(r) * r**2)
    assert r2[1, 2] > 0.1 and r2[3, 0] < -0.05
    np.testing.assert_allclose(signed_r2(F, y, ["b", "a"]), -r2)  # order of classes sets the sign


def test_multiclass_one_vs_rest_and_constant_features():
    rng = np.random.default_rng(1)
    F = rng.standard_normal((90, 3))
    y = np.repeat(["x", "y", "z"], 30)
    F[y == "z", 2] += 2
    F[:, 0] = 1.0  # constant: r² 0, not NaN
    r2 = signed_r2(F, y)
    assert r2.shape == (3, 3)
    assert np.all(r2[:, 0] == 0)
    assert np.argmax(r2[:, 2]) == 2 and r2[2, 2] > 0.4
    fs = fisher_score(F, y)
    assert fs.shape == (3,) and fs[0] == 0 and fs[2] > 10 * fs[1]
    with pytest.raises(ValueError, match="classes"):
        signed_r2(F, y, ["x", "w"])
    with pytest.raises(ValueError, match="one label per epoch"):
        signed_r2(F, y[:-1])


def test_fisher_score_two_classes_formula():
    rng = np.random.default_rng(2)
    F = rng.standard_normal((40, 6))
    y = np.repeat([0, 1], 20)
    F[y == 1] += np.arange(6) * 0.3
    a, b = F[y == 0], F[y == 1]
    m = F.mean(0)
    expected = (20 * (a.mean(0) - m) ** 2 + 20 * (b.mean(0) - m) ** 2) / (20 * a.var(0) + 20 * b.var(0))
    np.testing.assert_allclose(fisher_score(F, y), expected)


def test_topomap_values():
    freqs = np.arange(1.0, 41.0)
    values = np.tile(np.linspace(-1, 1, 40), (3, 1)) * np.array([[1], [2], [-3]])
    np.testing.assert_allclose(topomap_values(values, freqs, 10), values[:, 9])
    np.testing.assert_allclose(topomap_values(values, freqs, 8, 12), values[:, 7:12].mean(axis=1))
    np.testing.assert_allclose(topomap_values(values, freqs, 30, 40, "maxabs"), values[:, -1])
    with pytest.raises(ValueError, match="45-50 Hz"):
        topomap_values(values, freqs, 45, 50)


def _top_entries(r2: np.ndarray, k: int) -> list[tuple[int, int]]:
    flat = np.argsort(-np.abs(r2).ravel())[:k]
    return [divmod(int(i), r2.shape[1]) for i in flat]


@pytest.mark.parametrize("method", ["welch", "burg", "multitaper"])
def test_r2_map_hands_vs_feet_is_sensorimotor_mu_beta(shared_data, method):
    """S001 runs 6/10/14 (imagined hands vs feet): the 5 strongest |r²| of a 1-40 Hz map (common
    average reference) lie in 8-30 Hz over FC5..FC6, C5..C6, CP5..CP6."""
    ep = physionet((6, 10, 14), ("hands", "feet"))
    X = ep.X - ep.X.mean(axis=1, keepdims=True)
    est = PSDFeatures(ep.sfreq, method, fmin=1, fmax=40, output="tensor").fit(X)
    r2 = signed_r2(est.transform(X), ep.y, ep.classes)
    for ch, fi in _top_entries(r2, 5):
        assert ep.ch_names[ch] in SENSORIMOTOR and 8 <= est.freqs_[fi] <= 30, (ep.ch_names[ch], est.freqs_[fi])


def test_r2_map_left_vs_right_is_lateralised(shared_data):
    """S001 runs 4/8/12 (left vs right fist): signed r² (left minus right) in 8-30 Hz is higher over
    the left sensorimotor cortex than over the right one, beyond 95 % of label permutations."""
    ep = physionet((4, 8, 12), ("left", "right"))
    est = PSDFeatures(ep.sfreq, "burg", fmin=8, fmax=30, output="tensor").fit(ep.X)
    T = est.transform(ep.X)
    left = [ep.ch_names.index(c) for c in ("FC5", "FC3", "FC1", "C5", "C3", "C1", "CP5", "CP3", "CP1")]
    right = [ep.ch_names.index(c) for c in ("FC6", "FC4", "FC2", "C6", "C4", "C2", "CP6", "CP4", "CP2")]

    def lateralisation(y):
        r2 = signed_r2(T, y, ["left", "right"])
        return r2[left].mean() - r2[right].mean()

    observed = lateralisation(ep.y)
    rng = np.random.default_rng(0)
    null = np.array([lateralisation(rng.permutation(ep.y)) for _ in range(200)])
    assert observed > 0 and np.mean(null >= observed) < 0.05


def test_erd_map_shows_mu_desynchronisation_for_hands(shared_data):
    ep = physionet((6, 10, 14), ("hands", "feet"), -1.0, 4.0)
    picks = [ep.ch_names.index(c) for c in ("C3", "C4")]
    m = erd_ers_map(ep.X[:, picks], ep.y, ep.sfreq, np.arange(6.0, 31.0, 2.0), -1.0, (-1.0, 0.0),
                    decim=4, classes=ep.classes)
    assert list(m.maps) == ["hands", "feet"] and m.maps["hands"].shape == (2, 13, len(m.times))
    w = (m.times >= 0.5) & (m.times <= 2.5)
    mu = (m.freqs >= 8) & (m.freqs <= 14)
    hands = m.maps["hands"][:, mu][:, :, w].mean(axis=(1, 2))
    feet = m.maps["feet"][:, mu][:, :, w].mean(axis=(1, 2))
    assert np.all(hands < -0.1) and np.all(hands < feet)
    base = (m.times >= -1) & (m.times <= 0)
    assert abs(m.maps["hands"][..., base].mean()) < 0.05  # relative to its own baseline
    one = erd_ers_map(ep.X[:, picks], ep.y, ep.sfreq, np.arange(8.0, 12.0), -1.0, (-1.0, 0.0), classes=["feet"])
    assert list(one.maps) == ["feet"]
    with pytest.raises(ValueError, match="classes.*'rest'"):
        erd_ers_map(ep.X[:, picks], ep.y, ep.sfreq, np.arange(8.0, 12.0), -1.0, (-1.0, 0.0), classes=["rest"])
    with pytest.raises(ValueError, match="baseline"):
        erd_ers_map(ep.X[:, picks], ep.y, ep.sfreq, np.arange(8.0, 12.0), -1.0, (5.0, 6.0))


def test_r2_map_left_vs_right_peaks_over_sensorimotor_mu(shared_data):
    """S001 runs 4/8/12, T1 vs T2 (left vs right fist imagery), common average reference (part of
    the causal preprocessing, as online), the whole 4-s imagery period: the strongest |r²| of the
    1-40 Hz Welch map, and most of the top 5, lie in 8-30 Hz over sensorimotor channels."""
    from bcigui.core.data import load_recordings, make_epochs
    from bcigui.core.signal.filters import FilterSpec
    from tests.conftest import physionet_file

    recs = load_recordings([physionet_file(1, r) for r in (4, 8, 12)])
    ep = make_epochs(recs, {"T1": "left", "T2": "right"}, 0.0, 4.0, FilterSpec(1, 45, reference="average"))
    est = PSDFeatures(ep.sfreq, "welch", fmin=1, fmax=40, output="tensor").fit(ep.X)
    r2 = signed_r2(est.transform(ep.X), ep.y, ep.classes)
    top = [(ep.ch_names[ch], float(est.freqs_[fi])) for ch, fi in _top_entries(r2, 5)]
    in_mu_beta = [ch in SENSORIMOTOR and 8 <= f <= 30 for ch, f in top]
    assert in_mu_beta[0] and sum(in_mu_beta) >= 3, top

"""PSD extractors: spectral peaks, absolute scale, Burg AR recovery, names and input errors."""

from __future__ import annotations

import numpy as np
import pytest
from features_testdata import kalunga
from scipy.signal import lfilter

from bcigui.core.features.psd import METHODS, PSDFeatures, burg_ar

SF = 160.0


def _sines(freq: float, n_epochs: int = 6, n_ch: int = 3, n_times: int = 320, noise: float = 0.2) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(n_times) / SF
    phase = rng.uniform(0, 2 * np.pi, (n_epochs, n_ch, 1))
    return np.sin(2 * np.pi * freq * t + phase) + noise * rng.standard_normal((n_epochs, n_ch, n_times))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("freq", [9.0, 23.0])
def test_sinusoid_peaks_at_its_frequency(method, freq):
    X = _sines(freq)
    est = PSDFeatures(SF, method, fmin=2, fmax=40, freq_resolution=0.5, output="tensor").fit(X)
    P = est.transform(X)
    assert P.shape == (6, 3, len(est.freqs_))
    peaks = est.freqs_[P.argmax(axis=2)]  # every single epoch and channel
    assert np.all(np.abs(peaks - freq) <= 1.0)
    assert abs(est.freqs_[P.mean(axis=(0, 1)).argmax()] - freq) <= 0.5


@pytest.mark.parametrize("method", METHODS)
def test_white_noise_level_is_two_sigma2_over_sfreq(method):
    rng = np.random.default_rng(2)
    sigma = 3e-6
    X = sigma * rng.standard_normal((20, 2, 640))
    est = PSDFeatures(SF, method, fmin=5, fmax=60, log=False, output="tensor", order=4).fit(X)
    level = est.transform(X).mean()
    assert level == pytest.approx(2 * sigma**2 / SF, rel=0.15)


def test_burg_recovers_ar2_coefficients_and_resonance():
    rng = np.random.default_rng(3)
    r, f0 = 0.95, 20.0
    a_true = [1.0, -2 * r * np.cos(2 * np.pi * f0 / SF), r * r]
    x = lfilter([1.0], a_true, rng.standard_normal((8, 4000)))
    a, s2 = burg_ar(x, 2)
    np.testing.assert_allclose(a.mean(axis=0), a_true, atol=0.02)
    assert s2.mean() == pytest.approx(1.0, rel=0.05)
    est = PSDFeatures(SF, "burg", fmin=1, fmax=60, freq_resolution=0.25, order=2, output="tensor").fit(x[:, None])
    peak = est.freqs_[est.transform(x[:, None]).mean(axis=(0, 1)).argmax()]
    assert abs(peak - f0) < 1.0


def test_grid_names_and_bands():
    X = _sines(10.0)
    est = PSDFeatures(SF, fmin=8, fmax=12, freq_resolution=0.5, ch_names=["C3", "Cz", "C4"]).fit(X)
    np.testing.assert_allclose(est.freqs_, np.arange(8, 12.01, 0.5))
    names = est.get_feature_names_out()
    assert names[0] == "C3;8.0" and names[1] == "C3;8.5" and names[-1] == "C4;12.0"
    assert est.transform(X).shape == (6, len(names))
    bp = PSDFeatures(SF, bands="8-12, 12-30", ch_names=["C3", "Cz", "C4"]).fit(X)
    assert list(bp.get_feature_names_out()[:2]) == ["C3;8-12", "C3;12-30"]
    F = bp.transform(X)
    assert F.shape == (6, 6) and np.all(F[:, 0] > F[:, 1])  # 10 Hz power lies in 8-12


def test_input_errors_name_the_problem():
    X = _sines(10.0)
    with pytest.raises(ValueError, match="sfreq"):
        PSDFeatures(None).fit(X)
    with pytest.raises(ValueError, match="method.*welch.*'ar'"):
        PSDFeatures(SF, "ar").fit(X)
    with pytest.raises(ValueError, match="fmax.*Nyquist"):
        PSDFeatures(SF, fmax=100).fit(X)
    with pytest.raises(ValueError, match="bands"):
        PSDFeatures(SF, bands="8-x").fit(X)
    est = PSDFeatures(SF).fit(X)
    with pytest.raises(ValueError, match="3 channels"):
        est.transform(X[:, :2])
    bad = X.copy()
    bad[0, 0, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.transform(bad)
    with pytest.raises(ValueError, match="n_epochs, n_channels, n_times"):
        est.transform(X[0])


@pytest.mark.parametrize("method", ["welch", "multitaper"])
def test_kalunga_ssvep_peaks_at_stimulation_frequency(shared_data, method):
    """Occipital PSD of each SSVEP class relative to rest peaks at the flicker frequency.

    (The raw PSD itself peaks at the alpha rhythm, 8-11 Hz, for every class.)
    """
    ep = kalunga(3)
    occ = [ep.ch_names.index(c) for c in ("O1", "Oz", "O2")]
    est = PSDFeatures(ep.sfreq, method, fmin=8, fmax=30, freq_resolution=0.5, log=False, output="tensor").fit(ep.X)
    P = est.transform(ep.X)[:, occ].mean(axis=1)
    rest = P[ep.y == "rest"].mean(axis=0)
    for label in ("13", "17", "21"):
        ratio = P[ep.y == label].mean(axis=0) / rest
        assert abs(est.freqs_[ratio.argmax()] - float(label)) <= 0.5, label


def test_kalunga_class_spectra_peak_at_stimulation_frequency_all_subjects(shared_data):
    """Kalunga2016, subjects 01-06: for each class, the occipital (O1/Oz/O2) log-PSD relative to the
    mean over all trials (which removes the 1/f slope and alpha common to all classes) peaks, in
    8-30 Hz, at the class frequency or its second harmonic (grand average over subjects)."""
    import glob

    from bcigui.core.data import load_recordings, make_epochs
    from bcigui.core.features.psd import PSDFeatures
    from bcigui.core.signal.filters import FilterSpec
    from tests.conftest import KALUNGA

    rel: dict[str, list[np.ndarray]] = {"13": [], "17": [], "21": []}
    for subject in range(1, 7):
        files = sorted(glob.glob(str(KALUNGA / f"subject{subject:02d}" / "*_raw.fif")))
        ep = make_epochs(load_recordings(files), {"1": "rest", "2": "13", "4": "17", "3": "21"}, 2.0, 4.0,
                         FilterSpec(3, 45))
        est = PSDFeatures(ep.sfreq, "welch", fmin=8, fmax=30, freq_resolution=0.5, output="tensor").fit(ep.X)
        occ = [ep.ch_names.index(c) for c in ("O1", "Oz", "O2")]
        P = est.transform(ep.X)[:, occ].mean(axis=1)
        for c in rel:
            rel[c].append(P[ep.y == c].mean(axis=0) - P.mean(axis=0))
    for c, curves in rel.items():
        peak = float(est.freqs_[np.argmax(np.mean(curves, axis=0))])
        f = float(c)
        assert min(abs(peak - f), abs(peak - 2 * f)) <= 0.5, (c, peak)

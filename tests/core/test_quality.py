"""Signal-quality metrics on simulated EEG with injected faults (and on real PhysioNet EEG)."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.signal.quality import QualityThresholds, assess_quality, channel_metrics
from bcigui.core.stream.simulator import generate

SFREQ = 250.0


@pytest.fixture(scope="module")
def sim():
    return generate("mi", n_channels=16, srate=SFREQ, seconds=4.0, seed=3)


def _levels(data, names, th=None):
    return {q.name: q for q in assess_quality(data, SFREQ, names, th)}


def test_simulated_channels_are_good(sim):
    q = _levels(sim.data, sim.ch_names)
    assert all(v.level == "good" for v in q.values()), {k: v.reason for k, v in q.items() if v.level != "good"}


def test_flat_saturated_noisy_and_missing_channels_are_flagged(sim):
    x = sim.data.astype(np.float64).copy()
    names = sim.ch_names
    x[:, 1] = 5e-6  # flat (a constant offset)
    x[:, 2] = np.clip(x[:, 2] * 40, -100e-6, 100e-6)  # amplifier clipping at +-100 uV
    x[:, 3] *= 20  # excessive variance
    t = np.arange(x.shape[0]) / SFREQ
    x[:, 4] += 60e-6 * np.sin(2 * np.pi * 50 * t)  # mains interference
    x[100:150, 5] = np.nan  # dropped samples
    q = _levels(x, names)
    assert q[names[1]].level == "bad" and "flat" in q[names[1]].reason
    assert q[names[2]].level == "bad" and "clipping" in q[names[2]].reason
    assert q[names[3]].level in ("warn", "bad") and "variance" in q[names[3]].reason
    assert q[names[4]].level == "warn" and "line noise" in q[names[4]].reason
    assert q[names[5]].level == "bad" and "NaN" in q[names[5]].reason
    assert q[names[0]].level == "good" and q[names[0]].reason == "ok"


def test_absolute_saturation_threshold(sim):
    x = sim.data.astype(np.float64).copy()
    spikes = x[::10, 0].shape[0]
    x[::10, 0] = 4e-3 + np.linspace(0, 1e-3, spikes)  # distinct spikes of 4-5 mV: no plateau, but saturated
    assert _levels(x, sim.ch_names)[sim.ch_names[0]].level == "bad"
    th = QualityThresholds(saturation_uv=10_000.0)
    assert "clipping" not in _levels(x, sim.ch_names, th)[sim.ch_names[0]].reason


def test_thresholds_are_configurable(sim):
    x = sim.data.astype(np.float64)
    std = channel_metrics(x, SFREQ)["std_uv"]
    strict = QualityThresholds(warn_std_uv=float(np.median(std)) * 0.5, bad_std_uv=None)
    q = _levels(x, sim.ch_names, strict)
    assert sum(v.level == "warn" for v in q.values()) >= len(q) // 2
    off = QualityThresholds(flat_uv=None)
    flat = x.copy()
    flat[:, 0] = 0
    assert _levels(flat, sim.ch_names, off)[sim.ch_names[0]].level == "good"


def test_line_frequency_60(sim):
    x = sim.data.astype(np.float64).copy()
    t = np.arange(x.shape[0]) / SFREQ
    x[:, 0] += 60e-6 * np.sin(2 * np.pi * 60 * t)
    assert _levels(x, sim.ch_names)[sim.ch_names[0]].level == "good"  # 50 Hz check ignores 60 Hz
    q = _levels(x, sim.ch_names, QualityThresholds(line_freq=60))
    assert "60 Hz" in q[sim.ch_names[0]].reason


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="flat_uv.*positive.*-1"):
        QualityThresholds(flat_uv=-1)
    with pytest.raises(ValueError, match="line_freq.*50 or 60.*55"):
        QualityThresholds(line_freq=55)
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_channels\)"):
        assess_quality(np.zeros(10), 100.0)
    with pytest.raises(ValueError, match="ch_names has 1 names but data has 2"):
        assess_quality(np.zeros((10, 2)), 100.0, ["a"])


def test_real_physionet_recording_is_mostly_good_and_a_zeroed_channel_is_flat(shared_data):
    import mne

    from tests.conftest import physionet_file

    raw = mne.io.read_raw_edf(physionet_file(1, 4), preload=True, verbose="error")
    x = raw.get_data(tmin=10, tmax=14).T
    x[:, 7] = 0.0
    q = assess_quality(x, raw.info["sfreq"], raw.ch_names, QualityThresholds(line_freq=60))
    assert q[7].level == "bad" and "flat" in q[7].reason
    assert sum(v.level == "good" for v in q) >= 0.75 * len(q)

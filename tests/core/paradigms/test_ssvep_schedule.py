"""SSVEP frame schedule: the luminance sequences flicker at the configured frequencies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.ssvep import SSVEPParadigm, frame_luminances, frequency_warnings, luminance

FREQS = [8.0, 9.25, 11.7, 13.0, 15.3, 17.0, 21.0, 23.45]


def dominant_frequency(x: np.ndarray, rate: float, pad: int = 1 << 18) -> float:
    """Peak of the zero-padded amplitude spectrum (mean removed)."""
    spec = np.abs(np.fft.rfft(x - x.mean(), n=pad))
    return float(np.fft.rfftfreq(pad, 1.0 / rate)[np.argmax(spec)])


@pytest.mark.parametrize("refresh", [60.0, 144.0])
@pytest.mark.parametrize("mode", ["sinusoid", "onoff"])
def test_dominant_frequency_over_10_s(refresh, mode):
    p = SSVEPParadigm(",".join(map(str, FREQS)), phases="0,0.5,1,1.5,0,0.5,1,1.5", mode=mode)
    lum = p.luminances(np.arange(int(10 * refresh)), refresh)
    assert lum.shape == (int(10 * refresh), len(FREQS))
    assert lum.min() >= 0 and lum.max() <= 1
    for k, f in enumerate(FREQS):
        got = dominant_frequency(lum[:, k], refresh)
        assert abs(got - f) <= 0.05, f"{f} Hz at {refresh} Hz ({mode}): dominant {got:.3f} Hz"


def test_sampled_sinusoid_formula_and_phase():
    # Chen et al. 2014: L(i) = 0.5 * (1 + sin(2 pi f i / R + phi))
    i = np.arange(200)
    expected = 0.5 * (1 + np.sin(2 * np.pi * 13.0 * i / 60.0 + 0.5 * np.pi))
    assert np.allclose(luminance(13.0, 0.5 * np.pi, i, 60.0), expected)
    p = SSVEPParadigm("13,17", phases="0.5,1")
    assert p.phases_rad == [0.5 * math.pi, math.pi]
    assert np.allclose(p.luminances(0, 60.0), [1.0, 0.5])


def test_onoff_is_binary_with_integer_period():
    lum = frame_luminances([10.0, 12.0], [0.0, 0.0], 60, 60.0, mode="onoff")
    assert set(np.unique(lum)) == {0.0, 1.0}
    assert lum[:, 0].sum() == 30 and list(lum[:6, 0]) == [1, 1, 1, 0, 0, 0]


def test_warnings():
    assert frequency_warnings([10.0, 12.0, 15.0], 60.0, "onoff") == []
    warn = frequency_warnings([13.0, 30.0, 40.0], 60.0, "onoff")
    assert len(warn) == 3 and "13 Hz" in warn[0] and "half the refresh" in warn[1]
    assert len(frequency_warnings([13.0, 30.0], 60.0, "sinusoid")) == 1  # only f >= R/2
    assert frequency_warnings([13.0, 71.0], 144.0, "sinusoid") == []


def test_schedule_targets_balanced():
    p = SSVEPParadigm("13,17,21", trials_per_class=4, cue_duration=0.5, flicker_duration=2.0,
                      rest_duration=1.0, rest_jitter=0.0, baseline_duration=1.0, seed=2)
    cues = [e for ph in p.schedule() for e in ph.events if e.startswith("cue/")]
    assert sorted(cues) == sorted([mk.ssvep_cue_marker(f) for f in (13, 17, 21)] * 4)
    flick = [ph for ph in p.schedule() if ph.kind == "flicker"]
    assert len(flick) == 12 and all(ph.duration == 2.0 for ph in flick)
    assert [ph.extra["target"] for ph in flick] == p.targets
    assert p.total_duration() == pytest.approx(1.0 + 12 * (0.5 + 2.0 + 1.0))


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"frequencies": "13"}, "frequencies"),
    ({"frequencies": ",".join(str(8 + 0.1 * i) for i in range(41))}, "frequencies"),
    ({"frequencies": "13,13.0"}, "frequencies"),
    ({"frequencies": "13,x"}, "frequencies"),
    ({"frequencies": "13,17", "phases": "0"}, "phases"),
    ({"mode": "square"}, "mode"),
    ({"flicker_duration": -1}, "flicker_duration"),
])
def test_errors_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        SSVEPParadigm(**kwargs)


def test_forty_targets_allowed():
    p = SSVEPParadigm(",".join(f"{8 + 0.2 * i:.1f}" for i in range(40)), trials_per_class=1)
    assert len(p.classes) == 40 and p.n_trials() == 40

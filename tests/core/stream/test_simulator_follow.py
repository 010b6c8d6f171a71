"""Follow mode of the simulator, offline (the live loop is tested in tests/core/recording/test_closed_loop.py):
the subject does what the cues ask, as much as its skill allows, and nothing without cues."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import welch

from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.stream.follow import MarkerFollower
from bcigui.core.stream.simulator import SignalGenerator, Simulator, generate


def _cues(paradigm) -> tuple[list[tuple[float, str]], float]:
    t, out = 0.0, []
    for ph in paradigm.schedule():
        out += [(t, e) for e in ph.events]
        t += ph.duration
    return out, t


def _lateralisation(sim, tmin=0.5, tmax=3.0) -> dict[str, float]:
    """Mean log mu power C3 - C4 during imagery, per cued class."""
    from bcigui.core.signal.filters import FilterSpec, filter_continuous

    x = filter_continuous(sim.data, sim.sfreq, FilterSpec(9.0, 13.0))
    c3, c4 = sim.ch_names.index("C3"), sim.ch_names.index("C4")
    out: dict[str, list[float]] = {}
    for idx, label in sim.events:
        cls = mk.class_from_marker(label)
        if cls is None:
            continue
        seg = x[idx + int(tmin * sim.sfreq): idx + int(tmax * sim.sfreq)]
        out.setdefault(cls, []).append(np.log((seg[:, c3] ** 2).mean()) - np.log((seg[:, c4] ** 2).mean()))
    return {k: float(np.mean(v)) for k, v in out.items()}


@pytest.mark.parametrize("skill", [1.0, 0.0])
def test_follow_mode_mi_obeys_the_cues_as_much_as_its_skill(skill):
    par = MotorImageryParadigm("left_hand,right_hand", 15, baseline_duration=2.0, seed=3)
    cues, total = _cues(par)
    sim = generate("mi", 16, 160.0, total + 1.0, seed=4, skill=skill, cues=cues)
    assert [e[1] for e in sim.events] == [c[1] for c in cues]  # only the session's markers, none of its own
    lat = _lateralisation(sim)
    diff = lat["left_hand"] - lat["right_hand"]  # left hand: ERD at C4, so C3 - C4 is higher
    if skill == 1.0:
        assert diff > 0.4, lat
    else:
        assert abs(diff) < 0.15, lat


def test_follow_mode_ssvep_at_the_cued_frequency_only_while_flickering():
    cues = [(2.0, mk.ssvep_cue_marker(13.0)), (3.0, mk.FLICKER_START), (7.0, mk.FLICKER_END)]
    sim = generate("ssvep", 16, 250.0, 12.0, seed=1, cues=cues)
    oz = sim.ch_names.index("Oz")
    on = sim.data[int(3.5 * 250): int(6.5 * 250), oz]
    off = sim.data[int(8.5 * 250): int(11.5 * 250), oz]
    f, p_on = welch(on, 250.0, nperseg=750)
    _, p_off = welch(off, 250.0, nperseg=750)
    i13, i17 = np.argmin(abs(f - 13)), np.argmin(abs(f - 17))
    assert p_on[i13] > 4 * p_off[i13] and p_on[i13] > 4 * p_on[i17]
    # skill 0: no SSVEP at all
    flat = generate("ssvep", 16, 250.0, 12.0, seed=1, skill=0.0, cues=cues)
    _, p0 = welch(flat.data[int(3.5 * 250): int(6.5 * 250), oz], 250.0, nperseg=750)
    assert p0[i13] < 3 * p_off[i13]


def test_resting_subject_ignores_cues_and_bad_arguments_are_named():
    gen = SignalGenerator("rest", 8, 128.0, follow=True)
    gen.cue(0.0, "cue/left_hand")
    assert gen.schedule.trials == []
    with pytest.raises(RuntimeError, match="follow=True"):
        SignalGenerator("mi", 8, 128.0).cue(0.0, "cue/left_hand")
    for bad in (-0.1, 1.5, "high", True):
        with pytest.raises(ValueError, match="skill must be a number between 0 and 1"):
            SignalGenerator("mi", 8, 128.0, skill=bad)
    with pytest.raises(ValueError, match="marker stream to follow must be a non-empty string"):
        MarkerFollower("  ")
    sim = Simulator("mi", 8, 128.0, name="x", follow="some-markers")
    assert sim.stream_names == ("x", None)
    with pytest.raises(ValueError, match="paradigm must be one of"):
        sim.set_activity("p300")
    with pytest.raises(RuntimeError, match="only a following simulator"):
        Simulator("mi", 8, 128.0, name="y").set_activity("rest")

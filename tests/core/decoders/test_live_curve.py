"""Live learning curve: trials cut from a real ring buffer, cross-validated points, the stop rule."""

from __future__ import annotations

import numpy as np

from bcigui.core.decoders.live_curve import CurvePoint, LiveCurve, StopRule, live_curve_for, wilson
from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.simulator import generate

CLASSES = ("left_hand", "right_hand")


def _buffer_with(sim) -> tuple[RingBuffer, np.ndarray]:
    buf = RingBuffer(sim.data.shape[1], sim.data.shape[0])
    times = 100.0 + np.arange(sim.data.shape[0]) / sim.sfreq
    for s in range(0, len(times), 50):
        buf.write(sim.data[s:s + 50], times[s:s + 50])
    return buf, times


def test_curve_from_buffer_learns_and_permuted_labels_stay_at_chance() -> None:
    sim = generate("mi", n_channels=16, srate=160.0, seconds=240, seed=4, classes=CLASSES)
    buf, times = _buffer_with(sim)
    cues = [(times[i], lab.removeprefix("cue/")) for i, lab in sim.events if lab.startswith("cue/")]
    curve = live_curve_for("mi", sim.sfreq, list(sim.ch_names), list(CLASSES))
    assert curve.collect(cues[:4], buf, times[-1]) == 4 and not curve.ready()
    assert curve.update() is None  # too few trials per class
    curve.collect(cues[:20], buf, times[-1])
    point = curve.update()
    assert point is not None and point.n_trials == 20 and point.accuracy > point.threshold
    assert point.low < point.accuracy < point.high and point.chance == 0.5
    assert curve.update() is None  # no new trial, no new point
    # a cue whose window is not in the buffer yet is left for later, one too old is missed
    late = LiveCurve(curve.make_pipeline, sim.sfreq, 16, curve.tmin, curve.tmax, curve.filt)
    assert late.collect([(times[-1] - 0.5, "left_hand")], buf, times[-1]) == 0 and late.missed == 0
    assert late.collect([(times[0] - 10.0, "left_hand")], buf, times[-1]) == 0 and late.missed == 1
    # permuted labels: the same trials, no information
    accs = []
    for seed in range(3):
        perm = LiveCurve(curve.make_pipeline, sim.sfreq, 16, curve.tmin, curve.tmax, curve.filt)
        for x, y in zip(curve.X, np.random.default_rng(seed).permutation(curve.y), strict=True):
            perm.add(x, y)
        accs.append(perm.update().accuracy)
    assert np.mean(accs) < 0.7


def _pt(acc: float, n: int, per_class: int) -> CurvePoint:
    low, high = wilson(round(acc * n), n)
    return CurvePoint(n, per_class, acc, low, high, 0.5, 0.6, 0.1)


def test_stop_rule_states() -> None:
    rule = StopRule(margin=0.05, flat_points=3, flat_tolerance=0.05, give_up_per_class=15)
    assert rule.advice([])[0] == "keep going"
    good = [_pt(0.9, 40, 20), _pt(0.92, 42, 21), _pt(0.91, 44, 22)]
    assert rule.advice(good)[0] == "good enough"
    assert rule.advice([_pt(0.7, 40, 20), _pt(0.92, 42, 21), _pt(0.91, 44, 22)])[0] == "keep going"  # not flat
    assert rule.advice([_pt(0.9, 10, 5)] * 3)[0] == "keep going"  # interval too wide
    assert rule.advice([_pt(0.5, 30, 15)])[0] == "not learning"
    assert "15 trials of each class" in rule.describe()


def test_another_pipeline_adopts_the_trials_when_it_cuts_the_same_window() -> None:
    from bcigui.core.decoders.live_curve import live_curve_for

    names = ["C3", "Cz", "C4", "Pz"]
    a = live_curve_for("mi", 160.0, names, ["left", "right"], pipeline="csp_lda")
    b = live_curve_for("mi", 160.0, names, ["left", "right"], pipeline="ts_lr")
    rng = np.random.default_rng(0)
    for k in range(6):
        a.add(rng.normal(size=(4, a.n_times)), "left" if k % 2 else "right")
    a._next_cue = 6
    same = a.filt == b.filt and (a.tmin, a.tmax) == (b.tmin, b.tmax)
    assert b.adopt(a) == (6 if same else 0)
    assert len(b.y) == (6 if same else 0) and b._next_cue == (6 if same else 0)
    b.X.clear()  # its own list, not a's
    assert len(a.X) == 6

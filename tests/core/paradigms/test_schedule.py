"""MI schedule (balanced, seeded, durations), the clock-driven runner (pause/resume/abort), plugins."""

from __future__ import annotations

import inspect
from collections import Counter

import numpy as np
import pytest

from bcigui.core.paradigms import make_paradigm
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.base import ScheduleRunner
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.plugins import PLUGINS
from bcigui.core.paradigms.ssvep import SSVEPParadigm

FAST = dict(baseline_duration=2.0, fixation_duration=1.0, warning_duration=0.5, cue_duration=1.0,
            imagery_duration=3.0, rest_duration=1.0, rest_jitter=0.8)


def cues(paradigm) -> list[str]:
    return [e for p in paradigm.schedule() for e in p.events if mk.class_from_marker(e)]


def test_balanced_and_seeded():
    p = MotorImageryParadigm("left_hand,right_hand,feet,tongue", trials_per_class=7, seed=3, **FAST)
    counts = Counter(mk.class_from_marker(c) for c in cues(p))
    assert counts == {"left_hand": 7, "right_hand": 7, "feet": 7, "tongue": 7}
    assert p.order == MotorImageryParadigm("left_hand,right_hand,feet,tongue", 7, seed=3, **FAST).order
    assert p.order != MotorImageryParadigm("left_hand,right_hand,feet,tongue", 7, seed=4, **FAST).order
    assert p.n_trials() == 28


def test_trial_structure_and_durations():
    p = MotorImageryParadigm("left_hand,rest", trials_per_class=3, **FAST)
    phases = p.schedule()
    assert phases[0].kind == "baseline" and phases[0].events == (mk.SESSION_START, mk.BASELINE_START)
    assert phases[0].duration == 2.0
    assert phases[-1].events[-1] == mk.SESSION_END
    trial = [ph for ph in phases if ph.trial == 0]
    assert [ph.kind for ph in trial] == ["fixation", "warning", "cue", "imagery"]
    assert [ph.duration for ph in trial] == [1.0, 0.5, 1.0, 2.0]  # imagery lasts 3 s from the cue
    assert trial[2].events == (mk.cue_marker(trial[2].label), mk.IMAGERY_START)
    rests = [ph.duration for ph in phases if ph.kind == "rest"]
    assert len(rests) == 6 and all(1.0 <= r <= 1.8 for r in rests)
    assert len(set(rests)) > 1  # jittered


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"imagery_duration": -1.0}, "imagery_duration"),
    ({"cue_duration": 5.0, "imagery_duration": 4.0}, "cue_duration"),
    ({"classes": "left_hand,elbow"}, "classes"),
    ({"trials_per_class": 0}, "trials_per_class"),
    ({"cue_style": "emoji"}, "cue_style"),
])
def test_errors_name_the_parameter(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MotorImageryParadigm(**kwargs)


def walk(runner: ScheduleRunner, t_end: float, dt: float = 0.01, actions=None):
    """Drive the runner with a fake clock; return [(time, phase)]; actions: {time: callable}."""
    out = [(0.0, p) for p in runner.start(0.0)]
    actions = dict(actions or {})
    for t in np.arange(dt, t_end, dt):
        for when in [w for w in actions if w <= t]:
            actions.pop(when)(runner)
        out += [(t, p) for p in runner.update(t)]
        if runner.finished:
            break
    return out


def test_runner_onsets_follow_the_schedule():
    p = MotorImageryParadigm("left_hand,right_hand", trials_per_class=2, **FAST)
    seen = walk(ScheduleRunner(p.schedule()), p.total_duration() + 1)
    planned = np.cumsum([0.0] + [ph.duration for ph in p.schedule()])[:-1]
    got = [t for t, _ in seen]
    assert [ph for _, ph in seen] == p.schedule()
    assert np.allclose(got, planned, atol=0.0101)  # never late by more than one tick, no drift


def test_pause_waits_for_trial_end_and_resume_continues():
    p = MotorImageryParadigm("left_hand,right_hand", trials_per_class=2, **FAST)
    runner = ScheduleRunner(p.schedule())
    seen = walk(runner, 60.0, actions={3.0: lambda r: r.pause(), 10.0: lambda r: r.resume()})
    kinds = [ph.kind for _, ph in seen]
    i = kinds.index("pause")
    assert kinds[i - 1] == "rest"  # pause requested at 3 s (fixation) took effect at the rest
    t_pause = seen[i][0]
    assert t_pause > 3.0
    j = kinds.index("resume")
    assert 10.0 <= seen[j][0] < 10.02
    paused_for = seen[j][0] - t_pause
    total = seen[-1][0]
    assert total == pytest.approx(p.total_duration() + paused_for, abs=0.03)
    assert sum(mk.PAUSE in ph.events for _, ph in seen) == 1
    assert runner.finished


def test_abort_ends_with_abort_and_end_markers():
    p = MotorImageryParadigm("left_hand,right_hand", trials_per_class=2, **FAST)
    runner = ScheduleRunner(p.schedule())
    seen = walk(runner, 60.0, actions={4.0: lambda r: r.abort()})
    assert seen[-1][1].events == (mk.SESSION_ABORT, mk.SESSION_END)
    assert runner.finished and seen[-1][0] < 4.02
    assert runner.time_left(5.0) == 0.0


def test_progress_counters():
    p = MotorImageryParadigm("left_hand,right_hand", trials_per_class=2, **FAST)
    runner = ScheduleRunner(p.schedule())
    assert runner.time_left(0.0) == pytest.approx(p.total_duration())
    runner.start(0.0)
    assert runner.trial_number() == 0
    runner.update(2.5)
    assert runner.trial_number() == 1 and runner.n_trials == 4
    assert runner.time_left(2.5) == pytest.approx(p.total_duration() - 2.5)


@pytest.mark.parametrize("spec", PLUGINS, ids=lambda s: s.name)
def test_plugins_declare_every_parameter(spec):
    cls = spec.load()
    init = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    assert sorted(init) == sorted(p.name for p in spec.params)
    assert all(p.unit == "s" for p in spec.params if p.name.endswith(("_duration", "_jitter")))
    obj = spec.create()
    assert obj.n_trials() > 0 and obj.total_duration() > 0


def test_make_paradigm_validates():
    p = make_paradigm("ssvep", frequencies="8,10", trials_per_class=2)
    assert isinstance(p, SSVEPParadigm) and p.classes == ["8.0Hz", "10.0Hz"]
    with pytest.raises(ValueError, match="imagery_duration"):
        make_paradigm("mi", imagery_duration=-2)

"""Headless paradigm logic: a schedule of phases and the clock-driven runner that walks through it.

A paradigm builds a list of :class:`Phase` (what to show, for how long, which markers announce it).
:class:`ScheduleRunner` advances through the schedule from clock readings; whoever draws the phases
(the Qt stimulus window, or a headless loop) pushes each phase's markers once it is visible.

Pause is clean: requested during a trial, it takes effect when the trial ends (at its rest phase),
so no trial contains a pause; time stops while paused and the rest phase continues on resume.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bcigui.core.paradigms import markers as mk

#: Phase kinds during which a pause would spoil a trial (pause waits for the trial's end).
TRIAL_KINDS = frozenset({"fixation", "warning", "cue", "imagery", "flicker"})


@dataclass(frozen=True)
class Phase:
    """One displayed phase of a session.

    ``kind`` is what the stimulus window draws (``baseline``, ``fixation``, ``warning``, ``cue``,
    ``imagery``, ``rest``, ``flicker``, ``end``); ``events`` are the markers pushed at its onset;
    ``label`` the class of the trial (``None`` outside trials); ``trial`` its 0-based index;
    ``extra`` kind-specific data (e.g. ``{"target": 2, "frequency": 13.0}`` for SSVEP).
    """

    kind: str
    duration: float
    events: tuple[str, ...] = ()
    label: str | None = None
    trial: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class Paradigm:
    """Base class of paradigms: subclasses implement :meth:`schedule` (and set ``name``)."""

    name = "paradigm"

    def schedule(self) -> list[Phase]:
        raise NotImplementedError

    @property
    def classes(self) -> list[str]:
        raise NotImplementedError

    def n_trials(self) -> int:
        return len({p.trial for p in self.schedule() if p.trial is not None})

    def total_duration(self) -> float:
        return float(sum(p.duration for p in self.schedule()))

    def config(self) -> dict[str, Any]:
        """Parameters, for the recording header."""
        return {"paradigm": self.name, **{k: v for k, v in vars(self).items() if not k.startswith("_")}}


def session_phases(baseline_duration: float, trials: Iterable[list[Phase]], trial_end: str,
                   rest_duration: float, rest_jitter: float, seed: int) -> list[Phase]:
    """The frame every calibration session shares around its trials' own phases.

    Baseline, then each trial (its first phase also announces the end of the baseline or of the
    previous rest) followed by a rest of ``rest_duration`` + uniform(0, ``rest_jitter``) seconds
    opened by ``trial_end`` (e.g. ``imagery/end``), then the end of the session.
    """
    rng = np.random.default_rng(seed)
    phases = [Phase("baseline", baseline_duration, (mk.SESSION_START, mk.BASELINE_START))]
    ended: tuple[str, ...] = (mk.BASELINE_END,)
    for i, (first, *others) in enumerate(trials):
        phases += [replace(first, events=(*ended, *first.events)), *others]
        rest = rest_duration + float(rng.uniform(0.0, rest_jitter))
        phases.append(Phase("rest", rest, (trial_end, mk.TRIAL_END, mk.REST_START), None, None, {"after_trial": i}))
        ended = ()
    phases.append(Phase("end", 0.0, (*ended, mk.SESSION_END)))
    return phases


def check_durations(**durations: float) -> None:
    """Raise ``ValueError`` naming the first negative or non-finite duration."""
    for name, value in durations.items():
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"{name} must be a finite duration >= 0 s, got {value!r}")


class ScheduleRunner:
    """Walks a schedule by clock readings; pause/resume/abort.

    Call :meth:`update` with the current time (e.g. every frame); it returns the phases entered since
    the last call (usually none or one). Phase onsets are planned back-to-back from the start time,
    so durations do not drift with the frame rate. Markers for pause/resume/abort are returned by
    :meth:`update` too, as pseudo-phases of kind ``pause``/``resume``/``abort``.
    """

    def __init__(self, phases: list[Phase]) -> None:
        if not phases:
            raise ValueError("phases must not be empty")
        self.phases = list(phases)
        self.index = -1
        self.started = False
        self.finished = False
        self.paused = False
        self.pause_pending = False
        self._resume_pending = False
        self._abort_pending = False
        self._onset = 0.0  # planned onset of the current phase
        self._paused_at = 0.0
        self.n_trials = len({p.trial for p in phases if p.trial is not None})

    # -- state -----------------------------------------------------------------------------------
    @property
    def current(self) -> Phase | None:
        return self.phases[self.index] if 0 <= self.index < len(self.phases) else None

    def phase_time_left(self, now: float) -> float:
        if self.current is None:
            return 0.0
        ref = self._paused_at if self.paused else now
        return max(0.0, self._onset + self.current.duration - ref)

    def time_left(self, now: float) -> float:
        """Seconds until the end of the session (excluding pauses to come)."""
        if self.finished:
            return 0.0
        if not self.started:
            return float(sum(p.duration for p in self.phases))
        rest = sum(p.duration for p in self.phases[self.index + 1:])
        return self.phase_time_left(now) + rest

    def trial_number(self) -> int:
        """1-based number of the current (or last started) trial, 0 before the first."""
        for p in reversed(self.phases[: self.index + 1]):
            if p.trial is not None:
                return p.trial + 1
        return 0

    # -- control ---------------------------------------------------------------------------------
    def start(self, now: float) -> list[Phase]:
        if self.started:
            raise RuntimeError("the schedule runner was already started")
        self.started = True
        self.index = 0
        self._onset = now
        return [self.phases[0]]

    def pause(self) -> None:
        """Request a pause (immediate outside trials, at the trial's end otherwise)."""
        if self.started and not self.finished and not self.paused:
            self.pause_pending = True

    def resume(self) -> None:
        if self.paused:
            self._resume_pending = True
        self.pause_pending = False

    def abort(self) -> None:
        if self.started and not self.finished:
            self._abort_pending = True

    def update(self, now: float) -> list[Phase]:
        """Phases (and pause/resume/abort pseudo-phases) entered since the last call."""
        if not self.started or self.finished:
            return []
        out: list[Phase] = []
        if self._abort_pending:
            self.finished = True
            return [Phase("abort", 0.0, (mk.SESSION_ABORT, mk.SESSION_END))]
        if self.paused:
            if not self._resume_pending:
                return []
            self._resume_pending = False
            self.paused = False
            self._onset += now - self._paused_at
            out.append(Phase("resume", 0.0, (mk.RESUME,)))
        while True:
            cur = self.phases[self.index]
            if self.pause_pending and cur.kind not in TRIAL_KINDS and cur.kind != "end":
                self.pause_pending = False
                self.paused = True
                self._paused_at = now
                out.append(Phase("pause", 0.0, (mk.PAUSE,)))
                return out
            end = self._onset + cur.duration
            if now < end:
                return out
            if self.index + 1 >= len(self.phases):
                self.finished = True
                return out
            self.index += 1
            self._onset = end
            out.append(self.phases[self.index])

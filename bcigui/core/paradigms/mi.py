"""Graz-style motor-imagery calibration schedule.

Session: ``baseline`` (fixation cross, eyes open), then per trial ``fixation`` -> ``warning`` (beep /
flash of the cross) -> ``cue`` (arrow or word; imagery starts with it) -> ``imagery`` (cross only,
until ``imagery_duration`` after the cue onset) -> ``rest`` (blank, ``rest_duration`` plus a uniform
jitter in ``[0, rest_jitter]``). Class order is balanced and shuffled with ``seed``.
"""

from __future__ import annotations

import numpy as np

from bcigui.core.checks import invalid_option
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.base import Paradigm, Phase, check_durations, session_phases


def parse_classes(classes: str | list[str] | tuple[str, ...]) -> list[str]:
    """``"left_hand,right_hand"`` (or a list) -> validated list of MI classes, in the given order."""
    items = [c.strip() for c in classes.split(",")] if isinstance(classes, str) else list(classes)
    items = [c for c in items if c]
    bad = [c for c in items if c not in mk.MI_CLASSES]
    if bad or len(items) < 1 or len(set(items)) != len(items):
        raise ValueError(
            f"classes must be distinct names among {list(mk.MI_CLASSES)}, got {classes!r}"
        )
    return items


def balanced_order(classes: list[str], trials_per_class: int, seed: int | None) -> list[str]:
    """Each class ``trials_per_class`` times, shuffled reproducibly."""
    if trials_per_class < 1:
        raise ValueError(f"trials_per_class must be >= 1, got {trials_per_class}")
    order = np.repeat(np.array(classes, dtype=object), trials_per_class)
    np.random.default_rng(seed).shuffle(order)
    return [str(c) for c in order]


class MotorImageryParadigm(Paradigm):
    """Motor-imagery calibration; all durations in seconds."""

    name = "mi"

    def __init__(
        self,
        classes: str = "left_hand,right_hand",
        trials_per_class: int = 20,
        baseline_duration: float = 30.0,
        fixation_duration: float = 2.0,
        warning_duration: float = 1.0,
        cue_duration: float = 1.25,
        imagery_duration: float = 4.0,
        rest_duration: float = 1.5,
        rest_jitter: float = 1.0,
        cue_style: str = "arrow",
        beep: bool = True,
        seed: int = 0,
    ) -> None:
        self.classes_ = parse_classes(classes)
        check_durations(
            baseline_duration=baseline_duration, fixation_duration=fixation_duration,
            warning_duration=warning_duration, cue_duration=cue_duration,
            imagery_duration=imagery_duration, rest_duration=rest_duration, rest_jitter=rest_jitter,
        )
        if cue_duration > imagery_duration:
            raise ValueError(
                f"cue_duration must be <= imagery_duration ({imagery_duration} s): the cue is shown "
                f"during the first part of the imagery period, got {cue_duration} s"
            )
        if cue_style not in ("arrow", "word"):
            raise invalid_option("cue_style", cue_style, ["arrow", "word"])
        self.trials_per_class = int(trials_per_class)
        self.baseline_duration = float(baseline_duration)
        self.fixation_duration = float(fixation_duration)
        self.warning_duration = float(warning_duration)
        self.cue_duration = float(cue_duration)
        self.imagery_duration = float(imagery_duration)
        self.rest_duration = float(rest_duration)
        self.rest_jitter = float(rest_jitter)
        self.cue_style = cue_style
        self.beep = bool(beep)
        self.seed = int(seed)
        self._order = balanced_order(self.classes_, self.trials_per_class, self.seed)
        self._schedule = self._build()

    @property
    def classes(self) -> list[str]:
        return list(self.classes_)

    @property
    def order(self) -> list[str]:
        """Class of each trial, in presentation order."""
        return list(self._order)

    def _build(self) -> list[Phase]:
        return session_phases(self.baseline_duration, map(self._trial, range(len(self._order)), self._order),
                              mk.IMAGERY_END, self.rest_duration, self.rest_jitter, self.seed + 1)

    def _trial(self, i: int, cls: str) -> list[Phase]:
        phases = [
            Phase("fixation", self.fixation_duration, (mk.TRIAL_START, mk.FIXATION), cls, i),
            Phase("warning", self.warning_duration, (mk.BEEP,), cls, i, {"beep": self.beep}),
            Phase("cue", self.cue_duration, (mk.cue_marker(cls), mk.IMAGERY_START), cls, i, {"style": self.cue_style}),
        ]
        if self.imagery_duration - self.cue_duration > 0:
            phases.append(Phase("imagery", self.imagery_duration - self.cue_duration, (), cls, i))
        return phases

    def schedule(self) -> list[Phase]:
        return list(self._schedule)

    def config(self) -> dict:
        cfg = super().config()
        cfg["classes"] = ",".join(cfg.pop("classes_"))
        return cfg

"""SSVEP calibration: flicker luminance by frame index (sampled sinusoid or on/off) and the schedule.

Luminance of a target at frame ``i`` for a display refreshing at ``R`` Hz (Chen et al. 2014,
"sampled sinusoidal stimulation"): ``L(i) = 0.5 * (1 + sin(2*pi*f*i/R + phi))``. In on/off mode the
target is on while ``sin(...) >= 0``. Both follow the exact frequency on average, whatever ``R``;
a frequency that the display cannot render faithfully gets a warning (:func:`frequency_warnings`).

Trial: ``cue`` (the target to attend is highlighted, nothing flickers) -> ``flicker`` (all targets
flicker) -> ``rest`` (``rest_duration`` + uniform jitter in ``[0, rest_jitter]``).
"""

from __future__ import annotations

import math

import numpy as np

from bcigui.core.checks import invalid_option
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.base import Paradigm, Phase, check_durations, session_phases
from bcigui.core.paradigms.mi import balanced_order
from bcigui.core.plugins.params import parse_floats

MODES = ("sinusoid", "onoff")
MIN_TARGETS, MAX_TARGETS = 2, 40


def luminance(freq: float, phase: float, frame: np.ndarray | int, refresh: float,
              mode: str = "sinusoid") -> np.ndarray:
    """Luminance in ``[0, 1]`` of a target at frame index/indices ``frame``; ``phase`` in radians."""
    if mode not in MODES:
        raise invalid_option("mode", mode, list(MODES))
    if not refresh > 0:
        raise ValueError(f"refresh rate must be > 0 Hz, got {refresh!r}")
    cycles = float(freq) * np.asarray(frame, dtype=float) / float(refresh) + phase / (2 * np.pi)
    if mode == "onoff":  # on during the first half of each cycle (sin >= 0), robust to rounding
        return (np.mod(np.round(cycles, 9), 1.0) < 0.5).astype(float)
    return 0.5 * (1.0 + np.sin(2 * np.pi * cycles))


def frame_luminances(freqs: list[float], phases: list[float], n_frames: int, refresh: float,
                     mode: str = "sinusoid", start_frame: int = 0) -> np.ndarray:
    """Luminance of every target over ``n_frames`` frames: array ``(n_frames, n_targets)``."""
    frames = np.arange(start_frame, start_frame + int(n_frames))
    return np.stack([luminance(f, p, frames, refresh, mode) for f, p in zip(freqs, phases, strict=True)],
                    axis=1)


def frequency_warnings(freqs: list[float], refresh: float, mode: str = "sinusoid") -> list[str]:
    """Human-readable warnings for frequencies the display cannot represent faithfully."""
    out = []
    for f in freqs:
        if f >= refresh / 2:
            out.append(f"{f:g} Hz is at or above half the refresh rate ({refresh:g}/2 Hz): "
                       "it cannot be rendered (aliasing)")
        elif mode == "onoff":
            ratio = refresh / f
            if abs(ratio - round(ratio)) > 1e-6:
                out.append(f"{f:g} Hz in on/off mode: {refresh:g}/{f:g} = {ratio:.3f} frames per cycle is not "
                           "an integer; cycles will have unequal lengths (use mode=sinusoid)")
    return out


class SSVEPParadigm(Paradigm):
    """SSVEP calibration; ``phases`` are in units of pi (``0.5`` = pi/2), durations in seconds."""

    name = "ssvep"

    def __init__(
        self,
        frequencies: str = "13,17,21",
        phases: str = "",
        mode: str = "sinusoid",
        trials_per_class: int = 8,
        baseline_duration: float = 10.0,
        cue_duration: float = 1.0,
        flicker_duration: float = 5.0,
        rest_duration: float = 1.5,
        rest_jitter: float = 0.5,
        seed: int = 0,
    ) -> None:
        freqs = parse_floats(frequencies, "frequencies")
        if not MIN_TARGETS <= len(freqs) <= MAX_TARGETS:
            raise ValueError(f"frequencies must list {MIN_TARGETS} to {MAX_TARGETS} targets, got {len(freqs)}: "
                             f"{frequencies!r}")
        if any(not (f > 0 and math.isfinite(f)) for f in freqs):
            raise ValueError(f"frequencies must all be > 0 Hz, got {frequencies!r}")
        keys = [mk.format_frequency(f) for f in freqs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"frequencies must be distinct, got {frequencies!r}")
        ph = parse_floats(phases, "phases") if phases not in ("", None) else []
        if not ph:
            ph = [0.0] * len(freqs)
        if len(ph) != len(freqs):
            raise ValueError(f"phases must have one value per frequency ({len(freqs)}), got {len(ph)}: {phases!r}")
        if mode not in MODES:
            raise invalid_option("mode", mode, list(MODES))
        check_durations(baseline_duration=baseline_duration, cue_duration=cue_duration,
                        flicker_duration=flicker_duration, rest_duration=rest_duration,
                        rest_jitter=rest_jitter)
        self.frequencies = freqs
        self.phases = ph
        self.mode = mode
        self.trials_per_class = int(trials_per_class)
        self.baseline_duration = float(baseline_duration)
        self.cue_duration = float(cue_duration)
        self.flicker_duration = float(flicker_duration)
        self.rest_duration = float(rest_duration)
        self.rest_jitter = float(rest_jitter)
        self.seed = int(seed)
        order = balanced_order([str(i) for i in range(len(freqs))], self.trials_per_class, self.seed)
        self._targets = [int(t) for t in order]
        self._schedule = self._build()

    @property
    def classes(self) -> list[str]:
        return [mk.ssvep_class(f) for f in self.frequencies]

    @property
    def phases_rad(self) -> list[float]:
        return [p * math.pi for p in self.phases]

    @property
    def targets(self) -> list[int]:
        """Index of the attended target of each trial, in presentation order."""
        return list(self._targets)

    def warnings(self, refresh: float) -> list[str]:
        return frequency_warnings(self.frequencies, refresh, self.mode)

    def luminances(self, frames: np.ndarray | int, refresh: float) -> np.ndarray:
        """Luminance of all targets at frame index/indices ``frames``: ``(..., n_targets)``."""
        return np.stack([luminance(f, p, frames, refresh, self.mode)
                         for f, p in zip(self.frequencies, self.phases_rad, strict=True)], axis=-1)

    def _build(self) -> list[Phase]:
        return session_phases(self.baseline_duration, map(self._trial, range(len(self._targets)), self._targets),
                              mk.FLICKER_END, self.rest_duration, self.rest_jitter, self.seed + 1)

    def _trial(self, i: int, target: int) -> list[Phase]:
        f = self.frequencies[target]
        cls, extra = mk.ssvep_class(f), {"target": target, "frequency": f}
        return [Phase("cue", self.cue_duration, (mk.TRIAL_START, mk.ssvep_cue_marker(f)), cls, i, extra),
                Phase("flicker", self.flicker_duration, (mk.FLICKER_START,), cls, i, extra)]

    def schedule(self) -> list[Phase]:
        return list(self._schedule)

"""Live learning curve during a calibration: cross-validated accuracy after each new trial, its 95 %
interval, chance, and a stop rule the operator may follow or ignore.

:class:`LiveCurve` cuts each finished trial from the acquisition's ring buffer (the same causal filter
and window as training, the filter started 2 s before the window), then :meth:`LiveCurve.update`
cross-validates the decoder on the trials so far (every fitted step inside the folds). ``collect`` is
cheap (call it from a timer); ``update`` fits models (call it off the GUI thread, one at a time).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bcigui.core.decoders.evaluation import chance_level, make_splits

PAD_SECONDS = 2.0  # the causal filter runs this long before the window, so the window holds no transient


def wilson(correct: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion ``correct / n``."""
    if n == 0:
        return 0.0, 1.0
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class CurvePoint:
    n_trials: int
    per_class: int  # trials of the smallest class
    accuracy: float
    low: float
    high: float
    chance: float
    threshold: float  # accuracy that guessing exceeds with probability < 5 %
    seconds: float  # compute time of this point


@dataclass(frozen=True)
class StopRule:
    """When to suggest ending the calibration (advice only; the operator decides)."""

    margin: float = 0.05
    flat_points: int = 4
    flat_tolerance: float = 0.05
    give_up_per_class: int = 15

    def describe(self) -> str:
        return (f"Good enough: the lower end of the interval is at least {self.margin:.0%} above the "
                f"level guessing could reach, and the last {self.flat_points} results moved by less than "
                f"{self.flat_tolerance:.0%}. Not learning: after {self.give_up_per_class} trials of each "
                "class the decoder still does no better than guessing.")

    def advice(self, points: list[CurvePoint]) -> tuple[str, str]:
        """``(state, sentence)``; state is ``"keep going"``, ``"good enough"`` or ``"not learning"``."""
        if not points:
            return "keep going", "Keep going: too few trials to tell yet."
        last = points[-1]
        recent = [p.accuracy for p in points[-self.flat_points:]]
        flat = len(recent) == self.flat_points and max(recent) - min(recent) < self.flat_tolerance
        if last.low >= last.threshold + self.margin and flat:
            return "good enough", ("Good enough: the decoder is reliably better than guessing and more trials "
                                   "no longer change it. You may end the calibration.")
        if last.per_class >= self.give_up_per_class and last.accuracy < last.threshold:
            return "not learning", ("Not learning: after many trials the decoder still guesses. Check the "
                                    "signal and the instructions before going on.")
        return "keep going", "Keep going: the decoder is still learning."


class LiveCurve:
    """Trials of a running calibration and the cross-validated curve over them.

    ``make_pipeline()`` returns a fresh unfitted decoder; ``filt`` is its causal
    :class:`~bcigui.core.signal.filters.FilterSpec` (or None); ``tmin``/``tmax`` its window after the cue.
    """

    def __init__(self, make_pipeline: Any, sfreq: float, n_channels: int, tmin: float, tmax: float,
                 filt: Any = None, min_per_class: int = 3, rule: StopRule | None = None, seed: int = 42) -> None:
        self.make_pipeline = make_pipeline
        self.sfreq = float(sfreq)
        self.n_channels = int(n_channels)
        self.tmin, self.tmax = float(tmin), float(tmax)
        self.n_times = int(round((self.tmax - self.tmin) * self.sfreq))
        self.filt = filt
        self.min_per_class = int(min_per_class)
        self.rule = rule or StopRule()
        self.seed = seed
        self.pipeline_name = ""
        self.X: list[np.ndarray] = []
        self.y: list[str] = []
        self.missed = 0  # trials whose window was no longer (or never) in the buffer
        self.points: list[CurvePoint] = []
        self._next_cue = 0
        self._lock = threading.Lock()

    def epoch(self, data: np.ndarray, times: np.ndarray, onset: float) -> np.ndarray | None:
        """The trial window ``(n_channels, n_times)`` after cue ``onset`` from buffer samples, filtered
        causally from ``PAD_SECONDS`` before it; None if the buffer does not hold all of it."""
        from bcigui.core.signal.filters import CausalFilter

        start = onset + self.tmin
        first = int(np.searchsorted(times, start - PAD_SECONDS))
        i0 = int(np.searchsorted(times, start))
        if len(times) == 0 or times[0] > start - 1.0 / self.sfreq or i0 + self.n_times > len(times):
            return None
        seg = np.asarray(data[first:i0 + self.n_times], dtype=np.float64)
        if not np.all(np.isfinite(seg)):
            return None
        if self.filt is not None:
            seg = CausalFilter(self.filt, self.sfreq, seg.shape[1]).process(seg)
        return seg[i0 - first:].T

    def collect(self, cues: list[tuple[float, str]], buffer: Any, now: float) -> int:
        """Cut the trials of ``cues`` (onset, class) whose window has ended by ``now``; returns how many
        were added."""
        added = 0
        while self._next_cue < len(cues) and cues[self._next_cue][0] + self.tmax + 0.05 <= now:
            onset, label = cues[self._next_cue]
            span = now - (onset + self.tmin) + PAD_SECONDS + 0.5
            data, times = buffer.get_data(int(span * self.sfreq))
            ep = self.epoch(data, times, onset)
            self._next_cue += 1
            if ep is None:
                self.missed += 1
                continue
            with self._lock:
                self.X.append(ep)
                self.y.append(str(label))
            added += 1
        return added

    def adopt(self, other: LiveCurve) -> int:
        """Start from ``other``'s trials (another pipeline chosen mid-run): taken as they are when both cut
        the same window with the same filter, else cut again from the buffer (:meth:`collect` from the
        first cue: the trials the buffer still holds). Returns how many trials were taken over."""
        same = (self.filt == other.filt and (self.tmin, self.tmax, self.sfreq) == (other.tmin, other.tmax, other.sfreq))
        with other._lock:
            X, y, missed, nxt = list(other.X), list(other.y), other.missed, other._next_cue
        with self._lock:
            if same:
                self.X, self.y, self.missed, self._next_cue = X, y, missed, nxt
            else:
                self.X, self.y, self.missed, self._next_cue = [], [], 0, 0
        return len(y) if same else 0

    def add(self, epoch: np.ndarray, label: str) -> None:
        """Add a trial already cut (``(n_channels, n_times)``)."""
        with self._lock:
            self.X.append(np.asarray(epoch, dtype=np.float64))
            self.y.append(str(label))

    def ready(self) -> bool:
        """At least ``min_per_class`` trials in each of two classes or more."""
        counts = np.unique(self.y, return_counts=True)[1] if self.y else []
        return len(counts) >= 2 and min(counts) >= self.min_per_class

    def update(self) -> CurvePoint | None:
        """Cross-validate on every trial so far (stratified k-fold, k = min(5, smallest class)); the point
        is appended to :attr:`points` and returned (None while too few trials)."""
        with self._lock:
            X, y = np.array(self.X), np.array(self.y)
        if not len(y) or (self.points and self.points[-1].n_trials == len(y)):
            return None
        counts = np.unique(y, return_counts=True)[1]
        if len(counts) < 2 or counts.min() < self.min_per_class:
            return None
        t0 = time.perf_counter()
        correct = 0
        for train, test in make_splits(y, cv=int(min(5, counts.min())), seed=self.seed):
            pipe = self.make_pipeline().fit(X[train], y[train])
            correct += int(np.sum(np.asarray(pipe.predict(X[test])).astype(str) == y[test]))
        low, high = wilson(correct, len(y))
        chance, threshold = chance_level(y)
        point = CurvePoint(len(y), int(counts.min()), correct / len(y), low, high, chance, threshold,
                           time.perf_counter() - t0)
        self.points.append(point)
        return point

    def advice(self) -> tuple[str, str]:
        return self.rule.advice(self.points)


def live_curve_for(paradigm: str, sfreq: float, ch_names: list[str], classes: list[str], pipeline: str | None = None,
                   rule: StopRule | None = None) -> LiveCurve:
    """The live curve of the decoder the guided session would train first (``csp_lda`` for MI,
    ``fbcca`` for SSVEP) or of ``pipeline``: its filter, window and parameters."""
    from bcigui.core.decoders.training import build_pipeline, default_filter, get_decoder
    from bcigui.core.guided import GUIDED_PIPELINES

    name = pipeline or GUIDED_PIPELINES[paradigm][0]
    spec = get_decoder(name, paradigm)
    filt = default_filter(spec)
    tmin, tmax = float(spec.tags.get("tmin", 0.5)), float(spec.tags.get("tmax", 2.5))

    def make() -> Any:
        return build_pipeline(spec, sfreq, list(ch_names), sorted(classes))[0]

    curve = LiveCurve(make, sfreq, len(ch_names), tmin, tmax, filt, rule=rule)
    curve.pipeline_name = name
    return curve

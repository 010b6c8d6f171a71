"""Trial-level scoring of sliding-window predictions against cues, as online use sees it."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bcigui.core.decoders.evaluation import significance_threshold
from bcigui.core.online.decoder import Prediction, pseudo_online


@dataclass
class TrialResult:
    cue_time: float
    true: str
    predicted: str  # "" when no usable window fell in the trial
    n_windows: int


@dataclass
class TrialScorer:
    """Match predictions to cued trials: windows ending in ``[cue + start, cue + stop]`` vote.

    The trial's decision is the class with the highest mean probability over its windows (ties and
    rejected windows do not count); online accuracy is the fraction of trials decided correctly.
    """

    classes: list[str]
    start: float = 0.5
    stop: float = 4.0
    cues: list[tuple[float, str]] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)
    _probas: list[np.ndarray] = field(default_factory=list)

    def add_cue(self, timestamp: float, cls: str) -> None:
        if cls in self.classes:
            self.cues.append((float(timestamp), cls))

    def add_prediction(self, pred: Prediction) -> None:
        i = bisect.bisect_right(self._times, pred.timestamp)
        self._times.insert(i, pred.timestamp)
        self._probas.insert(i, np.asarray(pred.proba) if pred.index >= 0 else np.full(len(self.classes), np.nan))

    def trials(self, now: float | None = None) -> list[TrialResult]:
        """Results of the cued trials whose scoring window has closed (all if ``now`` is None)."""
        out = []
        for t, cls in self.cues:
            if now is not None and t + self.stop > now:
                continue
            i = bisect.bisect_left(self._times, t + self.start)
            j = bisect.bisect_right(self._times, t + self.stop)
            probas = [p for p in self._probas[i:j] if np.all(np.isfinite(p))]
            if probas:
                predicted = self.classes[int(np.argmax(np.mean(probas, axis=0)))]
            else:
                predicted = ""
            out.append(TrialResult(t, cls, predicted, len(probas)))
        return out

    def summary(self, now: float | None = None) -> dict[str, Any]:
        res = self.trials(now)
        scored = [r for r in res if r.predicted]
        correct = sum(r.predicted == r.true for r in scored)
        # A live session has few trials: the majority proportion of the cues so far (100 % after one
        # trial) says nothing; chance is one in n classes (the paradigms balance their cues) and the
        # binomial threshold tells how much above it the accuracy must be to mean something.
        chance = 1.0 / len(self.classes)
        n = len(scored)
        return {
            "n_trials": len(res),
            "n_scored": n,
            "accuracy": correct / len(scored) if scored else float("nan"),
            "chance_level": chance,
            # the lowest accuracy above the threshold that n trials can give
            "significant_from": significance_threshold(n, chance) + 1 / n if n else float("nan"),
        }


def pseudo_online_trials(
    pipeline: Any,
    manifest: dict[str, Any],
    recordings: list[Any],
    event_map: dict[str, str],
    hop: float = 0.1,
    start: float | None = None,
    stop: float | None = None,
    adapt: bool = False,
) -> dict[str, Any]:
    """Replay recordings window by window through the online decoder; score trials.

    By default a trial is scored on the windows ending in ``[cue + tmax, cue + tmax + 0.5 s]``: the
    window that matches the trained epoch and those up to half a second later. ``adapt``: the decoder
    re-centres itself on the replayed signal (no labels), each recording starting from the model's state.
    """
    import copy

    from bcigui.core.data.epochs import _match_event

    classes = [str(c) for c in manifest["classes"]]
    tmax = float(manifest["tmax"])
    start = tmax if start is None else start
    stop = start + 0.5 if stop is None else stop
    all_trials: list[TrialResult] = []
    n_windows = 0
    for rec in recordings:
        data = rec.raw.get_data().T
        pipe = copy.deepcopy(pipeline) if adapt else pipeline  # the model itself is never changed
        preds = pseudo_online(pipe, manifest, data, rec.sfreq, rec.ch_names, hop=hop, adapt=adapt)
        n_windows += len(preds)
        scorer = TrialScorer(classes, start=start, stop=stop)
        for ev in rec.events:
            cls = _match_event(ev.description, event_map)
            if cls is not None:
                scorer.add_cue(ev.onset, cls)
        for p in preds:
            scorer.add_prediction(p)
        all_trials.extend(scorer.trials())
    scored = [r for r in all_trials if r.predicted]
    counts = Counter(r.true for r in all_trials)
    return {
        "mode": "pseudo-online",
        "adapt": adapt,
        "hop": hop,
        "n_windows": n_windows,
        "n_trials": len(all_trials),
        "n_scored": len(scored),
        "accuracy": (sum(r.predicted == r.true for r in scored) / len(scored)) if scored else float("nan"),
        "chance_level": (max(counts.values()) / len(all_trials)) if all_trials else float("nan"),
        "classes": classes,
        "trials": [r.__dict__ for r in all_trials],
    }

"""Cued feedback runs: a paradigm run with a model, decoded live, recorded and scored per trial.

:class:`FeedbackSession` is a :class:`~bcigui.core.recording.session.CalibrationSession` (same
schedule, marker outlet, crash-safe recording and BIDS layout, task ``<paradigm>feedback``) plus the
decoder of the online panel: an :class:`~bcigui.core.online.runner.OnlineRunner` in its own process
(:class:`~bcigui.core.online.process.DecoderProcess`) on the same stream, so that decoding never takes
the interpreter from the stimulus window's frames (an SSVEP flicker dropped 2-10 % of its frames with the
runner in a thread of the app, 0.2-1.2 % with it in its own process, 0.6-1.0 % without decoding).

Each cue the session shows is scored against the predictions the way ``bcigui evaluate
--pseudo-online`` scores a recording (:class:`~bcigui.core.online.scoring.TrialScorer`, windows
ending in ``[cue + tmax, cue + tmax + 0.5]``), so the live score is against this run's own cues only. Every prediction goes to
``predictions.jsonl`` in the crash-safe folder; at the end the summary is written beside the
session's ``eeg/`` folder as ``<run>_feedback.json``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pylsl

from bcigui.core.decoders.evaluation import binomial_p_value
from bcigui.core.online.decoder import Prediction
from bcigui.core.online.process import DecoderProcess, live_decoder
from bcigui.core.online.runner import RunnerOptions
from bcigui.core.online.scoring import TrialScorer
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.base import Paradigm, Phase
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.recording.session import CalibrationSession, SessionInfo
from bcigui.core.recording.writer import write_json_atomic

FEEDBACK_SUFFIX = "feedback"


def feedback_task(paradigm_name: str) -> str:
    """BIDS task label of a feedback run of ``paradigm_name`` (``mi`` -> ``mifeedback``)."""
    return f"{paradigm_name}{FEEDBACK_SUFFIX}"


def paradigm_params_for_model(paradigm: str, manifest: dict[str, Any]) -> dict[str, Any]:
    """Paradigm parameters that cue exactly the model's classes (MI classes or SSVEP frequencies)."""
    classes = [str(c) for c in manifest["classes"]]
    if paradigm == "mi":
        bad = [c for c in classes if c not in mk.MI_CLASSES]
        if bad:
            raise ValueError(f"the model's classes must be MI classes {list(mk.MI_CLASSES)} for an MI feedback "
                             f"run, got {classes}")
        return {"classes": ",".join(classes)}
    if paradigm == "ssvep":
        freqs = [mk.ssvep_frequency(c) for c in classes]
        if any(f is None for f in freqs):
            raise ValueError(f"the model's classes must be SSVEP targets like '13.0Hz' for an SSVEP feedback run, "
                             f"got {classes}")
        return {"frequencies": ",".join(mk.format_frequency(f) for f in freqs)}
    return {}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class FeedbackSession(CalibrationSession):
    """A cued run with live decoding and per-trial scoring; drive it like a calibration session.

    ``model`` is a loaded model (``.pipeline``, ``.manifest``); ``model_path`` its file (named and
    hashed in the summary). ``smoothing`` predictions are averaged for the feedback display.
    """

    def __init__(self, acquisition: Any, paradigm: Paradigm, out: str | Path, info: SessionInfo, model: Any,
                 model_path: str | Path, outlet: MarkerOutlet | None = None, max_seconds: float | None = None,
                 record_markers_directly: bool = False, other_markers: tuple[str, ...] = (),
                 hop: float = 0.1, smoothing: int = 5, predictions_outlet: str | None = None,
                 decoder: DecoderProcess | None = None) -> None:
        if info.task is None:
            info.task = feedback_task(paradigm.name)
        self.model, self.model_path = model, Path(model_path)
        manifest = model.manifest
        self.classes = [str(c) for c in manifest["classes"]]
        missing = [c for c in paradigm.classes if c not in self.classes]
        if missing:
            raise ValueError(f"the paradigm cues classes the model does not know: {missing} "
                             f"(model classes: {self.classes})")
        self.options = RunnerOptions(hop=hop, outlet_name=predictions_outlet)
        self.options.runner(model, acquisition)  # the stream must fit the model: said now, before anything starts
        super().__init__(acquisition, paradigm, out, info, outlet, max_seconds, record_markers_directly,
                         other_markers)
        self.event_map = {str(k): str(v) for k, v in (manifest.get("event_map") or {}).items()}
        tmax = float(manifest["tmax"])
        self.scorer = TrialScorer(self.classes, start=tmax, stop=tmax + 0.5)
        self.smoothing = max(1, int(smoothing))
        self._recent: list[np.ndarray] = []
        self._lock = threading.Lock()
        self.n_predictions = 0
        self._own_decoder = decoder is None  # else the caller's (a new one if it had died: see .decoder)
        self.decoder = live_decoder(decoder, acquisition.eeg.desc, self.model_path,
                                    float(getattr(acquisition, "buffer_seconds", 60.0)))
        self.decoder.subscribe(self._on_prediction)
        self.summary_path: Path | None = None

    def wait_decoder(self, timeout: float = 60.0) -> None:
        """Block until the decoding process holds the model and the stream; ``RuntimeError`` if it cannot."""
        deadline = time.monotonic() + timeout
        while (problem := self.decoder.problem()) == "":
            if time.monotonic() > deadline:
                raise RuntimeError(f"the decoder was not ready after {timeout:g} s")
            time.sleep(0.05)
        if problem:
            raise RuntimeError(f"the decoder cannot start: {problem}")

    # -- decoding ------------------------------------------------------------------------------
    def _on_prediction(self, pred: Prediction) -> None:
        with self._lock:
            self.n_predictions += 1
            self.scorer.add_prediction(pred)
            if pred.index >= 0:
                self._recent = [*self._recent[-(self.smoothing - 1):], np.asarray(pred.proba)] \
                    if self.smoothing > 1 else [np.asarray(pred.proba)]

    def feedback(self) -> dict[str, float] | None:
        """Smoothed class probabilities for the feedback display (None before the first prediction)."""
        with self._lock:
            if not self._recent:
                return None
            mean = np.mean(self._recent, axis=0)
        return dict(zip(self.classes, map(float, mean), strict=True))

    def _class_of(self, label: str) -> str | None:
        if label in self.event_map:
            return self.event_map[label]
        cls = mk.class_from_marker(label)
        return cls if cls in self.classes else None

    # -- session hooks -----------------------------------------------------------------------------
    def begin(self) -> list[Phase]:
        self.wait_decoder()
        phases = super().begin()
        self.decoder.start(replace(self.options, log_path=str(self.plan.bcirec / "predictions.jsonl")))
        return phases

    def shown(self, phases: list[Phase], timestamp: float | None = None) -> float:
        t = super().shown(phases, timestamp)
        for label in (e for p in phases for e in p.events):
            cls = self._class_of(label)
            if cls is not None:
                with self._lock:
                    self.scorer.add_cue(t, cls)
        return t

    def score(self, now: float | None = None) -> dict[str, Any]:
        """Trials scored so far (those whose scoring window has closed), with chance and p-value."""
        now = pylsl.local_clock() if now is None else now
        with self._lock:
            trials = self.scorer.trials(now)
        return summarize_trials(trials, self.classes)

    def progress(self, now: float | None = None) -> dict[str, Any]:
        out = super().progress(now)
        out["score"] = self.score(now)
        out["feedback"] = self.feedback()
        status = self.decoder.status
        out["decoder_warning"] = (f"no feedback: {status.reason}; the run is still recorded"
                                  if status.state == "error" else "")
        return out

    def finish(self, settle: float | None = None) -> Path:
        """Wait for the last trial's scoring window, stop decoding, save the run and its summary."""
        if settle is None:  # until the last cue's scoring window has closed (and its windows arrived)
            last = max((t for t, _ in self.scorer.cues), default=-np.inf)
            settle = max(0.3, last + self.scorer.stop + 0.3 - pylsl.local_clock())
        try:
            out = super().finish(settle=settle)
        finally:
            self.release_decoder()
        self.summary_path = self.write_summary(out)
        return out

    def release_decoder(self) -> None:
        """Stop decoding; end the decoding process if this session started it."""
        self.decoder.stop(timeout=5.0)  # every prediction logged has reached the score
        self.decoder.unsubscribe(self._on_prediction)
        if self._own_decoder:
            self.decoder.close()

    def summary(self) -> dict[str, Any]:
        with self._lock:
            trials = self.scorer.trials()
        res = summarize_trials(trials, self.classes, t0=self.t_start or 0.0)
        res.update(
            model=self.model_path.name, model_sha256=file_sha256(self.model_path), task=self.task,
            run=self.plan.run, paradigm=self.paradigm.name,
            trial_duration=self.paradigm.total_duration() / max(1, self.paradigm.n_trials()),
            predictions=self.n_predictions,
        )
        return res

    def write_summary(self, recording: Path | None = None) -> Path:
        """``sub-XX/[ses-YY/]<run>_feedback.json`` beside the ``eeg/`` folder (atomic write)."""
        res = self.summary()
        if recording is not None:
            res["recording"] = f"eeg/{Path(recording).name}"
        path = self.plan.fif.parent.parent / f"{self.plan.basename}_{FEEDBACK_SUFFIX}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(path, res)
        return path


def summarize_trials(trials: list, classes: list[str], t0: float = 0.0) -> dict[str, Any]:
    """Accuracy, chance, binomial p-value, per-class counts and confusion of scored trials.

    Trial onsets are given in seconds from ``t0`` (the start of the session).
    """
    scored = [r for r in trials if r.predicted]
    n = len(scored)
    correct = sum(r.predicted == r.true for r in scored)
    chance = 1.0 / len(classes)
    index = {c: i for i, c in enumerate(classes)}
    confusion = np.zeros((len(classes), len(classes)), dtype=int)
    for r in scored:
        confusion[index[r.true], index[r.predicted]] += 1
    per_class = {}
    for c in classes:
        rows = [r for r in scored if r.true == c]
        ok = sum(r.predicted == c for r in rows)
        per_class[c] = {"n": len(rows), "correct": ok, "accuracy": ok / len(rows) if rows else None}
    return {
        "accuracy": correct / n if n else None,
        "n_trials": len(trials),
        "n_scored": n,
        "chance_level": chance,
        "p_value": binomial_p_value(correct, n, chance) if n else None,
        "per_class": per_class,
        "classes": list(classes),
        "confusion": confusion.tolist(),
        "trials": [{"onset": round(r.cue_time - t0, 4), "true": r.true, "predicted": r.predicted,
                    "correct": bool(r.predicted == r.true), "n_windows": r.n_windows} for r in trials],
    }

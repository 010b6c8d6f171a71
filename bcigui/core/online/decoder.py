"""The single decode path: the fitted pipeline on sliding windows of a continuous signal.

:class:`SlidingDecoder` takes consecutive chunks of the continuous signal, filters them causally with
the model's filter (state carried across chunks), cuts a window every ``hop`` seconds and classifies
it. :func:`pseudo_online` feeds it a recording, chunk by chunk, exactly as a live stream would.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from bcigui.core.data.channels import match_channels
from bcigui.core.signal.filters import CausalFilter, FilterSpec
from bcigui.core.signal.invalid import SETTLE_SECONDS, hold_last_valid
from bcigui.core.signal.resample import StreamResampler

REJECTED = -1


@dataclass(frozen=True)
class ModelSpec:
    """What the online side needs to know about a trained model (read from its manifest)."""

    classes: list[str]
    ch_names: list[str]
    sfreq: float
    tmin: float
    tmax: float
    filter: FilterSpec

    @property
    def n_times(self) -> int:
        return int(round((self.tmax - self.tmin) * self.sfreq))

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> ModelSpec:
        try:
            return cls(
                classes=[str(c) for c in manifest["classes"]],
                ch_names=list(manifest["ch_names"]),
                sfreq=float(manifest["sfreq"]),
                tmin=float(manifest["tmin"]),
                tmax=float(manifest["tmax"]),
                filter=FilterSpec.from_dict(manifest.get("filter")),
            )
        except KeyError as err:
            raise ValueError(f"model manifest lacks the field {err.args[0]!r}") from None


@dataclass
class Prediction:
    """One classified window."""

    timestamp: float  # timestamp of the window's last sample
    sample_index: int  # absolute index (in the input stream) of the window's last sample
    proba: np.ndarray
    label: str  # predicted class, or "" when rejected
    index: int  # class index, or REJECTED

    def to_dict(self, classes: list[str]) -> dict[str, Any]:
        out = {"timestamp": self.timestamp, "sample": self.sample_index, "label": self.label}
        out.update({f"p_{c}": round(float(p), 6) for c, p in zip(classes, self.proba, strict=True)})
        return out


def class_probabilities(pipeline: Any, X: np.ndarray, classes: list[str]) -> np.ndarray:
    """Class probabilities ``(n, len(classes))`` with columns in the order of ``classes``.

    ``predict_proba`` when the classifier has it; otherwise a softmax of ``decision_function``
    (e.g. SVMs), or a one-hot of ``predict``. The pipeline's own column order (``classes_``) may
    differ from the manifest's; columns are matched by class name.
    """
    own = [str(c) for c in getattr(pipeline, "classes_", classes)]
    missing = [c for c in classes if c not in own]
    if missing:
        raise ValueError(f"the pipeline does not know the class(es) {missing}; it predicts {own}")
    if hasattr(pipeline, "predict_proba"):
        p = np.asarray(pipeline.predict_proba(X), dtype=float)
    elif hasattr(pipeline, "decision_function"):
        d = np.asarray(pipeline.decision_function(X), dtype=float)
        if d.ndim == 1:  # binary: score of the second class
            d = np.stack([-d, d], axis=1) / 2
        e = np.exp(d - d.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    else:
        pred = [str(c) for c in pipeline.predict(X)]
        p = np.zeros((len(X), len(own)))
        p[np.arange(len(X)), [own.index(c) for c in pred]] = 1.0
    return p[:, [own.index(c) for c in classes]]


def map_channels(model_channels: list[str], stream_channels: list[str]) -> list[int]:
    """Indices of the model's channels in the stream, matched by normalised name
    (:func:`~bcigui.core.data.channels.channel_key`: ``Fc5.`` = ``FC5`` = ``fc5``); the error lists
    the missing ones."""
    picks, missing = match_channels(model_channels, stream_channels)
    if missing:
        raise ValueError(
            f"The stream lacks {len(missing)} channel(s) the model needs: {missing}; "
            f"stream channels: {list(stream_channels)}"
        )
    return picks


@dataclass
class DecoderStats:
    windows: int = 0
    skipped_nonfinite: int = 0
    rejected: int = 0
    resets: int = 0
    adapted: int = 0  # windows the reference was re-centred on (adaptation)
    last_compute_ms: float = 0.0


class SlidingDecoder:
    """Causal filtering + sliding-window classification of a continuous signal.

    Feed consecutive chunks ``(n_samples, n_stream_channels)`` with :meth:`process`; it returns the
    predictions of every window completed by that chunk. Windows touching non-finite samples (and
    the filter's settling time after them) are skipped and counted, never predicted.
    """

    def __init__(
        self,
        pipeline: Any,
        spec: ModelSpec,
        stream_channels: list[str],
        stream_sfreq: float,
        hop: float = 0.1,
        smoothing: int = 1,
        threshold: float | None = None,
        settle: float = SETTLE_SECONDS,
        resample: bool = False,
        max_abs: float | None = None,
        adapt: bool = False,
        adapt_min_rate: float = 0.01,
    ) -> None:
        mismatch = abs(stream_sfreq - spec.sfreq) > 1e-6
        if mismatch and not resample:
            raise ValueError(
                f"The stream's sampling rate is {stream_sfreq:g} Hz but the model was trained at "
                f"{spec.sfreq:g} Hz; enable resampling (resample=True, --resample) or retrain the model"
            )
        if hop <= 0:
            raise ValueError(f"hop must be > 0 seconds, got {hop}")
        if smoothing < 1:
            raise ValueError(f"smoothing must be >= 1 window, got {smoothing}")
        if threshold is not None and not 0 <= threshold <= 1:
            raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
        if adapt and not hasattr(pipeline, "adapt"):
            raise ValueError("adaptation needs a model trained with alignment (bcigui train --align recenter, or "
                             "--prior); this model's pipeline cannot re-centre itself")
        self.pipeline = pipeline
        self.spec = spec
        self.adapt = bool(adapt)  # unsupervised re-centring on every non-overlapping window
        self.adapt_min_rate = float(adapt_min_rate)
        self._next_adapt = spec.n_times
        self._pending_adapt: np.ndarray | None = None
        self.picks = map_channels(spec.ch_names, stream_channels)
        self.hop_samples = max(1, int(round(hop * spec.sfreq)))
        self.smoothing = int(smoothing)
        self.threshold = threshold
        self.settle_samples = int(round(settle * spec.sfreq))
        self.max_abs = max_abs  # values beyond it (input units, e.g. volts) are bad samples, like NaN
        self.stats = DecoderStats()
        self._filter = CausalFilter(spec.filter, spec.sfreq, len(self.picks))
        self._resampler = StreamResampler(stream_sfreq, spec.sfreq, len(self.picks)) if mismatch else None
        n = spec.n_times
        self._ring = np.zeros((len(self.picks), n))  # filtered samples, channels x time, circular
        self._ring_pos = 0  # column of the next sample
        self._last_time = 0.0  # timestamp of the newest sample
        self._n_seen = 0  # samples processed since start/reset
        self._index0 = 0  # absolute stream index of the first sample since start/reset
        self._bad_until = -1  # windows ending at or before this (relative) index are skipped
        self._next_end = n  # relative index at which the next window ends
        self._history: deque[np.ndarray] = deque(maxlen=self.smoothing)
        self._last_fill = np.zeros(len(self.picks))

    @property
    def lookback_samples(self) -> int:
        """Stream samples one window and the filter's settling span: what :class:`OnlineRunner` decodes
        from before its start, so that its first prediction needs no new sample."""
        ratio = self._resampler.from_sfreq / self.spec.sfreq if self._resampler is not None else 1.0
        return int(np.ceil((self.spec.n_times + self.settle_samples) * ratio))

    def reset(self, next_index: int, warmup: int = 0) -> None:
        """Discontinuity (gap in the stream) or start: restart filter state and window filling.

        ``warmup``: samples (at the model's rate, at most the settling span) fed to the filter before
        the first window starts, so that it does not hold the filter's start-up transient."""
        self._filter.reset()
        if self._resampler is not None:
            r = self._resampler
            self._resampler = StreamResampler(r.from_sfreq, r.to_sfreq, len(self.picks))
        self._n_seen = 0
        self._index0 = next_index
        self._bad_until = -1
        self._next_end = self.spec.n_times + min(max(0, int(warmup)), self.settle_samples)
        self._next_adapt = self._next_end
        self._history.clear()
        self.stats.resets += 1

    def process(self, chunk: np.ndarray, timestamps: np.ndarray) -> list[Prediction]:
        if self._pending_adapt is not None:
            self.pipeline.adapt(self._pending_adapt, self.adapt_min_rate)
            self._pending_adapt = None
            self.stats.adapted += 1
        chunk = np.asarray(chunk, dtype=np.float64)[:, self.picks]
        timestamps = np.asarray(timestamps, dtype=np.float64)
        invalid = ~np.isfinite(chunk)
        if self.max_abs is not None:
            with np.errstate(invalid="ignore"):
                invalid |= np.abs(chunk) > self.max_abs
        bad = invalid.any(axis=1)
        if bad.any():
            chunk = self._fill_invalid(chunk.copy(), invalid)  # NaNs or spikes would poison the filters' state
        elif len(chunk):
            self._last_fill = chunk[-1]
        if self._resampler is not None:
            chunk, timestamps, bad = self._resampler.process(chunk, timestamps, bad)
        out: list[Prediction] = []
        pos = 0
        n_total = chunk.shape[0]
        while pos < n_total:
            # feed samples up to the end of the next window
            take = min(n_total - pos, self._next_end - self._n_seen)
            part_bad = bad[pos : pos + take]
            if part_bad.any():
                last_bad = int(np.nonzero(part_bad)[0][-1])
                self._bad_until = max(self._bad_until, self._n_seen + last_bad + self.settle_samples)
            filtered = self._filter.process(chunk[pos : pos + take])
            self._append(filtered, timestamps[pos : pos + take])
            self._n_seen += take
            pos += take
            if self._n_seen == self._next_end:
                pred = self._classify()
                if pred is not None:
                    out.append(pred)
                self._next_end += self.hop_samples
        return out

    def _fill_invalid(self, part: np.ndarray, invalid: np.ndarray) -> np.ndarray:
        """Hold each channel's last valid value over its invalid samples (as ``make_epochs`` does)."""
        part, self._last_fill = hold_last_valid(part, invalid, self._last_fill)
        return part

    def _append(self, data: np.ndarray, times: np.ndarray) -> None:
        n = len(data)
        if n == 0:
            return
        w = self._ring.shape[1]
        if n >= w:
            data, n = data[-w:], w
        first = min(n, w - self._ring_pos)
        self._ring[:, self._ring_pos : self._ring_pos + first] = data[:first].T
        self._ring[:, : n - first] = data[first:].T
        self._ring_pos = (self._ring_pos + n) % w
        self._last_time = float(times[-1])

    def _window(self) -> np.ndarray:
        """The last ``n_times`` filtered samples as one contiguous epoch ``(1, n_channels, n_times)``."""
        p = self._ring_pos
        return np.concatenate((self._ring[:, p:], self._ring[:, :p]), axis=1)[None]

    def _classify(self) -> Prediction | None:
        end_rel = self._n_seen  # window covers relative samples [end_rel - n_times, end_rel)
        if self._bad_until >= 0 and end_rel - self.spec.n_times <= self._bad_until:
            self.stats.skipped_nonfinite += 1  # window overlaps non-finite/implausible input or its settling
            return None
        t0 = time.perf_counter()
        window = self._window()
        proba = class_probabilities(self.pipeline, window, self.spec.classes)[0]
        if self.adapt and end_rel >= self._next_adapt:  # windows that do not overlap: each sample counts once
            self._pending_adapt = window  # applied at the next chunk, after this prediction is published
            self._next_adapt = end_rel + self.spec.n_times
        self.stats.last_compute_ms = (time.perf_counter() - t0) * 1e3
        self.stats.windows += 1
        self._history.append(proba)
        smoothed = np.mean(self._history, axis=0)
        idx = int(np.argmax(smoothed))
        if self.threshold is not None and smoothed[idx] < self.threshold:
            self.stats.rejected += 1
            idx, label = REJECTED, ""
        else:
            label = self.spec.classes[idx]
        return Prediction(
            timestamp=self._last_time,
            sample_index=self._index0 + end_rel - 1,
            proba=smoothed,
            label=label,
            index=idx,
        )


def pseudo_online(
    pipeline: Any,
    manifest: dict[str, Any],
    data: np.ndarray,
    sfreq: float,
    ch_names: list[str],
    hop: float = 0.1,
    chunk: int = 32,
    smoothing: int = 1,
    threshold: float | None = None,
    adapt: bool = False,
) -> list[Prediction]:
    """Replay a continuous recording ``(n_samples, n_channels)`` through :class:`SlidingDecoder`.

    Timestamps are sample times from 0; the chunk size does not change the result.
    """
    spec = ModelSpec.from_manifest(manifest)
    dec = SlidingDecoder(pipeline, spec, ch_names, sfreq, hop=hop, smoothing=smoothing, threshold=threshold,
                         adapt=adapt)
    times = np.arange(data.shape[0]) / sfreq
    preds: list[Prediction] = []
    for start in range(0, data.shape[0], chunk):
        preds.extend(dec.process(data[start : start + chunk], times[start : start + chunk]))
    return preds

"""Live decoding: :class:`OnlineRunner` feeds :class:`~bcigui.core.online.decoder.SlidingDecoder`
from a live :class:`~bcigui.core.stream.acquisition.Acquisition` in a background thread and
publishes predictions on LSL and to a log."""

from __future__ import annotations

import gc
import hashlib
import json
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.online.decoder import ModelSpec, Prediction, SlidingDecoder
from bcigui.core.stream.health import MAX_ABS_VOLTS
from bcigui.core.stream.lsl import free_source_id


def manifest_sha256(manifest: dict[str, Any]) -> str:
    """sha256 of the manifest as canonical JSON: identifies a trained model (its training data
    fingerprint, parameters and cross-validation are in it)."""
    return hashlib.sha256(json.dumps(manifest, sort_keys=True, default=str).encode("utf-8")).hexdigest()


@dataclass
class RunnerStatus:
    state: str = "idle"  # idle | running | paused | stopped | error
    reason: str = ""
    predictions: int = 0
    skipped_nonfinite: int = 0
    resets: int = 0
    latency_ms: float = 0.0
    gc_pauses: int = 0  # garbage collections during decoding (any thread: they stop all of them)
    gc_max_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunnerOptions:
    """How an :class:`OnlineRunner` decodes and publishes; one set for the CLI, the dock and the
    decoding process (:meth:`runner` builds the runner)."""

    hop: float = 0.1
    smoothing: int = 1
    threshold: float | None = None
    outlet_name: str | None = "bcigui-predictions"
    resample: bool = False
    adapt: bool = False
    log_path: str | None = None

    def runner(self, model: Any, acquisition: Any, model_path: str | Path | None = None,
               source_id: str | None = None) -> OnlineRunner:
        """An :class:`OnlineRunner` of a loaded ``model`` (``.pipeline``, ``.manifest``) on ``acquisition``."""
        return OnlineRunner(model.pipeline, model.manifest, acquisition, hop=self.hop, smoothing=self.smoothing,
                            threshold=self.threshold, outlet_name=self.outlet_name, log_path=self.log_path,
                            resample=self.resample, model_path=model_path, adapt=self.adapt, source_id=source_id)


class GCPauses:
    """Counts the garbage collections (and the longest) while installed: each stops every thread."""

    def __init__(self, status: RunnerStatus) -> None:
        self.status = status
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.status.gc_pauses += 1
            self.status.gc_max_ms = max(self.status.gc_max_ms, (time.perf_counter() - self._t0) * 1e3)

    def install(self) -> None:
        if self not in gc.callbacks:
            gc.callbacks.append(self)

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)


class OnlineRunner:
    """Decode a live :class:`Acquisition` in a background thread; publish and log predictions.

    Predictions go to an LSL outlet (``outlet_name``; channels: one probability per class, then
    ``label`` = class index or -1 when rejected; metadata in :meth:`outlet_info`), stamped with the
    LSL timestamp of the window's last sample, and to a JSON-lines log file when ``log_path`` is given.
    """

    def __init__(
        self,
        pipeline: Any,
        manifest: dict[str, Any],
        acquisition: Any,
        hop: float = 0.1,
        smoothing: int = 1,
        threshold: float | None = None,
        outlet_name: str | None = "bcigui-predictions",
        log_path: str | Path | None = None,
        poll_interval: float = 0.05,
        resample: bool = False,
        model_path: str | Path | None = None,
        adapt: bool = False,
        source_id: str | None = None,
    ) -> None:
        self.spec = ModelSpec.from_manifest(manifest)
        self._free_source_id = source_id  # from free_source_id() computed beforehand (fast start)
        self.manifest = manifest
        self.model_path = Path(model_path) if model_path else None
        self.source_id = ""  # of the predictions outlet, once started
        self.acquisition = acquisition
        self.decoder = SlidingDecoder(
            pipeline, self.spec, list(acquisition.ch_names), float(acquisition.sfreq),
            hop=hop, smoothing=smoothing, threshold=threshold, resample=resample, max_abs=MAX_ABS_VOLTS,
            adapt=adapt,
        )
        self.outlet_name = outlet_name
        self.log_path = Path(log_path) if log_path else None
        self.poll_interval = poll_interval
        self.status = RunnerStatus()
        self.recent: deque[Prediction] = deque(maxlen=1000)
        self._callbacks: list[Callable[[Prediction], None]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outlet = None
        self._log = None
        self._read_index = 0
        self._gc = GCPauses(self.status)

    @property
    def backlog(self) -> int:
        """Samples received but not yet decoded (stays near zero when decoding keeps up)."""
        return max(0, self.acquisition.buffer.n_written - self._read_index)

    def subscribe(self, callback: Callable[[Prediction], None]) -> None:
        """Call ``callback(prediction)`` (from the runner thread) for every prediction."""
        self._callbacks.append(callback)

    def start(self) -> OnlineRunner:
        # Python hands the GIL over every 5 ms by default: an acquisition thread waiting for it while
        # this one computes adds up to 5 ms of latency. A 1-ms switch interval bounds that.
        sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
        # A full collection scans every object of the process (the GUI's: 140-190 ms, stopping decoding).
        # What exists now lives as long as the app: collect once, then keep it out of later collections.
        gc.collect()
        gc.freeze()
        self._gc.install()
        if self.outlet_name:
            import pylsl

            info = self.outlet_info()
            self.source_id = info.source_id()
            self._outlet = pylsl.StreamOutlet(info)
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("a", encoding="utf-8")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="bcigui-online", daemon=True)
        self.status.state = "running"
        self._thread.start()
        return self

    def outlet_info(self):
        """``StreamInfo`` of the predictions outlet: stable ``source_id``, channel metadata, model.

        ``source_id`` is ``bcigui-predictions@HOST:NAME`` (the same after a restart, so consumers
        reconnect; different on another host); if another outlet with that name and source_id is
        already on the network (a second bcigui on this host), ``#2``, ``#3``... is appended.
        Channels: one probability per class (type ``probability``, unit ``none``), then ``label``
        (type ``label``, unit ``none``: index of the class in ``classes``, -1 when rejected).
        ``desc/model``: the pipeline's name, the sha256 of the model manifest and the training data
        fingerprint; each sample is stamped with the LSL time of the last sample of its window.
        """
        import pylsl

        name = str(self.outlet_name)
        source_id = self._free_source_id or free_source_id(name)
        classes = self.spec.classes
        info = pylsl.StreamInfo(name, "Predictions", len(classes) + 1, pylsl.IRREGULAR_RATE, "float32", source_id)
        desc = info.desc()
        chans = desc.append_child("channels")
        for c in classes:
            ch = chans.append_child("channel")
            ch.append_child_value("label", c)
            ch.append_child_value("unit", "none")
            ch.append_child_value("type", "probability")
            ch.append_child_value("description", f"probability of class {c!r} (0 to 1; the row sums to 1)")
        ch = chans.append_child("channel")
        ch.append_child_value("label", "label")
        ch.append_child_value("unit", "none")
        ch.append_child_value("type", "label")
        ch.append_child_value("description", "index of the predicted class in 'classes' (0-based), -1 when "
                                             "the window was rejected (below the threshold)")
        desc.append_child_value("classes", json.dumps(classes))
        desc.append_child_value("timestamps", "LSL time of the last sample of each decoded window")
        m = self.manifest
        model = desc.append_child("model")
        pipeline = m.get("pipeline") or ""
        model.append_child_value("name", str(pipeline.get("name", "") if isinstance(pipeline, dict) else pipeline))
        model.append_child_value("manifest_sha256", manifest_sha256(m))
        model.append_child_value("training_fingerprint_sha256",
                                 str((m.get("training_data") or {}).get("fingerprint_sha256", "")))
        model.append_child_value("paradigm", str(m.get("paradigm", "")))
        model.append_child_value("window", f"{self.spec.tmin:g} to {self.spec.tmax:g} s")
        if self.model_path is not None:
            model.append_child_value("file", self.model_path.name)
        desc.append_child_value("hop_seconds", f"{self.decoder.hop_samples / self.spec.sfreq:g}")
        eeg = getattr(self.acquisition, "eeg", None)
        desc.append_child_value("source_stream", str(getattr(getattr(eeg, "desc", None), "name", "")))
        return info

    def stop(self) -> None:
        self._gc.remove()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self._outlet = None
        self.status.state = "stopped"

    def __enter__(self) -> OnlineRunner:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        # Small per-window linear algebra (64x64 eigh, ...) is several times slower with threaded
        # BLAS on a busy machine; decode single-threaded for steady latency.
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            self._decode_loop()

    def _start_index(self) -> int:
        """Where decoding starts: up to :attr:`SlidingDecoder.lookback_samples` before the newest sample
        (never before the last gap), so that the first prediction comes as soon as one window has been
        received since the acquisition started, not one window after this runner started."""
        buf = self.acquisition.buffer
        end = buf.n_written
        start = max(0, end - buf.capacity, end - self.decoder.lookback_samples)
        gaps = self.acquisition.gaps
        if gaps and start < end:
            _, times, _, _ = buf.read_since(start)
            start += int(np.searchsorted(times, gaps[-1].onset + gaps[-1].duration))
        return min(start, end)

    def _decode_loop(self) -> None:
        buf = self.acquisition.buffer
        n_gaps = len(self.acquisition.gaps)
        index = self._read_index = self._start_index()
        backlog = buf.n_written - index
        ratio = self.spec.sfreq / float(self.acquisition.sfreq)
        self.decoder.reset(index, warmup=int((backlog - self.decoder.lookback_samples) * ratio)
                           + self.decoder.settle_samples)
        self.decoder.stats.resets = 0
        while not self._stop.is_set():
            data, times, next_index, lost = buf.read_since(index)
            gaps_now = len(self.acquisition.gaps)
            if lost or gaps_now != n_gaps:  # discontinuity: start afresh after it
                self.decoder.reset(index + lost)
                n_gaps = gaps_now
            index = next_index
            if len(data) == 0:
                self._read_index = index
                st = self.acquisition.stats()
                if not st.connected:
                    self.status.state, self.status.reason = "paused", f"stream lost: {st.status}"
                buf.wait_for_data(index, self.poll_interval)
                continue
            if self.status.state == "paused":
                self.status.state, self.status.reason = "running", ""
            try:
                preds = self.decoder.process(data, times)
            except Exception as err:  # a broken model must not kill the app
                self.status.state, self.status.reason = "error", f"{type(err).__name__}: {err}"
                return
            for p in preds:
                self._publish(p)
            self._read_index = index
            self.status.skipped_nonfinite = self.decoder.stats.skipped_nonfinite
            self.status.resets = self.decoder.stats.resets

    def _publish(self, p: Prediction) -> None:
        import pylsl

        self.status.latency_ms = (pylsl.local_clock() - p.timestamp) * 1e3
        if self._outlet is not None:
            self._outlet.push_sample([*map(float, p.proba), float(p.index)], p.timestamp)
        if self._log is not None:
            self._log.write(json.dumps(p.to_dict(self.spec.classes)) + "\n")
            self._log.flush()
        self.status.predictions += 1
        self.recent.append(p)
        for cb in list(self._callbacks):
            try:
                cb(p)
            except Exception:  # a view's bug must not stop decoding
                pass



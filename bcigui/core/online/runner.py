"""Live decoding: :class:`OnlineRunner` feeds :class:`~bcigui.core.online.decoder.SlidingDecoder`
from a live :class:`~bcigui.core.stream.acquisition.Acquisition` in a background thread and
publishes predictions on LSL and to a log."""

from __future__ import annotations

import json
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcigui.core.online.decoder import ModelSpec, Prediction, SlidingDecoder


@dataclass
class RunnerStatus:
    state: str = "idle"  # idle | running | paused | stopped | error
    reason: str = ""
    predictions: int = 0
    skipped_nonfinite: int = 0
    resets: int = 0
    latency_ms: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class OnlineRunner:
    """Decode a live :class:`Acquisition` in a background thread; publish and log predictions.

    Predictions go to an LSL outlet (``outlet_name``; channels: one probability per class, then
    ``label`` = class index or -1 when rejected), stamped with the LSL timestamp of the window's
    last sample, and to a JSON-lines log file when ``log_path`` is given.
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
    ) -> None:
        self.spec = ModelSpec.from_manifest(manifest)
        self.acquisition = acquisition
        self.decoder = SlidingDecoder(
            pipeline, self.spec, list(acquisition.ch_names), float(acquisition.sfreq),
            hop=hop, smoothing=smoothing, threshold=threshold, resample=resample,
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
        if self.outlet_name:
            import pylsl

            info = pylsl.StreamInfo(
                self.outlet_name, "Predictions", len(self.spec.classes) + 1, pylsl.IRREGULAR_RATE,
                "float32", f"{self.outlet_name}-{id(self)}",
            )
            chans = info.desc().append_child("channels")
            for label in [*self.spec.classes, "label"]:
                chans.append_child("channel").append_child_value("label", label)
            info.desc().append_child_value("classes", json.dumps(self.spec.classes))
            self._outlet = pylsl.StreamOutlet(info)
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = self.log_path.open("a", encoding="utf-8")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="bcigui-online", daemon=True)
        self.status.state = "running"
        self._thread.start()
        return self

    def stop(self) -> None:
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

    def _decode_loop(self) -> None:
        buf = self.acquisition.buffer
        index = self._read_index = buf.n_written
        self.decoder.reset(index)
        self.decoder.stats.resets = 0
        n_gaps = len(self.acquisition.gaps)
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



"""Follow a marker stream by name: a background inlet that survives the stream's restarts.

Used by the simulator's follow mode to read the cues of the session it plays the subject of. The
stream is looked up by exact name (and ``source_id`` when given); when several match, the newest
one is taken; when it disappears (a session ends and the next run opens a new outlet), the
follower looks it up again.
"""

from __future__ import annotations

import threading

import pylsl
from pylsl.util import LostError

from bcigui.core.stream.lsl import resolve_infos


class MarkerFollower:
    """Collect ``(local_timestamp, label)`` of a string marker stream in a background thread."""

    def __init__(self, name: str, source_id: str = "", retry_seconds: float = 0.5) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name of the marker stream to follow must be a non-empty string, got {name!r}")
        self.name, self.source_id, self.retry_seconds = name.strip(), source_id, float(retry_seconds)
        self._lock = threading.Lock()
        self._pending: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        self.n_received = 0

    def start(self) -> MarkerFollower:
        self._thread = threading.Thread(target=self._run, name=f"MarkerFollower[{self.name}]", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3.0)

    def drain(self) -> list[tuple[float, str]]:
        """Markers received since the last call, stamped on this machine's LSL clock."""
        with self._lock:
            out, self._pending = self._pending, []
        return out

    def _open(self) -> pylsl.StreamInlet | None:
        infos = resolve_infos(self.name, self.source_id, "Markers", timeout=self.retry_seconds)
        infos = [i for i in infos if i.channel_format() == pylsl.cf_string]
        if not infos:
            return None
        newest = max(infos, key=lambda i: i.created_at())
        inlet = pylsl.StreamInlet(newest, max_buflen=60, recover=False,
                                  processing_flags=pylsl.proc_clocksync)
        inlet.open_stream(timeout=2.0)
        return inlet

    def _run(self) -> None:
        inlet = None
        while not self._stop.is_set():
            if inlet is None:
                try:
                    inlet = self._open()
                except Exception:  # noqa: BLE001 - a stream that vanished while opening: try again
                    inlet = None
                if inlet is None:
                    self._stop.wait(0.05)
                    continue
                self.connected.set()
            try:
                samples, stamps = inlet.pull_chunk(timeout=0.01)
            except LostError:
                inlet, samples, stamps = None, [], []
                self.connected.clear()
            if samples:
                with self._lock:
                    self._pending += [(float(t), str(s[0])) for s, t in zip(samples, stamps, strict=True)]
                    self.n_received += len(samples)
            else:
                self._stop.wait(0.005)

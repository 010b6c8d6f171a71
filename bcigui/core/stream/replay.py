"""Replay a recording file in real time as LSL EEG (microvolts) and marker outlets.

Any format :func:`bcigui.core.data.recordings.load_recording` reads (FIF with its ``-eve.fif``,
EDF/BDF, GDF, XDF, BrainVision). Sample ``k`` of the replay gets timestamp
``t0 + k / (sfreq * speed)``; each event becomes a marker with the timestamp of the sample at its
onset. The EEG stream declares the file's sampling rate (its content is unchanged) even when
``speed != 1``, so at ``speed=10`` samples simply arrive ten times faster. With ``loop=True`` the file
starts over (with continuing timestamps and its markers again) when it ends. With
``wait_for_consumers=T`` the replay (and ``t0``) starts only once both streams have an inlet (or
after ``T`` seconds), so a consumer started afterwards misses nothing.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from bcigui.core.stream.pusher import OutletPusher

MAX_SPEED = 1000.0


class Replayer(OutletPusher):
    """Stream ``path`` over LSL; ``start()`` / ``stop()``, ``done`` once the file has been sent."""

    _kind = "Replayer"

    def __init__(self, path: str | Path, speed: float = 1.0, loop: bool = False, name: str | None = None,
                 chunk_seconds: float = 0.02, wait_for_consumers: float = 0.0) -> None:
        from bcigui.core.data.recordings import load_recording

        super().__init__()
        try:
            speed = float(speed)
        except (TypeError, ValueError):
            speed = float("nan")
        if not 0 < speed <= MAX_SPEED:
            raise ValueError(f"speed must be a number in (0, {MAX_SPEED:g}], got {speed!r}")
        if not 0.001 <= float(chunk_seconds) <= 1.0:
            raise ValueError(f"chunk_seconds must be between 0.001 and 1.0 s, got {chunk_seconds!r}")
        self.path = Path(path)
        self.recording = load_recording(self.path)
        if not 0 <= float(wait_for_consumers) <= 3600:
            raise ValueError(f"wait_for_consumers must be between 0 and 3600 s, got {wait_for_consumers!r}")
        self.speed, self.loop, self.chunk_seconds = speed, bool(loop), float(chunk_seconds)
        self.wait_for_consumers = float(wait_for_consumers)
        self.name = name or f"bcigui-replay-{self.path.name.split('.')[0]}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        raw = self.recording.raw
        self.sfreq = float(raw.info["sfreq"])
        self.ch_names = list(raw.ch_names)
        self.n_samples = int(raw.n_times)
        if self.n_samples < 1:
            raise ValueError(f"{self.path}: the recording holds no samples")
        self.events = self._event_samples()
        self.t0: float | None = None
        self._raw = raw
        self._n_pushed = 0
        self._truth: list[tuple[float, str]] = []
        self._outlets = None
        self.error: BaseException | None = None

    def _event_samples(self) -> list[tuple[int, str]]:
        """Events as ``(sample index, label)`` within the file, sorted."""
        out = []
        for ev in self.recording.events:
            idx = int(round(ev.onset * self.sfreq))
            if 0 <= idx < self.n_samples:
                out.append((idx, ev.description))
        return sorted(out, key=lambda e: e[0])

    @property
    def duration(self) -> float:
        """Length of the file in seconds (of recording time)."""
        return self.n_samples / self.sfreq

    @property
    def stream_names(self) -> tuple[str, str]:
        return self.name, f"{self.name}-markers"

    @property
    def n_pushed(self) -> int:
        return self._n_pushed

    @property
    def ground_truth(self) -> list[tuple[float, str]]:
        """Markers pushed so far: ``(lsl_timestamp, label)``."""
        with self._lock:
            return list(self._truth)

    @property
    def done(self) -> bool:
        """True once the whole file has been pushed (never with ``loop=True``)."""
        return not self.loop and self._n_pushed >= self.n_samples

    def _open(self) -> None:
        import pylsl

        from bcigui.core.stream.simulator import make_outlets

        self._outlets = make_outlets(self.name, self.ch_names, self.sfreq, f"bcigui-replay-{self.path.name}")
        if not self.wait_for_consumers:
            self.t0 = pylsl.local_clock()

    def _push(self, k0: int, k1: int) -> None:
        """Push global samples ``[k0, k1)`` (within one pass over the file) and their markers."""
        eeg, mrk = self._outlets
        n, rate = self.n_samples, self.sfreq * self.speed
        base, i0 = divmod(k0, n)
        i1 = i0 + (k1 - k0)
        data = self._raw.get_data(start=i0, stop=i1).T * 1e6
        stamps = self.t0 + np.arange(k0, k1) / rate
        eeg.push_chunk(data.astype(np.float32), stamps.tolist())
        for idx, label in self.events:
            if i0 <= idx < i1:
                ts = self.t0 + (base * n + idx) / rate
                mrk.push_sample([label], ts)
                with self._lock:
                    self._truth.append((ts, label))

    def _run(self) -> None:
        import pylsl

        rate, n = self.sfreq * self.speed, self.n_samples
        try:
            if self.t0 is None:
                t_end = time.monotonic() + self.wait_for_consumers
                for outlet in self._outlets:
                    while not self._stop.is_set() and time.monotonic() < t_end:
                        if outlet.wait_for_consumers(min(0.1, self.wait_for_consumers)):
                            break
                self.t0 = pylsl.local_clock()
            while not self._stop.is_set():
                due = int((pylsl.local_clock() - self.t0) * rate) + 1
                if not self.loop:
                    due = min(due, n)
                while self._n_pushed < due:
                    k0 = self._n_pushed
                    k1 = min(due, (k0 // n + 1) * n)  # do not cross the end of the file
                    self._push(k0, k1)
                    self._n_pushed = k1
                if self.done:
                    break
                self._stop.wait(self.chunk_seconds)
        except Exception as err:  # noqa: BLE001 - reported through .error, thread must not crash
            self.error = err

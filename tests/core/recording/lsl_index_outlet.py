"""A real LSL EEG outlet whose first channel is the sample index (to check what a recording holds).

A plain module (not conftest) so that tests elsewhere can import it by a unique name.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pylsl


class IndexOutlet:
    """Pushes ``srate`` samples/s in 20 ms chunks; channel 0 = sample index, others = µV sinusoids.

    Sample ``i`` is stamped ``t0 + i / srate``; ``push_time(i)`` is the local clock when it was sent.
    """

    def __init__(self, name: str, srate: float = 250.0, n_eeg: int = 4) -> None:
        self.name, self.srate, self.n_eeg = name, float(srate), n_eeg
        info = pylsl.StreamInfo(name, "EEG", n_eeg + 1, srate, "float32", f"{name}-src")
        chans = info.desc().append_child("channels")
        labels = ["Cz", "C3", "C4", "Pz", "Oz", "O1", "O2", "Fz"]
        for i in range(n_eeg + 1):
            ch = chans.append_child("channel")
            ch.append_child_value("label", "index" if i == 0 else labels[i - 1])
            ch.append_child_value("unit", "count" if i == 0 else "microvolts")
            ch.append_child_value("type", "MISC" if i == 0 else "EEG")
        self.outlet = pylsl.StreamOutlet(info, 10)
        self.n_pushed = 0
        self.sent: list[tuple[int, float]] = []  # (n pushed so far, local clock after the push)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.t0 = 0.0
        self._silent_until = 0.0

    def go_silent(self, seconds: float) -> None:
        """Send nothing for ``seconds``: the samples of that interval are never sent (a real gap)."""
        self._silent_until = pylsl.local_clock() + seconds

    def start(self) -> IndexOutlet:
        self.t0 = pylsl.local_clock()
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            due = int((pylsl.local_clock() - self.t0) * self.srate)
            n = due - self.n_pushed
            if pylsl.local_clock() < self._silent_until:
                self.n_pushed = due
            elif n > 0:
                idx = np.arange(self.n_pushed, due)
                chunk = np.empty((n, self.n_eeg + 1), dtype=np.float32)
                chunk[:, 0] = idx
                for c in range(1, self.n_eeg + 1):
                    chunk[:, c] = 20.0 * np.sin(2 * np.pi * (5 + c) * idx / self.srate)
                ts = self.t0 + idx / self.srate
                self.outlet.push_chunk(chunk, list(ts))
                self.n_pushed = due
                self.sent.append((due, pylsl.local_clock()))
            time.sleep(0.02)

    def push_time(self, index: int) -> float:
        """Local clock at which sample ``index`` had been pushed."""
        for n, t in self.sent:
            if n > index:
                return t
        raise ValueError(f"sample {index} was not pushed (pushed {self.n_pushed})")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

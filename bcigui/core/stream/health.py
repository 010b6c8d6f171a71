"""Live checks that an EEG stream delivers what it declares: samples at all, its nominal rate, finite
values, physically plausible amplitudes. Each problem is named (which channel, what value) so that
the command line, the GUI and the recording say the same thing instead of decoding garbage silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_ABS_VOLTS = 0.01  # 10 mV: far above any EEG (tens of µV) and most artefacts (a few mV)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a stream right now: ``kind`` (``silent``, ``rate``, ``nonfinite``,
    ``amplitude``), the channels concerned and a sentence for people."""

    kind: str
    channels: tuple[str, ...]
    message: str


def check_stream(acquisition: Any, seconds: float = 1.0, max_abs: float = MAX_ABS_VOLTS,
                 connected_for: float = 0.0) -> list[Problem]:
    """Problems of ``acquisition``'s EEG stream over its newest ``seconds`` of data (volts).
    ``connected_for``: seconds since the stream was opened (a stream with no sample after 2 s is silent;
    its rate is judged after 5 s)."""
    stats = acquisition.stats()
    name = acquisition.eeg.desc.name
    declared = float(acquisition.sfreq)
    problems = []
    if stats.samples == 0:
        if connected_for >= 2.0:
            problems.append(Problem("silent", (), f"stream {name!r} exists but has sent no sample in "
                                                  f"{connected_for:.0f} s: is the amplifier started?"))
        return problems
    delivered = stats.samples / connected_for if connected_for > 0 else 0.0  # by the wall clock
    if stats.connected and connected_for >= 5.0 and delivered < 0.8 * declared:
        problems.append(Problem("rate", (), f"stream {name!r} declares {declared:g} Hz but delivers "
                                            f"{delivered:.0f} samples/s"))
    data, _ = acquisition.buffer.get_data(max(1, int(round(seconds * declared))))
    data = np.asarray(data, dtype=np.float64)
    if not len(data):
        return problems
    names = list(acquisition.ch_names)
    nonfinite = ~np.all(np.isfinite(data), axis=0)
    if nonfinite.any():
        bad = tuple(n for n, b in zip(names, nonfinite, strict=True) if b)
        problems.append(Problem("nonfinite", bad, f"channel(s) {_list(bad)} send NaN or infinite values"))
    with np.errstate(invalid="ignore"):
        peak = np.nanmax(np.where(np.isfinite(data), np.abs(data), 0.0), axis=0)
    loud = peak > max_abs
    if loud.any():
        bad = tuple(n for n, b in zip(names, loud, strict=True) if b)
        worst = float(peak[loud].max())
        problems.append(Problem("amplitude", bad, f"channel(s) {_list(bad)} read up to {worst * 1e6:.3g} µV, "
                                                  f"above the {max_abs * 1e3:g} mV an EEG can show: wrong units, "
                                                  "a broken electrode or a saturated amplifier"))
    return problems


def _list(names: tuple[str, ...], n: int = 6) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


class HealthWatch:
    """Checks a stream once a second in a background thread; calls ``on_change(new, resolved)`` when
    problems appear or go away, and keeps every problem seen (``history``: what a recording stores)."""

    def __init__(self, acquisition: Any, on_change: Any = None, interval: float = 1.0,
                 max_abs: float = MAX_ABS_VOLTS) -> None:
        import threading
        import time

        self.acquisition, self.on_change, self.interval, self.max_abs = acquisition, on_change, interval, max_abs
        self.active: dict[tuple[str, tuple[str, ...]], Problem] = {}
        self.history: list[dict[str, Any]] = []
        self._t0 = time.monotonic()
        self._clock = time.monotonic
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bcigui-health", daemon=True)

    def start(self) -> HealthWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def poll(self) -> tuple[list[Problem], list[Problem]]:
        """Check now; returns (problems that appeared, problems that went away)."""
        elapsed = self._clock() - self._t0
        now = {(p.kind, p.channels): p for p in check_stream(self.acquisition, max_abs=self.max_abs,
                                                               connected_for=elapsed)}
        new = [p for k, p in now.items() if k not in self.active]
        resolved = [p for k, p in self.active.items() if k not in now]
        for p in new:
            self.history.append({"kind": p.kind, "channels": list(p.channels), "message": p.message,
                                 "since_s": round(elapsed, 1)})
        self.active = now
        return new, resolved

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                new, resolved = self.poll()
            except Exception:  # the stream went away: the reader reports that itself
                continue
            if (new or resolved) and self.on_change is not None:
                try:
                    self.on_change(new, resolved)
                except Exception:  # noqa: BLE001 - a listener gone (a closed window) must not stop the checks
                    continue

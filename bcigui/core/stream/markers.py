"""Thread-safe list of timestamped markers (event labels) on the local LSL clock."""

from __future__ import annotations

import bisect
import threading


class MarkerList:
    """Markers ``(timestamp, label)`` kept sorted by timestamp; safe for one writer, many readers."""

    def __init__(self, max_markers: int = 100_000) -> None:
        self._times: list[float] = []
        self._labels: list[str] = []
        self._max = int(max_markers)
        self._n_total = 0
        self._lock = threading.Lock()

    def append(self, timestamp: float, label: str) -> None:
        """Add one marker (out-of-order timestamps are inserted at their place)."""
        with self._lock:
            i = bisect.bisect_right(self._times, timestamp)
            self._times.insert(i, float(timestamp))
            self._labels.insert(i, str(label))
            self._n_total += 1
            if len(self._times) > self._max:
                drop = len(self._times) - self._max
                del self._times[:drop], self._labels[:drop]

    @property
    def n_total(self) -> int:
        """Number of markers ever appended."""
        return self._n_total

    def between(self, t0: float, t1: float) -> list[tuple[float, str]]:
        """Markers with ``t0 <= timestamp < t1``."""
        with self._lock:
            i = bisect.bisect_left(self._times, t0)
            j = bisect.bisect_left(self._times, t1)
            return list(zip(self._times[i:j], self._labels[i:j], strict=True))

    def all(self) -> list[tuple[float, str]]:
        with self._lock:
            return list(zip(self._times, self._labels, strict=True))

    def __len__(self) -> int:
        return len(self._times)

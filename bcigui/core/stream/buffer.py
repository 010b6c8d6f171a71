"""Thread-safe ring buffer of multichannel samples with their timestamps.

Layout is LSL's: ``(n_samples, n_channels)``. Every sample written gets an absolute index
(``n_written`` counts them), so readers that must not miss data (recorder, online runner) can ask
for everything written since the index they last saw with :meth:`RingBuffer.read_since`.
"""

from __future__ import annotations

import threading

import numpy as np


class RingBuffer:
    """Preallocated circular buffer; one writer thread, any number of reader threads."""

    def __init__(self, n_channels: int, capacity: int, dtype: type = np.float32) -> None:
        if n_channels < 1:
            raise ValueError(f"n_channels must be >= 1, got {n_channels}")
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1 sample, got {capacity}")
        self.n_channels = int(n_channels)
        self.capacity = int(capacity)
        self._data = np.zeros((self.capacity, self.n_channels), dtype=dtype)
        self._times = np.zeros(self.capacity, dtype=np.float64)
        self._n_written = 0
        self._lock = threading.Lock()
        self._new_data = threading.Condition(self._lock)

    @property
    def n_written(self) -> int:
        """Total number of samples ever written (absolute index of the next sample)."""
        return self._n_written

    def write(self, data: np.ndarray, timestamps: np.ndarray) -> None:
        """Append ``data`` ``(n, n_channels)`` with ``timestamps`` ``(n,)``."""
        data = np.asarray(data)
        n = data.shape[0]
        if data.ndim != 2 or data.shape[1] != self.n_channels:
            raise ValueError(
                f"data must have shape (n, {self.n_channels}), got {data.shape}"
            )
        if len(timestamps) != n:
            raise ValueError(f"got {n} samples but {len(timestamps)} timestamps")
        if n == 0:
            return
        if n > self.capacity:  # only the newest samples fit
            skip = n - self.capacity
            data, timestamps = data[skip:], timestamps[skip:]
        else:
            skip = 0
        with self._lock:
            start = (self._n_written + skip) % self.capacity
            m = data.shape[0]
            first = min(m, self.capacity - start)
            self._data[start : start + first] = data[:first]
            self._times[start : start + first] = timestamps[:first]
            if first < m:
                self._data[: m - first] = data[first:]
                self._times[: m - first] = timestamps[first:]
            self._n_written += n
            self._new_data.notify_all()

    def _slice(self, start_index: int, stop_index: int) -> tuple[np.ndarray, np.ndarray]:
        n = stop_index - start_index
        idx = np.arange(start_index, stop_index) % self.capacity
        if n and idx[0] + n <= self.capacity:  # contiguous: cheap copy
            sl = slice(idx[0], idx[0] + n)
            return self._data[sl].copy(), self._times[sl].copy()
        return self._data[idx], self._times[idx]

    def get_data(self, n_samples: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Copy of the latest ``n_samples`` (all available if ``None``) and their timestamps."""
        with self._lock:
            available = min(self._n_written, self.capacity)
            n = available if n_samples is None else max(0, min(int(n_samples), available))
            return self._slice(self._n_written - n, self._n_written)

    def read_since(self, index: int) -> tuple[np.ndarray, np.ndarray, int, int]:
        """Samples written at absolute index ``index`` and later.

        Returns ``(data, timestamps, next_index, n_lost)``; ``n_lost`` counts samples that were
        overwritten before they could be read (the reader was too slow for the buffer length).
        """
        if index < 0:
            raise ValueError(f"index must be >= 0 (an absolute sample index), got {index}")
        with self._lock:
            oldest = max(0, self._n_written - self.capacity)
            lost = max(0, oldest - index)
            start = min(max(index, oldest), self._n_written)
            data, times = self._slice(start, self._n_written)
            return data, times, self._n_written, lost

    def wait_for_data(self, index: int, timeout: float) -> bool:
        """Block until a sample at absolute index ``index`` or later exists (or ``timeout`` s pass)."""
        with self._new_data:
            return self._new_data.wait_for(lambda: self._n_written > index, timeout)

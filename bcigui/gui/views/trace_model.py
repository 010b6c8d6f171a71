"""Display model of the trace view (no Qt): display filters, bad channels, filtered display ring.

The model reads only the samples new since its last update from the acquisition
:class:`~bcigui.core.stream.buffer.RingBuffer`, applies the display chain (common average reference
over the good channels, then a causal band-pass/notch :class:`CausalFilter` with carried state) and
keeps the result in its own ring. The recorded data are never modified.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bcigui.core.signal.filters import CausalFilter, FilterSpec

NOTCH_CHOICES = (None, 50.0, 60.0)


def check_acquisition(acq: Any) -> None:
    """Raise ``TypeError``/``ValueError`` naming what a view's ``acquisition`` lacks."""
    missing = [a for a in ("buffer", "markers", "sfreq", "ch_names", "stats") if not hasattr(acq, a)]
    if missing:
        raise TypeError(
            f"acquisition must expose buffer, markers, sfreq, ch_names and stats(); "
            f"{type(acq).__name__} lacks {missing}"
        )
    if not float(acq.sfreq) > 0:
        raise ValueError(f"acquisition.sfreq must be > 0 Hz, got {acq.sfreq!r}")
    n_buf = getattr(acq.buffer, "n_channels", len(acq.ch_names))
    if n_buf != len(acq.ch_names):
        raise ValueError(
            f"acquisition.ch_names has {len(acq.ch_names)} names but the buffer has {n_buf} channels"
        )


class TraceModel:
    """Filtered display copy of the last ``capacity_s`` seconds of an acquisition buffer."""

    def __init__(self, buffer: Any, sfreq: float, n_channels: int, capacity_s: float = 30.0) -> None:
        self.buffer = buffer
        self.sfreq = float(sfreq)
        self.n_channels = int(n_channels)
        self.capacity = max(16, int(round(capacity_s * self.sfreq)) + 1)
        self._ring = np.zeros((self.n_channels, self.capacity), np.float32)
        self._times = np.zeros(self.capacity, np.float64)
        self.end = 0  # absolute index of the next sample
        self.first = 0  # oldest absolute index held in the ring
        self.bandpass: tuple[float, float] | None = None
        self.notch: float | None = None
        self.car = False
        self.bad: set[int] = set()
        self.generation = 0  # bumped whenever the displayed data are recomputed from scratch
        self._filter: CausalFilter | None = None
        self._make_filter()

    # -- settings ----------------------------------------------------------------------------
    def set_display(self, *, bandpass: tuple[float, float] | None | bool = False,
                    notch: float | None | bool = False, car: bool | None = None,
                    bad: set[int] | None = None) -> None:
        """Change display settings (``False``/``None`` for ``car``/``bad``: unchanged) and refilter.

        Everything is validated before anything changes, so a bad value leaves the display as it was.
        """
        new_bp, new_notch = self.bandpass, self.notch
        if bandpass is not False:
            if bandpass is not None:
                lo, hi = float(bandpass[0]), float(bandpass[1])
                if not 0 < lo < hi < self.sfreq / 2:
                    raise ValueError(
                        f"bandpass must satisfy 0 < low < high < {self.sfreq / 2:g} Hz (Nyquist), "
                        f"got {lo:g}-{hi:g} Hz"
                    )
                bandpass = (lo, hi)
            new_bp = bandpass
        if notch is not False:
            if notch not in NOTCH_CHOICES:
                raise ValueError(f"notch must be one of {list(NOTCH_CHOICES)} (Hz), got {notch!r}")
            if notch is not None and notch >= self.sfreq / 2:
                raise ValueError(f"notch {notch:g} Hz must be below Nyquist ({self.sfreq / 2:g} Hz)")
            new_notch = notch
        if bad is not None:
            wrong = sorted(i for i in bad if not 0 <= i < self.n_channels)
            if wrong:
                raise ValueError(f"bad channel indices must be in 0..{self.n_channels - 1}, got {wrong}")
            self.bad = set(bad)
        self.bandpass, self.notch = new_bp, new_notch
        if car is not None:
            self.car = bool(car)
        self._make_filter()
        self.refill()

    def spec(self) -> FilterSpec:
        lo, hi = self.bandpass or (None, None)
        harmonics = max(1, int((self.sfreq / 2 - 1) // self.notch)) if self.notch else 1
        return FilterSpec(l_freq=lo, h_freq=hi, notch=self.notch, notch_harmonics=harmonics)

    def _make_filter(self) -> None:
        self._filter = CausalFilter(self.spec(), self.sfreq, self.n_channels)

    # -- data --------------------------------------------------------------------------------
    def _chain(self, x: np.ndarray, filt: CausalFilter) -> np.ndarray:
        x = np.asarray(x, np.float64)
        bad_rows = ~np.isfinite(x)
        if bad_rows.any():  # NaN/inf (e.g. a dropped channel) must not poison the filter state
            x = np.where(bad_rows, 0.0, x)
        if self.car:
            good = [i for i in range(self.n_channels) if i not in self.bad]
            if good:
                x = x - x[:, good].mean(axis=1, keepdims=True)
        return filt.process(x)

    def _store(self, y: np.ndarray, ts: np.ndarray) -> None:
        n = y.shape[0]
        if n >= self.capacity:
            y, ts = y[-self.capacity:], ts[-self.capacity:]
        idx = (self.end + n - y.shape[0] + np.arange(y.shape[0])) % self.capacity
        self._ring[:, idx] = y.T
        self._times[idx] = ts
        self.end += n
        self.first = max(self.first, self.end - self.capacity)

    def refill(self) -> None:
        """Recompute the whole display ring from the acquisition buffer with fresh filter state."""
        self._make_filter()
        data, ts = self.buffer.get_data(self.capacity)
        self.end = self.buffer.n_written - data.shape[0]
        self.first = self.end
        self._store(self._chain(data, self._filter), ts)
        self.generation += 1

    def update(self) -> int:
        """Process the samples written since the last call; return how many were added."""
        if self.generation == 0:
            self.refill()
            return self.end - self.first
        data, ts, nxt, lost = self.buffer.read_since(self.end)
        if lost:  # we fell behind the acquisition buffer: start over from what it holds
            self.refill()
            return self.end - self.first
        if data.shape[0]:
            self._store(self._chain(data, self._filter), ts)
        return data.shape[0]

    def fetch(self, i0: int, i1: int, channels: np.ndarray | None = None) -> np.ndarray:
        """Display samples of absolute indices ``i0 .. i1`` as ``(n_channels, n)`` float32."""
        if i0 < self.first or i1 > self.end:
            raise ValueError(f"samples {i0}..{i1} are not in the display ring ({self.first}..{self.end})")
        idx = np.arange(i0, i1) % self.capacity
        if channels is None:
            return self._ring[:, idx]
        return self._ring[np.ix_(channels, idx)]

    def display_data(self, n_samples: int | None = None) -> np.ndarray:
        """The latest displayed (filtered) samples ``(n, n_channels)`` in volts."""
        n = self.end - self.first if n_samples is None else min(int(n_samples), self.end - self.first)
        return self.fetch(self.end - n, self.end).T.copy()

    def times(self, i0: int, i1: int) -> np.ndarray:
        return self._times[np.arange(i0, i1) % self.capacity]

    def index_of_times(self, ts: np.ndarray) -> np.ndarray:
        """Fractional absolute sample index of LSL timestamps ``ts`` (extrapolated at the edges)."""
        if self.end - self.first < 2:
            return np.full(len(ts), np.nan)
        t = self.times(self.first, self.end)
        pos = np.interp(ts, t, np.arange(len(t), dtype=float))
        pos = np.where(ts > t[-1], len(t) - 1 + (ts - t[-1]) * self.sfreq, pos)
        pos = np.where(ts < t[0], (ts - t[0]) * self.sfreq, pos)
        return self.first + pos

    def segment(self, end_index: int, n_samples: int, pad_s: float = 2.0) -> tuple[np.ndarray, int]:
        """Freshly filtered samples ``(n_channels, n)`` ending at absolute ``end_index`` (scroll-back).

        Returns the data and its first absolute index; ``pad_s`` seconds before it warm the filter.
        """
        written = self.buffer.n_written
        back = written - end_index
        pad = int(pad_s * self.sfreq)
        data, _ = self.buffer.get_data(back + n_samples + pad)
        data = data[: data.shape[0] - back] if back > 0 else data
        y = self._chain(data, CausalFilter(self.spec(), self.sfreq, self.n_channels))
        y = y[-n_samples:] if n_samples else y[:0]
        return y.T.astype(np.float32), end_index - y.shape[0]

    def available_back(self) -> int:
        """How many samples the acquisition buffer holds (the scroll-back range)."""
        return min(self.buffer.n_written, getattr(self.buffer, "capacity", self.buffer.n_written))

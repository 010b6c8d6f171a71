"""The time axis of a recording file, built without loading its samples.

A ``.bcirec`` folder holds the samples that arrived with their LSL timestamps. The file bcigui writes
from it keeps the LSL clock as its time axis: samples missing at a jump in the timestamps (longer than
2.5 sample periods: outlet lost, buffer overrun) are filled by linear interpolation between their
neighbours, and a run whose EEG stream was lost while markers still came is extended to its last
marker with the last value held. :class:`Timeline` describes that output as a small table of jumps
and reads any block of it from the memory-mapped samples, so a recording of any length is converted
with memory bounded by the block size (:class:`RecordingRaw` is the MNE view of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

GAP_TOLERANCE = 2.5  # sample periods
MAX_FILL_SECONDS = 300.0
SCAN_BLOCK = 1 << 16  # timestamps examined at once when looking for jumps (0.5 MB)


@dataclass
class Timeline:
    """Output samples of a recording: ``n_rows`` recorded rows, ``fill[j]`` samples interpolated after row
    ``after[j]``, then ``tail`` samples holding the last row. ``gaps``: ``(onset, duration)`` on the
    LSL clock of every jump (filled or not) and of the tail."""

    sfreq: float
    n_rows: int
    after: np.ndarray  # (n_jumps,) int64: row after which the timestamps jump
    fill: np.ndarray  # (n_jumps,) int64: samples inserted there (0 if the jump is too long to fill)
    tail: int = 0
    gaps: list[tuple[float, float]] = field(default_factory=list)
    t_first: float = 0.0
    t_last: float = 0.0

    @classmethod
    def build(cls, times: np.ndarray, sfreq: float, marker_times: list[float] | None = None,
              tolerance: float = GAP_TOLERANCE) -> Timeline:
        """Scan ``times`` (may be a memory map) block by block for jumps; extend to the last marker."""
        n = len(times)
        after, fill, gaps = [], [], []
        for start in range(0, max(n - 1, 0), SCAN_BLOCK):
            block = np.asarray(times[start:min(start + SCAN_BLOCK + 1, n)], dtype=np.float64)
            d = np.diff(block)
            for k in np.flatnonzero(d > tolerance / sfreq):
                n_miss = int(round(d[k] * sfreq)) - 1
                after.append(start + int(k))
                fill.append(n_miss if 0 < n_miss <= MAX_FILL_SECONDS * sfreq else 0)
                gaps.append((float(block[k]) + 1.0 / sfreq, max(n_miss, 1) / sfreq))
        t_first = float(times[0]) if n else 0.0
        t_last = float(times[n - 1]) if n else 0.0
        tail = 0
        if marker_times and n:
            end = min(max(marker_times), t_last + MAX_FILL_SECONDS)
            k = int(np.floor((end - t_last) * sfreq)) + 1
            if end > t_last + 0.5 / sfreq and k >= 1:
                tail = k
                gaps.append((t_last + 1.0 / sfreq, k / sfreq))
        return cls(float(sfreq), n, np.asarray(after, dtype=np.int64), np.asarray(fill, dtype=np.int64),
                   tail, gaps, t_first, t_last)

    @property
    def n_times(self) -> int:
        """Samples in the output."""
        return self.n_rows + int(self.fill.sum()) + self.tail

    def _inserted(self) -> np.ndarray:
        """``[0, fill[0], fill[0] + fill[1], ...]``: samples inserted before each jump and in all."""
        return np.concatenate([[0], np.cumsum(self.fill)]).astype(np.int64)

    def out_index(self, rows: np.ndarray) -> np.ndarray:
        """Output index of recorded rows (integer or fractional: between rows ``i`` and ``i + 1`` the
        output runs linearly over the samples filled there)."""
        rows = np.asarray(rows, dtype=np.float64)
        inserted = self._inserted()

        def at(r: np.ndarray) -> np.ndarray:
            return r + inserted[np.searchsorted(self.after, r, side="left")]  # jumps strictly before r

        i = np.floor(rows)
        return at(i) + (rows - i) * (at(i + 1) - at(i))

    def onsets(self, t: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Seconds from the first output sample for LSL times ``t``: interpolated on the timestamps
        (``times`` may be a memory map; only the neighbours are read), extrapolated at the nominal rate
        outside the recorded span."""
        t = np.asarray(t, dtype=np.float64)
        if not len(t) or self.n_rows < 2:
            return t - self.t_first
        i = np.clip(np.searchsorted(times, t, side="right") - 1, 0, self.n_rows - 2)
        t0 = np.asarray(times[i], dtype=np.float64)
        t1 = np.asarray(times[i + 1], dtype=np.float64)
        frac = np.clip((t - t0) / np.where(t1 > t0, t1 - t0, 1.0), 0.0, 1.0) * (t1 > t0)
        idx = self.out_index(i + frac)
        last = self.n_rows - 1 + int(self._inserted()[-1])
        idx = np.where(t < self.t_first, (t - self.t_first) * self.sfreq, idx)
        idx = np.where(t > self.t_last, last + (t - self.t_last) * self.sfreq, idx)
        return idx / self.sfreq

    def read(self, data: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Output samples ``start:stop`` as ``(stop - start, n_channels)`` float64 from the recorded rows
        ``data`` (may be a memory map; only the rows needed are read)."""
        o = np.arange(start, stop, dtype=np.int64)
        out = np.empty((len(o), data.shape[1]), dtype=np.float64)
        if not len(o):
            return out
        inserted = self._inserted()
        body = self.n_rows + int(inserted[-1])
        held = o >= body
        if len(self.after):
            jump_out = self.after + inserted[:-1]  # output index of the row before each filled stretch
            j = np.searchsorted(jump_out, o, side="right") - 1
            jj = np.clip(j, 0, None)
            k = o - jump_out[jj]
            filled = (j >= 0) & ~held & (k >= 1) & (k <= self.fill[jj])
            rows = np.where(j >= 0, o - inserted[jj] - np.where(k > 0, self.fill[jj], 0), o)
        else:
            jj = k = None
            filled = np.zeros(len(o), dtype=bool)
            rows = o
        plain = ~filled & ~held
        if plain.any():
            lo, hi = int(rows[plain].min()), int(rows[plain].max()) + 1
            out[plain] = np.asarray(data[lo:hi], dtype=np.float64)[rows[plain] - lo]
        if filled.any():
            a = self.after[jj[filled]]
            frac = (k[filled] / (self.fill[jj[filled]] + 1))[:, None]
            lo, hi = int(a.min()), int(a.max()) + 2
            chunk = np.asarray(data[lo:hi], dtype=np.float64)
            out[filled] = chunk[a - lo] + (chunk[a + 1 - lo] - chunk[a - lo]) * frac
        if held.any():
            out[held] = np.asarray(data[self.n_rows - 1], dtype=np.float64)
        return out


def open_rows(path: Any, dtype: str, n_rows: int, n_channels: int) -> np.ndarray:
    """The first ``n_rows`` rows of a sample file as a read-only memory map (an empty array if none)."""
    if n_rows <= 0:
        return np.empty((0, n_channels), dtype=dtype)
    return np.memmap(path, dtype=dtype, mode="r", shape=(n_rows, n_channels))


def make_raw(info: Any, timeline: Timeline, data: np.ndarray):
    """An MNE Raw over recorded rows ``data`` (a memory map is read block by block, never copied)."""
    from mne.io import BaseRaw

    if isinstance(data, np.memmap) and data.filename:  # copies of the Raw (mne copies freely) keep the path only
        source: dict[str, Any] = {"path": data.filename, "dtype": data.dtype.str, "shape": data.shape,
                                  "offset": data.offset}
    else:
        source = {"array": np.asarray(data)}

    class RecordingRaw(BaseRaw):
        """Samples read on demand through a :class:`Timeline`."""

        def __init__(self) -> None:
            super().__init__(info, preload=False, first_samps=(0,), last_samps=(timeline.n_times - 1,),
                             raw_extras=[{"timeline": timeline, **source}],
                             orig_format="double" if np.dtype(data.dtype).itemsize == 8 else "single",
                             verbose="error")

        def _read_segment_file(self, out, idx, fi, start, stop, cals, mult):
            from mne._fiff.utils import _mult_cal_one

            ex = self._raw_extras[fi]
            rows = ex.get("array")
            if rows is None:
                rows = np.memmap(ex["path"], dtype=ex["dtype"], mode="r", shape=ex["shape"], offset=ex["offset"])
            _mult_cal_one(out, ex["timeline"].read(rows, start, stop).T, idx, cals, mult)

    return RecordingRaw()

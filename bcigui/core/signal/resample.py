"""Causal streaming resampler: anti-alias low-pass with carried state, then linear interpolation.

Used online when a stream's rate differs from a model's (opt-in: the decoded signal is then close
to, not identical with, what the model was trained on). Output sample ``j`` is the input signal at
time ``j / to_sfreq`` after the first input sample; the interpolation phase carries across chunks, so
the result does not depend on how the input is chunked.
"""

from __future__ import annotations

import numpy as np

from bcigui.core.signal.filters import CausalFilter, FilterSpec


class StreamResampler:
    """Resample ``(n, n_channels)`` chunks from ``from_sfreq`` to ``to_sfreq``, causally."""

    def __init__(self, from_sfreq: float, to_sfreq: float, n_channels: int) -> None:
        if from_sfreq <= 0 or to_sfreq <= 0:
            raise ValueError(f"sampling rates must be > 0 Hz, got {from_sfreq} and {to_sfreq}")
        self.from_sfreq, self.to_sfreq = float(from_sfreq), float(to_sfreq)
        self.ratio = self.from_sfreq / self.to_sfreq  # input samples per output sample
        cutoff = 0.45 * min(self.from_sfreq, self.to_sfreq)
        self._aa = CausalFilter(FilterSpec(h_freq=cutoff, order=8), self.from_sfreq, n_channels) \
            if self.to_sfreq < self.from_sfreq else None
        self._n_in = 0  # input samples consumed
        self._next_pos = 0.0  # input position (in samples) of the next output sample
        self._prev: tuple[np.ndarray, float, bool] | None = None  # last input sample, its time, bad flag

    def process(self, chunk: np.ndarray, times: np.ndarray, bad: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Resampled ``(data, timestamps, bad)``; an output sample is bad if either neighbour is."""
        data = self._aa.process(chunk) if self._aa is not None else np.asarray(chunk, dtype=np.float64)
        n = len(data)
        if n == 0:
            return data[:0], np.asarray(times)[:0], np.asarray(bad)[:0]
        if self._prev is not None:  # prepend the previous chunk's last sample for interpolation
            data = np.vstack([self._prev[0][None], data])
            times = np.concatenate([[self._prev[1]], times])
            bad = np.concatenate([[self._prev[2]], bad])
            base = self._n_in - 1
        else:
            base = self._n_in
        last = self._n_in + n - 1  # absolute input index of the newest sample
        m = int(np.floor((last - self._next_pos) / self.ratio)) + 1 if self._next_pos <= last else 0
        pos = self._next_pos + self.ratio * np.arange(m) - base  # positions in the local arrays
        i0 = np.floor(pos).astype(int)
        frac = pos - i0
        i1 = np.minimum(i0 + 1, len(data) - 1)
        out = data[i0] * (1 - frac)[:, None] + data[i1] * frac[:, None]
        out_t = times[i0] * (1 - frac) + times[i1] * frac
        out_bad = bad[i0] | (bad[i1] & (frac > 0))
        self._next_pos += self.ratio * m
        self._n_in += n
        self._prev = (data[-1].copy(), float(times[-1]), bool(bad[-1]))
        return out, out_t, out_bad

"""Causal IIR filters with carried state: the one filtering code path offline and online.

Offline, a continuous recording is filtered from its first sample with :class:`CausalFilter` and
then epoched; online, the same filter runs chunk by chunk with its state carried across chunks.
Both give the same samples (up to float rounding), so a model sees the same data in both cases.
Data layout is ``(n_samples, n_channels)``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import signal


@dataclass(frozen=True)
class FilterSpec:
    """Band-pass/high-pass/low-pass plus optional notch at ``notch`` Hz and its harmonics.

    ``reference="average"`` re-references each sample to the common average of the channels
    filtered together (instantaneous, hence causal: identical offline and online).
    """

    l_freq: float | None = None
    h_freq: float | None = None
    notch: float | None = None
    notch_harmonics: int = 1
    order: int = 4
    notch_q: float = 30.0
    reference: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> FilterSpec:
        return cls(**(d or {}))

    def design(self, sfreq: float) -> np.ndarray:
        """Second-order sections for sampling rate ``sfreq`` (empty ``(0, 6)`` if no filtering)."""
        if self.reference not in (None, "average"):
            raise ValueError(f"reference must be None or 'average', got {self.reference!r}")
        nyq = sfreq / 2.0
        for name in ("l_freq", "h_freq", "notch"):
            val = getattr(self, name)
            if val is not None and not 0 < val < nyq:
                raise ValueError(
                    f"{name} must be between 0 and the Nyquist frequency {nyq:g} Hz, got {val}"
                )
        if self.l_freq is not None and self.h_freq is not None and self.l_freq >= self.h_freq:
            raise ValueError(f"l_freq ({self.l_freq}) must be below h_freq ({self.h_freq})")
        sections = []
        if self.l_freq is not None and self.h_freq is not None:
            sections.append(signal.butter(self.order, [self.l_freq, self.h_freq], "bandpass", fs=sfreq, output="sos"))
        elif self.l_freq is not None:
            sections.append(signal.butter(self.order, self.l_freq, "highpass", fs=sfreq, output="sos"))
        elif self.h_freq is not None:
            sections.append(signal.butter(self.order, self.h_freq, "lowpass", fs=sfreq, output="sos"))
        if self.notch is not None:
            for k in range(1, self.notch_harmonics + 1):
                f0 = self.notch * k
                if f0 >= nyq:
                    break
                b, a = signal.iirnotch(f0, self.notch_q, fs=sfreq)
                sections.append(signal.tf2sos(b, a))
        if not sections:
            return np.zeros((0, 6))
        return np.vstack(sections)


class CausalFilter:
    """Stateful causal filter over ``(n_samples, n_channels)`` chunks."""

    def __init__(self, spec: FilterSpec, sfreq: float, n_channels: int) -> None:
        self.spec = spec
        self.sfreq = float(sfreq)
        self.n_channels = int(n_channels)
        self.sos = spec.design(self.sfreq)
        self.reset()

    def reset(self) -> None:
        """Forget the filter state (start as if the signal began at zero)."""
        self._zi = np.zeros((self.sos.shape[0], 2, self.n_channels))
        self._initialised = False

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Filter the next chunk; the state carries over to the next call."""
        chunk = np.asarray(chunk, dtype=np.float64)
        if chunk.ndim != 2 or chunk.shape[1] != self.n_channels:
            raise ValueError(f"chunk must have shape (n, {self.n_channels}), got {chunk.shape}")
        if self.spec.reference == "average" and chunk.shape[0]:
            chunk = chunk - chunk.mean(axis=1, keepdims=True)
        if self.sos.shape[0] == 0 or chunk.shape[0] == 0:
            return chunk.copy()
        if not self._initialised:
            # start in steady state for the first sample's DC level (avoids a huge onset transient)
            zi0 = signal.sosfilt_zi(self.sos)  # (n_sections, 2)
            self._zi = zi0[:, :, None] * chunk[0][None, None, :]
            self._initialised = True
        out, self._zi = signal.sosfilt(self.sos, chunk, axis=0, zi=self._zi)
        return out


def filter_continuous(data: np.ndarray, sfreq: float, spec: FilterSpec) -> np.ndarray:
    """Causally filter a whole recording ``(n_samples, n_channels)`` from its first sample."""
    return CausalFilter(spec, sfreq, data.shape[1]).process(data)


def bandpass_epochs(X: np.ndarray, sfreq: float, low: float, high: float, order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass of each epoch on its own along the last axis: the one per-epoch
    band-pass of the pipelines (filter banks), applied to one window at a time, hence the same
    offline and online (unlike :class:`CausalFilter`, which runs on the continuous signal)."""
    sos = signal.butter(order, [low, high], "bandpass", fs=sfreq, output="sos")
    return signal.sosfiltfilt(sos, np.asarray(X, dtype=np.float64), axis=-1)

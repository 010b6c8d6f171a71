"""Simulated epochs for decoder tests (no science is mocked: real pipelines run on these signals)."""

from __future__ import annotations

import numpy as np


def ssvep_epochs(n_per_class: int = 12, freqs: tuple[float, ...] = (13.0, 17.0, 21.0), rest: bool = True,
                 sfreq: float = 256.0, seconds: float = 2.0, n_channels: int = 8, snr: float = 0.5,
                 phase_locked: bool = False, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """SSVEP-like epochs: a sinusoid (+ 2nd harmonic) with channel-specific gains in pink-ish noise."""
    rng = np.random.default_rng(seed)
    n_t = int(sfreq * seconds)
    t = np.arange(n_t) / sfreq
    gains = rng.uniform(0.3, 1.0, n_channels)
    labels = [f"{f:g}" for f in freqs] + (["rest"] if rest else [])
    X, y = [], []
    for label in labels:
        for _ in range(n_per_class):
            noise = np.cumsum(rng.standard_normal((n_channels, n_t)), axis=1) * 0.05 + rng.standard_normal((n_channels, n_t))
            x = noise
            if label != "rest":
                f = float(label)
                ph = 0.3 if phase_locked else rng.uniform(0, 2 * np.pi)
                s = np.sin(2 * np.pi * f * t + ph) + 0.5 * np.sin(2 * np.pi * 2 * f * t + 2 * ph)
                x = x + snr * gains[:, None] * s
            X.append(x * 1e-6)
            y.append(label)
    return np.asarray(X), np.asarray(y)


def mi_epochs(n_per_class: int = 30, sfreq: float = 128.0, seconds: float = 2.0, n_channels: int = 8,
              effect: float = 0.6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two classes differing by 10 Hz power on channel 0 vs channel 1 (ERD-like), in noise."""
    rng = np.random.default_rng(seed)
    n_t = int(sfreq * seconds)
    t = np.arange(n_t) / sfreq
    X, y = [], []
    for k, label in enumerate(("left", "right")):
        for _ in range(n_per_class):
            x = rng.standard_normal((n_channels, n_t))
            amp = np.ones(n_channels)
            amp[k] = 1 - effect
            amp[1 - k] = 1.0
            x[:2] += 2.0 * amp[:2, None] * np.sin(2 * np.pi * 10 * t + rng.uniform(0, 2 * np.pi))
            X.append(x * 1e-6)
            y.append(label)
    return np.asarray(X), np.asarray(y)


def noise_epochs(n: int = 200, n_channels: int = 8, n_t: int = 128, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, n_channels, n_t)) * 1e-6

"""What a decoder assumes about the data (plugin tag ``requires``), checked on the training epochs.

A pipeline whose assumption the data break scores at chance; training says why instead of leaving a
user to guess. Known requirements:

- ``"phase_locked"`` (TRCA, eTRCA): the flicker starts at the same phase on every trial, relative to
  the event, so that trials of one target can be averaged into a template. Checked per target with a
  Rayleigh test on the phase, at the target frequency, of the channel-averaged epoch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

P_LOCKED = 1e-3  # Rayleigh p below this: the phase at the stimulus frequency is locked across trials


def frequency_of(label: str) -> float | None:
    """Stimulus frequency of an SSVEP class label (``"13"``, ``"13.0"``, ``"13Hz"``), else ``None``."""
    try:
        f = float(str(label).lower().removesuffix("hz").strip())
    except ValueError:
        return None
    return f if f > 0 else None


def phase_locking(X: np.ndarray, y: np.ndarray, sfreq: float, tmin: float = 0.0) -> dict[str, float]:
    """Rayleigh p-value of the phase at each target's frequency across that target's trials (small: locked)."""
    out = {}
    times = tmin + np.arange(X.shape[2]) / sfreq
    for label in np.unique(y):
        f = frequency_of(label)
        trials = X[y == label]
        if f is None or len(trials) < 3:
            continue
        coef = (trials.mean(axis=1) * np.exp(-2j * np.pi * f * times)).sum(axis=1)
        r = abs(np.mean(coef / np.maximum(np.abs(coef), 1e-30)))
        n = len(trials)
        z = n * r**2  # Rayleigh statistic, with Zar's small-sample correction of the p-value
        out[str(label)] = float(min(1.0, np.exp(np.sqrt(1 + 4 * n + 4 * (n**2 - n * z)) - (1 + 2 * n))))
    return out


def check_requirements(requires: Any, X: np.ndarray, y: np.ndarray, sfreq: float, tmin: float,
                       pipeline: str) -> list[str]:
    """Sentences saying which of the pipeline's requirements these epochs break (empty: none)."""
    warnings = []
    if "phase_locked" in tuple(requires or ()):
        pvals = phase_locking(X, y, sfreq, tmin)
        unlocked = sorted(label for label, p in pvals.items() if p >= P_LOCKED)
        if pvals and len(unlocked) > len(pvals) / 2:
            warnings.append(
                f"{pipeline} needs stimulation phase-locked to the events, but on these data the phase at the "
                f"stimulus frequency varies from trial to trial for {len(unlocked)} of {len(pvals)} targets "
                f"(Rayleigh p >= {P_LOCKED:g}: {', '.join(unlocked)}); expect chance accuracy. Use fbcca, cca or "
                "ssvep_features, which do not need it, or a stimulator that starts each flicker at a known phase.")
    return warnings

"""Non-finite samples, treated one way offline and online: each channel holds its last valid value
over them (so the causal filters' state is not poisoned), and no window that sees them, or the
filters' settling after them, is classified."""

from __future__ import annotations

import numpy as np

SETTLE_SECONDS = 0.5  # after a bad sample, the causal filters' transient: windows ending in it are skipped


def hold_last_valid(data: np.ndarray, invalid: np.ndarray, last: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``data`` ``(n_samples, n_channels)`` with each ``invalid`` sample replaced by its channel's last
    valid value (``last`` before the first sample, zeros by default); returns it and the new ``last``."""
    data = np.array(data, dtype=np.float64)
    n, m = data.shape
    last = np.zeros(m) if last is None else np.asarray(last, dtype=np.float64)
    if n == 0:
        return data, last
    if invalid.any():
        # index of the last valid sample at or before each sample (-1: none yet, use ``last``)
        idx = np.where(~invalid, np.arange(n)[:, None], -1)
        np.maximum.accumulate(idx, axis=0, out=idx)
        cols = np.broadcast_to(np.arange(m), (n, m))
        held = np.where(idx >= 0, data[np.maximum(idx, 0), cols], last[None, :])
        data = np.where(invalid, held, data)
    return data, data[-1].copy()

"""Presented-frame log of a stimulus: frame times, intervals, dropped frames, and whether the
display's refresh paced them.

The stimulus window calls :meth:`FrameLog.begin` when a flickering phase starts and
:meth:`FrameLog.presented` once per frame it shows, with the frame's number counted from that start
(frame ``n`` is due at ``start + n / refresh_hz``). A number that skips ahead means the frames in
between were never shown: they are counted as dropped. Qt-free: the sidecar of a run and the
operator's live warning read :meth:`FrameLog.stats`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

WARN_DROP_RATIO = 0.001  # the operator is warned above 0.1 % dropped frames


@dataclass
class FrameLog:
    """Frames shown during flicker; ``vsync`` says whether a display refresh paced them (``reason`` why not)."""

    refresh_hz: float
    vsync: bool = False
    reason: str = ""
    times: list[float] = field(default_factory=list)  # presentation time of every frame shown
    intervals: list[float] = field(default_factory=list)  # between consecutive frames of one segment
    dropped: int = 0
    segments: int = 0
    _last: int | None = None

    def begin(self, t: float) -> None:
        """A flickering phase starts (its frame 0 is shown at ``t``)."""
        self.segments += 1
        self._last = None

    def presented(self, n: int, t: float) -> int:
        """Frame ``n`` of the current segment was shown at ``t``; returns the frames dropped before it."""
        lost = 0
        if self._last is not None:
            lost = max(0, n - self._last - 1)
            self.intervals.append(t - self.times[-1])
        self.dropped += lost
        self._last = n
        self.times.append(t)
        return lost

    @property
    def drop_ratio(self) -> float:
        due = len(self.times) + self.dropped
        return self.dropped / due if due else 0.0

    def warning(self) -> str:
        """A sentence for the operator when too many frames were dropped, else ``""``."""
        if self.drop_ratio <= WARN_DROP_RATIO:
            return ""
        return (f"{self.dropped} stimulus frame(s) dropped ({100 * self.drop_ratio:.1f} % of "
                f"{len(self.times) + self.dropped}): the flicker was irregular; close other programs")

    def stats(self) -> dict[str, Any]:
        """What the run's sidecar stores."""
        iv = np.asarray(self.intervals) * 1e3
        return {
            "refresh_hz": float(self.refresh_hz), "vsync": bool(self.vsync), "pacing": self.reason,
            "frames": len(self.times), "segments": self.segments, "dropped": int(self.dropped),
            "drop_ratio": round(self.drop_ratio, 6),
            "interval_mean_ms": round(float(iv.mean()), 3) if len(iv) else None,
            "interval_sd_ms": round(float(iv.std()), 3) if len(iv) else None,
            "interval_max_ms": round(float(iv.max()), 3) if len(iv) else None,
        }

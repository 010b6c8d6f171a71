"""FrameLog: dropped frames counted from skipped frame numbers, interval statistics, the warning."""

from __future__ import annotations

import pytest

from bcigui.core.paradigms.frames import FrameLog


def test_skipped_frame_numbers_are_dropped_frames():
    log = FrameLog(60.0, reason="timer")
    log.begin(0.0)
    for n in range(100):  # frames 0-99 on time...
        log.presented(n, n / 60)
    assert log.presented(106, 106 / 60) == 6  # ...then the window was blocked for 100 ms
    log.begin(10.0)  # a new flicker segment: numbering starts again, no interval across segments
    log.presented(0, 10.0)
    log.presented(1, 10.0 + 1 / 60)
    s = log.stats()
    assert s["frames"] == 103 and s["dropped"] == 6 and s["segments"] == 2 and s["vsync"] is False
    assert s["drop_ratio"] == pytest.approx(6 / 109, rel=1e-4)
    assert s["interval_mean_ms"] == pytest.approx((99 + 7 + 1) / 60 / 101 * 1000, abs=1e-3)  # 101 intervals
    assert s["interval_max_ms"] == pytest.approx(7 / 60 * 1000, abs=1e-3)
    assert "6 stimulus frame(s) dropped" in log.warning()


def test_no_warning_at_or_below_one_in_a_thousand():
    log = FrameLog(60.0)
    log.begin(0.0)
    log.presented(0, 0.0)
    log.presented(1001, 1001 / 60)  # 1000 dropped of 1002: far above
    assert log.warning()
    clean = FrameLog(60.0)
    clean.begin(0.0)
    for n in range(2000):
        clean.presented(n + n // 1000, n / 60)  # one frame dropped of 2001 due: 0.05 %
    assert clean.dropped == 1 and clean.warning() == ""

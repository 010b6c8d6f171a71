"""Trace view: rendering, display filters, CAR with bad channels, markers, paging, pause/scroll-back."""

from __future__ import annotations

import numpy as np
import pytest
from pyqtgraph.Qt import QtCore
from pyqtgraph.Qt.QtWidgets import QApplication
from scipy import signal

from bcigui.core.signal.filters import FilterSpec, filter_continuous
from bcigui.gui.views.trace import TraceView, channel_groups
from bcigui.gui.views.trace_renderer import BAD_COLOR, TRACE_COLOR, ColumnCache, minmax_columns


def _power_at(x: np.ndarray, sfreq: float, f0: float) -> np.ndarray:
    f, p = signal.welch(x, fs=sfreq, nperseg=int(sfreq), axis=0)
    return p[np.argmin(np.abs(f - f0))]


def _pixels(view: TraceView) -> np.ndarray:
    img = view.image.image_array()
    assert img is not None
    return img


def test_renders_simulated_mi_data_in_both_modes(source_factory, shown, screenshot_dir):
    src = source_factory(32, 250.0, 20.0)
    view = shown(TraceView(src, window_s=10), 1400, 900)
    img = _pixels(view)
    h, w = img.shape
    assert w > 1000 and h > 600  # rasterised at screen resolution
    # each of the 32 channel bands contains trace pixels
    band = h / 32
    for j in range(32):
        rows = img[int(j * band):int((j + 1) * band)]
        assert (rows == TRACE_COLOR).any(), f"channel {j} not drawn"
    view.grab().save(str(screenshot_dir / "trace_scroll_mi.png"))
    view.set_mode("sweep")
    view.refresh()
    assert view.cursor.isVisible()
    n_win = int(10 * 250)
    assert view.cursor.value() == pytest.approx((src.buffer.n_written % n_win) / 250.0)
    view.grab().save(str(screenshot_dir / "trace_sweep_mi.png"))


@pytest.mark.parametrize("mode", ["scroll", "sweep"])
def test_incremental_frames_match_a_full_render(source_factory, shown, mode):
    src = source_factory(16, 250.0, 12.0, fill=False)
    from bcigui.core.stream.simulator import generate

    sim = generate("mi", 16, 250.0, 16.0, seed=1)
    src.push(sim.data[:3000])
    view = shown(TraceView(src, window_s=10, scale_uv=50, mode=mode), 900, 600)
    view.dc_removal = False
    view.refresh()
    for k in range(3000, 4000, 37):  # irregular chunks, like a live stream
        src.push(sim.data[k:k + 37])
        view.refresh()
    incremental = _pixels(view).copy()
    assert view._ring.columns_drawn < incremental.shape[1] // 4  # only new columns were redrawn
    view._ring.key = None  # force a full rasterisation of the same window
    view.refresh()
    full = _pixels(view)
    assert (incremental != full).mean() < 0.002


def test_minmax_columns_keep_extremes():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 10_000)).astype(np.float32)
    x[1, 4321] = 50.0
    bounds = (np.arange(700) * 10_000) // 700
    lo, hi = minmax_columns(x, bounds)
    assert hi.max() == 50.0 and hi[1].argmax() == np.searchsorted(bounds, 4321, "right") - 1
    np.testing.assert_array_equal(lo.min(axis=1), x.min(axis=1))
    cache = ColumnCache(3, 700, 10_000)
    cache.update(10_000, 0, lambda i0, i1: x[:, i0:i1])
    assert np.isclose(cache.hi.max(), 50.0)


def test_notch_removes_injected_50hz_from_the_display_only(source_factory, shown):
    sfreq = 250.0
    src = source_factory(8, sfreq, 20.0, fill=False)
    from bcigui.core.stream.simulator import generate

    sim = generate("mi", 8, sfreq, 24.0, seed=2)
    t = np.arange(sim.data.shape[0]) / sfreq
    data = sim.data + (40e-6 * np.sin(2 * np.pi * 50 * t))[:, None]
    src.push(data[:4000])
    view = shown(TraceView(src, window_s=10), 800, 500)
    off = _power_at(view.model.display_data(2500), sfreq, 50)
    view.set_filters(notch=50.0)
    # new samples arrive in chunks: only they go through the filter, with its carried state
    for k in range(4000, 6000, 50):
        src.push(data[k:k + 50])
        view.refresh()
    shown_data = view.model.display_data(2500)
    on = _power_at(shown_data, sfreq, 50)
    assert np.all(on < 0.01 * off), (on / off)
    # ... and they equal the offline causal filter of the same signal (state carried across chunks)
    raw, _ = src.buffer.get_data(None)
    h = (sfreq / 2 - 1) // 50
    ref = filter_continuous(raw.astype(np.float64), sfreq, FilterSpec(notch=50.0, notch_harmonics=int(h)))
    np.testing.assert_allclose(shown_data[-1000:], ref[-1000:], atol=2e-8)
    # the recorded data still contain the 50 Hz component
    rec_power = _power_at(src.buffer.get_data(2500)[0].astype(np.float64), sfreq, 50)
    assert np.all(rec_power > 0.5 * off)


def test_bad_channel_is_greyed_and_excluded_from_car(source_factory, shown):
    a = source_factory(8, 250.0, 12.0, seed=4)
    b = source_factory(8, 250.0, 12.0, seed=4, fill=False)
    data, _ = a.buffer.get_data(None)
    changed = data.copy()
    changed[:, 3] = changed[:, 3] * 5 + 100e-6  # the "bad" channel goes wild
    b.push(changed)
    va, vb = shown(TraceView(a, window_s=5), 800, 500), shown(TraceView(b, window_s=5), 800, 500)
    for v in (va, vb):
        v.set_filters(car=True)
        v.refresh()
    others = [0, 1, 2, 4, 5, 6, 7]
    da, db = va.model.display_data(1000), vb.model.display_data(1000)
    assert not np.allclose(da[:, others], db[:, others], atol=1e-9)  # with channel 3 in the CAR
    for v in (va, vb):
        v.set_bad(3)
        v.refresh()
    da, db = va.model.display_data(1000), vb.model.display_data(1000)
    np.testing.assert_allclose(da[:, others], db[:, others], atol=1e-9)
    img = _pixels(va)
    band = img.shape[0] / 8
    bad_rows = img[int(3 * band):int(4 * band)]
    assert (bad_rows == BAD_COLOR).sum() > 10 * (bad_rows == TRACE_COLOR).sum()
    assert (img[: int(3 * band)] == TRACE_COLOR).any()


def test_markers_are_drawn_at_their_time(source_factory, shown):
    src = source_factory(8, 250.0, 20.0, fill=False)
    from bcigui.core.stream.simulator import generate

    src.push(generate("mi", 8, 250.0, 20.0, seed=0).data)
    end = src.buffer.n_written
    src.markers.append(src.time_of(end - 750), "cue/left")  # 3 s before the newest sample
    src.markers.append(src.time_of(end - 2000) + 0.002, "cue/right")  # between two samples
    src.markers.append(src.time_of(end - 4000), "too old")  # outside the 10 s window
    view = shown(TraceView(src, window_s=10), 900, 500)
    pos = dict((label, x) for x, label in view.marker_positions)
    assert set(pos) == {"cue/left", "cue/right"}
    assert pos["cue/left"] == pytest.approx(-3.0, abs=1e-6)
    assert pos["cue/right"] == pytest.approx(-8.0 + 0.002, abs=1e-6)
    lines = [ln for ln in view._marker_lines if ln.isVisible()]
    assert sorted(ln.value() for ln in lines) == pytest.approx(sorted(pos.values()))
    assert {ln.label.format for ln in lines} == {"cue/left", "cue/right"}
    view.set_mode("sweep")
    view.refresh()
    sweep = dict((label, x) for x, label in view.marker_positions)
    assert sweep["cue/left"] == pytest.approx(((end - 750) % 2500) / 250.0, abs=1e-6)


def test_channel_selection_groups_and_paging(source_factory, shown):
    src = source_factory(32, 250.0, 6.0)
    view = shown(TraceView(src, window_s=5, channels_per_page=10), 900, 600)
    assert view.n_pages() == 4 and view.visible_channels() == list(range(10))
    view.set_page(3)
    assert view.visible_channels() == [30, 31]
    view.set_selected([0, 2, 4])
    view.refresh()
    assert view.visible_channels() == [0, 2, 4] and view.page == 0
    ticks = [t[1] for t in view.axis._tickLevels[0]]
    assert ticks == [src.ch_names[i] for i in (0, 2, 4)]
    assert view.image.boundingRect().height() == 3
    groups = channel_groups(src.ch_names)
    assert "Occipital" in groups and src.ch_names.index("Oz") in groups["Occipital"]
    view.set_selected(list(range(32)))
    view.set_group("Occipital")
    assert [src.ch_names[i] for i in view.visible_channels()] == [src.ch_names[i] for i in groups["Occipital"]]
    with pytest.raises(ValueError, match="group must be one of"):
        view.set_group("Nose")


def test_scale_keys_auto_scale_and_window(source_factory, shown, qtbot):
    src = source_factory(8, 250.0, 12.0)
    view = shown(TraceView(src, window_s=10, scale_uv=50), 800, 500)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Plus)
    assert view.scale_uv == pytest.approx(30)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Minus)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Minus)
    assert view.scale_uv == pytest.approx(70)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_A)
    x = view.model.display_data(2500)
    typical = np.median(np.percentile(x, 98, axis=0) - np.percentile(x, 2, axis=0)) * 1e6
    assert 1.3 * typical <= view.scale_uv < 2.0 * typical
    view.set_window(2)
    view.refresh()
    assert view.vb.viewRange()[0] == pytest.approx([-2.0, 0.0])
    with pytest.raises(ValueError, match="window must be between 1 and 30 s, got 45"):
        view.set_window(45)


def test_pause_freezes_and_scrolls_back(source_factory, shown, qtbot):
    src = source_factory(8, 250.0, 30.0)
    view = shown(TraceView(src, window_s=5), 800, 500)
    view.activateWindow()
    view.setFocus()
    qtbot.waitUntil(view.isActiveWindow, timeout=2000)
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Space)
    assert view.paused
    shown_index = view.last_rendered_index
    src.push(np.zeros((250, 8), np.float32))
    view.refresh()
    assert view.last_rendered_index == shown_index  # frozen
    view.scroll_back(12.0)
    assert view.vb.viewRange()[0] == pytest.approx([-17.0, -12.0])
    assert (_pixels(view) == TRACE_COLOR).any()
    qtbot.keyClick(view, QtCore.Qt.Key.Key_Space)
    view.refresh()
    assert not view.paused and view.last_rendered_index == src.buffer.n_written


def test_bad_inputs_give_clear_errors(source_factory):
    src = source_factory(8, 250.0, 2.0)
    with pytest.raises(ValueError, match="mode must be 'scroll' or 'sweep', got 'zigzag'"):
        TraceView(src, mode="zigzag")
    with pytest.raises(TypeError, match="lacks"):
        TraceView(object())
    view = TraceView(src)
    with pytest.raises(ValueError, match="bandpass must satisfy 0 < low < high < 125 Hz"):
        view.set_filters(bandpass=(1.0, 200.0))
    with pytest.raises(ValueError, match="notch must be one of"):
        view.set_filters(notch=55.0)
    view.close()


def test_nan_samples_do_not_break_the_display(source_factory, shown):
    src = source_factory(8, 250.0, 6.0)
    view = shown(TraceView(src, window_s=5), 800, 500)
    view.set_filters(bandpass=(1.0, 30.0))
    bad = np.full((100, 8), np.nan, np.float32)
    src.push(bad)
    src.push(np.zeros((100, 8), np.float32))
    view.refresh()
    assert np.isfinite(view.model.display_data(500)).all()
    assert (_pixels(view) == TRACE_COLOR).any()


def test_stalled_stream_is_reported_and_data_kept(source_factory, shown, qtbot):
    src = source_factory(8, 250.0, 6.0)
    view = shown(TraceView(src, window_s=5), 800, 500)
    view.stall_s = 0.2
    before = view.model.display_data().copy()
    qtbot.wait(400)
    view.refresh()
    assert "no new data" in view.status.text()
    np.testing.assert_array_equal(view.model.display_data(), before)
    src.push(np.zeros((25, 8), np.float32))
    view.refresh()
    assert view.status.text() == ""


def test_frames_only_while_visible(source_factory, shown, qtbot):
    src = source_factory(8, 250.0, 4.0)
    view = shown(TraceView(src, window_s=5, fps=50), 600, 400)
    assert view._timer.isActive()
    qtbot.waitUntil(lambda: view.frames > 3, timeout=3000)
    view.hide()
    assert not view._timer.isActive()
    frames = view.frames
    qtbot.wait(150)
    assert view.frames == frames
    view.show()
    qtbot.waitUntil(lambda: view.frames > frames, timeout=3000)


def test_marker_names_never_overlap(source_factory, shown, screenshot_dir):
    src = source_factory(16, 250.0, 20.0, fill=False)
    from bcigui.core.stream.simulator import generate

    src.push(generate("mi", 16, 250.0, 20.0, seed=0).data)
    end = src.buffer.n_written
    names = ["fixation", "beep", "cue/left_hand", "imagery/start", "imagery/end", "rest", "trial/end"]
    for k in range(21):  # a trial's markers every 0.1-0.3 s: far closer than their names are wide
        src.markers.append(src.time_of(end - 2400 + k * 40 + (k % 3) * 20), names[k % len(names)])
    view = shown(TraceView(src, window_s=10), 900, 500)
    QApplication.processEvents()
    view.refresh()
    QApplication.processEvents()
    lines = [ln for ln in view._marker_lines if ln.isVisible()]
    assert len(lines) == 21
    named = [ln for ln in lines if ln.label.format]
    boxes = [ln.label.sceneBoundingRect() for ln in named]
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.intersects(b)]
    assert not overlaps
    assert 4 <= len(named) < 21  # as many named as fit; the rest keep their line and a tooltip
    assert all(ln.toolTip() for ln in lines)
    view.grab().save(str(screenshot_dir / "trace_dense_markers.png"))


def test_pages_hold_as_many_channels_as_fit(source_factory, shown):
    src = source_factory(64, 250.0, 6.0)
    view = shown(TraceView(src, window_s=5), 900, 600)
    QApplication.processEvents()
    k = view.per_page()
    assert 16 <= k < 64 and view.n_pages() == -(-64 // k)  # readable: >= 16 px a channel
    assert view.plot.getViewBox().height() / len(view.visible_channels()) >= TraceView.MIN_PX_PER_CHANNEL
    view.resize(900, 1400)
    QApplication.processEvents()
    assert view.per_page() > k  # a taller view shows more channels per page
    assert TraceView(src, channels_per_page=64).per_page() == 64  # a fixed page size is kept

"""Quality panel and the trace view's quality dots flag injected flat and saturated channels."""

from __future__ import annotations

import numpy as np

from bcigui.core.signal.quality import QualityThresholds
from bcigui.gui.views.quality import QualityView
from bcigui.gui.views.trace import QUALITY_COLORS, TraceView


def _faulty_source(source_factory):
    src = source_factory(16, 250.0, 6.0, fill=False)
    from bcigui.core.stream.simulator import generate

    data = generate("mi", 16, 250.0, 6.0, seed=7).data.copy()
    data[:, 2] = 12e-6  # flat line (constant offset)
    data[:, 5] = np.clip(data[:, 5] * 30, -150e-6, 150e-6)  # saturating amplifier
    src.push(data)
    return src


def test_quality_panel_flags_flat_and_saturated_channels(source_factory, shown, screenshot_dir):
    src = _faulty_source(source_factory)
    view = shown(QualityView(src, seconds=2), 520, 620)
    levels = view.levels()
    flat, sat = src.ch_names[2], src.ch_names[5]
    assert levels[flat] == "bad" and levels[sat] == "bad"
    assert sum(v == "good" for v in levels.values()) >= 12
    rows = {view.table.item(r, 0).text(): view.table.item(r, 2).text() for r in range(view.table.rowCount())}
    assert "flat line" in rows[flat] and "clipping" in rows[sat]
    assert "flat line" in view.grid.item(2).toolTip()
    assert "bad" in view.summary.text()
    view.grab().save(str(screenshot_dir / "quality_panel.png"))
    # thresholds are configurable from the panel: disabling the flat check clears that flag
    view.spins["flat_uv"].setValue(0.0)
    assert view.levels()[flat] == "good"
    view.set_thresholds(QualityThresholds(clip_fraction=None))
    assert view.levels()[sat] != "bad" or "clipping" not in dict(
        (q.name, q.reason) for q in view.quality)[sat]


def test_trace_view_shows_quality_dots(source_factory, shown, screenshot_dir):
    src = _faulty_source(source_factory)
    view = shown(TraceView(src, window_s=5), 1000, 600)
    colors = view.axis.colors
    assert colors[src.ch_names[2]] == QUALITY_COLORS["bad"]
    assert colors[src.ch_names[5]] == QUALITY_COLORS["bad"]
    assert colors[src.ch_names[0]] == QUALITY_COLORS["good"]
    view.grab().save(str(screenshot_dir / "trace_quality_dots.png"))

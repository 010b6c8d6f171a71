"""Live connectivity view: a lagged 10-Hz coupling between two channels is the strongest link, computed
off the GUI thread with the core's measure."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.features.connectivity import band_connectivity
from bcigui.gui.views.connectivity import ConnectivityView


def test_coupled_pair_is_the_strongest_link(source_factory, shown, qtbot, screenshot_dir):
    src = source_factory(32, 250.0, 10.0, fill=False)
    rng = np.random.default_rng(1)
    n = int(10 * 250)
    data = rng.normal(0, 10e-6, (n, 32))
    t = np.arange(n) / 250.0
    alpha = np.sin(2 * np.pi * 10 * t + np.cumsum(rng.normal(0, 0.05, n)))
    c3, c4 = src.ch_names.index("C3"), src.ch_names.index("C4")
    data[:, c3] += 20e-6 * alpha
    data[:, c4] += 20e-6 * np.roll(alpha, 6)  # 24 ms later: a quarter of a cycle, what imaginary coherence sees
    src.push(data)
    view = shown(ConnectivityView(src, seconds=4.0), 1000, 500)
    qtbot.waitUntil(lambda: view.matrix is not None, timeout=10000)
    assert view.matrix.shape == (32, 32) and np.allclose(view.matrix, view.matrix.T)
    i, j, _ = view.strongest(1)[0]
    assert {src.ch_names[i], src.ch_names[j]} == {"C3", "C4"}
    assert len(view._lines) == 20
    expected = band_connectivity(src.buffer.get_data(1000)[0], 250.0, (8.0, 13.0), "imcoh")
    assert np.allclose(view.matrix, expected)  # the core's measure, not a second one
    vb = view.mat_plot.getViewBox()
    left = view.mat_plot.getAxis("left")._tickLevels[0]
    assert len(left) <= vb.height() / 14 + 1  # names never overlap
    qtbot.wait(50)  # the info label's new text gets its room
    from tests.gui.layout_check import layout_problems

    assert layout_problems(view) == []
    view.grab().save(str(screenshot_dir / "view_connectivity.png"))
    with pytest.raises(ValueError, match="method must be one of"):
        ConnectivityView(src, method="granger")

"""Every view gets room and the window fits the screen: the main window with four live views and the
online dock at 1280x800 and 1920x1080; no axis hides a scale factor (SI prefix) in its corner."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QDockWidget

from bcigui.core.plugins import Registry
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings
from tests.gui.layout_check import VIEWS, main_window_with_views


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_views_get_room_and_the_window_fits(qtbot, tmp_path, unique_name, screenshot_dir, size) -> None:
    with main_window_with_views(qtbot, tmp_path / "settings.ini", unique_name, size) as win:
        win.show_online()
        qtbot.wait(1500)
        win.grab().save(str(screenshot_dir / f"main_{size[0]}x{size[1]}.png"))
        assert win.height() <= size[1] and win.width() <= size[0]
        shown = [d for d in win.findChildren(QDockWidget) if d.isVisible() and not d.visibleRegion().isEmpty()]
        names = {d.property("view_name") for d in shown}
        assert "traces" in names and len(names & set(VIEWS)) >= 2  # the others are one tab click away
        for dock in shown:
            assert dock.width() >= 250 and dock.height() >= 150, (dock.windowTitle(), dock.size())
        traces = next(d for d in shown if d.property("view_name") == "traces")
        assert traces.height() >= 0.45 * size[1] and traces.width() >= 0.4 * size[0]
        axes = [a for a in win.findChildren(pg.GraphicsView) for a in a.items() if isinstance(a, pg.AxisItem)]
        assert axes and not [a for a in axes if a.autoSIPrefix]


def test_online_dock_scrolls_instead_of_growing_the_window(qtbot, tmp_path) -> None:
    win = MainWindow(Registry().discover(tmp_path / "none"), Settings(tmp_path / "s.ini"), simulate=None)
    qtbot.addWidget(win)
    win.resize(1280, 700)
    win.show()
    win.show_online()
    qtbot.wait(200)
    assert win.height() <= 700 and win.online_panel.start_btn.isVisibleTo(win)

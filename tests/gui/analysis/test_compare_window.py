"""The "compare across subjects" window runs the batch evaluation (serially here) and shows its table and plot."""

from __future__ import annotations

from PySide6.QtCore import Qt

from bcigui.gui.analysis.compare_window import CompareWindow
from tests.conftest import PHYSIONET


def test_compare_window_runs_and_shows_results(qtbot, tmp_path, screenshot_dir):
    win = CompareWindow()
    qtbot.addWidget(win)
    win.show()
    win.dataset.setCurrentIndex(win.dataset.findData("physionet-lr"))
    win.root.setText(str(PHYSIONET))
    for i in range(win.pipelines.count()):
        item = win.pipelines.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) == "csp_lda"
                           else Qt.CheckState.Unchecked)
    assert win.selected_pipelines() == ["csp_lda"]
    win.subjects.setText("1-2")
    win.workers.setValue(1)  # serial: the dask path is tested in tests/core/batch
    win.results.setText(str(tmp_path / "cmp"))
    win.start()
    qtbot.waitUntil(lambda: win.task is None, timeout=120000)
    assert "2 task(s) run" in win.status.text(), win.status.text()
    assert win.table.rowCount() == 1 and win.table.item(0, 0).text() == "csp_lda"
    assert win.table.item(0, 1).text() == "2" and "%" in win.table.item(0, 3).text()
    assert (tmp_path / "cmp" / "results.csv").is_file() and not win.plot.pixmap().isNull()
    win.grab().save(str(screenshot_dir / "compare_window.png"))
    win.start()  # again: everything is done already, nothing recomputed
    qtbot.waitUntil(lambda: win.task is None, timeout=60000)
    assert "0 task(s) run, 2 already done" in win.status.text(), win.status.text()

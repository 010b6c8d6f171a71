"""Calibration from the main window: dialog built from the paradigm's parameters, a short MI run."""

from __future__ import annotations

from pathlib import Path

from bcigui.core.plugins import Registry
from bcigui.core.stream.simulator import Simulator
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings


def test_calibration_session_from_main_window(qtbot, tmp_path, monkeypatch, unique_name, screenshot_dir):
    monkeypatch.setenv("BCIGUI_SETTINGS", str(tmp_path / "settings.ini"))
    win = MainWindow(Registry().discover(tmp_path / "none"), Settings())
    qtbot.addWidget(win)
    win.show()
    assert win.new_calibration() is None  # no stream yet: a clear message, no dialog
    sim = Simulator("mi", n_channels=8, srate=250.0, seed=3, name=unique_name).start()
    try:
        win.panel.connect_to(unique_name, markers=[f"{unique_name}-markers"])
        qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
        dlg = win.new_calibration()
        assert dlg is not None and dlg.paradigm.count() >= 2
        dlg.subject.setText("0-1")
        dlg.out.setText(str(tmp_path / "bids"))
        dlg._accept()
        assert "subject" in dlg.error.text() and dlg.isVisible()  # bad BIDS label refused, dialog stays
        dlg.subject.setText("07")
        form = dlg.forms.currentWidget()
        form.set_values({"trials_per_class": 1, "baseline_duration": 0.5, "fixation_duration": 0.5,
                         "warning_duration": 0.2, "cue_duration": 0.5, "imagery_duration": 1.0,
                         "rest_duration": 0.5, "rest_jitter": 0.0})
        dlg.resize(560, 640)
        dlg.grab().save(str(screenshot_dir / "calibration_dialog.png"))
        saved = []
        dlg._accept()
        qtbot.waitUntil(lambda: win.calibration is not None, timeout=10000)
        win.calibration.finished.connect(saved.append)
        qtbot.waitUntil(lambda: bool(saved), timeout=40000)
    finally:
        win.close()
        sim.stop()
    out = Path(saved[0])
    assert out.exists() and out.name.startswith("sub-07_ses-01_task-mi_run-01") and out.suffix == ".vhdr"

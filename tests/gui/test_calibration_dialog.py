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


def test_dialog_remembers_explains_and_shows_the_run_length(qtbot, tmp_path) -> None:
    from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

    from bcigui.core.paradigms import make_paradigm
    from bcigui.core.plugins import get_registry
    from bcigui.gui.session_dialog import CalibrationDialog

    dlg = CalibrationDialog(get_registry(), str(tmp_path))
    qtbot.addWidget(dlg)
    fields = [w for kind in (QLineEdit, QComboBox, QCheckBox) for w in dlg.findChildren(kind)]
    assert len(fields) > 10  # the dialog's own fields and the paradigm's (ParamForm)
    for w in fields:
        if w.objectName() != "qt_spinbox_lineedit" and not isinstance(w.parent(), QComboBox):  # inner editors
            assert w.toolTip(), f"{type(w).__name__} {w.objectName() or w} has no help text"
    assert dlg.out.toolTip().startswith("Folder of the study in BIDS layout")
    form = dlg.forms.currentWidget()
    form.widgets["trials_per_class"].setValue(5)  # as the user would
    expected = make_paradigm(dlg.paradigm.currentData(), **form.values()).total_duration()
    minutes, seconds = divmod(int(round(expected)), 60)
    assert dlg.duration.text() == f"Run length: about {minutes} min {seconds:02d} s"
    form.widgets["trials_per_class"].setValue(40)
    assert dlg.duration.text() != f"Run length: about {minutes} min {seconds:02d} s"
    dlg.subject.setText("P07")
    dlg.operator.setText("Dr A")
    last = dlg.values()
    again = CalibrationDialog(get_registry(), "", last=last)
    qtbot.addWidget(again)
    assert again.subject.text() == "P07" and again.operator.text() == "Dr A" and again.out.text() == str(tmp_path)
    assert again.forms.currentWidget().values()["trials_per_class"] == 40

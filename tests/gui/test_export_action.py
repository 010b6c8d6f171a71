"""File > Export recording: the main window's action runs ``export_run`` in a worker thread."""

from __future__ import annotations

import mne
import numpy as np

from bcigui.core.plugins import Registry
from bcigui.core.recording.writer import RecordingWriter
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings


def test_export_action_writes_the_file_off_the_gui_thread(qtbot, tmp_path):
    w = RecordingWriter(tmp_path / "r.bcirec", ["C3", "C4"], 100.0, meta={"start_unix": 1.7e9})
    data = 1e-5 * np.random.default_rng(0).standard_normal((500, 2))
    w.append(data, 10 + np.arange(500) / 100.0)
    w.add_marker(11.0, "cue/feet", "m")
    w.close()
    win = MainWindow(Registry().discover(tmp_path / "no-plugins"), Settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    try:
        assert win.act_export in win.menuBar().actions()[0].menu().actions()
        task = win.export_recording(str(w.path / "header.json"), str(tmp_path / "out.vhdr"), "brainvision")
        assert task.wait(30)
        qtbot.waitUntil(lambda: "Exported to" in win.statusBar().currentMessage(), timeout=5000)
        back = mne.io.read_raw(tmp_path / "out.vhdr", preload=True, verbose="error")
        assert np.allclose(back.get_data().T, data, rtol=1e-6, atol=1e-12)
        task = win.export_recording(str(w.path), str(tmp_path / "out.vhdr"), "brainvision")  # exists
        assert task.wait(30)
        qtbot.waitUntil(lambda: "Export failed" in win.statusBar().currentMessage(), timeout=5000)
        assert "already exists" in win.statusBar().currentMessage()
    finally:
        win.close()

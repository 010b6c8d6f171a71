"""Main window with the in-process simulator (the ``bcigui --simulate mi`` path), settings,
dialogs, the worker helper and the no-display message of ``launch_gui``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from PySide6.QtWidgets import QApplication

from bcigui.core.plugins import Registry
from bcigui.gui.app import apply_theme
from bcigui.gui.launch import display_problem
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings
from bcigui.gui.workers import run_in_thread


def _samples(win: MainWindow) -> int:
    text = win.panel.stats_labels["samples"].text().replace(",", "")
    return int(text) if text.isdigit() else -1


@pytest.fixture
def window(qtbot, tmp_path, unique_name):
    apply_theme("light")
    reg = Registry().discover(tmp_path / "no-plugins")
    settings = Settings(tmp_path / "settings.ini")
    win = MainWindow(reg, settings, simulate="mi", simulator_name=unique_name)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_simulate_connects_and_streams(window, qtbot, unique_name, screenshot_dir):
    win = window
    qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
    assert win.simulator is not None and win.simulator.running
    qtbot.waitUntil(lambda: _samples(win) > 0, timeout=5000)
    first = _samples(win)
    qtbot.waitUntil(lambda: _samples(win) > first + 100, timeout=5000)  # status keeps updating
    assert win.panel.stats_labels["stream"].text() == unique_name
    assert unique_name in win.stream_label.text()
    # the stream panel lists the simulator's EEG stream and the app's own session marker outlet (the
    # virtual subject follows it and publishes no markers of its own)
    qtbot.waitUntil(lambda: unique_name in {s.name for s in win.panel.streams}, timeout=15000)
    sid = win.session_outlet.source_id
    qtbot.waitUntil(lambda: sid in {s.source_id for s in win.panel.streams}, timeout=15000)
    assert f"{unique_name}-markers" not in {s.name for s in win.panel.streams}
    row = next(i for i, s in enumerate(win.panel.streams) if s.name == unique_name)
    cells = [win.panel.table.item(row, c).text() for c in range(win.panel.table.columnCount())]
    assert cells[:5] == [f"● {unique_name}", "EEG", "32", "500 Hz", "float32"]  # ● = connected
    assert cells[5] and cells[6]  # source_id, host
    qtbot.waitUntil(lambda: win.panel.indicator.level == "ok", timeout=10000)
    for name in ("traces", "spectrum"):  # the built-in views, when installed, for the screenshot
        if name in win.view_actions:
            win.open_view(name)
    qtbot.wait(1500)
    win.grab().save(str(screenshot_dir / "main_window.png"))

    acq, sim = win.panel.acquisition, win.simulator
    win.close()
    assert not sim.running
    assert not acq.stats().connected
    names = {t.name for t in threading.enumerate()}
    assert f"Simulator[{unique_name}]" not in names


VIEW_PLUGIN = textwrap.dedent('''
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLabel

    from bcigui.core.plugins import Param, PluginSpec


    class SampleCounter(QLabel):
        """Shows how many samples the acquisition has received."""

        def __init__(self, acquisition, parent=None, interval_ms=100):
            super().__init__("0", parent)
            self.acquisition = acquisition
            self.timer = QTimer(self)
            self.timer.timeout.connect(lambda: self.setText(str(acquisition.buffer.n_written)))
            self.timer.start(interval_ms)


    def bcigui_plugins():
        return [PluginSpec(name="sample_counter", kind="view", factory=SampleCounter,
                           description="Number of samples received (test view)",
                           params=(Param("interval_ms", "int", 100, "refresh period",
                                         minimum=10, maximum=1000, unit="ms"),))]
''')


def again_params(settings: Settings) -> dict:
    return dict(settings.qsettings.value("views/sample_counter"))


def test_views_lost_stream_and_settings_persist(qtbot, tmp_path, unique_name):
    apply_theme("light")
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "counter_view.py").write_text(VIEW_PLUGIN)
    reg = Registry().discover(plugins, use_entry_points=False)
    assert reg.failures == []
    ini = tmp_path / "settings.ini"
    win = MainWindow(reg, Settings(ini), simulate="mi", simulator_name=unique_name)
    qtbot.addWidget(win)
    win.show()
    assert "sample_counter" in win.view_actions
    assert win.open_view("sample_counter") is None  # not connected yet: a message, no view
    assert "Connect to a stream first" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
    acq = win.panel.acquisition
    win.view_actions["sample_counter"].trigger()
    win.view_actions["sample_counter"].trigger()  # several views at once
    assert [d.windowTitle() for d in win.views] == ["Sample counter", "Sample counter (2)"]
    qtbot.waitUntil(win.placeholder.isHidden, timeout=2000)
    label = win.views[1].widget()
    win.grab().save(str(tmp_path / "views.png"))
    qtbot.waitUntil(lambda: int(label.text()) > 0, timeout=5000)
    assert label.timer.interval() == 100
    # view settings through the generic parameter form: open views are re-created with them
    dlg = win.edit_view_settings("sample_counter")
    dlg.form.set_values({"interval_ms": 50})
    dlg.accept()
    assert [d.widget().timer.interval() for d in win.views] == [50, 50]
    assert win.view_params(win.registry.get("view", "sample_counter")) == {"interval_ms": 50}

    win.simulator.stop()  # the stream vanishes: red indicator with the reason, no crash
    qtbot.waitUntil(lambda: win.panel.indicator.level == "error", timeout=10000)
    assert win.panel.indicator.text.text() == "Stream lost"
    assert "lost" in win.statusBar().currentMessage().lower()
    assert "color" in win.stream_label.styleSheet()

    win.panel.disconnect_stream()
    assert win.panel.acquisition is None and not acq.stats().connected
    assert win.panel.indicator.level == "idle" and win.stream_label.text() == "Not connected"
    assert not win.act_disconnect.isEnabled()
    qtbot.waitUntil(lambda: not win.views, timeout=2000)  # views of the old stream are closed
    win.resize(760, 590)  # within the 800x800 offscreen screen (the layout may need more width)
    qtbot.wait(50)
    size = (win.width(), win.height())
    win.close()

    s = Settings(ini)
    assert s.last_stream == unique_name
    assert s.open_views == ["sample_counter", "sample_counter"]
    assert again_params(s) == {"interval_ms": 50}
    assert s.geometry is not None and s.window_state is not None
    again = MainWindow(reg, s, simulate="mi", simulator_name=unique_name + "b")
    qtbot.addWidget(again)
    again.show()
    assert (again.width(), again.height()) == size
    qtbot.waitUntil(lambda: len(again.views) == 2, timeout=20000)  # views reopened on connect
    qtbot.waitUntil(lambda: all(d.isVisible() for d in again.views), timeout=3000)
    again.close()


def test_unknown_stream_is_reported_not_raised(qtbot, tmp_path, unique_name):
    reg = Registry().discover(tmp_path / "no-plugins", use_entry_points=False)
    win = MainWindow(reg, Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    win.panel.connect_to(f"{unique_name}-absent")
    qtbot.waitUntil(lambda: win.panel.indicator.level == "error", timeout=20000)
    assert f"{unique_name}-absent" in win.panel.indicator.reason.text()
    assert "No LSL stream named" in win.panel.last_error
    assert win.panel.acquisition is None
    win.close()


def test_preferences_and_about(qtbot, tmp_path):
    reg = Registry().discover(tmp_path / "no-plugins", use_entry_points=False)
    s = Settings(tmp_path / "settings.ini")
    win = MainWindow(reg, s)
    qtbot.addWidget(win)
    dlg = win.show_preferences()
    dlg.form.set_values({"theme": "dark", "discovery_timeout": 2.5})
    dlg.folder.setText(str(tmp_path / "my-plugins"))
    dlg.accept()
    assert Settings(tmp_path / "settings.ini").theme == "dark"
    assert Settings(tmp_path / "settings.ini").get("discovery_timeout") == 2.5
    assert Settings(tmp_path / "settings.ini").plugins_dir == str(tmp_path / "my-plugins")
    assert win.panel.discovery_timeout == 2.5
    assert "#1b2129" in QApplication.instance().styleSheet()  # dark theme applied
    apply_theme("light")
    about = win.show_about()
    text = about.versions.text()
    assert "pyqtgraph" in text and "PySide6" in text and "numpy" in text
    about.close()
    win.close()


def test_worker_runs_off_gui_thread_with_progress_and_cancel(qtbot):
    got = {}

    def work(n, progress, cancel):
        for i in range(n):
            if cancel.is_set():
                return "stopped"
            progress((i + 1) / n, f"step {i + 1}")
            time.sleep(0.01)
        return threading.current_thread() is threading.main_thread()

    steps = []
    task = run_in_thread(work, 5, progress=True, on_done=lambda r: got.update(done=r),
                         on_progress=lambda f, m: steps.append((f, m, threading.current_thread() is threading.main_thread())))
    qtbot.waitUntil(lambda: "done" in got, timeout=5000)
    assert got["done"] is False  # ran off the GUI thread
    assert [s[0] for s in steps] == [0.2, 0.4, 0.6, 0.8, 1.0] and all(s[2] for s in steps)
    assert task.error is None

    slow = run_in_thread(work, 1000, progress=True, on_done=lambda r: got.update(slow=r),
                         on_cancelled=lambda: got.update(cancelled=True))
    qtbot.wait(50)
    slow.cancel()
    qtbot.waitUntil(lambda: "cancelled" in got, timeout=5000)
    assert "slow" not in got

    def boom(x):
        raise ValueError(f"x must be positive, got {x}")

    run_in_thread(boom, -1, on_error=lambda err, tb: got.update(err=str(err), tb=tb))
    qtbot.waitUntil(lambda: "err" in got, timeout=5000)
    assert got["err"] == "x must be positive, got -1" and "Traceback" in got["tb"]


@pytest.mark.parametrize("env, problem", [
    ({}, "DISPLAY is not set"),
    ({"DISPLAY": ":0"}, None),
    ({"WAYLAND_DISPLAY": "wayland-0"}, None),
    ({"QT_QPA_PLATFORM": "offscreen"}, None),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "w"}, "DISPLAY is not set"),
    ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, "WAYLAND_DISPLAY is not set"),
])
def test_display_problem(env, problem):
    assert display_problem(env, platform="linux") == problem
    assert display_problem(env, platform="win32") is None


def test_launch_without_display_prints_one_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["BCIGUI_SETTINGS"] = str(tmp_path / "settings.ini")
    res = subprocess.run([sys.executable, "-m", "bcigui", "--simulate", "mi"], capture_output=True,
                         text=True, timeout=60, env=env)
    out = (res.stdout + res.stderr).strip().splitlines()
    assert res.returncode == 1, res.stdout + res.stderr
    assert len(out) == 1, out
    assert out[0].startswith("bcigui: no display found (DISPLAY is not set)")
    assert "xvfb-run" in out[0] and "bcigui --help" in out[0] and "Traceback" not in out[0]


def test_cli_simulate_runs_and_ctrl_c_closes_cleanly(tmp_path):
    """``bcigui --simulate mi`` (what ``make run`` does): connects, then Ctrl+C closes cleanly."""
    ini = tmp_path / "settings.ini"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BCIGUI_SETTINGS=str(ini))
    proc = subprocess.Popen([sys.executable, "-m", "bcigui", "--simulate", "mi"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if ini.exists() and "last_stream=bcigui-sim" in ini.read_text(errors="replace"):
                break
            time.sleep(0.3)
        assert proc.poll() is None, proc.communicate()
        assert "last_stream=bcigui-sim" in ini.read_text(errors="replace"), "never connected"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in out + err
    assert "state=" in ini.read_text(errors="replace")  # window and dock state saved on close


def test_saved_calibration_offers_the_next_steps(qtbot, tmp_path, monkeypatch):

    reg = Registry().discover(tmp_path / "no-plugins", use_entry_points=False)
    win = MainWindow(reg, Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    opened = []
    monkeypatch.setattr(win, "new_calibration", lambda: opened.append("calibration"))
    box = win._calibration_saved(str(tmp_path / "sub-01_task-mi_run-01_eeg.vhdr"))
    assert "sub-01_task-mi_run-01_eeg.vhdr" in box.text() and box.isVisible()
    assert "Calibration saved" in win.statusBar().currentMessage()
    names = [b.text() for b in box.buttons()]
    assert "Analyse it now" in names and "Run another" in names
    next(b for b in box.buttons() if b.text() == "Run another").click()
    assert opened == ["calibration"]
    win.close()

"""Stimulus windows (MI cue, SSVEP flicker) and operator view, offscreen, on real LSL streams.

Screenshots go to screenshots/ (mi_warning, mi_cue, mi_paused, operator, ssvep_cue, ssvep_flicker).
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer

from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.paradigms.ssvep import SSVEPParadigm
from bcigui.core.recording.session import CalibrationSession, SessionInfo
from bcigui.core.stream.acquisition import Acquisition
from bcigui.gui.paradigms.operator import OperatorWindow
from bcigui.gui.paradigms.stimulus import MICueWindow, SSVEPWindow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "recording"))
from lsl_index_outlet import IndexOutlet  # noqa: E402


@pytest.fixture
def lsl_env(unique_name):
    eeg = IndexOutlet(unique_name).start()
    outlet = MarkerOutlet(unique_name + "-markers")
    acq = Acquisition(eeg.name, markers=[outlet.name]).start()
    assert outlet.wait_for_consumers(5.0)
    yield eeg, outlet, acq
    acq.stop()
    eeg.stop()


def red_centroid_x(img) -> float | None:
    """Mean x (fraction of the width) of strongly red pixels of a QImage."""
    rgb = img.convertToFormat(img.Format.Format_RGB888)  # keep a reference while reading its bits
    arr = np.frombuffer(rgb.constBits(), np.uint8).copy()
    arr = arr.reshape(rgb.height(), -1)[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3)
    red = (arr[..., 0] > 200) & (arr[..., 1] < 100) & (arr[..., 2] < 100)
    return float(np.nonzero(red)[1].mean() / img.width()) if red.any() else None


def test_mi_window_with_pause(qtbot, lsl_env, tmp_path, screenshot_dir):
    eeg, outlet, acq = lsl_env
    p = MotorImageryParadigm("left_hand,right_hand", 2, baseline_duration=0.3, fixation_duration=0.3,
                             warning_duration=0.3, cue_duration=0.5, imagery_duration=0.7, rest_duration=0.3,
                             rest_jitter=0.1, seed=1)
    session = CalibrationSession(acq, p, tmp_path, SessionInfo("01", operator="op"), outlet)
    win = MICueWindow(session)
    win.resize(900, 560)
    op = OperatorWindow(session)
    qtbot.addWidget(win)
    qtbot.addWidget(op)
    win.show()
    op.show()
    seen: dict[str, object] = {}

    def on_shown(phases, t):
        for ph in phases:
            if ph.kind in ("warning", "cue") and ph.trial == 0 and ph.kind not in seen:
                seen[ph.kind] = win.grab()
                seen[ph.kind].save(str(screenshot_dir / f"mi_{ph.kind}.png"))
                seen[ph.kind + "_label"] = ph.label
            if ph.kind == "fixation" and ph.trial == 1:
                qtbot.mouseClick(op.panel.pause_button, Qt.MouseButton.LeftButton)
                seen["pending"] = op.panel.phase_label.text()
            if ph.kind == "imagery" and ph.trial == 1:
                op.panel.refresh()
                op.trace.refresh()
                op.grab().save(str(screenshot_dir / "operator.png"))
                seen["operator"] = op.panel.trial_label.text()
            if ph.kind == "pause":
                op.panel.refresh()
                win.grab().save(str(screenshot_dir / "mi_paused.png"))
                seen["paused"] = op.panel.phase_label.text()
                QTimer.singleShot(400, lambda: qtbot.mouseClick(op.panel.resume_button, Qt.MouseButton.LeftButton))

    win.phaseShown.connect(on_shown)
    win.start()
    qtbot.waitUntil(lambda: session.finished, timeout=30000)
    out = session.finish()

    assert "pausing after this trial" in seen["pending"] and seen["paused"] == "PAUSED"
    assert seen["operator"] == "2 of 4"
    x = red_centroid_x(seen["cue"].toImage())
    assert x is not None and ((x < 0.45) if seen["cue_label"] == "left_hand" else (x > 0.55))
    assert red_centroid_x(seen["warning"].toImage()) is None  # flash is yellow, no cue yet

    raw = mne.io.read_raw(out, verbose="error")  # the BIDS run (BrainVision: markers are Comment/<name>)
    desc = [d.removeprefix("Comment/") for d in raw.annotations.description]
    assert Counter(mk.class_from_marker(d) for d in desc if mk.class_from_marker(d)) == {"left_hand": 2,
                                                                                         "right_hand": 2}
    i_pause, i_resume = desc.index(mk.PAUSE), desc.index(mk.RESUME)
    onsets = raw.annotations.onset
    assert 0.3 < onsets[i_resume] - onsets[i_pause] < 1.5
    imagery_end = [o for o, d in zip(onsets, desc, strict=True) if d == mk.IMAGERY_END]
    assert imagery_end[1] <= onsets[i_pause] < imagery_end[2]  # the pause fell between trials 2 and 3
    # markers were stamped after the frame was painted: recorded onsets match the pushed stamps
    index = raw.get_data(picks="index")[0]
    t_first = eeg.t0 + index[0] / eeg.srate
    stamps = sorted(t - t_first for t, _ in outlet.history)
    assert np.abs(np.sort(onsets[[not d.startswith("BAD") for d in desc]]) - stamps).max() < 0.010


def test_ssvep_window(qtbot, lsl_env, tmp_path, screenshot_dir):
    eeg, outlet, acq = lsl_env
    p = SSVEPParadigm("8,12,15,30", trials_per_class=1, baseline_duration=0.2, cue_duration=0.4,
                      flicker_duration=0.8, rest_duration=0.2, rest_jitter=0.0)
    session = CalibrationSession(acq, p, tmp_path, SessionInfo("01"), outlet)
    win = SSVEPWindow(session, refresh_rate=60.0)
    win.resize(900, 560)
    qtbot.addWidget(win)
    win.show()
    checks: dict[str, object] = {}

    def flicker_shot():
        img = win.grab().toImage()
        img.save(str(screenshot_dir / "ssvep_flicker.png"))
        expected = p.luminances(win.frame_index, 60.0)
        got = [img.pixelColor(int(r.center().x()), int(r.center().y())).red() / 255 for r in win._grid()]
        checks["flicker"] = (np.array(got), expected, win.frame_index)

    def on_shown(phases, t):
        for ph in phases:
            if ph.kind == "cue" and ph.trial == 0:
                win.grab().save(str(screenshot_dir / "ssvep_cue.png"))
                checks["cue_target"] = ph.extra["target"]
            if ph.kind == "flicker" and ph.trial == 0:
                QTimer.singleShot(230, flicker_shot)

    win.phaseShown.connect(on_shown)
    win.start()
    assert win.warnings == ["30 Hz is at or above half the refresh rate (60/2 Hz): it cannot be rendered "
                            "(aliasing)"]
    qtbot.waitUntil(lambda: session.finished, timeout=30000)
    out = session.finish()
    got, expected, frame = checks["flicker"]
    assert frame > 0 and np.abs(got - expected).max() <= 1.5 / 255
    raw = mne.io.read_raw(out, verbose="error")  # the BIDS run (BrainVision: markers are Comment/<name>)
    desc = [d.removeprefix("Comment/") for d in raw.annotations.description]
    cues = [d for d in desc if d.startswith("cue/")]
    assert sorted(cues) == sorted(mk.ssvep_cue_marker(f) for f in p.frequencies)
    assert desc.count(mk.FLICKER_START) == 4


def test_ssvep_frames_logged_and_a_blocked_gui_thread_detected(qtbot, lsl_env, tmp_path):
    """Every flicker frame due is either shown (and logged with its time) or counted as dropped; a GUI
    thread blocked for 100 ms drops about 6 frames at 60 Hz, the operator is warned, the sidecar says so."""
    import json
    import time

    eeg, outlet, acq = lsl_env
    p = SSVEPParadigm("8,12", trials_per_class=1, baseline_duration=0.2, cue_duration=0.3,
                      flicker_duration=1.0, rest_duration=0.2, rest_jitter=0.0)
    session = CalibrationSession(acq, p, tmp_path, SessionInfo("01"), outlet)
    win = SSVEPWindow(session, refresh_rate=60.0)
    op = OperatorWindow(session)
    qtbot.addWidget(win)
    qtbot.addWidget(op)
    win.resize(600, 400)
    win.show()
    blocked = []

    def on_shown(phases, t):
        if any(ph.kind == "flicker" and ph.trial == 1 for ph in phases):
            QTimer.singleShot(400, lambda: (time.sleep(0.1), blocked.append(True)))

    win.phaseShown.connect(on_shown)
    win.start()
    qtbot.waitUntil(lambda: session.finished, timeout=30000)
    assert blocked
    log = session.frames
    due = len(log.times) + log.dropped
    assert log.segments == 2 and abs(due - 2 * 60) <= 2 * 2  # 2 flickers of 1 s at 60 Hz
    assert log.dropped >= 5 and max(log.intervals) >= 0.1
    op.panel.refresh()
    warning = op.panel.stimulus_warning
    assert "stimulus frame(s) dropped" in warning.text() and not warning.isHidden()
    session.finish()
    complete = json.loads(next(tmp_path.rglob("complete.json")).read_text())
    frames = complete["stimulus_frames"]
    assert frames["vsync"] is False and "timer" in frames["pacing"] and frames["dropped"] == log.dropped
    assert frames["frames"] == len(log.times) and frames["refresh_hz"] == 60.0


BLINK_PLUGIN = '''
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.plugins import MI_PARAMS
from bcigui.core.plugins.registry import PluginSpec
from bcigui.gui.paradigms.stimulus import MICueWindow


class Blink(MotorImageryParadigm):
    name = "blink"


class BlinkWindow(MICueWindow):
    painted = 0

    def draw(self, p, phase):
        type(self).painted += 1
        super().draw(p, phase)


bcigui_plugins = [PluginSpec("blink", "paradigm", "bcigui_user_plugins.blinkpar:Blink", "MI with its own window",
                             params=MI_PARAMS, tags={"paradigm": "mi",
                                                     "stimulus": "bcigui_user_plugins.blinkpar:BlinkWindow"})]
'''


def test_a_paradigm_plugin_brings_its_own_stimulus_window(qtbot, lsl_env, tmp_path):
    """The window is the one the paradigm's spec names (tag ``stimulus``), for built-ins and plugins alike."""
    from bcigui.core.paradigms import make_paradigm, stimulus_view
    from bcigui.core.plugins import get_registry
    from bcigui.gui.paradigms.stimulus import make_stimulus_window

    eeg, outlet, acq = lsl_env
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "blinkpar.py").write_text(BLINK_PLUGIN)
    assert stimulus_view(SSVEPParadigm("8,12")) == "bcigui.gui.paradigms.stimulus:SSVEPWindow"
    try:
        get_registry(folder)
        p = make_paradigm("blink", classes="left_hand,right_hand", trials_per_class=1, baseline_duration=0.2,
                          fixation_duration=0.2, warning_duration=0.2, cue_duration=0.3, imagery_duration=0.4,
                          rest_duration=0.2, rest_jitter=0.0)
        session = CalibrationSession(acq, p, tmp_path / "out", SessionInfo("01"), outlet)
        win = make_stimulus_window(session)
        qtbot.addWidget(win)
        assert type(win).__name__ == "BlinkWindow"
        win.show()
        win.start()
        qtbot.waitUntil(lambda: session.finished, timeout=20000)
        session.finish()
        assert type(win).painted >= 5
        mi = CalibrationSession(acq, MotorImageryParadigm("left_hand,right_hand", 1), tmp_path / "o2",
                                SessionInfo("01"), outlet)
        builtin = make_stimulus_window(mi)
        qtbot.addWidget(builtin)
        assert type(builtin) is MICueWindow
    finally:
        get_registry(refresh=True)

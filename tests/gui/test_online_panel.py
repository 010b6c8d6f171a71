"""Online panel in the main window: load an exported model, decode the simulator, show feedback."""

from __future__ import annotations

import os
import signal

import mne
import numpy as np
import pytest

from bcigui.core.data import Event, Recording, make_epochs
from bcigui.core.decoders.pipelines import make_csp_lda
from bcigui.core.model_file import save_model
from bcigui.core.plugins import Registry
from bcigui.core.signal.filters import FilterSpec
from bcigui.core.stream.simulator import generate
from bcigui.gui.main_window import MainWindow
from bcigui.gui.online.feedback import MIFeedback, SSVEPFeedback
from bcigui.gui.settings import Settings

CLASSES = ("left_hand", "right_hand")


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    sim = generate("mi", n_channels=16, srate=250.0, seconds=300, seed=21, classes=CLASSES)
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose=False)
    rec = Recording(raw, [Event(i / sim.sfreq, 0.0, lab) for i, lab in sim.events], None, 0)
    filt = FilterSpec(8, 30)
    ep = make_epochs([rec], {f"cue/{c}": c for c in CLASSES}, 1.5, 3.5, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    path = tmp_path_factory.mktemp("model") / "sim.bcimodel"
    save_model(path, pipe, {"paradigm": "mi", "pipeline": "csp_lda", "classes": list(pipe.classes_),
                            "ch_names": ep.ch_names, "sfreq": ep.sfreq, "tmin": 1.5, "tmax": 3.5,
                            "filter": filt.to_dict()})
    return path


def test_online_panel_decodes_simulator_with_feedback(qtbot, tmp_path, model_file, unique_name,
                                                      screenshot_dir, monkeypatch):
    monkeypatch.setenv("BCIGUI_SETTINGS", str(tmp_path / "settings.ini"))
    win = MainWindow(Registry().discover(tmp_path / "none"), Settings(), simulate=None)
    qtbot.addWidget(win)
    win.show()
    dock = win.show_online()
    panel = win.online_panel
    assert dock.isVisible() and dock.widget().widget() is panel  # scrolls rather than grow the window
    assert not panel.start_btn.isEnabled()
    bad = tmp_path / "bad.bcimodel"
    bad.write_bytes(b"not a model")
    assert panel.load_model(bad) is False and "Could not load" in panel.status.text()
    panel.status.setText("")
    panel.load_model_async(bad)  # the button's way: off the GUI thread
    qtbot.waitUntil(lambda: "Could not load" in panel.status.text(), timeout=20000)
    panel.load_model_async(model_file)
    assert "Loading sim.bcimodel" in panel.status.text()
    qtbot.waitUntil(lambda: "csp_lda" in panel.model_label.text(), timeout=20000)
    assert isinstance(panel.feedback, MIFeedback) and panel.model_path == model_file

    from bcigui.core.stream.simulator import Simulator

    sim = Simulator("mi", n_channels=16, srate=250.0, seed=22, name=unique_name, classes=CLASSES).start()
    try:
        win.panel.connect_to(unique_name, markers=[f"{unique_name}-markers"])
        qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
        qtbot.waitUntil(lambda: panel.start_btn.isEnabled(), timeout=5000)
        panel.smoothing.setValue(3)
        assert panel.cues.currentData() == ""  # a stream that is not this app's scores only when chosen
        qtbot.waitUntil(lambda: bool(panel._readers()), timeout=5000)
        panel.set_cue_source(f"{unique_name}-markers")
        assert panel.start()
        qtbot.waitUntil(lambda: panel.runner.status.predictions > 30, timeout=20000)
        qtbot.waitUntil(lambda: panel.feedback.cue is not None, timeout=20000)
        # closed loop: the cues of the marker stream score the predictions live
        qtbot.waitUntil(lambda: "over" in panel.accuracy.text(), timeout=30000)
        assert "chance" in panel.accuracy.text()
        assert "ms" in panel.latency.text()
        assert np.isclose(panel.feedback.proba.sum(), 1.0)
        win.resize(1400, 800)
        win.grab().save(str(screenshot_dir / "online_main_window.png"))
        panel.feedback.grab().save(str(screenshot_dir / "online_feedback_mi.png"))
        # decoding runs in its own process; if that process dies, the panel says so and a new one takes over
        assert panel.runner is panel.decoder and panel.decoder.pid != os.getpid()
        os.kill(panel.decoder.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: "ended unexpectedly" in panel.status.text(), timeout=10000)
        panel.stop()
        assert panel.start()
        qtbot.waitUntil(lambda: panel.runner.status.predictions > 3, timeout=30000)
        panel.stop()  # nothing frozen on the last prediction
        assert panel.status.text() == "Stopped" and panel.feedback.cue is None
        assert np.allclose(panel.feedback.proba, 0.5)
    finally:
        win.close()
        sim.stop()
    assert panel.runner is None  # closing the window stopped decoding


def test_ssvep_feedback_selects_after_dwell(qtbot, screenshot_dir):
    fb = SSVEPFeedback(["13", "17", "21", "rest"], dwell=3)
    qtbot.addWidget(fb)
    fb.resize(500, 400)
    fb.set_cue("17")
    for _ in range(2):
        fb.set_prediction(np.array([0.1, 0.7, 0.1, 0.1]))
    assert fb.selected is None
    fb.set_prediction(np.array([0.1, 0.7, 0.1, 0.1]))
    assert fb.selected == 1
    fb.set_prediction(np.array([0.1, 0.7, 0.1, 0.1]), rejected=True)
    assert fb.selected is None
    fb.set_prediction(np.array([0.05, 0.8, 0.1, 0.05]))
    fb.set_prediction(np.array([0.05, 0.8, 0.1, 0.05]))
    fb.set_prediction(np.array([0.05, 0.8, 0.1, 0.05]))
    fb.show()
    fb.grab().save(str(screenshot_dir / "online_feedback_ssvep.png"))


def test_adapt_checkbox_follows_the_models_alignment(qtbot, tmp_path, model_file, monkeypatch):
    from bcigui.core.decoders.transfer import make_aligned
    from bcigui.core.model_file import load_model

    monkeypatch.setenv("BCIGUI_SETTINGS", str(tmp_path / "settings.ini"))
    win = MainWindow(Registry().discover(tmp_path / "none"), Settings(), simulate=None)
    qtbot.addWidget(win)
    win.show_online()
    panel = win.online_panel
    assert panel.load_model(model_file) and not panel.adapt.isEnabled()  # a plain model cannot re-centre
    plain = load_model(model_file)
    sim = generate("mi", n_channels=16, srate=250.0, seconds=120, seed=23, classes=CLASSES)
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose=False)
    rec = Recording(raw, [Event(i / sim.sfreq, 0.0, lab) for i, lab in sim.events], None, 0)
    ep = make_epochs([rec], {f"cue/{c}": c for c in CLASSES}, 1.5, 3.5, FilterSpec(8, 30))
    aligned = make_aligned(make_csp_lda(ep.sfreq, ep.ch_names, ep.classes)).fit(ep.X, ep.y)
    path = tmp_path / "aligned.bcimodel"
    save_model(path, aligned, {**plain.manifest, "alignment": {"method": "recenter", "adapt": "recommended",
                                                               "prior": {"files": [], "domains": 1, "n_trials": 40}}})
    assert panel.load_model(path) and panel.adapt.isEnabled() and panel.adapt.isChecked()
    win.close()

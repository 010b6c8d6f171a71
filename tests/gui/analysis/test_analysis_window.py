"""Analysis window on real PhysioNet data: load, epochs, PSD, r² map selection, views."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bcigui.core.analysis import pipelines as _training
from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.features.discriminability import signed_r2
from bcigui.core.features.psd import PSDFeatures
from bcigui.core.signal.filters import FilterSpec
from bcigui.gui.analysis import AnalysisWindow
from bcigui.gui.analysis.r2_map import R2MapWidget
from tests.conftest import physionet_file

RUNS = (4, 8, 12)
WAIT = 30_000


def _load(qtbot, win: AnalysisWindow) -> None:
    win.dataset.add_files([physionet_file(1, r) for r in RUNS])
    qtbot.waitUntil(lambda: len(win.dataset.recordings) == 3, timeout=WAIT)
    win.dataset.set_event_map({"T1": "left", "T2": "right"})
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=WAIT):
        win.dataset.make_button.click()


def _extract(qtbot, win: AnalysisWindow) -> None:
    panel = win.features.panel
    panel.set_extractor("psd", {"method": "welch", "fmin": 4.0, "fmax": 40.0, "freq_resolution": 1.0})
    with qtbot.waitSignal(panel.extracted, timeout=WAIT):
        panel.extract_button.click()


@pytest.fixture
def window(qtbot, shared_data, tmp_path):
    win = AnalysisWindow(workspace_dir=tmp_path / "ws")
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    return win


def test_workspace_on_physionet(qtbot, window, screenshot_dir):
    win = window
    _load(qtbot, win)
    ep = win.dataset.epochs()
    # 3 runs of 15 imagery trials each, both classes, each trial keeps its run
    assert set(ep.classes) == {"left", "right"}
    assert sorted(np.unique(ep.runs).tolist()) == [0, 1, 2]
    assert ep.X.shape[1:] == (64, int(round(2.0 * 160)))
    assert "left" in win.dataset.status.text()

    win.steps.setCurrentIndex(1)
    assert win.statusBar().currentMessage() == "Step 2: extract features to see what separates the classes."
    _extract(qtbot, win)
    assert win.statusBar().currentMessage().startswith("Step 2: click the r² map")
    tensor = win.features.tensor
    assert tensor.values.shape == (len(ep), 64, 37)
    np.testing.assert_allclose(tensor.freqs, np.arange(4.0, 41.0))
    # the map shown is the core's signed r² of the extracted tensor
    np.testing.assert_allclose(win.features.r2map.r2, signed_r2(tensor.values, tensor.y, ["left", "right"]))
    assert win.features.r2map.image.image.shape == (37, 64)
    assert "Hz" in win.features.r2map.item.getAxis("bottom").labelText + win.features.r2map.item.getAxis(
        "bottom").labelUnits

    # a real mouse click on the C3 row at 12 Hz selects "C3;12 Hz"
    r2map = win.features.r2map
    qtbot.wait(50)
    with qtbot.waitSignal(r2map.selection_changed, timeout=2000) as sig:
        QTest.mouseClick(r2map.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         r2map.widget_pos("C3", 12.0))
    assert [f.label for f in sig.args[0]] == ["C3;12 Hz"]
    assert win.features.spectra.channel == "C3"
    assert win.features.selected.item(0).text() == "C3;12 Hz"
    assert "12 Hz" in win.features.topomap.item.titleLabel.text
    assert win.training._selection_text == "C3;12.0"

    # Ctrl+click adds; a band selection on C4; the training pipeline gets both
    QTest.mouseClick(r2map.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     r2map.widget_pos("Cz", 20.0))
    assert [f.label for f in r2map.selection()] == ["C3;12 Hz", "Cz;20 Hz"]
    r2map.select("C4", 8.0, 12.0, add=True)
    assert r2map.selection()[-1].label == "C4;8-12 Hz"
    assert "8-12 Hz" in win.features.topomap.item.titleLabel.text
    assert win.training._selection_text == "C3;12.0, Cz;20.0, C4;8-12"

    # auto-select top-k picks the k largest |r²|
    win.features.k.setValue(4)
    win.features.top_button.click()
    chosen = r2map.selection()
    assert len(chosen) == 4
    best = np.sort(np.abs(r2map.r2).ravel())[::-1][:4]
    got = [abs(r2map.r2[tensor.rows.index(f.channel), int(np.argmin(np.abs(tensor.freqs - f.fmin)))]) for f in chosen]
    np.testing.assert_allclose(got, best)

    r2map.select("C3", 12.0)
    win.features.show_channel("C3")
    qtbot.wait(100)
    win.grab().save(str(screenshot_dir / "analysis_workspace_physionet_s001.png"))

    # step 3 from the window: the evaluation is recorded as an attempt in the workspace folder
    win.steps.setCurrentIndex(2)
    assert win.statusBar().currentMessage() == "Step 3: choose a decoder and train it (cross-validated)."
    win.training.set_pipeline(_training.SELECTED)
    assert win.training.form.values()["selection"] == "C3;12.0"
    win.training.set_pipeline("csp_lda")
    win.training.evaluate_button.click()
    qtbot.waitUntil(lambda: len(win.training.attempts) == 1 and win.training.task is None, timeout=WAIT)
    doc = json.loads((win.workspace.path / "workspace.json").read_text())
    assert len(doc["datasets"]) == 1 and len(doc["attempts"]) == 1
    (attempt,) = doc["attempts"].values()
    assert attempt["pipeline"]["name"] == "csp_lda"
    assert attempt["scores"]["accuracy_mean"] == pytest.approx(win.training.attempts[0].mean)
    win.steps.setCurrentIndex(3)
    assert "csp_lda" in win.export.summary.text() and win.export.button.isEnabled()
    assert win.statusBar().currentMessage() == "Step 4: export the selected attempt as a model file."
    ev = win.training.attempts[0]
    assert ("not above chance" in win.export.summary.text()) == (ev.p_value >= 0.05)
    win.steps.setCurrentIndex(0)  # the hint follows the tab, not the last thing done
    assert win.statusBar().currentMessage() == "Step 1: trials ready. Next: step 2, Features."


def test_drag_selects_a_band(qtbot, shared_data):
    recs = load_recordings([physionet_file(1, 4)])
    ep = make_epochs(recs, {"T1": "left", "T2": "right"}, 0.5, 2.5, filter=FilterSpec(1.0, 40.0))
    F = PSDFeatures(sfreq=ep.sfreq, fmin=4, fmax=30, output="tensor").fit(ep.X).transform(ep.X)
    w = R2MapWidget()
    qtbot.addWidget(w)
    w.resize(600, 700)
    w.show()
    w.set_map(signed_r2(F, ep.y, ["left", "right"]), ep.ch_names, np.arange(4.0, 31.0), "r²")
    qtbot.wait(50)
    vp = w.plot.viewport()
    a, b = w.widget_pos("C4", 8.0), w.widget_pos("C4", 13.0)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 6):
        QTest.mouseMove(vp, a + (b - a) * (i / 5))
        qtbot.wait(10)
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    sel = w.selection()
    assert len(sel) == 1 and sel[0].channel == "C4"
    assert (sel[0].fmin, sel[0].fmax) == (8.0, 13.0)
    with pytest.raises(ValueError, match="channel must be one of"):
        w.select("XX", 10.0)
    with pytest.raises(ValueError, match="r2 must have shape"):
        w.set_map(np.zeros((3, 3)), ["a", "b"], np.arange(3.0))


def test_bad_epochs_excluded_and_clear_errors(qtbot, window):
    win = window
    _load(qtbot, win)
    n_all = len(win.dataset.epochs())
    if win.dataset.bad_table.rowCount() == 0:
        assert win.dataset.bad_note.text().startswith("None found") and win.dataset.bad_table.isHidden()
    # a tight threshold flags epochs; they are listed, excluded by default, and can be re-included
    win.dataset.threshold.setValue(400.0)
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=WAIT):
        win.dataset.make_button.click()
    n_bad = win.dataset.bad_table.rowCount()
    assert 0 < n_bad < n_all
    assert win.dataset.bad_note.text().startswith(f"{n_bad} of {n_all} epochs exceed 400 µV")
    assert len(win.dataset.epochs()) == n_all - n_bad
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=2000):
        win.dataset.bad_table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert len(win.dataset.epochs()) == n_all - n_bad + 1
    assert len(win.training._epochs) == n_all - n_bad + 1
    # forgiving: bad settings give a sentence naming the problem, nothing crashes
    win.dataset.tmax.setValue(0.0)
    win.dataset.make_button.click()
    assert "window end" in win.dataset.status.text()
    with pytest.raises(ValueError, match="not in the recordings"):
        win.dataset.set_event_map({"T9": "x"})

    # extraction can be cancelled: nothing shown, the panel is ready again
    panel = win.features.panel
    panel.set_extractor("psd", {"method": "multitaper", "fmin": 4.0, "fmax": 40.0})
    panel.extract_button.click()
    assert panel.cancel_button.isEnabled()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT)
    assert "cancelled" in panel.status.text() and panel.result is None
    assert win.features.r2map.r2 is None and panel.extract_button.isEnabled()
    # an impossible grid is refused with the reason
    panel.set_extractor("psd", {"fmin": 4.0, "fmax": 90.0})
    with qtbot.waitSignal(panel.failed, timeout=2000) as sig:
        panel.extract_button.click()
    assert "Nyquist" in sig.args[0]


def test_tfr_and_connectivity_views(qtbot, window, screenshot_dir):
    win = window
    _load(qtbot, win)
    win.grab().save(str(screenshot_dir / "analysis_data_step_physionet_s001.png"))
    win.steps.setCurrentIndex(1)
    feats = win.features
    feats.views.setCurrentIndex(1)
    feats.tfr_channel.setCurrentText("C3")
    feats.compute_tfr()
    qtbot.waitUntil(lambda: len(feats.tfr.images) == 2, timeout=WAIT)
    img = feats.tfr.images[0].image  # (n_times, n_freqs) in percent of the baseline
    assert img.shape[1] == 37 and np.isfinite(img).all()
    assert feats.tfr.plots[0].titleLabel.text == "class left"
    win.grab().save(str(screenshot_dir / "analysis_erd_ers_physionet_s001.png"))

    feats.views.setCurrentIndex(2)
    feats.conn_method.setCurrentText("coh")
    feats.compute_connectivity()
    qtbot.waitUntil(lambda: len(feats.connectivity.images) == 3, timeout=WAIT)
    mat = feats.connectivity.images[0].image
    assert mat.shape == (64, 64)
    np.testing.assert_allclose(mat, mat.T)
    off = mat[~np.eye(64, dtype=bool)]
    assert np.all((off >= 0) & (off <= 1)) and np.isnan(np.diag(mat)).all()
    win.grab().save(str(screenshot_dir / "analysis_connectivity_physionet_s001.png"))


def test_ssvep_one_vs_rest_map_peaks_at_the_stimulus(qtbot, window, screenshot_dir):
    """Kalunga2016 SSVEP (4 classes): '13 Hz vs all others' peaks at 13 Hz (or its harmonic 26 Hz)."""
    from tests.conftest import KALUNGA

    win = window
    win.dataset.add_files(sorted((KALUNGA / "subject01").glob("*_raw.fif")))
    qtbot.waitUntil(lambda: len(win.dataset.recordings) == 2, timeout=WAIT)
    win.dataset.set_event_map({"1": "rest", "2": "13 Hz", "3": "21 Hz", "4": "17 Hz"})
    win.dataset.tmin.setValue(1.0)
    win.dataset.tmax.setValue(4.0)
    win.dataset.l_freq.setValue(3.0)
    win.dataset.h_freq.setValue(60.0)
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=WAIT):
        win.dataset.make_button.click()
    win.steps.setCurrentIndex(1)
    panel = win.features.panel
    panel.set_extractor("psd", {"fmin": 5.0, "fmax": 30.0, "freq_resolution": 0.5})
    with qtbot.waitSignal(panel.extracted, timeout=WAIT):
        panel.extract_button.click()
    combo = win.features.contrast
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert "rest vs 13 Hz" in labels and "13 Hz vs all others" in labels and len(labels) == 6 + 4
    combo.setCurrentIndex(labels.index("13 Hz vs all others"))
    r2, freqs = win.features.r2map.r2, win.features.tensor.freqs
    best_f = freqs[np.unravel_index(np.argmax(r2), r2.shape)[1]]
    assert best_f in (13.0, 26.0)
    assert "13 Hz vs all others" in win.features.r2map.item.titleLabel.text
    win.grab().save(str(screenshot_dir / "analysis_workspace_kalunga_ssvep.png"))

"""Analysis window with a workspace: cached extraction, saved selections, PSD vs connectivity side by side."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from bcigui.core.analysis import extractors as _core
from bcigui.core.analysis import pipelines as _training
from bcigui.core.features.discriminability import signed_r2
from bcigui.core.workspace import Workspace
from bcigui.gui.analysis import AnalysisWindow
from tests.conftest import physionet_file

RUNS = (4, 8, 12)
WAIT = 60_000
PSD = {"method": "welch", "fmin": 4.0, "fmax": 40.0, "freq_resolution": 1.0}


def _load(qtbot, win: AnalysisWindow) -> None:
    win.dataset.add_files([physionet_file(1, r) for r in RUNS])
    qtbot.waitUntil(lambda: len(win.dataset.recordings) == 3, timeout=WAIT)
    win.dataset.set_event_map({"T1": "left", "T2": "right"})
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=WAIT):
        win.dataset.make_button.click()


def _extract(qtbot, win: AnalysisWindow, name: str, values: dict):
    panel = win.features.panel
    panel.set_extractor(name, values)
    with qtbot.waitSignal(panel.extracted, timeout=WAIT) as sig:
        panel.extract_button.click()
    return sig.args[0]


def _window(qtbot, folder) -> AnalysisWindow:
    win = AnalysisWindow(workspace_dir=folder)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    return win


def _npz(win: AnalysisWindow) -> int:
    return len(list(win.workspace.cache.folder.glob("*.npz")))


def test_extraction_is_cached_and_selections_saved(qtbot, shared_data, tmp_path):
    win = _window(qtbot, tmp_path / "ws")
    _load(qtbot, win)
    # bad epochs: exclude one, so the data set definition has exclusions and the extended window
    win.dataset.threshold.setValue(400.0)
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=WAIT):
        win.dataset.make_button.click()
    assert win.dataset.bad_table.rowCount() > 0
    did = win.features.panel.dataset_id
    ds = json.loads((win.workspace.path / "workspace.json").read_text())["datasets"][did]
    assert ds["cut"] == [-1.0, 2.5] and (ds["tmin"], ds["tmax"]) == (0.5, 2.5)
    assert ds["exclude"] == np.flatnonzero(win.dataset.excluded()).tolist() and ds["exclude"]
    # the workspace rebuilds exactly the GUI's epochs from that definition (portable: files + settings)
    rebuilt = Workspace(win.workspace.path).epochs(did)
    np.testing.assert_array_equal(rebuilt.X, win.dataset.epochs().X)
    np.testing.assert_array_equal(rebuilt.y, win.dataset.epochs().y)

    win.steps.setCurrentIndex(1)
    first = _extract(qtbot, win, "psd", PSD)
    assert not first.cached and _npz(win) == 1
    assert len(first.y) == len(win.dataset.epochs())
    second = _extract(qtbot, win, "psd", PSD)
    assert second.cached and _npz(win) == 1  # same data + parameters: read back, nothing recomputed
    np.testing.assert_array_equal(second.values, first.values)
    assert "cached" in win.features.panel.status.text() and win.features.panel.progress.format() == "cached"
    assert len(win.workspace.param_sets) == 1
    (ps,) = win.workspace.param_sets.values()
    assert ps["extractor"] == "psd" and ps["params"]["method"] == "welch"

    # the user re-includes an epoch: another data set definition, another cache entry
    with qtbot.waitSignal(win.dataset.epochs_ready, timeout=2000):
        win.dataset.bad_table.item(0, 0).setCheckState(Qt.CheckState.Unchecked)
    assert win.features.panel.dataset_id != did
    third = _extract(qtbot, win, "psd", PSD)
    assert not third.cached and _npz(win) == 2 and len(third.y) == len(first.y) + 1

    # selections: saved explicitly, listed, reloaded
    feats = win.features
    feats.r2map.select("C3", 12.0)
    feats.r2map.select("C4", 8.0, 12.0, add=True)
    sid = feats.save_selection()
    assert win.workspace.selections[sid]["features"] == ["C3;12.0", "C4;8-12"]
    assert feats.saved.findData(sid) > 0 and "(2)" in feats.saved.itemText(feats.saved.findData(sid))
    feats.r2map.set_selection([])
    feats.saved.activated.emit(feats.saved.findData(sid))
    assert [f.label for f in feats.r2map.selection()] == ["C3;12 Hz", "C4;8-12 Hz"]

    # training a selection records it (reused: same features) and links the attempt to it
    win.steps.setCurrentIndex(2)
    win.training.set_pipeline(_training.SELECTED, {"classifier": "lda"})
    win.training.cv.setCurrentIndex(win.training.cv.findData("runs"))
    win.training.evaluate_button.click()
    qtbot.waitUntil(lambda: len(win.training.attempts) == 1 and win.training.task is None, timeout=WAIT)
    doc = json.loads((win.workspace.path / "workspace.json").read_text())
    (attempt,) = doc["attempts"].values()
    assert attempt["selection"] == sid and len(doc["selections"]) == 1

    # another window on the same folder (as after a restart): the extraction is a cache hit
    win2 = _window(qtbot, win.workspace.path)
    assert win2.features.saved.findData(sid) > 0
    _load(qtbot, win2)
    hit = _extract(qtbot, win2, "psd", PSD)
    assert hit.cached and _npz(win2) == 2
    np.testing.assert_array_equal(hit.values, third.values)


def test_psd_vs_connectivity_side_by_side_and_combined_training(qtbot, shared_data, tmp_path, screenshot_dir):
    from bcigui.core.model_file import load_model

    win = _window(qtbot, tmp_path / "ws")
    _load(qtbot, win)
    win.steps.setCurrentIndex(1)
    feats = win.features
    t = _extract(qtbot, win, "psd+connectivity", {**PSD, "connectivity_method": "imcoh"})
    n_ep = len(win.dataset.epochs())
    assert t.values.shape == (n_ep, 128, 37) and list(t.parts) == ["psd", "imcoh"]
    assert t.rows[0] == "psd:FC5" and t.rows[64] == "imcoh:FC5"
    assert _npz(win) == 2  # each part is cached on its own
    # without a workspace the same features are computed directly (the cache changes nothing)
    direct = _core.extract(win.dataset.epochs(), _core.COMBINED, {**PSD, "connectivity_method": "imcoh"})
    np.testing.assert_allclose(direct.values, t.values, rtol=1e-10, atol=1e-12)
    assert direct.rows == t.rows and not direct.cached
    assert "64 psd + 64 imcoh rows" in feats.panel.status.text()
    assert feats.views.currentIndex() == 3
    r2 = signed_r2(t.values, t.y, ["left", "right"])
    np.testing.assert_allclose(feats.r2map.r2, r2)
    left, right = feats.compare_maps["psd"], feats.compare_maps["connectivity"]
    np.testing.assert_allclose(left.r2, r2[:64])
    np.testing.assert_allclose(right.r2, r2[64:])
    assert left.channels[:2] == ["FC5", "FC3"] and "PSD" in left.item.titleLabel.text
    assert "imcoh node strength" in right.item.titleLabel.text

    # clicks on either map build one combined selection; the training gets it with the matching settings
    qtbot.wait(100)
    QTest.mouseClick(left.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     left.widget_pos("C3", 12.0))
    QTest.mouseClick(right.plot.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     right.widget_pos("C4", 10.0))
    assert [f.label for f in feats.r2map.selection()] == ["psd:C3;12 Hz", "imcoh:C4;10 Hz"]
    assert feats.spectra.channel == "imcoh:C4"
    assert win.training._selection_text == "psd:C3;12.0, imcoh:C4;10.0"
    feats.r2map.select("psd:C4", 11.0, add=True)  # the main map's selection shows on the compare maps
    assert [f.label for f in left.selection()] == ["C3;12 Hz", "C4;11 Hz"]
    assert "(psd)" in feats.topomap.item.titleLabel.text
    qtbot.wait(100)
    win.grab().save(str(screenshot_dir / "analysis_psd_vs_connectivity.png"))

    win.steps.setCurrentIndex(2)
    tr = win.training
    tr.set_pipeline(_training.SELECTED)
    values = tr.form.values()
    assert values["feature"] == "psd+connectivity" and values["connectivity_method"] == "imcoh"
    assert values["selection"] == "psd:C3;12.0, imcoh:C4;10.0, psd:C4;11.0"
    tr.cv.setCurrentIndex(tr.cv.findData("runs"))
    tr.evaluate_button.click()
    qtbot.waitUntil(lambda: len(tr.attempts) == 1 and tr.task is None, timeout=WAIT)
    ev = tr.attempts[0]
    assert len(ev.fold_scores) == 3 and ev.confusion.sum() == n_ep
    doc = json.loads((win.workspace.path / "workspace.json").read_text())
    (sel,) = doc["selections"].values()
    assert sel["features"] == ["psd:C3;12.0", "imcoh:C4;10.0", "psd:C4;11.0"] and sel["extractor"] == "psd+connectivity"
    with qtbot.waitSignal(tr.exported, timeout=WAIT) as sig:
        tr.export(tmp_path / "combined")
    loaded = load_model(sig.args[0])
    assert loaded.manifest["pipeline"]["params"]["feature"] == "psd+connectivity"
    pred = loaded.pipeline.predict(win.dataset.epochs().X)
    assert set(pred) <= {"left", "right"} and len(pred) == n_ep

    # PSD alone with the same settings: read from the PSD part's cache entry
    win.steps.setCurrentIndex(1)
    psd_only = _extract(qtbot, win, "psd", PSD)
    assert psd_only.cached and _npz(win) == 2
    np.testing.assert_array_equal(psd_only.values, t.values[:, :64])


@pytest.mark.parametrize("name", ["C3;12.0", "psd:C3;8-12", "imcoh:C4;8:12"])
def test_feature_names_parse_back(name):
    from bcigui.core.analysis.extractors import parse_feature_name
    from bcigui.gui.analysis.r2_map import Feature

    row, lo, hi = parse_feature_name(name)
    assert Feature(row, lo, hi).core_name == name.replace("8:12", "8-12")

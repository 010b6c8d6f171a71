"""Training panel on real PhysioNet epochs: CV in a worker thread, table, confusion matrix, cancel."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.analysis import pipelines as _training
from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.signal.filters import FilterSpec
from bcigui.gui.analysis.training_panel import TrainingPanel
from tests.conftest import physionet_file

WAIT = 60_000


@pytest.fixture(scope="module")
def epochs():
    recs = load_recordings([physionet_file(1, r) for r in (4, 8, 12)])
    return make_epochs(recs, {"T1": "left", "T2": "right"}, 0.5, 2.5, filter=FilterSpec(7.0, 30.0))


@pytest.fixture
def panel(qtbot, epochs):
    p = TrainingPanel()
    qtbot.addWidget(p)
    p.resize(1300, 800)
    p.show()
    p.set_epochs(epochs)
    return p


def test_evaluate_fills_table_and_confusion(qtbot, panel, epochs, screenshot_dir, tmp_path):
    panel.set_pipeline("csp_lda", {"n_components": 4, "classifier": "lda"})
    panel.cv.setCurrentIndex(panel.cv.findData("kfold"))
    panel.k.setValue(5)
    panel.evaluate_button.click()
    assert panel.task is not None and not panel.evaluate_button.isEnabled()  # running in a worker
    qtbot.waitUntil(lambda: len(panel.attempts) == 1 and panel.task is None, timeout=WAIT)
    ev = panel.attempts[0]
    assert len(ev.fold_scores) == 5
    assert ev.confusion.sum() == len(epochs)  # every trial tested exactly once
    # pooled accuracy of the confusion matrix ~ mean of the (near-equal-size) fold accuracies
    assert np.trace(ev.confusion) / len(epochs) == pytest.approx(ev.mean, abs=0.02)
    assert 0.0 <= ev.p_value <= 1.0
    assert ev.chance == pytest.approx(max(np.mean(epochs.y == c) for c in epochs.classes))
    assert panel.table.rowCount() == 1
    assert panel.table.item(0, 2).text().startswith(f"{100 * ev.mean:.1f} %")  # results first
    assert "%" in panel.table.item(0, 3).text()
    np.testing.assert_array_equal(panel.confusion.matrix, ev.confusion)
    assert len(panel.confusion.texts) == 8  # count and row percentage in each cell

    # a second attempt, leave-one-run-out: 3 folds (one per recording)
    panel.cv.setCurrentIndex(panel.cv.findData("runs"))
    panel.set_pipeline(_training.SELECTED, {"selection": "C3;12, C4;8:12", "classifier": "lda"})
    panel.evaluate_button.click()
    qtbot.waitUntil(lambda: len(panel.attempts) == 2 and panel.task is None, timeout=WAIT)
    assert len(panel.attempts[1].fold_scores) == 3
    assert panel.table.rowCount() == 2
    assert panel.table.item(1, 6).text() == "runs"
    panel.table.selectRow(0)
    np.testing.assert_array_equal(panel.confusion.matrix, panel.attempts[0].confusion)
    qtbot.wait(50)
    panel.grab().save(str(screenshot_dir / "analysis_training_panel.png"))

    # export the selected attempt (CSP) -> a .bcimodel the core loads back and that predicts
    from bcigui.core.model_file import load_model

    with qtbot.waitSignal(panel.exported, timeout=WAIT) as sig:
        panel.export(tmp_path / "mi")
    assert sig.args[0].endswith("mi.bcimodel")
    loaded = load_model(sig.args[0])
    assert loaded.manifest["classes"] == list(epochs.classes)
    assert loaded.manifest["ch_names"] == list(epochs.ch_names)
    assert loaded.manifest["pipeline"]["name"] == "csp_lda"
    assert loaded.manifest["filter"]["l_freq"] == 7.0
    pred = loaded.pipeline.predict(epochs.X)
    assert set(pred) <= set(epochs.classes) and np.mean(pred == epochs.y) > 0.6  # fitted on these trials


def test_cancel_stops_and_keeps_finished_attempts(qtbot, panel):
    panel.find_best()
    assert panel.task is not None
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=WAIT)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT)
    assert "Cancelled" in panel.status.text()
    n_grid = len(_training.combinations(list(panel._choices.values())))
    assert len(panel.attempts) < n_grid
    assert panel.table.rowCount() == len(panel.attempts)
    assert panel.evaluate_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_bad_settings_are_reported_not_raised(qtbot, panel):
    panel.set_pipeline("csp_lda")
    panel.k.setValue(40)
    panel.cv.setCurrentIndex(panel.cv.findData("runs"))
    panel.cv.setCurrentIndex(panel.cv.findData("kfold"))
    with qtbot.waitSignal(panel.failed, timeout=WAIT) as sig:
        panel.evaluate_button.click()
    assert "k (number of folds) must be between 2 and" in sig.args[0]
    assert panel.task is None and panel.evaluate_button.isEnabled()
    with qtbot.waitSignal(panel.failed, timeout=2000) as sig:
        panel.export("/tmp/never.bcimodel")
    assert "Evaluate a pipeline first" in sig.args[0]


def test_find_best_feature_combination(qtbot, panel):
    panel.best_mode.setCurrentIndex(panel.best_mode.findData("features"))
    with qtbot.waitSignal(panel.failed, timeout=2000) as sig:  # nothing selected yet: a clear sentence
        panel.find_best()
    assert "Select features on the r² map" in sig.args[0]
    panel.set_selection(["C3;12.0", "C4;8-12", "Cz;20.0"])
    panel.k.setValue(3)
    panel.find_best()
    qtbot.waitUntil(lambda: panel.task is None, timeout=WAIT)
    assert [ev.params["selection"] for ev in panel.attempts] == [
        "C3;12.0", "C3;12.0, C4;8-12", "C3;12.0, C4;8-12, Cz;20.0"]
    assert all(len(ev.fold_scores) == 3 for ev in panel.attempts)
    best = max(panel.attempts, key=lambda e: e.mean)
    assert panel.selected_attempt() is best
    assert "Best:" in panel.status.text()


def test_ssvep_paradigm_offers_ssvep_decoders(qtbot):
    from tests.conftest import KALUNGA

    recs = load_recordings(sorted((KALUNGA / "subject01").glob("*_raw.fif")))
    ep = make_epochs(recs, {"1": "rest", "2": "13 Hz", "3": "21 Hz", "4": "17 Hz"}, 1.0, 4.0,
                     filter=FilterSpec(3.0, 60.0))
    panel = TrainingPanel()
    qtbot.addWidget(panel)
    panel.set_epochs(ep)
    panel.paradigm.setCurrentIndex(panel.paradigm.findData("ssvep"))
    names = [panel.combo.itemData(i) for i in range(panel.combo.count())]
    assert "cca" in names and _training.SELECTED not in names and "csp_lda" not in names
    panel.set_pipeline("cca")
    panel.k.setValue(4)
    panel.evaluate_button.click()
    qtbot.waitUntil(lambda: panel.task is None and len(panel.attempts) == 1, timeout=WAIT)
    ev = panel.attempts[0]
    assert ev.confusion.shape == (4, 4) and ev.confusion.sum() == len(ep)
    assert ev.chance == pytest.approx(0.25)
    assert ev.mean > ev.threshold  # CCA on SSVEP is far above chance

"""The guided session driven end to end on the in-app virtual subject (real LSL, offscreen Qt):
patient -> signal check -> calibration -> training -> feedback -> report, a screenshot of every step."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from bcigui.core.plugins import Registry
from bcigui.gui.app import apply_theme
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings

pytestmark = pytest.mark.slow

FAST = {"baseline_duration": 1.0, "fixation_duration": 0.3, "warning_duration": 0.2, "cue_duration": 0.5,
        "imagery_duration": 2.5, "rest_duration": 0.5, "rest_jitter": 0.3}


def _shot(widget, path) -> None:
    """Save to ``screenshots/``; with ``BCIGUI_DOCS_SCREENSHOTS=1`` also for the user guide."""
    import os

    from tests.gui.layout_check import controls_without_tooltip, layout_problems
    from tests.gui.test_screenshots import DOCS

    image = widget.grab()
    image.save(str(path))
    assert layout_problems(widget) == [], path.name
    assert controls_without_tooltip(widget) == [], path.name
    if os.environ.get("BCIGUI_DOCS_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        image.save(str(DOCS / path.name))


def test_guided_session_end_to_end(qtbot, tmp_path, unique_name, screenshot_dir):
    apply_theme("light")
    settings = Settings(tmp_path / "settings.ini")
    win = MainWindow(Registry().discover(tmp_path / "no-plugins"), settings, simulate="mi",
                     simulator_name=unique_name)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
    wiz = win.show_guided()
    qtbot.addWidget(wiz)
    patient, signal, calib, training, feedback, report = wiz.pages

    # 1. patient: a new patient gets session 01 in the chosen folder
    patient.folder.setText(str(tmp_path / "data"))
    assert not wiz.button(wiz.WizardButton.NextButton).isEnabled()
    patient.patient.setText("07")
    assert patient.session.currentData() == "01" and "sub-07" in patient.where.text()
    _shot(wiz, screenshot_dir / "guided-1-patient.png")
    wiz.next()
    assert wiz.currentPage() is signal and wiz.session_dir == tmp_path / "data" / "sub-07" / "ses-01"

    # 2. signal check: the simulated electrodes are good (or the operator marks the others bad)
    qtbot.waitUntil(lambda: bool(signal.view is not None and signal.view.quality), timeout=15000)
    for i in range(signal.problems.count()):
        signal.problems.item(i).setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(signal.isComplete, timeout=5000)
    _shot(wiz, screenshot_dir / "guided-2-signal.png")
    wiz.next()

    # 3. calibration: MI left/right by default, 20 per class; short trials here
    assert calib.task.currentData()[1]["classes"] == "left_hand,right_hand" and calib.trials.value() == 20
    calib.trials.setValue(8)
    calib.advanced.setChecked(True)
    calib.form().set_values(FAST)
    assert "16 trials" in calib.duration.text()
    _shot(wiz, screenshot_dir / "guided-3-calibration.png")
    calib.start_calibration()
    stim = calib.windows.stimulus
    qtbot.waitUntil(lambda: stim.phase is not None and stim.phase.kind == "cue", timeout=15000)
    _shot(stim, screenshot_dir / "guided-3b-cue.png")
    _shot(calib.windows.operator, screenshot_dir / "guided-3c-operator.png")
    qtbot.waitUntil(calib.isComplete, timeout=120000)
    assert "Saved" in calib.status.text()
    wiz.next()

    # 4. training: the best robust decoder, said in words; a working one unlocks feedback
    qtbot.waitUntil(lambda: wiz.state["training"] is not None or "failed" in training.verdict.text(),
                    timeout=180000)
    res = wiz.state["training"]
    assert res is not None, training.verdict.text()
    print("guided training:", res.text, {k: r["accuracy"] for k, r in res.reports.items()})
    assert res.works and res.text.startswith("Decoder works:") and "chance 50 %" in res.text
    assert res.model_path == wiz.session_dir / f"sub-07_ses-01_{res.best}.bcimodel" and res.model_path.is_file()
    assert training.isComplete()
    _shot(wiz, screenshot_dir / "guided-4-training.png")
    wiz.next()

    # 5. feedback run with the model, scored against its own cues
    # (decoded in the page's own process, as the online panel decodes; the run opens once it is ready)
    assert feedback.decoder is not None and feedback.decoder.alive
    feedback.trials.setValue(4)
    feedback.start_feedback()
    qtbot.waitUntil(lambda: getattr(feedback, "windows", None) is not None, timeout=60000)
    stim = feedback.windows.stimulus
    # the bars follow the decoder's smoothed probabilities (how far they go depends on the model's calibration)
    qtbot.waitUntil(lambda: stim.phase is not None and stim.phase.kind == "imagery" and stim.feedback() is not None,
                    timeout=30000)
    qtbot.wait(1500)  # well into the imagery
    _shot(stim, screenshot_dir / "guided-5b-feedback-window.png")
    _shot(feedback.windows.operator, screenshot_dir / "guided-5c-feedback-operator.png")
    qtbot.waitUntil(lambda: feedback.results.count() == 1, timeout=120000)
    summary = wiz.state["feedback"][0]["summary"]
    assert summary["n_trials"] == 8 and summary["accuracy"] >= 0.75, summary
    preds = next(wiz.root.glob("sourcedata/sub-07/ses-01/eeg/*mifeedback_run-01.bcirec/predictions.jsonl"))
    n = len(preds.read_text().splitlines())
    assert n == summary["predictions"] > 0  # every prediction of the decoding process reached the session
    side = next(wiz.session_dir.glob("sub-07_ses-01_task-mifeedback_run-01_feedback.json"))
    assert json.loads(side.read_text())["model"] == res.model_path.name
    _shot(wiz, screenshot_dir / "guided-5-feedback.png")
    wiz.next()

    # 6. report: HTML and PDF in the session folder
    qtbot.waitUntil(lambda: bool(report.paths) or "could not" in report.status.text(), timeout=60000)
    assert [p.suffix for p in report.paths] == [".html", ".pdf"], report.status.text()
    assert all(p.is_file() and p.parent == wiz.session_dir for p in report.paths)
    html = report.paths[0].read_text(encoding="utf-8")
    assert re.search(r"Recording date</td><td>\d{4}-\d\d-\d\d \d\d:\d\d<", html)  # dated in the run's file
    buttons = {b: wiz.button(b).isVisible() for b in (QWizard.WizardButton.FinishButton,
                                                      QWizard.WizardButton.CancelButton)}
    assert buttons == {QWizard.WizardButton.FinishButton: True, QWizard.WizardButton.CancelButton: False}
    assert "In short" in report.summary.text() and "Feedback run 1: " in report.summary.text()  # no need to open it
    _shot(wiz, screenshot_dir / "guided-6-report.png")
    decoder = feedback.decoder
    wiz.close()
    assert feedback.decoder is None and not decoder.alive  # the decoding process ends with the session
    win.close()

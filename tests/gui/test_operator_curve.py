"""The calibration operator window's live learning curve, on a real simulated calibration (LSL)."""

from __future__ import annotations

from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.recording.session import CalibrationSession, SessionInfo
from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.simulator import Simulator
from bcigui.gui.paradigms.operator import OperatorWindow
from bcigui.gui.paradigms.stimulus import MICueWindow


def test_live_curve_during_a_simulated_calibration(qtbot, tmp_path, unique_name, screenshot_dir):
    outlet = MarkerOutlet(unique_name + "-markers")
    sim = Simulator("mi", n_channels=16, srate=160.0, seed=3, name=unique_name, follow=outlet.name,
                    follow_source_id=outlet.source_id, classes=("left_hand", "right_hand")).start()
    acq = Acquisition(unique_name, markers=[outlet.name]).start()
    try:
        assert outlet.wait_for_consumers(5.0)
        p = MotorImageryParadigm("left_hand,right_hand", 4, baseline_duration=0.3, fixation_duration=0.3,
                                 warning_duration=0.3, cue_duration=0.5, imagery_duration=2.5,
                                 rest_duration=0.5, rest_jitter=0.1, seed=2)
        session = CalibrationSession(acq, p, tmp_path, SessionInfo("01"), outlet)
        win, op = MICueWindow(session), OperatorWindow(session)
        qtbot.addWidget(win)
        qtbot.addWidget(op)
        box = op.curve_box
        assert box is not None and "starts after 3 trials of each class" in box.latest.text()
        assert "Good enough" in box.rule.text() and "Not learning" in box.rule.text()
        win.show()
        op.show()
        win.start()
        qtbot.waitUntil(lambda: len(box.curve.points) >= 2, timeout=60000)
        pt = box.curve.points[-1]
        assert pt.n_trials >= 7 and 0 <= pt.low <= pt.accuracy <= pt.high <= 1 and pt.chance == 0.5
        assert box.curve.missed == 0 and box.curve.X[0].shape == (16, box.curve.n_times)
        qtbot.waitUntil(lambda: f"After {pt.n_trials} trials" in box.latest.text(), timeout=5000)
        assert "correct (95 % interval" in box.latest.text() and box.advice.text()
        assert len(box.line.getData()[0]) == len(box.curve.points)
        assert box.chance.isVisible() and box.threshold.value() > 50
        op.grab().save(str(screenshot_dir / "operator_live_curve.png"))
        # the operator picks another decoder: it keeps the trials so far (same window and filter) and the
        # curve follows it from the next update
        n_before = len(box.curve.y)
        assert [box.pipeline.itemData(i) for i in range(box.pipeline.count())] == ["csp_lda", "ts_lr", "erp_ts"]
        box.pipeline.setCurrentIndex(box.pipeline.findData("ts_lr"))
        assert box.curve.pipeline_name == "ts_lr" and len(box.curve.y) >= n_before
        qtbot.waitUntil(lambda: len(box.curve.points) >= 1, timeout=30000)
        assert box.curve.points[-1].n_trials >= n_before
        qtbot.waitUntil(lambda: session.finished, timeout=30000)
    finally:
        win.close()
        op.close()
        acq.stop()
        sim.stop()

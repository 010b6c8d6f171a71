"""Operator view of a calibration session: a live trace slot and the progress panel.

The progress panel shows trial i of N, time left, the current class and phase, the samples
recorded, and Pause / Resume / Abort buttons (pause takes effect at the end of the current trial).
``trace_slot`` is an empty container where the application embeds its live trace view; without
one, :class:`SimpleTrace` draws the last seconds of the acquisition's buffer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from bcigui.gui.plots import plain_axes


def _mmss(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


class OperatorPanel(QWidget):
    """Progress of a session (anything with ``progress()``, ``pause()``, ``resume()``, ``abort()``)."""

    aborted = Signal()

    def __init__(self, session, parent: QWidget | None = None, interval_ms: int = 200) -> None:
        super().__init__(parent)
        self.session = session
        box = QGroupBox("Calibration progress")
        form = QFormLayout(box)
        self.trial_label = QLabel("-")
        self.time_label = QLabel("-")
        self.class_label = QLabel("-")
        self.phase_label = QLabel("-")
        self.samples_label = QLabel("0")
        big = self.trial_label.font()
        big.setPointSizeF(big.pointSizeF() * 1.5)
        big.setBold(True)
        for lab in (self.trial_label, self.time_label, self.class_label):
            lab.setFont(big)
        self.phase_label.setWordWrap(True)
        box.setMinimumWidth(300)
        form.addRow("Trial", self.trial_label)
        form.addRow("Time left", self.time_label)
        form.addRow("Class", self.class_label)
        form.addRow("Phase", self.phase_label)
        form.addRow("Samples recorded", self.samples_label)
        self.score_label = QLabel("-")
        self.score_label.setWordWrap(True)
        if hasattr(session, "score"):  # a feedback run: its live score against its own cues
            box.setTitle("Feedback run progress")
            self.score_label.setFont(big)
            form.addRow("Score", self.score_label)
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        form.addRow(self.bar)
        self.stimulus_warning = QLabel("")  # signal problems, too many dropped stimulus frames; else hidden
        self.stimulus_warning.setWordWrap(True)
        self.stimulus_warning.setStyleSheet("color: #b00; font-weight: bold;")
        self.stimulus_warning.hide()
        form.addRow(self.stimulus_warning)
        buttons = QHBoxLayout()
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.abort_button = QPushButton("Abort")
        self.abort_button.setStyleSheet("color: #b00;")
        self.pause_button.setToolTip("Pause after the current trial (the recording goes on; a pause marker is written)")
        self.resume_button.setToolTip("Go on with the next trial")
        self.abort_button.setToolTip("End the run now; everything recorded so far is kept")
        for b in (self.pause_button, self.resume_button, self.abort_button):
            buttons.addWidget(b)
        self.pause_button.clicked.connect(self._pause)
        self.resume_button.clicked.connect(self._resume)
        self.abort_button.clicked.connect(self._abort)
        lay = QVBoxLayout(self)
        lay.addWidget(box)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def _pause(self) -> None:
        self.session.pause()
        self.refresh()

    def _resume(self) -> None:
        self.session.resume()
        self.refresh()

    def _abort(self) -> None:
        self.session.abort()
        self.aborted.emit()
        self.refresh()

    def refresh(self) -> None:
        """Read the session's progress into the labels."""
        pr = self.session.progress()
        n, i = pr["n_trials"], pr["trial"]
        self.trial_label.setText(f"{i} of {n}")
        self.time_label.setText(_mmss(pr["time_left"]))
        self.class_label.setText(str(pr["label"]) if pr["label"] else "-")
        state = pr["phase"] or "not started"
        if pr["finished"]:
            state = "finished"
        elif pr["paused"]:
            state = "PAUSED"
        elif pr["pause_pending"]:
            state += " - pausing after this trial"
        self.phase_label.setText(state)
        self.samples_label.setText(f"{pr['samples']:,}")
        score = pr.get("score")
        if score is not None:
            self.score_label.setText(score_text(score))
        warning = "\n".join([*(f"Signal: {m}" for m in pr.get("stream_problems", [])),
                              pr.get("stimulus_warning", ""), pr.get("decoder_warning", "")]).strip()
        self.stimulus_warning.setText(warning)
        self.stimulus_warning.setVisible(bool(warning))
        self.bar.setRange(0, max(1, n))
        self.bar.setValue(i)
        self.bar.setFormat(f"trial {i}/{n}")
        running = not pr["finished"]
        self.pause_button.setEnabled(running and not pr["paused"] and not pr["pause_pending"])
        self.resume_button.setEnabled(running and (pr["paused"] or pr["pause_pending"]))
        self.abort_button.setEnabled(running)


def score_text(score: dict, final: bool = False) -> str:
    """``"7 of 9 correct (78 %; chance 50 %, significant)"`` from a feedback summary (``final``: the
    run is over, so a non-significant score is no longer "not significant yet")."""
    from bcigui.core.guided import pct

    n = score.get("n_scored") or 0
    if not n:
        return "no trial scored yet"
    correct = round(score["accuracy"] * n)
    sig = "significant" if score.get("p_value") is not None and score["p_value"] < 0.05 else (
        "not significant" if final else "not significant yet")
    return f"{correct} of {n} correct ({pct(score['accuracy'])}; chance {pct(score['chance_level'])}, {sig})"


class SimpleTrace(pg.PlotWidget):
    """Last ``seconds`` of an acquisition's buffer, channels stacked (a stand-in for the trace view)."""

    def __init__(self, acquisition, seconds: float = 5.0, max_channels: int = 8,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent=parent, background="w")
        self.acquisition = acquisition
        self.seconds = float(seconds)
        names = list(acquisition.ch_names)[:max_channels]
        self.n = len(names)
        self.curves = [self.plot(pen=pg.mkPen((30, 60, 150), width=1)) for _ in names]
        self.getAxis("left").setTicks([[(-i, name) for i, name in enumerate(names)]])
        self.setLabel("bottom", "time", "s")
        plain_axes(self)
        self.setYRange(-self.n + 0.5, 0.5)
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def refresh(self) -> None:
        buf = self.acquisition.buffer
        data, times = buf.get_data(int(self.seconds * self.acquisition.sfreq))
        if len(times) < 2:
            return
        t = times - times[-1]
        for i, curve in enumerate(self.curves):
            x = data[:, i].astype(float)
            x = x - np.nanmean(x)
            scale = np.nanmax(np.abs(x)) or 1.0
            curve.setData(t, 0.45 * x / scale - i)


class CurveBox(QGroupBox):
    """Live learning curve of a calibration: cross-validated accuracy after each trial (computed off the
    GUI thread), its 95 % interval, chance and significance lines, and the stop rule's advice."""

    def __init__(self, session, parent: QWidget | None = None, interval_ms: int = 500) -> None:
        super().__init__("Decoder so far", parent)
        from bcigui.core.decoders.live_curve import live_curve_for

        self.session = session
        self.curve = None
        self.task = None
        self._task_curve = None  # the curve the running update belongs to
        self._pending = False
        lay = QVBoxLayout(self)
        self.pipeline = QComboBox()  # which decoder the curve follows (the guided session's first by default)
        self.pipeline.setToolTip("The decoder whose accuracy the curve shows; changing it keeps the trials so far")
        row = QHBoxLayout()
        row.addWidget(QLabel("Decoder"))
        row.addWidget(self.pipeline, 1)
        lay.addLayout(row)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("left", "correct (%)")
        self.plot.setLabel("bottom", "trials so far")
        plain_axes(self.plot)
        self.plot.setYRange(0, 100)
        self.plot.setXRange(0, 10)  # before the first point: an empty axis of trials, not -0.5..0.5
        self.plot.setMinimumHeight(160)
        self.plot.showGrid(y=True, alpha=0.2)
        self.band = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0),
                                    pen=pg.mkPen((30, 60, 150), width=1.5), beam=0.4)
        self.line = self.plot.plot(pen=pg.mkPen((30, 60, 150), width=2), symbol="o", symbolSize=7,
                                   symbolBrush=(30, 60, 150))
        self.chance = pg.InfiniteLine(angle=0, pen=pg.mkPen((120, 120, 120), width=1, style=Qt.PenStyle.DashLine),
                                      label="chance", labelOpts={"position": 0.05, "color": (90, 90, 90)})
        self.threshold = pg.InfiniteLine(angle=0, pen=pg.mkPen((200, 110, 0), width=1, style=Qt.PenStyle.DashLine),
                                         label="better than guessing above this",
                                         labelOpts={"position": 0.3, "color": (170, 90, 0)})
        for item in (self.band, self.chance, self.threshold):
            self.plot.addItem(item)
        self.chance.hide()
        self.threshold.hide()
        self.latest = QLabel("")
        self.latest.setWordWrap(True)
        self.advice = QLabel("")
        self.advice.setWordWrap(True)
        self.rule = QLabel("")
        self.rule.setWordWrap(True)
        self.rule.setStyleSheet("color: #555; font-size: 9pt;")
        for w in (self.plot, self.latest, self.advice, self.rule):
            lay.addWidget(w)
        acq = getattr(session, "acquisition", None)
        paradigm = getattr(session, "paradigm", None)
        try:
            classes = paradigm.classes() if callable(paradigm.classes) else paradigm.classes
            self.curve = live_curve_for(paradigm.name, float(acq.sfreq), list(acq.ch_names), list(classes))
        except Exception as err:  # a paradigm or decoder the curve cannot follow: say so, keep the session going
            self.latest.setText(f"No live curve for this session: {err}")
            self.pipeline.setEnabled(False)
            return
        from bcigui.core.guided import GUIDED_PIPELINES

        self._make = lambda name: live_curve_for(paradigm.name, float(acq.sfreq), list(acq.ch_names),
                                                 list(classes), pipeline=name)
        for name in GUIDED_PIPELINES.get(paradigm.name, (self.curve.pipeline_name,)):
            self.pipeline.addItem(name, name)
        self.pipeline.setCurrentIndex(max(0, self.pipeline.findData(self.curve.pipeline_name)))
        self.pipeline.currentIndexChanged.connect(lambda _i: self.choose(self.pipeline.currentData()))
        n = self.curve.min_per_class
        self.latest.setText(f"The curve starts after {n} trials of each class ({self.curve.pipeline_name}, "
                            "cross-validated on the trials so far).")
        self.rule.setText(self.curve.rule.describe())
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._timer.start()

    def choose(self, name: str) -> None:
        """Follow decoder ``name`` from now on, with the trials collected so far."""
        if self.curve is None or name == self.curve.pipeline_name:
            return
        try:
            curve = self._make(name)
        except Exception as err:  # noqa: BLE001 - say why and keep the current curve
            self.latest.setText(f"Cannot follow {name}: {err}")
            return
        curve.adopt(self.curve)
        self.curve = curve
        self.line.setData([], [])
        self.band.setData(x=np.zeros(0), y=np.zeros(0), top=np.zeros(0), bottom=np.zeros(0))
        self.latest.setText(f"Following {name} from now on (cross-validated on the trials so far).")
        self._pending = True
        self.poll()

    def poll(self) -> None:
        """Cut finished trials from the buffer; start an update off the GUI thread if none runs."""
        import pylsl

        acq = self.session.acquisition
        if self.curve is None or getattr(acq, "buffer", None) is None:
            return
        if self.curve.collect(self.session.cues, acq.buffer, pylsl.local_clock()):
            self._pending = True
        if self._pending and self.task is None and self.curve.ready():
            from bcigui.gui.workers import run_in_thread

            self._pending = False
            self._task_curve = self.curve  # a bound method as callback: dropped if this widget is gone
            self.task = run_in_thread(self.curve.update, on_done=self._show, on_error=self._failed)

    def _failed(self, err: BaseException, _tb: str) -> None:
        self.task = None
        self.latest.setText(f"The live curve stopped: {err}")

    def _show(self, point) -> None:
        self.task = None
        if self._task_curve is not self.curve:  # another decoder was chosen meanwhile
            self._pending = True
            return
        if point is None:
            return
        from bcigui.core.guided import pct

        pts = self.curve.points
        x = np.array([p.n_trials for p in pts], float)
        y = np.array([100 * p.accuracy for p in pts])
        self.line.setData(x, y)
        self.band.setData(x=x, y=y, top=np.array([100 * p.high for p in pts]) - y,
                          bottom=y - np.array([100 * p.low for p in pts]))
        self.chance.setValue(100 * point.chance)
        self.threshold.setValue(100 * point.threshold)
        self.chance.show()
        self.threshold.show()
        self.plot.setXRange(0, max(10, x[-1] + 1))
        self.latest.setText(f"After {point.n_trials} trials: {pct(point.accuracy)} correct (95 % interval "
                            f"{pct(point.low)}–{pct(point.high)}); chance {pct(point.chance)}.")
        state, sentence = self.curve.advice()
        color = {"good enough": "#1e8449", "not learning": "#b00"}.get(state, "#333")
        self.advice.setStyleSheet(f"color: {color}; font-weight: bold;")
        self.advice.setText(sentence)


class OperatorWindow(QMainWindow):
    """Trace slot (top) and progress panel (bottom) of a running session."""

    def __init__(self, session, parent: QWidget | None = None, trace: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("bcigui calibration - operator")
        self.session = session
        split = QSplitter(Qt.Orientation.Horizontal)
        self.trace_slot = QWidget()
        slot_layout = QVBoxLayout(self.trace_slot)
        slot_layout.setContentsMargins(0, 0, 0, 0)
        acq = getattr(session, "acquisition", None)
        if trace is None and acq is not None and getattr(acq, "buffer", None) is not None:
            trace = SimpleTrace(acq)
        if trace is not None:
            slot_layout.addWidget(trace)
        else:
            slot_layout.addWidget(QLabel("live traces"), alignment=Qt.AlignmentFlag.AlignCenter)
        self.trace = trace
        self.panel = OperatorPanel(session)
        self.curve_box = None
        left: QWidget = self.trace_slot
        if hasattr(session, "cues") and not hasattr(session, "score") and acq is not None:  # calibration runs
            left = QSplitter(Qt.Orientation.Vertical)
            self.curve_box = CurveBox(session)
            left.addWidget(self.trace_slot)
            left.addWidget(self.curve_box)
            left.setStretchFactor(0, 1)
            left.setStretchFactor(1, 1)
        split.addWidget(left)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.setCentralWidget(split)
        self.resize(1100, 760 if self.curve_box is not None else 520)

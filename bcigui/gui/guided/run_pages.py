"""Steps 3 and 5 of the guided session: calibration and feedback runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bcigui.core import guided
from bcigui.gui.guided.base import (
    TASKS,
    RunPage,
    minutes,
    screen_box,
    text_label,
)


class CalibrationPage(RunPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Calibration",
                         "The patient follows the cues on the screen; the recording teaches the decoder. "
                         "Next: training.")
        self.running = False
        self.task = QComboBox()
        self.task.setToolTip("What the patient does: imagine moving the hands (motor imagery) or look at flickering targets")
        for text, name, fixed in TASKS:
            self.task.addItem(text, (name, fixed))
        self.trials = QSpinBox(minimum=5, maximum=100, value=20)
        self.trials.setToolTip("Trials of each class in the calibration; more trials, a better decoder, a longer run")
        self.trials.setSuffix(" per class")
        self.screen = screen_box()
        self.fullscreen = QCheckBox("Full screen for the patient")
        self.fullscreen.setToolTip("Show the patient's window full screen on the patient screen")
        self.fullscreen.setChecked(len(QGuiApplication.screens()) > 1)
        form = QFormLayout()
        form.addRow("Task", self.task)
        form.addRow("Trials", self.trials)
        form.addRow("Patient screen", self.screen)
        form.addRow("", self.fullscreen)
        self.lay.addLayout(form)
        self.duration = text_label()
        self.lay.addWidget(self.duration)
        self.advanced = QGroupBox("Advanced: timing of the trials")
        self.advanced.setCheckable(True)
        self.advanced.setToolTip("Change how long each part of a trial lasts (the defaults suit most patients)")
        self.advanced.setChecked(False)
        self.adv_lay = QVBoxLayout(self.advanced)
        self.forms: dict[str, Any] = {}
        self.lay.addWidget(self.advanced)
        self.start_button = QPushButton("Start calibration")
        self.start_button.setToolTip("Open the patient's window and record the calibration run")
        self.start_button.setMinimumHeight(40)
        self.start_button.clicked.connect(self.start_calibration)
        self.lay.addWidget(self.start_button)
        self.status = text_label()
        self.lay.addWidget(self.status)
        self.lay.addStretch(1)
        self.task.currentIndexChanged.connect(self._task_changed)
        self.trials.valueChanged.connect(self._show_duration)
        self.advanced.toggled.connect(lambda on: self.form().setVisible(on))
        self._task_changed()

    def form(self) -> Any:
        from bcigui.core.paradigms.plugins import PLUGINS
        from bcigui.gui.param_form import ParamForm

        name, fixed = self.task.currentData()
        if name not in self.forms:
            spec = next(s for s in PLUGINS if s.name == name)
            keep = tuple(p for p in spec.params if p.name not in (*fixed, "trials_per_class"))
            form = ParamForm(keep)
            form.setVisible(self.advanced.isChecked())
            for w in form.findChildren(QWidget):
                if hasattr(w, "valueChanged"):
                    w.valueChanged.connect(self._show_duration)
            self.adv_lay.addWidget(form)
            self.forms[name] = form
        for n, f in self.forms.items():
            f.setVisible(n == name and self.advanced.isChecked())
        return self.forms[name]

    def _task_changed(self) -> None:
        name, _ = self.task.currentData()
        self.trials.setValue(20 if name == "mi" else 8)
        self._show_duration()
        self.completeChanged.emit()

    def paradigm(self) -> Any:
        from bcigui.core.paradigms import make_paradigm

        name, fixed = self.task.currentData()
        params = {**self.form().values(), **fixed, "trials_per_class": self.trials.value()}
        return make_paradigm(name, **params)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        runs = self.runs()
        if runs:
            self.status.setText(f"This session already has {len(runs)} calibration recording(s): "
                                f"{', '.join(r.name for r in runs)}. You can go on, or record more.")

    def runs(self) -> list[Path]:
        if "subject" not in self.w.state:
            return []
        name, _ = self.task.currentData()
        return guided.runs_of(self.w.root, self.w.subject, self.w.session, name)

    def start_calibration(self) -> None:
        from bcigui.core.recording.session import CalibrationSession

        if self.w.acquisition is None:
            self._run_failed("No EEG is connected: go back to the signal check.")
            return
        try:
            paradigm = self.paradigm()
            outlet, direct = self._outlet_args()
            session = CalibrationSession(self.w.acquisition, paradigm, self.w.root, self._session_info(), outlet,
                                         None, direct)
        except (ValueError, OSError) as err:
            self._run_failed(f"Could not start: {err}")
            return
        name, _ = self.task.currentData()
        self.w.state.update(paradigm=name, classes=paradigm.classes, screen=self.screen.currentData(),
                            fullscreen=self.fullscreen.isChecked())
        self.start_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"Calibration running ({minutes(paradigm.total_duration())}). The operator window "
                            "shows the progress and can pause or stop it.")
        self._start_run(session)

    def _run_saved(self, path: str) -> None:
        self.running = False
        self.w.state["calibration"].append(path)
        self.w.state["training"] = None  # new data: train again
        self.start_button.setEnabled(True)
        self.start_button.setText("Record another calibration run")
        self.status.setStyleSheet("")
        self.status.setText(f"Saved <b>{Path(path).name}</b>. Next: training.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return not self.running and bool(self.runs())

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        name, fixed = self.task.currentData()
        self.w.state.setdefault("screen", self.screen.currentData())
        self.w.state.update(paradigm=name, classes=self.paradigm().classes, fullscreen=self.fullscreen.isChecked())
        return True


# ----------------------------------------------------------------------------------------- 4. training
class FeedbackPage(RunPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Feedback",
                         "The patient does the same task and sees the decoder's answer live. Repeat as often as "
                         "useful. Next: report.")
        self.running = False
        self.trials = QSpinBox(minimum=2, maximum=100, value=10)
        self.trials.setToolTip("Trials of each class in this feedback run")
        self.trials.setSuffix(" per class")
        form = QFormLayout()
        form.addRow("Trials", self.trials)
        self.lay.addLayout(form)
        self.duration = text_label()
        self.lay.addWidget(self.duration)
        self.trials.valueChanged.connect(self._show_duration)
        self.start_button = QPushButton("Start a feedback run")
        self.start_button.setToolTip("Open the patient's window: cued trials with the decoder's answer shown live")
        self.start_button.setMinimumHeight(40)
        self.start_button.clicked.connect(self.start_feedback)
        self.lay.addWidget(self.start_button)
        self.status = text_label()
        self.lay.addWidget(self.status)
        self.results = QListWidget()
        self.lay.addWidget(QLabel("Runs of this session:"))
        self.lay.addWidget(self.results, 1)
        self.session_obj = None
        self.decoder = None  # the decoding process of this session's feedback runs

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        from bcigui.core.online.process import live_decoder

        self._show_duration()
        # The page's decoding process (as the online panel's), started now: it has loaded the model
        # by the time the run starts.
        acq, res = self.w.acquisition, self.w.state.get("training")
        self.decoder = live_decoder(self.decoder, getattr(getattr(acq, "eeg", None), "desc", None),
                                    res.model_path if res is not None else None,
                                    float(getattr(acq, "buffer_seconds", 60.0)))

    def paradigm(self) -> Any:
        from bcigui.core.paradigms import make_paradigm
        from bcigui.core.recording.feedback import paradigm_params_for_model

        res = self.w.state.get("training")
        name = self.w.state.get("paradigm", "mi")
        cal = self.w.pages[2].form().values()  # the same timing as the calibration
        params = {**cal, "trials_per_class": self.trials.value(), "seed": len(self.w.state["feedback"]) + 1}
        if res is not None:
            from bcigui.core.model_file import read_manifest

            params.update(paradigm_params_for_model(name, read_manifest(res.model_path)[0]))
        return make_paradigm(name, **params)

    def start_feedback(self) -> None:
        from bcigui.core.model_file import load_model
        from bcigui.core.recording.feedback import FeedbackSession

        res = self.w.state.get("training")
        if res is None or self.w.acquisition is None:
            self._run_failed("Train a decoder and connect the EEG first.")
            return
        try:
            model = load_model(res.model_path)
            paradigm = self.paradigm()
            outlet, direct = self._outlet_args()
            self.session_obj = FeedbackSession(self.w.acquisition, paradigm, self.w.root, self._session_info(),
                                               model, res.model_path, outlet, None, direct, decoder=self.decoder)
        except (ValueError, OSError) as err:
            self._run_failed(f"Could not start: {err}")
            return
        self.decoder = self.session_obj.decoder  # a new process if the page's had died
        self.start_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.running = True
        self.completeChanged.emit()
        self._when_decoder_ready(paradigm)

    def _when_decoder_ready(self, paradigm: Any) -> None:
        """Open the run's windows once the decoding process holds the model (polled: never blocks)."""
        problem = self.session_obj.decoder.problem()
        if problem == "":
            self.status.setText("Preparing the decoder…")
            QTimer.singleShot(100, self, lambda: self._when_decoder_ready(paradigm))
            return
        if problem:
            self.session_obj.release_decoder()
            self._run_failed(f"Could not start: {problem}")
            return
        self.status.setText(f"Feedback run running ({minutes(paradigm.total_duration())}).")
        self._start_run(self.session_obj)

    def stop(self) -> None:
        super().stop()
        if self.decoder is not None:
            self.decoder.close()
            self.decoder = None

    def _run_saved(self, path: str) -> None:
        from bcigui.gui.paradigms.operator import score_text

        self.running = False
        summary = self.session_obj.summary()
        self.w.state["feedback"].append({"path": path, "summary": summary})
        n = len(self.w.state["feedback"])
        self.results.addItem(f"Run {n}: {score_text(summary, final=True)}")
        self.start_button.setEnabled(True)
        self.start_button.setText("Start another feedback run")
        self.status.setText(f"Saved <b>{Path(path).name}</b>.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return not self.running


# ------------------------------------------------------------------------------------------- 6. report

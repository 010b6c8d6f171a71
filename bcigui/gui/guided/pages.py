"""The six pages of the guided session (see :mod:`bcigui.gui.guided.wizard`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from bcigui.core import guided

GOOD_STYLE = "color: #1e8449; font-size: 16pt; font-weight: bold;"
BAD_STYLE = "color: #b03a2e; font-size: 16pt; font-weight: bold;"
ERROR_STYLE = "color: #c0392b;"

#: What the clinician chooses: (label, paradigm plugin, fixed parameters).
TASKS = (
    ("Motor imagery: left hand or right hand", "mi", {"classes": "left_hand,right_hand"}),
    ("Motor imagery: left hand, right hand or both feet", "mi", {"classes": "left_hand,right_hand,feet"}),
    ("Visual attention (SSVEP): three flickering targets", "ssvep", {"frequencies": "13,17,21"}),
)


def minutes(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s"


def _label(text: str = "", style: str = "") -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        lab.setStyleSheet(style)
    return lab


def _screen_box() -> QComboBox:
    box = QComboBox()
    for i, scr in enumerate(QGuiApplication.screens()):
        geo = scr.geometry()
        box.addItem(f"Screen {i + 1}: {scr.name()} ({geo.width()}×{geo.height()})", i)
    box.setCurrentIndex(box.count() - 1)  # a second screen, when there is one, faces the patient
    return box


class GuidedPage(QWizardPage):
    """A page that can stop what it runs when the wizard closes."""

    def __init__(self, wizard: Any, title: str, subtitle: str) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.lay = QVBoxLayout(self)

    def stop(self) -> None:
        """Stop timers and running work (the wizard is closing)."""


# ------------------------------------------------------------------------------------------ 1. patient
class PatientPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Patient", "Who is this session for? Next: check the signal.")
        settings = getattr(wizard.host, "settings", None)
        root = (settings.get("patient_root") if settings is not None else "") or str(guided.DEFAULT_ROOT)
        self.patient = QLineEdit()
        self.patient.setPlaceholderText("e.g. 01")
        self.session = QComboBox()
        self.folder = QLineEdit(root)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Patient ID", self.patient)
        form.addRow("Session", self.session)
        form.addRow("Data folder", row)
        self.lay.addLayout(form)
        self.where = _label()
        self.error = _label(style=ERROR_STYLE)
        self.lay.addWidget(self.where)
        self.lay.addWidget(self.error)
        self.lay.addStretch(1)
        self.patient.textChanged.connect(self._update)
        self.folder.textChanged.connect(self._update)
        self.session.currentIndexChanged.connect(self._show_where)

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Data folder", self.folder.text())
        if d:
            self.folder.setText(d)

    def _update(self) -> None:
        pid = self.patient.text().strip()
        self.session.blockSignals(True)
        self.session.clear()
        if pid.isalnum():
            root = self.folder.text().strip() or str(guided.DEFAULT_ROOT)
            new = guided.next_session_label(root, pid)
            self.session.addItem(f"New session ({new})", new)
            for ses in reversed(guided.sessions_of(root, pid)):
                self.session.addItem(f"Continue session {ses}", ses)
        self.session.blockSignals(False)
        self._show_where()
        self.completeChanged.emit()

    def _show_where(self) -> None:
        pid, ses = self.patient.text().strip(), self.session.currentData()
        if pid.isalnum() and ses:
            folder = guided.session_dir(self.folder.text().strip() or guided.DEFAULT_ROOT, pid, ses)
            self.where.setText(f"Recordings, decoders and the report will be saved in <b>{folder}</b>.")
        else:
            self.where.setText("Enter the patient ID (letters and digits only).")

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return self.patient.text().strip().isalnum() and bool(self.session.currentData())

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        from bcigui.core.recording.session import check_output

        root = self.folder.text().strip() or str(guided.DEFAULT_ROOT)
        try:
            check_output(root)
        except OSError as err:
            self.error.setText(str(err))
            return False
        self.w.state.update(root=root, subject=self.patient.text().strip(), session=self.session.currentData())
        settings = getattr(self.w.host, "settings", None)
        if settings is not None:
            settings.set("patient_root", root)
        return True


# ------------------------------------------------------------------------------------- 2. signal check
class SignalPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Signal check",
                         "Every electrode must be good before recording. Fix an electrode or mark its channel "
                         "bad. Next: calibration.")
        self.holder = QVBoxLayout()
        self.lay.addLayout(self.holder, 3)
        self.summary = _label()
        self.lay.addWidget(self.summary)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(140)
        self.problems.itemChanged.connect(lambda *_: self._update())
        self.lay.addWidget(QLabel("Channels that need attention (tick to mark a channel bad):"))
        self.lay.addWidget(self.problems, 1)
        self.sim_button = QPushButton("No amplifier? Start the simulated patient")
        self.sim_button.clicked.connect(self._start_simulator)
        self.lay.addWidget(self.sim_button)
        self.view = None
        self._acq = None
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._update)

    def _start_simulator(self) -> None:
        if hasattr(self.w.host, "simulate"):
            self.w.host.simulate("mi")

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.timer.start()
        self._update()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt API
        self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()
        if self.view is not None:
            self.view.close()

    def _ensure_view(self) -> None:
        from bcigui.gui.views.quality import QualityView

        acq = self.w.acquisition
        if acq is self._acq:
            return
        if self.view is not None:
            self.view.close()
            self.view.deleteLater()
            self.view = None
        self._acq = acq
        if acq is not None:
            self.view = QualityView(acq)
            self.holder.addWidget(self.view)

    def _update(self) -> None:
        self._ensure_view()
        self.sim_button.setVisible(self.w.acquisition is None)
        if self.view is None:
            self.summary.setText("<b>No EEG is connected.</b> Connect the amplifier (Stream menu), or start the "
                                 "simulated patient below.")
            self.completeChanged.emit()
            return
        self.view.refresh()
        levels = self.view.levels()
        ticked = self.marked_bad()
        problems = [(q.name, q.level, q.reason) for q in self.view.quality if q.level != "good"]
        self.problems.blockSignals(True)
        names = {p[0] for p in problems} | ticked
        current = {self.problems.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.problems.count())}
        if names != current:
            self.problems.clear()
            for name in sorted(names):
                level, reason = next(((lv, r) for n, lv, r in problems if n == name), ("good", ""))
                item = QListWidgetItem(f"{name}: {level}" + (f" — {reason}" if reason else ""))
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in ticked else Qt.CheckState.Unchecked)
                self.problems.addItem(item)
        self.problems.blockSignals(False)
        if not levels:
            self.summary.setText("Measuring the signal…")
        else:
            todo = [n for n, lv, _ in problems if n not in ticked]
            n_good = sum(lv == "good" for lv in levels.values())
            if todo:
                self.summary.setText(f"<b>{len(todo)} channel(s) need attention</b> ({', '.join(todo[:8])}"
                                     f"{'…' if len(todo) > 8 else ''}): check the electrode, or tick it below to "
                                     "leave the channel out.")
            else:
                extra = f", {len(ticked)} marked bad" if ticked else ""
                self.summary.setText(f"<b>Signal ready:</b> {n_good} of {len(levels)} channels good{extra}.")
        self.completeChanged.emit()

    def marked_bad(self) -> set[str]:
        return {self.problems.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.problems.count())
                if self.problems.item(i).checkState() == Qt.CheckState.Checked}

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        if self.view is None or not self.view.quality:
            return False
        ticked = self.marked_bad()
        return all(q.level == "good" or q.name in ticked for q in self.view.quality)

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        self.w.state["bads"] = sorted(self.marked_bad())
        self.timer.stop()
        return True


# -------------------------------------------------------------------------------------- 3. calibration
class RunPage(GuidedPage):
    """Shared by the calibration and feedback pages: a run on screen, then saved."""

    def _start_run(self, session: Any) -> None:
        from bcigui.gui.paradigms.run import SessionWindows

        self.windows = SessionWindows(session, self.w.state.get("screen"), self.w.state.get("fullscreen", False),
                                      self)
        self.windows.finished.connect(self._run_saved)
        self.windows.failed.connect(lambda err: self._run_failed(f"Saving the run failed: {err}"))
        self.windows.start()
        self.running = True
        self.completeChanged.emit()

    def _run_failed(self, message: str) -> None:
        self.running = False
        self.status.setText(message)
        self.status.setStyleSheet(ERROR_STYLE)
        self.start_button.setEnabled(True)
        self.completeChanged.emit()

    def _run_saved(self, path: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        windows = getattr(self, "windows", None)
        if windows is not None and getattr(self, "running", False):
            windows.abort()

    def _session_info(self) -> Any:
        from bcigui.core.recording.session import SessionInfo

        return SessionInfo(self.w.subject, self.w.session, extra={"bads": self.w.state.get("bads", []),
                                                                   "guided": True})

    def _outlet_args(self) -> tuple[Any, bool]:
        from bcigui.core.recording.session import reads_outlet

        outlet = getattr(self.w.host, "session_outlet", None)
        if outlet is None:
            from bcigui.core.paradigms.outlet import MarkerOutlet

            outlet = MarkerOutlet()
        return outlet, not reads_outlet(self.w.acquisition, outlet, 3.0)


class CalibrationPage(RunPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Calibration",
                         "The patient follows the cues on the screen; the recording teaches the decoder. "
                         "Next: training.")
        self.running = False
        self.task = QComboBox()
        for text, name, fixed in TASKS:
            self.task.addItem(text, (name, fixed))
        self.trials = QSpinBox(minimum=5, maximum=100, value=20)
        self.trials.setSuffix(" per class")
        self.screen = _screen_box()
        self.fullscreen = QCheckBox("Full screen for the patient")
        self.fullscreen.setChecked(len(QGuiApplication.screens()) > 1)
        form = QFormLayout()
        form.addRow("Task", self.task)
        form.addRow("Trials", self.trials)
        form.addRow("Patient screen", self.screen)
        form.addRow("", self.fullscreen)
        self.lay.addLayout(form)
        self.duration = _label()
        self.lay.addWidget(self.duration)
        self.advanced = QGroupBox("Advanced: timing of the trials")
        self.advanced.setCheckable(True)
        self.advanced.setChecked(False)
        self.adv_lay = QVBoxLayout(self.advanced)
        self.forms: dict[str, Any] = {}
        self.lay.addWidget(self.advanced)
        self.start_button = QPushButton("Start calibration")
        self.start_button.setMinimumHeight(40)
        self.start_button.clicked.connect(self.start_calibration)
        self.lay.addWidget(self.start_button)
        self.status = _label()
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

    def _show_duration(self, *_: Any) -> None:
        try:
            p = self.paradigm()
        except (ValueError, TypeError) as err:
            self.duration.setText(f"<span style='{ERROR_STYLE}'>{err}</span>")
            return
        self.duration.setText(f"{p.n_trials()} trials, about <b>{minutes(p.total_duration())}</b>.")

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
class TrainingPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Training",
                         "The decoder learns from the calibration; its accuracy is measured on trials it did not "
                         "learn from. Next: feedback.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.message = _label()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel)
        self.verdict = _label()
        self.override = QCheckBox("Use this decoder for feedback anyway (operator decision)")
        self.override.setVisible(False)
        self.override.toggled.connect(lambda *_: self.completeChanged.emit())
        self.retrain = QPushButton("Train again")
        self.retrain.clicked.connect(self.start)
        self.details = QGroupBox("Advanced: decoders tried")
        self.details.setCheckable(True)
        self.details.setChecked(False)
        dl = QVBoxLayout(self.details)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["decoder", "accuracy", "p-value"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setVisible(False)
        dl.addWidget(self.table)
        self.details.toggled.connect(self.table.setVisible)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        for w in (self.message, self.verdict, self.override):
            self.lay.addWidget(w)
        self.lay.insertLayout(0, row)
        self.lay.addWidget(self.details)
        self.lay.addWidget(self.retrain)
        self.lay.addStretch(1)
        self.task = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        if self.w.state.get("training") is None and self.task is None:
            self.start()

    def start(self) -> None:
        from bcigui.gui.workers import run_in_thread

        paradigm = self.w.state.get("paradigm", "mi")
        runs = guided.runs_of(self.w.root, self.w.subject, self.w.session, paradigm)
        self.w.state["training"] = None
        self.verdict.setText("")
        self.override.setVisible(False)
        self.override.setChecked(False)
        self.retrain.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(f"Training on {len(runs)} calibration recording(s)…")
        self.task = run_in_thread(guided.train_guided, runs, paradigm, self.w.state.get("classes", []), self.w.root,
                                  self.w.subject, self.w.session, progress=True, on_done=self._done,
                                  on_error=self._failed, on_progress=self._progress,
                                  on_cancelled=lambda: self._failed(None, "", "Training cancelled."))
        self.completeChanged.emit()

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(100 * fraction))
        self.message.setText(message)

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def stop(self) -> None:
        self._cancel()

    def _failed(self, err: BaseException | None, _tb: str, text: str | None = None) -> None:
        self.task = None
        self.retrain.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.verdict.setStyleSheet(ERROR_STYLE)
        self.verdict.setText(text or f"Training failed: {err}")
        self.completeChanged.emit()

    def _done(self, result: guided.GuidedTraining) -> None:
        self.task = None
        self.w.state["training"] = result
        self.progress.setValue(100)
        self.cancel_button.setEnabled(False)
        self.retrain.setEnabled(True)
        self.message.setText(f"Saved as {result.model_path.name}.")
        self.verdict.setStyleSheet(GOOD_STYLE if result.works else BAD_STYLE)
        self.verdict.setText(result.text)
        self.override.setVisible(not result.works)
        self.table.setRowCount(len(result.reports))
        for r, (name, rep) in enumerate(result.reports.items()):
            cells = (name + (" (kept)" if name == result.best else ""), guided.pct(rep["accuracy"]),
                     f"{rep['p_value']:.2g}")
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        res = self.w.state.get("training")
        return res is not None and (res.works or self.override.isChecked())


# ----------------------------------------------------------------------------------------- 5. feedback
class FeedbackPage(RunPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Feedback",
                         "The patient does the same task and sees the decoder's answer live. Repeat as often as "
                         "useful. Next: report.")
        self.running = False
        self.trials = QSpinBox(minimum=2, maximum=100, value=10)
        self.trials.setSuffix(" per class")
        form = QFormLayout()
        form.addRow("Trials", self.trials)
        self.lay.addLayout(form)
        self.start_button = QPushButton("Start a feedback run")
        self.start_button.setMinimumHeight(40)
        self.start_button.clicked.connect(self.start_feedback)
        self.lay.addWidget(self.start_button)
        self.status = _label()
        self.lay.addWidget(self.status)
        self.results = QListWidget()
        self.lay.addWidget(QLabel("Runs of this session:"))
        self.lay.addWidget(self.results, 1)
        self.session_obj = None

    def start_feedback(self) -> None:
        from bcigui.core.model_file import load_model
        from bcigui.core.paradigms import make_paradigm
        from bcigui.core.recording.feedback import FeedbackSession, paradigm_params_for_model

        res = self.w.state.get("training")
        if res is None or self.w.acquisition is None:
            self._run_failed("Train a decoder and connect the EEG first.")
            return
        try:
            model = load_model(res.model_path)
            name = self.w.state.get("paradigm", "mi")
            cal = self.w.pages[2].form().values()  # the same timing as the calibration
            params = {**cal, **paradigm_params_for_model(name, model.manifest),
                      "trials_per_class": self.trials.value(), "seed": len(self.w.state["feedback"]) + 1}
            paradigm = make_paradigm(name, **params)
            outlet, direct = self._outlet_args()
            self.session_obj = FeedbackSession(self.w.acquisition, paradigm, self.w.root, self._session_info(),
                                               model, res.model_path, outlet, None, direct)
        except (ValueError, OSError) as err:
            self._run_failed(f"Could not start: {err}")
            return
        self.start_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"Feedback run running ({minutes(paradigm.total_duration())}).")
        self._start_run(self.session_obj)

    def _run_saved(self, path: str) -> None:
        from bcigui.gui.paradigms.operator import score_text

        self.running = False
        summary = self.session_obj.summary()
        self.w.state["feedback"].append({"path": path, "summary": summary})
        n = len(self.w.state["feedback"])
        self.results.addItem(f"Run {n}: {score_text(summary)}")
        self.start_button.setEnabled(True)
        self.start_button.setText("Start another feedback run")
        self.status.setText(f"Saved <b>{Path(path).name}</b>.")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return not self.running


# ------------------------------------------------------------------------------------------- 6. report
class ReportPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Report", "One document with the whole session, for the patient's file.")
        self.status = _label()
        self.lay.addWidget(self.status)
        self.make_button = QPushButton("Create the report again")
        self.make_button.clicked.connect(self.start)
        self.open_button = QPushButton("Open the report")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths[0]))))
        self.folder_button = QPushButton("Open the session folder")
        self.folder_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.w.session_dir))))
        row = QHBoxLayout()
        for b in (self.make_button, self.open_button, self.folder_button):
            row.addWidget(b)
        self.lay.addLayout(row)
        self.lay.addStretch(1)
        self.paths: list[Path] = []
        self.task = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        self.start()

    def start(self) -> None:
        from bcigui.gui.workers import run_in_thread

        self.make_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("Creating the report…")
        self.task = run_in_thread(write_reports, self.w.session_dir, on_done=self._done, on_error=self._failed)

    def _done(self, paths: list[Path]) -> None:
        self.task = None
        self.paths = paths
        self.make_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.status.setText("Report saved:<br>" + "<br>".join(f"<b>{p}</b>" for p in paths))
        self.completeChanged.emit()

    def _failed(self, err: BaseException, _tb: str) -> None:
        self.task = None
        self.make_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(f"The report could not be created: {err}")


def write_reports(session_dir: Path) -> list[Path]:
    """HTML and PDF reports of the session, named after it, in its folder."""
    from bcigui.core.report import write_report

    base = session_dir / f"{session_dir.parent.name}_{session_dir.name}_report"
    out = []
    for suffix in (".html", ".pdf"):
        out.append(write_report(session_dir, base.with_suffix(suffix)))
    return out

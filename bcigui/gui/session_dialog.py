"""Start a calibration session from the main window: paradigm, its settings, subject, output folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.plugins import Registry
from bcigui.gui.param_form import ParamForm


class CalibrationDialog(QDialog):
    """Choose a paradigm plugin and its parameters, subject/session labels and the BIDS folder."""

    def __init__(self, registry: Registry, out_dir: str = "", parent: QWidget | None = None,
                 last: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New calibration session")
        self.specs = registry.list("paradigm")
        self.paradigm = QComboBox()
        self.forms = QStackedWidget()
        for spec in self.specs:
            self.paradigm.addItem(f"{spec.name.upper()} — {spec.description}", spec.name)
            self.forms.addWidget(ParamForm(spec.params))
        self.paradigm.currentIndexChanged.connect(self.forms.setCurrentIndex)
        self.subject = QLineEdit("01")
        self.session = QLineEdit("01")
        self.operator = QLineEdit()
        self.notes = QLineEdit()
        self.out = QLineEdit(out_dir or str(Path.home() / "bcigui-data"))
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the BIDS folder the run is saved in")
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        self.screen = QComboBox()
        for i, scr in enumerate(QGuiApplication.screens()):
            geo = scr.geometry()
            self.screen.addItem(f"{i}: {scr.name()} ({geo.width()}x{geo.height()}, {scr.refreshRate():g} Hz)", i)
        self.fullscreen = QCheckBox("Stimulus full screen")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.duration = QLabel()
        self.duration.setStyleSheet("font-weight: bold;")
        for widget, help_text in (
            (self.paradigm, "Motor imagery (cued imagined movements) or SSVEP (flickering targets); plugins add more"),
            (self.subject, "Subject (patient) label: letters and digits only, e.g. 01 or P07 (BIDS sub-)"),
            (self.session, "Session label, e.g. 01 for the first visit (BIDS ses-); empty for none"),
            (self.operator, "Who runs the session (stored in the recording)"),
            (self.notes, "Free text stored with the recording (electrode problems, the patient's state, ...)"),
            (self.out, "Folder of the study in BIDS layout: each run is saved as "
                       "sub-<subject>/ses-<session>/eeg/..._run-<n>_eeg.vhdr, never overwriting an earlier run"),
            (self.screen, "Screen on which the subject sees the cues (the operator window stays on this one)"),
            (self.fullscreen, "Show the cues full screen on the chosen screen (recommended for the subject)"),
        ):
            widget.setToolTip(help_text)
        for i in range(self.forms.count()):
            self.forms.widget(i).changed.connect(self._update_duration)
        self.paradigm.currentIndexChanged.connect(self._update_duration)
        if last:
            self._restore(last)
        self._update_duration()

        form = QFormLayout()
        form.addRow("Paradigm", self.paradigm)
        form.addRow("Subject", self.subject)
        form.addRow("Session", self.session)
        form.addRow("Operator", self.operator)
        form.addRow("Notes", self.notes)
        form.addRow("Save to (BIDS root)", out_row)
        form.addRow("Stimulus screen", self.screen)
        form.addRow("", self.fullscreen)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start session")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("Open the stimulus and operator windows and start recording")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip("Close without recording")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel("<b>Paradigm settings</b> (durations in seconds)"))
        lay.addWidget(self.forms, 1)
        lay.addWidget(self.duration)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def _restore(self, last: dict[str, Any]) -> None:
        """The values of the previous session (a new session label is not guessed: the last one is kept)."""
        index = self.paradigm.findData(last.get("paradigm"))
        if index >= 0:
            self.paradigm.setCurrentIndex(index)
            try:
                self.forms.widget(index).set_values(dict(last.get("params") or {}))
            except (ValueError, TypeError):
                pass  # the plugin's parameters changed since: keep its defaults
        for widget, key in ((self.subject, "subject"), (self.session, "session"), (self.operator, "operator"),
                            (self.out, "out")):
            if last.get(key):
                widget.setText(str(last[key]))
        self.fullscreen.setChecked(bool(last.get("fullscreen")))

    def _update_duration(self, *_: Any) -> None:
        """How long the run will take with the current settings (the paradigm's own schedule)."""
        from bcigui.core.paradigms import make_paradigm

        try:
            paradigm = make_paradigm(self.paradigm.currentData(), **self.forms.currentWidget().values())
            seconds = paradigm.total_duration()
        except Exception:  # an invalid value is shown by the form itself
            self.duration.setText("Run length: - (fix the settings above)")
            return
        minutes, sec = divmod(int(round(seconds)), 60)
        self.duration.setText(f"Run length: about {minutes} min {sec:02d} s")

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "BIDS root folder", self.out.text())
        if d:
            self.out.setText(d)

    def values(self) -> dict[str, Any]:
        """The chosen settings; raises ``ValueError`` with the reason if one is invalid."""
        from bcigui.core.recording.session import check_label, check_output

        if not self.specs:
            raise ValueError("No paradigm plugin is installed")
        subject, session = self.subject.text().strip(), self.session.text().strip()
        check_label("subject", subject)
        check_label("session", session, optional=True)
        out = self.out.text().strip()
        if not out:
            raise ValueError("Choose a folder to save the recording in")
        check_output(out)
        return {
            "paradigm": self.paradigm.currentData(),
            "params": self.forms.currentWidget().values(),
            "subject": subject,
            "session": session or None,
            "operator": self.operator.text().strip(),
            "notes": self.notes.text().strip(),
            "out": out,
            "screen": self.screen.currentData(),
            "fullscreen": self.fullscreen.isChecked(),
        }

    def _accept(self) -> None:
        try:
            self.values()
        except (ValueError, OSError) as err:
            self.error.setText(str(err))
            return
        self.accept()


class CalibrationRun(QObject):
    """A session running on the main window's acquisition: stimulus + operator windows, then saving."""

    finished = Signal(str)  # path of the saved run, or "" on failure
    failed = Signal(str)

    def __init__(self, acquisition: Any, values: dict[str, Any], parent: QObject | None = None,
                 outlet: Any = None) -> None:
        super().__init__(parent)
        from bcigui.core.paradigms import make_paradigm
        from bcigui.core.paradigms.outlet import MarkerOutlet
        from bcigui.core.recording.session import CalibrationSession, SessionInfo, reads_outlet

        paradigm = make_paradigm(values["paradigm"], **values["params"])
        self.outlet = outlet if outlet is not None else MarkerOutlet()
        # the acquisition's marker watcher picks the outlet up; otherwise markers go in directly
        direct = not reads_outlet(acquisition, self.outlet, 3.0)
        info = SessionInfo(values["subject"], values["session"], None, values["operator"], values["notes"])
        self.session = CalibrationSession(acquisition, paradigm, values["out"], info, self.outlet, None, direct)
        self.values = values
        self.stimulus = None
        self.operator = None

    def start(self) -> None:
        from bcigui.gui.paradigms.run import SessionWindows

        self.windows = SessionWindows(self.session, self.values["screen"], self.values["fullscreen"], self)
        self.windows.finished.connect(self.finished)
        self.windows.failed.connect(self.failed)
        self.windows.start()
        self.stimulus, self.operator = self.windows.stimulus, self.windows.operator

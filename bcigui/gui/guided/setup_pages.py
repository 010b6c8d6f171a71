"""Steps 1-2 of the guided session: patient, signal check."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from bcigui.core import guided
from bcigui.gui.guided.base import (
    ERROR_STYLE,
    GuidedPage,
    text_label,
)


class PatientPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Patient", "Who is this session for? Next: check the signal.")
        settings = getattr(wizard.host, "settings", None)
        root = (settings.get("patient_root") if settings is not None else "") or str(guided.DEFAULT_ROOT)
        self.patient = QLineEdit()
        self.patient.setToolTip("The patient's ID as used in your records (letters and digits); no names")
        self.patient.setPlaceholderText("e.g. 01")
        self.session = QComboBox()
        self.session.setToolTip("The session number: the next one for this patient is proposed")
        self.folder = QLineEdit(root)
        self.folder.setToolTip("Where the session's recordings, decoders and report are saved")
        browse = QPushButton("Choose…")
        browse.setToolTip("Choose the data folder")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Patient ID", self.patient)
        form.addRow("Session", self.session)
        form.addRow("Data folder", row)
        self.lay.addLayout(form)
        self.where = text_label()
        self.error = text_label(style=ERROR_STYLE)
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
        self.summary = text_label()
        self.lay.addWidget(self.summary)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(140)
        self.problems.itemChanged.connect(lambda *_: self._update())
        self.problems_title = QLabel("Channels that need attention (tick to mark a channel bad):")
        self.lay.addWidget(self.problems_title)
        self.lay.addWidget(self.problems, 1)
        self.sim_button = QPushButton("No amplifier? Start the simulated patient")
        self.sim_button.setToolTip("A simulated EEG that follows the cues: to try the session without a patient")
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
        self.problems.setVisible(self.problems.count() > 0)
        self.problems_title.setVisible(self.problems.count() > 0)
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

"""Steps 4 and 6 of the guided session: training and the report."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from bcigui.core import guided
from bcigui.gui.guided.base import (
    BAD_STYLE,
    ERROR_STYLE,
    GOOD_STYLE,
    GuidedPage,
    text_label,
)


class TrainingPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Training",
                         "The decoder learns from the calibration; its accuracy is measured on trials it did not "
                         "learn from. Next: feedback.")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.message = text_label()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop training; nothing is saved")
        self.cancel_button.clicked.connect(self._cancel)
        self.verdict = text_label()
        self.override = QCheckBox("Use this decoder for feedback anyway (operator decision)")
        self.override.setToolTip("The decoder did not do better than guessing: its feedback would be random. Tick only if you have a reason")
        self.override.setVisible(False)
        self.override.toggled.connect(lambda *_: self.completeChanged.emit())
        self.use_earlier = QCheckBox("Start from earlier sessions")
        self.use_earlier.setToolTip("Also train a decoder that learns from this patient's earlier calibrations "
                                    "as well; it is kept only if it does better on this session's trials")
        self.use_earlier.setChecked(True)
        self.use_earlier.setVisible(False)
        self.retrain = QPushButton("Train again")
        self.retrain.setToolTip("Train again (for example after marking channels bad or adding a calibration run)")
        self.retrain.clicked.connect(self.start)
        self.details = QGroupBox("Advanced: decoders tried")
        self.details.setCheckable(True)
        self.details.setToolTip("Every decoder tried, with its cross-validated accuracy")
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
        self.lay.addWidget(self.use_earlier)
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
        earlier = guided.earlier_runs(self.w.root, self.w.subject, self.w.session, paradigm)
        self.use_earlier.setVisible(bool(earlier))
        self.use_earlier.setText(f"Start from earlier sessions ({len(earlier)} calibration run(s) found)")
        prior = earlier if earlier and self.use_earlier.isChecked() else []
        self.w.state["training"] = None
        self.verdict.setText("")
        self.override.setVisible(False)
        self.override.setChecked(False)
        self.retrain.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.message.setText(f"Training on {len(runs)} calibration recording(s)…")
        self.task = run_in_thread(guided.train_guided, runs, paradigm, self.w.state.get("classes", []), self.w.root,
                                  self.w.subject, self.w.session, prior=prior, progress=True, on_done=self._done,
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
class ReportPage(GuidedPage):
    def __init__(self, wizard: Any) -> None:
        super().__init__(wizard, "Report", "One document with the whole session, for the patient's file.")
        self.status = text_label()
        self.lay.addWidget(self.status)
        self.make_button = QPushButton("Create the report again")
        self.make_button.setToolTip("Rebuild the HTML and PDF report with every run so far")
        self.make_button.clicked.connect(self.start)
        self.open_button = QPushButton("Open the report")
        self.open_button.setToolTip("Open the report in the web browser")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.paths[0]))))
        self.folder_button = QPushButton("Open the session folder")
        self.folder_button.setToolTip("Show the session's files (recordings, decoders, report)")
        self.folder_button.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.w.session_dir))))
        row = QHBoxLayout()
        for b in (self.make_button, self.open_button, self.folder_button):
            row.addWidget(b)
        self.lay.addLayout(row)
        self.summary = text_label()  # the report's first section, so the outcome is seen without opening it
        self.lay.addWidget(self.summary)
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
        self.summary.clear()
        self.task = run_in_thread(write_reports, self.w.session_dir, on_done=self._done, on_error=self._failed)

    def _done(self, written: tuple[list[Path], list[str]]) -> None:
        self.task = None
        self.paths, summary = written
        self.make_button.setEnabled(True)
        self.open_button.setEnabled(True)
        self.status.setText("Report saved:<br>" + "<br>".join(f"<b>{p}</b>" for p in self.paths))
        items = "".join(f"<li>{html.escape(line)}</li>" for line in summary)
        self.summary.setText(f"<p><b>In short</b></p><ul>{items}</ul>" if items else "")
        self.completeChanged.emit()

    def _failed(self, err: BaseException, _tb: str) -> None:
        self.task = None
        self.make_button.setEnabled(True)
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(f"The report could not be created: {err}")


def write_reports(session_dir: Path) -> tuple[list[Path], list[str]]:
    """HTML and PDF reports of the session, named after it, in its folder; and the report's summary."""
    from bcigui.core.report import build_report, write_report

    base = session_dir / f"{session_dir.parent.name}_{session_dir.name}_report"
    report = build_report(session_dir)  # one build, two documents
    paths = [write_report(session_dir, base.with_suffix(suffix), report=report) for suffix in (".html", ".pdf")]
    return paths, list(report.summary)

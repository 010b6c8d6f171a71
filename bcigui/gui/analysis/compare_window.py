"""Compare across subjects: the GUI face of ``bcigui benchmark`` (core: :func:`bcigui.core.batch.runner.compare`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
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
)

from bcigui.core.plugins import get_registry


def _folder_row(edit: QLineEdit, title: str, parent: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    browse = QPushButton("Choose…")
    browse.setToolTip(f"Choose the {title.lower()}")
    browse.clicked.connect(lambda: edit.setText(QFileDialog.getExistingDirectory(parent, title, edit.text())
                                                or edit.text()))
    row.addWidget(browse)
    return row


class CompareWindow(QWidget):
    """Cross-validate several pipelines on every subject of a data set; table and plot of the results."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("bcigui — compare pipelines across subjects")
        reg = get_registry()
        self.dataset = QComboBox()
        self.dataset.setToolTip("A declared data set: which files, events and window each subject has")
        for spec in reg.list("dataset"):
            self.dataset.addItem(f"{spec.name} — {spec.description}", spec.name)
        self.root = QLineEdit()
        self.root.setToolTip("The folder holding the data set (for PhysioNet: the one holding MNE-eegbci-data)")
        self.root.setPlaceholderText("folder holding the data set")
        self.pipelines = QListWidget()
        for spec in reg.list("decoder"):
            item = QListWidgetItem(f"{spec.name} — {spec.description}")
            item.setData(Qt.ItemDataRole.UserRole, spec.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if spec.name in ("csp_lda", "ts_lr") else Qt.CheckState.Unchecked)
            self.pipelines.addItem(item)
        self.subjects = QLineEdit()
        self.subjects.setToolTip("Subject numbers and ranges, e.g. 1-10,42; empty: every subject found")
        self.subjects.setPlaceholderText("e.g. 1-10,42 (empty: every subject found)")
        self.folds = QSpinBox(minimum=2, maximum=20, value=5)
        self.folds.setToolTip("k of the stratified k-fold cross-validation of each subject")
        self.workers = QSpinBox(minimum=1, maximum=256, value=max(1, os.cpu_count() or 1))
        self.workers.setToolTip("Processes of the local dask cluster (one task per subject and pipeline)")
        self.results = QLineEdit(str(Path.home() / "bcigui-data" / "comparisons" / "latest"))
        self.results.setToolTip("Where results.csv, summary.md and summary.png go; a new start resumes what is there")
        form = QFormLayout()
        form.addRow("Data set", self.dataset)
        form.addRow("Data set folder", _folder_row(self.root, "Data set folder", self))
        form.addRow("Pipelines", self.pipelines)
        form.addRow("Subjects", self.subjects)
        form.addRow("Cross-validation folds", self.folds)
        form.addRow("Parallel workers", self.workers)
        form.addRow("Results folder", _folder_row(self.results, "Results folder", self))
        self.run_button = QPushButton("Compare")
        self.run_button.setToolTip("Cross-validate every checked pipeline on every subject (in the background)")
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; finished rows are kept and a new start resumes")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.status = QLabel("Choose a data set and pipelines. Finished results are kept: a run started again "
                             "resumes.")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["pipeline", "subjects", "score (mean ± SD)", "accuracy (mean ± SD)",
                                              "chance accuracy"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.plot = QLabel()
        self.plot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.status)
        left.addWidget(self.table, 1)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 1)
        lay.addWidget(self.plot, 1)
        self.task = None
        self.resize(1200, 700)

    def selected_pipelines(self) -> list[str]:
        return [self.pipelines.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.pipelines.count())
                if self.pipelines.item(i).checkState() == Qt.CheckState.Checked]

    def start(self) -> None:
        from bcigui.core.batch.runner import compare
        from bcigui.gui.workers import run_in_thread

        name, root = self.dataset.currentData(), self.root.text().strip()
        pipelines = self.selected_pipelines()
        if not name or not pipelines:
            self.status.setText("Choose a data set and at least one pipeline.")
            return
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText("Starting the workers…")
        workers = self.workers.value()
        self.task = run_in_thread(compare, f"{name}:{root}" if root else name, pipelines, self.results.text().strip(),
                                  self.subjects.text(), self.folds.value(), "serial" if workers == 1 else "local",
                                  None if workers == 1 else workers, progress=True, on_done=self._done,
                                  on_error=self._failed, on_progress=self._progress,
                                  on_cancelled=lambda: self._finished("Cancelled; finished rows are kept."))

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Cancelling after the task in progress…")

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(100 * fraction))
        self.status.setText(message)

    def _finished(self, text: str) -> None:
        self.task = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(text)

    def _failed(self, err: BaseException, _tb: str) -> None:
        from bcigui.core.cancel import Cancelled

        self._finished("Cancelled; finished rows are kept." if isinstance(err, Cancelled) else f"Failed: {err}")

    def _done(self, result: tuple[Any, dict[str, Any]]) -> None:
        report, summary = result
        self.progress.setValue(100)
        failed = f", {len(report.failures)} failed (see errors.jsonl)" if report.failures else ""
        self._finished(f"{report.completed} task(s) run, {report.skipped} already done{failed}, in "
                       f"{report.seconds:.0f} s. Results in {report.results_dir}.")
        self.show_summary(summary, Path(report.results_dir or self.results.text()))

    def show_summary(self, summary: dict[str, Any], folder: Path) -> None:
        rows = [r for ds in summary.values() for r in ds["pipelines"]]
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = (r["pipeline"], str(r["n"]), f"{r['score_mean']:.3f} ± {r['score_sd']:.3f} ({r['scoring']})",
                     f"{100 * r['accuracy_mean']:.1f} ± {100 * r['accuracy_sd']:.1f} %",
                     f"{100 * r['chance_level_mean']:.0f} %")
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        png = folder / "summary.png"
        if png.is_file():
            self.plot.setPixmap(QPixmap(str(png)).scaledToWidth(560, Qt.TransformationMode.SmoothTransformation))

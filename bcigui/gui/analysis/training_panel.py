"""Step 3 - Train: pipeline choice, cross-validation off the GUI thread, comparison table, confusion
matrix, "find best combination" and model export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.analysis import pipelines
from bcigui.core.checks import invalid_option
from bcigui.gui.analysis._task_panel import TaskPanel
from bcigui.gui.param_form import ParamForm
from bcigui.gui.plots import EmptyState, plain_axes
from bcigui.gui.workers import run_in_thread

COLUMNS = ["#", "Pipeline", "Accuracy", "Chance (95 % level)", "p-value", "Trials", "Validation", "Settings"]
ACCURACY = COLUMNS.index("Accuracy")  # results first: no sideways scrolling to see them


class ConfusionMatrixView(QWidget):
    """Heatmap of a confusion matrix (rows: true class, columns: predicted), counts and row %."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        plain_axes(self.plot)
        self.plot.setBackground("w")
        self.item = self.plot.getPlotItem()
        self.item.getViewBox().invertY(True)
        self.item.setMenuEnabled(False)
        self.item.hideButtons()
        self.item.getViewBox().setMouseEnabled(x=False, y=False)
        self.item.setLabel("left", "True class")
        self.item.setLabel("bottom", "Predicted class")
        self.item.setTitle("Confusion matrix")
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.ColorMap([0, 1], [(255, 255, 255), (8, 81, 156)]))
        self.item.addItem(self.image)
        self.texts: list[pg.TextItem] = []
        self.matrix: np.ndarray | None = None
        self.empty = EmptyState(self.item, "Evaluate a pipeline: its confusion matrix shows which classes it "
                                "mixes up.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_matrix(self, matrix: np.ndarray, classes: list[str], title: str) -> None:
        self.empty.hide()
        self.matrix = np.asarray(matrix)
        n = len(classes)
        rows = self.matrix.sum(axis=1, keepdims=True)
        frac = np.divide(self.matrix, rows, out=np.zeros(self.matrix.shape), where=rows > 0)
        self.image.setImage(frac.T, levels=(0, 1))
        self.image.setRect(QRectF(0, 0, n, n))
        for t in self.texts:
            self.item.removeItem(t)
        self.texts = []
        for i in range(n):
            for j in range(n):
                color = (255, 255, 255) if frac[i, j] > 0.55 else (0, 0, 0)
                for text, dy, size in ((str(self.matrix[i, j]), 0.42, 14), (f"{100 * frac[i, j]:.0f} %", 0.62, 11)):
                    t = pg.TextItem(text, color=color, anchor=(0.5, 0.5))
                    font = QFont()
                    font.setPointSize(size)
                    font.setBold(size > 12)
                    t.setFont(font)
                    t.setPos(j + 0.5, i + dy)
                    self.item.addItem(t)
                    self.texts.append(t)
        ticks = [[(i + 0.5, c) for i, c in enumerate(classes)], []]
        self.item.getAxis("left").setTicks(ticks)
        self.item.getAxis("bottom").setTicks(ticks)
        self.item.setTitle(title)
        self.item.setRange(xRange=(0, n), yRange=(0, n), padding=0.02)


class TrainingPanel(QWidget, TaskPanel):
    """Evaluate pipelines on the epochs of step 1; every run is kept as an attempt.

    Signals: ``attempt_added(Evaluation)``, ``exported(str)`` (path of the written model).
    """

    attempt_added = Signal(object)
    exported = Signal(str)
    failed = Signal(str)
    _result_ready = Signal(object)  # emitted from the worker, delivered in the GUI thread
    cancelling_text = "Cancelling after the current fold…"
    cancelled_text = "Cancelled; the attempts already finished are kept."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result_ready.connect(self._record)
        self._epochs = None
        self.task = None
        self.attempts: list[pipelines.Evaluation] = []
        self.workspace = None  # optional core Workspace (attempts are recorded there too)
        self.dataset_id: str | None = None
        self.event_map: dict[str, str] = {}  # how the epochs were made, for the exported model's manifest
        self.sources: list[str] = []
        self._selection_text = ""
        self._selection: list[str] = []
        self._selection_values: dict = {}  # happyfeat settings matching the extraction (feature family...)
        self.param_set_id: str | None = None  # workspace parameter set the selection was made with
        self._choices: dict[str, pipelines.PipelineChoice] = {}

        self.paradigm = QComboBox()
        self.paradigm.setToolTip("Motor imagery or SSVEP: which pipelines are offered")
        for key, title in pipelines.PARADIGMS.items():
            self.paradigm.addItem(title, key)
        self.combo = QComboBox()
        self.combo.setToolTip("The decoder pipeline to cross-validate (its settings are below)")
        self.combo.currentIndexChanged.connect(self._rebuild_form)
        self.paradigm.currentIndexChanged.connect(self._fill_pipelines)
        self.form_box = QGroupBox("Pipeline settings")
        self.form_layout = QVBoxLayout(self.form_box)
        self.form: ParamForm | None = None
        self.cv = QComboBox()
        self.cv.setToolTip("How trials are split into training and test folds: shuffled k-fold, or one run left out at a time")
        for key, title in pipelines.CV_SCHEMES.items():
            self.cv.addItem(title, key)
        self.k = QSpinBox()
        self.k.setRange(2, 100)
        self.k.setValue(5)
        self.k.setToolTip("Number of folds for k-fold cross-validation")
        self.cv.currentIndexChanged.connect(lambda: self.k.setEnabled(self.cv.currentData() == "kfold"))
        self.evaluate_button = QPushButton("Evaluate")
        self.evaluate_button.setToolTip("Cross-validate this pipeline on the trials of step 1 (in the background)")
        self.evaluate_button.setDefault(True)
        self.best_button = QPushButton("Find best combination")
        self.best_button.setToolTip("Cross-validate several pipelines and classifiers and keep each as an attempt")
        self.best_mode = QComboBox()
        self.best_mode.setToolTip("What Find best combination varies: pipelines and classifiers, or only classifiers")
        self.best_mode.addItem("of pipelines and classifiers", "pipelines")
        self.best_mode.addItem("of the features selected in step 2", "features")
        self.best_mode.setToolTip(
            "Pipelines: every pipeline with LDA, linear SVM and logistic regression.\n"
            "Features: the first 1, 2, 3… features of the step-2 selection (in its order) with the "
            "classifier chosen above; optimistic if that selection was made by looking at all trials.")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the evaluation; finished attempts are kept")
        self.evaluate_button.clicked.connect(self.evaluate)
        self.best_button.clicked.connect(self.find_best)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.status = QLabel("Create epochs in step 1 first.")
        self.status.setWordWrap(True)
        note = QLabel("Scores are cross-validated: every fold fits the whole pipeline, including any "
                      "automatic feature selection, on its training trials only.")
        note.setWordWrap(True)
        note.setObjectName("hint")

        top = QFormLayout()
        top.addRow("Paradigm", self.paradigm)
        top.addRow("Pipeline", self.combo)
        cv_row = QHBoxLayout()
        cv_row.addWidget(self.cv, 1)
        cv_row.addWidget(QLabel("folds"))
        cv_row.addWidget(self.k)
        top.addRow("Validation", cv_row)
        top.addRow("Find best", self.best_mode)
        buttons = QHBoxLayout()
        buttons.addWidget(self.evaluate_button)
        buttons.addWidget(self.best_button)
        buttons.addWidget(self.cancel_button)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addLayout(top)
        ll.addWidget(self.form_box)
        ll.addLayout(buttons)
        ll.addWidget(self.progress)
        ll.addWidget(self.status)
        ll.addWidget(note)
        ll.addStretch(1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COLUMNS.index("Settings"), QHeaderView.ResizeMode.Stretch)  # elided; tooltip
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._show_selected)
        self.confusion = ConfusionMatrixView()
        self.export_button = QPushButton("Export model…")
        self.export_button.setToolTip("Fit the selected attempt on all trials and save it as a .bcimodel file")
        self.export_button.setToolTip("Fit the selected attempt's pipeline on all trials and save a .bcimodel file")
        self.export_button.clicked.connect(self._browse_export)
        table_box = QGroupBox("Attempts (select a row to see its confusion matrix)")
        tl = QVBoxLayout(table_box)
        tl.addWidget(self.table)
        ex_row = QHBoxLayout()
        ex_row.addStretch(1)
        ex_row.addWidget(self.export_button)
        tl.addLayout(ex_row)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(table_box)
        right.addWidget(self.confusion)
        right.setSizes([300, 300])

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self._fill_pipelines()
        self._update_enabled()

    def _fill_pipelines(self) -> None:
        self._choices = {c.name: c for c in pipelines.pipelines(self.paradigm.currentData())}
        self.combo.blockSignals(True)
        self.combo.clear()
        for c in self._choices.values():
            self.combo.addItem(c.title, c.name)
            self.combo.setItemData(self.combo.count() - 1, c.title, Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        self._rebuild_form()

    # -- inputs -------------------------------------------------------------------------------
    def set_epochs(self, epochs) -> None:
        self._epochs = epochs
        if epochs is not None:
            counts = ", ".join(f"{c}: {n}" for c, n in epochs.counts().items())
            self.status.setText(f"{len(epochs)} trials ({counts}). Choose a pipeline and press 'Evaluate'.")
        self._update_enabled()

    def set_selection(self, features: list[str], values: dict | None = None,
                      param_set_id: str | None = None) -> None:
        """Features picked on the r² map (core names such as ``"C3;12.0"`` or ``"psd:C3;12.0"``), for
        'Selected features'; ``values`` are the ``happyfeat`` settings they were extracted with
        (``feature``, ``method``, ``connectivity_method``, ``fmin``, ``fmax``)."""
        self._selection = list(features)
        self._selection_text = ", ".join(features)
        self.param_set_id = param_set_id
        choice = self._choices.get(pipelines.SELECTED)
        params = {p.name: p for p in choice.params} if choice is not None else {}
        self._selection_values = {}
        for k, v in (values or {}).items():
            try:  # settings the pipeline does not accept (e.g. a band below its minimum) keep its own
                if k in params:
                    self._selection_values[k] = params[k].validate(v)
            except ValueError:
                pass
        if self.pipeline_name() == pipelines.SELECTED and self.form is not None:
            self.form.set_values({**self._selection_values, "selection": self._selection_text})

    def pipeline_name(self) -> str:
        return self.combo.currentData()

    def set_pipeline(self, name: str, values: dict | None = None) -> None:
        idx = self.combo.findData(name)
        if idx < 0:
            raise invalid_option("pipeline", name, list(self._choices))
        self.combo.setCurrentIndex(idx)
        if values:
            self.form.set_values(values)

    def _rebuild_form(self) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        if self.pipeline_name() is None:
            return
        choice = self._choices[self.pipeline_name()]
        values = ({**self._selection_values, "selection": self._selection_text}
                  if choice.name == pipelines.SELECTED else None)
        self.form = ParamForm(choice.params, values)
        self.form_layout.addWidget(self.form)

    def _update_enabled(self) -> None:
        running = self.task is not None
        ready = self._epochs is not None and not running
        self.evaluate_button.setEnabled(ready)
        self.best_button.setEnabled(ready)
        self.cancel_button.setEnabled(running)
        self.combo.setEnabled(not running)
        self.paradigm.setEnabled(not running)
        self.export_button.setEnabled(bool(self.attempts) and self._epochs is not None and not running)

    # -- running ------------------------------------------------------------------------------
    def evaluate(self) -> None:
        """Cross-validate the chosen pipeline in a worker thread; the result becomes an attempt."""
        if self._epochs is None or self.task is not None:
            return
        if self.form is None:
            self._failed(ValueError(f"No pipeline is available for {self.paradigm.currentText()}."))
            return
        try:
            values = self.form.values()
        except ValueError as err:
            self._failed(err)
            return
        choice = self._choices[self.pipeline_name()]
        self._run(pipelines.evaluate, self._epochs, choice, values, self.cv.currentData(), self.k.value(),
                  status="Running…", on_done=self._add_attempt)

    def find_best(self) -> None:
        """Evaluate every pipeline x classifier combination; each one is added as it finishes."""
        if self._epochs is None or self.task is not None:
            return
        if self.best_mode.currentData() == "features":
            choice = self._choices.get(pipelines.SELECTED)
            if choice is None:
                self._failed(ValueError("Feature combinations are searched for motor imagery (spectral "
                                        "power features); choose the Motor imagery paradigm."))
                return
            if not self._selection:
                self._failed(ValueError("Select features on the r² map in step 2 first (click, drag or "
                                        "'Auto-select top'), then search their best combination."))
                return
            clf = self.form.values().get("classifier", "lda") if self.form and self.form.is_valid() else "lda"
            base = {p.name: p.default for p in choice.params} | self._selection_values | {"classifier": clf}
            grid = [(choice, base | {"selection": ", ".join(self._selection[:i])})
                    for i in range(1, len(self._selection) + 1)]
        else:
            grid = pipelines.combinations(list(self._choices.values()))
        self._run(pipelines.find_best, self._epochs, grid, self.cv.currentData(), self.k.value(),
                  status="Running…", on_result=self._result_ready.emit, on_done=self._best_done)

    def _add_attempt(self, ev: pipelines.Evaluation) -> None:
        self.task = None
        self.progress.setValue(100)
        self._record(ev)
        verdict = "above chance" if ev.p_value < 0.05 else "NOT significantly above chance"
        self.status.setText(f"{self._choices[ev.pipeline].title}: {100 * ev.mean:.1f} % ± {100 * ev.std:.1f} "
                            f"({verdict}, p = {ev.p_value:.3g}).")
        self._update_enabled()

    def _best_done(self, results: list[pipelines.Evaluation]) -> None:
        self.task = None
        self.progress.setValue(100)
        best = results[0]
        self.status.setText(f"Best: {best.label()} with {100 * best.mean:.1f} % ± {100 * best.std:.1f}.")
        self.table.selectRow(self.attempts.index(best))
        self._update_enabled()

    def _record(self, ev: pipelines.Evaluation) -> None:
        self.attempts.append(ev)
        if self.workspace is not None and self.dataset_id is not None:
            try:
                sid = None
                text = str(ev.params.get("selection") or "") if ev.pipeline == pipelines.SELECTED else ""
                features = [f.strip() for f in text.split(",") if f.strip()]
                if features:  # the trained selection is kept in the workspace
                    family = ev.params.get("feature", "psd")
                    sid = self.workspace.add_selection(f"{len(features)} {family} features", features,
                                                       self.dataset_id, self.param_set_id, reuse=True,
                                                       extractor=family, source="training")
                self.workspace.add_attempt(self.dataset_id, {"name": ev.pipeline, "params": ev.params},
                                           ev.to_dict(), selection_id=sid)
                self.workspace.save()
            except (OSError, ValueError, KeyError) as err:
                self.status.setText(f"⚠ Attempt kept here but not saved in the workspace: {err}")
        r = self.table.rowCount()
        self.table.insertRow(r)
        settings = ", ".join(f"{k}={v}" for k, v in ev.params.items() if v not in ("", None))
        cells = [str(r + 1), ev.pipeline, f"{100 * ev.mean:.1f} % ± {100 * ev.std:.1f}",
                 f"{100 * ev.chance:.0f} % ({100 * ev.threshold:.0f} %)", f"{ev.p_value:.3g}", str(ev.n_trials),
                 ev.cv, settings]
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(self._choices[ev.pipeline].title if c == 1 and ev.pipeline in self._choices else text)
            if c == ACCURACY and ev.mean <= ev.threshold:
                item.setToolTip("Not above the 95 % chance level")
                item.setForeground(Qt.GlobalColor.darkRed)
            self.table.setItem(r, c, item)
        self.table.selectRow(r)
        self.attempt_added.emit(ev)

    def _show_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            return
        r = min(rows)
        ev = self.attempts[r]
        self.confusion.set_matrix(ev.confusion, ev.classes,
                                  f"Confusion matrix — attempt #{r + 1}, {100 * ev.mean:.1f} % (summed over folds)")

    def selected_attempt(self) -> pipelines.Evaluation | None:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.attempts[min(rows)] if rows else (self.attempts[-1] if self.attempts else None)


    # -- export -------------------------------------------------------------------------------
    def _browse_export(self) -> None:
        from bcigui.gui import folders

        name = str(Path(folders.start_folder()) / "model.bcimodel")
        path, _ = QFileDialog.getSaveFileName(self, "Export model", name, "bcigui model (*.bcimodel)")
        if path:
            folders.remember(path)
            self.export(path)

    def export(self, path: str | Path) -> None:
        """Fit the selected attempt on all trials (in the background) and write ``path`` (``.bcimodel``).

        ``exported(path)`` is emitted when the file is written, ``failed(message)`` otherwise.
        """
        ev = self.selected_attempt()
        if ev is None or self._epochs is None or self.task is not None:
            self._failed(ValueError("Evaluate a pipeline first (and wait for it to finish), then export it."))
            return
        path = str(path) if str(path).endswith(".bcimodel") else f"{path}.bcimodel"
        self.status.setText(f"Fitting {self._choices[ev.pipeline].title} on all {len(self._epochs)} trials…")
        self.task = run_in_thread(pipelines.fit_and_export, self._epochs, self._choices[ev.pipeline], ev, path,
                                  self.event_map, self.sources, on_done=self._exported,
                                  on_error=self._failed)
        self._update_enabled()

    def _exported(self, out: str) -> None:
        self.task = None
        self.status.setText(f"Model saved to {out}. It can now be used for online decoding.")
        self._update_enabled()
        self.exported.emit(out)

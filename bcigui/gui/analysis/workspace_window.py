"""The analysis window: guided steps 1 Data -> 2 Features -> 3 Train -> 4 Export."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bcigui.gui.analysis import _core
from bcigui.gui.analysis.connectivity_plot import ConnectivityPlot
from bcigui.gui.analysis.dataset_panel import DatasetPanel
from bcigui.gui.analysis.feature_panel import FeaturePanel
from bcigui.gui.analysis.r2_map import Feature, R2MapWidget
from bcigui.gui.analysis.spectra_plot import SpectraPlot
from bcigui.gui.analysis.tfr_plot import TFRPlot
from bcigui.gui.analysis.topomap import TopomapWidget
from bcigui.gui.analysis.training_panel import TrainingPanel
from bcigui.gui.workers import run_in_thread

STEPS = ("1 · Data", "2 · Features", "3 · Train", "4 · Export")


def _hz_spin(value: float) -> QDoubleSpinBox:
    w = QDoubleSpinBox()
    w.setRange(0.5, 500)
    w.setDecimals(1)
    w.setSuffix(" Hz")
    w.setValue(value)
    return w


class FeaturesStep(QWidget):
    """Extraction settings, the r² map, spectra, topomap, ERD/ERS and connectivity views."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tensor: _core.FeatureTensor | None = None
        self.r2: np.ndarray | None = None
        self.epochs = None
        self.tfr_source = None  # callable returning (epochs incl. baseline, baseline)
        self.task = None
        self.panel = FeaturePanel()
        self.r2map = R2MapWidget()
        self.spectra = SpectraPlot()
        self.topomap = TopomapWidget()
        self.tfr = TFRPlot()
        self.connectivity = ConnectivityPlot()

        sel_box = QGroupBox("Selected features")
        self.selected = QListWidget()
        self.k = QSpinBox()
        self.k.setRange(1, 64)
        self.k.setValue(5)
        self.top_button = QPushButton("Auto-select top")
        self.top_button.setToolTip("Select the features with the largest |r²| on all trials")
        self.clear_button = QPushButton("Clear")
        self.top_button.clicked.connect(self.auto_select)
        self.clear_button.clicked.connect(lambda: self.r2map.set_selection([]))
        hint = QLabel("Click the map for one channel at one frequency, drag along a row for a band, "
                      "Ctrl adds. Auto-selection here is a convenience: evaluations repeat the "
                      "selection inside each cross-validation fold.")
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(self.top_button)
        row.addWidget(self.k)
        row.addWidget(self.clear_button)
        sl = QVBoxLayout(sel_box)
        sl.addWidget(self.selected)
        sl.addLayout(row)
        sl.addWidget(hint)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.panel)
        ll.addWidget(sel_box, 1)
        left.setMinimumWidth(260)
        left.setMaximumWidth(340)

        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.spectra)
        side.addWidget(self.topomap)
        side.setSizes([420, 320])
        maps = QSplitter(Qt.Orientation.Horizontal)
        maps.addWidget(self.r2map)
        maps.addWidget(side)
        maps.setSizes([520, 440])

        self.contrast = QComboBox()
        self.contrast.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.contrast.setMinimumContentsLength(18)
        self.contrast.setToolTip("Which classes the r² map compares (red: the first one has more power)")
        self.contrast.currentIndexChanged.connect(self._contrast_changed)
        maps_page = QWidget()
        mp = QVBoxLayout(maps_page)
        mp.setContentsMargins(0, 0, 0, 0)
        crow = QHBoxLayout()
        crow.addWidget(QLabel("Compare"))
        crow.addWidget(self.contrast)
        crow.addStretch(1)
        mp.addLayout(crow)
        mp.addWidget(maps, 1)
        self.views = QTabWidget()
        self.views.addTab(maps_page, "r² map, spectra, topomap")
        self.views.addTab(self._tfr_page(), "ERD/ERS (time-frequency)")
        self.views.addTab(self._conn_page(), "Connectivity")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.views)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        self.panel.extracted.connect(self.show_tensor)
        self.r2map.channel_clicked.connect(self.show_channel)
        self.r2map.selection_changed.connect(self._selection_changed)

    def _tfr_page(self) -> QWidget:
        page = QWidget()
        self.tfr_channel = QComboBox()
        self.tfr_fmax = _hz_spin(40.0)
        self.tfr_button = QPushButton("Compute ERD/ERS")
        self.tfr_button.clicked.connect(self.compute_tfr)
        self.tfr_status = QLabel("Baseline and window come from step 1.")
        bar = QHBoxLayout()
        for w in (QLabel("Channel"), self.tfr_channel, QLabel("up to"), self.tfr_fmax, self.tfr_button):
            bar.addWidget(w)
        bar.addWidget(self.tfr_status, 1)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.tfr, 1)
        return page

    def _conn_page(self) -> QWidget:
        page = QWidget()
        self.conn_method = QComboBox()
        for m in ("imcoh", "coh", "plv", "wpli", "instantaneous", "lagged"):
            self.conn_method.addItem(m)
        self.conn_fmin, self.conn_fmax = _hz_spin(8.0), _hz_spin(13.0)
        self.conn_button = QPushButton("Compute connectivity")
        self.conn_button.clicked.connect(self.compute_connectivity)
        self.conn_status = QLabel("")
        bar = QHBoxLayout()
        for w in (QLabel("Measure"), self.conn_method, QLabel("Band"), self.conn_fmin, QLabel("to"),
                  self.conn_fmax, self.conn_button):
            bar.addWidget(w)
        bar.addWidget(self.conn_status, 1)
        lay = QVBoxLayout(page)
        lay.addLayout(bar)
        lay.addWidget(self.connectivity, 1)
        return page

    # -- data flow ----------------------------------------------------------------------------
    def set_epochs(self, epochs) -> None:
        self.epochs = epochs
        self.panel.set_epochs(epochs)
        current = self.tfr_channel.currentText()
        self.tfr_channel.clear()
        self.tfr_channel.addItems(list(epochs.ch_names))
        pick = current if current in epochs.ch_names else ("C3" if "C3" in epochs.ch_names else epochs.ch_names[0])
        self.tfr_channel.setCurrentText(pick)

    def show_tensor(self, tensor: _core.FeatureTensor) -> None:
        """New features: r² map, spectra of the best (or C3) channel, topomap at the best frequency."""
        self.tensor = tensor
        if len(tensor.classes) < 2:
            self.panel.status.setText("⚠ The r² map needs two classes; name at least two in step 1.")
            return
        self.contrast.blockSignals(True)
        self.contrast.clear()
        for a, b in _core.contrasts(tensor.classes):
            self.contrast.addItem(f"{a} vs {b}", (a, b))
        self.contrast.blockSignals(False)
        self._contrast_changed()

    def _contrast_changed(self) -> None:
        tensor = self.tensor
        if tensor is None or self.contrast.currentData() is None:
            return
        a, b = self.contrast.currentData()
        self.r2 = _core.contrast_r2(tensor.values, tensor.y, a, b)
        self.r2map.set_map(self.r2, tensor.rows, tensor.freqs, f"Signed r², {a} vs {b} (red: {a} higher)")
        row, col = np.unravel_index(int(np.argmax(np.abs(self.r2))), self.r2.shape)
        self.show_channel(self.spectra.channel if self.spectra.channel in tensor.rows
                          else "C3" if "C3" in tensor.rows else tensor.rows[row])
        self.show_topomap(float(tensor.freqs[col]))

    def show_channel(self, channel: str) -> None:
        if self.tensor is None or channel not in self.tensor.rows:
            return
        row = self.tensor.rows.index(channel)
        counts = {c: int(np.sum(self.tensor.y == c)) for c in self.tensor.classes}
        self.spectra.set_data(channel, self.tensor.freqs, _core.class_spectra(self.tensor, row), self.r2[row],
                              unit="dB µV²/Hz" if self.tensor.log_power else "",
                              contrast=self._contrast_text(), counts=counts)
        if channel in [self.tfr_channel.itemText(i) for i in range(self.tfr_channel.count())]:
            self.tfr_channel.setCurrentText(channel)

    def _contrast_text(self) -> str:
        a, b = self.contrast.currentData() or (None, None)
        return f"red: {a} higher" if a else ""

    def show_topomap(self, fmin: float, fmax: float | None = None) -> None:
        if self.r2 is None:
            return
        vals = _core.band_values(self.r2, self.tensor.freqs, fmin, fmax)
        where = f"{fmin:g} Hz" if fmax in (None, fmin) else f"{fmin:g}-{fmax:g} Hz (mean)"
        chosen = [f.channel for f in self.r2map.selection()]
        a, b = self.contrast.currentData() or ("", "")
        self.topomap.set_values(self.tensor.rows, vals, f"Signed r² {a} vs {b} at {where}", highlight=chosen)

    def _selection_changed(self, features: list[Feature]) -> None:
        self.selected.clear()
        self.selected.addItems([f.label for f in features])
        if features:
            last = features[-1]
            self.show_topomap(last.fmin, last.fmax)

    def auto_select(self) -> None:
        if self.r2 is None:
            self.panel.status.setText("Extract features first, then auto-select.")
            return
        self.r2map.select_top(_core.top_k(self.r2, self.k.value()))

    # -- secondary views ----------------------------------------------------------------------
    def compute_tfr(self) -> None:
        if self.tfr_source is None or self.tfr_source()[0] is None:
            self.tfr_status.setText("Create epochs in step 1 first.")
            return
        epochs, baseline = self.tfr_source()
        self.tfr_button.setEnabled(False)
        self.tfr_status.setText("Computing…")
        self.task = run_in_thread(_core.erd_ers, epochs, self.tfr_channel.currentText(), baseline,
                                  fmax=min(self.tfr_fmax.value(), epochs.sfreq / 2 - 1), progress=True,
                                  on_done=self._tfr_done, on_error=self._tfr_failed)

    def _tfr_done(self, res: _core.TFRResult) -> None:
        self.tfr_button.setEnabled(True)
        self.tfr_status.setText("")
        self.tfr.set_result(res)

    def _tfr_failed(self, err: BaseException, _tb: str = "") -> None:
        self.tfr_button.setEnabled(True)
        self.tfr_status.setText(f"⚠ {err}")

    def compute_connectivity(self) -> None:
        if self.epochs is None:
            self.conn_status.setText("Create epochs in step 1 first.")
            return
        lo, hi = self.conn_fmin.value(), self.conn_fmax.value()
        if hi <= lo:
            self.conn_status.setText(f"⚠ The band end ({hi:g} Hz) must be above its start ({lo:g} Hz).")
            return
        self.conn_button.setEnabled(False)
        self.conn_status.setText("Computing… (a few seconds for 64 channels)")
        method = self.conn_method.currentText()
        self.task = run_in_thread(_core.connectivity_by_class, self.epochs, lo, hi, method, progress=True,
                                  on_done=lambda m: self._conn_done(m, method, lo, hi), on_error=self._conn_failed)

    def _conn_done(self, mats: dict, method: str, lo: float, hi: float) -> None:
        self.conn_button.setEnabled(True)
        self.conn_status.setText("")
        self.connectivity.set_matrices(list(self.epochs.ch_names), mats,
                                       f"Mean {method} connectivity, {lo:g}-{hi:g} Hz, per class")

    def _conn_failed(self, err: BaseException, _tb: str = "") -> None:
        self.conn_button.setEnabled(True)
        self.conn_status.setText(f"⚠ {err}")


class ExportStep(QWidget):
    """Step 4: what will be exported, and the button."""

    def __init__(self, training: TrainingPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.training = training
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.button = QPushButton("Export model…")
        self.button.clicked.connect(training._browse_export)
        self.result = QLabel()
        self.result.setWordWrap(True)
        training.exported.connect(lambda p: self.result.setText(f"Saved: {p}"))
        training.failed.connect(lambda m: self.result.setText(f"⚠ {m}"))
        training.attempt_added.connect(lambda _ev: self.refresh())
        training.table.itemSelectionChanged.connect(self.refresh)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        ev = self.training.selected_attempt()
        if ev is None:
            self.summary.setText("No model yet: evaluate at least one pipeline in step 3.")
            self.button.setEnabled(False)
            return
        self.button.setEnabled(True)
        self.summary.setText(
            f"<b>Attempt selected in step 3:</b> {ev.label()}<br>"
            f"Cross-validated accuracy {100 * ev.mean:.1f} % ± {100 * ev.std:.1f} ({ev.cv}); chance "
            f"{100 * ev.chance:.0f} %, p = {ev.p_value:.3g}.<br>"
            "Exporting fits this pipeline on <i>all</i> trials and saves it, with the channel list, sampling "
            "rate, filter and epoch window, as a <b>.bcimodel</b> file for online decoding.")


def default_workspace_dir() -> Path:
    """``$BCIGUI_WORKSPACE`` or ``$XDG_DATA_HOME/bcigui/workspaces/default``."""
    env = os.environ.get("BCIGUI_WORKSPACE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "bcigui" / "workspaces" / "default"


class AnalysisWindow(QMainWindow):
    """Offline analysis: load data, look at what separates the classes, pick features, train, export.

    Data sets and training attempts are recorded in a core :class:`~bcigui.core.workspace.Workspace`
    (``workspace_dir``, default :func:`default_workspace_dir`; "Workspace > Open folder…" changes it).
    """

    def __init__(self, parent: QWidget | None = None, workspace_dir: str | Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("bcigui — Analysis")
        self.resize(1400, 860)
        self.dataset = DatasetPanel()
        self.features = FeaturesStep()
        self.training = TrainingPanel()
        self.export = ExportStep(self.training)
        self.steps = QTabWidget()
        self.steps.setDocumentMode(True)
        for w, title in zip((self.dataset, self.features, self.training, self.export), STEPS, strict=True):
            self.steps.addTab(w, title)
        self.setCentralWidget(self.steps)
        self.statusBar().showMessage("Step 1: add recordings and name the classes.")
        self.features.tfr_source = lambda: (self.dataset.tfr_epochs(), self.dataset.baseline())
        self.dataset.epochs_ready.connect(self._epochs_ready)
        self.features.panel.extracted.connect(
            lambda _t: self.statusBar().showMessage("Step 2: click the r² map to pick features, then go to step 3."))
        self.features.r2map.selection_changed.connect(
            lambda feats: self.training.set_selection([f.core_name for f in feats]))
        self.training.attempt_added.connect(
            lambda _e: self.statusBar().showMessage("Step 3: compare attempts; export the best one in step 4."))
        self.workspace = None
        menu = self.menuBar().addMenu("&Workspace")
        menu.addAction("Open folder…", self._choose_workspace)
        self.open_workspace(workspace_dir or default_workspace_dir())

    def open_workspace(self, folder: str | Path) -> None:
        """Record data sets and attempts in the workspace at ``folder`` (created if missing)."""
        from bcigui.core.workspace import Workspace

        try:
            self.workspace = Workspace(folder)
        except (OSError, ValueError) as err:
            self.statusBar().showMessage(f"⚠ Cannot open workspace {folder}: {err}")
            return
        self.training.workspace = self.workspace
        self.setWindowTitle(f"bcigui — Analysis — {self.workspace.path}")
        if self.dataset.epochs() is not None:
            self._register_dataset()

    def _choose_workspace(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Workspace folder")
        if folder:
            self.open_workspace(folder)

    def _register_dataset(self) -> None:
        if self.workspace is None:
            return
        d = self.dataset
        ep = d.epochs()
        key = (tuple(d.paths()), tuple(d.event_map().items()), ep.tmin, ep.tmax, ep.filter, id(self.workspace))
        if key == getattr(self, "_registered", None):
            return  # same definition (e.g. only the excluded epochs changed)
        self._registered = key
        try:
            did = self.workspace.add_dataset(
                ", ".join(Path(p).stem for p in d.paths()), d.paths(), d.event_map(), ep.tmin, ep.tmax, ep.filter)
            self.workspace.save()
        except (OSError, ValueError) as err:
            self.statusBar().showMessage(f"⚠ Workspace not updated: {err}")
            return
        self.training.dataset_id = did

    def _epochs_ready(self, epochs) -> None:
        self._register_dataset()
        self.features.set_epochs(epochs)
        self.training.set_epochs(epochs)
        self.statusBar().showMessage("Step 2: extract features to see what separates the classes.")

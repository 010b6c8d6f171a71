"""Step 2 of the analysis window: features, r² map, class spectra, topomap, ERD/ERS, connectivity."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.analysis import extractors, maps
from bcigui.core.catalog import CONNECTIVITY_METHODS
from bcigui.core.features.cache import FeatureTensor
from bcigui.gui.analysis.connectivity_plot import ConnectivityPlot
from bcigui.gui.analysis.feature_panel import FeaturePanel
from bcigui.gui.analysis.r2_map import Feature, R2MapWidget
from bcigui.gui.analysis.spectra_plot import SpectraPlot
from bcigui.gui.analysis.tfr_plot import TFRPlot
from bcigui.gui.analysis.topomap import TopomapWidget
from bcigui.gui.workers import run_in_thread


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
        self.tensor: FeatureTensor | None = None
        self.r2: np.ndarray | None = None
        self.epochs = None
        self.tfr_source = None  # callable returning (epochs incl. baseline, baseline)
        self.task = None
        self.workspace = None  # core Workspace: saved selections live there
        self.dataset_id: str | None = None
        self._syncing = False
        self.panel = FeaturePanel()
        self.r2map = R2MapWidget()
        self.spectra = SpectraPlot()
        self.topomap = TopomapWidget()
        self.tfr = TFRPlot()
        self.connectivity = ConnectivityPlot()

        sel_box = QGroupBox("Selected features")
        self.selected = QListWidget()
        self.k = QSpinBox()
        self.k.setToolTip("How many features Auto-select top picks (largest |r²|)")
        self.k.setRange(1, 64)
        self.k.setValue(5)
        self.top_button = QPushButton("Auto-select top")
        self.top_button.setToolTip("Select the features with the largest |r²| on all trials")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Unselect every feature")
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
        self.saved = QComboBox()
        self.saved.setToolTip("Feature selections saved in this workspace: choose one to show it again")
        self.saved.setToolTip("Selections saved in the workspace (also when a selection is trained); "
                              "choose one to show it on the map")
        self.saved.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.saved.setMinimumContentsLength(12)
        self.saved.activated.connect(lambda i: self.load_selection(self.saved.itemData(i)))
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Save the current selection in the workspace")
        self.save_button.clicked.connect(self.save_selection)
        saved_row = QHBoxLayout()
        saved_row.addWidget(QLabel("Saved"))
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(self.save_button)
        sl = QVBoxLayout(sel_box)
        sl.addWidget(self.selected)
        sl.addLayout(row)
        sl.addLayout(saved_row)
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
        self.contrast.setToolTip("Which two classes (or one class against the rest) the r² map compares")
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
        self.views.addTab(self._compare_page(), "PSD vs connectivity")

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
        for m in sorted(CONNECTIVITY_METHODS, key=lambda m: m != "imcoh"):  # imaginary coherence first
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

    def _compare_page(self) -> QWidget:
        """Two r² maps side by side: PSD and connectivity node strength of a combined extraction."""
        page = QWidget()
        self.compare_maps = {"psd": R2MapWidget(), "connectivity": R2MapWidget()}
        self.compare_status = QLabel("Choose the extractor 'PSD + connectivity' and extract to compare both "
                                     "feature families here; selections made on either map form one "
                                     "combined feature set.")
        self.compare_status.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        for m in self.compare_maps.values():
            split.addWidget(m)
            m.selection_changed.connect(self._compare_selection_changed)
        self.compare_maps["psd"].channel_clicked.connect(lambda ch: self.show_channel(f"psd:{ch}"))
        self.compare_maps["connectivity"].channel_clicked.connect(
            lambda ch: self.show_channel(f"{self._conn_prefix()}:{ch}"))
        lay = QVBoxLayout(page)
        lay.addWidget(self.compare_status)
        lay.addWidget(split, 1)
        return page

    def _conn_prefix(self) -> str:
        parts = list(self.tensor.parts) if self.tensor is not None else []
        return parts[1] if len(parts) > 1 else "imcoh"

    def _compare_prefixes(self) -> dict[str, str]:
        """``{map key: row prefix}`` of the compare maps."""
        return {"psd": "psd", "connectivity": self._conn_prefix()}

    def _update_compare(self, a: str, b: str) -> None:
        tensor = self.tensor
        if tensor is None or not tensor.parts:
            return
        for key, prefix in self._compare_prefixes().items():
            sl, names = tensor.part(prefix)
            kind = "PSD" if key == "psd" else f"{prefix} node strength"
            r2 = self.r2[sl]
            m = self.compare_maps[key]
            m.blockSignals(True)
            m.set_map(r2, names, tensor.freqs, f"{kind} (max |r²| {np.abs(r2).max():.2f})")
            m.blockSignals(False)
        self.compare_status.setText(
            f"PSD (left) and {self._conn_prefix()} node strength (right) of the same {len(tensor.y)} epochs, "
            f"{a} vs {b} (red: {a} higher; each map has its own colour scale). Click or drag on either map; "
            "Ctrl adds. Both maps' selections form one combined feature set for training "
            "('happyfeat', feature 'psd+connectivity').")
        self._sync_compare_selection()

    def _compare_selection_changed(self, _features: list) -> None:
        if self._syncing or self.tensor is None or not self.tensor.parts:
            return
        union = [Feature(f"{prefix}:{f.channel}", f.fmin, f.fmax)
                 for key, prefix in self._compare_prefixes().items() for f in self.compare_maps[key].selection()]
        self._syncing = True
        try:
            self.r2map.set_selection(union)
        finally:
            self._syncing = False

    def _sync_compare_selection(self) -> None:
        if self.tensor is None or not self.tensor.parts:
            return
        chosen = self.r2map.selection()
        for key, prefix in self._compare_prefixes().items():
            m = self.compare_maps[key]
            m.blockSignals(True)
            m.set_selection([Feature(f.channel.split(":", 1)[1], f.fmin, f.fmax) for f in chosen
                             if f.channel.startswith(f"{prefix}:")])
            m.blockSignals(False)

    # -- saved selections ---------------------------------------------------------------------
    def refresh_saved(self) -> None:
        """Fill the 'Saved' combo from the workspace's selections (newest first)."""
        self.saved.clear()
        sels = self.workspace.selections if self.workspace is not None else {}
        self.saved.addItem(f"{len(sels)} saved selection(s)…" if sels else "none saved yet", None)
        for sid, sel in reversed(list(sels.items())):
            feats = sel.get("features", [])
            self.saved.addItem(f"{sel.get('name', sid)} ({len(feats)})", sid)
            self.saved.setItemData(self.saved.count() - 1, ", ".join(feats), Qt.ItemDataRole.ToolTipRole)
        self.saved.setCurrentIndex(0)

    def save_selection(self, name: str | None = None) -> str | None:
        """Save the current selection in the workspace; return its id (``None`` if nothing to save)."""
        features = [f.core_name for f in self.r2map.selection()]
        if self.workspace is None or not features:
            self.panel.status.setText("Select features on the map first, then save them."
                                      if self.workspace is not None else "No workspace is open.")
            return None
        family = self.tensor.extractor if self.tensor is not None else ""
        try:
            sid = self.workspace.add_selection(
                name or f"{len(features)} {family} features", features, self.dataset_id,
                self.panel.param_set_id, reuse=True, extractor=family, source="r2 map")
            self.workspace.save()
        except (OSError, ValueError, KeyError) as err:
            self.panel.status.setText(f"⚠ Selection not saved: {err}")
            return None
        self.refresh_saved()
        self.saved.setCurrentIndex(max(0, self.saved.findData(sid)))
        self.panel.status.setText(f"Selection saved in the workspace as {self.workspace.selections[sid]['name']!r}.")
        return sid

    def load_selection(self, selection_id: str | None) -> list[Feature]:
        """Show a saved selection on the map (features whose rows the current map lacks are skipped)."""
        if selection_id is None or self.workspace is None or selection_id not in self.workspace.selections:
            return []
        sel = self.workspace.selections[selection_id]
        feats = []
        for name in sel.get("features", []):
            try:
                row, lo, hi = extractors.parse_feature_name(name)
            except ValueError:
                continue
            feats.append(Feature(row, lo, hi))
        if self.r2 is None:
            self.panel.status.setText(f"Extract features ({sel.get('extractor') or 'psd'}) first to show "
                                      f"the saved selection {sel.get('name')!r}.")
            return []
        shown = [f for f in feats if f.channel in self.r2map.channels]
        self.r2map.set_selection(shown)
        if len(shown) < len(feats):
            self.panel.status.setText(
                f"{len(shown)} of {len(feats)} saved features shown: the others are rows of another feature "
                f"set (saved from '{sel.get('extractor') or '?'}'); extract it to see them.")
        return shown

    # -- data flow ----------------------------------------------------------------------------
    def set_epochs(self, epochs) -> None:
        self.epochs = epochs
        self.panel.set_epochs(epochs)
        current = self.tfr_channel.currentText()
        self.tfr_channel.clear()
        self.tfr_channel.addItems(list(epochs.ch_names))
        pick = current if current in epochs.ch_names else ("C3" if "C3" in epochs.ch_names else epochs.ch_names[0])
        self.tfr_channel.setCurrentText(pick)

    def show_tensor(self, tensor: FeatureTensor) -> None:
        """New features: r² map, spectra of the best (or C3) channel, topomap at the best frequency."""
        self.tensor = tensor
        if len(tensor.classes) < 2:
            self.panel.status.setText("⚠ The r² map needs two classes; name at least two in step 1.")
            return
        self.contrast.blockSignals(True)
        self.contrast.clear()
        for a, b in maps.contrasts(tensor.classes):
            self.contrast.addItem(f"{a} vs {b}", (a, b))
        self.contrast.blockSignals(False)
        self._contrast_changed()
        if tensor.parts:
            self.views.setCurrentIndex(3)

    def _contrast_changed(self) -> None:
        tensor = self.tensor
        if tensor is None or self.contrast.currentData() is None:
            return
        a, b = self.contrast.currentData()
        self.r2 = maps.contrast_r2(tensor.values, tensor.y, a, b)
        what = " (PSD and connectivity rows)" if tensor.parts else ""
        self.r2map.set_map(self.r2, tensor.rows, tensor.freqs, f"Signed r²{what}, {a} vs {b} (red: {a} higher)")
        self._update_compare(a, b)
        row, col = np.unravel_index(int(np.argmax(np.abs(self.r2))), self.r2.shape)
        c3 = "psd:C3" if tensor.parts else "C3"
        self.show_channel(self.spectra.channel if self.spectra.channel in tensor.rows
                          else c3 if c3 in tensor.rows else tensor.rows[row])
        self.show_topomap(float(tensor.freqs[col]))

    def show_channel(self, channel: str) -> None:
        if self.tensor is None or channel not in self.tensor.rows:
            return
        row = self.tensor.rows.index(channel)
        counts = {c: int(np.sum(self.tensor.y == c)) for c in self.tensor.classes}
        self.spectra.set_data(channel, self.tensor.freqs, maps.class_spectra(self.tensor, row), self.r2[row],
                              unit="dB µV²/Hz" if self.tensor.row_is_log(row) else "",
                              contrast=self._contrast_text(), counts=counts)
        plain = channel.split(":", 1)[1] if self.tensor.parts else channel
        if plain in [self.tfr_channel.itemText(i) for i in range(self.tfr_channel.count())]:
            self.tfr_channel.setCurrentText(plain)

    def _contrast_text(self) -> str:
        a, b = self.contrast.currentData() or (None, None)
        return f"red: {a} higher" if a else ""

    def show_topomap(self, fmin: float, fmax: float | None = None, row: str | None = None) -> None:
        """Topomap of the r² at ``fmin`` Hz (or the band mean); for a combined set, of the part of ``row``
        (default: the channel shown in the spectra)."""
        if self.r2 is None:
            return
        vals = maps.band_values(self.r2, self.tensor.freqs, fmin, fmax)
        where = f"{fmin:g} Hz" if fmax in (None, fmin) else f"{fmin:g}-{fmax:g} Hz (mean)"
        chosen = [f.channel for f in self.r2map.selection()]
        a, b = self.contrast.currentData() or ("", "")
        rows, what = self.tensor.rows, ""
        if self.tensor.parts:  # a combined set: the part of the channel shown in the spectra
            shown = row or self.spectra.channel or ""
            prefix = shown.split(":", 1)[0] if shown.split(":", 1)[0] in self.tensor.parts else "psd"
            sl, rows = self.tensor.part(prefix)
            vals = vals[sl]
            chosen = [c.split(":", 1)[1] for c in chosen if c.startswith(f"{prefix}:")]
            what = f" ({prefix})"
        self.topomap.set_values(rows, vals, f"Signed r²{what} {a} vs {b} at {where}", highlight=chosen)

    def _selection_changed(self, features: list[Feature]) -> None:
        self.selected.clear()
        self.selected.addItems([f.label for f in features])
        if not self._syncing:
            self._sync_compare_selection()
        if features:
            last = features[-1]
            self.show_topomap(last.fmin, last.fmax, last.channel)

    def auto_select(self) -> None:
        if self.r2 is None:
            self.panel.status.setText("Extract features first, then auto-select.")
            return
        self.r2map.select_top(maps.top_k(self.r2, self.k.value()))

    # -- secondary views ----------------------------------------------------------------------
    def compute_tfr(self) -> None:
        if self.tfr_source is None or self.tfr_source()[0] is None:
            self.tfr_status.setText("Create epochs in step 1 first.")
            return
        epochs, baseline = self.tfr_source()
        self.tfr_button.setEnabled(False)
        self.tfr_status.setText("Computing…")
        self.task = run_in_thread(maps.erd_ers, epochs, self.tfr_channel.currentText(), baseline,
                                  fmax=min(self.tfr_fmax.value(), epochs.sfreq / 2 - 1), progress=True,
                                  on_done=self._tfr_done, on_error=self._tfr_failed)

    def _tfr_done(self, res: maps.TFRResult) -> None:
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
        self.task = run_in_thread(maps.connectivity_by_class, self.epochs, lo, hi, method, progress=True,
                                  on_done=lambda m: self._conn_done(m, method, lo, hi), on_error=self._conn_failed)

    def _conn_done(self, mats: dict, method: str, lo: float, hi: float) -> None:
        self.conn_button.setEnabled(True)
        self.conn_status.setText("")
        self.connectivity.set_matrices(list(self.epochs.ch_names), mats,
                                       f"Mean {method} connectivity, {lo:g}-{hi:g} Hz, per class")

    def _conn_failed(self, err: BaseException, _tb: str = "") -> None:
        self.conn_button.setEnabled(True)
        self.conn_status.setText(f"⚠ {err}")

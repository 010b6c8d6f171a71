"""Signal-quality panel: a traffic-light dot per channel plus the reason in words.

Metrics and thresholds live in :mod:`bcigui.core.signal.quality`; the thresholds are editable here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from bcigui.core.signal.quality import ChannelQuality, QualityThresholds, assess_quality
from bcigui.gui.views.base import PeriodicView

COLORS = {"good": "#2e9d3a", "warn": "#e0a800", "bad": "#d62828"}
_FIELDS = (  # (attribute, label, unit, maximum)
    ("flat_uv", "flat below", "µV", 1e3),
    ("warn_std_uv", "variance warn above", "µV", 1e5),
    ("bad_std_uv", "variance bad above", "µV", 1e5),
    ("saturation_uv", "saturated at", "µV", 1e6),
    ("clip_fraction", "clipping fraction", "", 1.0),
    ("line_ratio", "line-noise ratio", "", 1e3),
)


def _dot(color: str, size: int = 12) -> QtGui.QIcon:
    pix = QtGui.QPixmap(size, size)
    pix.fill(QtCore.Qt.GlobalColor.transparent)
    p = QtGui.QPainter(pix)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setBrush(QtGui.QColor(color))
    p.setPen(QtCore.Qt.PenStyle.NoPen)
    p.drawEllipse(1, 1, size - 2, size - 2)
    p.end()
    return QtGui.QIcon(pix)


class QualityView(PeriodicView):
    """Compact grid of coloured channel dots (tooltip: reason) and a list of the problems."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 seconds: float = 2.0, thresholds: QualityThresholds | None = None,
                 interval_ms: int = 1000) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        self.thresholds = thresholds or QualityThresholds()
        self.quality: list[ChannelQuality] = []
        self._icons = {k: _dot(c) for k, c in COLORS.items()}
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.summary = QtWidgets.QLabel("waiting for data…")
        lay.addWidget(self.summary)
        self.grid = QtWidgets.QListWidget()
        self.grid.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QtWidgets.QListView.ResizeMode.Adjust)
        self.grid.setMovement(QtWidgets.QListView.Movement.Static)
        self.grid.setGridSize(QtCore.QSize(58, 40))
        self.grid.setIconSize(QtCore.QSize(14, 14))
        self.grid.setSpacing(0)
        for name in self.ch_names:
            it = QtWidgets.QListWidgetItem(_dot("#9a9a9a"), name)
            self.grid.addItem(it)
        lay.addWidget(self.grid, 2)
        self.table = QtWidgets.QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["channel", "status", "reason"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.table, 3)
        box = QtWidgets.QGroupBox("Thresholds")
        box.setCheckable(True)
        box.setChecked(False)
        form = QtWidgets.QGridLayout(box)
        self.spins: dict[str, QtWidgets.QDoubleSpinBox] = {}
        for k, (attr, label, unit, maximum) in enumerate(_FIELDS):
            spin = QtWidgets.QDoubleSpinBox(decimals=3 if not unit else 1, maximum=maximum, minimum=0.0)
            spin.setSpecialValueText("off")
            spin.setSuffix(f" {unit}" if unit else "")
            val = getattr(self.thresholds, attr)
            spin.setValue(0.0 if val is None else val)
            spin.valueChanged.connect(self._thresholds_from_ui)
            self.spins[attr] = spin
            form.addWidget(QtWidgets.QLabel(label), k // 2, 2 * (k % 2))
            form.addWidget(spin, k // 2, 2 * (k % 2) + 1)
        self.line_box = QtWidgets.QComboBox()
        self.line_box.addItems(["50 Hz", "60 Hz"])
        self.line_box.setCurrentIndex(0 if self.thresholds.line_freq == 50 else 1)
        self.line_box.currentIndexChanged.connect(self._thresholds_from_ui)
        form.addWidget(QtWidgets.QLabel("mains"), 3, 0)
        form.addWidget(self.line_box, 3, 1)
        for w in box.findChildren(QtWidgets.QWidget):
            w.setVisible(False)
        box.toggled.connect(lambda on: [w.setVisible(on) for w in box.findChildren(QtWidgets.QWidget)])
        lay.addWidget(box)

    def _thresholds_from_ui(self) -> None:
        vals = {a: (s.value() or None) for a, s in self.spins.items()}
        self.set_thresholds(replace(self.thresholds, **vals, line_freq=50.0 if self.line_box.currentIndex() == 0 else 60.0))

    def set_thresholds(self, thresholds: QualityThresholds) -> None:
        self.thresholds = thresholds
        self.refresh()

    def refresh(self) -> None:
        x = self.latest()
        if x.shape[0] < max(2, int(0.25 * self.sfreq)):
            return
        raw, _ = self.acquisition.buffer.get_data(x.shape[0])  # NaNs included: they are a finding
        self.quality = assess_quality(raw, self.sfreq, self.ch_names, self.thresholds)
        counts = {k: 0 for k in COLORS}
        problems = []
        for i, q in enumerate(self.quality):
            counts[q.level] += 1
            it = self.grid.item(i)
            it.setIcon(self._icons[q.level])
            it.setToolTip(f"{q.name}: {q.level} — {q.reason}")
            if q.level != "good":
                problems.append(q)
        self.summary.setText(" ".join(f"<span style='color:{COLORS[k]}'>●</span> {counts[k]} {k}"
                                      for k in COLORS))
        problems.sort(key=lambda q: (q.level != "bad", q.name))
        self.table.setRowCount(len(problems))
        for r, q in enumerate(problems):
            status = QtWidgets.QTableWidgetItem(self._icons[q.level], q.level)
            for c, item in enumerate((QtWidgets.QTableWidgetItem(q.name), status, QtWidgets.QTableWidgetItem(q.reason))):
                self.table.setItem(r, c, item)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.resizeRowsToContents()

    def levels(self) -> dict[str, str]:
        """``{channel: level}`` from the last refresh."""
        return {q.name: q.level for q in self.quality}

"""A small scalp topomap: values at 10-05 positions interpolated inside a head outline."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bcigui.core.signal.topography import head_map
from bcigui.gui.analysis.r2_map import diverging_colormap
from bcigui.gui.plots import EmptyState, plain_axes

_GRID = 96


class TopomapWidget(QWidget):
    """``set_values(ch_names, values, title)``; channels without a known position are left out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        plain_axes(self.plot)
        self.plot.setBackground("w")
        self.item = self.plot.getPlotItem()
        self.item.setAspectLocked(True)
        self.item.hideAxis("left")
        self.item.hideAxis("bottom")
        self.item.setMenuEnabled(False)
        self.item.hideButtons()
        self.item.getViewBox().setMouseEnabled(x=False, y=False)
        self.item.setTitle("Topomap")
        self.image = pg.ImageItem()
        self.item.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=diverging_colormap(), interactive=False, width=12)
        self.colorbar.setImageItem(self.image, insert_in=self.item)
        self.colorbar.axis.enableAutoSIPrefix(False)
        self.empty = EmptyState(self.item, "Pick a frequency on the r² map to see it on the head.", self.colorbar)
        self.plot.setMinimumSize(120, 120)
        self._extra: list = []
        self.missing: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_values(self, ch_names: list[str], values: np.ndarray, title: str, label: str = "signed r²",
                   highlight: list[str] | None = None) -> None:
        from bcigui.core.data.montage import positions_2d

        pos = positions_2d(list(ch_names))
        self.empty.hide()
        self.missing = [c for c in ch_names if c not in pos]
        for it in self._extra:
            self.item.removeItem(it)
        self._extra = []
        self.item.setTitle(title)
        self.colorbar.axis.setLabel(label)
        known = [i for i, c in enumerate(ch_names) if c in pos]
        if len(known) < 3:
            self.image.clear()
            self.item.setTitle(f"{title} — fewer than 3 channels with a known position")
            return
        # positions_2d: x toward the right ear, y toward the nose
        xy = np.array([pos[ch_names[i]] for i in known])
        vals = np.asarray(values, dtype=float)[known]
        radius = max(1.0, float(np.hypot(xy[:, 0], xy[:, 1]).max())) + 0.05
        z = head_map(xy, vals, radius, _GRID)
        lim = float(np.nanmax(np.abs(vals))) or 1.0
        self.image.setImage(z, autoLevels=False)
        self.image.setRect(QRectF(-radius, -radius, 2 * radius, 2 * radius))
        self.colorbar.setLevels((-lim, lim))
        self._outline(radius)
        marks = set(highlight or [])
        dots = pg.ScatterPlotItem(
            xy[:, 0], xy[:, 1], size=[9 if ch_names[i] in marks else 4 for i in known],
            brush=[pg.mkBrush(0, 0, 0) if ch_names[i] in marks else pg.mkBrush(40, 40, 40, 160) for i in known],
            pen=pg.mkPen(None))
        self._add(dots)
        for i in known:
            if ch_names[i] in marks:
                text = pg.TextItem(ch_names[i], color=(0, 0, 0), anchor=(0.5, 1.3))
                text.setPos(*pos[ch_names[i]])
                self._add(text)
        self.item.setRange(xRange=(-radius - 0.2, radius + 0.2), yRange=(-radius - 0.1, radius + 0.25), padding=0)

    def _add(self, item) -> None:
        self.item.addItem(item)
        self._extra.append(item)

    def _outline(self, r: float) -> None:
        pen = pg.mkPen((0, 0, 0), width=2)
        t = np.linspace(0, 2 * np.pi, 200)
        self._add(pg.PlotDataItem(r * np.cos(t), r * np.sin(t), pen=pen))
        self._add(pg.PlotDataItem([-0.12, 0.0, 0.12], [r * 0.99, r + 0.13, r * 0.99], pen=pen))  # nose
        ear = np.linspace(-0.35, 0.35, 30)
        for side in (-1, 1):
            self._add(pg.PlotDataItem(side * (r + 0.06 * np.cos(ear / 0.35 * np.pi / 2)), ear, pen=pen))

"""Per-class mean spectrum ± SEM of one channel, with that channel's signed r² curve underneath."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bcigui.gui.plots import EmptyState, plain_axes

CLASS_COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]


class SpectraPlot(QWidget):
    """Top: mean ± SEM per class (dB µV²/Hz, or feature units); bottom: signed r² (same Hz axis)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.top = self.view.addPlot(row=0, col=0)
        self.bottom = self.view.addPlot(row=1, col=0)
        plain_axes(self.top, self.bottom)
        self.view.ci.layout.setRowStretchFactor(0, 3)
        self.view.ci.layout.setRowStretchFactor(1, 2)
        self.bottom.setXLink(self.top)
        self.top.setTitle("Spectra per class")
        self.top.setLabel("left", "Power", units="dB µV²/Hz")
        self.bottom.setLabel("left", "signed r²")
        self.bottom.setLabel("bottom", "Frequency", units="Hz")
        for p in (self.top, self.bottom):
            p.showGrid(x=True, y=True, alpha=0.25)
            p.setMenuEnabled(False)
            p.hideButtons()
        self.bottom.getAxis("left").enableAutoSIPrefix(False)
        self.view.setMinimumSize(120, 120)
        self.legend = self.top.addLegend(offset=(-10, 10))
        self.empty = (EmptyState(self.top, "Click a channel on the r² map to see its spectrum per class."),
                      EmptyState(self.bottom, ""))
        self.channel = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_data(self, channel: str, freqs: np.ndarray, spectra: dict[str, tuple[np.ndarray, np.ndarray]],
                 r2: np.ndarray, unit: str = "dB µV²/Hz", contrast: str = "",
                 counts: dict[str, int] | None = None) -> None:
        """``spectra[class] = (mean, sem)`` at ``freqs`` Hz; ``r2`` the channel's signed r² curve."""
        self.channel = channel
        for e in self.empty:
            e.hide()
        self.top.clear()
        self.bottom.clear()
        self.legend.clear()
        for i, (cls, (mean, sem)) in enumerate(spectra.items()):
            color = CLASS_COLORS[i % len(CLASS_COLORS)]
            lo = pg.PlotDataItem(freqs, mean - sem, pen=pg.mkPen(None))
            hi = pg.PlotDataItem(freqs, mean + sem, pen=pg.mkPen(None))
            self.top.addItem(pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(*color, 60)))
            self.top.plot(freqs, mean, pen=pg.mkPen(color, width=2), name=f"{cls} (n={(counts or {}).get(cls, '?')})")
        self.top.setTitle(f"{channel}: mean spectrum per class (± SEM)")
        self.top.setLabel("left", "Power" if unit else "Value", units=unit or None)
        bars = pg.BarGraphItem(x=freqs, height=r2, width=(freqs[1] - freqs[0]) * 0.8 if len(freqs) > 1 else 0.8,
                               brushes=[pg.mkBrush(178, 24, 43) if v > 0 else pg.mkBrush(33, 102, 172) for v in r2],
                               pen=pg.mkPen(None))
        self.bottom.addItem(bars)
        self.bottom.addLine(y=0, pen=pg.mkPen((120, 120, 120)))
        self.bottom.setTitle(f"{channel}: signed r²{' (' + contrast + ')' if contrast else ''}")
        lim = float(np.nanmax(np.abs(r2))) if len(r2) else 1.0
        self.bottom.setYRange(-lim * 1.05, lim * 1.05)

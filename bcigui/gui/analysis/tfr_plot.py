"""Time-frequency ERD/ERS maps, one per class, for one channel (blue: ERD, red: ERS)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bcigui.gui.analysis.r2_map import diverging_colormap
from bcigui.gui.plots import plain_axes


class TFRPlot(QWidget):
    """``set_result(TFRResult)``: maps in percent change from the baseline, time in s, frequency in Hz."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.plots: list[pg.PlotItem] = []
        self.images: list[pg.ImageItem] = []
        self.view.addLabel("ERD/ERS map (no data yet): set a baseline in step 1, then press Compute.")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_result(self, res) -> None:
        """Draw ``res`` (``bcigui.core.analysis.maps.TFRResult``)."""
        self.view.clear()
        self.plots, self.images = [], []
        lim = max(float(np.nanpercentile(np.abs(m), 99)) for m in res.maps.values()) or 1.0
        lim = min(lim, 200.0)
        times, freqs = res.times, res.freqs
        dt = float(times[1] - times[0]) if len(times) > 1 else 1.0
        df = float(freqs[1] - freqs[0]) if len(freqs) > 1 else 1.0
        self.view.addLabel(f"{res.channel}: ERD/ERS in % of the baseline {res.baseline[0]:g} to "
                           f"{res.baseline[1]:g} s (blue = desynchronisation, red = synchronisation)",
                           row=0, col=0, colspan=len(res.maps) + 1)
        for i, (cls, m) in enumerate(res.maps.items()):
            p = self.view.addPlot(row=1, col=i)
            plain_axes(p)
            img = pg.ImageItem(m.T, levels=(-lim, lim))
            img.setColorMap(diverging_colormap())
            img.setRect(QRectF(times[0] - dt / 2, freqs[0] - df / 2, dt * len(times), df * len(freqs)))
            p.addItem(img)
            p.setTitle(f"class {cls}")
            p.setLabel("bottom", "Time", units="s")
            p.setLabel("left", "Frequency", units="Hz")
            p.addLine(x=0, pen=pg.mkPen((0, 0, 0), style=pg.QtCore.Qt.PenStyle.DashLine))
            p.setMenuEnabled(False)
            p.hideButtons()
            self.plots.append(p)
            self.images.append(img)
        bar = pg.ColorBarItem(values=(-lim, lim), colorMap=diverging_colormap(), interactive=False,
                              label="change from baseline (%)")
        bar.setImageItem(self.images)
        plain_axes(bar)
        self.view.addItem(bar, row=1, col=len(res.maps))

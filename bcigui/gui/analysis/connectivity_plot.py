"""Channel x channel connectivity matrices: one per class and their difference."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from bcigui.gui.analysis.r2_map import diverging_colormap
from bcigui.gui.plots import plain_axes


class ConnectivityPlot(QWidget):
    """``set_matrices(channels, {class: (n, n)}, title)``; the last panel is class 1 − class 2."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.addLabel("Connectivity (no data yet): choose a measure and a band, then press Compute.")
        self.images: list[pg.ImageItem] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def set_matrices(self, channels: list[str], mats: dict[str, np.ndarray], title: str) -> None:
        self.view.clear()
        self.images = []
        n = len(channels)
        panels = list(mats.items())
        if len(panels) >= 2:
            (a, ma), (b, mb) = panels[0], panels[1]
            panels.append((f"{a} − {b}", ma - mb))
        self.view.addLabel(title, row=0, col=0, colspan=len(panels))
        hi = max(float(np.nanmax(m)) for _, m in panels[: len(mats)]) or 1.0
        every = max(1, int(np.ceil(n / 12)))
        ticks = [[(i + 0.5, c) for i, c in enumerate(channels) if i % every == 0], []]
        for i, (name, m) in enumerate(panels):
            diff = i >= len(mats)
            m = np.array(m, dtype=float)
            np.fill_diagonal(m, np.nan)  # a channel with itself: not shown
            p = self.view.addPlot(row=1, col=i)
            plain_axes(p)
            p.getViewBox().invertY(True)
            p.setAspectLocked(True)
            p.setMenuEnabled(False)
            p.hideButtons()
            lim = float(np.nanmax(np.abs(m))) or 1.0
            levels = (-lim, lim) if diff else (0.0, hi)
            cmap = diverging_colormap() if diff else pg.colormap.get("viridis")
            img = pg.ImageItem(m, levels=levels)
            img.setColorMap(cmap)
            img.setRect(QRectF(0, 0, n, n))
            p.addItem(img)
            p.setTitle(name)
            p.getAxis("left").setTicks(ticks)
            p.getAxis("bottom").setTicks([ticks[0][:: 2], []])
            bar = pg.ColorBarItem(values=levels, interactive=False, width=10, colorMap=cmap,
                                  orientation="horizontal")
            bar.setImageItem(img)
            plain_axes(bar)
            self.view.addItem(bar, row=2, col=i)
            self.images.append(img)

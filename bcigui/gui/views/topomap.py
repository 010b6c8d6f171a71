"""Topomap view: scalp map of band power, interpolated on a grid from 10-05 electrode positions.

Positions come once from :func:`bcigui.core.data.montage.positions_2d` (the 10-05 template matched by
channel label, case-insensitive, ignoring dots and an ``EEG`` prefix). The map is interpolated by :class:`bcigui.core.signal.topography.GridInterpolator` (linear, nearest
outside the electrodes' hull) and drawn as a pyqtgraph ImageItem under a head outline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtWidgets

from bcigui.core.checks import invalid_option
from bcigui.core.data.montage import positions_2d
from bcigui.core.signal.spectra import DEFAULT_BANDS, band_power, welch_psd
from bcigui.core.signal.topography import GridInterpolator
from bcigui.gui.plots import plain_axes
from bcigui.gui.views.base import PeriodicView

GRID = 128


def montage_positions(ch_names: list[str]) -> dict[int, tuple[float, float]]:
    """Flat head positions of the channels the template knows, by channel index."""
    pos = positions_2d(ch_names)
    return {i: pos[c] for i, c in enumerate(ch_names) if c in pos}


def band_combo(bands: dict[str, tuple[float, float]], band: str, tip: str) -> QtWidgets.QComboBox:
    """A combo box of ``bands`` ("name (lo-hi Hz)"), ``band`` chosen."""
    box = QtWidgets.QComboBox()
    box.setToolTip(tip)
    box.addItems([f"{k} ({lo:g}-{hi:g} Hz)" for k, (lo, hi) in bands.items()])
    box.setCurrentIndex(list(bands).index(band))
    return box


def head_plot(plot: Any, xy: np.ndarray) -> pg.ScatterPlotItem:
    """Make ``plot`` a head seen from above: equal axes, no axes or mouse, the outline (unit circle, nose
    up, ears) and a dot per electrode at ``xy`` ``(n, 2)``; returns the dots."""
    plot.setAspectLocked(True)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setMouseEnabled(False, False)
    pen = pg.mkPen("k", width=2)
    t = np.linspace(0, 2 * np.pi, 200)
    plot.plot(np.cos(t), np.sin(t), pen=pen)
    plot.plot([-0.12, 0, 0.12], [0.99, 1.12, 0.99], pen=pen)  # nose
    ey = np.array([0.12, 0.16, 0.1, -0.1, -0.16, -0.12])
    ex = np.array([0.0, 0.05, 0.09, 0.09, 0.05, 0.0])
    plot.plot(-1 - ex, ey, pen=pen)
    plot.plot(1 + ex, ey, pen=pen)
    dots = pg.ScatterPlotItem(xy[:, 0], xy[:, 1], size=5, brush="k", pen=None)
    plot.addItem(dots)
    plot.setRange(xRange=(-1.25, 1.25), yRange=(-1.2, 1.3), padding=0)
    return dots


class TopomapView(PeriodicView):
    """Band power (log10 µV²/Hz) over the scalp, refreshed about twice a second."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 seconds: float = 2.0, band: str = "alpha/mu",
                 bands: dict[str, tuple[float, float]] | None = None, interval_ms: int = 500) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        self.bands = dict(bands or DEFAULT_BANDS)
        if band not in self.bands:
            raise invalid_option("band", band, list(self.bands))
        self.positions = montage_positions(self.ch_names)
        self.picks = sorted(self.positions)
        self.values = np.zeros(len(self.picks))
        self.grid_values = np.full((GRID, GRID), np.nan)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QtWidgets.QHBoxLayout()
        lay.addLayout(row)
        self.band_box = band_combo(self.bands, band, "Frequency band whose power is mapped")
        self.band_box.currentIndexChanged.connect(self.refresh)
        row.addWidget(QtWidgets.QLabel("Band"))
        row.addWidget(self.band_box)
        row.addStretch(1)
        self.info = QtWidgets.QLabel("")
        row.addWidget(self.info)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.plot = self.glw.addPlot()
        plain_axes(self.plot)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        r = self._r = 1.08  # grid covers the head circle plus a small margin
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        plain_axes(self.colorbar)
        self.colorbar.axis.setTextPen("k")
        self.colorbar.axis.setLabel("log10 power (µV²/Hz)", color="k")
        self.colorbar.axis.setPen("k")
        xy = np.array([self.positions[i] for i in self.picks]) if self.picks else np.zeros((0, 2))
        self.dots = head_plot(self.plot, xy)
        if len(self.picks) < 4:
            self.info.setText(f"only {len(self.picks)} channel(s) with a 10-05 position: no map")
            self._interp = None
        else:
            self.info.setText(f"{len(self.picks)}/{len(self.ch_names)} channels placed")
            g = np.linspace(-r, r, GRID)
            gx, gy = np.meshgrid(g, g)
            self._inside = gx ** 2 + gy ** 2 <= 1.0
            self._grid_pts = np.column_stack([gx[self._inside], gy[self._inside]])
            self._interp = GridInterpolator(xy, self._grid_pts)
        lay.addWidget(self.glw, 1)

    def band(self) -> str:
        return list(self.bands)[self.band_box.currentIndex()]

    def refresh(self) -> None:
        x = self.latest()
        if self._interp is None or x.shape[0] < max(8, int(self.sfreq / 2)):
            return
        f, p = welch_psd(x[:, self.picks], self.sfreq, 0.0, self.sfreq / 2, seg_seconds=min(1.0, self.seconds))
        name = self.band()
        bp = band_power(f, p, {name: self.bands[name]})[0]
        vals = np.log10(np.maximum(np.nan_to_num(bp), 1e-12))
        self.values = vals
        inside = self._interp(vals)
        grid = np.full((GRID, GRID), np.nan)
        grid[self._inside] = inside
        self.grid_values = grid
        lo, hi = float(vals.min()), float(vals.max())
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5
        self.image.setImage(grid, autoLevels=False, levels=(lo, hi))
        self.image.setRect(QtCore.QRectF(-self._r, -self._r, 2 * self._r, 2 * self._r))
        self.colorbar.setLevels((lo, hi))

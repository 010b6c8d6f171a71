"""Spectrum view: Welch PSD of the last seconds for selected channels (log power, 1-100 Hz)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtWidgets

from bcigui.core.signal.spectra import welch_psd
from bcigui.gui.plots import plain_axes
from bcigui.gui.views.base import PeriodicView

DEFAULT_PICKS = ("C3", "Cz", "C4", "Oz")
COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
          "#bcbd22")


class SpectrumView(PeriodicView):
    """PSD per selected channel plus the mean over all channels (black)."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 seconds: float = 4.0, fmin: float = 1.0, fmax: float = 100.0, interval_ms: int = 250) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        if not 0 <= fmin < fmax:
            raise ValueError(f"fmin must be >= 0 and below fmax, got fmin={fmin!r}, fmax={fmax!r}")
        self.fmin, self.fmax = float(fmin), float(min(fmax, self.sfreq / 2))
        self.freqs = np.zeros(0)
        self.psd = np.zeros((0, len(self.ch_names)))
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        self.list = QtWidgets.QListWidget()
        self.list.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.addItems(self.ch_names)
        self.list.setMaximumWidth(90)
        self.list.setToolTip("Channels to plot (Ctrl/Shift-click for several)")
        picks = [i for i, n in enumerate(self.ch_names) if n in DEFAULT_PICKS] or list(range(min(4, len(self.ch_names))))
        for i in picks:
            self.list.item(i).setSelected(True)
        self.list.itemSelectionChanged.connect(self._sync_curves)
        self.plot = pg.PlotWidget(background="w")
        plain_axes(self.plot)
        pi = self.plot.getPlotItem()
        pi.setLogMode(False, True)
        pi.showGrid(True, True, 0.3)
        pi.setLabel("bottom", "frequency", units="Hz")
        pi.setLabel("left", "power (µV²/Hz, log scale)")
        pi.setXRange(self.fmin, self.fmax, padding=0)
        pi.setMouseEnabled(x=True, y=False)
        for ax in ("left", "bottom"):
            pi.getAxis(ax).setTextPen("k")
            pi.getAxis(ax).setPen("k")
        self.legend = pi.addLegend(offset=(-10, 10), labelTextColor="k", brush=(255, 255, 255, 200))
        self.mean_curve = pi.plot(pen=pg.mkPen("k", width=2), name="mean")
        self.curves: dict[int, pg.PlotDataItem] = {}
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.list)
        self._sync_curves()

    def selected(self) -> list[int]:
        return sorted(self.list.row(it) for it in self.list.selectedItems())

    def set_selected(self, indices: list[int]) -> None:
        wrong = [i for i in indices if not 0 <= i < len(self.ch_names)]
        if wrong:
            raise ValueError(f"channel indices must be in 0..{len(self.ch_names) - 1}, got {wrong}")
        self.list.clearSelection()
        for i in indices:
            self.list.item(i).setSelected(True)

    def _sync_curves(self) -> None:
        sel = self.selected()
        for i in list(self.curves):
            if i not in sel:
                self.plot.removeItem(self.curves.pop(i))
                self.legend.removeItem(self.ch_names[i])
        for k, i in enumerate(sel):
            if i not in self.curves:
                self.curves[i] = self.plot.plot(pen=pg.mkPen(COLORS[k % len(COLORS)], width=1.5),
                                                name=self.ch_names[i])
        self._show()

    def refresh(self) -> None:
        x = self.latest()
        if x.shape[0] < max(8, int(self.sfreq)):
            return
        self.freqs, self.psd = welch_psd(x, self.sfreq, self.fmin, self.fmax)
        self._show()

    def _show(self) -> None:
        if not len(self.freqs):
            return
        floor = 1e-12  # log axis: keep flat channels drawable
        self.mean_curve.setData(self.freqs, np.maximum(self.psd.mean(axis=1), floor))
        for i, c in self.curves.items():
            c.setData(self.freqs, np.maximum(self.psd[:, i], floor))

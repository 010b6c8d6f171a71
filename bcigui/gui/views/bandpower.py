"""Band-power view: bars per frequency band (editable bands) for one channel or the mean."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtWidgets

from bcigui.core.plugins.params import format_bands, parse_bands
from bcigui.core.signal.spectra import DEFAULT_BANDS, band_power, welch_psd
from bcigui.gui.plots import plain_axes
from bcigui.gui.views.base import PeriodicView

BAR_COLORS = ("#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f")


class BandPowerView(PeriodicView):
    """Relative (% of the listed bands) or absolute (µV²) band power as bars."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 seconds: float = 4.0, bands: dict[str, tuple[float, float]] | None = None,
                 interval_ms: int = 500) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        self.bands = dict(bands or DEFAULT_BANDS)
        self.values = np.zeros(len(self.bands))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QtWidgets.QHBoxLayout()
        lay.addLayout(row)
        self.channel_box = QtWidgets.QComboBox()
        self.channel_box.setToolTip("One channel, or the mean of all channels")
        self.channel_box.addItems(["mean of all channels", *self.ch_names])
        self.channel_box.currentIndexChanged.connect(self.refresh)
        self.kind_box = QtWidgets.QComboBox()
        self.kind_box.setToolTip("Relative: share of the listed bands; absolute: power in µV²")
        self.kind_box.addItems(["relative (%)", "absolute (µV²)"])
        self.kind_box.currentIndexChanged.connect(self.refresh)
        self.bands_edit = QtWidgets.QLineEdit(format_bands(self.bands))
        self.bands_edit.setToolTip("Bands as name:low-high, separated by commas (Enter to apply)")
        self.bands_edit.editingFinished.connect(lambda: self._apply_text(self.bands_edit.text()))
        self.error = QtWidgets.QLabel("")
        self.error.setStyleSheet("color: #d62828")
        for w in (self.channel_box, self.kind_box):
            row.addWidget(w)
        row.addWidget(QtWidgets.QLabel("Bands"))
        row.addWidget(self.bands_edit, 1)
        self.plot = pg.PlotWidget(background="w")
        plain_axes(self.plot)
        pi = self.plot.getPlotItem()
        pi.setMouseEnabled(False, False)
        pi.showGrid(False, True, 0.3)
        for ax in ("left", "bottom"):
            pi.getAxis(ax).setTextPen("k")
            pi.getAxis(ax).setPen("k")
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7)
        pi.addItem(self.bars)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.error)
        self._set_ticks()

    def _apply_text(self, text: str) -> None:
        try:
            self.set_bands(parse_bands(text, named=True))
            self.error.setText("")
        except ValueError as err:
            self.error.setText(str(err))

    def set_bands(self, bands: dict[str, tuple[float, float]]) -> None:
        nyq = self.sfreq / 2
        above = [k for k, (lo, _) in bands.items() if lo >= nyq]
        if above:
            raise ValueError(f"bands {above} start at or above the Nyquist frequency {nyq:g} Hz")
        self.bands = dict(bands)
        self.bands_edit.setText(format_bands(self.bands))
        self._set_ticks()
        self.refresh()

    def _set_ticks(self) -> None:
        ax = self.plot.getPlotItem().getAxis("bottom")
        ax.setTicks([[(i, f"{k}\n{lo:g}-{hi:g} Hz") for i, (k, (lo, hi)) in enumerate(self.bands.items())]])
        ax.setHeight(44)
        self.plot.getPlotItem().setXRange(-0.6, len(self.bands) - 0.4, padding=0)

    def refresh(self) -> None:
        x = self.latest()
        if x.shape[0] < max(8, int(self.sfreq)):
            return
        f, p = welch_psd(x, self.sfreq, 0.0, self.sfreq / 2)
        bp = band_power(f, p, self.bands)  # (n_bands, n_ch) mean PSD
        widths = np.array([hi - lo for lo, hi in self.bands.values()])[:, None]
        power = np.nan_to_num(bp * widths)  # µV² in each band
        i = self.channel_box.currentIndex()
        vals = power.mean(axis=1) if i <= 0 else power[:, i - 1]
        relative = self.kind_box.currentIndex() == 0
        if relative:
            vals = 100 * vals / max(vals.sum(), 1e-30)
        self.values = vals
        colors = [BAR_COLORS[k % len(BAR_COLORS)] for k in range(len(vals))]
        self.bars.setOpts(x=np.arange(len(vals)), height=vals, width=0.7, brushes=colors, pens=colors)
        pi = self.plot.getPlotItem()
        pi.setLabel("left", "relative power (%)" if relative else "band power (µV²)")
        pi.setYRange(0, max(float(vals.max()) * 1.1, 1e-9), padding=0)

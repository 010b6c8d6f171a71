"""Spectrogram view: time-frequency power (dB) of one chosen channel over the last seconds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtWidgets

from bcigui.core.checks import invalid_option
from bcigui.core.signal.spectra import spectrogram
from bcigui.gui.plots import plain_axes
from bcigui.gui.views.base import PeriodicView


class SpectrogramView(PeriodicView):
    """Spectrogram (0.5 s segments, 50 % overlap) of the last ``seconds``, refreshed twice a second."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 seconds: float = 20.0, fmax: float = 60.0, channel: str | None = None,
                 interval_ms: int = 500) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        self.fmax = float(min(fmax, self.sfreq / 2))
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QtWidgets.QHBoxLayout()
        lay.addLayout(row)
        self.channel_box = QtWidgets.QComboBox()
        self.channel_box.setToolTip("Channel whose spectrogram is shown")
        self.channel_box.addItems(self.ch_names)
        default = channel or next((c for c in ("C3", "Cz", "Oz") if c in self.ch_names), self.ch_names[0])
        if default not in self.ch_names:
            raise invalid_option("channel", default, self.ch_names)
        self.channel_box.setCurrentText(default)
        self.channel_box.currentIndexChanged.connect(self.refresh)
        row.addWidget(QtWidgets.QLabel("Channel"))
        row.addWidget(self.channel_box)
        row.addStretch(1)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.plot = self.glw.addPlot()
        plain_axes(self.plot)
        self.plot.setLabel("bottom", "time relative to the newest sample", units="s")
        self.plot.setLabel("left", "frequency", units="Hz")
        self.plot.setMouseEnabled(False, False)
        for ax in ("left", "bottom"):
            self.plot.getAxis(ax).setTextPen("k")
            self.plot.getAxis(ax).setPen("k")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False)
        self.colorbar.setImageItem(self.image, insert_in=self.plot)
        plain_axes(self.colorbar)
        self.colorbar.axis.setTextPen("k")
        self.colorbar.axis.setLabel("power (dB µV²/Hz)", color="k")
        self.colorbar.axis.setPen("k")
        self.power_db = np.zeros((0, 0))
        lay.addWidget(self.glw, 1)

    def refresh(self) -> None:
        x = self.latest()
        if x.shape[0] < int(self.sfreq):
            return
        ch = self.channel_box.currentIndex()
        f, t, s = spectrogram(x[:, ch], self.sfreq, 0.5, self.fmax)
        db = 10 * np.log10(np.maximum(s, 1e-12))
        self.power_db = db
        span = x.shape[0] / self.sfreq
        lo, hi = np.percentile(db, [5, 99.5])
        self.image.setImage(db, autoLevels=False, levels=(lo, max(hi, lo + 1)))
        df = f[1] - f[0] if len(f) > 1 else 1.0
        self.image.setRect(QtCore.QRectF(-span, f[0] - df / 2, span, f[-1] - f[0] + df))
        self.colorbar.setLevels((lo, max(hi, lo + 1)))
        self.plot.setXRange(-span, 0, padding=0)
        self.plot.setYRange(0, self.fmax, padding=0)

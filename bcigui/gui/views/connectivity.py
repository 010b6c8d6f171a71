"""Connectivity view: coherence-family connectivity in one band, as a channel x channel matrix and as the
strongest links on the head, refreshed about once a second and computed off the GUI thread.

The measure is :func:`bcigui.core.features.connectivity.band_connectivity`, the same computation as the
connectivity features of the analysis (one epoch: the newest ``seconds`` of data).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtWidgets

from bcigui.core.checks import invalid_option
from bcigui.core.features.connectivity import COH_METHODS, band_connectivity
from bcigui.core.signal.spectra import DEFAULT_BANDS
from bcigui.gui.plots import EmptyState, plain_axes
from bcigui.gui.views.base import PeriodicView
from bcigui.gui.views.topomap import band_combo, head_plot, montage_positions
from bcigui.gui.workers import run_in_thread

# the coherence family (fast enough for about one update a second at 64 channels; PLV and wPLI are not)
LIVE_METHODS = {key: text for key, text in (("imcoh", "imaginary coherence"), ("coh", "coherence"),
                                            ("lagged", "lagged coherence")) if key in COH_METHODS}


class ConnectivityView(PeriodicView):
    """Matrix of the band's connectivity between every pair of channels, and its ``edges`` strongest
    links drawn between the electrodes."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *, seconds: float = 4.0,
                 method: str = "imcoh", band: str = "alpha/mu", edges: int = 20, interval_ms: int = 1000) -> None:
        super().__init__(acquisition, parent, seconds, interval_ms)
        if method not in LIVE_METHODS:
            raise invalid_option("method", method, list(LIVE_METHODS))
        self.bands = dict(DEFAULT_BANDS)
        if band not in self.bands:
            raise invalid_option("band", band, list(self.bands))
        self.matrix: np.ndarray | None = None
        self.task: Any = None
        self.positions = montage_positions(self.ch_names)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        row = QtWidgets.QHBoxLayout()
        lay.addLayout(row)
        self.method_box = QtWidgets.QComboBox()
        for key, text in LIVE_METHODS.items():
            self.method_box.addItem(text, key)
        self.method_box.setCurrentIndex(list(LIVE_METHODS).index(method))
        self.method_box.setToolTip("Imaginary coherence ignores zero-lag coupling (volume conduction, a common "
                                   "reference); coherence does not")
        self.band_box = band_combo(self.bands, band, "Frequency band the connectivity is averaged over")
        self.edges = QtWidgets.QSpinBox()
        self.edges.setRange(1, 200)
        self.edges.setValue(int(edges))
        self.edges.setToolTip("How many of the strongest links are drawn on the head")
        self.method_box.currentIndexChanged.connect(self.refresh)
        self.band_box.currentIndexChanged.connect(self.refresh)
        self.edges.valueChanged.connect(self._draw_edges)
        row.addWidget(self.method_box)
        row.addWidget(self.band_box)
        row.addWidget(QtWidgets.QLabel("Links shown"))
        row.addWidget(self.edges)
        row.addStretch(1)
        self.info = QtWidgets.QLabel("")
        row.addWidget(self.info)

        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        self.mat_plot = self.glw.addPlot(row=0, col=0)
        self.head = self.glw.addPlot(row=0, col=2)
        plain_axes(self.mat_plot, self.head)
        self.mat_plot.getViewBox().invertY(True)
        self.mat_plot.setAspectLocked(True)
        self.mat_plot.setMouseEnabled(False, False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.mat_plot.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=pg.colormap.get("viridis"), interactive=False, width=12)
        self.colorbar.setImageItem(self.image)
        self.glw.addItem(self.colorbar, row=0, col=1)
        plain_axes(self.colorbar)
        xy = np.array([self.positions[i] for i in sorted(self.positions)]) if self.positions else np.zeros((0, 2))
        head_plot(self.head, xy)
        self._lines: list[pg.PlotCurveItem] = []
        lay.addWidget(self.glw, 1)
        self.empty = EmptyState(self.mat_plot, "Connectivity appears here after a few seconds of data.",
                                self.colorbar)

    def method(self) -> str:
        return str(self.method_box.currentData())

    def band(self) -> tuple[str, tuple[float, float]]:
        name = list(self.bands)[self.band_box.currentIndex()]
        return name, self.bands[name]

    def refresh(self) -> None:
        """Start one computation on the newest data unless one is running (never queue them up)."""
        if self.task is not None:
            return
        x = self.latest()
        if x.shape[0] < int(2 * self.sfreq):
            return
        _, band = self.band()
        self.task = run_in_thread(band_connectivity, x, self.sfreq, band, self.method(),
                                  on_done=self._show, on_error=self._failed)

    def _failed(self, err: BaseException, _tb: str) -> None:
        self.task = None
        self.last_error = str(err)
        self.info.setText(f"⚠ {err}")

    def _show(self, matrix: np.ndarray) -> None:
        self.task = None
        self.matrix = np.asarray(matrix)
        self.empty.hide()
        n = len(self.ch_names)
        self.image.setImage(self.matrix, autoLevels=False)
        self.image.setRect(0, 0, n, n)
        top = float(np.max(self.matrix)) or 1.0
        self.colorbar.setLevels((0.0, top))
        self._name_channels()
        self.mat_plot.setRange(xRange=(0, n), yRange=(0, n), padding=0)
        self.info.setText(f"newest {self.seconds:g} s, {len(self.positions)}/{n} channels on the head")
        self._draw_edges()

    def _name_channels(self) -> None:
        """As many channel names on the matrix's axes as fit without overlapping."""
        n = len(self.ch_names)
        vb = self.mat_plot.getViewBox()
        for name, room, px in (("left", vb.height(), 14.0), ("bottom", vb.width(), 40.0)):
            every = max(1, int(np.ceil(n / max(1.0, room / px))))
            ticks = [(i + 0.5, c) for i, c in enumerate(self.ch_names) if i % every == 0]
            self.mat_plot.getAxis(name).setTicks([ticks, []])

    def strongest(self, k: int) -> list[tuple[int, int, float]]:
        """The ``k`` strongest links between channels that have a head position: ``(i, j, value)``."""
        if self.matrix is None:
            return []
        placed = sorted(self.positions)
        i, j = np.triu_indices(len(placed), k=1)
        a, b = np.array(placed)[i], np.array(placed)[j]
        vals = self.matrix[a, b]
        order = np.argsort(vals)[::-1][:k]
        return [(int(a[o]), int(b[o]), float(vals[o])) for o in order]

    def _draw_edges(self) -> None:
        for line in self._lines:
            self.head.removeItem(line)
        self._lines = []
        links = self.strongest(self.edges.value())
        if not links:
            return
        top = links[0][2] or 1.0
        cmap = pg.colormap.get("viridis")
        for i, j, v in links:
            (x0, y0), (x1, y1) = self.positions[i], self.positions[j]
            line = pg.PlotCurveItem([x0, x1], [y0, y1], pen=pg.mkPen(cmap.map(v / top, mode="qcolor"),
                                                                      width=1 + 3 * v / top))
            self.head.addItem(line)
            self._lines.append(line)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        if self.task is not None:
            self.task.cancel()
        super().closeEvent(event)

"""Channel x frequency heatmap of the signed r², with click/drag feature selection.

A click selects one channel at one frequency, a horizontal drag a band on one channel (hold
Ctrl to add to the selection instead of replacing it). Selected features are outlined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QVBoxLayout, QWidget

from bcigui.gui.plots import EmptyState, plain_axes


def _hz(f: float) -> str:
    return f"{f:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Feature:
    """A selected feature: one channel at one frequency (``fmin == fmax``) or over a band, in Hz."""

    channel: str
    fmin: float
    fmax: float

    @property
    def label(self) -> str:
        """``"C3;12 Hz"`` or ``"C3;8-12 Hz"``."""
        if self.fmin == self.fmax:
            return f"{self.channel};{_hz(self.fmin)} Hz"
        return f"{self.channel};{_hz(self.fmin)}-{_hz(self.fmax)} Hz"

    @property
    def core_name(self) -> str:
        """The core's feature name (``"C3;12.0"`` / ``"C3;8-12"``)."""
        from bcigui.core.features._base import fmt_band, fmt_freq

        if self.fmin == self.fmax:
            return f"{self.channel};{fmt_freq(self.fmin)}"
        return f"{self.channel};{fmt_band(self.fmin, self.fmax)}"


def diverging_colormap() -> pg.ColorMap:
    """Blue - white - red, for signed values centred on zero."""
    return pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (178, 24, 43)])


class _MapImage(pg.ImageItem):
    """The heatmap image, forwarding clicks and drags in data coordinates (Hz, row)."""

    def __init__(self, owner: R2MapWidget) -> None:
        super().__init__()
        self._owner = owner
        self._drag_start: QPointF | None = None

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 (Qt naming)
        if ev.button() != Qt.MouseButton.LeftButton:
            return
        ev.accept()
        p = self.mapToView(ev.pos())
        add = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        self._owner._pick(p.x(), p.x(), p.y(), add)

    def mouseDragEvent(self, ev) -> None:  # noqa: N802
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        start = self.mapToView(ev.buttonDownPos())
        now = self.mapToView(ev.pos())
        self._owner._show_rubber(start, now)
        if ev.isFinish():
            self._owner._hide_rubber()
            add = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self._owner._pick(min(start.x(), now.x()), max(start.x(), now.x()), start.y(), add)


class R2MapWidget(QWidget):
    """Heatmap of ``r2`` ``(n_channels, n_freqs)``; ``selection_changed(list[Feature])``.

    ``channel_clicked(str)`` tells the other views which channel to show.
    """

    selection_changed = Signal(list)
    channel_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.r2: np.ndarray | None = None
        self.freqs = np.zeros(0)
        self.channels: list[str] = []
        self._selection: list[Feature] = []
        self._boxes: list[QGraphicsRectItem] = []
        self.plot = pg.PlotWidget()
        plain_axes(self.plot)
        self.plot.setBackground("w")
        self.item = self.plot.getPlotItem()
        self.item.setLabel("bottom", "Frequency", units="Hz")
        self.item.setLabel("left", "Channel")
        self.item.setTitle("Signed r²")
        self.item.getViewBox().invertY(True)
        self.item.getViewBox().setMouseEnabled(x=False, y=False)
        self.item.hideButtons()
        self.item.setMenuEnabled(False)
        self.image = _MapImage(self)
        self.item.addItem(self.image)
        self.colorbar = pg.ColorBarItem(colorMap=diverging_colormap(), interactive=False, width=12,
                                        label="signed r²")
        self.colorbar.setImageItem(self.image, insert_in=self.item)
        self.empty = EmptyState(self.item, "Extract features to see which channels and frequencies separate "
                                "the classes.", self.colorbar)
        self.colorbar.axis.enableAutoSIPrefix(False)
        self.plot.setMinimumSize(120, 120)
        self._rubber = QGraphicsRectItem()
        self._rubber.setPen(pg.mkPen((0, 0, 0), width=1, style=Qt.PenStyle.DashLine))
        self._rubber.setZValue(20)
        self._rubber.hide()
        self.item.addItem(self._rubber, ignoreBounds=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    # -- data ---------------------------------------------------------------------------------
    def set_map(self, r2: np.ndarray, channels: list[str], freqs: np.ndarray, title: str = "") -> None:
        """Show ``r2`` ``(n_channels, n_freqs)`` at ``freqs`` Hz; clears the selection."""
        r2 = np.asarray(r2, dtype=float)
        if r2.shape != (len(channels), len(freqs)):
            raise ValueError(f"r2 must have shape (n_channels, n_freqs) = ({len(channels)}, {len(freqs)}), "
                             f"got {r2.shape}")
        self.empty.hide()
        self.r2, self.channels, self.freqs = r2, list(channels), np.asarray(freqs, dtype=float)
        step = float(np.median(np.diff(self.freqs))) if len(self.freqs) > 1 else 1.0
        lim = float(np.nanmax(np.abs(r2))) or 1.0
        self.image.setImage(r2.T, autoLevels=False)
        self.image.setRect(QRectF(self.freqs[0] - step / 2, 0, step * len(self.freqs), len(channels)))
        self.colorbar.setLevels((-lim, lim))
        self.item.setTitle(title or "Signed r²")
        every = max(1, int(np.ceil(len(channels) / 32)))
        left = self.item.getAxis("left")
        left.setTicks([[(i + 0.5, c) for i, c in enumerate(channels) if i % every == 0], []])
        # the width the names need, set now: an axis that widens at its first paint would move the cells
        names = QFontMetrics(left.style.get("tickFont") or self.font())
        left.setWidth(max(names.horizontalAdvance(c) for c in channels) + 36)
        self.item.setXRange(self.freqs[0] - step / 2, self.freqs[-1] + step / 2, padding=0)
        self.item.setYRange(0, len(channels), padding=0)
        self.set_selection([])

    # -- selection ----------------------------------------------------------------------------
    def selection(self) -> list[Feature]:
        return list(self._selection)

    def set_selection(self, features: list[Feature]) -> None:
        """Replace the selection (features of unknown channels are ignored)."""
        self._selection = [f for f in dict.fromkeys(features) if f.channel in self.channels]
        self._draw_boxes()
        self.selection_changed.emit(self.selection())

    def select(self, channel: str, fmin: float, fmax: float | None = None, add: bool = False) -> Feature:
        """Select ``channel`` at ``fmin`` Hz (or the band ``fmin``-``fmax``), snapped to the grid."""
        if channel not in self.channels:
            raise ValueError(f"channel must be one of the map's channels, got {channel!r}")
        lo, hi = self._snap(fmin), self._snap(fmin if fmax is None else fmax)
        feat = Feature(channel, min(lo, hi), max(lo, hi))
        self.set_selection(([*self._selection] if add else []) + [feat])
        return feat

    def select_top(self, indices: list[tuple[int, int]]) -> None:
        """Select features by ``(row, freq index)``."""
        self.set_selection([Feature(self.channels[r], float(self.freqs[f]), float(self.freqs[f]))
                            for r, f in indices])

    def _snap(self, f: float) -> float:
        return float(self.freqs[int(np.argmin(np.abs(self.freqs - f)))])

    def _pick(self, f0: float, f1: float, y: float, add: bool) -> None:
        if self.r2 is None:
            return
        row = int(np.floor(y))
        if not 0 <= row < len(self.channels):
            return
        self.channel_clicked.emit(self.channels[row])
        self.select(self.channels[row], f0, f1, add=add)

    def _draw_boxes(self) -> None:
        for box in self._boxes:
            self.item.removeItem(box)
        self._boxes = []
        if not len(self.freqs):
            return
        step = float(np.median(np.diff(self.freqs))) if len(self.freqs) > 1 else 1.0
        pen = QPen(QColor(0, 0, 0))
        pen.setWidthF(2.0)
        pen.setCosmetic(True)
        for f in self._selection:
            row = self.channels.index(f.channel)
            box = QGraphicsRectItem(f.fmin - step / 2, row, f.fmax - f.fmin + step, 1)
            box.setPen(pen)
            box.setZValue(10)
            self.item.addItem(box, ignoreBounds=True)
            self._boxes.append(box)

    def _show_rubber(self, a: QPointF, b: QPointF) -> None:
        row = float(np.floor(a.y()))
        self._rubber.setRect(QRectF(min(a.x(), b.x()), row, abs(b.x() - a.x()), 1))
        self._rubber.show()

    def _hide_rubber(self) -> None:
        self._rubber.hide()

    # -- geometry helpers (tests, tooltips) -----------------------------------------------------
    def widget_pos(self, channel: str, freq: float) -> QPoint:
        """Position in ``self.plot.viewport()`` coordinates of a cell centre."""
        row = self.channels.index(channel)
        scene = self.item.getViewBox().mapViewToScene(QPointF(self._snap(freq), row + 0.5))
        return self.plot.mapFromScene(scene)  # QPoint

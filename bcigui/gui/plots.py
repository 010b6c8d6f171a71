"""Plot conventions shared by every view: numbers on axes are what they say.

pyqtgraph rescales an axis with an SI prefix or a hidden ``(x0.001)`` factor in its corner by default;
the unit in the label must carry the scale instead (``µV²/Hz``, not ``mHz`` or ``x0.001``).
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg


def plain_axes(*items: Any) -> None:
    """Turn off automatic SI prefixes on every axis of these plot widgets, plot items or colour bars."""
    for item in items:
        plot = item.getPlotItem() if hasattr(item, "getPlotItem") else item
        for name in ("left", "bottom", "right", "top"):  # a ColorBarItem is a PlotItem too
            plot.getAxis(name).enableAutoSIPrefix(False)
        if isinstance(item, pg.ColorBarItem):
            item.axis.enableAutoSIPrefix(False)


class EmptyState:
    """What an empty plot shows: one sentence in its middle instead of axes with meaningless numbers
    (and no colour bar). ``show(text)`` when there is nothing to plot, ``hide()`` when data arrive."""

    def __init__(self, plot: Any, text: str, *others: Any) -> None:
        self.plot = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
        self.others = others  # colour bars and the like, hidden while empty
        self.axes = [n for n in ("left", "bottom", "right", "top") if self.plot.getAxis(n).isVisible()]
        self.label = pg.TextItem("", color="#5f6b7a", anchor=(0.5, 0.5))
        self.label.setTextWidth(260)
        self.shown = False
        self.show(text)

    def show(self, text: str) -> None:
        self.label.setHtml(f"<div style='text-align:center'>{text}</div>")
        if not self.shown:
            for name in self.axes:
                self.plot.hideAxis(name)
            for item in self.others:
                item.setVisible(False)
            self.plot.addItem(self.label, ignoreBounds=True)
            self.shown = True
        vb = self.plot.getViewBox()
        vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        self.label.setPos(0.5, 0.5)

    def hide(self) -> None:
        if not self.shown:
            return
        self.plot.removeItem(self.label)
        for name in self.axes:
            self.plot.showAxis(name)
        for item in self.others:
            item.setVisible(True)
        self.plot.layout.activate()  # the axes take their room now, not at the next event loop pass
        self.plot.getViewBox().enableAutoRange()
        self.shown = False

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

"""Trace-view helpers: amplitude scales, channel groups and the channel-label axis with quality dots."""

from __future__ import annotations

import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

SCALES_UV = tuple(round(m * 10.0 ** e, 3) for e in range(-1, 5) for m in (1, 1.5, 2, 3, 5, 7)) + (100000.0,)
QUALITY_COLORS = {"good": "#2e9d3a", "warn": "#e0a800", "bad": "#d62828", None: "#9a9a9a"}
GROUP_PREFIXES = {  # 10-05 name prefixes -> region
    "Frontal": ("FP", "AF", "F"), "Central": ("FC", "C"), "Temporal": ("FT", "T", "TP"),
    "Parietal": ("CP", "P"), "Occipital": ("PO", "O", "I"),
}


def channel_groups(ch_names: list[str]) -> dict[str, list[int]]:
    """``{"All": [...], region: [...]}`` from 10-05 label prefixes (longest prefix wins)."""
    prefixes = sorted(((p, g) for g, ps in GROUP_PREFIXES.items() for p in ps), key=lambda t: -len(t[0]))
    groups: dict[str, list[int]] = {"All": list(range(len(ch_names)))}
    for i, name in enumerate(ch_names):
        up = name.strip(". ").upper()
        for p, g in prefixes:
            if up.startswith(p) and (len(up) == len(p) or up[len(p)].isdigit() or up[len(p)] == "Z"):
                groups.setdefault(g, []).append(i)
                break
    return {k: v for k, v in groups.items() if v}


class ChannelAxis(pg.AxisItem):
    """Left axis showing channel labels with a quality dot (traffic light) before each label."""

    def __init__(self) -> None:
        super().__init__("left")
        self.colors: dict[str, str] = {}
        self.setWidth(78)
        self.setStyle(tickLength=0, autoExpandTextSpace=False)

    def drawPicture(self, p: QtGui.QPainter, axisSpec, tickSpecs, textSpecs) -> None:  # noqa: N802
        super().drawPicture(p, axisSpec, tickSpecs, textSpecs)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        p.setPen(QtCore.Qt.PenStyle.NoPen)
        for rect, _flags, text in textSpecs:
            p.setBrush(pg.mkBrush(self.colors.get(text, QUALITY_COLORS[None])))
            d = min(9.0, rect.height())
            p.drawEllipse(QtCore.QRectF(3, rect.center().y() - d / 2, d, d))

"""Feedback displays driven by class probabilities: Graz-style MI bar, SSVEP target grid."""

from __future__ import annotations

import math

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

_ARROWS = {"left_hand": "←", "left": "←", "right_hand": "→", "right": "→", "feet": "↓", "tongue": "↑"}
_COLORS = ["#2e86de", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085"]


def pretty(label: str) -> str:
    """``left_hand`` -> ``Left hand``; SSVEP frequencies get their unit."""
    try:
        return f"{float(label):g} Hz"
    except ValueError:
        return label.replace("_", " ").capitalize()


class MIFeedback(QtWidgets.QWidget):
    """Graz-style feedback: a bar growing from the centre towards the winning class.

    With two classes the bar extends left or right by ``p(second) - p(first)``; with more, one bar
    per class grows from the centre in its own direction. The current cue is drawn as an arrow.
    """

    def __init__(self, classes: list[str], parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes = list(classes)
        self.proba = np.full(len(classes), 1.0 / max(1, len(classes)))
        self.cue: str | None = None
        self.rejected = False
        self.setMinimumSize(200, 200)  # fits beside the controls in a narrow dock
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QtGui.QPalette.ColorRole.Window, QtGui.QColor("#1b1f24"))
        self.setPalette(pal)

    def set_prediction(self, proba: np.ndarray, rejected: bool = False) -> None:
        self.proba = np.asarray(proba, dtype=float)
        self.rejected = rejected
        self.update()

    def set_cue(self, cue: str | None) -> None:
        self.cue = cue
        self.update()

    def reset(self) -> None:
        """Back to rest (decoding stopped): equal probabilities, no cue, nothing rejected."""
        self.proba = np.full(len(self.classes), 1.0 / max(1, len(self.classes)))
        self.cue, self.rejected = None, False
        self.update()

    def _direction(self, i: int) -> tuple[float, float]:
        if len(self.classes) == 2:
            return (-1.0, 0.0) if i == 0 else (1.0, 0.0)
        name = self.classes[i]
        table = {"left_hand": (-1, 0), "left": (-1, 0), "right_hand": (1, 0), "right": (1, 0),
                 "feet": (0, 1), "tongue": (0, -1)}
        if name in table:
            return table[name]
        angle = 2 * math.pi * i / len(self.classes)
        return math.cos(angle), math.sin(angle)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        cx, cy = w / 2, h / 2
        reach = min(w, h) * 0.42
        thick = max(18.0, min(w, h) * 0.09)
        # fixation cross
        p.setPen(QtGui.QPen(QtGui.QColor("#bbbbbb"), 3))
        p.drawLine(QtCore.QPointF(cx - 14, cy), QtCore.QPointF(cx + 14, cy))
        p.drawLine(QtCore.QPointF(cx, cy - 14), QtCore.QPointF(cx, cy + 14))
        # class labels: under the bar's ends (two classes) or at the ends of the axes
        font = p.font()
        font.setPointSizeF(max(8.0, min(w, h) / 24))
        p.setFont(font)
        if len(self.classes) == 2:  # both names side by side within the width
            needed = sum(QtGui.QFontMetricsF(font).horizontalAdvance(pretty(c)) for c in self.classes) + 30
            if needed > w:
                font.setPointSizeF(max(6.0, font.pointSizeF() * w / needed))
                p.setFont(font)
        p.setPen(QtGui.QColor("#dddddd"))
        if len(self.classes) == 2:
            reach = w * 0.45
            below = QtCore.QRectF(6, cy + thick, w - 12, 40)
            p.drawText(below, QtCore.Qt.AlignmentFlag.AlignLeft, pretty(self.classes[0]))
            p.drawText(below, QtCore.Qt.AlignmentFlag.AlignRight, pretty(self.classes[1]))
        else:
            for i, cls in enumerate(self.classes):
                dx, dy = self._direction(i)
                rect = QtCore.QRectF(cx + dx * (reach + 24) - 80, cy + dy * (reach + 24) - 14, 160, 28)
                rect.moveLeft(min(max(rect.left(), 6.0), w - 6.0 - rect.width()))
                rect.moveTop(min(max(rect.top(), 6.0), h - 6.0 - rect.height()))
                align = QtCore.Qt.AlignmentFlag.AlignCenter
                if dx < -0.5:
                    align = QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter
                elif dx > 0.5:
                    align = QtCore.Qt.AlignmentFlag.AlignRight | QtCore.Qt.AlignmentFlag.AlignVCenter
                p.drawText(rect, align, pretty(cls))
            reach *= 0.85
        # bars
        colour_alpha = 110 if self.rejected else 255
        if len(self.classes) == 2:
            value = float(self.proba[1] - self.proba[0])
            winner = 1 if value >= 0 else 0
            length = abs(value) * reach
            x0 = cx if value >= 0 else cx - length
            c = QtGui.QColor(_COLORS[winner])
            c.setAlpha(colour_alpha)
            p.fillRect(QtCore.QRectF(x0, cy - thick / 2, length, thick), c)
        else:
            for i, pr in enumerate(self.proba):
                dx, dy = self._direction(i)
                c = QtGui.QColor(_COLORS[i % len(_COLORS)])
                c.setAlpha(colour_alpha)
                pen = QtGui.QPen(c, thick)
                pen.setCapStyle(QtCore.Qt.PenCapStyle.FlatCap)
                p.setPen(pen)
                p.drawLine(QtCore.QPointF(cx, cy), QtCore.QPointF(cx + dx * pr * reach, cy + dy * pr * reach))
        # cue arrow
        if self.cue:
            arrow = _ARROWS.get(self.cue, pretty(self.cue))
            f2 = p.font()
            f2.setPointSizeF(max(16.0, h / 9))
            f2.setBold(True)
            p.setFont(f2)
            p.setPen(QtGui.QColor("#f1c40f"))
            if len(self.classes) == 2:
                p.drawText(QtCore.QRectF(0, 6, w, h * 0.25), QtCore.Qt.AlignmentFlag.AlignHCenter, arrow)
            else:  # the axes' ends hold the labels: show the cue in a corner
                p.drawText(QtCore.QRectF(8, 4, w * 0.3, h * 0.2), QtCore.Qt.AlignmentFlag.AlignLeft, arrow)
        if self.rejected:
            p.setFont(font)
            p.setPen(QtGui.QColor("#999999"))
            p.drawText(QtCore.QRectF(0, h - 34, w, 28), QtCore.Qt.AlignmentFlag.AlignCenter, "uncertain")
        p.end()


class SSVEPFeedback(QtWidgets.QWidget):
    """Targets in a grid; the selected one lights up once it wins ``dwell`` windows in a row."""

    def __init__(self, classes: list[str], dwell: int = 3, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes = list(classes)
        self.dwell = int(dwell)
        self.proba = np.zeros(len(classes))
        self.selected: int | None = None
        self.cue: str | None = None
        self._streak = (-1, 0)
        self.setMinimumSize(200, 200)  # fits beside the controls in a narrow dock

    def set_prediction(self, proba: np.ndarray, rejected: bool = False) -> None:
        self.proba = np.asarray(proba, dtype=float)
        best = -1 if rejected else int(np.argmax(self.proba))
        n = self._streak[1] + 1 if best == self._streak[0] else 1
        self._streak = (best, n)
        if best >= 0 and n >= self.dwell:
            self.selected = best
        elif best < 0:
            self.selected = None
        self.update()

    def set_cue(self, cue: str | None) -> None:
        self.cue = cue
        self.update()

    def reset(self) -> None:
        """Back to rest (decoding stopped): nothing selected, no cue."""
        self.proba = np.zeros(len(self.classes))
        self.selected, self.cue, self._streak = None, None, (-1, 0)
        self.update()

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QtGui.QPainter(self)
        p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QtGui.QColor("#111111"))
        n = max(1, len(self.classes))
        cols = math.ceil(math.sqrt(n))
        rows = math.ceil(n / cols)
        cw, ch = self.width() / cols, self.height() / rows
        font = p.font()
        font.setPointSizeF(max(10.0, min(cw, ch) / 8))
        font.setBold(True)
        p.setFont(font)
        for i, cls in enumerate(self.classes):
            r, c = divmod(i, cols)
            rect = QtCore.QRectF(c * cw + 10, r * ch + 10, cw - 20, ch - 20)
            if i == self.selected:
                fill = QtGui.QColor("#27ae60")
            else:
                level = int(40 + 120 * float(self.proba[i]))
                fill = QtGui.QColor(level, level, level)
            p.setBrush(fill)
            pen = QtGui.QPen(QtGui.QColor("#f1c40f" if cls == self.cue else "#444444"), 6 if cls == self.cue else 2)
            p.setPen(pen)
            p.drawRoundedRect(rect, 12, 12)
            p.setPen(QtGui.QColor("#ffffff"))
            p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, f"{pretty(cls)}\n{100 * self.proba[i]:.0f} %")
        p.end()

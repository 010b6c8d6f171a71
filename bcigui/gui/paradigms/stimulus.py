"""Stimulus windows: draw the current phase of a :class:`CalibrationSession`, stamp markers on display.

The window polls the session every few milliseconds; when phases change it repaints synchronously
(``repaint()`` paints and flushes the backing store), then reads ``local_clock()`` and hands the
stamp to ``session.shown`` — so markers are stamped at the frame on which the phase became visible.

Feedback runs (a session with ``feedback()``, e.g. :class:`~bcigui.core.recording.feedback.FeedbackSession`):
the MI window draws, from the cue to the end of the imagery, one bar per class along its arrow whose
length is the decoder's smoothed confidence above chance (green for the cued class); the SSVEP
window frames the target the decoder currently selects.

Warning beep: PySide6-Essentials has no QtMultimedia; if ``QSoundEffect`` is importable a short
1 kHz tone is played, otherwise it is skipped silently. The fixation cross always flashes (turns
yellow) during the warning phase, so the warning is visible in any case.
"""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path

import numpy as np
import pylsl
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QApplication, QWidget

from bcigui.core.paradigms.base import Phase
from bcigui.core.paradigms.frames import FrameLog
from bcigui.core.paradigms.ssvep import SSVEPParadigm

BG = QColor(0, 0, 0)
FG = QColor(230, 230, 230)
FLASH = QColor(255, 210, 0)
CUE = QColor(255, 60, 60)
GOOD = QColor(60, 200, 90)
OTHER = QColor(120, 120, 120)
FEEDBACK_PHASES = ("cue", "imagery", "flicker")
FEEDBACK_FRAME_S = 1 / 60  # repaint feedback at most this often
ARROWS = {"left_hand": 180.0, "right_hand": 0.0, "tongue": 90.0, "feet": 270.0}
WORDS = {"left_hand": "LEFT HAND", "right_hand": "RIGHT HAND", "feet": "FEET", "tongue": "TONGUE", "rest": "REST"}


def _tone_player():
    """A ``QSoundEffect`` playing a 150 ms 1 kHz tone, or ``None`` without QtMultimedia."""
    try:
        from PySide6.QtCore import QUrl
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return None
    path = Path(tempfile.gettempdir()) / "bcigui-beep.wav"
    if not path.exists():
        rate = 44100
        t = np.arange(int(0.15 * rate)) / rate
        samples = (0.4 * 32767 * np.sin(2 * math.pi * 1000 * t) * np.minimum(1, (0.15 - t) * 50)).astype("<i2")
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    effect = QSoundEffect()
    effect.setSource(QUrl.fromLocalFile(str(path)))
    return effect


class StimulusWindow(QWidget):
    """Base stimulus window driven by a session (anything with begin/tick/shown/finished)."""

    phaseShown = Signal(object, float)  # phases, LSL stamp
    sessionFinished = Signal()

    def __init__(self, session, parent: QWidget | None = None, interval_ms: int = 2,
                 refresh_rate: float | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._refresh = refresh_rate
        self.phase: Phase | None = None
        self.paused = False
        self.setWindowTitle("bcigui stimulus")
        self.setAutoFillBackground(False)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.resize(960, 600)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._done = False
        self._last_feedback = 0.0

    # -- placement ---------------------------------------------------------------------------
    def show_on(self, screen: int | None = None, fullscreen: bool = False) -> None:
        """Show on screen number ``screen`` (default: primary), full screen if asked."""
        screens = QApplication.screens()
        if screen is not None:
            if not 0 <= screen < len(screens):
                raise ValueError(f"screen must be between 0 and {len(screens) - 1}, got {screen}")
            self.setScreen(screens[screen])
            self.move(screens[screen].geometry().topLeft())
        if fullscreen:
            self.showFullScreen()
        else:
            self.show()

    def refresh_rate(self) -> float:
        """The refresh rate given at construction, else the screen's (60 Hz when it says nothing)."""
        if self._refresh:
            return float(self._refresh)
        scr = self.screen() or QApplication.primaryScreen()
        rate = float(scr.refreshRate()) if scr is not None else 0.0
        return rate if rate > 1 else 60.0

    # -- driving -----------------------------------------------------------------------------
    def start(self) -> None:
        self._apply(self.session.begin())
        self._timer.start()

    def feedback(self) -> dict[str, float] | None:
        """The session's smoothed class probabilities during feedback phases (None otherwise)."""
        get = getattr(self.session, "feedback", None)
        if get is None or self.phase is None or self.phase.kind not in FEEDBACK_PHASES or self.paused:
            return None
        return get()

    def _tick(self) -> None:
        phases = self.session.tick()
        if phases:
            self._apply(phases)
        elif self.needs_frames():
            self.repaint_frame()
        elif hasattr(self.session, "feedback") and self.phase is not None and self.phase.kind in FEEDBACK_PHASES:
            now = pylsl.local_clock()
            if now - self._last_feedback >= FEEDBACK_FRAME_S:
                self._last_feedback = now
                self.repaint()
        self._check_finished()

    def _check_finished(self) -> None:
        if self.session.finished and not self._done:
            self._done = True
            self._timer.stop()
            self.sessionFinished.emit()

    def needs_frames(self) -> bool:
        """Whether the current phase changes every frame (flicker)."""
        return False

    def stimulus_warnings(self) -> list[str]:
        """What this display cannot render of the paradigm (e.g. a flicker at or above half the refresh rate)."""
        return []

    def repaint_frame(self) -> None:
        """Show the next frame of a phase that changes every frame."""
        self.repaint()

    def _apply(self, phases: list[Phase]) -> None:
        for p in phases:
            if p.kind == "pause":
                self.paused = True
            elif p.kind == "resume":
                self.paused = False
            else:
                self.phase = p
        self.on_phase(phases)
        self.repaint()  # synchronous paint + flush: the phase is on screen now
        t = pylsl.local_clock()
        self.session.shown(phases, t)
        self.phaseShown.emit(phases, t)

    def on_phase(self, phases: list[Phase]) -> None:
        """Hook for subclasses (sound, frame counters) before the repaint."""

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), BG)
        if self.paused:
            self._text(p, "Paused", FG, 0.08)
        elif self.phase is not None:
            self.draw(p, self.phase)
        p.end()

    def draw(self, p: QPainter, phase: Phase) -> None:
        if phase.kind in ("end", "abort"):
            self._text(p, "Thank you", FG, 0.07)

    def _unit(self) -> float:
        return min(self.width(), self.height())

    def _text(self, p: QPainter, text: str, color: QColor, size: float, dy: float = 0.0) -> None:
        f = QFont()
        f.setPixelSize(max(8, int(self._unit() * size)))
        f.setBold(True)
        p.setFont(f)
        p.setPen(color)
        r = QRectF(0, self.height() / 2 - self._unit() * 0.2 + dy * self._unit(), self.width(), self._unit() * 0.4)
        p.drawText(r, Qt.AlignmentFlag.AlignCenter, text)

    def _cross(self, p: QPainter, color: QColor) -> None:
        u = self._unit()
        c = QPointF(self.width() / 2, self.height() / 2)
        p.setPen(QPen(color, max(2.0, u * 0.012), Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
        h = u * 0.08
        p.drawLine(QPointF(c.x() - h, c.y()), QPointF(c.x() + h, c.y()))
        p.drawLine(QPointF(c.x(), c.y() - h), QPointF(c.x(), c.y() + h))


class MICueWindow(StimulusWindow):
    """Graz motor imagery: cross, flashing cross (+ optional beep), arrow or word cue, blank rest."""

    def __init__(self, session, parent: QWidget | None = None, refresh_rate: float | None = None) -> None:
        super().__init__(session, parent, refresh_rate=refresh_rate)
        self._beep = None
        self._beep_tried = False

    def on_phase(self, phases: list[Phase]) -> None:
        for ph in phases:
            if ph.kind == "warning" and ph.extra.get("beep", True):
                if not self._beep_tried:
                    self._beep_tried = True
                    self._beep = _tone_player()
                if self._beep is not None:
                    self._beep.play()

    def draw(self, p: QPainter, phase: Phase) -> None:
        kind = phase.kind
        if kind in ("baseline", "fixation", "imagery"):
            self._cross(p, FG)
        elif kind == "warning":
            self._cross(p, FLASH)
        elif kind == "cue":
            self._cross(p, FG)
            if phase.extra.get("style", "arrow") == "word" or phase.label not in ARROWS:
                if phase.label == "rest" and phase.extra.get("style", "arrow") != "word":
                    self._circle(p)
                else:
                    self._text(p, WORDS.get(phase.label, str(phase.label)), CUE, 0.09, dy=-0.22)
            else:
                self._arrow(p, ARROWS[phase.label])
        if kind == "baseline":
            self._text(p, "Relax, eyes on the cross", FG, 0.04, dy=0.25)
        probs = self.feedback()
        if probs:
            self._feedback_bars(p, probs, phase.label)
        super().draw(p, phase)

    def _feedback_bars(self, p: QPainter, probs: dict[str, float], cued: str | None) -> None:
        """A bar per class along its arrow: confidence above chance, green for the cued class."""
        u = self._unit()
        chance = 1.0 / len(probs)
        for cls, prob in probs.items():
            if cls not in ARROWS:
                continue
            p.setPen(QPen(OTHER, 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(self._bar(ARROWS[cls], u * 0.42))  # the track: how far the bar can go
            length = u * 0.42 * max(0.0, (prob - chance) / (1.0 - chance))
            if length > 0:
                p.fillRect(self._bar(ARROWS[cls], length), GOOD if cls == cued else OTHER)

    def _bar(self, angle_deg: float, extent: float) -> QRectF:
        """Rectangle from just outside the cross, ``extent`` pixels towards ``angle_deg``."""
        u = self._unit()
        width, start = u * 0.06, u * 0.1
        a = math.radians(angle_deg)
        dx, dy = math.cos(a), -math.sin(a)
        cx, cy = self.width() / 2, self.height() / 2
        x0, y0 = cx + dx * start, cy + dy * start
        x1, y1 = cx + dx * (start + extent), cy + dy * (start + extent)
        r = QRectF(QPointF(min(x0, x1), min(y0, y1)), QPointF(max(x0, x1), max(y0, y1)))
        return r.adjusted(-width / 2 * abs(dy), -width / 2 * abs(dx), width / 2 * abs(dy), width / 2 * abs(dx))

    def _circle(self, p: QPainter) -> None:
        u = self._unit()
        p.setPen(QPen(CUE, u * 0.02))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(self.width() / 2, self.height() / 2), u * 0.18, u * 0.18)

    def _arrow(self, p: QPainter, angle_deg: float) -> None:
        """Filled arrow from the centre, pointing at ``angle_deg`` (0 = right, 90 = up)."""
        u = self._unit()
        length, shaft, head_w, head_l = u * 0.32, u * 0.05, u * 0.16, u * 0.13
        path = QPainterPath()
        pts = [(0, -shaft / 2), (length - head_l, -shaft / 2), (length - head_l, -head_w / 2), (length, 0),
               (length - head_l, head_w / 2), (length - head_l, shaft / 2), (0, shaft / 2)]
        a = math.radians(angle_deg)
        cx, cy = self.width() / 2, self.height() / 2
        rot = [(cx + x * math.cos(a) + y * math.sin(a), cy - x * math.sin(a) + y * math.cos(a)) for x, y in pts]
        path.moveTo(*rot[0])
        for x, y in rot[1:]:
            path.lineTo(x, y)
        path.closeSubpath()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(CUE)
        p.drawPath(path)


class SSVEPWindow(StimulusWindow):
    """SSVEP targets in a grid; luminance from the frame index and the measured refresh rate."""

    def __init__(self, session, parent: QWidget | None = None, refresh_rate: float | None = None,
                 show_labels: bool = True) -> None:
        super().__init__(session, parent, interval_ms=1, refresh_rate=refresh_rate)
        paradigm = session.paradigm
        if not isinstance(paradigm, SSVEPParadigm):
            raise TypeError(f"SSVEPWindow needs an SSVEP paradigm, got {type(paradigm).__name__}")
        self.paradigm = paradigm
        self.show_labels = show_labels
        self._flicker_onset: float | None = None
        self.frame_index = 0
        self.warnings: list[str] = []
        self.frames: FrameLog | None = None

    @property
    def refresh(self) -> float:
        return self.refresh_rate()

    def start(self) -> None:
        self.warnings = self.stimulus_warnings()
        # Frames are paced by this window's timer at the refresh rate: a QWidget's painting is not
        # synchronised to the display's refresh, so the log says so rather than claim vsync.
        self.frames = FrameLog(self.refresh, vsync=False, reason="timer at the nominal refresh rate (QWidget "
                               f"painting, no swap synchronised to the display; platform {QApplication.platformName()})")
        self.session.frames = self.frames  # the run's sidecar and the operator window read it
        super().start()

    def needs_frames(self) -> bool:
        return self.phase is not None and self.phase.kind == "flicker" and not self.paused

    def stimulus_warnings(self) -> list[str]:
        return self.paradigm.warnings(self.refresh)

    def _tick(self) -> None:
        if self.needs_frames() and self._flicker_onset is not None:
            due = int((pylsl.local_clock() - self._flicker_onset) * self.refresh)
            if due == self.frame_index:  # the frame on screen is still the current one
                phases = self.session.tick()
                if phases:
                    self._apply(phases)
                self._check_finished()
                return
        super()._tick()

    def repaint_frame(self) -> None:
        """Show the frame due now (luminance from its number ``n`` and the refresh rate) and log it."""
        self.frame_index = int((pylsl.local_clock() - self._flicker_onset) * self.refresh)
        self.repaint()
        if self.frames is not None:
            self.frames.presented(self.frame_index, pylsl.local_clock())

    def on_phase(self, phases: list[Phase]) -> None:
        for ph in phases:
            if ph.kind == "flicker":
                self._flicker_onset = pylsl.local_clock()
                self.frame_index = 0
                if self.frames is not None:
                    self.frames.begin(self._flicker_onset)
                    self.frames.presented(0, self._flicker_onset)
            elif ph.kind in ("resume",) and self._flicker_onset is not None:
                self._flicker_onset = pylsl.local_clock() - self.frame_index / self.refresh
                if self.frames is not None:
                    self.frames.begin(self._flicker_onset)

    def _grid(self) -> list[QRectF]:
        n = len(self.paradigm.frequencies)
        w, h = max(1, self.width()), max(1, self.height())

        def score(c: int) -> tuple[float, int]:  # biggest cells first, then fewest empty cells
            r = math.ceil(n / c)
            return min(w / c, h / r), -(r * c - n)

        cols = max(range(1, n + 1), key=score)
        rows = math.ceil(n / cols)
        cw, rh = self.width() / cols, self.height() / rows
        size = min(cw, rh) * 0.55
        rects = []
        for i in range(n):
            r, c = divmod(i, cols)
            cx, cy = (c + 0.5) * cw, (r + 0.5) * rh
            rects.append(QRectF(cx - size / 2, cy - size / 2, size, size))
        return rects

    def luminances(self) -> np.ndarray:
        """Luminance of each target in frame :attr:`frame_index` (1 outside flicker phases)."""
        n = len(self.paradigm.frequencies)
        if self.phase is None or self.phase.kind != "flicker" or self._flicker_onset is None:
            return np.ones(n)
        return self.paradigm.luminances(self.frame_index, self.refresh)

    def draw(self, p: QPainter, phase: Phase) -> None:
        if phase.kind in ("cue", "flicker", "rest", "baseline"):
            lum = self.luminances()
            target = phase.extra.get("target") if phase.kind in ("cue", "flicker") else None
            rects = self._grid()
            selected = self._selected()
            px = max(8, int(min(self._unit() * 0.03, rects[0].height() * 0.2)))
            f = QFont()
            f.setPixelSize(px)
            p.setFont(f)
            for i, r in enumerate(rects):
                g = int(round(255 * float(lum[i]))) if phase.kind == "flicker" else 128
                p.fillRect(r, QColor(g, g, g))
                if i == selected:
                    p.setPen(QPen(GOOD, max(3.0, r.width() * 0.05)))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(r.adjusted(-r.width() * 0.08, -r.width() * 0.08, r.width() * 0.08, r.width() * 0.08))
                if i == target and phase.kind == "cue":
                    p.setPen(QPen(CUE, max(3.0, r.width() * 0.06)))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(r.adjusted(-r.width() * 0.08, -r.width() * 0.08, r.width() * 0.08, r.width() * 0.08))
                if self.show_labels:
                    p.setPen(FG)
                    below = r.bottom() + r.height() * 0.12  # clear of the cue frame
                    p.drawText(QRectF(r.left() - r.width() * 0.2, below, r.width() * 1.4, px * 1.6),
                               Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                               f"{self.paradigm.frequencies[i]:g} Hz")
        super().draw(p, phase)


    def _selected(self) -> int | None:
        """Index of the target the decoder selects now (clearly above chance), or None."""
        probs = self.feedback()
        if not probs:
            return None
        cls, prob = max(probs.items(), key=lambda kv: kv[1])
        if prob < 1.0 / len(probs) + 0.15:
            return None
        classes = self.paradigm.classes
        return classes.index(cls) if cls in classes else None


def make_stimulus_window(session, refresh_rate: float | None = None) -> StimulusWindow:
    """The window the paradigm's plugin spec names (tag ``stimulus``), for built-in and third-party
    paradigms alike."""
    from bcigui.core.paradigms import stimulus_view
    from bcigui.core.plugins.registry import import_object

    return import_object(stimulus_view(session.paradigm))(session, refresh_rate=refresh_rate)


def run_session_window(session, screen: int | None = None, fullscreen: bool = False,
                       operator: bool = True, refresh_rate: float | None = None) -> None:
    """Run ``session`` with a stimulus window (and an operator window) until it ends."""
    from bcigui.gui.paradigms.operator import OperatorWindow

    app = QApplication.instance() or QApplication([])
    win = make_stimulus_window(session, refresh_rate)
    op = None
    if operator:
        op = OperatorWindow(session)
        op.show()
    win.sessionFinished.connect(app.quit)
    win.show_on(screen, fullscreen)
    for w in win.stimulus_warnings():
        print(f"warning: {w}", flush=True)
    QTimer.singleShot(0, win.start)
    app.exec()
    win.close()
    if op is not None:
        op.close()

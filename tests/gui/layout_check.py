"""What a screenshot test asserts about a window: every visible widget lies inside it, and no label,
button or combo box shows less than its text (a value cut is a value lost)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QComboBox, QLabel, QWidget


def _scrolled(w: QWidget, top: QWidget) -> bool:
    """Inside a scroll area's viewport (or a tab bar's scroller): clipped on purpose."""
    p = w.parentWidget()
    while p is not None and p is not top:
        if isinstance(p.parentWidget(), QAbstractScrollArea) and p is p.parentWidget().viewport():
            return True
        p = p.parentWidget()
    return False


def layout_problems(window: QWidget) -> list[str]:
    """Human-readable list of widgets outside ``window`` and of texts cut by their widget."""
    problems = []
    frame = window.rect()
    for w in window.findChildren(QWidget):
        if (not w.isVisibleTo(window) or w.width() <= 1 or w.height() <= 1 or w.visibleRegion().isEmpty()
                or _scrolled(w, window)):  # hidden, a tab not in front, or clipped by a scroll area
            continue
        name = w.objectName() or type(w).__name__
        rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
        if not frame.adjusted(-1, -1, 1, 1).contains(rect):
            problems.append(f"{name} {rect.getRect()} lies outside the window {frame.getRect()}")
        if isinstance(w, QLabel) and w.text() and not w.wordWrap() and w.pixmap().isNull():
            if w.sizeHint().width() > w.width() + 2:
                problems.append(f"label {w.text()[:40]!r} cut: needs {w.sizeHint().width()} px, has {w.width()}")
        elif isinstance(w, QAbstractButton) and w.text() and w.sizeHint().width() > w.width() + 2:
            problems.append(f"button {w.text()!r} cut: needs {w.sizeHint().width()} px, has {w.width()}")
        elif isinstance(w, QComboBox) and w.currentText():
            need = w.fontMetrics().horizontalAdvance(w.currentText()) + 28  # frame and arrow
            if need > w.width() + 2:
                problems.append(f"combo {w.currentText()[:40]!r} cut: needs {need} px, has {w.width()}")
    return problems


def controls_without_tooltip(window: QWidget) -> list[str]:
    """Buttons, combo boxes, spin boxes and text fields the user can see that explain nothing when
    pointed at (their own tooltip, or their form label's)."""
    from PySide6.QtWidgets import QAbstractSpinBox, QDialogButtonBox, QLineEdit, QWizard

    explained = {id(lab.buddy()) for lab in window.findChildren(QLabel) if lab.buddy() and lab.toolTip()}
    wizards = [window, *window.findChildren(QWizard)] if isinstance(window, QWizard) else window.findChildren(QWizard)
    explained |= {id(wz.button(b)) for wz in wizards for b in QWizard.WizardButton if wz.button(b) is not None}
    missing = []
    for kind in (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit):
        for w in window.findChildren(kind):
            if (not w.isVisibleTo(window) or w.toolTip() or id(w) in explained or w.objectName().startswith("qt_")
                    or isinstance(w.parentWidget(), QAbstractSpinBox | QComboBox)  # a spin box's own field
                    or type(w).__name__ == "QTabBar"
                    or isinstance(w.parentWidget(), QDialogButtonBox)):  # OK, Cancel (and Next, Back): standard
                continue
            missing.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')() or w.objectName()!r}")
    return missing


VIEWS = ("traces", "spectrum", "topomap", "quality")


@contextmanager
def main_window_with_views(qtbot, settings_path, stream_name: str, size: tuple[int, int]) -> Iterator[Any]:
    """The main window at ``size`` reading a simulated 32-channel stream, with the four usual live views
    open (traces opens by itself on connect); the window and the simulator are shut down after."""
    from bcigui.core.plugins import get_registry
    from bcigui.core.stream.simulator import Simulator
    from bcigui.gui.main_window import MainWindow
    from bcigui.gui.settings import Settings

    win = MainWindow(get_registry(), Settings(settings_path), simulate=None)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    sim = Simulator("mi", n_channels=32, srate=250.0, seed=3, name=stream_name).start()
    try:
        win.panel.connect_to(stream_name, markers="none")
        qtbot.waitUntil(lambda: win.panel.acquisition is not None, timeout=20000)
        for view in VIEWS:
            if not any(d.property("view_name") == view for d in win.views):
                win.open_view(view)
        yield win
    finally:
        win.shutdown()
        sim.stop()

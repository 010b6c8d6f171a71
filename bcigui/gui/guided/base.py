"""Shared pieces of the guided session's pages: styles, labels, the page and run-page bases."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QVBoxLayout,
    QWizardPage,
)

GOOD_STYLE = "color: #1e8449; font-size: 16pt; font-weight: bold;"
BAD_STYLE = "color: #b03a2e; font-size: 16pt; font-weight: bold;"
ERROR_STYLE = "color: #c0392b;"

#: What the clinician chooses: (label, paradigm plugin, fixed parameters).
TASKS = (
    ("Motor imagery: left hand or right hand", "mi", {"classes": "left_hand,right_hand"}),
    ("Motor imagery: left hand, right hand or both feet", "mi", {"classes": "left_hand,right_hand,feet"}),
    ("Visual attention (SSVEP): three flickering targets", "ssvep", {"frequencies": "13,17,21"}),
)


def minutes(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s"


def text_label(text: str = "", style: str = "") -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if style:
        lab.setStyleSheet(style)
    return lab


def screen_box() -> QComboBox:
    box = QComboBox()
    box.setToolTip("The screen the patient looks at")
    for i, scr in enumerate(QGuiApplication.screens()):
        geo = scr.geometry()
        box.addItem(f"Screen {i + 1}: {scr.name()} ({geo.width()}×{geo.height()})", i)
    box.setCurrentIndex(box.count() - 1)  # a second screen, when there is one, faces the patient
    return box


class GuidedPage(QWizardPage):
    """A page that can stop what it runs when the wizard closes."""

    def __init__(self, wizard: Any, title: str, subtitle: str) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.lay = QVBoxLayout(self)

    def stop(self) -> None:
        """Stop timers and running work (the wizard is closing)."""


# ------------------------------------------------------------------------------------------ 1. patient
class RunPage(GuidedPage):
    """Shared by the calibration and feedback pages: a run on screen, then saved.

    Subclasses provide ``paradigm()`` (the run's paradigm from the page's settings) and a
    ``duration`` label, which :meth:`_show_duration` fills.
    """

    def _show_duration(self, *_: Any) -> None:
        try:
            p = self.paradigm()
        except (ValueError, TypeError, OSError) as err:
            self.duration.setText(f"<span style='{ERROR_STYLE}'>{err}</span>")
            return
        self.duration.setText(f"{p.n_trials()} trials, about <b>{minutes(p.total_duration())}</b>.")

    def _start_run(self, session: Any) -> None:
        from bcigui.gui.paradigms.run import SessionWindows

        self.windows = SessionWindows(session, self.w.state.get("screen"), self.w.state.get("fullscreen", False),
                                      self)
        self.windows.finished.connect(self._run_saved)
        self.windows.failed.connect(lambda err: self._run_failed(f"Saving the run failed: {err}"))
        self.windows.start()
        self.running = True
        self.completeChanged.emit()

    def _run_failed(self, message: str) -> None:
        self.running = False
        self.status.setText(message)
        self.status.setStyleSheet(ERROR_STYLE)
        self.start_button.setEnabled(True)
        self.completeChanged.emit()

    def _run_saved(self, path: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        windows = getattr(self, "windows", None)
        if windows is not None and getattr(self, "running", False):
            windows.abort()

    def _session_info(self) -> Any:
        from bcigui.core.recording.session import SessionInfo

        return SessionInfo(self.w.subject, self.w.session, extra={"bads": self.w.state.get("bads", []),
                                                                   "guided": True})

    def _outlet_args(self) -> tuple[Any, bool]:
        from bcigui.core.recording.session import reads_outlet

        outlet = getattr(self.w.host, "session_outlet", None)
        if outlet is None:
            from bcigui.core.paradigms.outlet import MarkerOutlet

            outlet = MarkerOutlet()
        return outlet, not reads_outlet(self.w.acquisition, outlet, 3.0)



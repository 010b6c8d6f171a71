"""Run a prepared session (calibration or feedback) in the app: stimulus window, operator window,
then save off the GUI thread."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class SessionWindows(QObject):
    """The stimulus window (on ``screen``, full screen if asked) and the operator window of ``session``."""

    finished = Signal(str)  # path of the saved run
    failed = Signal(str)

    def __init__(self, session: Any, screen: int | None = None, fullscreen: bool = False,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.screen, self.fullscreen = session, screen, fullscreen
        self.stimulus = None
        self.operator = None

    def start(self) -> None:
        from bcigui.gui.paradigms.operator import OperatorWindow
        from bcigui.gui.paradigms.stimulus import make_stimulus_window

        self.stimulus = make_stimulus_window(self.session)
        self.operator = OperatorWindow(self.session)
        self.operator.show()
        self.stimulus.sessionFinished.connect(self._finish)
        self.stimulus.show_on(self.screen, self.fullscreen)
        self.stimulus.start()

    def abort(self) -> None:
        self.session.abort()

    def _finish(self) -> None:
        from bcigui.gui.workers import run_in_thread

        for w in (self.stimulus, self.operator):
            if w is not None:
                w.close()
        run_in_thread(self.session.finish, on_done=lambda path: self.finished.emit(str(path)),
                      on_error=lambda err, tb: self.failed.emit(str(err)))

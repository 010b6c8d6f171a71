"""What the analysis panels share to run core work off the GUI thread: progress, cancel, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bcigui.core.cancel import Cancelled
from bcigui.gui.workers import Task, run_in_thread


class TaskPanel:
    """Mixin for a panel with ``progress`` (QProgressBar), ``status`` (QLabel), ``task``, a
    ``failed(str)`` signal and ``_update_enabled()``; one task at a time, reported in the progress
    bar and the status line."""

    task: Task | None
    cancelling_text = "Cancelling…"
    cancelled_text = "Cancelled."

    def _run(self, fn: Callable[..., Any], *args: Any, status: str, on_done: Callable[[Any], None],
             **kwargs: Any) -> None:
        self.progress.setValue(0)
        self.status.setText(status)
        self.task = run_in_thread(fn, *args, progress=True, on_done=on_done, on_error=self._failed,
                                  on_progress=self._progress, on_cancelled=self._cancelled, **kwargs)
        self._update_enabled()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.status.setText(self.cancelling_text)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(100 * fraction)))
        if message:
            self.status.setText(message)

    def _cancelled(self) -> None:
        self.task = None
        self.progress.setValue(0)
        self.status.setText(self.cancelled_text)
        self._update_enabled()

    def _failed(self, err: BaseException, _tb: str = "") -> None:
        if isinstance(err, Cancelled):
            self._cancelled()
            return
        self.task = None
        self.status.setText(f"⚠ {err}")
        self._update_enabled()
        self.failed.emit(str(err))

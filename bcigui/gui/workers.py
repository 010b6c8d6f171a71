"""Run long core work off the GUI thread, with progress reports and a cancel flag.

The core never sees Qt: a function run with ``progress=True`` receives two keyword arguments,
``progress(fraction, message="")`` (a plain callable) and ``cancel`` (a :class:`threading.Event`
it may poll). Callbacks (``on_done``, ``on_error``, ``on_progress``, ``on_cancelled``) always run
in the GUI thread.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_LIVE: set[Task] = set()  # tasks whose callbacks are still pending (keeps them alive)


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from the worker are queued to it."""

    done = Signal(object)
    failed = Signal(object, str)
    progress = Signal(float, str)
    cancelled = Signal()


class Task(QRunnable):
    """One function call on the shared thread pool. Create it with :func:`run_in_thread`."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict, with_progress: bool) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.with_progress = with_progress
        self.cancel_event = threading.Event()
        self.finished = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.signals = _Relay()

    def cancel(self) -> None:
        """Ask the function to stop (it polls ``cancel.is_set()``); ``on_done`` is then not called."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def _emit(self, signal_name: str, *args: Any) -> None:
        try:
            getattr(self.signals, signal_name).emit(*args)
        except RuntimeError:  # the receiver is gone (application closing): nothing to deliver
            pass

    def _report(self, fraction: float, message: str = "") -> None:
        self._emit("progress", float(fraction), str(message))

    def run(self) -> None:  # worker thread
        kwargs = dict(self.kwargs)
        if self.with_progress:
            kwargs.update(progress=self._report, cancel=self.cancel_event)
        try:
            self.result = self.fn(*self.args, **kwargs)
        except BaseException as err:  # reported to the GUI, never lost
            self.error = err
            self._emit("failed", err, "".join(traceback.format_exception(err)))
        else:
            self._emit("cancelled" if self.cancel_event.is_set() else "done", *(
                () if self.cancel_event.is_set() else (self.result,)))
        finally:
            self.finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the function returned (callbacks may still be queued); ``True`` if it did."""
        return self.finished.wait(timeout)


def wait_for_all(timeout: float = 5.0) -> bool:
    """Wait for running tasks of the global pool (at application exit); ``True`` if all ended."""
    return QThreadPool.globalInstance().waitForDone(int(timeout * 1000))


def run_in_thread(
    fn: Callable[..., Any],
    *args: Any,
    progress: bool = False,
    on_done: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException, str], None] | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Task:
    """Call ``fn(*args, **kwargs)`` on a thread pool; return the :class:`Task` (``.cancel()``).

    ``on_error(exception, traceback_text)`` receives any exception raised by ``fn``. With
    ``progress=True`` the function also receives ``progress=`` and ``cancel=`` (see module doc).
    Must be called from the GUI thread (the thread whose event loop delivers the callbacks).
    """
    task = Task(fn, args, kwargs, progress)
    sig = task.signals

    def _release(*_: Any) -> None:
        _LIVE.discard(task)

    if on_done is not None:
        sig.done.connect(on_done)
    if on_error is not None:
        sig.failed.connect(on_error)
    if on_progress is not None:
        sig.progress.connect(on_progress)
    if on_cancelled is not None:
        sig.cancelled.connect(on_cancelled)
    for s in (sig.done, sig.failed, sig.cancelled):
        s.connect(_release)
    _LIVE.add(task)
    (pool or QThreadPool.globalInstance()).start(task)
    return task


__all__ = ["Task", "run_in_thread", "wait_for_all"]

"""The one cancellation exception of long core work (extraction, evaluation, training)."""

from __future__ import annotations

import threading


class Cancelled(RuntimeError):
    """Raised by long work when its ``cancel`` event is set (the user pressed Cancel)."""


def check_cancel(cancel: threading.Event | None, what: str = "work") -> None:
    """Raise :class:`Cancelled` if ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{what} cancelled by the user")

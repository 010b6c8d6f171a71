"""Lifecycle shared by the sources that push LSL outlets from a background thread."""

from __future__ import annotations

import threading
from typing import Any, Self


class OutletPusher:
    """Start/stop/context-manager plumbing; subclasses open outlets in ``_open`` and push in ``_run``."""

    name: str
    _kind = "Pusher"  # for messages and thread names

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._outlets: Any = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _open(self) -> None:
        """Create the outlets (``self._outlets``) and initialise timing before the thread starts."""
        raise NotImplementedError

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError(f"{self._kind} already started (create a new one to start again)")
        self._open()
        self._thread = threading.Thread(target=self._run, name=f"{self._kind}[{self.name}]", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self._outlets = None  # releases the outlets (streams disappear)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""LSL marker outlet of the calibration sessions (irregular rate, one string channel)."""

from __future__ import annotations

import os
import socket

import pylsl

DEFAULT_NAME = "bcigui-markers"


_OPENED: dict[str, int] = {}  # outlets opened per name in this process


def instance_source_id(name: str) -> str:
    """``name@host:pid``: unique per app instance on the network.

    Two bcigui instances never share it (so a recording never takes another instance's markers for
    its own). The app opens one session outlet for its lifetime and every run pushes there, so its
    readers (the acquisition, a virtual subject) stay connected from run to run.
    """
    return f"{name}@{socket.gethostname()}:{os.getpid()}"


def _next_source_id(name: str) -> str:
    """The instance's id for the first outlet of ``name``; ``#2``, ``#3``... for later ones."""
    _OPENED[name] = _OPENED.get(name, 0) + 1
    n = _OPENED[name]
    return instance_source_id(name) + (f"#{n}" if n > 1 else "")


class MarkerOutlet:
    """Pushes markers stamped with the local LSL clock; keeps what it pushed (``history``)."""

    def __init__(self, name: str = DEFAULT_NAME, source_id: str = "") -> None:
        self.source_id = source_id or _next_source_id(name)
        info = pylsl.StreamInfo(name, "Markers", 1, pylsl.IRREGULAR_RATE, "string", self.source_id)
        info.desc().append_child_value("manufacturer", "bcigui")
        self.name = name
        self._outlet = pylsl.StreamOutlet(info)
        self.history: list[tuple[float, str]] = []

    def push(self, label: str, timestamp: float | None = None) -> float:
        """Push ``label`` stamped ``timestamp`` (default: now); return the stamp."""
        t = pylsl.local_clock() if timestamp is None else float(timestamp)
        self._outlet.push_sample([str(label)], t)
        self.history.append((t, str(label)))
        return t

    def push_many(self, labels: list[str] | tuple[str, ...], timestamp: float | None = None) -> float:
        """Push several markers with one common stamp (events shown on the same frame)."""
        t = pylsl.local_clock() if timestamp is None else float(timestamp)
        for label in labels:
            self.push(label, t)
        return t

    def description(self, timeout: float = 2.0):
        """This outlet's ``StreamDescription`` (resolved by name and unique source_id)."""
        from bcigui.core.stream.lsl import StreamDescription, resolve_infos

        infos = resolve_infos(self.name, self.source_id, timeout=timeout)
        if not infos:
            raise RuntimeError(f"marker outlet {self.name!r} is not visible on the network (LSL) "
                               f"after {timeout:g} s")
        return StreamDescription.from_info(infos[0])

    def have_consumers(self) -> bool:
        return bool(self._outlet.have_consumers())

    def wait_for_consumers(self, timeout: float) -> bool:
        return bool(self._outlet.wait_for_consumers(timeout))

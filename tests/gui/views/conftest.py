"""Live sources for the view tests: a real RingBuffer + MarkerList filled with simulated EEG."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.markers import MarkerList


@dataclass
class LiveSource:
    """The five attributes a view needs, backed by real core components."""

    buffer: RingBuffer
    markers: MarkerList
    sfreq: float
    ch_names: list[str]
    t0: float = 1000.0
    events: list = field(default_factory=list)

    def stats(self) -> dict:
        return {"samples": self.buffer.n_written}

    def push(self, data: np.ndarray) -> None:
        """Append samples ``(n, ch)`` with regular timestamps."""
        i0 = self.buffer.n_written
        ts = self.t0 + (i0 + np.arange(data.shape[0])) / self.sfreq
        self.buffer.write(np.asarray(data, np.float32), ts)

    def time_of(self, index: int) -> float:
        return self.t0 + index / self.sfreq


def simulated(n_channels: int = 32, sfreq: float = 250.0, seconds: float = 20.0, seed: int = 0):
    """``(data (n, ch) volts, ch_names, events)`` from the core simulator."""
    from bcigui.core.stream.simulator import generate

    sim = generate("mi", n_channels=n_channels, srate=sfreq, seconds=seconds, seed=seed)
    return sim.data.astype(np.float32), list(sim.ch_names), list(sim.events)


def make_source(n_channels: int = 32, sfreq: float = 250.0, seconds: float = 20.0, seed: int = 0,
                buffer_seconds: float = 60.0, fill: bool = True) -> LiveSource:
    data, names, events = simulated(n_channels, sfreq, seconds, seed)
    src = LiveSource(RingBuffer(n_channels, int(buffer_seconds * sfreq)), MarkerList(), sfreq, names,
                     events=events)
    if fill:
        src.push(data)
        for idx, label in events:
            src.markers.append(src.time_of(idx), label)
    return src


@pytest.fixture
def mi_source() -> LiveSource:
    return make_source()


@pytest.fixture
def live_source_cls():
    return LiveSource


@pytest.fixture
def source_factory():
    """``make_source(n_channels, sfreq, seconds, seed, buffer_seconds, fill)``."""
    return make_source


@pytest.fixture
def shown(qtbot):
    """Show a view offscreen at a given size, process one frame, return it."""

    def show(view, width: int = 1200, height: int = 800):
        qtbot.addWidget(view)
        view.resize(width, height)
        view.show()
        qtbot.waitExposed(view)
        view.refresh()
        return view

    return show

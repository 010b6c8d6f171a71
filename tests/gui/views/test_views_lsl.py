"""Views on real LSL streams: nothing is lost while the GUI thread is blocked; simulator end to end."""

from __future__ import annotations

import threading
import time

import numpy as np
import pylsl
import pytest

from bcigui.core.stream.acquisition import Acquisition
from bcigui.gui.views.trace import TraceView


class _IndexOutlet:
    """Regular LSL outlet whose channel 0 is the sample index (the rest is noise)."""

    def __init__(self, name: str, n_ch: int, sfreq: float) -> None:
        info = pylsl.StreamInfo(name, "EEG", n_ch, sfreq, "float32", name)
        self.outlet = pylsl.StreamOutlet(info, chunk_size=10)
        self.n_ch, self.sfreq, self.pushed = n_ch, sfreq, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        t0 = time.perf_counter()
        while not self._stop.wait(0.01):
            due = int((time.perf_counter() - t0) * self.sfreq)
            n = due - self.pushed
            if n > 0:
                chunk = (rng.standard_normal((n, self.n_ch)) * 10).astype(np.float32)
                chunk[:, 0] = np.arange(self.pushed, due)
                self.outlet.push_chunk(chunk)
                self.pushed = due

    def start(self) -> _IndexOutlet:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def test_no_sample_lost_while_gui_thread_is_blocked(qtbot, unique_name):
    src = _IndexOutlet(unique_name, 64, 1000.0)
    acq = Acquisition(unique_name, markers=None, buffer_seconds=30.0, timeout=5.0).start()
    try:
        deadline = time.monotonic() + 5  # the inlet must be open before the first sample is pushed
        while not src.outlet.have_consumers() and time.monotonic() < deadline:
            time.sleep(0.02)
        src.start()
        view = TraceView(acq, window_s=5, fps=30)
        qtbot.addWidget(view)
        view.resize(1000, 700)
        view.show()
        qtbot.waitUntil(lambda: view.model.end > 500, timeout=10_000)
        frames = view.frames
        before = acq.buffer.n_written
        time.sleep(2.0)  # the GUI thread is busy: no frame, no event processing
        assert view.frames == frames
        qtbot.waitUntil(lambda: view.frames > frames + 3, timeout=5000)
        src.stop()
        qtbot.waitUntil(lambda: acq.buffer.n_written == src.pushed, timeout=10_000)
        assert src.pushed - before > 1800  # the outlet kept streaming during the block
        data, _ = acq.buffer.get_data(None)
        idx = data[:, 0].astype(np.int64)
        assert idx[0] == 0 and idx[-1] == src.pushed - 1
        assert np.all(np.diff(idx) == 1), "samples lost or duplicated"
        qtbot.waitUntil(lambda: view.model.end == acq.buffer.n_written, timeout=5000)
        np.testing.assert_array_equal(view.model.display_data(3000)[:, 0], data[-3000:, 0])
    finally:
        acq.stop()
        src.stop() if src._thread.is_alive() else None


def test_trace_view_on_the_lsl_simulator(qtbot, unique_name, screenshot_dir):
    sim_mod = pytest.importorskip("bcigui.core.stream.simulator")
    sim = sim_mod.Simulator("mi", n_channels=16, srate=250.0, seed=1, name=unique_name).start()
    acq = Acquisition(unique_name, markers=[f"{unique_name}-markers"], buffer_seconds=30.0, timeout=5.0).start()
    try:
        view = TraceView(acq, window_s=10)
        qtbot.addWidget(view)
        view.resize(1100, 600)
        view.show()
        qtbot.waitUntil(lambda: len(view.marker_positions) > 0, timeout=12_000)
        assert view.ch_names == sim.ch_names and view.model.end > 250
        # the marker is drawn where its sample is: compare with the simulator's ground truth
        ts, label = sim.ground_truth[0]
        x = dict((lab, x) for x, lab in view.marker_positions)[label]
        newest_ts = view.model.times(view.model.end - 1, view.model.end)[0]
        assert x == pytest.approx(ts - newest_ts - 1 / 250.0, abs=0.02)
        view.grab().save(str(screenshot_dir / "trace_lsl_simulator.png"))
    finally:
        acq.stop()
        sim.stop()

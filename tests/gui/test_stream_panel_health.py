"""The stream panel names what makes a live stream unusable (here: a channel at 50 mV) and clears it
when the signal is good again; a calibration run stores what was seen."""

from __future__ import annotations

import threading
import time

import numpy as np
import pylsl

from bcigui.core.stream.lsl import make_stream_info
from bcigui.gui.app import apply_theme
from bcigui.gui.stream_panel import StreamPanel

NAMES = ["C3", "Cz", "C4", "Pz"]


class _Source:
    """A real LSL outlet at 100 Hz in microvolts; ``loud`` puts 50 mV on C4."""

    def __init__(self, name: str) -> None:
        self.outlet = pylsl.StreamOutlet(make_stream_info(name, "EEG", NAMES, 100.0, source_id=name))
        self.loud = True
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        rng = np.random.default_rng(0)
        while not self.stop.wait(0.05):
            x = rng.normal(0, 10, (5, len(NAMES))).astype(np.float32)  # µV
            if self.loud:
                x[:, 2] = 50_000.0
            self.outlet.push_chunk(x)


def test_panel_names_an_implausible_channel_and_clears_it(qtbot, unique_name, screenshot_dir):
    apply_theme("light")
    source = _Source(unique_name)
    panel = StreamPanel()
    qtbot.addWidget(panel)
    panel.resize(520, 560)
    panel.show()
    messages: list[str] = []
    panel.message.connect(messages.append)
    try:
        panel.connect_to(unique_name, markers=None)
        qtbot.waitUntil(lambda: panel.indicator.text.text() == "Data unusable", timeout=15000)
        reason = panel.indicator.reason.text()
        assert "C4" in reason and "5e+04 µV" in reason and "Cz" not in reason, reason
        assert panel.indicator.level == "error"
        assert any(m.startswith("Signal problem: channel(s) C4") for m in messages)
        panel.grab().save(str(screenshot_dir / "stream-panel-health.png"))
        source.loud = False
        qtbot.waitUntil(lambda: panel.indicator.text.text() == "Receiving data", timeout=10000)
        assert any(m.startswith("Signal problem gone") for m in messages)
        assert [h["kind"] for h in panel.health.history] == ["amplitude"]
    finally:
        source.stop.set()
        panel.shutdown()
    assert panel.health is None  # stopped with the stream
    time.sleep(0.1)

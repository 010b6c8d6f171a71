"""The analysis data step filters events by the stream they came from (FIF annotation extras)."""

from __future__ import annotations

import mne
import numpy as np

from bcigui.core.data.recordings import load_recording
from bcigui.gui.analysis.dataset_panel import DatasetPanel


def test_events_filtered_by_source_stream(qtbot, tmp_path):
    info = mne.create_info(["C3", "Cz", "C4"], 100.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 3000)), info, verbose="error")
    raw.set_annotations(mne.Annotations(
        [1.0, 2.0, 3.0, 4.0], 0.0, ["cue/left_hand", "cue/feet", "cue/right_hand", "cue/feet"],
        extras=[{"stream": "ours"}, {"stream": "theirs"}, {"stream": "ours"}, {"stream": "theirs"}]))
    path = tmp_path / "two_sources_raw.fif"
    raw.save(path, verbose="error")
    rec = load_recording(path)
    assert rec.event_streams() == ["ours", "theirs"]
    assert [e.description for e in rec.from_streams({"ours"}).events] == ["cue/left_hand", "cue/right_hand"]

    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.add_files([path])
    qtbot.waitUntil(lambda: len(panel.recordings) == 1, timeout=10000)
    assert [panel.source.itemText(i) for i in range(panel.source.count())] == ["every stream", "ours", "theirs"]
    assert panel.event_map() == {"cue/feet": "feet", "cue/left_hand": "left_hand", "cue/right_hand": "right_hand"}
    panel.source.setCurrentIndex(1)
    labels = [panel.events.item(r, 0).text() for r in range(panel.events.rowCount())]
    assert labels == ["cue/left_hand", "cue/right_hand"]
    assert [e.description for e in panel.selected_recordings()[0].events] == ["cue/left_hand", "cue/right_hand"]


def test_only_cues_are_listed_unless_asked(qtbot, tmp_path):
    info = mne.create_info(["C3", "Cz", "C4"], 100.0, "eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(0, 1e-5, (3, 3000)), info, verbose="error")
    labels = ["fixation", "beep", "cue/left_hand", "imagery/start", "imagery/end", "cue/right_hand", "trial/end"]
    raw.set_annotations(mne.Annotations(np.arange(1.0, 8.0), 0.0, labels))
    path = tmp_path / "calibration_raw.fif"
    raw.save(path, verbose="error")
    panel = DatasetPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.add_files([path])
    qtbot.waitUntil(lambda: len(panel.recordings) == 1, timeout=10000)

    def shown():
        return [panel.events.item(r, 0).text() for r in range(panel.events.rowCount()) if not panel.events.isRowHidden(r)]

    assert shown() == ["cue/left_hand", "cue/right_hand"] and panel.show_all.isVisible()
    panel.show_all.setChecked(True)
    assert len(shown()) == 7
    panel.events.item([panel.events.item(r, 0).text() for r in range(7)].index("beep"), 1).setText("x")
    panel.show_all.setChecked(False)
    assert "beep" in shown()  # a row the user gave a class stays in view
    assert panel.event_map()["beep"] == "x"

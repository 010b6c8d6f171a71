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

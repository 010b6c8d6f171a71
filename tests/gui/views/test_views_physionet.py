"""Views on a real recording: PhysioNet EEGMMIDB S001R04 (64 ch, 160 Hz, T0/T1/T2 annotations)."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.markers import MarkerList
from bcigui.gui.views.topomap import TopomapView
from bcigui.gui.views.trace import TraceView


@pytest.fixture(scope="module")
def physionet(shared_data):
    import mne

    from tests.conftest import physionet_file

    raw = mne.io.read_raw_edf(physionet_file(1, 4), preload=True, verbose="error")
    return raw


def _source(LiveSource, raw, seconds: float = 40.0):  # noqa: N803 (a class)
    sf = raw.info["sfreq"]
    n = int(seconds * sf)
    data = raw.get_data()[:, :n].T.astype(np.float32)
    src = LiveSource(RingBuffer(data.shape[1], n), MarkerList(), sf, list(raw.ch_names))
    src.push(data)
    for onset, desc in zip(raw.annotations.onset, raw.annotations.description, strict=True):
        if onset < seconds:
            src.markers.append(src.time_of(int(round(onset * sf))), desc)
    return src, raw.annotations


def test_trace_view_shows_real_eeg_and_its_annotations(physionet, live_source_cls, shown, screenshot_dir):
    src, ann = _source(live_source_cls, physionet)
    view = shown(TraceView(src, window_s=20, channels_per_page=32), 1400, 900)
    assert view.n_pages() == 2
    end_s = src.buffer.n_written / src.sfreq
    expected = sorted(o - end_s for o in ann.onset if end_s - 20 <= o < end_s)
    got = sorted(x for x, _ in view.marker_positions)
    assert got == pytest.approx(expected, abs=1.0 / src.sfreq)
    assert {label for _, label in view.marker_positions} <= {"T0", "T1", "T2"}
    view.set_filters(bandpass=(1.0, 40.0), notch=60.0, car=True)
    view.refresh()
    view.grab().save(str(screenshot_dir / "trace_physionet_S001R04.png"))


def test_topomap_places_all_physionet_channels(physionet, live_source_cls, shown, screenshot_dir):
    src, _ = _source(live_source_cls, physionet, 10.0)
    view = shown(TopomapView(src, seconds=4), 600, 600)
    assert len(view.picks) == 64  # 'Fc5.', 'Cz..' etc. matched to standard_1005
    assert np.isfinite(view.grid_values[view._inside]).all()
    view.grab().save(str(screenshot_dir / "topomap_physionet_S001R04.png"))

"""A recording of any length is written in bounded memory, with the same samples, gaps and marker
onsets as the whole-array computation."""

from __future__ import annotations

import tracemalloc

import mne
import numpy as np
import pytest

from bcigui.core.recording import timeline as tl
from bcigui.core.recording.export import finalize, read_bcirec, to_raw
from bcigui.core.recording.timeline import Timeline
from bcigui.core.recording.writer import RecordingWriter


def _reference(data, times, marker_times, sfreq):
    """Filled samples, times and gaps computed on whole arrays (what the timeline must reproduce)."""
    pieces, tpieces, gaps, start = [], [], [], 0
    d = np.diff(times)
    for i in np.flatnonzero(d > 2.5 / sfreq):
        pieces.append(data[start:i + 1])
        tpieces.append(times[start:i + 1])
        n_miss = int(round(d[i] * sfreq)) - 1
        gaps.append((times[i] + 1 / sfreq, max(n_miss, 1) / sfreq))
        frac = np.arange(1, n_miss + 1) / (n_miss + 1)
        pieces.append(data[i] + (data[i + 1] - data[i]) * frac[:, None])
        tpieces.append(times[i] + (times[i + 1] - times[i]) * frac)
        start = i + 1
    pieces.append(data[start:])
    tpieces.append(times[start:])
    data, times = np.concatenate(pieces), np.concatenate(tpieces)
    end = max(marker_times)
    if end > times[-1] + 0.5 / sfreq:
        n = int(np.floor((end - times[-1]) * sfreq)) + 1
        gaps.append((times[-1] + 1 / sfreq, n / sfreq))
        data = np.concatenate([data, np.repeat(data[-1:], n, axis=0)])
        times = np.concatenate([times, times[-1] + np.arange(1, n + 1) / sfreq])
    return data, times, gaps


@pytest.mark.parametrize("seed", range(40))
def test_timeline_equals_whole_array_filling(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    sfreq = float(rng.choice([100.0, 160.0, 1000.0]))
    n = int(rng.integers(3, 400))
    step = np.ones(n) / sfreq * (1 + rng.normal(0, 0.05, n))
    for _ in range(rng.integers(0, 6)):  # outages of 3 to 50 samples
        step[rng.integers(1, n)] = rng.choice([3, 5, 10, 50]) / sfreq
    if seed % 10 == 0:  # a stream delivering a quarter of its declared rate: every sample is a jump
        step[:] = 4 / sfreq
    times = 1000 + np.cumsum(step)
    data = rng.normal(size=(n, 3))
    marks = list(times[0] + rng.uniform(-1, times[-1] - times[0] + 2, size=4))
    monkeypatch.setattr(tl, "SCAN_BLOCK", int(rng.integers(1, 60)))  # jumps across scan blocks
    expected, t_filled, gaps = _reference(data, times, marks, sfreq)
    line = Timeline.build(times, sfreq, marks)
    assert line.n_times == len(expected)
    assert np.allclose(line.gaps, gaps)
    assert np.allclose(line.read(data, 0, line.n_times), expected)
    a, b = sorted(rng.integers(0, line.n_times + 1, 2))
    assert np.allclose(line.read(data, a, b), expected[a:b])
    inside = np.interp(marks, t_filled, np.arange(len(t_filled)))
    inside = np.where(np.array(marks) < times[0], (np.array(marks) - times[0]) * sfreq, inside)
    assert np.allclose(line.onsets(np.array(marks), times), inside / sfreq)


def _long_recording(path, root, seconds, n_ch=64, sfreq=1000.0):
    w = RecordingWriter(path, [f"EEG{i:02d}" for i in range(n_ch)], sfreq, meta={
        "subject": "01", "bids": {"root": str(root), "subject": "01", "session": None, "task": "mi", "run": 1}})
    rng = np.random.default_rng(0)
    for s in range(0, int(seconds * sfreq), 10_000):
        idx = np.arange(s, s + 10_000)
        keep = (idx < 5_000) | (idx >= 5_300)  # one 0.3-s outage
        w.append((rng.standard_normal((10_000, n_ch)) * 1e-5).astype(np.float32)[keep], 1000 + idx[keep] / sfreq)
        w.add_marker(1000 + s / sfreq + 0.5, "cue/left_hand")
    w.close()
    return path


def _peak_mb(path) -> float:
    tracemalloc.start()
    try:
        finalize(path)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def test_final_write_memory_does_not_grow_with_length(tmp_path):
    _peak_mb(_long_recording(tmp_path / "warm.bcirec", tmp_path / "warm", 10))  # imports are not the point
    short = _peak_mb(_long_recording(tmp_path / "short.bcirec", tmp_path / "a", 60))
    long = _peak_mb(_long_recording(tmp_path / "long.bcirec", tmp_path / "b", 300))
    data_mb = 64 * 1000 * 4 / 1e6  # per second of recording
    # samples pass through in 1-s blocks; what grows is MNE's time axis (8 bytes a sample, whatever the
    # number of channels), not the data (256 bytes a sample here)
    assert long - short < 240 * data_mb / 10, (short, long)
    assert long < 300 * data_mb / 8, long
    out = tmp_path / "b/sub-01/eeg/sub-01_task-mi_run-01_eeg.vhdr"
    back = mne.io.read_raw(out, preload=False, verbose="error")
    assert back.n_times == 300_000  # the outage is filled: the file keeps the LSL time axis
    ref = to_raw(read_bcirec(tmp_path / "long.bcirec"))
    assert np.allclose(back.get_data(start=4_900, stop=5_400), ref.get_data(start=4_900, stop=5_400), atol=1e-11)
    copy = mne.io.read_raw_fif(tmp_path / "long_eeg.fif", preload=False, verbose="error")
    assert np.array_equal(copy.get_data(start=299_000), ref.get_data(start=299_000))
    assert list(back.annotations.description).count("Comment/cue/left_hand") == 30

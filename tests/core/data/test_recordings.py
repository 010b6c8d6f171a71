"""Loading recordings of each format and epoching them."""

from __future__ import annotations

import mne
import numpy as np
import pytest

from bcigui.core.data import find_bad_epochs, load_recording, load_recordings, make_epochs, parse_event_map
from bcigui.core.signal.filters import CausalFilter, FilterSpec
from tests.conftest import KALUNGA, physionet_file


def test_physionet_edf_names_events_montage():
    rec = load_recording(physionet_file(1, 4))
    assert rec.sfreq == 160
    assert len(rec.ch_names) == 64 and "C3" in rec.ch_names and "FCz" in rec.ch_names
    assert {"T0", "T1", "T2"} <= set(rec.event_labels())
    assert rec.raw.get_montage() is not None


def test_kalunga_fif_reads_sibling_event_file():
    path = sorted((KALUNGA / "subject01").glob("*_raw.fif"))[0]
    rec = load_recording(path)
    assert rec.ch_names[:3] == ["Oz", "O1", "O2"]
    codes = [e.description for e in rec.events]
    assert len(codes) == 32 and set(codes) == {"1", "2", "3", "4"}
    ep = make_epochs([rec], parse_event_map("1=rest,2=13,4=17,3=21"), 2.0, 4.0, FilterSpec(5, 45))
    assert ep.X.shape == (32, 8, 512)
    assert ep.counts() == {"rest": 8, "13": 8, "17": 8, "21": 8}


def test_physionet_three_runs_keep_run_index():
    recs = load_recordings([physionet_file(1, r) for r in (4, 8, 12)])
    ep = make_epochs(recs, parse_event_map("T1=left,T2=right"), 0.0, 3.0, FilterSpec(8, 30))
    assert ep.X.shape == (45, 64, 480)
    assert sorted(set(ep.runs.tolist())) == [0, 1, 2]
    assert ep.classes == ["left", "right"]
    assert abs(ep.counts()["left"] - ep.counts()["right"]) <= 3


def test_offline_epochs_equal_online_chunked_filtering():
    """Epochs come from the same causal filter that runs chunk by chunk online."""
    rec = load_recording(physionet_file(1, 4))
    spec = FilterSpec(8, 30, notch=50, reference="average")
    ep = make_epochs([rec], {"T1": "left"}, 0.5, 2.5, spec)
    data = rec.raw.get_data().T
    filt = CausalFilter(spec, rec.sfreq, data.shape[1])
    online = np.vstack([filt.process(data[i : i + 13]) for i in range(0, len(data), 13)])
    onset = next(e.onset for e in rec.events if e.description == "T1")
    start = int(round((onset + 0.5) * rec.sfreq))
    np.testing.assert_allclose(ep.X[0], online[start : start + ep.X.shape[2]].T, atol=1e-12)


def test_brainvision_and_edf_round_trip(tmp_path):
    rec = load_recording(physionet_file(1, 4))
    raw = rec.raw.copy().crop(0, 30)
    for ext in ("vhdr", "edf"):
        out = tmp_path / f"x.{ext}"
        mne.export.export_raw(out, raw, overwrite=True, verbose="error")
        back = load_recording(out)
        assert back.ch_names == raw.ch_names
        assert [e.description for e in back.events][:5] == [e.description for e in rec.events][:5]
        np.testing.assert_allclose(back.raw.get_data()[:, :100], raw.get_data()[:, :100], atol=2e-6)


def test_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="Recording not found"):
        load_recording(tmp_path / "missing.edf")
    bad = tmp_path / "x.txt"
    bad.write_text("hello")
    with pytest.raises(ValueError, match="Unsupported recording format"):
        load_recording(bad)
    rec = load_recording(physionet_file(1, 4))
    with pytest.raises(ValueError, match=r"events found in the data: \['T0', 'T1', 'T2'\]"):
        make_epochs([rec], {"left_hand": "left"}, 0, 1)
    with pytest.raises(ValueError, match="EVENT=class"):
        parse_event_map("=x")


def test_bad_epochs_flag_amplitude_and_nan():
    X = np.zeros((3, 2, 10))
    X[1, 0, 3] = 500e-6
    X[2, 1, 1] = np.nan
    assert find_bad_epochs(X, 150e-6).tolist() == [False, True, True]


def test_xdf_eeg_and_markers(tmp_path):
    from bcigui.core.data.xdf import XdfStream, write_xdf

    sf, n = 250.0, 2500
    rng = np.random.default_rng(1)
    data_uv = rng.standard_normal((n, 3)) * 10
    t = 1000.0 + np.arange(n) / sf
    write_xdf(tmp_path / "rec.xdf", [
        XdfStream("eeg", "EEG", sf, "float32", t, data_uv, ["C3", "Cz", "C4"]),
        XdfStream("mk", "Markers", 0.0, "string", np.array([1002.0, 1005.5]), ["cue/left_hand", "cue/right_hand"]),
    ])
    rec = load_recording(tmp_path / "rec.xdf")
    assert rec.ch_names == ["C3", "Cz", "C4"] and rec.sfreq == sf
    np.testing.assert_allclose(rec.raw.get_data().T, data_uv.astype(np.float32) * 1e-6, rtol=1e-6)
    assert [(round(e.onset, 3), e.description) for e in rec.events] == [
        (2.0, "cue/left_hand"), (5.5, "cue/right_hand")]

"""``bcigui export``: a run as EDF/BDF/BrainVision/FIF read back by MNE, as XDF read back by pyxdf."""

from __future__ import annotations

import logging
import warnings

import mne
import numpy as np
import pytest
import pyxdf

from bcigui.cli import main
from bcigui.core.recording.export import read_bcirec, to_raw
from bcigui.core.recording.writer import RecordingWriter

SF = 250.0
NAMES = ["index", "C3", "Cz", "C4"]


@pytest.fixture
def bcirec(tmp_path):
    """A 20-s recording: an index channel (counts) and three EEG channels (volts, ~20 µV), markers
    from two streams."""
    rng = np.random.default_rng(3)
    n = int(20 * SF)
    idx = np.arange(n)
    data = np.c_[idx, 2e-5 * rng.standard_normal((n, 3))]
    t0 = 5000.0
    w = RecordingWriter(tmp_path / "r.bcirec", NAMES, SF, ["misc", "eeg", "eeg", "eeg"], ["count", "V", "V", "V"],
                        meta={"subject": "01", "start_unix": 1.7e9, "stream": {"name": "amp", "type": "EEG"}})
    w.append(data, t0 + idx / SF)
    w.add_marker(t0 + 2.0, "cue/left_hand", "bcigui-markers")
    w.add_marker(t0 + 7.5, "T1", "player-annotations")
    w.close()
    return w.path, data, t0


@pytest.mark.parametrize("fmt, ext, rtol, atol", [
    ("fif", "fif", 1e-7, 0.0),  # float32 as recorded
    ("brainvision", "vhdr", 1e-6, 1e-12),  # float32 µV
    ("bdf", "bdf", 0.0, 2e-11),  # 24-bit: half a step of the ~170 µV range / 2**24
    ("edf", "edf", 0.0, 3e-9),  # 16-bit: half a step of the ~170 µV range / 2**16
])
def test_export_read_back_by_mne(bcirec, tmp_path, capsys, fmt, ext, rtol, atol):
    path, data, _ = bcirec
    out = tmp_path / f"out.{ext}"
    assert main(["export", str(path), "--format", fmt, "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    back = mne.io.read_raw(out, preload=True, verbose="error")
    assert back.ch_names == NAMES and back.n_times == len(data)
    eeg = back.get_data(picks=["C3", "Cz", "C4"]).T
    np.testing.assert_allclose(eeg, data[:, 1:].astype(np.float32), rtol=rtol, atol=atol)
    step = 5000 / 2 ** 16 if fmt == "edf" else 1e-4  # EDF: 16-bit over the 0..4999 range
    assert np.allclose(back.get_data(picks="index")[0], data[:, 0], atol=step)
    labels = [d.removeprefix("Comment/") for d in back.annotations.description]
    assert labels == ["cue/left_hand", "T1"]
    assert np.allclose(back.annotations.onset, [2.0, 7.5], atol=1.5 / SF)
    assert main(["export", str(path), "--format", fmt, "--out", str(out)]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err


def test_export_xdf_loads_in_pyxdf_without_warnings(bcirec, tmp_path, caplog):
    path, data, t0 = bcirec
    out = tmp_path / "out.xdf"
    assert main(["export", str(path), "--out", str(out)]) == 0  # format from the extension
    with caplog.at_level(logging.WARNING, logger="pyxdf"), warnings.catch_warnings():
        warnings.simplefilter("error")
        streams, _ = pyxdf.load_xdf(str(out))
    assert not [r for r in caplog.records if r.name.startswith("pyxdf")], caplog.text
    by_name = {s["info"]["name"][0]: s for s in streams}
    assert set(by_name) == {"amp", "bcigui-markers", "player-annotations"}
    eeg = by_name["amp"]
    chans = eeg["info"]["desc"][0]["channels"][0]["channel"]
    assert [c["label"][0] for c in chans] == NAMES and [c["unit"][0] for c in chans] == [
        "count", "microvolts", "microvolts", "microvolts"]
    np.testing.assert_allclose(eeg["time_series"][:, 1:] * 1e-6, data[:, 1:], rtol=1e-6, atol=1e-12)
    assert np.allclose(eeg["time_stamps"], t0 + np.arange(len(data)) / SF, atol=1e-6)
    assert len(eeg["clock_times"]) >= 4  # one clock offset every 5 s, as LabRecorder
    assert by_name["bcigui-markers"]["time_series"] == [["cue/left_hand"]]
    assert np.allclose(by_name["player-annotations"]["time_stamps"], [t0 + 7.5])
    # and bcigui reads its own export back, in volts
    from bcigui.core.data.recordings import load_recording

    rec = load_recording(out)
    assert rec.ch_names == ["C3", "Cz", "C4"]
    assert np.allclose(rec.raw.get_data().T, data[:, 1:], rtol=1e-6, atol=1e-12)


def test_export_of_a_file_and_bad_format(bcirec, tmp_path, capsys):
    path, data, _ = bcirec
    fif = tmp_path / "a_raw.fif"
    to_raw(read_bcirec(path)).save(fif, verbose="error")
    assert main(["export", str(fif), "--out", str(tmp_path / "a.edf")]) == 0
    assert mne.io.read_raw(tmp_path / "a.edf", verbose="error").n_times == len(data)
    assert main(["export", str(path), "--out", str(tmp_path / "a.txt")]) == 2
    err = capsys.readouterr().err
    assert "a.txt" in err and "brainvision" in err and "xdf" in err

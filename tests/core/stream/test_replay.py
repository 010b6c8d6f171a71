"""File replay over real LSL: data and markers of real recordings arrive at the right times."""

from __future__ import annotations

import time

import mne
import numpy as np
import pylsl
import pytest

from bcigui.cli import main
from bcigui.core.data.recordings import load_recording
from bcigui.core.stream.replay import Replayer
from tests.conftest import KALUNGA, physionet_file


def _open(name: str) -> pylsl.StreamInlet:
    infos = pylsl.resolve_byprop("name", name, minimum=1, timeout=5.0)
    assert infos, f"stream {name!r} not found"
    inlet = pylsl.StreamInlet(infos[0], max_buflen=60)
    inlet.open_stream(timeout=5.0)
    return inlet


def _receive(rep: Replayer, wall_seconds: float, min_markers: int):
    """Pull EEG and markers of a running replayer for about ``wall_seconds``."""
    eeg, mrk = _open(rep.stream_names[0]), _open(rep.stream_names[1])
    data, stamps, markers = [], [], []
    t_end = time.monotonic() + wall_seconds
    deadline = t_end + 10.0
    while time.monotonic() < deadline and (time.monotonic() < t_end or len(markers) < min_markers):
        d, ts = eeg.pull_chunk(timeout=0.05, max_samples=8192)
        data += d
        stamps += ts
        m, mts = mrk.pull_chunk(timeout=0.0)
        markers += [(t, s[0]) for t, s in zip(mts, m, strict=True)]
    return np.array(data, dtype=np.float32), np.array(stamps), markers, eeg.info(timeout=5.0)


def _check_against_file(path, speed: float, wall_seconds: float, name: str, min_markers: int = 3,
                        wait: float = 0.0):
    rec = load_recording(path)
    fs = rec.sfreq
    file_uv = (rec.raw.get_data().T * 1e6).astype(np.float32)
    with Replayer(path, speed=speed, name=name, wait_for_consumers=wait) as rep:
        data, stamps, markers, info = _receive(rep, wall_seconds, min_markers)
    assert rep.error is None
    assert info.nominal_srate() == fs and info.channel_count() == len(rec.ch_names)
    assert info.desc().child("channels").child("channel").child_value("label") == rec.ch_names[0]
    assert len(stamps) > fs * speed * 1.0
    # locate the first received sample in the file from its values alone
    k0 = int(np.flatnonzero(np.all(file_uv == data[0], axis=1))[0])
    if wait:  # the replay waited for our inlets: nothing was missed
        assert k0 == 0 and markers[0][0] == stamps[0] == rep.t0
    np.testing.assert_array_equal(data, file_uv[k0 : k0 + len(data)])
    np.testing.assert_allclose(np.diff(stamps), 1 / (fs * speed), atol=1e-6)
    # each marker sits at the time of its event, within one sample period of the file
    assert len(markers) >= min_markers
    onsets = np.array([e.onset for e in rec.events])
    labels = [e.description for e in rec.events]
    for ts, label in markers:
        t_file = k0 / fs + (ts - stamps[0]) * speed
        j = int(np.argmin(abs(onsets - t_file)))
        assert labels[j] == label and abs(onsets[j] - t_file) <= 1 / fs, (ts, label, t_file)
    # and no event of the received stretch is missing
    t_first = k0 / fs + (markers[0][0] - stamps[0]) * speed  # the marker inlet opened after the EEG one
    t_hi = k0 / fs + (stamps[-1] - stamps[0] - 0.1) * speed  # minus delivery slack of the last chunk
    expected = [o for o in onsets if t_first - 1e-9 <= o <= t_hi]
    assert len(markers) >= len(expected) >= min_markers


def test_replay_physionet_edf_annotations(shared_data, unique_name):
    _check_against_file(physionet_file(1, 4), speed=10.0, wall_seconds=2.5, name=unique_name, wait=10.0)


def test_replay_kalunga_fif_with_event_file(shared_data, unique_name):
    path = sorted((KALUNGA / "subject01").glob("*_raw.fif"))[0]
    _check_against_file(path, speed=25.0, wall_seconds=2.5, name=unique_name)


@pytest.fixture
def short_fif(tmp_path):
    """2 s, 4 channels, 100 Hz, with two annotations."""
    rng = np.random.default_rng(0)
    raw = mne.io.RawArray(rng.normal(0, 10e-6, (4, 200)), mne.create_info(["C3", "Cz", "C4", "Oz"], 100.0, "eeg"))
    raw.set_annotations(mne.Annotations([0.5, 1.23], [0.0, 0.0], ["go", "stop"]))
    path = tmp_path / "short_raw.fif"
    raw.save(path)
    return path


def test_replay_end_and_loop(short_fif, unique_name):
    rep = Replayer(short_fif, speed=4.0, name=unique_name).start()  # file lasts 0.5 s at x4
    deadline = time.monotonic() + 10
    while not rep.done and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    assert rep.done and rep.n_pushed == 200 and not rep.running
    rep.stop()
    truth = rep.ground_truth
    assert [label for _, label in truth] == ["go", "stop"]
    assert truth[1][0] - truth[0][0] == pytest.approx((123 - 50) / 400.0, abs=1e-9)

    loop = Replayer(short_fif, speed=4.0, loop=True, name=unique_name + "-loop").start()
    deadline = time.monotonic() + 10
    while len(loop.ground_truth) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)
    loop.stop()
    assert not loop.done and loop.n_pushed > 2 * 200  # in the third pass
    truth = loop.ground_truth
    assert [label for _, label in truth[:6]] == ["go", "stop"] * 3
    period = 200 / 400.0  # continuing timestamps: each pass starts where the previous ended
    np.testing.assert_allclose([t - loop.t0 for t, _ in truth[:6]],
                               [0.5 / 4, 1.23 / 4, 0.5 / 4 + period, 1.23 / 4 + period,
                                0.5 / 4 + 2 * period, 1.23 / 4 + 2 * period], atol=1e-9)


def test_replay_errors_and_cli(short_fif, tmp_path, unique_name, capsys):
    with pytest.raises(FileNotFoundError, match="nothere.edf"):
        Replayer(tmp_path / "nothere.edf")
    with pytest.raises(ValueError, match="speed must be .* got 0.0"):
        Replayer(short_fif, speed=0)
    rc = main(["replay", str(short_fif), "--speed", "2", "--name", unique_name])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"'{unique_name}'" in out and "4 channels, 100 Hz" in out and "labels go, stop" in out
    assert "0.500 s  go" in out and "1.230 s  stop" in out  # recording time
    assert "Stopped after 200 samples and 2 markers" in out
    assert main(["replay", str(tmp_path / "missing.fif")]) == 2
    assert "Recording not found" in capsys.readouterr().err

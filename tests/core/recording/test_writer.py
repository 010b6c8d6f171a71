"""Crash-safe files, reading a cut recording, annotations, BIDS/EDF/BDF export, output checks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import mne
import numpy as np
import pytest

from bcigui.core.recording.export import export_raw, read_bcirec, to_raw, write_bids
from bcigui.core.recording.recover import recover
from bcigui.core.recording.session import check_output, plan_run
from bcigui.core.recording.writer import COMPLETE, DATA, MARKERS, TIMES, RecordingWriter

SF = 100.0
NAMES = ["C3", "Cz", "C4"]


def make_recording(path, n=1000, drop=(400, 450), t0=1000.0, markers=((1.0, "cue/left_hand"),)):
    """Samples i*... with a hole of dropped samples; markers at given seconds after t0."""
    w = RecordingWriter(path, NAMES, SF, meta={"subject": "07", "operator": "ann", "notes": "test",
                                                "start_unix": 1.7e9})
    idx = np.array([i for i in range(n) if not drop[0] <= i < drop[1]])
    data = np.stack([idx * 1e-6, -idx * 1e-6, np.sin(idx / 10) * 1e-5], axis=1)
    for chunk in np.array_split(np.arange(len(idx)), 7):
        w.append(data[chunk], t0 + idx[chunk] / SF)
    for t, label in markers:
        w.add_marker(t0 + t, label)
    return w, idx, data


def test_round_trip_and_never_reuse(tmp_path):
    w, idx, data = make_recording(tmp_path / "a.bcirec")
    w.close()
    c = read_bcirec(tmp_path / "a.bcirec")
    assert c.complete and np.allclose(c.data, data.astype(np.float32)) and len(c.times) == len(idx)
    assert c.markers == [(1001.0, "cue/left_hand")]
    with pytest.raises(FileExistsError):
        RecordingWriter(tmp_path / "a.bcirec", NAMES, SF)


def test_cut_files_are_read_up_to_the_last_whole_row(tmp_path):
    w, idx, data = make_recording(tmp_path / "b.bcirec", markers=((1.0, "a"), (2.0, "b")))
    w.flush()  # no close: no complete.json, as after a kill
    with open(tmp_path / "b.bcirec" / DATA, "ab") as f:
        f.write(b"\x00" * 7)  # half a row
    with open(tmp_path / "b.bcirec" / TIMES, "ab") as f:
        f.write(b"\x00" * 3)
    with open(tmp_path / "b.bcirec" / MARKERS, "a") as f:
        f.write('{"t": 12')  # half a line
    c = read_bcirec(tmp_path / "b.bcirec")
    assert not c.complete and len(c.times) == len(idx) and c.truncated_bytes == 10
    assert [m[1] for m in c.markers] == ["a", "b"]
    assert not (tmp_path / "b.bcirec" / COMPLETE).exists()


def test_gap_is_filled_and_annotated(tmp_path):
    # samples 400-449 never arrived: the file keeps the LSL time axis, the hole is BAD_gap
    w, idx, _ = make_recording(tmp_path / "c.bcirec", markers=((6.0, "cue/right_hand"), (2.0, "x")))
    w.close()
    raw = to_raw(read_bcirec(tmp_path / "c.bcirec"))
    assert raw.n_times == 1000
    assert np.allclose(raw.get_data()[0], np.arange(1000) * 1e-6)  # linear fill, no step
    ann = {d: (o, dur) for o, dur, d in zip(raw.annotations.onset, raw.annotations.duration,
                                            raw.annotations.description, strict=True)}
    assert ann["x"][0] == pytest.approx(2.0, abs=1e-6)
    assert ann["cue/right_hand"][0] == pytest.approx(6.0, abs=1e-6)
    assert ann["BAD_gap"][0] == pytest.approx(4.0) and ann["BAD_gap"][1] == pytest.approx(0.5)
    assert raw.info["subject_info"]["his_id"] == "07" and raw.info["experimenter"] == "ann"
    assert json.loads(raw.info["description"])["notes"] == "test"
    assert raw.get_montage() is not None  # C3/Cz/C4 have standard positions


@pytest.mark.parametrize("fmt", ["edf", "bdf"])
def test_edf_bdf_export(tmp_path, fmt):
    w, idx, data = make_recording(tmp_path / "d.bcirec", drop=(0, 0), markers=((1.5, "cue/feet"),))
    w.close()
    raw = to_raw(read_bcirec(tmp_path / "d.bcirec"))
    out = export_raw(raw, tmp_path / f"run.{fmt}")
    back = mne.io.read_raw(out, preload=True, verbose="error")
    assert back.ch_names == NAMES and back.n_times == raw.n_times
    assert np.allclose(back.get_data(), raw.get_data(), atol=2e-8 if fmt == "bdf" else 5e-7)
    i = list(back.annotations.description).index("cue/feet")
    assert back.annotations.onset[i] == pytest.approx(1.5, abs=0.01)
    with pytest.raises(FileExistsError):
        export_raw(raw, out)


def test_bids_layout_and_no_overwrite(tmp_path):
    w, *_ = make_recording(tmp_path / "e.bcirec", drop=(0, 0))
    w.close()
    raw = to_raw(read_bcirec(tmp_path / "e.bcirec"))
    out = write_bids(raw, tmp_path / "bids", "07", "02", "mi", 3)
    assert out == tmp_path / "bids/sub-07/ses-02/eeg/sub-07_ses-02_task-mi_run-03_eeg.vhdr"
    eeg_dir = out.parent
    assert (eeg_dir / "sub-07_ses-02_task-mi_run-03_channels.tsv").exists()
    assert (eeg_dir / "sub-07_ses-02_task-mi_run-03_events.tsv").exists()
    assert not list(eeg_dir.glob("*.fif"))  # FIF is no BIDS EEG format
    scans = (tmp_path / "bids/sub-07/ses-02/sub-07_ses-02_scans.tsv").read_text()
    assert out.name in scans
    back = mne.io.read_raw(out, verbose="error")
    assert "Comment/cue/left_hand" in back.annotations.description  # named in the .vmrk itself
    assert raw.info["meas_date"] is not None and back.info["meas_date"] == raw.info["meas_date"]  # to the µs
    i, j = (list(r.annotations.description).index(d) for r, d in ((raw, "cue/left_hand"),
                                                                  (back, "Comment/cue/left_hand")))
    assert back.annotations.onset[j] - back.first_time == pytest.approx(raw.annotations.onset[i] - raw.first_time)
    before = out.read_bytes()
    with pytest.raises(FileExistsError):
        write_bids(raw, tmp_path / "bids", "07", "02", "mi", 3)
    with pytest.raises(FileExistsError):  # nor in another format
        write_bids(raw, tmp_path / "bids", "07", "02", "mi", 3, fmt="edf")
    with pytest.raises(ValueError, match="fif.*not a BIDS EEG data format.*brainvision"):
        write_bids(raw, tmp_path / "bids", "07", "02", "mi", 4, fmt="fif")
    assert out.read_bytes() == before
    plan = plan_run(tmp_path / "bids", "07", "02", "mi", 3, SF, 10)
    assert plan.run == 4  # the next free run
    (tmp_path / "bids/sourcedata/sub-07/ses-02/eeg").mkdir(parents=True)
    (tmp_path / "bids/sourcedata/sub-07/ses-02/eeg/sub-07_ses-02_task-mi_run-04.bcirec").mkdir()
    assert plan_run(tmp_path / "bids", "07", "02", "mi", 3, SF, 10).run == 5  # interrupted run 4 kept


def test_recover_plain_folder(tmp_path):
    w, idx, data = make_recording(tmp_path / "f.bcirec", drop=(0, 0))
    w.flush()
    (res,) = recover(tmp_path)
    assert res.output == tmp_path / "f_recovered_raw.fif" and not res.complete
    raw = mne.io.read_raw_fif(res.output, preload=True, verbose="error")
    assert np.allclose(raw.get_data()[0], idx * 1e-6, atol=1e-9)
    assert json.loads(raw.info["description"])["recovered"] is True


def test_unwritable_or_full_output_fails_clearly(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OSError, match="cannot be created"):
        check_output(blocker / "sub")
    with pytest.raises(OSError, match="not enough free space"):
        check_output(tmp_path, needed_bytes=10**18)
    with pytest.raises(ValueError, match="subject"):
        plan_run(tmp_path, "0-1", "01", "mi")


@pytest.mark.skipif(not hasattr(os, "setuid"), reason="needs POSIX users")
def test_permission_denied_folder():
    base = Path(tempfile.mkdtemp(prefix="bcigui-ro-"))  # /tmp: reachable by an unprivileged user
    base.chmod(0o755)
    ro = base / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    # import as the current user, then drop root (root may write anywhere) before the check
    code = ("import os, sys\nfrom bcigui.core.recording.session import check_output\n"
            + ("os.setgid(65534); os.setuid(65534)\n" if os.geteuid() == 0 else "")
            + "try:\n    check_output(sys.argv[1])\nexcept PermissionError as e:\n    print('ERR', e)\n")
    res = subprocess.run([sys.executable, "-c", code, str(ro)], capture_output=True, text=True, timeout=60)
    assert "ERR output folder" in res.stdout and "not writable" in res.stdout, res.stdout + res.stderr
    assert list(ro.iterdir()) == []
    ro.chmod(0o755)
    shutil.rmtree(base)

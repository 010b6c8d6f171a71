"""`bcigui record` end to end in a subprocess: offscreen stimulus window; disk full during a run."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import mne
import numpy as np

from bcigui.core.paradigms import markers as mk
from bcigui.core.recording.recover import recover

ROOT = Path(__file__).resolve().parents[3]
SHORT = ["--param", "baseline_duration=0.3", "--param", "fixation_duration=0.3", "--param", "warning_duration=0.2",
         "--param", "cue_duration=0.3", "--param", "imagery_duration=0.5", "--param", "rest_duration=0.3",
         "--param", "rest_jitter=0"]


def record(args, **kw):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run([sys.executable, "-m", "bcigui", "record", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90, **kw)


def test_record_with_offscreen_window(index_outlet, unique_name, tmp_path):
    res = record(["--stream", index_outlet.name, "--paradigm", "mi", "--trials", "2", *SHORT,
                  "--param", "classes=left_hand,tongue", "--subject", "03", "--session", "", "--out",
                  str(tmp_path), "--markers", "none", "--marker-outlet", unique_name + "-m", "--notes", "cli"])
    assert res.returncode == 0, res.stdout + res.stderr
    run = tmp_path / "sub-03/eeg/sub-03_task-mi_run-01_eeg.vhdr"
    assert f"saved {run}" in res.stdout
    raw = mne.io.read_raw(run, verbose="error")
    desc = [d.removeprefix("Comment/") for d in raw.annotations.description]  # BrainVision comments
    assert Counter(mk.class_from_marker(d) for d in desc if mk.class_from_marker(d)) == {"left_hand": 2,
                                                                                         "tongue": 2}
    assert desc.count(mk.BEEP) == 4 and mk.SESSION_END in desc


def _limit_file_size():
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_disk_full_during_recording_keeps_what_was_written(index_outlet, unique_name, tmp_path):
    # data.f32 grows by 5 ch * 4 B * 250 Hz = 5 kB/s: it hits the 20 kB file-size limit after ~4 s
    res = record(["--stream", index_outlet.name, "--paradigm", "mi", "--trials", "20", *SHORT,
                  "--subject", "01", "--out", str(tmp_path), "--markers", "none",
                  "--marker-outlet", unique_name + "-m", "--no-window"], preexec_fn=_limit_file_size)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "failed" in res.stderr and "File too large" in res.stderr and "bcigui recover" in res.stderr
    (r,) = recover(tmp_path)
    raw = mne.io.read_raw(r.output, preload=True, verbose="error")
    index = raw.get_data(picks="index")[0]
    assert np.allclose(np.diff(index), 1, atol=1e-3)
    assert raw.n_times == 20_000 // 20  # every whole sample that fitted is there
    assert "Comment/session/start" in raw.annotations.description


def test_a_run_whose_stream_is_lost_says_so_and_keeps_every_marker(unique_name, tmp_path):
    """The EEG source stops after 3 s of a ~10-s run: exit code 3 with a message, the EEG ends there, the
    rest of the run is annotated BAD_gap, and every marker received is in the BIDS file."""
    import json

    from bcigui.core.stream.simulator import Simulator

    with Simulator("mi", n_channels=8, srate=250.0, name=unique_name, seconds=3.0):
        res = record(["--stream", unique_name, "--paradigm", "mi", "--trials", "3", *SHORT, "--seconds", "10",
                      "--subject", "01", "--out", str(tmp_path), "--markers", "none",
                      "--marker-outlet", unique_name + "-m", "--no-window"])
    assert res.returncode == 3, res.stdout + res.stderr
    assert "was lost before the run ended" in res.stderr and "annotated BAD_gap" in res.stderr
    run = next(tmp_path.rglob("*_eeg.vhdr"))
    raw = mne.io.read_raw(run, verbose="error")
    rec = next(tmp_path.rglob("*.bcirec"))
    received = [json.loads(line)["label"] for line in (rec / "markers.jsonl").read_text().splitlines()]
    desc = [d.removeprefix("Comment/") for d in raw.annotations.description]
    assert Counter(d for d in desc if d != "BAD_gap") == Counter(received) and mk.SESSION_END in desc
    bad = [(o, d) for o, d, x in zip(raw.annotations.onset, raw.annotations.duration, desc, strict=True)
           if x == "BAD_gap"]
    assert len(bad) == 1 and bad[0][0] < 4.5 and abs(bad[0][0] + bad[0][1] - raw.times[-1]) < 0.05
    assert json.loads((rec / "complete.json").read_text())["stream_lost"] is True

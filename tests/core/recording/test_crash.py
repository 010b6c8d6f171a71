"""kill -9 during `bcigui record`, then `bcigui recover`: at most 1 s of data lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import mne
import numpy as np
import pylsl

from bcigui.cli import main

ROOT = Path(__file__).resolve().parents[3]


def test_kill_9_then_recover(index_outlet, unique_name, tmp_path, capsys):
    out = tmp_path / "bids"
    cmd = [sys.executable, "-m", "bcigui", "record", "--stream", index_outlet.name, "--paradigm", "mi",
           "--trials", "50", "--param", "baseline_duration=0.5", "--param", "rest_jitter=0",
           "--param", "fixation_duration=0.5", "--param", "warning_duration=0.3",
           "--subject", "01", "--out", str(out), "--no-window", "--markers", "none",
           "--marker-outlet", unique_name + "-markers"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # printed once the recorder runs
        assert line.startswith("recording run 1 to"), line + proc.stderr.read()
        time.sleep(3.0)
        t_kill = pylsl.local_clock()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    bcirec = Path(line.split(" to ", 1)[1].strip())
    assert bcirec.is_dir() and not (bcirec / "complete.json").exists()
    assert not list(out.glob("sub-01/ses-01/eeg/*_eeg.*"))

    assert main(["recover", str(out)]) == 0
    printed = capsys.readouterr().out
    fif = out / "sub-01/ses-01/eeg/sub-01_ses-01_task-mi_run-01_eeg.vhdr"  # the BIDS run (BrainVision)
    assert "interrupted recording" in printed and str(fif) in printed
    raw = mne.io.read_raw(fif, preload=True, verbose="error")
    index = raw.get_data(picks="index")[0]
    assert np.allclose(np.diff(index), 1, atol=1e-3)
    copy = mne.io.read_raw_fif(bcirec.with_name(bcirec.name.replace(".bcirec", "_eeg.fif")), verbose="error")
    assert np.all(np.diff(copy.get_data(picks="index")[0]) == 1)  # the lossless copy in sourcedata/
    lost = t_kill - index_outlet.push_time(int(index[-1]))
    with capsys.disabled():
        print(f"\ndata missing before the kill: {lost:.3f} s")
    assert lost < 1.0, f"{lost:.3f} s before the kill are missing"
    assert raw.times[-1] > 1.5  # it had been recording for a while
    labels = [d.removeprefix("Comment/") for d in raw.annotations.description]  # BrainVision comments
    assert "session/start" in labels and ("cue/left_hand" in labels or "cue/right_hand" in labels)
    assert "session/end" not in labels
    # a second recover does not overwrite the recovered run
    before = fif.read_bytes()
    assert main(["recover", str(bcirec)]) == 0
    assert "already exists" in capsys.readouterr().out and fif.read_bytes() == before

"""Helpers and fixture of the report tests. One real session folder for the report tests, made once per test run: a calibration recorded with
``bcigui record`` from a follow-mode LSL simulator, a decoder trained with ``bcigui train`` into the
session folder, and a feedback summary following the ``_feedback.json`` schema (docs/report.md)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from bcigui.cli import main

BCIGUI = [sys.executable, "-m", "bcigui"]
# short trials: 0.2 + 0.1 + 1.5 + 0.3 s (decoder window 0.3-1.5 s after the cue), 4 per class (~20 s)
FAST = ["baseline_duration=0.5", "fixation_duration=0.2", "warning_duration=0.1", "cue_duration=0.5",
        "imagery_duration=1.5", "rest_duration=0.3", "rest_jitter=0"]
TRIALS = 4
TRIAL_SECONDS = 2.1
FEEDBACK = {  # what a 2 x 10-trial feedback run gives (the colleague's FeedbackSession writes this schema)
    "accuracy": 0.85, "n_trials": 20, "n_scored": 20, "chance_level": 0.5, "p_value": 0.0012894,
    "per_class": {"left_hand": {"n": 10, "correct": 9, "accuracy": 0.9},
                  "right_hand": {"n": 10, "correct": 8, "accuracy": 0.8}},
    "classes": ["left_hand", "right_hand"], "confusion": [[9, 1], [2, 8]],
    "task": "mifeedback", "run": 1, "paradigm": "mi", "trial_duration": 4.25,
    "recording": "eeg/sub-01_ses-01_task-mifeedback_run-01_eeg.fif",
}


def data_file(session: Path, task: str, run: int = 1) -> Path:
    """The run's data file, in whatever format the recording was written (BrainVision, EDF, FIF)."""
    (path,) = [p for p in session.glob(f"eeg/sub-01_ses-01_task-{task}_run-{run:02d}_eeg.*")
               if p.suffix in (".vhdr", ".edf", ".bdf", ".fif")]
    return path


def feedback_trials(confusion: list[list[int]], classes: list[str], duration: float) -> list[dict]:
    out, t = [], 1.0
    for i, row in enumerate(confusion):
        for j, n in enumerate(row):
            for _ in range(n):
                out.append({"onset": round(t, 3), "true": classes[i], "predicted": classes[j], "correct": i == j})
                t += duration
    return out


def write_feedback(session: Path, model: Path, **changes) -> Path:
    obj = dict(FEEDBACK, **changes)
    obj["trials"] = feedback_trials(obj["confusion"], obj["classes"], obj["trial_duration"])
    obj["model"] = model.name
    obj["model_sha256"] = hashlib.sha256(model.read_bytes()).hexdigest()
    path = session / f"sub-01_ses-01_task-{obj['task']}_run-{obj['run']:02d}_feedback.json"
    path.write_text(json.dumps(obj, indent=2))
    return path


@pytest.fixture(scope="session")
def recorded_session(tmp_path_factory) -> Path:
    """``BIDS_ROOT/sub-01/ses-01`` with a real calibration run, a trained model and a feedback summary."""
    root = tmp_path_factory.mktemp("report-bids")
    name = f"bcigui-test-report-{uuid.uuid4().hex[:8]}"
    sim = subprocess.Popen([*BCIGUI, "simulate", "--paradigm", "mi", "--channels", "16", "--srate", "160",
                            "--name", name, "--follow", name + "-m", "--quiet"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        cmd = [*BCIGUI, "record", "--stream", name, "--marker-outlet", name + "-m", "--paradigm", "mi",
               "--trials", str(TRIALS), "--subject", "01", "--session", "01", "--out", str(root),
               "--operator", "test operator", "--no-window", "--no-operator"]
        for p in FAST:
            cmd += ["--param", p]
        rec = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert rec.returncode == 0, rec.stdout + rec.stderr
    finally:
        sim.kill()
        sim.wait()
    session = root / "sub-01" / "ses-01"
    run = data_file(session, "mi")
    model = session / "sub-01_ses-01_csp_lda.bcimodel"
    assert main(["train", "--data", str(run), "--paradigm", "mi", "--events",
                 "cue/left_hand=left_hand,cue/right_hand=right_hand", "--pipeline", "csp_lda", "--tmin", "0.3",
                 "--tmax", "1.5", "--cv", "4", "--out", str(model)]) == 0
    write_feedback(session, model)
    return session

"""``bcigui online`` end to end: a replayed recording decoded by an exported model, predictions on LSL."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pylsl

from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.decoders.pipelines import make_csp_lda
from bcigui.core.model_file import save_model
from bcigui.core.signal.filters import FilterSpec
from bcigui.core.stream.replay import Replayer
from tests.conftest import physionet_file


def test_online_command_decodes_replayed_physionet(tmp_path, unique_name):
    filt = FilterSpec(7, 30)
    recs = load_recordings([physionet_file(1, r) for r in (6, 10)])
    ep = make_epochs(recs, {"T1": "hands", "T2": "feet"}, 1.0, 2.0, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    model = tmp_path / "hf.bcimodel"
    save_model(model, pipe, {"paradigm": "mi", "pipeline": "csp_lda", "classes": list(pipe.classes_),
                             "ch_names": ep.ch_names, "sfreq": ep.sfreq, "tmin": 1.0, "tmax": 2.0,
                             "filter": filt.to_dict()})
    log = tmp_path / "pred.jsonl"
    outlet = f"{unique_name}-pred"
    with Replayer(physionet_file(1, 14), speed=1.0, loop=True, name=unique_name):
        proc = subprocess.Popen(
            [sys.executable, "-m", "bcigui", "online", "--model", str(model), "--stream", unique_name,
             "--outlet", outlet, "--hop", "0.2", "--seconds", "8", "--log", str(log), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        found = []
        t_end = time.monotonic() + 15
        while not found and time.monotonic() < t_end:
            found = pylsl.resolve_byprop("name", outlet, timeout=0.5)
        assert found, "prediction outlet never appeared"
        inlet = pylsl.StreamInlet(found[0])
        labels = [inlet.info().desc().child("channels").child("channel").child_value("label")]
        samples, _ = inlet.pull_chunk(timeout=6.0, max_samples=1000)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert labels[0] == "feet" and "predictions" in out
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert len(lines) >= 20
    assert {"timestamp", "label", "p_feet", "p_hands"} <= set(lines[0])
    assert all(abs(x["p_feet"] + x["p_hands"] - 1) < 1e-5 for x in lines)


def test_online_command_waits_for_a_stream_that_starts_later(tmp_path, unique_name):
    filt = FilterSpec(7, 30)
    ep = make_epochs(load_recordings([physionet_file(1, 6)]), {"T1": "hands", "T2": "feet"}, 1.0, 2.0, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    model = tmp_path / "m.bcimodel"
    save_model(model, pipe, {"paradigm": "mi", "pipeline": "csp_lda", "classes": list(pipe.classes_),
                             "ch_names": ep.ch_names, "sfreq": ep.sfreq, "tmin": 1.0, "tmax": 2.0,
                             "filter": filt.to_dict()})
    proc = subprocess.Popen(
        [sys.executable, "-m", "bcigui", "online", "--model", str(model), "--stream", unique_name, "--wait", "30",
         "--outlet", f"{unique_name}-pred", "--seconds", "4", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    time.sleep(3.0)  # the command waits; nothing named so is on the network yet
    assert proc.poll() is None
    with Replayer(physionet_file(1, 14), speed=1.0, loop=True, name=unique_name):
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert f"Waiting up to 30 s for LSL stream {unique_name!r}" in out
    assert "first prediction" in out and "stream open after" in out
    n = int(out.strip().splitlines()[-1].split()[0])
    assert n >= 5, out


def test_online_command_refuses_missing_channels(tmp_path, unique_name):
    filt = FilterSpec(7, 30)
    recs = load_recordings([physionet_file(1, 6)])
    ep = make_epochs(recs, {"T1": "hands", "T2": "feet"}, 1.0, 2.0, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    model = tmp_path / "m.bcimodel"
    names = list(ep.ch_names)
    names[0] = "NOPE1"
    save_model(model, pipe, {"paradigm": "mi", "pipeline": "csp_lda", "classes": list(pipe.classes_),
                             "ch_names": names, "sfreq": ep.sfreq, "tmin": 1.0, "tmax": 2.0,
                             "filter": filt.to_dict()})
    with Replayer(physionet_file(1, 14), speed=1.0, loop=True, name=unique_name):
        res = subprocess.run(
            [sys.executable, "-m", "bcigui", "online", "--model", str(model), "--stream", unique_name,
             "--seconds", "2", "--quiet"], capture_output=True, text=True, timeout=60,
        )
    assert res.returncode == 2
    assert "lacks 1 channel(s) the model needs: ['NOPE1']" in res.stderr


def test_evaluate_pseudo_online_reports_trial_accuracy(tmp_path):
    """``bcigui train`` on two runs, ``bcigui evaluate --pseudo-online`` on the third."""
    from bcigui.cli import main

    model, report = tmp_path / "hf.bcimodel", tmp_path / "po.json"
    assert main(["train", "--data", str(physionet_file(1, 6)), str(physionet_file(1, 10)), "--paradigm", "mi",
                 "--events", "T1=hands,T2=feet", "--tmin", "1", "--tmax", "2", "--pipeline", "csp_lda",
                 "--cv", "3", "--out", str(model)]) == 0
    assert main(["evaluate", "--model", str(model), "--data", str(physionet_file(1, 14)),
                 "--events", "T1=hands,T2=feet", "--pseudo-online", "--hop", "0.1",
                 "--report", str(report)]) == 0
    rep = json.loads(report.read_text())
    assert rep["mode"] == "pseudo-online" and rep["n_trials"] == 15 and rep["n_scored"] == 15
    assert rep["n_windows"] > 1000
    assert rep["accuracy"] >= 0.7 > rep["chance_level"]

"""bcigui against third-party clients nobody here wrote: mne-lsl's PlayerLSL and StreamLSL, mne-bids'
``read_raw_bids`` and the bids-validator package.

PlayerLSL streams a PhysioNet EDF with ``set_channel_units`` in microvolts: the units then travel as
mne-lsl writes them (the power-of-ten exponent ``"-6"``) and the labels as the file has them (``Fc5.``).
"""

from __future__ import annotations

import fnmatch
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import mne
import numpy as np
import pytest
from mne_lsl.player import PlayerLSL
from mne_lsl.stream import StreamLSL

from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.decoders.pipelines import make_csp_lda
from bcigui.core.model_file import load_model, save_model
from bcigui.core.online.runner import manifest_sha256
from bcigui.core.signal.filters import FilterSpec
from bcigui.core.stream.lsl import find_stream
from bcigui.core.stream.simulator import Simulator
from tests.conftest import physionet_file

ROOT = Path(__file__).resolve().parents[3]
SHORT = ["--param", "baseline_duration=0.3", "--param", "fixation_duration=0.3", "--param", "warning_duration=0.2",
         "--param", "cue_duration=0.3", "--param", "imagery_duration=0.5", "--param", "rest_duration=0.3",
         "--param", "rest_jitter=0"]


def _player(path: Path, name: str) -> PlayerLSL:
    raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    player = PlayerLSL(raw, chunk_size=16, name=name, annotations=True)
    player.set_channel_units({c: "microvolts" for c in player.info["ch_names"]})  # pushes µV, declares "-6"
    return player.start()


def _align(recorded: np.ndarray, original: np.ndarray) -> np.ndarray:
    """The stretch of ``original`` (looped) that ``recorded`` holds, found by its first sample."""
    looped = np.concatenate([original, original])
    i = int(np.argmin(np.abs(looped[: len(original)] - recorded[0]).sum(axis=1)))
    return looped[i: i + len(recorded)]


def _bids_ignored(rel: str, patterns: list[str]) -> bool:
    """``.bidsignore`` semantics (gitignore-like): a pattern without '/' matches the name at any depth."""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name if "/" not in p else rel.lstrip("/"), p.lstrip("/")) for p in patterns)


def test_player_in_microvolts_recorded_as_volts_and_valid_bids(tmp_path, unique_name):
    from bids_validator import BIDSValidator
    from mne_bids import BIDSPath, read_raw_bids

    edf = physionet_file(1, 4)
    original = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    player = _player(edf, unique_name)
    try:
        res = subprocess.run(
            [sys.executable, "-m", "bcigui", "record", "--stream", unique_name, "--paradigm", "mi", "--trials", "1",
             *SHORT, "--subject", "01", "--session", "01", "--out", str(tmp_path), "--no-window",
             "--markers", f"{unique_name}-annotations", "--marker-outlet", f"{unique_name}-m", "--seconds", "5"],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        player.stop()
    assert res.returncode == 0, res.stdout + res.stderr
    assert "unit" not in res.stderr  # "-6" is understood: no unit warning
    run = tmp_path / "sub-01/ses-01/eeg/sub-01_ses-01_task-mi_run-01_eeg.vhdr"
    assert f"saved {run}" in res.stdout

    # values in volts: the lossless FIF copy to 1e-9 relative, the BIDS BrainVision file to float32
    copy = tmp_path / "sourcedata/sub-01/ses-01/eeg/sub-01_ses-01_task-mi_run-01_eeg.fif"
    fif = mne.io.read_raw_fif(copy, preload=True, verbose="error")
    assert fif.ch_names[:4] == ["FC5", "FC3", "FC1", "FCz"]  # PhysioNet's Fc5. ... accepted and normalised
    data = fif.get_data().T
    truth = _align(data, original.get_data().T)
    assert len(data) > 3 * 160
    np.testing.assert_allclose(data, truth, rtol=1e-9, atol=1e-15)
    bv = mne.io.read_raw(run, preload=True, verbose="error").get_data().T
    np.testing.assert_allclose(bv, truth, rtol=1e-6, atol=1e-12)

    # read_raw_bids: events with their source stream, units
    bp = BIDSPath(subject="01", session="01", task="mi", run="01", datatype="eeg", root=tmp_path)
    back = read_raw_bids(bp, verbose="error")
    np.testing.assert_allclose(back.get_data().T, truth, rtol=1e-6, atol=1e-12)
    described = list(back.annotations.description)
    assert {"session/start", "baseline/start", "session/end"} <= set(described)
    events = (run.parent / "sub-01_ses-01_task-mi_run-01_events.tsv").read_text().splitlines()
    header = events[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in events[1:]]
    by_stream = {r["stream"] for r in rows}
    assert f"{unique_name}-m" in by_stream
    assert {r["trial_type"] for r in rows if r["stream"] == f"{unique_name}-annotations"} <= {"T0", "T1", "T2"}
    assert all(r["trial_type"].startswith(("session/", "baseline/", "trial/", "fixation", "beep", "cue/",
                                           "imagery/", "rest/")) for r in rows if r["stream"] == f"{unique_name}-m")
    channels = (run.parent / "sub-01_ses-01_task-mi_run-01_channels.tsv").read_text().splitlines()
    assert {line.split("\t")[2] for line in channels[1:]} == {"µV"}  # as the .vhdr declares
    sidecar = json.loads((run.parent / "sub-01_ses-01_task-mi_run-01_eeg.json").read_text())
    assert sidecar["Manufacturer"] == "n/a"  # the player's stream names none
    description = json.loads((tmp_path / "dataset_description.json").read_text())
    assert description["Name"] == tmp_path.name and "[Unspecified" not in json.dumps(description)
    assert "sub-01" in (tmp_path / "participants.tsv").read_text()

    # bids-validator: every file of the session passes, bcigui's own files are covered by .bidsignore
    (tmp_path / "sub-01/ses-01/model.bcimodel").write_bytes(b"model")
    (tmp_path / "sub-01/ses-01/sub-01_ses-01_task-mi_run-02_feedback.json").write_text("{}")
    patterns = [p for p in (tmp_path / ".bidsignore").read_text().splitlines() if p.strip()]
    validator = BIDSValidator()
    checked = []
    for path in sorted(tmp_path.rglob("*")):
        rel = "/" + path.relative_to(tmp_path).as_posix()
        if path.is_dir() or rel.startswith("/sourcedata/") or rel == "/.bidsignore":
            continue
        if _bids_ignored(rel, patterns):
            assert rel.endswith((".bcimodel", "_feedback.json")), rel
            continue
        checked.append(rel)
        assert validator.is_bids(rel), f"bids-validator rejects {rel}"
    assert "/sub-01/ses-01/eeg/sub-01_ses-01_task-mi_run-01_eeg.vhdr" in checked and len(checked) >= 10


@pytest.fixture(scope="module")
def physionet_model(tmp_path_factory):
    filt = FilterSpec(7, 30)
    ep = make_epochs(load_recordings([physionet_file(1, r) for r in (6, 10)]), {"T1": "hands", "T2": "feet"},
                     1.0, 2.0, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    model = tmp_path_factory.mktemp("model") / "hf.bcimodel"
    save_model(model, pipe, {"paradigm": "mi", "pipeline": {"name": "csp_lda", "version": "1", "params": {}},
                             "classes": list(pipe.classes_), "ch_names": ep.ch_names, "sfreq": ep.sfreq,
                             "tmin": 1.0, "tmax": 2.0, "filter": filt.to_dict()})
    return model


def test_player_decoded_online_and_predictions_read_by_stream_lsl(physionet_model, tmp_path, unique_name):
    outlet, log = f"{unique_name}-pred", tmp_path / "pred.jsonl"
    player = _player(physionet_file(1, 14), unique_name)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bcigui", "online", "--model", str(physionet_model), "--stream", unique_name,
             "--outlet", outlet, "--hop", "0.2", "--seconds", "7", "--log", str(log), "--quiet"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            desc = find_stream(outlet, timeout=20.0)
            stream = StreamLSL(bufsize=5, name=outlet).connect(timeout=5)
            try:
                types, units = stream.get_channel_types(), stream.get_channel_units()
                names = list(stream.info["ch_names"])
                time.sleep(1.5)
                values, stamps = stream.get_data()
            finally:
                stream.disconnect()
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        player.stop()
    assert proc.returncode == 0, err
    assert "lacks" not in err  # the player's Fc5. ... matched the model's FC5 ...
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert len(lines) >= 15 and {"p_feet", "p_hands"} <= set(lines[0])
    # mne-lsl's view of the predictions outlet: class probabilities and the label, no unit (FIFF none)
    assert names == ["feet", "hands", "label"] and types == ["misc"] * 3
    assert [u[1] for u in units] == [0, 0, 0]
    assert values.shape[0] == 3 and values.shape[1] >= 3
    assert np.allclose(values[0] + values[1], 1, atol=1e-5) and set(np.unique(values[2])) <= {-1.0, 0.0, 1.0}
    # bcigui's own description: stable source_id, channel metadata, model identity
    assert desc.source_id == f"bcigui-predictions@{socket.gethostname()}:{outlet}"
    assert desc.ch_types == ("probability", "probability", "label") and desc.units == ("none",) * 3


def test_stream_lsl_reads_the_simulator_with_units_and_types(unique_name):
    with Simulator("mi", n_channels=8, srate=250.0, name=unique_name):
        stream = StreamLSL(bufsize=2, name=unique_name).connect(timeout=5)
        try:
            assert stream.get_channel_types() == ["eeg"] * 8
            assert [u for u in stream.get_channel_units()] == [(107, -6)] * 8  # FIFF volt, micro
            time.sleep(0.5)
            data, _ = stream.get_data()
        finally:
            stream.disconnect()
    assert 1.0 < np.abs(data).max() < 500.0  # microvolt numbers, as declared


def test_model_identity_in_the_predictions_outlet(physionet_model, unique_name):
    """``desc/model`` names the pipeline and carries the manifest hash; a second outlet of the same name
    on this host gets a distinct source_id, a restarted one the same."""
    import pylsl

    from bcigui.core.online import OnlineRunner
    from bcigui.core.stream.acquisition import Acquisition

    model = load_model(physionet_model)
    player = _player(physionet_file(1, 14), unique_name)
    try:
        with Acquisition(unique_name, markers=None) as acq:
            first = OnlineRunner(model.pipeline, model.manifest, acq, outlet_name=f"{unique_name}-p",
                                 model_path=physionet_model)
            with first:
                inlet = pylsl.StreamInlet(pylsl.resolve_byprop("name", f"{unique_name}-p", timeout=5)[0])
                info = inlet.info(timeout=5)
                second = OnlineRunner(model.pipeline, model.manifest, acq, outlet_name=f"{unique_name}-p")
                with second:
                    sid2 = second.source_id
                del inlet
            restarted = OnlineRunner(model.pipeline, model.manifest, acq, outlet_name=f"{unique_name}-p")
            sid3 = restarted.outlet_info().source_id()
    finally:
        player.stop()
    m = info.desc().child("model")
    assert m.child_value("name") == "csp_lda" and m.child_value("file") == "hf.bcimodel"
    assert m.child_value("manifest_sha256") == manifest_sha256(model.manifest)
    assert info.desc().child_value("source_stream") == unique_name
    base = f"bcigui-predictions@{socket.gethostname()}:{unique_name}-p"
    assert info.source_id() == base and sid3 == base
    assert sid2 == base + "#2"

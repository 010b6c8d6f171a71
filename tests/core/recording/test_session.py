"""Real LSL EEG (sample-index channel) -> MI calibration session -> BIDS FIF; marker timing; run numbers."""

from __future__ import annotations

import time
from collections import Counter

import mne
import numpy as np

from bcigui.cli import main
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.recording.export import fif_copy_path
from bcigui.core.recording.session import CalibrationSession, SessionInfo
from bcigui.core.stream.acquisition import Acquisition

SHORT = dict(baseline_duration=0.5, fixation_duration=0.3, warning_duration=0.2, cue_duration=0.3,
             imagery_duration=0.6, rest_duration=0.3, rest_jitter=0.3)


def run_session(acq, outlet, out, trials, classes):
    p = MotorImageryParadigm(classes, trials, seed=5, **SHORT)
    s = CalibrationSession(acq, p, out, SessionInfo("01", "01", operator="op", notes="pilot"), outlet)
    s.run_headless()
    return s, s.finish()


def test_mi_run_trials_and_marker_times(index_outlet, unique_name, tmp_path):
    outlet = MarkerOutlet(unique_name + "-markers")
    acq = Acquisition(index_outlet.name, markers=[outlet.name]).start()
    try:
        assert outlet.wait_for_consumers(5.0)
        session, out = run_session(acq, outlet, tmp_path, trials=2, classes="left_hand,right_hand,feet")
        first_bytes = out.read_bytes()
        pushed = list(outlet.history)  # the ground truth of run 1
        session2, out2 = run_session(acq, outlet, tmp_path, trials=1, classes="left_hand,feet")
    finally:
        acq.stop()
    assert out.name == "sub-01_ses-01_task-mi_run-01_eeg.vhdr"
    assert out2.name == "sub-01_ses-01_task-mi_run-02_eeg.vhdr" and out.read_bytes() == first_bytes

    # the lossless FIF copy beside the crash-safe folder (the BIDS BrainVision file is float32 µV)
    raw = mne.io.read_raw_fif(fif_copy_path(session.plan.bcirec), preload=True, verbose="error")
    bv = mne.io.read_raw(out, preload=True, verbose="error")
    assert bv.ch_names == raw.ch_names and np.allclose(bv.get_data(), raw.get_data(), rtol=1e-6, atol=1e-12)
    assert raw.info["sfreq"] == index_outlet.srate
    assert raw.get_channel_types()[:2] == ["misc", "eeg"]
    index = raw.get_data(picks="index")[0]
    assert np.all(np.diff(index) == 1)  # no sample lost or duplicated
    # EEG channels were sent in microvolts and stored in volts
    assert 15e-6 < np.abs(raw.get_data(picks="Cz")).max() < 25e-6

    ann = [(o, d) for o, d in zip(raw.annotations.onset, raw.annotations.description, strict=True)
           if not d.startswith("BAD")]
    classes = Counter(mk.class_from_marker(d) for _, d in ann if mk.class_from_marker(d))
    assert classes == {"left_hand": 2, "right_hand": 2, "feet": 2}
    # ground truth: the stamps the paradigm pushed; time zero: the LSL stamp of the first sample
    t_first = index_outlet.t0 + index[0] / index_outlet.srate
    truth = sorted(pushed)
    ann = sorted(ann, key=lambda a: (round(a[0], 6), a[1]))  # events of one frame share a stamp
    assert [d for _, d in ann] == [label for _, label in truth]
    errors = np.array([o - (t - t_first) for (o, _), (t, _) in zip(ann, truth, strict=True)])
    assert np.abs(errors).max() < 0.010, errors
    assert {d for _, d in ann[:2]} == {mk.SESSION_START, mk.BASELINE_START}
    assert ann[-1][1] == mk.SESSION_END
    # the recording covers the whole session
    assert raw.times[-1] >= session.paradigm.total_duration() - 0.05
    assert raw.info["subject_info"]["his_id"] == "01" and raw.info["experimenter"] == "op"


def test_record_command_unwritable_folder_fails_before_start(tmp_path, capsys, unique_name):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    code = main(["record", "--stream", unique_name, "--paradigm", "mi", "--subject", "01", "--out",
                 str(blocker / "bids"), "--no-window"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be created" in err and str(blocker) in err
    assert unique_name not in err  # failed before looking for the (absent) stream


def test_record_command_bad_parameter(tmp_path, capsys, unique_name):
    code = main(["record", "--stream", unique_name, "--param", "imagery_duration=-1", "--subject", "01",
                 "--out", str(tmp_path), "--no-window"])
    err = capsys.readouterr().err
    assert code == 2 and "imagery_duration" in err and "-1" in err
    assert not any(tmp_path.iterdir())


def test_lost_samples_become_bad_gap(index_outlet, tmp_path):
    from bcigui.core.recording.export import read_bcirec, to_raw
    from bcigui.core.recording.writer import Recorder

    acq = Acquisition(index_outlet.name, markers=None).start()
    try:
        rec = Recorder(acq, tmp_path / "gap.bcirec").start()
        time.sleep(0.8)
        index_outlet.go_silent(1.5)
        time.sleep(2.5)
        rec.stop()
    finally:
        acq.stop()
    raw = to_raw(read_bcirec(rec.path))
    index = raw.get_data(picks="index")[0]
    gaps = [(o, d) for o, d, s in zip(raw.annotations.onset, raw.annotations.duration,
                                      raw.annotations.description, strict=True) if s == "BAD_gap"]
    assert len(gaps) == 1 and 1.3 < gaps[0][1] < 1.7
    # the samples that did arrive sit at their true time: index/srate from the first one
    first, last = int(round(gaps[0][0] * index_outlet.srate)), int(round(sum(gaps[0]) * index_outlet.srate))
    assert np.allclose(index[: first] - index[0], np.arange(first))
    assert np.abs(index[last:] - index[0] - np.arange(last, len(index))).max() <= 1


def test_foreign_marker_stream_with_our_name_is_not_recorded(index_outlet, unique_name, tmp_path):
    """Another program's outlet with the same name, seen by an acquisition that merges every marker
    stream (as the GUI's does), never reaches the recording: a session keeps its own outlet's markers."""
    import threading

    import pylsl

    name = unique_name + "-markers"
    foreign = pylsl.StreamOutlet(pylsl.StreamInfo(name, "Markers", 1, 0, "string", "another-app@elsewhere:1"))
    outlet = MarkerOutlet(name)
    assert outlet.source_id != "another-app@elsewhere:1" and outlet.source_id.startswith(name + "@")
    stop = threading.Event()

    def chatter():
        while not stop.wait(0.05):
            foreign.push_sample(["cue/feet"])

    thread = threading.Thread(target=chatter, daemon=True)
    thread.start()
    acq = Acquisition(index_outlet.name, markers="auto").start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and {r.desc.source_id for r in acq.marker_readers} < {
                outlet.source_id, "another-app@elsewhere:1"}:
            time.sleep(0.1)
        seen = {r.desc.source_id for r in acq.marker_readers}
        assert {outlet.source_id, "another-app@elsewhere:1"} <= seen  # the acquisition sees both
        _, out = run_session(acq, outlet, tmp_path, trials=2, classes="left_hand,right_hand")
    finally:
        stop.set()
        acq.stop()
    raw = mne.io.read_raw(out, verbose="error")  # the BIDS run (BrainVision: markers are Comment/<name>)
    names = [d.removeprefix("Comment/") for d in raw.annotations.description]
    classes = Counter(mk.class_from_marker(d) for d in names if mk.class_from_marker(d))
    assert classes == {"left_hand": 2, "right_hand": 2}  # no cue/feet from the other program
    from bcigui.core.data.recordings import load_recording

    assert load_recording(out).event_streams() == [name]  # each event keeps its source stream


def test_channels_marked_bad_are_kept_out_of_training(index_outlet, unique_name, tmp_path):
    """Channels ticked bad at the signal check reach the BIDS run (channels.tsv status) and the lossless
    FIF copy, and epochs (hence training and the model) leave them out by default."""
    from bcigui.core.data import load_recording, make_epochs

    outlet = MarkerOutlet(unique_name + "-markers")
    acq = Acquisition(index_outlet.name, markers=[outlet.name]).start()
    try:
        assert outlet.wait_for_consumers(5.0)
        p = MotorImageryParadigm("left_hand,right_hand", 2, seed=5, **SHORT)
        s = CalibrationSession(acq, p, tmp_path, SessionInfo("01", "01", extra={"bads": ["C3", "NOPE"]}), outlet)
        s.run_headless()
        out = s.finish()
    finally:
        acq.stop()
    rows = [line.split("\t") for line in out.with_name(out.name.replace("_eeg.vhdr", "_channels.tsv"))
            .read_text().splitlines()]
    status = {r[0]: r[rows[0].index("status")] for r in rows[1:]}
    assert status["C3"] == "bad" and status["Cz"] == "good"
    assert mne.io.read_raw_fif(fif_copy_path(s.plan.bcirec), verbose="error").info["bads"] == ["C3"]
    rec = load_recording(out)
    assert rec.raw.info["bads"] == ["C3"]
    ep = make_epochs([rec], {"cue/left_hand": "left", "cue/right_hand": "right"}, 0.0, 0.5)
    assert "C3" not in ep.ch_names and "Cz" in ep.ch_names and len(ep.y) == 4
    assert "C3" in make_epochs([rec], {"cue/left_hand": "left"}, 0.0, 0.5, picks=rec.ch_names).ch_names

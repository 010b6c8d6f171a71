"""Feedback runs decode in their own process (the online dock's DecoderProcess): real LSL stream,
real model files; every prediction logged is scored; problems stop the run before it records."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

from bcigui.core.model_file import load_model
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.recording.feedback import FeedbackSession
from bcigui.core.recording.session import SessionInfo
from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.simulator import Simulator
from tests.conftest import mi_model_file

SHORT = dict(baseline_duration=1.0, fixation_duration=0.3, warning_duration=0.2, cue_duration=0.3,
             imagery_duration=3.0, rest_duration=0.5, rest_jitter=0.2)


@pytest.fixture
def stream(unique_name):
    outlet = MarkerOutlet(unique_name + "-session")
    with Simulator("mi", n_channels=8, srate=250.0, seed=41, name=unique_name, classes=("left_hand", "right_hand")):
        acq = Acquisition(unique_name, markers=[outlet.name]).start()
        try:
            assert outlet.wait_for_consumers(5.0)
            yield acq, outlet
        finally:
            acq.stop()


def _session(acq, outlet, out, model_path, file_path=None):
    """A 2 x 2-trial feedback run of the model at ``model_path`` (its decoder reads ``file_path``)."""
    paradigm = MotorImageryParadigm("left_hand,right_hand", 2, seed=3, **SHORT)
    return FeedbackSession(acq, paradigm, out, SessionInfo("01", "01"), load_model(model_path),
                           file_path or model_path, outlet)


def test_a_feedback_run_decodes_in_its_own_process(stream, tmp_path):
    acq, outlet = stream
    session = _session(acq, outlet, tmp_path, mi_model_file(tmp_path / "m.bcimodel", 8))
    session.wait_decoder()
    assert session.decoder.problem() is None and session.decoder.pid != os.getpid()
    session.run_headless()
    session.finish()
    assert not session.decoder.alive  # the session started it, the session ended it
    summary = json.loads(session.summary_path.read_text())
    logged = (session.plan.bcirec / "predictions.jsonl").read_text().splitlines()
    assert summary["predictions"] == len(logged) > 20  # every prediction the process logged was scored
    assert summary["n_trials"] == 4 and summary["n_scored"] == 4


def test_a_decoder_that_cannot_start_stops_the_run_before_it_records(stream, tmp_path):
    acq, outlet = stream
    good = mi_model_file(tmp_path / "good.bcimodel", 8)
    damaged = tmp_path / "damaged.bcimodel"  # e.g. the file changed on disk after the operator loaded it
    damaged.write_bytes(good.read_bytes()[:-300])
    session = _session(acq, outlet, tmp_path, good, damaged)
    with pytest.raises(RuntimeError, match="the decoder cannot start: cannot load damaged.bcimodel"):
        session.begin()
    assert not session.plan.bcirec.exists()  # nothing recorded
    session.release_decoder()
    assert not session.decoder.alive


def test_a_model_the_stream_does_not_fit_is_refused_before_anything_starts(stream, tmp_path):
    acq, outlet = stream
    with pytest.raises(ValueError, match="channel"):
        _session(acq, outlet, tmp_path / "bids", mi_model_file(tmp_path / "m16.bcimodel", 16))
    assert not (tmp_path / "bids").exists()


def test_the_decoding_process_dying_is_said_and_the_run_is_kept(stream, tmp_path):
    acq, outlet = stream
    session = _session(acq, outlet, tmp_path, mi_model_file(tmp_path / "m.bcimodel", 8))
    session.shown(session.begin())
    deadline = time.monotonic() + 20
    while session.n_predictions < 3:
        assert time.monotonic() < deadline, "no prediction"
        time.sleep(0.05)
        if phases := session.tick():
            session.shown(phases)
    assert session.progress()["decoder_warning"] == ""
    os.kill(session.decoder.pid, signal.SIGKILL)
    while "ended unexpectedly" not in session.progress()["decoder_warning"]:
        assert time.monotonic() < deadline, session.progress()["decoder_warning"]
        time.sleep(0.05)
    session.abort()
    out = session.finish(settle=0.3)
    assert out.is_file() and json.loads(session.summary_path.read_text())["predictions"] >= 3

"""DecoderProcess: the OnlineRunner in a child process, on a real LSL stream and real model files."""

from __future__ import annotations

import json
import os
import signal
import time

import pylsl
import pytest

from bcigui.core.online.process import DecoderProcess
from bcigui.core.online.runner import RunnerOptions
from bcigui.core.stream.lsl import find_stream
from bcigui.core.stream.simulator import Simulator
from tests.conftest import mi_model_file as _model

CLASSES = ("left_hand", "right_hand")


def _wait(until, timeout: float) -> None:
    t_end = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < t_end, "timed out"
        time.sleep(0.05)


@pytest.fixture
def decoder():
    proc = DecoderProcess()
    yield proc
    proc.close()
    assert not proc.alive


def test_decodes_in_its_own_process_publishes_and_restarts(decoder, unique_name, tmp_path):
    model = _model(tmp_path / "m.bcimodel", 16)
    with Simulator("mi", n_channels=16, srate=250.0, seed=32, name=unique_name, classes=CLASSES):
        assert not decoder.ready
        decoder.set_model(model)
        assert decoder.loading  # until the child answers, what it holds is not known
        decoder.set_stream(find_stream(unique_name))
        _wait(lambda: decoder.ready, 20)
        assert not decoder.loading
        time.sleep(2.5)  # a window's worth buffered, as when the operator loads a model, then starts
        log = tmp_path / "pred.jsonl"
        delivered = []
        decoder.subscribe(delivered.append)
        t0 = time.monotonic()
        run = decoder.start(RunnerOptions(hop=0.1, outlet_name=f"{unique_name}-pred", log_path=str(log)))
        assert run is decoder and decoder.pid != os.getpid()
        _wait(lambda: decoder.status.predictions >= 1, 20)
        first = time.monotonic() - t0
        found = pylsl.resolve_byprop("name", f"{unique_name}-pred", timeout=5)
        assert found and found[0].source_id() == decoder.source_id
        inlet = pylsl.StreamInlet(found[0])
        inlet.open_stream(timeout=5)
        _wait(lambda: decoder.status.predictions >= 30, 20)
        published, _ = inlet.pull_chunk(timeout=1.0)
        assert decoder.status.state == "running" and decoder.status.latency_ms > 0
        preds = list(decoder.recent)
        steps = {b.sample_index - a.sample_index for a, b in zip(preds, preds[1:], strict=False)}
        assert steps == {25}  # one window every hop (0.1 s at 250 Hz), none lost on the way
        assert published and all(len(s) == len(CLASSES) + 1 for s in published)
        decoder.stop(timeout=5.0)  # returns once the child has stopped and its predictions are delivered
        assert decoder.status.state == "stopped"
        n_logged = len(log.read_text().splitlines())
        assert n_logged == len(delivered) == decoder.status.predictions
        decoder.unsubscribe(delivered.append)
        assert n_logged >= 30 and json.loads(log.read_text().splitlines()[0])["label"] in CLASSES
        # the same process decodes again, counting afresh
        decoder.start(RunnerOptions(outlet_name=None))
        _wait(lambda: decoder.status.predictions >= 5, 20)
        assert decoder.status.state == "running"
        decoder.stop()
        assert len(delivered) == n_logged  # unsubscribed: the second run's predictions went elsewhere
    assert first < 1.0, f"first prediction {first:.2f} s after start with the model loaded and the stream buffered"


def test_problems_come_back_as_errors(decoder, unique_name, tmp_path):
    wrong = _model(tmp_path / "sixteen.bcimodel", 16)  # channels the 8-channel stream does not have
    tampered = tmp_path / "tampered.bcimodel"
    tampered.write_bytes(wrong.read_bytes()[:-200])
    decoder.start(RunnerOptions(outlet_name=None))
    _wait(lambda: decoder.status.state == "error", 20)
    assert "no model" in decoder.status.reason
    with Simulator("mi", n_channels=8, srate=250.0, seed=33, name=unique_name, classes=CLASSES):
        decoder.set_stream(find_stream(unique_name))
        decoder.set_model(tampered)
        _wait(lambda: "model" in decoder.missing and "cannot load" in decoder.missing["model"], 20)
        assert "stream" not in decoder.missing and not decoder.ready
        decoder.start(RunnerOptions(outlet_name=None))
        _wait(lambda: decoder.status.state == "error", 20)
        assert "cannot load tampered.bcimodel" in decoder.status.reason
        decoder.set_model(wrong)
        decoder.start(RunnerOptions(outlet_name=None))
        _wait(lambda: decoder.status.state == "error", 20)
        assert "channel" in decoder.status.reason.lower()
        # the child dying is reported, not silent
        decoder.set_model(_model(tmp_path / "eight.bcimodel", 8))
        decoder.start(RunnerOptions(outlet_name=None))
        _wait(lambda: decoder.status.predictions >= 1, 20)
        os.kill(decoder.pid, signal.SIGKILL)
        _wait(lambda: decoder.status.state == "error", 10)
        assert "ended unexpectedly (killed by signal 9)" in decoder.status.reason

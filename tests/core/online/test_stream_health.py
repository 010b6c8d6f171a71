"""Streams that lie: silent, slower than declared, NaN channels, impossible amplitudes. Each is named,
and online decoding says why it produces nothing instead of decoding garbage."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pylsl

from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.health import check_stream
from bcigui.core.stream.lsl import make_stream_info

NAMES = ["C3", "Cz", "C4", "Pz"]


class Fake(threading.Thread):
    """4 channels declared at 250 Hz in microvolts; ``values(n)`` gives each chunk; ``rate`` what is sent."""

    def __init__(self, name: str, values, rate: float = 250.0, send: bool = True) -> None:
        super().__init__(daemon=True)
        self.outlet = pylsl.StreamOutlet(make_stream_info(name, "EEG", NAMES, 250.0, source_id=name))
        self.values, self.rate, self.send = values, rate, send
        self.halt = threading.Event()

    def run(self) -> None:
        while self.send and not self.halt.wait(0.04):
            n = max(1, int(round(self.rate * 0.04)))
            self.outlet.push_chunk(self.values(n).astype(np.float32).tolist())


def _problems(unique_name: str, fake: Fake, wait: float) -> list:
    fake.start()
    with Acquisition(unique_name, markers=None) as acq:
        t0 = time.monotonic()
        time.sleep(wait)
        found = check_stream(acq, connected_for=time.monotonic() - t0)
    fake.halt.set()
    return found


def test_each_lie_is_named(unique_name) -> None:
    rng = np.random.default_rng(0)

    def nan_pz(n: int) -> np.ndarray:
        x = rng.standard_normal((n, 4)) * 10
        x[:, 3] = np.nan
        return x

    (p,) = _problems(unique_name + "a", Fake(unique_name + "a", lambda n: np.full((n, 4), 1e36)), 1.5)
    assert p.kind == "amplitude" and p.channels == tuple(NAMES) and "1e+36 µV" in p.message
    (p,) = _problems(unique_name + "b", Fake(unique_name + "b", nan_pz), 1.5)
    assert p.kind == "nonfinite" and p.channels == ("Pz",)
    (p,) = _problems(unique_name + "c", Fake(unique_name + "c", lambda n: np.zeros((n, 4)), send=False), 2.5)
    assert p.kind == "silent" and "has sent no sample" in p.message
    (p,) = _problems(unique_name + "d", Fake(unique_name + "d", lambda n: rng.standard_normal((n, 4)), rate=60.0),
                     6.0)
    assert p.kind == "rate" and "declares 250 Hz but delivers" in p.message
    assert _problems(unique_name + "e", Fake(unique_name + "e", lambda n: rng.standard_normal((n, 4)) * 20), 1.5) == []


def test_online_says_why_it_decodes_nothing(unique_name, tmp_path) -> None:
    from bcigui.core.decoders.pipelines import make_csp_lda
    from bcigui.core.model_file import save_model

    X = np.random.default_rng(1).standard_normal((40, 4, 250)) * 1e-5
    y = np.array(["a", "b"] * 20)
    X[y == "a", 0] *= 3
    model = tmp_path / "m.bcimodel"
    save_model(model, make_csp_lda(250.0, NAMES, ["a", "b"], n_components=2).fit(X, y),
               {"paradigm": "mi", "classes": ["a", "b"], "ch_names": NAMES, "sfreq": 250.0, "tmin": 0.0,
                "tmax": 1.0, "filter": None, "pipeline": {"name": "csp_lda"}})
    fake = Fake(unique_name, lambda n: np.full((n, 4), 1e36))
    fake.start()
    res = subprocess.run([sys.executable, "-m", "bcigui", "online", "--model", str(model), "--stream", unique_name,
                          "--outlet", unique_name + "-p", "--seconds", "4", "--quiet"],
                         capture_output=True, text=True, timeout=60)
    fake.halt.set()
    assert res.returncode == 1, res.stdout + res.stderr
    assert "[problem] channel(s) C3, Cz, C4, Pz read up to 1e+36 µV" in res.stderr
    assert "0 predictions" in res.stdout and "no prediction: channel(s)" in res.stderr


def test_calibration_run_shows_and_stores_what_it_saw(unique_name, tmp_path) -> None:
    """A session watches its stream itself (GUI and command line alike): the operator sees the problem
    while it lasts, the recording keeps it."""
    import json

    from bcigui.core.paradigms.mi import MotorImageryParadigm
    from bcigui.core.paradigms.outlet import MarkerOutlet
    from bcigui.core.recording.session import CalibrationSession, SessionInfo

    def nan_cz(n):
        x = np.random.default_rng(0).standard_normal((n, 4)) * 10
        x[:, 1] = np.nan
        return x

    fake = Fake(unique_name, nan_cz)
    fake.start()
    outlet = MarkerOutlet(unique_name + "-markers")
    paradigm = MotorImageryParadigm("left_hand,right_hand", 1, seed=1, baseline_duration=2.5, fixation_duration=0.3,
                                    warning_duration=0.2, cue_duration=0.3, imagery_duration=0.5,
                                    rest_duration=0.3, rest_jitter=0.0)
    try:
        with Acquisition(unique_name, markers=[outlet.name]) as acq:
            session = CalibrationSession(acq, paradigm, tmp_path, SessionInfo("01", "01"), outlet)
            seen: list[list[str]] = []
            session.shown(session.begin())
            while not session.finished:
                session.shown(session.tick())
                seen.append(session.progress()["stream_problems"])
                time.sleep(0.02)
            session.finish()
    finally:
        fake.halt.set()
    assert any(p and "Cz send NaN" in p[0] for p in seen), seen[-3:]
    complete = json.loads((session.plan.bcirec / "complete.json").read_text())
    assert [p["kind"] for p in complete["stream_problems"]] == ["nonfinite"]
    assert complete["stream_problems"][0]["channels"] == ["Cz"]
    assert session.health is not None and not session.health._thread.is_alive()  # its own watch stopped

"""Source plugins through the registry: a third-party source from a plugin folder feeds `bcigui record`,
the built-in simulator feeds `bcigui online`; refusals name the choices."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SINE_SOURCE = '''
import threading
import time

import numpy as np
import pylsl

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec


class SineSource:
    """A third-party source: 8 channels of 10-Hz sine (µV) at 250 Hz on its own LSL outlet."""

    def __init__(self, name="sine", amplitude=20.0):
        self.name, self.amplitude = name, amplitude
        self._stop = threading.Event()

    def start(self):
        info = pylsl.StreamInfo(self.name, "EEG", 8, 250.0, "float32", self.name + "-id")
        chans = info.desc().append_child("channels")
        for label in ("C3", "Cz", "C4", "FC3", "FC4", "CP3", "CP4", "Pz"):
            ch = chans.append_child("channel")
            ch.append_child_value("label", label)
            ch.append_child_value("unit", "microvolts")
            ch.append_child_value("type", "EEG")
        self._outlet = pylsl.StreamOutlet(info, 10)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        t0, n = pylsl.local_clock(), 0
        while not self._stop.is_set():
            due = t0 + (n + 10) / 250.0
            time.sleep(max(0.0, due - pylsl.local_clock()))
            t = (n + np.arange(10)) / 250.0
            block = self.amplitude * np.sin(2 * np.pi * 10 * t)[:, None] * np.ones(8)
            self._outlet.push_chunk(block.astype(np.float32).tolist(), (t0 + t).tolist())
            n += 10

    def stop(self):
        self._stop.set()
        self._thread.join(2)


bcigui_plugins = [PluginSpec("sine", "source", SineSource, "10-Hz sine test source",
                             params=(Param("name", "str", "sine", "EEG stream name"),
                                     Param("amplitude", "float", 20.0, "amplitude", unit="µV")))]
'''

CUED_PARADIGM = '''
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.paradigms.plugins import MI_PARAMS
from bcigui.core.plugins.registry import PluginSpec


class Cued(MotorImageryParadigm):
    name = "cued"


bcigui_plugins = [PluginSpec("cued", "paradigm", Cued, "MI from a plugin folder", params=MI_PARAMS,
                             tags={"paradigm": "mi"})]
'''

SHORT = ["--param", "baseline_duration=0.5", "--param", "fixation_duration=0.2", "--param", "warning_duration=0.2",
         "--param", "cue_duration=0.3", "--param", "imagery_duration=0.5", "--param", "rest_duration=0.2",
         "--param", "rest_jitter=0"]


def _bcigui(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bcigui", *args], capture_output=True, text=True, timeout=timeout)


def test_record_from_a_third_party_source_plugin(tmp_path: Path, unique_name: str) -> None:
    import mne

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "sine.py").write_text(SINE_SOURCE)
    (folder / "cuedpar.py").write_text(CUED_PARADIGM)  # the paradigm comes from the folder too
    res = _bcigui("--plugins-dir", str(folder), "record", "--source", "sine", "--source-param", f"name={unique_name}",
                  "--paradigm", "cued", "--trials", "1", *SHORT, "--subject", "01", "--out", str(tmp_path / "bids"),
                  "--no-window")
    assert res.returncode == 0, res.stderr
    assert f"source 'sine' publishing LSL stream {unique_name!r}" in res.stdout
    vhdr = next((tmp_path / "bids").rglob("*_eeg.vhdr"))
    raw = mne.io.read_raw(vhdr, preload=True, verbose="error")
    assert raw.ch_names[:3] == ["C3", "Cz", "C4"] and raw.info["sfreq"] == 250.0
    peak = abs(raw.get_data(picks="Cz")).max()
    assert 15e-6 < peak < 25e-6  # the plugin's 20-µV sine, in volts
    cues = [d for d in raw.annotations.description if "cue" in d.lower()]
    assert len(cues) >= 2  # the folder paradigm's trials (1 per class) were cued and recorded


def test_source_refusals_name_the_choices(tmp_path: Path) -> None:
    res = _bcigui("online", "--model", str(tmp_path / "m.bcimodel"), "--source", "nope")
    assert res.returncode != 0 and "--source must be one of" in res.stderr and "simulator" in res.stderr
    assert "Traceback" not in res.stderr
    res = _bcigui("online", "--model", str(tmp_path / "m.bcimodel"), "--source", "lsl")
    assert res.returncode != 0 and "give --stream NAME instead" in res.stderr
    res = _bcigui("online", "--model", "m.bcimodel")
    assert res.returncode == 2 and "--stream" in res.stderr and "--source" in res.stderr


@pytest.mark.parametrize("kind", ["simulator"])
def test_builtin_simulator_is_a_registry_source(kind: str, unique_name: str) -> None:
    from bcigui.core.stream.sources import source_names, start_source

    assert {"simulator", "replay"} <= set(source_names()) and "lsl" not in source_names()
    src = start_source(kind, {"name": unique_name, "n_channels": 8, "srate": 250})
    try:
        assert src.name == unique_name and len(src.ch_names) == 8
    finally:
        src.stop()

"""Feature and decoder plugins from a --plugins-dir folder, end to end: `bcigui train` cross-validates
and exports a model with them (a third-party tensor feature through the selected-features decoder, a
third-party decoder by name), `bcigui evaluate` loads it again only where the folder is known."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import physionet_sensorimotor

BANDVAR = '''
import numpy as np
from scipy import signal
from sklearn.base import BaseEstimator, TransformerMixin

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec


class LogVarBands(TransformerMixin, BaseEstimator):
    """Log-variance of each channel in 4-Hz bands centred every 2 Hz: a (epochs, channels, bands) tensor."""

    def __init__(self, sfreq=160.0, fmin=8.0, fmax=30.0, output="tensor", ch_names=None):
        self.sfreq, self.fmin, self.fmax, self.output, self.ch_names = sfreq, fmin, fmax, output, ch_names

    def fit(self, X, y=None):
        self.freqs_ = np.arange(self.fmin, self.fmax + 1e-9, 2.0)
        n = np.asarray(X).shape[1]
        self.channel_names_ = list(self.ch_names) if self.ch_names else [f"ch{i}" for i in range(n)]
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        out = []
        for f in self.freqs_:
            sos = signal.butter(4, [max(0.5, f - 2), f + 2], "bandpass", fs=self.sfreq, output="sos")
            out.append(np.log(signal.sosfiltfilt(sos, X, axis=-1).var(axis=-1) + 1e-30))
        F = np.stack(out, axis=-1)
        return F if self.output == "tensor" else F.reshape(len(F), -1)


bcigui_plugins = [PluginSpec(
    "bandvar", "feature", LogVarBands, "log-variance in 4-Hz bands (test plugin)",
    params=(Param("sfreq", "float", 160.0, "sampling rate"), Param("fmin", "float", 8.0, "lowest centre"),
            Param("fmax", "float", 30.0, "highest centre"),
            Param("output", "str", "tensor", "layout", choices=("flat", "tensor"))),
    tags={"tensor": True}, trusted_types=("bcigui_user_plugins.bandvar.LogVarBands",))]
'''

LOGVAR_DECODER = '''
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import Pipeline

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec


class LogVar(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.n_channels_ = np.asarray(X).shape[1]
        return self

    def transform(self, X):
        return np.log(np.asarray(X).var(axis=-1) + 1e-30)


def make(sfreq, ch_names, classes, shrinkage="auto"):
    return Pipeline([("logvar", LogVar()), ("lda", LinearDiscriminantAnalysis(solver="lsqr", shrinkage=shrinkage))])


bcigui_plugins = [PluginSpec("logvar_lda", "decoder", make, "log-variance + shrinkage LDA (test plugin)",
                             params=(Param("shrinkage", "str", "auto", "LDA shrinkage"),),
                             tags={"paradigm": "mi", "filter": {"l_freq": 8.0, "h_freq": 30.0}},
                             trusted_types=("bcigui_user_plugins.logvar_lda.LogVar",))]
'''

EVENTS = "T1=left,T2=right"


def _bcigui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bcigui", *args], capture_output=True, text=True, timeout=300)


def test_third_party_tensor_feature_trains_exports_and_loads(tmp_path: Path, shared_data) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "bandvar.py").write_text(BANDVAR)
    files = [str(physionet_sensorimotor(1, r, tmp_path)) for r in (4, 8, 12)]
    model, report = tmp_path / "bv.bcimodel", tmp_path / "bv.json"
    res = _bcigui("--plugins-dir", str(folder), "train", "--data", *files, "--paradigm", "mi", "--events", EVENTS,
                  "--pipeline", "happyfeat", "--param", "feature=bandvar", "--param", "fmin=8",
                  "--param", "fmax=30", "--cv", "5", "--out", str(model), "--report", str(report))
    assert res.returncode == 0, res.stderr
    rep = json.loads(report.read_text())
    assert rep["params"]["feature"] == "bandvar" and rep["n_trials"] == 45
    assert 0.0 <= rep["accuracy"] <= 1.0 and len(rep["folds"]) == 5

    res = _bcigui("--plugins-dir", str(folder), "evaluate", "--model", str(model), "--data", files[0],
                  "--events", EVENTS)
    assert res.returncode == 0, res.stderr
    res = _bcigui("evaluate", "--model", str(model), "--data", files[0], "--events", EVENTS)  # folder unknown
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "bandvar" in res.stderr

    res = _bcigui("--plugins-dir", str(folder), "train", "--data", *files, "--paradigm", "mi", "--events", EVENTS,
                  "--pipeline", "happyfeat", "--param", "feature=nosuch", "--out", str(tmp_path / "x.bcimodel"))
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "bandvar" in res.stderr and "nosuch" in res.stderr  # the choices, and what was received


def test_third_party_decoder_trains_exports_and_loads(tmp_path: Path, shared_data) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "logvar_lda.py").write_text(LOGVAR_DECODER)
    files = [str(physionet_sensorimotor(1, r, tmp_path)) for r in (4, 8, 12)]
    model, report = tmp_path / "lv.bcimodel", tmp_path / "lv.json"
    res = _bcigui("--plugins-dir", str(folder), "train", "--data", *files, "--paradigm", "mi", "--events", EVENTS,
                  "--pipeline", "logvar_lda", "--cv", "5", "--out", str(model), "--report", str(report))
    assert res.returncode == 0, res.stderr
    rep = json.loads(report.read_text())
    assert rep["pipeline"] == "logvar_lda" and rep["n_trials"] == 45 and len(rep["folds"]) == 5
    res = _bcigui("--plugins-dir", str(folder), "evaluate", "--model", str(model), "--data", files[0],
                  "--events", EVENTS)
    assert res.returncode == 0, res.stderr
    res = _bcigui("evaluate", "--model", str(model), "--data", files[0], "--events", EVENTS)
    assert res.returncode != 0 and "Traceback" not in res.stderr and "logvar_lda" in res.stderr

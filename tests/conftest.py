"""Shared fixtures. GUI tests run offscreen."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Small linear algebra (covariances, eigh of 64x64) is many times slower with threaded BLAS on a
# 2-core machine shared with LSL threads; tests (and their subprocesses) run single-threaded BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(limits=1)

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
PHYSIONET = SHARED_DATA / "physionet-eegmmidb"
KALUNGA = SHARED_DATA / "kalunga2016-ssvep"


def fit_by_convention(est, X, y):
    """Check the scikit-learn conventions every bcigui estimator follows (parameters stored as given,
    nothing learned in ``__init__``, ``fit`` returns the estimator) and return a fitted clone."""
    from sklearn.base import clone
    from sklearn.utils.estimator_checks import check_get_params_invariance, check_set_params

    name = type(est).__name__
    check_get_params_invariance(name, est)
    check_set_params(name, est)
    c = clone(est)
    assert c.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    assert not [k for k in vars(c) if k.endswith("_")]  # __init__ only stores parameters
    assert c.fit(X, y) is c
    return c


def mi_model_file(path: Path, n_channels: int, classes: tuple[str, ...] = ("left_hand", "right_hand")) -> Path:
    """A CSP+LDA model file (8-30 Hz, 1-3 s) trained on simulated motor imagery (250 Hz)."""
    import mne

    from bcigui.core.data import Event, Recording, make_epochs
    from bcigui.core.decoders.pipelines import make_csp_lda
    from bcigui.core.model_file import save_model
    from bcigui.core.signal.filters import FilterSpec
    from bcigui.core.stream.simulator import generate

    filt = FilterSpec(8, 30)
    sim = generate("mi", n_channels=n_channels, srate=250.0, seconds=200, seed=31, classes=classes)
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose=False)
    rec = Recording(raw, [Event(i / sim.sfreq, 0.0, lab) for i, lab in sim.events], None, 0)
    ep = make_epochs([rec], {f"cue/{c}": c for c in classes}, 1.0, 3.0, filt)
    pipe = make_csp_lda(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
    save_model(path, pipe, {"paradigm": "mi", "pipeline": "csp_lda", "classes": list(pipe.classes_),
                            "ch_names": ep.ch_names, "sfreq": ep.sfreq, "tmin": 1.0, "tmax": 3.0,
                            "filter": filt.to_dict()})
    return path


def physionet_file(subject: int, run: int) -> Path:
    """Path of a PhysioNet EEGMMIDB EDF in ``../shared/data``."""
    return PHYSIONET / "MNE-eegbci-data/files/eegmmidb/1.0.0" / f"S{subject:03d}" / f"S{subject:03d}R{run:02d}.edf"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def unique_name() -> str:
    """A stream name no other test (or concurrent test run) uses."""
    return f"bcigui-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def screenshot_dir() -> Path:
    """Where GUI tests save the screenshots we look at (``screenshots/``, git-ignored)."""
    d = ROOT / "screenshots"
    d.mkdir(exist_ok=True)
    return d


def physionet_sensorimotor(subject: int, run: int, out_dir: Path) -> Path:
    """The PhysioNet run as a FIF of its 21 sensorimotor channels (FC, C and CP rows): the same trials
    and events at a third of the channels, for tests whose point is not 64-channel accuracy."""
    import mne

    out = out_dir / f"S{subject:03d}R{run:02d}_sensorimotor_raw.fif"
    if not out.exists():
        raw = mne.io.read_raw_edf(physionet_file(subject, run), preload=True, verbose="error")
        raw.pick(raw.ch_names[:21]).save(out, verbose="error")
    return out

"""Real-data loaders shared by the feature tests (cached per session)."""

from __future__ import annotations

from functools import lru_cache

from bcigui.core.data.epochs import make_epochs
from bcigui.core.data.recordings import load_recordings
from bcigui.core.signal.filters import FilterSpec
from tests.conftest import KALUNGA, physionet_file

SENSORIMOTOR = {f"{p}{n}" for p in ("FC", "C", "CP") for n in ("5", "3", "1", "z", "2", "4", "6")}


@lru_cache(maxsize=4)
def physionet(runs: tuple[int, ...], labels: tuple[str, str], tmin: float = 0.5, tmax: float = 2.5):
    recs = load_recordings([physionet_file(1, r) for r in runs])
    return make_epochs(recs, {"T1": labels[0], "T2": labels[1]}, tmin, tmax, FilterSpec(7, 30))


@lru_cache(maxsize=1)
def kalunga(subject: int = 3):
    files = sorted((KALUNGA / f"subject{subject:02d}").glob("*_raw.fif"))
    recs = load_recordings(files)
    return make_epochs(recs, {"1": "rest", "2": "13", "3": "21", "4": "17"}, 1.0, 5.0, FilterSpec(5, 40))

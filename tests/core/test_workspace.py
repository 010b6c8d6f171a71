"""Workspace: data sets, records, JSON round trip with relative paths, cached feature extraction."""

from __future__ import annotations

import json
import shutil
import threading

import numpy as np
import pytest

from bcigui.core.features.plugins import PLUGINS
from bcigui.core.signal.filters import FilterSpec
from bcigui.core.workspace import ExtractionCancelled, Workspace
from tests.conftest import physionet_file

PSD = next(s for s in PLUGINS if s.name == "psd")
RUNS = (6, 10, 14)


@pytest.fixture
def ws(tmp_path, shared_data):
    w = Workspace(tmp_path / "ws")
    w.add_dataset("S001 hands/feet", [physionet_file(1, r) for r in RUNS], {"T1": "hands", "T2": "feet"},
                  0.5, 2.5, FilterSpec(7, 30))
    return w


def test_extract_caches_and_reuses_tensor(ws):
    calls = []
    ft = ws.extract("S001-hands-feet", PSD, {"method": "welch", "fmax": 30}, progress=calls.append)
    assert ft.data.shape == (45, 64, 30) and "C3" in ft.rows and ft.columns[0] == "1.0"
    assert ft.feature_names[0] == f"{ft.rows[0]};1.0" and ft.flat.shape == (45, 64 * 30)
    assert calls[-1] == 1.0 and calls == sorted(calls) and len(calls) > 5
    assert set(ft.y) == {"hands", "feet"} and set(ft.runs) == {0, 1, 2}
    assert len(list(ws.cache.folder.glob("*.npz"))) == 1
    # a fresh workspace object on the same folder: cache hit, the recordings are not even loaded
    ws.save()
    again = Workspace(ws.path)
    hit = again.extract("S001-hands-feet", PSD, {"fmax": 30})
    assert not again._epochs  # nothing was recomputed
    np.testing.assert_array_equal(hit.data, ft.data)
    assert hit.key == ft.key and hit.rows == ft.rows
    # other parameters: another cache entry
    other = again.extract("S001-hands-feet", "psd", {"fmax": 30, "method": "burg"})
    assert other.key != ft.key and len(list(ws.cache.folder.glob("*.npz"))) == 2
    assert again._epochs


def test_extract_cancel_and_errors(ws):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExtractionCancelled):
        ws.extract("S001-hands-feet", PSD, cancel=cancel)
    assert not list(ws.cache.folder.glob("*.npz"))  # nothing half-written
    with pytest.raises(ValueError, match="supervised"):
        ws.extract("S001-hands-feet", "csp")
    with pytest.raises(KeyError, match="available.*S001-hands-feet"):
        ws.extract("nope", PSD)
    with pytest.raises(ValueError, match="method.*must be one of"):
        ws.extract("S001-hands-feet", PSD, {"method": "fft"})


def test_records_round_trip_with_relative_paths(tmp_path, shared_data):
    src = tmp_path / "a" / "ws"
    data = src / "data"
    data.mkdir(parents=True)
    for r in RUNS:
        shutil.copy(physionet_file(1, r), data)
    w = Workspace(src)
    did = w.add_dataset("hf", sorted(data.glob("*.edf")), {"T1": "hands", "T2": "feet"}, 0.5, 2.5, FilterSpec(7, 30))
    pid = w.add_param_set("welch 1 Hz", "psd", {"method": "welch", "freq_resolution": 1.0})
    sid = w.add_selection("top", ["C3;12.0", "C4;12.0"], did, pid, source="autofeat")
    aid = w.add_attempt(did, {"features": "psd", "classifier": "lda"}, {"accuracy": np.float64(0.8)}, sid,
                        model_path=src / "m.bcimodel")
    w.save()
    doc = json.loads((src / "workspace.json").read_text())
    assert doc["datasets"][did]["files"][0] == "data/S001R06.edf"
    assert doc["attempts"][aid]["model"] == "m.bcimodel" and doc["attempts"][aid]["scores"]["accuracy"] == 0.8
    moved = tmp_path / "b" / "moved"
    moved.parent.mkdir()
    shutil.move(src, moved)
    w2 = Workspace(moved)
    assert w2.selections[sid]["features"] == ["C3;12.0", "C4;12.0"] and w2.param_sets[pid]["extractor"] == "psd"
    assert w2.dataset_files(did)[0] == (moved / "data" / "S001R06.edf").resolve()
    assert w2.epochs(did).X.shape == (45, 64, 320)
    assert w2.add_dataset("hf", w2.dataset_files(did), {"T1": "hands"}, 0, 1) == "hf-2"


def test_bad_input_gives_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.edf"):
        Workspace(tmp_path).add_dataset("x", [tmp_path / "missing.edf"], {"T1": "a"}, 0, 1)
    (tmp_path / "w2").mkdir()
    (tmp_path / "w2" / "workspace.json").write_text("{not json")
    with pytest.raises(ValueError, match="Cannot read workspace file"):
        Workspace(tmp_path / "w2")
    (tmp_path / "w2" / "workspace.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a bcigui workspace"):
        Workspace(tmp_path / "w2")


def test_dataset_with_cut_window_and_excluded_epochs(tmp_path, shared_data):
    """The GUI's data set (cut back to the baseline, cropped, bad epochs excluded) is reproducible and cached."""
    from bcigui.core.data import load_recordings, make_epochs
    from bcigui.core.workspace import crop_epochs

    files = [physionet_file(1, r) for r in RUNS]
    flt = FilterSpec(7, 30)
    w = Workspace(tmp_path / "ws")
    did = w.add_dataset("hf", files, {"T1": "hands", "T2": "feet"}, 0.5, 2.5, flt, cut=(-1.0, 2.5), exclude=[3, 0])
    assert w.datasets[did]["cut"] == [-1.0, 2.5] and w.datasets[did]["exclude"] == [0, 3]
    # same definition: the same data set; other exclusions: another one (another cache key)
    assert w.add_dataset("hf", files, {"T1": "hands", "T2": "feet"}, 0.5, 2.5, flt, cut=(-1, 2.5), exclude=[0, 3],
                         reuse=True) == did
    other = w.add_dataset("hf", files, {"T1": "hands", "T2": "feet"}, 0.5, 2.5, flt, cut=(-1, 2.5), exclude=[0],
                          reuse=True)
    assert other != did and w.fingerprint(other) != w.fingerprint(did)
    with pytest.raises(ValueError, match="'cut' must contain"):
        w.add_dataset("x", files, {"T1": "a"}, 0.5, 2.5, cut=(1.0, 2.5))

    full = make_epochs(load_recordings(files), {"T1": "hands", "T2": "feet"}, -1.0, 2.5, flt)
    keep = np.ones(len(full), dtype=bool)
    keep[[0, 3]] = False
    expected = crop_epochs(full, 0.5, 2.5).select(keep)
    ep = w.epochs(did)
    assert len(ep) == len(full) - 2 and (ep.tmin, ep.tmax) == (0.5, 2.5)
    np.testing.assert_array_equal(ep.X, expected.X)
    np.testing.assert_array_equal(ep.y, expected.y)

    ft = w.extract(did, PSD, {"fmax": 30})
    assert not ft.cached and ft.data.shape == (len(full) - 2, 64, 30)
    w.save()
    again = Workspace(w.path)
    hit = again.extract(did, PSD, {"fmax": 30})
    assert hit.cached and not again._epochs and len(list(again.cache.folder.glob("*.npz"))) == 1
    np.testing.assert_array_equal(hit.data, ft.data)
    # epochs already in memory (the GUI's) can be handed over instead of reloading the files
    fresh = Workspace(w.path)
    fresh.prime_epochs(other, expected)
    assert fresh.epochs(other) is expected
    # selections and parameter sets are found again instead of duplicated
    pid = again.add_param_set("welch", "psd", {"fmax": 30.0}, reuse=True)
    assert again.add_param_set("again", "psd", {"fmax": 30.0}, reuse=True) == pid
    sid = again.add_selection("top", ["psd:C3;12.0", "imcoh:C4;10.0"], did, pid, reuse=True)
    assert again.add_selection("same", ["psd:C3;12.0", "imcoh:C4;10.0"], did, reuse=True) == sid
    assert len(again.selections) == 1 and len(again.param_sets) == 1

"""The same trials never on both sides of a split: duplicate recordings are refused, and epochs that
overlap in time stay in one fold."""

from __future__ import annotations

import shutil

import mne
import numpy as np
import pytest

from bcigui.core.data.recordings import load_recordings
from bcigui.core.decoders.evaluation import make_splits, overlap_groups
from tests.conftest import physionet_file


def test_duplicate_recordings_are_refused(tmp_path) -> None:
    edf = physionet_file(1, 4)
    copy = tmp_path / "copy.edf"
    shutil.copy(edf, copy)
    with pytest.raises(ValueError, match="hold the same recording"):
        load_recordings([edf, copy])
    raw = mne.io.read_raw_edf(edf, preload=True, verbose="error")
    fif = tmp_path / "same_raw.fif"
    raw.save(fif, verbose="error")  # another format, the same samples
    with pytest.raises(ValueError, match="same_raw.fif and .*S001R04.edf hold the same recording"):
        load_recordings([edf, fif])
    assert len(load_recordings([edf, physionet_file(1, 8)])) == 2  # two different runs are fine


def test_overlapping_epochs_stay_in_one_fold() -> None:
    rng = np.random.default_rng(0)
    onsets = np.sort(rng.uniform(0, 300, 60))  # 4-s windows at random times: many overlap
    runs = np.repeat([0, 1], 30)
    y = np.array(["a", "b"] * 30)
    groups = overlap_groups(runs, onsets, 4.0)
    assert groups is not None and len(np.unique(groups)) < 60
    for train, test in make_splits(y, 5, runs, onsets, seed=1, window=4.0):
        for i in test:
            same_run = train[runs[train] == runs[i]]
            assert np.all(np.abs(onsets[same_run] - onsets[i]) >= 4.0)  # no training window overlaps it
    # spaced trials: no grouping, the same folds as before
    spaced = np.arange(60) * 10.0
    assert overlap_groups(runs, spaced, 4.0) is None
    a = make_splits(y, 5, runs, spaced, seed=1, window=4.0)
    b = make_splits(y, 5, seed=1)
    assert all(np.array_equal(x[1], z[1]) for x, z in zip(a, b, strict=True))

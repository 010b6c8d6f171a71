"""Cross-validation schemes, metrics, chance level, comparison, combination search, progress/cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from decoder_sim import mi_epochs

from bcigui.core.decoders.evaluation import (
    Cancelled,
    chance_level,
    compare_pipelines,
    compute_metrics,
    cross_validate,
    find_best_combination,
    itr_bits_per_min,
    make_splits,
)
from bcigui.core.decoders.pipelines import make_csp_lda, make_happyfeat, make_mdm

SF = 128.0
NAMES = [f"C{i}" for i in range(8)]


def test_metrics_match_hand_computation() -> None:
    m = compute_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"], np.array([0.1, 0.6, 0.7, 0.9]), 2.0)
    assert m["accuracy"] == 0.75 and m["balanced_accuracy"] == 0.75
    assert m["confusion_matrix"] == [[1, 1], [0, 2]]
    # kappa: p_o = 0.75, p_e = 0.5*0.25 + 0.5*0.75 = 0.5 -> 0.5
    assert m["kappa"] == pytest.approx(0.5)
    assert m["roc_auc"] == 1.0  # scores rank every b above every a
    # ITR (Wolpaw): N=2, P=0.75 -> 1 + .75 log2 .75 + .25 log2 .25 bits per 2-s trial
    bits = 1 + 0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)
    assert m["itr_bits_per_min"] == pytest.approx(bits * 30)
    assert itr_bits_per_min(2, 1.0, 2.0) == pytest.approx(30.0)
    assert itr_bits_per_min(4, 0.25, 2.0) == 0.0


def test_chance_level_binomial() -> None:
    y = np.array(["a", "b"] * 50)
    p0, threshold = chance_level(y)
    assert p0 == 0.5
    assert 0.55 < threshold < 0.62  # binomial 95 % quantile for n=100
    p0, _ = chance_level(np.array(["a"] * 30 + ["b"] * 10))
    assert p0 == 0.75


def test_split_schemes() -> None:
    y = np.array(["a", "b"] * 15)
    runs = np.repeat([0, 1, 2], 10)
    onsets = np.tile(np.arange(10.0), 3)
    folds = make_splits(y, 5)
    tested = np.concatenate([te for _, te in folds])
    assert len(folds) == 5 and sorted(tested) == list(range(30))
    for tr, te in make_splits(y, "runs", runs):
        assert len(np.unique(runs[te])) == 1 and runs[te][0] not in runs[tr]
    [(tr, te)] = make_splits(y, "chrono", runs, onsets)
    last_train = max(zip(runs[tr], onsets[tr], strict=True))
    assert all((r, o) > last_train for r, o in zip(runs[te], onsets[te], strict=True)) and len(te) == 6
    with pytest.raises(ValueError, match="cv must be an integer k >= 2.*got 'bogus'"):
        make_splits(y, "bogus")
    with pytest.raises(ValueError, match="at least two runs"):
        make_splits(y, "runs", np.zeros(30))
    with pytest.raises(ValueError, match="at least 20 trials per class"):
        make_splits(y, 20)


def test_cross_validate_report_progress_and_permutation() -> None:
    X, y = mi_epochs(n_per_class=20, seed=1)
    seen: list[float] = []
    rep = cross_validate(make_csp_lda(SF, NAMES, ["left", "right"], n_components=4), X, y, cv=5,
                         trial_seconds=2.0, n_permutations=2, progress=lambda f, m: seen.append(f))
    assert rep["accuracy"] > 0.8 and rep["p_value"] < 1e-3 and rep["permutation_p_value"] == pytest.approx(1 / 3)
    assert len(rep["folds"]) == 5 and {"accuracy", "kappa", "roc_auc", "fit_seconds"} <= set(rep["folds"][0])
    assert np.sum(rep["confusion_matrix"]) == 40 and rep["classes"] == ["left", "right"]
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 15


def test_cancel_stops_between_folds() -> None:
    X, y = mi_epochs(n_per_class=20, seed=2)
    cancel = threading.Event()
    calls: list[str] = []

    def progress(f: float, msg: str) -> None:
        calls.append(msg)
        if len(calls) == 2:
            cancel.set()

    with pytest.raises(Cancelled):
        cross_validate(make_mdm(SF, NAMES, ["left", "right"]), X, y, cv=5, progress=progress, cancel=cancel)
    assert len(calls) == 2


def test_compare_uses_the_same_folds() -> None:
    X, y = mi_epochs(n_per_class=20, seed=3)
    rows = compare_pipelines({"csp": make_csp_lda(SF, NAMES, [], n_components=4), "mdm": make_mdm(SF, NAMES, [])},
                             X, y, cv=4)
    assert [r["pipeline"] for r in rows] == sorted(["csp", "mdm"], key=lambda n: -next(
        r["accuracy"] for r in rows if r["pipeline"] == n))
    assert all(len(r["fold_accuracy"]) == 4 and r["n_trials"] == 40 for r in rows)
    again = cross_validate(make_mdm(SF, NAMES, []), X, y, cv=4)
    assert next(r for r in rows if r["pipeline"] == "mdm")["accuracy"] == pytest.approx(again["accuracy"])


def test_find_best_combination_prefers_informative_features() -> None:
    X, y = mi_epochs(n_per_class=20, seed=4)
    feats = ["C5;10", "C0;10", "C1;10", "C6;10"]

    def build(combo: list[str]):
        return make_happyfeat(SF, NAMES, ["left", "right"], selection=", ".join(combo))

    rows = find_best_combination(build, feats, X, y, mode="prefix", cv=4)
    assert [len(r["features"]) for r in sorted(rows, key=lambda r: len(r["features"]))] == [1, 2, 3, 4]
    best = rows[0]
    assert {"C0;10", "C1;10"} & set(best["features"]) and best["accuracy"] > 0.8
    subsets = find_best_combination(build, feats, X, y, mode="subsets", max_size=2, cv=4)
    assert len(subsets) == 4 + 6
    assert set(subsets[0]["features"]) <= {"C0;10", "C1;10"} or subsets[0]["accuracy"] > 0.9
    with pytest.raises(ValueError, match="mode must be 'prefix' or 'subsets', got 'all'"):
        find_best_combination(build, feats, X, y, mode="all")

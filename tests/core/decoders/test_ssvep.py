"""SSVEP decoders on simulated signals: CCA, filter-bank CCA, TRCA, rest handling, errors."""

from __future__ import annotations

import numpy as np
import pytest
from decoder_sim import ssvep_epochs
from sklearn.model_selection import cross_val_score

from bcigui.core.decoders.ssvep import CCA, TRCA, cca_correlation, parse_frequency, reference_signals

SF = 256.0


def test_reference_and_correlation() -> None:
    ref = reference_signals(13.0, SF, 512, 2)
    assert ref.shape == (4, 512)
    x = np.vstack([np.sin(2 * np.pi * 13 * np.arange(512) / SF + 1.0), np.random.default_rng(0).standard_normal(512)])
    assert cca_correlation(x, ref) > 0.99
    assert cca_correlation(x, reference_signals(17.0, SF, 512, 2)) < 0.3
    assert parse_frequency("13") == 13.0 and parse_frequency("12.5Hz") == 12.5 and parse_frequency("rest") is None


@pytest.mark.parametrize("n_bands,rest_mode", [(1, "threshold"), (3, "threshold"), (3, "learned")])
def test_cca_with_rest(n_bands: int, rest_mode: str) -> None:
    X, y = ssvep_epochs(n_per_class=10, seed=1)
    acc = cross_val_score(CCA(SF, n_bands=n_bands, rest_mode=rest_mode), X, y, cv=5).mean()
    assert acc >= 0.85, acc
    clf = CCA(SF, n_bands=n_bands, rest_mode=rest_mode).fit(X, y)
    assert list(clf.classes_) == ["13", "17", "21", "rest"]
    assert clf.decision_function(X[:3]).shape == (3, 4)


def test_cca_without_rest_is_training_free() -> None:
    X, y = ssvep_epochs(n_per_class=8, rest=False, seed=2)
    clf = CCA(SF).fit(X[::8], y[::8])  # one trial per class: only the labels (frequencies) are used
    assert np.mean(clf.predict(X) == y) >= 0.95


@pytest.mark.parametrize("ensemble", [False, True])
def test_trca_on_phase_locked_responses(ensemble: bool) -> None:
    X, y = ssvep_epochs(n_per_class=10, snr=0.5, phase_locked=True, seed=3)
    acc = cross_val_score(TRCA(SF, ensemble=ensemble, n_bands=1), X, y, cv=5).mean()
    assert acc >= 0.85, acc


def test_trca_needs_phase_locking() -> None:
    """Without phase locking, the TRCA templates average out: near chance (documents the limitation)."""
    X, y = ssvep_epochs(n_per_class=10, rest=False, snr=0.5, phase_locked=False, seed=4)
    assert cross_val_score(TRCA(SF, ensemble=True, n_bands=1), X, y, cv=5).mean() < 0.6


def test_errors_name_the_problem() -> None:
    X, y = ssvep_epochs(n_per_class=4, seed=5)
    with pytest.raises(ValueError, match="stimulus frequencies in Hz"):
        CCA(SF).fit(X, np.where(y == "13", "left", y))
    with pytest.raises(ValueError, match=r"rest_mode must be one of \['threshold', 'learned'\], got 'x'"):
        CCA(SF, rest_mode="x").fit(X, y)
    bad = X.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        CCA(SF).fit(bad, y)
    with pytest.raises(ValueError, match="shape"):
        CCA(SF).fit(X[:, 0], y)

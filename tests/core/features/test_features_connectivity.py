"""Connectivity: lagged coupling shows in |ImCoh| at its frequency only; zero-lag coupling does not."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.features.connectivity import ConnectivityFeatures, connectivity_matrices

SF = 160.0
F_LAG, F_ZERO = 10.0, 22.0


def _coupled(n_epochs: int = 12, n_times: int = 1600) -> np.ndarray:
    """ch0/ch1 share a 10 Hz sinusoid a quarter period apart; ch2/ch3 share a 22 Hz one in phase."""
    rng = np.random.default_rng(0)
    t = np.arange(n_times) / SF
    X = 0.5 * rng.standard_normal((n_epochs, 5, n_times))
    ph = rng.uniform(0, 2 * np.pi, (n_epochs, 1))
    X[:, 0] += np.sin(2 * np.pi * F_LAG * t + ph)
    X[:, 1] += np.sin(2 * np.pi * F_LAG * t + ph - np.pi / 2)
    ph = rng.uniform(0, 2 * np.pi, (n_epochs, 1))
    X[:, 2] += np.sin(2 * np.pi * F_ZERO * t + ph)
    X[:, 3] += np.sin(2 * np.pi * F_ZERO * t + ph)
    return X


def test_imcoh_edges_high_at_lagged_frequency_only():
    X = _coupled()
    est = ConnectivityFeatures(SF, "imcoh", fmin=2, fmax=40, reduce="edges", output="tensor",
                               ch_names=["a", "b", "c", "d", "e"]).fit(X)
    T = est.transform(X).mean(axis=0)  # (n_pairs, n_freqs)
    pairs = est.channel_names_
    ab, cd = pairs.index("a-b"), pairs.index("c-d")
    f = est.freqs_
    assert T[ab, f == F_LAG][0] > 0.8
    assert np.all(T[ab, np.abs(f - F_LAG) >= 3] < 0.25)
    assert T[cd, f == F_ZERO][0] < 0.25  # zero-lag coupling is invisible to ImCoh ...
    coh = ConnectivityFeatures(SF, "coh", fmin=2, fmax=40, reduce="edges", output="tensor").fit(X)
    assert coh.transform(X).mean(axis=0)[cd, f == F_ZERO][0] > 0.8  # ... but not to coherence


def test_node_strength_is_mean_over_other_channels():
    X = _coupled(n_epochs=4)
    C = connectivity_matrices(X, SF, np.arange(2.0, 41.0), "imcoh")
    assert C.shape == (4, 5, 5, 39)
    np.testing.assert_allclose(C, np.swapaxes(C, 1, 2))
    est = ConnectivityFeatures(SF, "imcoh", fmin=2, fmax=40, output="tensor").fit(X)
    node = est.transform(X)
    np.testing.assert_allclose(node, C.sum(axis=2) / 4)
    k = list(est.freqs_).index(F_LAG)
    mean = node[:, :, k].mean(axis=0)
    assert mean[:2].min() > 2 * mean[2:].max()  # only a and b are coupled at 10 Hz
    flat = ConnectivityFeatures(SF, "imcoh", fmin=2, fmax=40, ch_names=list("abcde")).fit(X)
    assert flat.get_feature_names_out()[0] == "a;2.0" and flat.transform(X).shape == (4, 5 * 39)


@pytest.mark.parametrize("method", ["plv", "wpli", "lagged"])
def test_other_measures_detect_lagged_coupling(method):
    X = _coupled(n_epochs=4, n_times=640)[:, :3]
    est = ConnectivityFeatures(SF, method, fmin=4, fmax=30, freq_resolution=2, reduce="edges", output="tensor").fit(X)
    T = est.transform(X).mean(axis=0)
    k = list(est.freqs_).index(F_LAG)
    far = np.abs(est.freqs_ - F_LAG) >= 6
    assert T[0, k] > 0.6 and T[0, k] > 2 * T[0, far].mean()


def test_errors():
    X = _coupled(n_epochs=2, n_times=320)
    with pytest.raises(ValueError, match="method.*'pli'"):
        ConnectivityFeatures(SF, "pli").fit(X)
    with pytest.raises(ValueError, match="reduce"):
        ConnectivityFeatures(SF, reduce="sum").fit(X)
    with pytest.raises(ValueError, match="at least 2 channels"):
        ConnectivityFeatures(SF).fit(X[:, :1])
    with pytest.raises(ValueError, match="fmin.*lagged"):
        ConnectivityFeatures(SF, "lagged", fmin=0).fit(X)

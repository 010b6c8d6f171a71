"""The one scalp-map interpolation: exact on linear fields, nothing invented outside when asked."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.signal.topography import GridInterpolator, head_map


def test_linear_field_is_reproduced_and_outside_is_nearest_or_nan():
    rng = np.random.default_rng(0)
    pts = rng.uniform(-1, 1, (30, 2))
    field = 2.0 * pts[:, 0] - 0.5 * pts[:, 1] + 1.0
    grid = np.array([[0.0, 0.0], [0.2, -0.1], [5.0, 5.0]])
    near = GridInterpolator(pts, grid)(field)
    np.testing.assert_allclose(near[:2], 2.0 * grid[:2, 0] - 0.5 * grid[:2, 1] + 1.0, atol=1e-12)
    nearest = np.argmin(np.hypot(*(pts - grid[2]).T))
    assert near[2] == pytest.approx(field[nearest])
    nan = GridInterpolator(pts, grid, outside="nan")(field)
    assert np.isnan(nan[2]) and np.allclose(nan[:2], near[:2])
    with pytest.raises(ValueError, match="outside must be one of"):
        GridInterpolator(pts, grid, outside="extrapolate")


def test_head_map_fills_a_full_cap_to_the_rim_only():
    t = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    xy = np.r_[0.9 * np.c_[np.cos(t), np.sin(t)], [[0.0, 0.0]]]
    z = head_map(xy, xy[:, 0], radius=1.0, n=41)
    g = np.linspace(-1, 1, 41)
    gx, gy = np.meshgrid(g, g, indexing="ij")
    inside = np.hypot(gx, gy) <= 0.95
    assert np.isfinite(z[inside]).all() and np.isnan(z[np.hypot(gx, gy) > 1.0]).all()
    few = head_map(xy[:5], xy[:5, 0], radius=1.0, n=41)  # 5 electrodes: only inside their hull
    assert np.isnan(few[20, 20]) or np.isfinite(few).sum() < np.isfinite(z).sum()

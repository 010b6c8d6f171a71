"""Scalp maps: the one interpolation from electrode positions to an image grid (live topomap view and
the analysis window's r² topomap)."""

from __future__ import annotations

import numpy as np


class GridInterpolator:
    """Linear interpolation from scattered ``points`` ``(n, 2)`` to fixed ``grid`` points ``(m, 2)``,
    weights computed once (a Delaunay triangulation), so each map costs one weighted sum.

    Grid points outside the points' convex hull take the value of the nearest point
    (``outside="nearest"``) or NaN (``outside="nan"``: nothing invented beyond the electrodes).
    """

    def __init__(self, points: np.ndarray, grid: np.ndarray, outside: str = "nearest") -> None:
        from scipy.spatial import Delaunay, cKDTree

        from bcigui.core.checks import check_option

        check_option("outside", outside, ("nearest", "nan"))
        tri = Delaunay(points)
        simplex = tri.find_simplex(grid)
        inside = simplex >= 0
        s = np.where(inside, simplex, 0)
        t = tri.transform[s]  # (m, 3, 2): affine map to barycentric coordinates
        b = np.einsum("nij,nj->ni", t[:, :2], grid - t[:, 2])
        self.weights = np.column_stack([b, 1 - b.sum(axis=1)])
        self.vertices = tri.simplices[s]
        nearest = cKDTree(points).query(grid)[1]
        self.vertices[~inside] = nearest[~inside, None]
        self.weights[~inside] = np.nan if outside == "nan" else 1.0 / 3

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return (np.asarray(values, dtype=float)[self.vertices] * self.weights).sum(axis=1)


def head_map(xy: np.ndarray, values: np.ndarray, radius: float = 1.1, n: int = 96) -> np.ndarray:
    """``values`` at electrode positions ``xy`` on an ``n x n`` grid over [-radius, radius]² (first
    axis x), NaN outside the head circle. A full cap (16 electrodes or more) is extended to the rim by a
    ring of nearest-electrode values; with fewer, the map stays inside the electrodes' hull."""
    from scipy.spatial import cKDTree

    xy = np.asarray(xy, dtype=float)
    values = np.asarray(values, dtype=float)
    g = np.linspace(-radius, radius, n)
    gx, gy = np.meshgrid(g, g, indexing="ij")
    pts, vals = xy, values
    if len(xy) >= 16:
        t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        ring = 1.05 * radius * np.c_[np.cos(t), np.sin(t)]
        pts = np.vstack([xy, ring])
        vals = np.concatenate([values, values[cKDTree(xy).query(ring)[1]]])
    z = GridInterpolator(pts, np.c_[gx.ravel(), gy.ravel()], outside="nan")(vals).reshape(n, n)
    z[np.hypot(gx, gy) > radius] = np.nan
    return z

"""Fast trace rendering: min/max decimation per pixel column and a numpy rasteriser.

The work per frame is bounded by the screen size, not by the sample count:

* :class:`ColumnCache` keeps, for each pixel column, the min and max of the samples falling in it.
  Columns are tied to *absolute* sample indices (column ``k`` covers samples
  ``floor(k*spp) .. floor((k+1)*spp)``), so each frame only decimates the new samples; the ring of
  columns serves both scrolling (rolled) and sweep (as is) display.
* :func:`rasterize` turns the ``(n_channels, width)`` min/max columns into an ARGB image with one
  vertical span per column and channel (spans of neighbouring columns overlap, so traces are
  continuous), using a difference image and a running sum: no Qt path, no per-sample work.
* :class:`TraceImageItem` is one pyqtgraph item drawing that image for all channels at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui

# colours as premultiplied ARGB32 (opaque)
TRACE_COLOR = 0xFF10286B
BAD_COLOR = 0xFFB4B4B4
BACKGROUND = 0xFFFFFFFF


def minmax_columns(x: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of ``x`` ``(n_channels, n)`` between consecutive ``bounds`` (column starts).

    Empty columns (equal bounds, possible when there are fewer samples than columns) take the
    value of the preceding sample, so the trace is interpolated step-wise.
    """
    n = x.shape[1]
    b = np.clip(bounds, 0, n - 1)
    lo = np.minimum.reduceat(x, b, axis=1)
    hi = np.maximum.reduceat(x, b, axis=1)
    empty = np.append(bounds[1:], n)[: len(bounds)] <= bounds
    if empty.any():  # reduceat yields x[b] for empty slices: use the previous sample instead
        prev = x[:, np.clip(bounds[empty] - 1, 0, n - 1)]
        lo[:, empty] = prev
        hi[:, empty] = prev
    return lo, hi


class ColumnCache:
    """Ring of ``width`` min/max columns over a growing stream of samples (absolute indices).

    ``fetch(i0, i1)`` must return the display samples ``(n_channels, i1 - i0)`` of absolute indices
    ``i0 .. i1``. Call :meth:`update` with the index of the next sample to be written (``end``).
    """

    def __init__(self, n_channels: int, width: int, window_samples: int) -> None:
        self.n_channels, self.width, self.window = int(n_channels), max(1, int(width)), int(window_samples)
        self.spp = self.window / self.width  # samples per column (float)
        self.lo = np.zeros((self.n_channels, self.width), np.float32)
        self.hi = np.zeros((self.n_channels, self.width), np.float32)
        self.slot_k = np.full(self.width, -1, np.int64)  # absolute column held by each slot
        self.done_k = -1  # columns < done_k are complete in the ring; -1: nothing yet
        self.end = 0

    def start(self, k: int) -> int:
        """First absolute sample index of column ``k``."""
        return math.floor(k * self.spp)

    def column_of(self, index: int) -> int:
        return math.floor(index / self.spp)

    def update(self, end: int, first: int, fetch: Callable[[int, int], np.ndarray]) -> None:
        """Decimate the samples new since the last call; ``first``: oldest index still available."""
        self.end = end
        if end <= first:
            return
        k_cur = self.column_of(end - 1)
        k0 = max(self.done_k, self.column_of(max(first, end - self.window)), k_cur - self.width + 1, 0)
        i0 = max(self.start(k0), first)
        x = fetch(i0, end)
        ks = np.arange(k0, k_cur + 1)
        starts = np.maximum(np.floor(ks * self.spp).astype(np.int64), i0) - i0
        lo, hi = minmax_columns(x, starts)
        slots = ks % self.width
        self.lo[:, slots] = lo
        self.hi[:, slots] = hi
        self.slot_k[slots] = ks
        # the current column is complete only if its last sample has arrived
        self.done_k = k_cur + 1 if self.start(k_cur + 1) <= end else k_cur

    def current_column(self) -> int:
        return self.column_of(max(self.end - 1, 0))

    def valid_slots(self, sweep: bool, gap: int = 4) -> np.ndarray:
        """Slots holding one of the last ``width`` columns (minus the sweep gap after the cursor)."""
        k_cur = self.current_column()
        valid = (self.slot_k > k_cur - self.width) & (self.slot_k >= 0)
        if sweep:
            valid[(k_cur + 1 + np.arange(gap)) % self.width] = False
        return valid


def rasterize(lo: np.ndarray, hi: np.ndarray, lo_prev: np.ndarray, hi_prev: np.ndarray,
              valid: np.ndarray, height: int, px_div: float, bad: np.ndarray | None = None,
              clip_div: float = 3.5) -> np.ndarray:
    """RGB32 image ``(height, n_columns)`` of vertical spans from row ``lo`` to row ``hi`` (row 0 on top).

    ``lo``/``hi``: ``(n_channels, n_columns)`` pixel rows of the columns to draw; ``lo_prev``/``hi_prev``
    those of the column before each (NaN: not connected), so that a trace has no gaps between columns.
    Channel ``j`` is centred on row ``(j + 0.5) * px_div``; ``valid``: columns to draw; ``bad``:
    boolean per channel (drawn grey, under the good ones). Traces are clipped to ``clip_div``
    divisions around their baseline, so channels ``K = 2 * clip_div + 1`` apart never share a pixel:
    the spans of every K-th channel go into the difference image in one numpy operation without
    index collisions (2K operations whatever the channel count); a running sum over rows then gives
    the coverage.
    """
    n_ch, width = lo.shape
    img = np.empty((height, width), np.uint32)
    img.fill(BACKGROUND)
    if width == 0 or height == 0 or n_ch == 0:
        return img
    with np.errstate(invalid="ignore"):
        lo2 = np.fmin(lo, hi_prev).astype(np.float32)
        hi2 = np.fmax(hi, lo_prev).astype(np.float32)
    centre = ((np.arange(n_ch, dtype=np.float32) + 0.5) * np.float32(px_div))[:, None]
    half = np.float32(clip_div * px_div)
    np.clip(lo2, np.maximum(centre - half, 0), np.minimum(centre + half, height - 1), out=lo2)
    np.clip(hi2, np.maximum(centre - half, 0), np.minimum(centre + half, height - 1), out=hi2)
    r0 = np.nan_to_num(lo2, nan=-1.0).astype(np.int32)
    r1 = np.nan_to_num(hi2, nan=-2.0).astype(np.int32) + 1
    draw = valid[None, :] & (r0 >= 0) & (r1 > r0)
    cols = np.arange(width, dtype=np.int32)
    np.maximum(r0, 0, out=r0)
    start = r0 * width + cols
    stop = np.where(draw, r1 * width + cols, start)  # undrawn spans: +1 and -1 cancel out
    diff = np.zeros((height + 1) * width, np.int16)
    weight = np.ones(n_ch, np.int16)
    if bad is not None and np.any(bad):
        weight[np.asarray(bad, bool)] = 256
    k = int(2 * clip_div + 1)
    for b in range(min(k, n_ch)):  # channels b, b+k, b+2k... never share a pixel
        w = weight[b::k]
        if (w == w[0]).all():
            diff[start[b::k].ravel()] += w[0]
            diff[stop[b::k].ravel()] -= w[0]
        else:
            for c in range(b, n_ch, k):
                diff[start[c]] += weight[c]
                diff[stop[c]] -= weight[c]
    rows = diff.reshape(height + 1, width)
    cover = np.empty((height, width), np.int16)
    cover[0] = rows[0]
    for r in range(1, height):  # row-wise running sum (faster than cumsum along axis 0)
        np.add(cover[r - 1], rows[r], out=cover[r])
    # white minus (white - colour) where covered: no per-pixel branching
    np.multiply((cover & 255) > 0, np.uint32(BACKGROUND - TRACE_COLOR), out=img)
    np.subtract(np.uint32(BACKGROUND), img, out=img)
    if weight.max() > 1:
        np.copyto(img, np.uint32(BAD_COLOR), where=(cover >= 256) & (img == BACKGROUND))
    return img


class RasterRing:
    """Screen image kept in column-slot order (slot = absolute column modulo width), redrawn
    incrementally: each frame only the columns that received samples (and the sweep gap) are
    rasterised again, unless ``key`` (scale, geometry, channels, ...) changed."""

    def __init__(self) -> None:
        self.img = np.zeros((0, 0), np.uint32)
        self.key: tuple | None = None
        self.drawn_k: int | None = None
        self.columns_drawn = 0  # statistics: columns rasterised by the last render

    def render(self, cache: ColumnCache, key: tuple, sweep: bool, height: int, px_div: float,
               rows: Callable[[np.ndarray], np.ndarray], bad: np.ndarray | None, gap: int = 4) -> None:
        """Update the image; ``rows(values)`` maps sample values ``(n_ch, n)`` to pixel rows."""
        width = cache.width
        k_cur = cache.current_column()
        full = (key != self.key or self.drawn_k is None or self.img.shape != (height, width)
                or k_cur - self.drawn_k >= width - gap - 1 or k_cur < self.drawn_k)
        if full:
            self.img = np.empty((height, width), np.uint32)
            slots = np.arange(width)
        else:
            ks = np.arange(self.drawn_k, k_cur + 1)
            if sweep:
                ks = np.concatenate([ks, k_cur + 1 + np.arange(gap)])
            slots = np.unique(ks % width)
        valid = cache.valid_slots(sweep, gap)[slots]
        prev = (slots - 1) % width
        connected = cache.slot_k[prev] == cache.slot_k[slots] - 1
        # values -> rows: rows decrease upwards, so the top of a span comes from the max
        top, bottom = rows(cache.hi[:, slots]), rows(cache.lo[:, slots])
        top_prev, bottom_prev = rows(cache.hi[:, prev]), rows(cache.lo[:, prev])
        top_prev[:, ~connected] = np.nan
        bottom_prev[:, ~connected] = np.nan
        self.img[:, slots] = rasterize(top, bottom, top_prev, bottom_prev, valid, height, px_div, bad)
        self.key, self.drawn_k = key, k_cur
        self.columns_drawn = len(slots)


class TraceImageItem(pg.GraphicsObject):
    """Draws one precomputed ARGB image over a rectangle in data coordinates (all channels at once)."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QtCore.QRectF(0, 0, 1, 1)
        self._array: np.ndarray | None = None
        self._image: QtGui.QImage | None = None
        self._split = 0

    def pixel_size(self) -> tuple[int, int]:
        """Device pixels covered by the item's rectangle (width, height)."""
        vb = self.getViewBox()
        if vb is None:
            return 0, 0
        ratio = 1.0
        views = self.scene().views() if self.scene() is not None else []
        if views:
            ratio = views[0].devicePixelRatioF()
        return max(1, int(round(vb.width() * ratio))), max(1, int(round(vb.height() * ratio)))

    def set_image(self, rgb: np.ndarray, rect: QtCore.QRectF, split: int = 0) -> None:
        """Show ``rgb`` ``(h, w)`` uint32 (0xffRRGGBB) over ``rect`` (row 0 at the top of the screen).

        ``split``: the image is a ring of columns; column ``split`` is drawn at the left edge.
        """
        self._array = rgb
        h, w = rgb.shape
        self._image = QtGui.QImage(rgb.data, w, h, 4 * w, QtGui.QImage.Format.Format_RGB32)
        self._split = int(split) % max(w, 1)
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = QtCore.QRectF(rect)
        self.update()

    def image_array(self) -> np.ndarray | None:
        """The displayed image in screen order."""
        if self._array is None:
            return None
        return np.roll(self._array, -self._split, axis=1)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 (Qt API)
        return self._rect

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        if self._image is None:
            return
        # blit in device pixels (no scaling, no flip): the image was rasterised at screen resolution
        target = painter.transform().mapRect(self._rect)
        w, h = self._image.width(), self._image.height()
        s = self._split
        painter.save()
        painter.resetTransform()
        painter.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_Source)
        sx = target.width() / w
        painter.drawImage(QtCore.QRectF(target.left(), target.top(), (w - s) * sx, target.height()),
                          self._image, QtCore.QRectF(s, 0, w - s, h))
        if s:
            painter.drawImage(QtCore.QRectF(target.left() + (w - s) * sx, target.top(), s * sx, target.height()),
                              self._image, QtCore.QRectF(0, 0, s, h))
        painter.restore()

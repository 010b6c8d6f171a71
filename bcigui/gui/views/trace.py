"""Trace view: scrolling or sweep display of all channels, live display filters, markers, quality.

Keys (when the view has focus): ``+``/``-`` amplitude scale, ``A`` auto-scale, ``Space``
pause/resume, ``PgUp``/``PgDown`` channel pages, ``Left``/``Right`` scroll back/forward when paused.
"""

from __future__ import annotations

__all__ = ["QUALITY_COLORS", "SCALES_UV", "TraceView", "channel_groups"]

import time
from typing import Any

import numpy as np
import pyqtgraph as pg
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from bcigui.core.checks import invalid_option
from bcigui.core.signal.quality import ChannelQuality, QualityThresholds, assess_quality
from bcigui.gui.plots import plain_axes
from bcigui.gui.views.trace_axis import QUALITY_COLORS, SCALES_UV, ChannelAxis, channel_groups
from bcigui.gui.views.trace_model import TraceModel, check_acquisition
from bcigui.gui.views.trace_renderer import ColumnCache, RasterRing, TraceImageItem


class TraceView(QtWidgets.QWidget):
    """Live multichannel traces of one acquisition (plugin kind ``view``)."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None = None, *,
                 window_s: float = 10.0, mode: str = "scroll", fps: float = 30.0,
                 channels_per_page: int = 0, scale_uv: float | None = None,
                 quality_thresholds: QualityThresholds | None = None) -> None:
        super().__init__(parent)
        check_acquisition(acquisition)
        if mode not in ("scroll", "sweep"):
            raise ValueError(f"mode must be 'scroll' or 'sweep', got {mode!r}")
        if not 1 <= window_s <= 30:
            raise ValueError(f"window_s must be between 1 and 30 s, got {window_s!r}")
        if channels_per_page < 0:
            raise ValueError(f"channels_per_page must be >= 0 (0: as many as fit), got {channels_per_page!r}")
        self.acquisition = acquisition
        self.sfreq = float(acquisition.sfreq)
        self.ch_names = list(acquisition.ch_names)
        self.model = TraceModel(acquisition.buffer, self.sfreq, len(self.ch_names))
        self.window_s = float(window_s)
        self.mode = mode
        self.channels_per_page = int(channels_per_page)
        self.scale_uv = float(scale_uv) if scale_uv else 50.0
        self._auto_pending = scale_uv is None
        self._scale_auto = scale_uv is None  # automatic until the user picks a scale
        self.dc_removal = True
        self.selected = list(range(len(self.ch_names)))
        self.group = "All"
        self.page = 0
        self.paused = False
        self.back_s = 0.0  # scroll-back offset from the newest sample (paused only)
        self.thresholds = quality_thresholds or QualityThresholds()
        self.quality: list[ChannelQuality] = []
        self._cache: ColumnCache | None = None
        self._cache_key: tuple = ()
        self._ring = RasterRing()
        self._dc: np.ndarray | None = None
        self._dc_version = 0
        self._last_quality = 0.0
        self.frames = 0
        self.last_rendered_index = 0
        self.marker_positions: list[tuple[float, str]] = []
        self.stall_s = 2.0  # seconds without new samples before the view says so
        self._last_data = time.monotonic()
        self._stalled = False
        self._build_ui()
        self._timer = QtCore.QTimer(self)
        self._timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.refresh)
        self.set_fps(fps)

    def set_fps(self, fps: float) -> None:
        """Redraw ``fps`` times a second (1 to 240)."""
        if not 1 <= fps <= 240:
            raise ValueError(f"fps must be between 1 and 240, got {fps!r}")
        self._timer.setInterval(int(round(1000 / fps)))

    # -- UI ------------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.setSpacing(2)
        # tool bars: too narrow a dock puts the remaining controls behind an overflow arrow
        row1, row2 = QtWidgets.QToolBar(), QtWidgets.QToolBar()
        for bar in (row1, row2):
            bar.setIconSize(QtCore.QSize(12, 12))
            bar.setStyleSheet("QToolBar { spacing: 3px; border: 0px; }")
            lay.addWidget(bar)

        self.mode_box = QtWidgets.QComboBox()
        self.mode_box.addItems(["scroll", "sweep"])
        self.mode_box.setCurrentText(self.mode)
        self.mode_box.currentTextChanged.connect(self.set_mode)
        self.window_spin = QtWidgets.QDoubleSpinBox(decimals=0, minimum=1, maximum=30, suffix=" s")
        self.window_spin.setValue(self.window_s)
        self.window_spin.valueChanged.connect(self.set_window)
        self.scale_box = QtWidgets.QComboBox()
        self.scale_box.addItems([f"{s:g} µV/div" for s in SCALES_UV])
        self.scale_box.currentIndexChanged.connect(lambda i: self.set_scale(SCALES_UV[i]))
        auto = QtWidgets.QPushButton("Auto")
        auto.setToolTip("Auto-scale (A)")
        auto.clicked.connect(self.auto_scale)
        self.pause_btn = QtWidgets.QPushButton("Pause")
        self.pause_btn.setCheckable(True)
        self.pause_btn.setToolTip("Pause/freeze the display (Space); scroll back with the bar or Left/Right")
        self.pause_btn.toggled.connect(self.set_paused)
        for w in (QtWidgets.QLabel("Mode"), self.mode_box, QtWidgets.QLabel("Window"), self.window_spin,
                  QtWidgets.QLabel("Scale"), self.scale_box, auto, self.pause_btn):
            row1.addWidget(w)
        row1.addWidget(self._spacer())
        self.group_box = QtWidgets.QComboBox()
        self.groups = channel_groups(self.ch_names)
        self.group_box.addItems(list(self.groups))
        self.group_box.currentTextChanged.connect(self.set_group)
        self.page_spin = QtWidgets.QSpinBox(minimum=1, maximum=1, prefix="page ")
        self.page_spin.valueChanged.connect(lambda v: self.set_page(v - 1))
        self.chan_btn = QtWidgets.QToolButton(text="Channels")
        self.chan_btn.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.chan_btn.setMenu(self._channel_menu())
        for w in (self.group_box, self.page_spin, self.chan_btn):
            row1.addWidget(w)

        self.bp_check = QtWidgets.QCheckBox("Band-pass")
        nyq = self.sfreq / 2
        self.bp_lo = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.1, maximum=nyq - 1, suffix=" Hz")
        self.bp_hi = QtWidgets.QDoubleSpinBox(decimals=1, minimum=0.2, maximum=nyq - 0.1, suffix=" Hz")
        self.bp_lo.setValue(1.0)
        self.bp_hi.setValue(min(40.0, nyq - 1))
        self.notch_box = QtWidgets.QComboBox()
        self.notch_box.addItems(["Notch off", "Notch 50 Hz", "Notch 60 Hz"])
        self.car_check = QtWidgets.QCheckBox("CAR")
        self.dc_check = QtWidgets.QCheckBox("DC removal")
        self.dc_check.setChecked(self.dc_removal)
        for w in (self.bp_check, self.bp_lo, self.bp_hi, self.notch_box, self.car_check, self.dc_check):
            row2.addWidget(w)
        row2.addWidget(self._spacer())
        self.status = QtWidgets.QLabel("")
        row2.addWidget(self.status)
        self.bp_check.toggled.connect(self._filters_from_ui)
        self.bp_lo.editingFinished.connect(self._filters_from_ui)
        self.bp_hi.editingFinished.connect(self._filters_from_ui)
        self.notch_box.currentIndexChanged.connect(self._filters_from_ui)
        self.car_check.toggled.connect(self._filters_from_ui)
        self.dc_check.toggled.connect(lambda on: setattr(self, "dc_removal", bool(on)))
        for w, tip in (
            (self.mode_box, "Scroll: the newest data at the right edge; sweep: a cursor writes over the oldest"),
            (self.window_spin, "Seconds of data across the view"),
            (self.scale_box, "Vertical scale: microvolts per channel division (+ and - keys)"),
            (self.group_box, "Show a group of channels (by scalp region)"),
            (self.page_spin, "Page of channels when they do not all fit"),
            (self.chan_btn, "Choose the channels shown, or mark one bad (greyed, left out of the average)"),
            (self.bp_check, "Band-pass filter the display (causal; the recording is not changed)"),
            (self.bp_lo, "Lower edge of the display band-pass"),
            (self.bp_hi, "Upper edge of the display band-pass"),
            (self.notch_box, "Remove mains interference (50 or 60 Hz) from the display"),
            (self.car_check, "Show each channel minus the common average of the good channels"),
            (self.dc_check, "Centre each trace on its mean in the window"),
        ):
            w.setToolTip(tip)

        self.axis = ChannelAxis()
        self.plot = pg.PlotWidget(background="w", axisItems={"left": self.axis})
        plain_axes(self.plot)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        pi = self.plot.getPlotItem()
        pi.setMouseEnabled(False, False)
        pi.getAxis("bottom").setLabel("time", units="s")
        for name in ("left", "bottom"):
            pi.getAxis(name).setTextPen("k")
            pi.getAxis(name).setPen("k")
        self.vb = pi.getViewBox()
        self.vb.sigResized.connect(self._resized)
        self.vb.setDefaultPadding(0)
        self.image = TraceImageItem()
        pi.addItem(self.image)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#d62828", width=1))
        pi.addItem(self.cursor)
        self._marker_lines: list[pg.InfiniteLine] = []
        lay.addWidget(self.plot, 1)
        self.scrollbar = QtWidgets.QScrollBar(QtCore.Qt.Orientation.Horizontal)
        self.scrollbar.setEnabled(False)
        self.scrollbar.setToolTip("Scroll back through the buffer (when paused)")
        self.scrollbar.valueChanged.connect(self._scrolled)
        lay.addWidget(self.scrollbar)
        self._sync_scale_box()
        self._update_pages()

        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        ctx = QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in ((("+", "="), lambda: self.step_scale(-1)), (("-",), lambda: self.step_scale(1)),
                           (("A",), self.auto_scale), (("Space",), self.pause_btn.toggle),
                           (("PgUp",), lambda: self.set_page(self.page - 1)),
                           (("PgDown",), lambda: self.set_page(self.page + 1)),
                           (("Left",), lambda: self.scroll_back(self.back_s + self.window_s / 4)),
                           (("Right",), lambda: self.scroll_back(self.back_s - self.window_s / 4))):
            for k in keys:
                sc = QtGui.QShortcut(QtGui.QKeySequence(k), self)
                sc.setContext(ctx)
                sc.activated.connect(slot)

    @staticmethod
    def _spacer() -> QtWidgets.QWidget:
        w = QtWidgets.QWidget()
        w.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred)
        return w

    def _channel_menu(self) -> QtWidgets.QMenu:
        menu = QtWidgets.QMenu(self)
        show = menu.addMenu("Show")
        bad = menu.addMenu("Mark bad")
        self._show_actions, self._bad_actions = [], []
        for i, name in enumerate(self.ch_names):
            a = show.addAction(name)
            a.setCheckable(True)
            a.setChecked(True)
            a.toggled.connect(lambda _on: self.set_selected([j for j, x in enumerate(self._show_actions)
                                                              if x.isChecked()]))
            self._show_actions.append(a)
            b = bad.addAction(name)
            b.setCheckable(True)
            b.toggled.connect(lambda on, i=i: self.set_bad(i, on))
            self._bad_actions.append(b)
        return menu

    def _sync_scale_box(self) -> None:
        i = int(np.argmin([abs(np.log(s / self.scale_uv)) for s in SCALES_UV]))
        self.scale_box.blockSignals(True)
        self.scale_box.setCurrentIndex(i)
        self.scale_box.blockSignals(False)

    def _filters_from_ui(self) -> None:
        bp = (self.bp_lo.value(), self.bp_hi.value()) if self.bp_check.isChecked() else None
        notch = (None, 50.0, 60.0)[self.notch_box.currentIndex()]
        try:
            self.set_filters(bandpass=bp, notch=notch, car=self.car_check.isChecked())
            self.status.setText("")
        except ValueError as err:
            self.status.setText(f"<span style='color:#d62828'>{err}</span>")

    # -- public API ----------------------------------------------------------------------------
    def set_filters(self, *, bandpass: tuple[float, float] | None | bool = False,
                    notch: float | None | bool = False, car: bool | None = None,
                    dc: bool | None = None) -> None:
        """Display filters (never applied to recorded data); see :meth:`TraceModel.set_display`."""
        self.model.set_display(bandpass=bandpass, notch=notch, car=car)
        if dc is not None:
            self.dc_removal = bool(dc)
        self._cache = None
        self._auto_pending = self._scale_auto  # an automatic scale follows the filtered signal
        widgets = (self.bp_check, self.bp_lo, self.bp_hi, self.notch_box, self.car_check, self.dc_check)
        for w in widgets:
            w.blockSignals(True)
        self.bp_check.setChecked(self.model.bandpass is not None)
        if self.model.bandpass is not None:
            self.bp_lo.setValue(self.model.bandpass[0])
            self.bp_hi.setValue(self.model.bandpass[1])
        self.notch_box.setCurrentIndex((None, 50.0, 60.0).index(self.model.notch))
        self.car_check.setChecked(self.model.car)
        self.dc_check.setChecked(self.dc_removal)
        for w in widgets:
            w.blockSignals(False)

    def set_mode(self, mode: str) -> None:
        if mode not in ("scroll", "sweep"):
            raise ValueError(f"mode must be 'scroll' or 'sweep', got {mode!r}")
        self.mode = mode
        self.mode_box.setCurrentText(mode)

    def set_window(self, seconds: float) -> None:
        if not 1 <= seconds <= 30:
            raise ValueError(f"window must be between 1 and 30 s, got {seconds!r}")
        self.window_s = float(seconds)
        self._cache = None

    def set_scale(self, uv_per_div: float, *, auto: bool = False) -> None:
        """Amplitude scale in µV per division (channel spacing); a manual scale stops auto-scaling."""
        if not uv_per_div > 0:
            raise ValueError(f"scale must be > 0 µV/div, got {uv_per_div!r}")
        self.scale_uv = float(uv_per_div)
        self._scale_auto = auto
        self._sync_scale_box()

    def step_scale(self, step: int) -> None:
        """Next larger (``step=1``: smaller traces) or smaller (``-1``: larger traces) scale."""
        i = int(np.argmin(np.abs(np.log(np.asarray(SCALES_UV) / self.scale_uv))))
        self.set_scale(SCALES_UV[int(np.clip(i + step, 0, len(SCALES_UV) - 1))])

    def auto_scale(self) -> None:
        """Scale so that the typical visible channel (2-98 % range) spans about 3/4 of a division."""
        vis = [i for i in self.visible_channels() if i not in self.model.bad]
        n = min(self.model.end - self.model.first, int(self.window_s * self.sfreq))
        self._scale_auto = True
        if not vis or n < 2:
            self._auto_pending = True
            return
        x = self.model.fetch(self.model.end - n, self.model.end, np.asarray(vis))
        span = np.percentile(x, 98, axis=1) - np.percentile(x, 2, axis=1)
        typical = float(np.median(span)) * 1e6
        if typical > 0:  # a typical channel fills ~3/4 of its division: neighbours rarely collide
            i = int(np.searchsorted(SCALES_UV, 1.3 * typical))
            self.set_scale(SCALES_UV[min(i, len(SCALES_UV) - 1)], auto=True)
        self._auto_pending = False

    def set_bad(self, index: int, bad: bool = True) -> None:
        """Mark channel ``index`` bad (greyed, excluded from the common average reference)."""
        new = set(self.model.bad)
        (new.add if bad else new.discard)(int(index))
        self.model.set_display(bad=new)
        a = self._bad_actions[index]
        if a.isChecked() != bool(bad):
            a.blockSignals(True)
            a.setChecked(bool(bad))
            a.blockSignals(False)
        self._cache = None

    def set_selected(self, indices: list[int]) -> None:
        """Channels to show (in the order of the stream)."""
        wrong = [i for i in indices if not 0 <= i < len(self.ch_names)]
        if wrong:
            raise ValueError(f"channel indices must be in 0..{len(self.ch_names) - 1}, got {wrong}")
        self.selected = sorted(set(indices))
        for i, a in enumerate(self._show_actions):
            a.blockSignals(True)
            a.setChecked(i in self.selected)
            a.blockSignals(False)
        self._update_pages()

    def set_group(self, group: str) -> None:
        if group not in self.groups:
            raise invalid_option("group", group, list(self.groups))
        self.group = group
        self.group_box.setCurrentText(group)
        self._update_pages()

    def set_page(self, page: int) -> None:
        n_pages = self.n_pages()
        self.page = int(np.clip(page, 0, n_pages - 1))
        self.page_spin.blockSignals(True)
        self.page_spin.setValue(self.page + 1)
        self.page_spin.blockSignals(False)
        self._cache = None

    MIN_PX_PER_CHANNEL = 16  # with channels_per_page=0, a page holds as many channels as fit at this height

    def per_page(self) -> int:
        """Channels on one page: ``channels_per_page``, or (0) as many as the plot's height fits."""
        if self.channels_per_page > 0:
            return self.channels_per_page
        height = float(self.plot.getViewBox().height()) if self.plot.isVisible() else 0.0
        return max(4, int(height // self.MIN_PX_PER_CHANNEL)) if height > 0 else len(self.ch_names)

    def n_pages(self) -> int:
        n = len(self._candidates())
        return max(1, -(-n // self.per_page()))

    def _candidates(self) -> list[int]:
        grp = set(self.groups[self.group])
        return [i for i in self.selected if i in grp]

    def _update_pages(self) -> None:
        self.page_spin.setMaximum(self.n_pages())
        self.page_spin.setSuffix(f" / {self.n_pages()}")
        self.set_page(self.page)

    def visible_channels(self) -> list[int]:
        c, k = self._candidates(), self.per_page()
        return c[self.page * k:(self.page + 1) * k]

    def set_paused(self, paused: bool) -> None:
        self.paused = bool(paused)
        if self.pause_btn.isChecked() != self.paused:
            self.pause_btn.setChecked(self.paused)
        self.pause_btn.setText("Resume" if self.paused else "Pause")
        self.scrollbar.setEnabled(self.paused)
        if self.paused:
            back = self.model.available_back() / self.sfreq - self.window_s
            self.scrollbar.blockSignals(True)
            self.scrollbar.setRange(0, max(0, int(back * 10)))
            self.scrollbar.setPageStep(int(self.window_s * 10))
            self.scrollbar.setValue(self.scrollbar.maximum())
            self.scrollbar.blockSignals(False)
        else:
            self.back_s = 0.0
            self._cache = None

    def scroll_back(self, seconds: float) -> None:
        """Show the window ending ``seconds`` before the newest sample (pauses the display)."""
        if not self.paused:
            self.set_paused(True)
        limit = max(0.0, self.model.available_back() / self.sfreq - self.window_s)
        self.back_s = float(np.clip(seconds, 0.0, limit))
        self.scrollbar.blockSignals(True)
        self.scrollbar.setValue(self.scrollbar.maximum() - int(round(self.back_s * 10)))
        self.scrollbar.blockSignals(False)
        self._render_back()

    def _scrolled(self, value: int) -> None:
        self.scroll_back((self.scrollbar.maximum() - value) / 10)

    def set_quality_thresholds(self, thresholds: QualityThresholds) -> None:
        self.thresholds = thresholds
        self._last_quality = 0.0

    # -- rendering -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """One frame: pull new samples, decimate them, draw (timer slot; never blocks acquisition)."""
        if self.paused:
            return
        now = time.monotonic()
        if self.model.update():
            self._last_data = now
            if self._stalled:
                self._stalled = False
                self.status.setText("")
        elif now - self._last_data > self.stall_s:  # stream vanished or stalled: say so, keep the data
            self._stalled = True
            self.status.setText(f"<span style='color:#d62828'>no new data for {now - self._last_data:.0f} s</span>")
        if now - self._last_quality > 1.0:
            self._last_quality = now
            self._update_quality()
        self.render_frame()

    def _geometry(self) -> tuple[int, int]:
        w, h = self.image.pixel_size()
        return max(w, 16), max(h, 16)

    def render_frame(self) -> None:
        """Draw the live window: decimate the new samples, rasterise the changed columns."""
        if self._auto_pending:
            self.auto_scale()
        vis = self.visible_channels()
        w, h = self._geometry()
        n_win = int(round(self.window_s * self.sfreq))
        key = (w, n_win, tuple(vis), self.model.generation)
        if self._cache is None or key != self._cache_key:
            self._cache = ColumnCache(len(vis), w, n_win)
            self._cache_key = key
        chans = np.asarray(vis, dtype=int)
        m = self.model
        if len(vis):
            self._cache.update(m.end, m.first, lambda i0, i1: m.fetch(i0, i1, chans))
        self._draw(self._cache, self._ring, vis, self.mode == "sweep", m.end, h)
        self.last_rendered_index = m.end
        self.frames += 1

    def _render_back(self) -> None:
        """Draw a scrolled-back window (paused), freshly filtered from the acquisition buffer."""
        vis = self.visible_channels()
        w, h = self._geometry()
        n_win = int(round(self.window_s * self.sfreq))
        end = self.model.end - int(round(self.back_s * self.sfreq))
        seg, seg0 = self.model.segment(end, n_win)  # model and buffer share absolute indices
        cache = ColumnCache(len(vis), w, n_win)
        if len(vis) and seg.shape[1]:
            rows = np.asarray(vis)
            cache.update(end, seg0, lambda i0, i1: seg[rows][:, i0 - seg0:i1 - seg0])
        self._draw(cache, RasterRing(), vis, False, end, h, ref=self.model.end)

    def _draw(self, cache: ColumnCache, ring: RasterRing, vis: list[int], sweep: bool, end: int, h: int,
              ref: int | None = None) -> None:
        """Render ``cache`` (window ending at sample ``end``); x is seconds relative to sample ``ref``."""
        ref = end if ref is None else ref
        n_vis = max(len(vis), 1)
        w = cache.width
        px_div = h / n_vis
        gain = np.float32(1e6 / self.scale_uv * px_div)
        valid = cache.valid_slots(sweep)
        if self.dc_removal and len(vis) and valid.any():
            cand = (0.5 * (cache.lo[:, valid] + cache.hi[:, valid])).mean(axis=1, keepdims=True)
            if (self._dc is None or self._dc.shape != cand.shape
                    or np.abs(cand - self._dc).max() * gain > 0.2 * px_div):
                self._dc, self._dc_version = cand.astype(np.float32), self._dc_version + 1
            dc = self._dc
        else:
            dc = np.zeros((len(vis), 1), np.float32)
        centre = ((np.arange(len(vis), dtype=np.float32) + 0.5) * np.float32(px_div))[:, None]

        def rows(v: np.ndarray) -> np.ndarray:
            return centre - (v - dc) * gain

        bad = np.array([c in self.model.bad for c in vis], bool)
        key = (h, self.scale_uv, tuple(vis), tuple(bad), sweep, self._dc_version if self.dc_removal else -1,
               id(cache))
        ring.render(cache, key, sweep, h, px_div, rows, bad)
        k_cur = cache.current_column()
        win_s = cache.window / self.sfreq
        if sweep:
            x0, x1, split = 0.0, win_s, 0
        else:
            x0 = (cache.start(k_cur - w + 1) - ref) / self.sfreq
            x1 = x0 + win_s
            split = (k_cur + 1) % w
        self.image.set_image(ring.img, QtCore.QRectF(x0, 0, x1 - x0, n_vis), split)
        view_x = (0.0, win_s) if sweep else (-win_s - self.back_s, -self.back_s)
        if getattr(self, "_range", None) != (view_x, n_vis):
            self._range = (view_x, n_vis)
            self.vb.setRange(xRange=view_x, yRange=(0, n_vis), padding=0)
            self.plot.getPlotItem().getAxis("bottom").setLabel(
                "time in sweep (s)" if sweep else "time relative to the newest sample (s)")
        if getattr(self, "_ticks_for", None) != (tuple(vis), h):
            self._ticks_for = (tuple(vis), h)
            step = max(1, int(np.ceil(14 / max(px_div, 1e-9))))  # keep labels >= 14 px apart
            self.axis.setTicks([[(n_vis - j - 0.5, self.ch_names[c]) for j, c in enumerate(vis)
                                 if j % step == 0], []])
        n_win = cache.window
        self._place_markers(end - n_win, end, sweep, n_win, ref)
        self.cursor.setVisible(sweep)
        if sweep:
            self.cursor.setValue((end % n_win) / self.sfreq)

    def _place_markers(self, i0: int, i1: int, sweep: bool, n_win: int, ref: int) -> None:
        markers = getattr(self.acquisition, "markers", None)
        m = self.model
        items: list[tuple[float, str]] = []
        if markers is not None and i1 > i0 and m.end - m.first >= 2:
            t_first, t_last = m.times(m.first, m.first + 1)[0], m.times(m.end - 1, m.end)[0]
            t0 = t_first + (i0 - m.first) / self.sfreq - 1.0
            t1 = t_last + (i1 - m.end) / self.sfreq + 1.0
            found = markers.between(t0, t1)
            if found:
                pos = m.index_of_times(np.array([t for t, _ in found]))
                for p, (_, label) in zip(pos, found, strict=True):
                    if i0 <= p < i1:
                        x = ((p % n_win) / self.sfreq) if sweep else (p - ref) / self.sfreq
                        items.append((float(x), label))
        while len(self._marker_lines) < len(items):
            line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#7b2cbf", width=1, style=QtCore.Qt.PenStyle.DashLine),
                                   label="", labelOpts={"position": 0.97, "color": "#5a189a",
                                                        "fill": (255, 255, 255, 235), "anchors": [(0, 0), (0, 0)]})
            line.setZValue(20)  # names above the traces, not under them
            self.plot.addItem(line)
            self._marker_lines.append(line)
        rows = self._label_rows(items)
        for k, line in enumerate(self._marker_lines):
            if k < len(items):
                x, label = items[k]
                line.setValue(x)
                row, right = rows[k]
                text = label if row >= 0 else ""  # no room: the line stays, its name is in the tooltip
                if line.label.format != text:
                    line.label.setFormat(text)
                line.setToolTip(label)
                line.label.anchors = [(1, 0), (1, 0)] if right else [(0, 0), (0, 0)]
                line.label.setPosition(self._row_position(max(row, 0)))
                line.setVisible(True)
            else:
                line.setVisible(False)
        self.marker_positions = items

    LABEL_ROWS = 4  # marker names stacked at most this deep before one is left unnamed

    def _label_rows(self, items: list[tuple[float, str]]) -> list[tuple[int, bool]]:
        """For each marker, the row of its name (-1: no room) and whether it sits left of its line, so that
        no two names overlap: names are placed left to right in the first row where they fit."""
        (vx0, vx1), _ = self._range
        width_px = max(1.0, float(self.plot.getViewBox().width()))
        px = width_px / max(vx1 - vx0, 1e-9)
        metrics = self._label_metrics()
        ends: list[float] = []  # right edge (px) of the last name in each row
        out: list[tuple[int, bool]] = [(-1, False)] * len(items)
        for k in sorted(range(len(items)), key=lambda i: items[i][0]):
            x, label = items[k]
            right = x > vx0 + 0.85 * (vx1 - vx0)  # near the right edge: name on the left of the line
            w = metrics.horizontalAdvance(label) + 14  # the label's padding, and a gap
            left_px = (x - vx0) * px - (w if right else 0)
            row = next((r for r, end in enumerate(ends) if end <= left_px), -1)
            if row < 0 and len(ends) < self.LABEL_ROWS:
                ends.append(-np.inf)
                row = len(ends) - 1
            if row >= 0:
                ends[row] = left_px + w
            out[k] = (row, right)
        return out

    def _label_metrics(self) -> QtGui.QFontMetrics:
        font = self._marker_lines[0].label.textItem.font() if self._marker_lines else self.font()
        return QtGui.QFontMetrics(font)

    def _row_position(self, row: int) -> float:
        """Height (fraction of the plot, 1 = top) of a row of marker names, one text line apart."""
        line_px = self._label_metrics().height() + 10  # the label's padding, and a gap
        height = max(1.0, float(self.plot.getViewBox().height()))
        return max(0.0, 0.98 - row * line_px / height)

    def _update_quality(self) -> None:
        n = int(2 * self.sfreq)
        data, _ = self.model.buffer.get_data(n)
        if data.shape[0] < int(0.5 * self.sfreq):
            return
        self.quality = assess_quality(data, self.sfreq, self.ch_names, self.thresholds)
        self.axis.colors = {q.name: QUALITY_COLORS[q.level] for q in self.quality}
        self.axis.picture = None
        self.axis.update()

    def _resized(self, *_: Any) -> None:
        if self.channels_per_page == 0:  # the page size follows the height
            before = self.n_pages()
            self._update_pages()
            if self.n_pages() != before:
                self.refresh()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802
        self._timer.start()  # frames only while visible (a hidden dock costs nothing)
        super().showEvent(event)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802
        self._timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self._timer.stop()
        super().closeEvent(event)

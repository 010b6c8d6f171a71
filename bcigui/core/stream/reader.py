"""Background LSL inlet for one stream: :class:`StreamReader`, with :class:`Gap` and :class:`StreamStats`.

Each reader owns one thread that pulls chunks straight into a preallocated array
(``pull_chunk(dest_obj=...)``) and copies them into a :class:`RingBuffer` (regular streams) or a
:class:`MarkerList` (irregular/marker streams). Timestamps are clock-synchronised into the local LSL
clock (and de-jittered and monotonized for regular streams), so EEG samples and markers from any
machine share one time base.

Units: EEG is stored in volts. Each channel is scaled according to its ``desc`` unit, in any
notation in use (``"uV"``, ``"µV"``, ``"μV"``, ``"microvolts"``, mne-lsl's exponent ``"-6"`` -> x1e-6;
``"mV"`` -> x1e-3; ``"nV"`` -> x1e-9; see :mod:`bcigui.core.data.units`). A voltage-typed channel
with no or an unknown unit is stored as sent and reported loudly (log warning and a ``"warning"``
event naming the channel and the unit string); ``units=`` declares the units of a source whose
metadata is missing or wrong. Non-voltage channels are stored as sent.

Channel names are normalised (:func:`bcigui.core.data.channels.normalize_channel_names`:
PhysioNet's ``Fc5.`` -> ``FC5``) in ``ch_names``, as for files, so every path sees the same names;
``desc.ch_names`` keeps the labels the stream declares.

Outlet loss (``LostError``, or no data on a regular stream for ``max(loss_timeout, 5 chunk
intervals)``) never raises: the reader reports ``"lost"``, re-resolves the stream (same name and
source_id) in its thread, re-opens it and reports ``"recovered"``; the missing interval is recorded
as a :class:`Gap`. Events go to the callbacks given to ``subscribe``, called from the acquisition
thread; exceptions in callbacks are logged, never raised.
"""

from __future__ import annotations

import logging
import statistics
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pylsl
from pylsl.util import LostError

from bcigui.core.data.channels import normalize_channel_names
from bcigui.core.data.units import ChannelUnit, resolve_units
from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.lsl import (
    Rediscovery,
    StreamDescription,
    find_stream,
    resolve_infos,
)
from bcigui.core.stream.markers import MarkerList

log = logging.getLogger(__name__)


class StreamEvent(StrEnum):
    """What a :class:`StreamReader` or an ``Acquisition`` tells its subscribers (a ``str``: it equals
    its value, ``"lost"``...). ``info`` holds ``stream`` and, by event, ``reason``, ``message``,
    ``error`` or ``gap``."""

    CONNECTED = "connected"
    STOPPED = "stopped"
    WARNING = "warning"
    INCOMPATIBLE = "incompatible"  # a stream of that name with other channels or rate: not taken
    LOST = "lost"
    RECOVERED = "recovered"
    ERROR = "error"
    MARKER_STREAM_ADDED = "marker_stream_added"

    @property
    def is_problem(self) -> bool:
        """The stream does not deliver data (lost, or its reader failed)."""
        return self in (StreamEvent.LOST, StreamEvent.ERROR)


Callback = Callable[[StreamEvent, dict], None]
PROC_DATA = pylsl.proc_clocksync | pylsl.proc_dejitter | pylsl.proc_monotonize
PROC_MARKERS = pylsl.proc_clocksync
_WIDE_FORMATS = ("double64", "int32", "int64")


@dataclass
class Gap:
    """Interval without data, in LSL local-clock seconds."""

    onset: float
    duration: float


@dataclass
class StreamStats:
    """Snapshot of a reader's counters.

    ``effective_rate``: samples received per second of stream time over the last ~5 s (0 when not
    connected); ``latency_ms``: median of ``local_clock()`` at pull minus the corrected timestamp
    of the newest sample pulled (transport + buffering delay; NaN before any data).
    """

    connected: bool
    status: str
    samples: int
    gaps: int
    effective_rate: float
    latency_ms: float
    n_markers: int = 0


class _Events:
    """Callback list; callbacks run in the caller's thread and may not raise."""

    def __init__(self) -> None:
        self._callbacks: list[Callback] = []
        self._cb_lock = threading.Lock()

    def subscribe(self, callback: Callback) -> None:
        """Call ``callback(event, info)`` on status changes (from the acquisition thread)."""
        with self._cb_lock:
            self._callbacks.append(callback)

    def unsubscribe(self, callback: Callback) -> None:
        with self._cb_lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

    def _emit(self, event: StreamEvent, **info: object) -> None:
        with self._cb_lock:
            callbacks = list(self._callbacks)
        for cb in callbacks:
            try:
                cb(event, info)
            except Exception:
                log.exception("stream event callback %r failed on %r", cb, event)


def _marker_label(values: list, labels: list[str] | None = None) -> str:
    """Marker text of one sample. ``labels`` (a one-hot numeric stream such as mne-lsl's
    ``*-annotations``: one channel per description, non-zero where the event is): the names of the
    non-zero channels."""
    if labels is not None:
        hot = [lab for lab, v in zip(labels, values, strict=False) if v]
        if hot:
            return ",".join(hot)

    def one(v: object) -> str:
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return one(values[0]) if len(values) == 1 else ",".join(one(v) for v in values)


def _one_hot_labels(desc: StreamDescription) -> list[str] | None:
    """Channel labels of a numeric multi-channel annotation stream (mne-lsl PlayerLSL's one-hot
    encoding: stream type ``annotations``), else ``None``."""
    if desc.channel_format == "string" or desc.n_channels < 2 or desc.type.strip().lower() != "annotations":
        return None
    return list(desc.ch_names)


class StreamReader(_Events):
    """One LSL stream read continuously by a background thread.

    ``stream`` is a name (resolved now; ``ValueError`` lists the available streams if unknown) or
    a :class:`StreamDescription`. Regular streams fill ``buffer`` (``buffer_seconds`` long, volts
    for voltage units); marker streams (irregular rate, type ``Markers`` or string format) fill
    ``markers``. ``recover=False`` leaves a lost stream lost. ``units`` (one unit, or
    ``{channel: unit}``) replaces the units the stream declares.
    """

    poll_interval = 0.001  # s slept after a partial chunk, to batch samples (bounds added latency)

    def __init__(self, stream: str | StreamDescription, buffer_seconds: float = 60.0,
                 timeout: float = 2.0, recover: bool = True, loss_timeout: float = 1.0,
                 units: str | Mapping[str, str] | None = None) -> None:
        super().__init__()
        if not buffer_seconds > 0:
            raise ValueError(f"buffer_seconds must be > 0, got {buffer_seconds!r}")
        if isinstance(stream, str):
            stream = find_stream(stream, timeout)
        elif not isinstance(stream, StreamDescription):
            raise TypeError(f"stream must be a name or a StreamDescription, got {type(stream).__name__}")
        if stream.n_channels < 1:
            raise ValueError(f"LSL stream {stream.name!r} has n_channels={stream.n_channels}; "
                             "a stream needs at least 1 channel")
        self.desc = stream
        self.sfreq = float(stream.srate)
        self.ch_names = normalize_channel_names(stream.ch_names)
        self.timeout = float(timeout)
        self.recover = bool(recover)
        self.loss_timeout = float(loss_timeout)
        self.is_marker = stream.is_marker or stream.channel_format == "string"
        self.buffer: RingBuffer | None = None
        self.markers: MarkerList | None = None
        if self.is_marker:
            self.units: list[ChannelUnit] = [ChannelUnit(c, "", 1.0, "") for c in self.ch_names]
        else:
            self.units = resolve_units(self.ch_names, stream.units or [""] * stream.n_channels,
                                       stream.ch_types or [stream.type] * stream.n_channels, stream.name, units)
        self.scales = np.array([u.scale for u in self.units])
        self._scale = self.scales if np.any(self.scales != 1.0) else None  # None: store as sent
        self.unit_problems = [u.problem for u in self.units if u.problem]
        self._one_hot = _one_hot_labels(stream) if self.is_marker else None
        if self.is_marker:
            self.markers = MarkerList()
        else:
            dtype = np.float64 if stream.channel_format in _WIDE_FORMATS else np.float32
            capacity = max(1, int(round(buffer_seconds * self.sfreq)))
            self.buffer = RingBuffer(stream.n_channels, capacity, dtype)
            self._chunk_len = max(32, int(self.sfreq * 0.5))
            self._chunk: np.ndarray | None = None
        self.gaps: list[Gap] = []
        self._marker_sinks: list[MarkerList] = []
        self._inlet: pylsl.StreamInlet | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._status = "idle"
        self._samples = 0
        self._last_ts: float | None = None
        self._last_data = 0.0  # local clock of the last non-empty pull (or of the connection)
        self._chunk_interval = 0.0
        self._lost_at: float | None = None  # gap onset while lost
        self._rate_hist: deque[tuple[float, float, int]] = deque()  # (pull time, newest ts, samples)
        self._latencies: deque[float] = deque(maxlen=32)
        self._warned_nan = False
        self._incompatible: set[str] = set()  # uids of look-alike outlets with another layout
        self._gone: set[str] = set()  # uids of outlets that refused to open: closed for good
        self._rediscovery: Rediscovery | None = None  # started at the first loss

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> StreamReader:
        """Open the inlet (``RuntimeError`` if the stream cannot be opened) and start the thread."""
        if self._thread is not None:
            return self
        if not self._connect(self.timeout, prefer_uid=self.desc.uid):
            raise RuntimeError(f"Could not open LSL stream {self.desc.summary()}: it is not "
                               f"available any more (waited {self.timeout:g} s)")
        self._set_status("connected")
        self._emit(StreamEvent.CONNECTED, stream=self.desc.name, time=pylsl.local_clock())
        self._warn_units()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"lsl-{self.desc.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and close the inlet (data already read stays available)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None
        self._inlet = None
        self._rediscovery = None
        if self._status not in ("idle", "stopped"):
            self._set_status("stopped")
            self._emit(StreamEvent.STOPPED, stream=self.desc.name, time=pylsl.local_clock())

    def __enter__(self) -> StreamReader:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _warn_units(self) -> None:
        """Report channels whose values cannot be put in volts (once per start, loudly)."""
        if not self.unit_problems:
            return
        bad = [u for u in self.units if u.problem]
        listing = ", ".join(f"{u.name}={u.declared!r}" for u in bad[:8]) + (" ..." if len(bad) > 8 else "")
        message = (f"{len(bad)} voltage channel(s) of LSL stream {self.desc.name!r} have no or an unknown "
                   f"unit ({listing}): kept as sent, not converted to volts. {bad[0].problem}")
        log.warning(message)
        self._emit(StreamEvent.WARNING, stream=self.desc.name, message=message, time=pylsl.local_clock())

    @property
    def status(self) -> str:
        """``idle``, ``connected``, ``lost``, ``stopped``."""
        return self._status

    def add_marker_sink(self, sink: MarkerList) -> None:
        """Also append every marker received to ``sink`` (used to merge marker streams)."""
        self._marker_sinks.append(sink)

    # -- counters ---------------------------------------------------------------------------
    def stats(self) -> StreamStats:
        with self._lock:
            hist = list(self._rate_hist)
            latency = statistics.median(self._latencies) * 1e3 if self._latencies else float("nan")
            status, samples = self._status, self._samples
        rate = 0.0
        now = pylsl.local_clock()
        if status == "connected" and len(hist) >= 2 and now - hist[-1][0] < max(2.0, self.loss_timeout):
            (_, t0, n0), (_, t1, n1) = hist[0], hist[-1]  # samples per second of stream time
            rate = (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0
        n_markers = self.markers.n_total if self.markers is not None else 0
        return StreamStats(status == "connected", status, samples, len(self.gaps), rate, latency, n_markers)

    def _set_status(self, status: str) -> None:
        with self._lock:
            self._status = status

    # -- connection -------------------------------------------------------------------------
    def _connect(self, timeout: float, prefer_uid: str = "", avoid_uid: str = "", again: bool = False) -> bool:
        """Resolve and open a compatible outlet; ``False`` if none answered within ``timeout``.

        Outlets with ``prefer_uid`` are tried first, those with ``avoid_uid`` last. ``again``: a
        reconnection, found by a continuous resolver (a new outlet is seen within about a second).
        """
        d = self.desc
        if again:
            if self._rediscovery is None:
                self._rediscovery = Rediscovery(d.name, d.source_id)
            infos = self._rediscovery.wait(timeout, self._gone)
        else:
            infos = resolve_infos(d.name, d.source_id, timeout=timeout)
        infos.sort(key=lambda i: (i.uid() != prefer_uid, i.uid() == avoid_uid))
        for info in infos:
            if info.channel_count() != d.n_channels or info.nominal_srate() != d.srate:
                if info.uid() in self._incompatible:
                    continue
                self._incompatible.add(info.uid())
                self._emit(StreamEvent.INCOMPATIBLE, stream=d.name, n_channels=info.channel_count(),
                           srate=info.nominal_srate(), time=pylsl.local_clock())
                log.warning("stream %r came back with %d channels at %g Hz (expected %d at %g Hz): ignored",
                            d.name, info.channel_count(), info.nominal_srate(), d.n_channels, d.srate)
                continue
            try:
                inlet = pylsl.StreamInlet(info, max_buflen=60, recover=False,
                                          processing_flags=PROC_MARKERS if self.is_marker else PROC_DATA)
                inlet.open_stream(timeout=timeout)
                if again:  # a first clock-offset estimate takes ~0.6 s: at start it runs in the thread
                    inlet.time_correction(timeout=max(timeout, 2.0))
            except Exception as err:  # TimeoutError/LostError: outlet gone meanwhile
                if isinstance(err, LostError):
                    self._gone.add(info.uid())
                log.debug("could not open %r: %s", d.name, err)
                continue
            if not self.is_marker and (self._chunk is None or self._chunk.dtype != inlet.np_dtype):
                self._chunk = np.zeros((self._chunk_len, d.n_channels), dtype=inlet.np_dtype)
            self.desc = replace(d, uid=info.uid(), hostname=info.hostname())
            self._inlet = inlet
            self._last_data = pylsl.local_clock()
            return True
        return False

    def _on_lost(self, reason: str, keep_inlet: bool = False) -> None:
        if not keep_inlet:
            self._inlet = None
        now = pylsl.local_clock()
        if self._lost_at is None:  # first loss (not a failed re-connection)
            if self._last_ts is not None and not self.is_marker:
                self._lost_at = self._last_ts + 1.0 / self.sfreq
            else:
                self._lost_at = now
            self._set_status("lost")
            log.warning("LSL stream %r lost: %s", self.desc.name, reason)
            self._emit(StreamEvent.LOST, stream=self.desc.name, reason=reason, time=now)

    def _on_silence(self, silence: float) -> None:
        """A regular stream stopped sending: report it lost and swap in a fresh inlet.

        liblsl's de-jitter assumes a continuous stream and would bend the timestamps after a
        stall; a fresh inlet starts a fresh de-jitter. It is subscribed before the old one is
        dropped, so nothing is lost if the outlet resumes. An outlet that came back under the same
        name and source_id (new uid) is preferred over the silent one.
        """
        first = self._lost_at is None
        self._on_lost(f"no data for {silence:.1f} s", keep_inlet=True)
        if not self.recover:
            return
        uid = self.desc.uid
        if not self._connect(0.5, prefer_uid=uid if first else "", avoid_uid="" if first else uid, again=True):
            self._inlet = None

    def _record_recovery(self, first_ts: float) -> None:
        gap = Gap(onset=self._lost_at, duration=max(0.0, first_ts - self._lost_at))
        # a stream that only paused (SIGSTOP, a slow network) resumes with its next sample: no sample is
        # missing, so there is no gap in the data (its ~0 s "duration" is timestamp jitter)
        if self.is_marker or gap.duration >= 1.5 / self.sfreq:
            self.gaps.append(gap)
        else:
            gap = Gap(onset=gap.onset, duration=0.0)
        self._lost_at = None
        with self._lock:
            self._rate_hist.clear()
        self._set_status("connected")
        log.info("LSL stream %r recovered after %.3f s", self.desc.name, gap.duration)
        self._emit(StreamEvent.RECOVERED, stream=self.desc.name, gap=gap, time=pylsl.local_clock())

    # -- thread -----------------------------------------------------------------------------
    def _first_sync(self) -> None:
        """The first clock-offset estimate of a new inlet (~0.6 s), taken in the reader thread so that
        opening a stream returns at once; samples wait in the inlet's buffer meanwhile."""
        try:
            self._inlet.time_correction(timeout=2.0)
        except LostError:
            raise
        except Exception as err:  # liblsl retries by itself when it post-processes timestamps
            log.debug("first clock-offset estimate of %r failed: %s", self.desc.name, err)
        self._last_data = pylsl.local_clock()

    def _run(self) -> None:
        try:
            if self._inlet is not None:
                self._first_sync()
        except LostError:
            self._on_lost("the outlet was closed or the connection broke")
        while not self._stop.is_set():
            try:
                if self._inlet is None:
                    if not self.recover:
                        self._stop.wait(0.2)
                    elif self._connect(0.5, again=True) and self.is_marker:
                        self._record_recovery(pylsl.local_clock())
                    continue
                if self.is_marker:
                    self._pull_markers()
                else:
                    self._pull_data()
            except LostError:
                self._on_lost("the outlet was closed or the connection broke")
            except Exception as err:  # never let the thread die silently
                log.exception("error while reading LSL stream %r", self.desc.name)
                self._emit(StreamEvent.ERROR, stream=self.desc.name, message=str(err), time=pylsl.local_clock())
                self._stop.wait(0.2)

    def _note_pull(self, n: int, newest_ts: float) -> float:
        now = pylsl.local_clock()
        with self._lock:
            if self._last_data and self._samples:
                dt = now - self._last_data
                self._chunk_interval = dt if not self._chunk_interval else 0.9 * self._chunk_interval + 0.1 * dt
            self._samples += n
            self._last_data = now
            self._last_ts = newest_ts
            self._latencies.append(now - newest_ts)
            self._rate_hist.append((now, newest_ts, self._samples))
            while len(self._rate_hist) > 2 and now - self._rate_hist[1][0] >= 5.0:
                self._rate_hist.popleft()
        return now

    def _pull_data(self) -> None:
        _, ts = self._inlet.pull_chunk(timeout=0.1, max_samples=self._chunk_len, dest_obj=self._chunk,
                                       as_numpy=True, min_samples=1)
        n = len(ts)
        if not n:
            silence = pylsl.local_clock() - self._last_data
            if self._samples and silence > max(self.loss_timeout, 5 * self._chunk_interval):
                self._on_silence(silence)
            return
        data = self._chunk[:n]
        if self._scale is not None:
            data = data * self._scale
        if not self._warned_nan and np.isnan(data).any():
            self._warned_nan = True
            log.warning("LSL stream %r sends NaN values (stored as NaN)", self.desc.name)
            self._emit(StreamEvent.WARNING, stream=self.desc.name, message="stream contains NaN values")
        self.buffer.write(data, ts)
        if self._lost_at is not None:
            self._record_recovery(float(ts[0]))
        self._note_pull(n, float(ts[-1]))
        if n < self._chunk_len:
            self._stop.wait(self.poll_interval)

    def _pull_markers(self) -> None:
        samples, ts = self._inlet.pull_chunk(timeout=0.1, max_samples=256, as_numpy=False, min_samples=1)
        if not ts:
            return
        for values, t in zip(samples, ts, strict=True):
            label = _marker_label(values, self._one_hot)
            self.markers.append(t, label)
            for sink in self._marker_sinks:
                sink.append(t, label)
        self._note_pull(len(ts), float(ts[-1]))



"""Synthetic EEG: an offline generator and a real-time LSL simulator (EEG + marker outlets).

The signal is a pure function of ``(paradigm, n_channels, srate, seed, classes)``: it is generated in
fixed blocks with carried filter state, so any prefix of it is the same whatever the chunking, and
:class:`Simulator` streams exactly what :func:`generate` returns (in microvolts on LSL).

Model (all sources are mixed into neighbouring channels by a Gaussian spatial kernel over electrode
distances, so no effect lives on a single channel):

- background: one pink (1/f) noise source under every electrode, spatially mixed;
- posterior alpha (~10 Hz) from two parieto-occipital sources, blocked during SSVEP stimulation;
- sensorimotor mu (~11 Hz) and beta (~22 Hz) sources under C3, Cz and C4: during motor imagery
  they desynchronise (ERD) contralaterally (C3 for ``right_hand``, C4 for ``left_hand``, Cz for
  ``feet``; weaker ipsilateral ERD), with a beta rebound after the imagery;
- SSVEP: a response at the stimulus frequency and its harmonics from a source under Oz;
- 50 Hz line noise and white sensor noise.

Two ways to decide what the simulated subject does:

- autonomous (default): a seeded schedule of trials, announced on the simulator's own marker outlet;
- follow mode (``follow=True``): the subject obeys the cue markers of a session (``cue/left_hand``,
  ``cue/ssvep/13.0``...), fed with :meth:`SignalGenerator.cue` or, live, read from a marker stream
  (``Simulator(follow="bcigui-markers")``); it publishes no markers of its own.

``skill`` (0-1) scales the class-specific part of the response (contralateral ERD, SSVEP amplitude);
at 0 the classes leave no trace in the signal (only a bilateral, class-independent ERD remains).

Marker scheme (constants below): MI trials are ``trial/start`` (fixation), ``cue/<class>``,
``imagery/start``, ``imagery/end``; SSVEP trials are ``trial/start``, ``cue/ssvep/<f:.1f>`` or
``cue/rest`` at stimulation onset, and ``flicker/end`` (names from :mod:`bcigui.core.paradigms.markers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import signal

from bcigui.core.checks import invalid_option
from bcigui.core.paradigms import markers as mk
from bcigui.core.paradigms.markers import (
    FLICKER_END,
    IMAGERY_END,
    IMAGERY_START,
    TRIAL_START,
    cue_marker,
    ssvep_cue_marker,
)
from bcigui.core.stream.pusher import OutletPusher

# ---------------------------------------------------------------- marker scheme (docs/markers.md)
PARADIGMS = ("mi", "ssvep", "rest")
MI_CLASSES = ("left_hand", "right_hand", "feet")
SSVEP_FREQS = (13.0, 17.0, 21.0)
CUE_REST = cue_marker("rest")
ssvep_marker = ssvep_cue_marker


# trial timing (seconds)
LEAD_IN = 2.0
MI_FIXATION, MI_CUE, MI_IMAGERY, MI_REST = 2.0, 1.0, 4.0, (1.5, 3.0)
SSVEP_FIXATION, SSVEP_STIM, SSVEP_REST = 1.0, 4.0, (1.0, 2.0)

# ---------------------------------------------------------------- montage
MONTAGE_ORDER = (
    "Fz C3 Cz C4 Pz O1 Oz O2 "  # 8
    "F3 F4 FC3 FC4 CP3 CP4 P3 P4 "  # 16
    "Fp1 Fp2 F7 F8 T7 T8 P7 P8 FC1 FC2 CP1 CP2 C5 C6 PO3 PO4 "  # 32
    "Fpz AFz AF3 AF4 AF7 AF8 F1 F2 F5 F6 FCz FC5 FC6 FT7 FT8 C1 C2 CPz CP5 CP6 TP7 TP8 "
    "P1 P2 P5 P6 POz PO7 PO8 Iz I1 I2 F9 F10 FT9 FT10 T9 T10 TP9 TP10 P9 P10 PO9 PO10 AF9 AF10"
).split()
MIN_CHANNELS, MAX_CHANNELS = 8, 256
MIN_SRATE = 64.0
_ROWS = {"Fp": 4, "AF": 3, "F": 2, "FT": 1, "FC": 1, "T": 0, "C": 0, "TP": -1, "CP": -1,
         "P": -2, "PO": -3, "O": -4, "I": -5}
_STEP = 18.0  # degrees of arc per 10 % step


def channel_names(n_channels: int) -> list[str]:
    """First ``n_channels`` labels of the ordered 10-20/10-10 list, then ``E###``."""
    _check_int("n_channels", n_channels, MIN_CHANNELS, MAX_CHANNELS)
    names = list(MONTAGE_ORDER[:n_channels])
    names += [f"E{i:03d}" for i in range(len(names) + 1, n_channels + 1)]
    return names


def _position(label: str) -> tuple[float, float]:
    """Approximate azimuthal-equidistant position (degrees of arc from Cz) of a 10-10 label."""
    row = label.rstrip("z0123456789")
    num = label[len(row):]
    y = _ROWS[row] * _STEP
    if num == "z":
        return 0.0, y
    k = int(num)
    col = -(k + 1) // 2 if k % 2 else k // 2  # odd left, even right: 1->-1, 3->-2, 2->1
    if abs(_ROWS[row]) >= 4:  # Fp, O, I rows hug the 72-degree ring
        return col * 22.0, y - np.sign(y) * 4.0
    half = np.sqrt(max(72.0**2 - y**2, 24.0**2))
    x = col / 4.0 * half if abs(col) <= 4 else np.sign(col) * (half + _STEP)
    return float(x), float(y)


def channel_positions(ch_names: list[str]) -> np.ndarray:
    """``(n, 2)`` positions in degrees; ``E###`` labels fill a deterministic spiral over the head."""
    out = np.zeros((len(ch_names), 2))
    golden = np.pi * (3.0 - np.sqrt(5.0))
    for i, name in enumerate(ch_names):
        if name.startswith("E") and name[1:].isdigit():
            k = int(name[1:])
            r = 90.0 * np.sqrt((k % 97 + 0.5) / 97.0)
            out[i] = r * np.cos(k * golden), r * np.sin(k * golden)
        else:
            out[i] = _position(name)
    return out


def _mixing(ch_pos: np.ndarray, src_pos: np.ndarray, sigma: float) -> np.ndarray:
    """Gain ``(n_channels, n_sources)`` of a Gaussian spatial kernel."""
    d2 = ((ch_pos[:, None, :] - src_pos[None, :, :]) ** 2).sum(-1)
    return np.exp(-d2 / (2.0 * sigma**2))


# ---------------------------------------------------------------- validation
def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer between {lo} and {hi}, got {value!r}")
    return int(value)


def _check_args(paradigm: str, n_channels: int, srate: float, seed: int,
                classes: Sequence[str | float] | None) -> tuple[float, tuple]:
    if paradigm not in PARADIGMS:
        raise invalid_option("paradigm", paradigm, list(PARADIGMS))
    _check_int("n_channels", n_channels, MIN_CHANNELS, MAX_CHANNELS)
    try:
        srate_f = float(srate)
    except (TypeError, ValueError):
        srate_f = float("nan")
    if not (MIN_SRATE <= srate_f <= 20000.0):
        raise ValueError(f"srate must be a number between {MIN_SRATE:g} and 20000 Hz, got {srate!r}")
    _check_int("seed", seed, 0, 2**63 - 1)
    allowed = MI_CLASSES if paradigm == "mi" else SSVEP_FREQS + ("rest",)
    if classes is None:
        classes = allowed if paradigm != "rest" else ()
    classes = tuple(classes)
    if paradigm != "rest":
        bad = [c for c in classes if c not in allowed]
        if bad or len(classes) < 1 or len(set(classes)) != len(classes):
            raise ValueError(
                f"classes for paradigm {paradigm!r} must be distinct values among {list(allowed)}, "
                f"got {list(classes)}"
            )
    return srate_f, classes


# ---------------------------------------------------------------- schedule
@dataclass
class _Trial:
    label: str  # MI class, SSVEP frequency (float) or "rest"
    start: float  # seconds: trial/start
    onset: float  # seconds: cue (MI) / stimulation onset (SSVEP)
    active: tuple[float, float]  # seconds: imagery or stimulation period
    end: float  # seconds: end of the rest period (next trial starts here)
    depth: float = 1.0  # per-trial strength (ERD depth or SSVEP amplitude factor)
    events: list[tuple[float, str]] = field(default_factory=list)
    kind: str = "mi"  # "mi" or "ssvep": which response the trial evokes


class _Schedule:
    """Lazily extended, seeded trial sequence (balanced, shuffled blocks of classes)."""

    def __init__(self, paradigm: str, classes: tuple, rng: np.random.Generator) -> None:
        self.paradigm, self.classes, self.rng = paradigm, classes, rng
        self.trials: list[_Trial] = []
        self._next = LEAD_IN
        self._queue: list = []

    def extend_until(self, t: float) -> None:
        while self.paradigm != "rest" and self._next <= t:
            if not self._queue:
                self._queue = [self.classes[i] for i in self.rng.permutation(len(self.classes))]
            label = self._queue.pop(0)
            t0 = self._next
            if self.paradigm == "mi":
                onset = t0 + MI_FIXATION
                active = (onset + MI_CUE, onset + MI_CUE + MI_IMAGERY)
                end = active[1] + self.rng.uniform(*MI_REST)
                events = [(t0, TRIAL_START), (onset, cue_marker(label)),
                          (active[0], IMAGERY_START), (active[1], IMAGERY_END)]
                depth = self.rng.uniform(0.15, 0.85)
            else:
                onset = t0 + SSVEP_FIXATION
                active = (onset, onset + SSVEP_STIM)
                end = active[1] + self.rng.uniform(*SSVEP_REST)
                cue = CUE_REST if label == "rest" else ssvep_marker(label)
                events = [(t0, TRIAL_START), (onset, cue), (active[1], FLICKER_END)]
                depth = self.rng.uniform(0.6, 1.2)
            self.trials.append(_Trial(label, t0, onset, active, end, depth, events, self.paradigm))
            self._next = end

    def forget_before(self, t: float) -> None:
        """Drop trials that ended well before ``t`` (keeps a long-running simulator small)."""
        while self.trials and self.trials[0].end + 5.0 < t:
            self.trials.pop(0)

    def overlapping(self, t0: float, t1: float, margin: float = 2.0) -> list[_Trial]:
        return [tr for tr in self.trials if tr.start - margin < t1 and tr.end + margin > t0]


class _CueSchedule(_Schedule):
    """Follow mode: trials start and end with a session's markers (times in generator seconds).

    MI: ``cue/<class>`` starts imagery (the ERD builds up from 0.5 s after the cue), ``imagery/end``,
    ``trial/end`` or the end of the session stop it. SSVEP: ``cue/ssvep/<f>`` names the target,
    attended from ``flicker/start`` (2 s after the cue if none comes) after a visual latency, until
    ``flicker/end``/``trial/end``. ``cue/rest`` (and classes not simulated) evoke nothing specific.
    """

    MAX_ACTIVE = 20.0  # an unterminated trial stops after this many seconds
    LATENCY = 0.1  # visual pathway latency of the SSVEP (s)
    MI_DEPTH = (0.65, 1.0)  # ERD depth range of an attentive subject doing what is asked
    SSVEP_DEPTH = (0.8, 1.3)  # SSVEP amplitude factor of a subject looking at the cued target
    _ENDS = frozenset({mk.IMAGERY_END, mk.FLICKER_END, mk.TRIAL_END, mk.SESSION_END, mk.SESSION_ABORT})

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__("follow", (), rng)
        self._open: _Trial | None = None

    def extend_until(self, t: float) -> None:  # trials come from markers only
        pass

    def add_marker(self, t: float, label: str) -> None:
        cls = mk.class_from_marker(label)
        if cls is not None:
            self._close(t)
            freq = mk.ssvep_frequency(cls)
            if freq is not None:
                kind, lab, start = "ssvep", freq, t + 2.0 + self.LATENCY  # until flicker/start comes
                depth = float(self.rng.uniform(*self.SSVEP_DEPTH))
            else:  # MI class; "rest" (and "tongue", not simulated) evoke no class-specific activity
                kind, lab, start = "mi", cls, t + 0.5
                depth = float(self.rng.uniform(*self.MI_DEPTH))
            tr = _Trial(lab, t, t, (start, t + self.MAX_ACTIVE), t + self.MAX_ACTIVE + 3.0, depth, [], kind)
            self.trials.append(tr)
            self._open = tr
        elif label == mk.FLICKER_START and self._open is not None and self._open.kind == "ssvep":
            tr = self._open
            tr.active = (t + self.LATENCY, tr.active[1])
        elif label in self._ENDS:
            self._close(t)

    def _close(self, t: float) -> None:
        tr, self._open = self._open, None
        if tr is not None and tr.active[1] > t:
            tr.active = (min(tr.active[0], t), t)
            tr.end = t + 3.0


def _ramp(t: np.ndarray, a: float, b: float) -> np.ndarray:
    """0 before ``a``, 1 after ``b``, smooth (raised cosine) in between."""
    x = np.clip((t - a) / (b - a), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


# ---------------------------------------------------------------- generator
_PINK_B = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
_PINK_A = np.array([1.0, -2.494956002, 2.017265875, -0.522189400])
UV = 1e-6
# amplitudes (volts rms at the source / channel)
BACKGROUND_RMS, ALPHA_RMS, MU_RMS, BETA_RMS = 10 * UV, 6 * UV, 3 * UV, 1.5 * UV
SSVEP_AMP, SENSOR_RMS, LINE_AMP = 2.0 * UV, 0.7 * UV, (1.5 * UV, 6.0 * UV)
_MOTOR = ("C3", "Cz", "C4")  # order of motor sources
_TARGET = {"right_hand": 0, "feet": 1, "left_hand": 2}
DEFAULT_SKILL = 1.0


def check_skill(skill: object) -> float:
    """``skill`` must be a number in [0, 1] (how much of the cued class shows in the signal)."""
    try:
        value = float(skill)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = float("nan")
    if isinstance(skill, bool) or not 0.0 <= value <= 1.0:
        raise ValueError(f"skill must be a number between 0 and 1, got {skill!r}")
    return value


class SignalGenerator:
    """Stateful block generator; :meth:`read` returns the next samples and their events."""

    def __init__(self, paradigm: str = "mi", n_channels: int = 32, srate: float = 500.0,
                 seed: int = 0, classes: Sequence[str | float] | None = None, skill: float = DEFAULT_SKILL,
                 follow: bool = False) -> None:
        self.srate, self.classes = _check_args(paradigm, n_channels, srate, seed, classes)
        self.skill = check_skill(skill)
        self.follow = bool(follow)
        self.paradigm = paradigm
        self.ch_names = channel_names(n_channels)
        self.n_channels = n_channels
        ss = np.random.SeedSequence([int(seed), PARADIGMS.index(paradigm), n_channels])
        s_param, s_sched, self._s_noise = ss.spawn(3)
        prng = np.random.default_rng(s_param)
        sched_rng = np.random.default_rng(s_sched)
        self.schedule = _CueSchedule(sched_rng) if follow else _Schedule(paradigm, self.classes, sched_rng)
        self._rng = np.random.default_rng(self._s_noise)
        # follow mode generates little ahead of time so that a cue changes the very next samples
        self.block = max(16, int(round(self.srate * (0.02 if follow else 1.0))))
        pos = channel_positions(self.ch_names)
        fs = self.srate
        # background: pink sources under each electrode, broad spatial kernel, unit-power rows
        mix = _mixing(pos, pos, 22.0)
        self._bg_mix = mix / np.sqrt((mix**2).sum(1, keepdims=True))
        lp_b, lp_a = signal.butter(2, min(40.0, 0.4 * fs), fs=fs)  # steeper fall above 40 Hz
        self._bg_ba = np.convolve(_PINK_B, lp_b), np.convolve(_PINK_A, lp_a)
        h = signal.lfilter(*self._bg_ba, np.r_[1.0, np.zeros(int(40 * fs))])
        self._bg_gain = BACKGROUND_RMS / np.sqrt((h**2).sum())
        self._bg_zi = np.zeros((len(self._bg_ba[1]) - 1, n_channels))
        # rhythmic sources: alpha L/R posterior, mu x3, beta x3
        alpha_f = prng.uniform(9.5, 10.5)
        mu_f, beta_f = prng.uniform(10.5, 12.0), prng.uniform(20.0, 24.0)
        alpha_src = np.array([[-12.0, -64.0], [12.0, -64.0]])
        motor_src = np.array([_position(c) for c in _MOTOR] * 2)
        self._rhythm_mix = np.hstack([_mixing(pos, alpha_src, 22.0), _mixing(pos, motor_src, 16.0)])
        # groups of sources sharing a band: (first source, n sources, centre, half-width, rms)
        groups = [(0, 2, alpha_f, 1.5, ALPHA_RMS), (2, 3, mu_f, 1.5, MU_RMS), (5, 3, beta_f, 3.0, BETA_RMS)]
        self._rhythm_groups = []
        for first, count, fc, bw, rms in groups:
            sos = signal.butter(2, [fc - bw, fc + bw], "bandpass", fs=fs, output="sos")
            h = signal.sosfilt(sos, np.r_[1.0, np.zeros(int(10 * fs))])
            zi = np.zeros((sos.shape[0], 2, count))
            self._rhythm_groups.append([slice(first, first + count), sos, rms / np.sqrt((h**2).sum()), zi])
        # SSVEP: source under Oz (mixed into O1/O2 and neighbours), harmonics with fixed phases
        self._ssvep_mix = _mixing(pos, np.array([_position("Oz")]), 18.0)[:, 0]
        self._ssvep_phase = prng.uniform(0, 2 * np.pi, 3)
        self._ssvep_harm = np.array([1.0, 0.5, 0.25])
        # line noise and sensor noise
        self._line_amp = prng.uniform(*LINE_AMP, n_channels)
        self._line_phase = 0.3 + prng.normal(0, 0.2, n_channels)
        self._n_generated = 0
        self._pending = np.zeros((0, n_channels))
        self._pending_start = 0

    # -- public ------------------------------------------------------------------
    @property
    def n_read(self) -> int:
        """Samples already returned by :meth:`read`."""
        return self._pending_start

    def read(self, n: int) -> tuple[np.ndarray, list[tuple[int, str]]]:
        """Next ``n`` samples ``(n, n_channels)`` in volts and the events among them."""
        n = int(n)
        have, parts = self._pending.shape[0], [self._pending]
        while have < n:
            parts.append(self._next_block())
            have += parts[-1].shape[0]
        if len(parts) > 1:
            self._pending = np.concatenate(parts)
        start = self._pending_start
        data, self._pending = self._pending[:n], self._pending[n:]
        self._pending_start = start + n
        return data, self.events_between(start, start + n)

    def cue(self, t: float, label: str) -> None:
        """Follow mode: marker ``label`` of the session happened at ``t`` seconds of generated signal.

        Samples already generated are not changed; the response starts after ``t`` (see
        :class:`_CueSchedule`), so markers should arrive in time order and promptly.
        """
        if not self.follow:
            raise RuntimeError("cue() needs a generator created with follow=True")
        if self.paradigm != "rest":  # a resting subject ignores the cues
            self.schedule.add_marker(float(t), str(label))

    def events_between(self, i0: int, i1: int) -> list[tuple[int, str]]:
        """Events with sample index in ``[i0, i1)`` (the schedule is extended as needed)."""
        self.schedule.extend_until(i1 / self.srate)
        out = []
        for tr in self.schedule.overlapping(i0 / self.srate, i1 / self.srate):
            for t, label in tr.events:
                idx = int(round(t * self.srate))
                if i0 <= idx < i1:
                    out.append((idx, label))
        return sorted(out)

    # -- internals ---------------------------------------------------------------
    def _next_block(self) -> np.ndarray:
        n, fs, rng = self.block, self.srate, self._rng
        i0 = self._n_generated
        idx = np.arange(i0, i0 + n)
        t = idx / fs
        self.schedule.extend_until(t[-1] + 1.0)
        self.schedule.forget_before(min(i0, self._pending_start) / fs)
        # background
        white = rng.standard_normal((n, self.n_channels))
        pink, self._bg_zi = signal.lfilter(*self._bg_ba, white, axis=0, zi=self._bg_zi)
        out = (pink * self._bg_gain) @ self._bg_mix.T
        # rhythms, modulated by the schedule
        rhythms = rng.standard_normal((n, 8))
        for group in self._rhythm_groups:
            sl, sos, g, zi = group
            y, group[3] = signal.sosfilt(sos, rhythms[:, sl], axis=0, zi=zi)
            rhythms[:, sl] = y * g
        gain, ssvep = self._modulation(t, idx)
        out += (rhythms * gain) @ self._rhythm_mix.T
        out += ssvep[:, None] * self._ssvep_mix[None, :]
        # line noise (common phase, small spread) and sensor noise
        if fs > 2 * 52.0:
            out += self._line_amp * np.sin(2 * np.pi * 50.0 * t[:, None] + self._line_phase)
        out += SENSOR_RMS * rng.standard_normal((n, self.n_channels))
        self._n_generated += n
        return out

    def _modulation(self, t: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample gains of the 8 rhythmic sources and the SSVEP signal."""
        gain = np.ones((t.size, 8))
        ssvep = np.zeros(t.size)
        k_skill = self.skill
        for tr in self.schedule.overlapping(t[0], t[-1]):
            a0, a1 = tr.active
            if tr.kind == "mi" and a1 > a0:
                # ERD from 0.5 s after the cue, full 0.5 s later, released after the imagery ends;
                # bilateral ERD of 0.25 x depth for every class, plus skill x the contralateral excess
                env = _ramp(t, tr.onset + 0.5, a0 + 0.5) * (1.0 - _ramp(t, a1, a1 + 0.6))
                target = _TARGET.get(tr.label)
                rebound = _ramp(t, a1 + 0.3, a1 + 0.7) * (1.0 - _ramp(t, a1 + 1.2, a1 + 2.0))
                for k in range(3):
                    d = 0.25 * tr.depth
                    if k == target:
                        d += k_skill * 0.75 * tr.depth
                    gain[:, 2 + k] *= 1.0 - d * env  # mu
                    gain[:, 5 + k] *= 1.0 - 0.8 * d * env  # beta
                if target is not None:
                    gain[:, 5 + target] *= 1.0 + 0.6 * k_skill * tr.depth * rebound
            elif tr.kind == "ssvep" and a1 > a0:
                env = _ramp(t, a0 + 0.05, a0 + 0.3) * (1.0 - _ramp(t, a1 + 0.05, a1 + 0.2))
                gain[:, :2] *= (1.0 - 0.5 * env)[:, None]  # alpha blocking
                if tr.label != "rest" and k_skill > 0:
                    onset_idx = round(a0 * self.srate)
                    ph = 2 * np.pi * float(tr.label) * (idx - onset_idx) / self.srate
                    wave = np.zeros(t.size)
                    for h, (amp, phi) in enumerate(zip(self._ssvep_harm, self._ssvep_phase, strict=True)):
                        if (h + 1) * float(tr.label) < 0.45 * self.srate:
                            wave += amp * np.sin((h + 1) * ph - phi)
                    ssvep += SSVEP_AMP * k_skill * tr.depth * env * wave
        return gain, ssvep


@dataclass
class SimulatedData:
    """Output of :func:`generate`: ``data`` ``(n_samples, n_channels)`` in volts."""

    data: np.ndarray
    ch_names: list[str]
    sfreq: float
    events: list[tuple[int, str]]


def generate(paradigm: str = "mi", n_channels: int = 32, srate: float = 500.0, seconds: float = 60.0,
             seed: int = 0, classes: Sequence[str | float] | None = None,
             skill: float = DEFAULT_SKILL, cues: Sequence[tuple[float, str]] | None = None) -> SimulatedData:
    """Generate ``seconds`` of synthetic EEG (exactly what an autonomous :class:`Simulator` streams).

    With ``cues`` (``(seconds, marker)`` pairs, e.g. a paradigm's schedule), the subject follows
    them instead of its own schedule (follow mode) and ``events`` are those cues.
    """
    try:
        n = int(round(float(seconds) * float(srate)))
    except (TypeError, ValueError):
        n = -1
    if n < 1:
        raise ValueError(f"seconds must be a positive number (>= one sample), got {seconds!r}")
    gen = SignalGenerator(paradigm, n_channels, srate, seed, classes, skill, follow=cues is not None)
    if cues is None:
        data, events = gen.read(n)
        return SimulatedData(data, gen.ch_names, gen.srate, events)
    parts, events = [], []
    for t, label in sorted(cues, key=lambda c: c[0]):
        idx = min(n, max(gen.n_read, int(round(float(t) * gen.srate))))
        parts.append(gen.read(idx - gen.n_read)[0])
        gen.cue(idx / gen.srate, label)
        events.append((idx, label))
    parts.append(gen.read(n - gen.n_read)[0])
    return SimulatedData(np.concatenate(parts), gen.ch_names, gen.srate, [e for e in events if e[0] < n])


# ---------------------------------------------------------------- live LSL simulator
def make_outlets(name: str, ch_names: list[str], srate: float, source_id: str, markers: bool = True):
    """EEG outlet (float32, microvolts, channel labels in desc) and string marker outlet (or None)."""
    import pylsl

    from bcigui.core.stream.lsl import make_stream_info

    eeg = make_stream_info(name, "EEG", ch_names, srate, fmt="float32", source_id=source_id)
    if not markers:
        return pylsl.StreamOutlet(eeg, 0, 360), None
    mrk = make_stream_info(f"{name}-markers", "Markers", ["marker"], 0.0, fmt="string",
                           source_id=f"{source_id}-markers", units="", ch_type="Marker")
    return pylsl.StreamOutlet(eeg, 0, 360), pylsl.StreamOutlet(mrk)


class Simulator(OutletPusher):
    """Real-time LSL EEG outlet (microvolts) plus string marker outlet ``<name>-markers``.

    Sample ``i`` gets timestamp ``t0 + i / srate`` (``t0`` = ``pylsl.local_clock()`` at start);
    markers carry the timestamp of their sample. ``seconds`` stops streaming after that much signal.
    With ``follow`` (the name of a marker stream, e.g. a session's ``bcigui-markers``), the simulated
    subject obeys that stream's cues and no marker outlet is opened; ``ground_truth`` then lists the
    markers followed.
    """

    _kind = "Simulator"

    def __init__(self, paradigm: str = "mi", n_channels: int = 32, srate: float = 500.0, seed: int = 0,
                 name: str = "bcigui-sim", chunk_seconds: float = 0.02,
                 classes: Sequence[str | float] | None = None,
                 seconds: float | None = None, skill: float = DEFAULT_SKILL, follow: str | None = None,
                 follow_source_id: str = "") -> None:
        super().__init__()
        self.paradigm, self.n_channels, self.srate, self.seed = paradigm, n_channels, srate, seed
        self.name, self.chunk_seconds, self.classes, self.seconds = name, chunk_seconds, classes, seconds
        self.skill, self.follow, self.follow_source_id = skill, follow or None, follow_source_id
        self._gen = SignalGenerator(paradigm, n_channels, srate, seed, classes, skill,
                                    follow=bool(follow))  # validates
        self._follower = None
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if not 0.001 <= float(chunk_seconds) <= 1.0:
            raise ValueError(f"chunk_seconds must be between 0.001 and 1.0 s, got {chunk_seconds!r}")
        if seconds is not None and not float(seconds) > 0:
            raise ValueError(f"seconds must be positive or None, got {seconds!r}")
        self.ch_names, self.srate = self._gen.ch_names, self._gen.srate
        self.t0: float | None = None
        self._truth: list[tuple[float, str]] = []
        self._outlets = None
        self.error: BaseException | None = None

    @property
    def stream_names(self) -> tuple[str, str | None]:
        """EEG stream name and the simulator's marker stream name (None when following)."""
        return self.name, None if self.follow else f"{self.name}-markers"

    @property
    def following(self) -> bool:
        """True once the followed marker stream is connected."""
        return self._follower is not None and self._follower.connected.is_set()

    @property
    def ground_truth(self) -> list[tuple[float, str]]:
        """Markers pushed so far: ``(lsl_timestamp, label)``."""
        with self._lock:
            return list(self._truth)

    @property
    def n_pushed(self) -> int:
        return self._gen.n_read

    @property
    def done(self) -> bool:
        """True once ``seconds`` of signal have been pushed (never, if ``seconds`` is None)."""
        return self.seconds is not None and self.n_pushed >= self._total

    def _open(self) -> None:
        import pylsl

        from bcigui.core.stream.follow import MarkerFollower

        mode = "follow" if self.follow else self.paradigm
        sid = f"{self.name}-{mode}-{self.n_channels}-{self.srate:g}-{self.seed}"
        self._outlets = make_outlets(self.name, self.ch_names, self._gen.srate, sid, markers=not self.follow)
        if self.follow:
            self._follower = MarkerFollower(self.follow, self.follow_source_id).start()
        self._total = int(round(float(self.seconds) * self._gen.srate)) if self.seconds else None
        self.t0 = pylsl.local_clock()

    def stop(self) -> None:
        super().stop()
        if self._follower is not None:
            self._follower.stop()

    def set_activity(self, paradigm: str | None = None, skill: float | None = None) -> None:
        """Follow mode: switch what the subject does with the cues (``mi``/``ssvep`` obey, ``rest``
        ignores them) and how well, without restarting the streams."""
        if not self.follow:
            raise RuntimeError("only a following simulator can switch activity while streaming")
        if paradigm is not None:
            if paradigm not in PARADIGMS:
                raise invalid_option("paradigm", paradigm, list(PARADIGMS))
            self.paradigm = self._gen.paradigm = paradigm
        if skill is not None:
            self.skill = self._gen.skill = check_skill(skill)

    def _follow_cues(self) -> None:
        """Hand the followed markers to the generator (in generator seconds)."""
        for ts, label in self._follower.drain():
            self._gen.cue(ts - self.t0, label)
            with self._lock:
                self._truth.append((ts, label))

    def _run(self) -> None:
        import pylsl

        eeg, mrk = self._outlets
        fs, t0 = self._gen.srate, self.t0
        try:
            while not self._stop.is_set():
                if self._follower is not None:
                    self._follow_cues()
                due = int((pylsl.local_clock() - t0) * fs) + 1  # samples whose time has come
                if self._total is not None:
                    due = min(due, self._total)
                n = due - self._gen.n_read
                if n > 0:
                    first = self._gen.n_read
                    data, events = self._gen.read(n)
                    stamps = t0 + np.arange(first, first + n) / fs
                    eeg.push_chunk((data / UV).astype(np.float32), stamps.tolist())
                    for idx, label in events:  # none in follow mode
                        ts = t0 + idx / fs
                        mrk.push_sample([label], ts)
                        with self._lock:
                            self._truth.append((ts, label))
                if self._total is not None and self._gen.n_read >= self._total:
                    break
                self._stop.wait(self.chunk_seconds)
        except Exception as err:  # noqa: BLE001 - reported through .error, thread must not crash
            self.error = err

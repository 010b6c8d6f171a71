"""Headless calibration session: acquisition + paradigm schedule + marker outlet + crash-safe recorder.

Flow: :func:`plan_run` checks the output folder (writable, enough free space) and picks the next
free run number *before* anything starts; :class:`CalibrationSession` starts the recorder, walks the
paradigm's schedule (driven by a Qt stimulus window through :meth:`~CalibrationSession.shown`, or by
:meth:`~CalibrationSession.run_headless`) and, at the end, writes the BIDS FIF run.

The raw crash-safe recording lives in ``ROOT/sourcedata/sub-XX/ses-YY/eeg/<run name>.bcirec`` and is
kept (``bcigui recover`` turns it into the BIDS run if the process died).
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pylsl

from bcigui.core.paradigms.base import Paradigm, Phase, ScheduleRunner
from bcigui.core.paradigms.frames import FrameLog
from bcigui.core.paradigms.outlet import MarkerOutlet
from bcigui.core.recording.writer import SUFFIX, Recorder
from bcigui.core.stream.health import HealthWatch

_LABEL = re.compile(r"[A-Za-z0-9]+")
_RUN = re.compile(r"_run-(\d+)")


@dataclass(frozen=True)
class RunPlan:
    """Where one run goes: BIDS entities, the crash-safe folder and the final FIF path."""

    root: Path
    subject: str
    session: str | None
    task: str
    run: int
    bcirec: Path
    fif: Path

    @property
    def basename(self) -> str:
        ses = f"_ses-{self.session}" if self.session else ""
        return f"sub-{self.subject}{ses}_task-{self.task}_run-{self.run:02d}"

    def bids(self) -> dict[str, Any]:
        return {"root": str(self.root), "subject": self.subject, "session": self.session, "task": self.task,
                "run": self.run}


def check_label(name: str, value: str | None, optional: bool = False) -> str | None:
    """BIDS labels are alphanumeric; the error names the parameter and the value."""
    if value in (None, "") and optional:
        return None
    if not isinstance(value, str) or not _LABEL.fullmatch(value):
        raise ValueError(f"{name} must be a non-empty alphanumeric label (BIDS), e.g. '01', got {value!r}")
    return value


def expected_bytes(n_channels: int, sfreq: float, seconds: float) -> int:
    """Disk space a run needs: crash-safe files (float32 + float64 stamp) + FIF copy + 5 MB margin."""
    per_second = (4 * n_channels + 8) * sfreq + 4 * n_channels * sfreq
    return int(per_second * max(seconds, 1.0) * 1.1) + 5_000_000


def check_output(root: str | Path, needed_bytes: int = 0) -> Path:
    """Create ``root`` if needed and check it is writable with ``needed_bytes`` free; clear errors."""
    root = Path(root)
    try:
        if not root.is_dir():
            root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(f"output folder {root} cannot be created: {err.strerror or err}") from None
    if not root.is_dir():
        raise NotADirectoryError(f"output folder {root} is not a directory")
    probe = root / f".bcigui-write-test-{uuid.uuid4().hex[:8]}"
    try:
        with open(probe, "wb") as f:
            f.write(b"x")
            f.flush()
            os.fsync(f.fileno())
    except OSError as err:
        raise PermissionError(f"output folder {root} is not writable: {err.strerror or err}") from None
    finally:
        try:
            probe.unlink()
        except OSError:
            pass
    free = shutil.disk_usage(root).free
    if needed_bytes and free < needed_bytes:
        raise OSError(f"not enough free space in {root}: {free / 1e6:.1f} MB free, this run needs about "
                      f"{needed_bytes / 1e6:.1f} MB")
    return root


def existing_runs(root: Path, subject: str, session: str | None, task: str) -> set[int]:
    """Run numbers already used (final BIDS files or crash-safe folders) for these entities."""
    ses = f"_ses-{session}" if session else ""
    prefix = f"sub-{subject}{ses}_task-{task}_run-"
    runs = set()
    sub = Path(f"sub-{subject}") / (f"ses-{session}" if session else "") / "eeg"
    for folder in (root / sub, root / "sourcedata" / sub):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.startswith(prefix):
                    m = _RUN.search(p.name)
                    if m:
                        runs.add(int(m.group(1)))
    return runs


def plan_run(root: str | Path, subject: str, session: str | None, task: str,
             n_channels: int = 64, sfreq: float = 1000.0, seconds: float = 600.0) -> RunPlan:
    """Check the output and reserve the next free run (its crash-safe folder name is unused)."""
    check_label("subject", subject)
    check_label("session", session, optional=True)
    check_label("task", task)
    root = check_output(root, expected_bytes(n_channels, sfreq, seconds))
    run = max(existing_runs(root, subject, session, task) | {0}) + 1
    sub = Path(f"sub-{subject}") / (f"ses-{session}" if session else "") / "eeg"
    plan = RunPlan(root, subject, session or None, task, run, Path(), Path())
    name = plan.basename
    return RunPlan(root, subject, session or None, task, run,
                   root / "sourcedata" / sub / f"{name}{SUFFIX}", root / sub / f"{name}_eeg.fif")


def reads_outlet(acquisition: Any, outlet: MarkerOutlet, timeout: float = 3.0) -> bool:
    """Wait until ``acquisition`` reads ``outlet`` (markers then reach the recording through it).

    Another consumer of the outlet (e.g. a simulated subject following the cues) does not count:
    the acquisition's own marker readers are checked by ``source_id``.
    """
    deadline = time.monotonic() + timeout
    while True:
        readers = list(getattr(acquisition, "marker_readers", None) or [])
        if any(r.desc.source_id == outlet.source_id and getattr(r, "connected", True) for r in readers):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


@dataclass
class SessionInfo:
    """Subject/session metadata written into the recording."""

    subject: str
    session: str | None = "01"
    task: str | None = None
    operator: str = ""
    notes: str = ""
    line_freq: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class CalibrationSession:
    """One calibration run; the acquisition must be started (``sfreq``, ``ch_names`` known).

    The drawing side calls :meth:`begin` once, then :meth:`tick` every frame: it returns the phases
    to draw now; after the frame is visible, call :meth:`shown` with them (markers are stamped
    then). :meth:`run_headless` does both without a window. :meth:`finish` stops and saves.
    """

    def __init__(self, acquisition: Any, paradigm: Paradigm, out: str | Path, info: SessionInfo,
                 outlet: MarkerOutlet | None = None, max_seconds: float | None = None,
                 record_markers_directly: bool = False, other_markers: Sequence[str] = ()) -> None:
        self.acquisition = acquisition
        self.paradigm = paradigm
        self.info = info
        self.task = info.task or paradigm.name
        self.outlet = outlet if outlet is not None else MarkerOutlet()
        self.max_seconds = max_seconds
        self.direct = bool(record_markers_directly)
        # the session records its own outlet's markers, and other streams only when named
        self.marker_streams = {self.outlet.source_id, *other_markers}
        seconds = min(paradigm.total_duration(), max_seconds or float("inf")) + 10.0
        self.plan = plan_run(out, info.subject, info.session, self.task, len(acquisition.ch_names),
                             float(acquisition.sfreq), seconds)
        self.runner = ScheduleRunner(paradigm.schedule())
        self.recorder: Recorder | None = None
        self.current: Phase | None = None
        self.t_start: float | None = None
        self.output: Path | None = None
        self.error: str | None = None
        self.frames: FrameLog | None = None  # set by a stimulus window that logs its frames
        self.stream_lost = False  # the EEG stream was gone when the run ended (see finish)
        self.stream_problems: list[dict[str, Any]] = []  # what the HealthWatch saw (silent, rate, NaN, amplitude)
        self.health: HealthWatch | None = None  # set before begin() to share one (record prints its events)
        self._own_health = False
        self.cues: list[tuple[float, str]] = []  # (LSL time, class) of every cue shown, for a live learning curve

    # -- lifecycle -------------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        i = self.info
        return {"subject": i.subject, "session": i.session, "task": self.task, "run": self.plan.run,
                "operator": i.operator, "notes": i.notes, "line_freq": i.line_freq,
                "paradigm": self.paradigm.config(), "marker_stream": self.outlet.name,
                "start_unix": time.time(), "bids": self.plan.bids(), **i.extra}

    def _wait_for_pre_roll(self, timeout: float = 3.0) -> None:
        """Wait (up to ``timeout`` s) until the stream has delivered the recorder's pre-roll: a stream
        opened just now (``bcigui record``) has no samples yet, and its first chunk may come after
        the first marker; a silent stream is reported by the health watch, not waited for here."""
        buffer = getattr(self.acquisition, "buffer", None)
        if buffer is None:
            return
        need = int(round(Recorder.PRE_ROLL * float(self.acquisition.sfreq)))
        deadline = time.monotonic() + timeout
        while int(buffer.n_written) < need and time.monotonic() < deadline:
            time.sleep(0.02)

    def begin(self) -> list[Phase]:
        """Start recording and the schedule; returns the first phase(s) to draw."""
        self.plan.bcirec.parent.mkdir(parents=True, exist_ok=True)
        self._wait_for_pre_roll()
        self.recorder = Recorder(self.acquisition, self.plan.bcirec, self._meta(),
                                 marker_streams=self.marker_streams).start()
        if self.health is None:
            self.health, self._own_health = HealthWatch(self.acquisition).start(), True
        self.t_start = pylsl.local_clock()
        return self.runner.start(self.t_start)

    def tick(self, now: float | None = None) -> list[Phase]:
        """Phases entered now (empty most frames); aborts on recorder failure or time limit."""
        now = pylsl.local_clock() if now is None else now
        if self.recorder is not None and self.recorder.error is not None and not self.runner.finished:
            self.error = f"recording failed: {self.recorder.error}"
            self.runner.abort()
        if self.max_seconds is not None and self.t_start is not None and now - self.t_start >= self.max_seconds:
            self.runner.abort()
        return self.runner.update(now)

    def shown(self, phases: list[Phase], timestamp: float | None = None) -> float:
        """Push the markers of ``phases``, which became visible at ``timestamp`` (default: now)."""
        labels = [e for p in phases for e in p.events]
        t = pylsl.local_clock() if timestamp is None else timestamp
        if labels:
            self.outlet.push_many(labels, t)
            if self.direct and self.recorder is not None:
                for label in labels:
                    self.recorder.add_marker(t, label, self.outlet.name)
        for p in phases:
            if p.kind not in ("pause", "resume", "abort"):
                self.current = p
            if p.kind == "cue" and p.label is not None:
                self.cues.append((t, str(p.label)))
        return t

    def pause(self) -> None:
        self.runner.pause()

    def resume(self) -> None:
        self.runner.resume()

    def abort(self) -> None:
        self.runner.abort()

    @property
    def finished(self) -> bool:
        return self.runner.finished

    def run_headless(self, poll: float = 0.002) -> None:
        """Walk the whole schedule without a window (markers stamped when each phase starts)."""
        self.shown(self.begin())
        while not self.runner.finished:
            phases = self.tick()
            if phases:
                self.shown(phases)
            time.sleep(poll)

    def finish(self, settle: float = 0.3) -> Path:
        """Stop recording (after ``settle`` s so the last markers and samples arrive); save BIDS FIF."""
        from bcigui.core.recording.export import finalize

        if self.recorder is None:
            raise RuntimeError("the session was not started (call begin or run_headless first)")
        time.sleep(settle)
        stats = getattr(self.acquisition, "stats", None)
        self.stream_lost = bool(stats is not None and not stats().connected)  # lost, not back by the end
        info: dict[str, Any] = {"aborted": self.error is not None, "stream_lost": self.stream_lost}
        if self.frames is not None:
            info["stimulus_frames"] = self.frames.stats()
        if self.health is not None:
            if self._own_health:
                self.health.stop()
            self.stream_problems = self.stream_problems or list(self.health.history)
        if self.stream_problems:
            info["stream_problems"] = self.stream_problems
        self.recorder.stop(info=info)
        try:
            self.output = finalize(self.recorder.path)
        except OSError as err:
            raise OSError(f"could not write the BIDS run ({err}); the recording is complete and safe in "
                          f"{self.recorder.path}: run `bcigui recover {self.recorder.path}`") from err
        return self.output

    def progress(self, now: float | None = None) -> dict[str, Any]:
        """Trial i of N, time left, current class and phase (for the operator panel)."""
        now = pylsl.local_clock() if now is None else now
        cur = self.current
        return {"trial": self.runner.trial_number(), "n_trials": self.runner.n_trials,
                "time_left": self.runner.time_left(now), "phase": cur.kind if cur else "",
                "label": cur.label if cur else None, "paused": self.runner.paused,
                "pause_pending": self.runner.pause_pending, "finished": self.runner.finished,
                "samples": self.recorder.n_samples if self.recorder else 0,
                "stimulus_warning": self.frames.warning() if self.frames is not None else "",
                "stream_problems": [p.message for p in self.health.active.values()] if self.health else []}


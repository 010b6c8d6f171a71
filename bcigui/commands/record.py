"""``bcigui record``: run a calibration paradigm on an LSL stream and record it crash-safely (BIDS FIF)."""

from __future__ import annotations

import argparse
import os
import signal
import sys

NAME = "record"
HELP = "run a calibration paradigm (mi, ssvep) on an LSL EEG stream and record the run (BIDS FIF)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--stream", required=True, help="name of the LSL EEG stream")
    p.add_argument("--paradigm", default="mi", help="paradigm plugin: mi or ssvep (or a user plugin)")
    p.add_argument("--trials", type=int, help="trials per class (sets the paradigm's trials_per_class)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", default=[],
                   help="paradigm parameter (repeatable), e.g. --param imagery_duration=3")
    p.add_argument("--subject", required=True, help="subject label (alphanumeric, e.g. 01)")
    p.add_argument("--session", default="01", help="session label (default 01; empty for none)")
    p.add_argument("--task", help="BIDS task label (default: the paradigm name)")
    p.add_argument("--out", required=True, metavar="DIR", help="BIDS root folder")
    p.add_argument("--seconds", type=float, help="stop (abort) the session after this many seconds")
    p.add_argument("--operator", default="", help="operator name (stored in the recording)")
    p.add_argument("--notes", default="", help="free-text notes (stored in the recording)")
    p.add_argument("--line-freq", type=float, default=None, help="power-line frequency (50 or 60 Hz)")
    p.add_argument("--markers", default="auto",
                   help="other marker streams to record: auto (all), none, or comma-separated names")
    p.add_argument("--marker-outlet", default="bcigui-markers", help="name of the marker outlet pushed by bcigui")
    p.add_argument("--no-window", action="store_true", help="no stimulus window: drive the schedule headlessly")
    p.add_argument("--no-operator", action="store_true", help="no operator window")
    p.add_argument("--fullscreen", action="store_true", help="stimulus window full screen")
    p.add_argument("--screen", type=int, help="screen number for the stimulus window")
    p.add_argument("--refresh-rate", type=float, help="display refresh rate in Hz (default: measured)")


def _paradigm(args: argparse.Namespace):
    from bcigui.core.paradigms import make_paradigm
    from bcigui.core.plugins import parse_param_args

    params = parse_param_args(args.param)
    if args.trials is not None:
        if args.trials < 1:
            raise ValueError(f"--trials must be >= 1 (trials per class), got {args.trials}")
        params["trials_per_class"] = args.trials
    return make_paradigm(args.paradigm, **params)


def run(args: argparse.Namespace) -> int:
    if not args.no_window and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bcigui.core.paradigms.outlet import MarkerOutlet
    from bcigui.core.recording.session import CalibrationSession, SessionInfo, check_label, check_output
    from bcigui.core.stream.acquisition import Acquisition

    paradigm = _paradigm(args)
    check_label("subject", args.subject)
    check_label("session", args.session, optional=True)
    check_output(args.out)  # fail before opening anything
    outlet = MarkerOutlet(args.marker_outlet)
    key = args.markers.strip().lower()
    markers = "auto" if key == "auto" else [outlet.description()] + (
        [] if key in ("", "none") else [m.strip() for m in args.markers.split(",") if m.strip()])
    acq = Acquisition(args.stream, markers=markers)
    acq.start()
    try:
        direct = not outlet.wait_for_consumers(5.0)
        if direct:
            print("warning: the marker outlet has no reader; markers are written to the recording directly",
                  file=sys.stderr)
        info = SessionInfo(args.subject, args.session or None, args.task, args.operator, args.notes,
                           args.line_freq)
        session = CalibrationSession(acq, paradigm, args.out, info, outlet, args.seconds, direct)
        print(f"recording run {session.plan.run} to {session.plan.bcirec}", flush=True)
        previous = signal.signal(signal.SIGTERM, lambda *_: session.abort())  # end cleanly, keep data
        try:
            if args.no_window:
                session.run_headless()
            else:
                from bcigui.gui.paradigms.stimulus import run_session_window

                run_session_window(session, args.screen, args.fullscreen, not args.no_operator,
                                   args.refresh_rate)
        except KeyboardInterrupt:
            session.abort()
            session.tick()
        finally:
            signal.signal(signal.SIGTERM, previous)
        if session.recorder is None:
            raise RuntimeError("the session did not start")
        out = session.finish()
    finally:
        acq.stop()
    if session.error:
        print(f"bcigui record: session aborted: {session.error}", file=sys.stderr)
    n = session.recorder.n_samples
    print(f"saved {out} ({n} samples, {n / acq.sfreq:.1f} s; raw crash-safe copy in {session.plan.bcirec})")
    return 1 if session.error else 0

"""``bcigui record``: run a calibration paradigm on an LSL stream and record it crash-safely (BIDS FIF)."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from bcigui.commands._source import add_source_arguments, open_source, print_recoveries, watch_health

NAME = "record"
HELP = ("run a calibration paradigm (mi, ssvep) on an LSL EEG stream and record the run (BIDS); "
        "with --model, a cued feedback run: decoded live, scored per trial; exit code 3 when the EEG stream "
        "was lost before the run ended")


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_source_arguments(p)
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
    p.add_argument("--markers", default="own", metavar="own|NAME[,NAME...]",
                   help="marker streams to record: own (only this session's outlet, the default) or "
                        "comma-separated names of other marker streams to record as well")
    p.add_argument("--marker-outlet", default="bcigui-markers", help="name of the marker outlet pushed by bcigui")
    p.add_argument("--no-window", action="store_true", help="no stimulus window: drive the schedule headlessly")
    p.add_argument("--no-operator", action="store_true", help="no operator window")
    p.add_argument("--fullscreen", action="store_true", help="stimulus window full screen")
    p.add_argument("--screen", type=int, help="screen number for the stimulus window")
    p.add_argument("--refresh-rate", type=float, help="display refresh rate in Hz (default: measured)")
    fb = p.add_argument_group("feedback runs (with --model)")
    fb.add_argument("--model", metavar="MODEL.bcimodel",
                    help="give feedback with this model: the paradigm cues the model's classes, the decoder runs "
                         "live, each trial is scored (task <paradigm>feedback, same BIDS root)")
    fb.add_argument("--summary", metavar="FILE.json", help="also write the run's score summary here")
    fb.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
    fb.add_argument("--hop", type=float, default=0.1, help="seconds between decoded windows (default 0.1)")
    fb.add_argument("--smoothing", type=int, default=5,
                    help="predictions averaged for the feedback display (default 5)")
    fb.add_argument("--predictions-outlet", metavar="NAME", help="also publish predictions on this LSL outlet")


def _paradigm(args: argparse.Namespace, manifest: dict | None = None):
    from bcigui.core.paradigms import make_paradigm
    from bcigui.core.plugins import parse_param_args
    from bcigui.core.recording.feedback import paradigm_params_for_model

    params = parse_param_args(args.param)
    if manifest is not None:  # a feedback run cues the model's classes unless told otherwise
        for key, value in paradigm_params_for_model(args.paradigm, manifest).items():
            params.setdefault(key, value)
    if args.trials is not None:
        if args.trials < 1:
            raise ValueError(f"--trials must be >= 1 (trials per class), got {args.trials}")
        params["trials_per_class"] = args.trials
    return make_paradigm(args.paradigm, **params)


def marker_streams(value: str) -> list[str]:
    """``--markers``: ``own`` -> no other stream; ``A,B`` -> those streams (besides the session's own)."""
    names = [m.strip() for m in str(value).split(",") if m.strip()]
    if any(n.lower() in ("auto", "all") for n in names):
        raise ValueError("--markers takes 'own' or names of marker streams; recording every marker stream on "
                         f"the network ('auto') mixes in other sessions' markers, got {value!r}")
    return [n for n in names if n.lower() not in ("own", "none")]


def run(args: argparse.Namespace) -> int:
    if not args.no_window and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from bcigui.core.paradigms.outlet import MarkerOutlet
    from bcigui.core.recording.session import check_label, check_output

    model = None
    if args.model:
        from bcigui.core.model_file import load_model

        model = load_model(args.model)
    elif args.summary:
        raise ValueError("--summary needs --model (only feedback runs are scored)")
    from bcigui.core.outputs import check_outputs

    check_outputs({"--summary": args.summary}, [args.model], args.overwrite)
    paradigm = _paradigm(args, model.manifest if model is not None else None)
    check_label("subject", args.subject)
    check_label("session", args.session, optional=True)
    check_output(args.out)  # fail before opening anything
    outlet = MarkerOutlet(args.marker_outlet)
    others = marker_streams(args.markers)
    stream, source = open_source(args)
    try:
        return _record(args, model, paradigm, outlet, others, stream)
    finally:
        if source is not None:
            source.stop()


def _record(args: argparse.Namespace, model, paradigm, outlet, others: list[str], stream: str) -> int:
    from bcigui.core.recording.session import CalibrationSession, SessionInfo, reads_outlet
    from bcigui.core.stream.acquisition import Acquisition

    acq = Acquisition(stream, markers=[outlet.description(), *others])
    acq.start()
    print_recoveries(acq)
    health = watch_health(acq)
    try:
        direct = not reads_outlet(acq, outlet, 5.0)  # our acquisition, not just any reader (a virtual subject)
        if direct:
            print("warning: the marker outlet has no reader; markers are written to the recording directly",
                  file=sys.stderr)
        info = SessionInfo(args.subject, args.session or None, args.task, args.operator, args.notes,
                           args.line_freq)
        if model is not None:
            from bcigui.core.recording.feedback import FeedbackSession

            session = FeedbackSession(acq, paradigm, args.out, info, model, args.model, outlet, args.seconds,
                                      direct, tuple(others), hop=args.hop, smoothing=args.smoothing,
                                      predictions_outlet=args.predictions_outlet)
            print("loading the decoder (in its own process)", flush=True)
            try:
                session.wait_decoder()
            except RuntimeError:
                session.release_decoder()
                raise
        else:
            session = CalibrationSession(acq, paradigm, args.out, info, outlet, args.seconds, direct, others)
        session.health = health  # its problems are stored with the recording (complete.json)
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
        health.stop()
        out = session.finish()
    finally:
        health.stop()
        acq.stop()
    if session.error:
        print(f"bcigui record: session aborted: {session.error}", file=sys.stderr)
    n = session.recorder.n_samples
    print(f"saved {out} ({n} samples, {n / acq.sfreq:.1f} s; raw crash-safe copy in {session.plan.bcirec})")
    if session.stream_lost:
        print(f"bcigui record: the EEG stream {stream!r} was lost before the run ended and did not come back: "
              f"the EEG stops after {n / acq.sfreq:.1f} s, the rest of the run is annotated BAD_gap; every "
              "marker is kept", file=sys.stderr)
    if model is not None:
        _report_feedback(session, args.summary)
    return 1 if session.error else 3 if session.stream_lost else 0


def _report_feedback(session, summary_path: str | None) -> None:
    from bcigui.core.recording.writer import write_json_atomic

    res = session.summary()
    res["recording"] = f"eeg/{session.output.name}" if session.output else None
    if summary_path:
        from pathlib import Path

        Path(summary_path).parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(Path(summary_path), res)
    acc = res["accuracy"]
    if acc is None:
        print("feedback: no trial could be scored (no prediction during the trials)")
        return
    print(f"feedback: {acc:.0%} correct over {res['n_scored']} trials (chance {res['chance_level']:.0%}, "
          f"p={res['p_value']:.2g}); summary {session.summary_path}")

"""``bcigui simulate``: stream synthetic EEG and markers over LSL (MI, SSVEP or rest)."""

from __future__ import annotations

import argparse
import time

NAME = "simulate"
HELP = "stream synthetic EEG (LSL, microvolts) and cue markers for MI, SSVEP or rest"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paradigm", choices=["mi", "ssvep", "rest"], default="mi",
                   help="simulated brain activity and markers (default: mi)")
    p.add_argument("--channels", type=int, default=32, help="number of EEG channels, 8..256 (default: 32)")
    p.add_argument("--srate", type=float, default=500.0, help="sampling rate in Hz (default: 500)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this many seconds (default: never)")
    p.add_argument("--seed", type=int, default=0, help="random seed: same seed, same signal (default: 0)")
    p.add_argument("--name", default="bcigui-sim", help="EEG stream name; markers are NAME-markers")
    p.add_argument("--quiet", action="store_true", help="do not print markers as they are sent")
    p.add_argument("--follow", metavar="MARKER_STREAM",
                   help="closed loop: the simulated subject obeys the cues of this marker stream (e.g. the "
                        "bcigui-markers outlet of a session) and publishes no markers of its own")
    p.add_argument("--skill", type=float, default=None,
                   help="how separable the classes are, 0 (no class information) to 1 (default: 1)")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.stream.simulator import DEFAULT_SKILL, Simulator

    skill = DEFAULT_SKILL if args.skill is None else args.skill
    try:
        sim = Simulator(paradigm=args.paradigm, n_channels=args.channels, srate=args.srate, seed=args.seed,
                        name=args.name, seconds=args.seconds, skill=skill, follow=args.follow)
    except ValueError as err:  # name the command-line option
        msg = str(err).replace("n_channels", "--channels", 1).replace("skill must", "--skill must", 1)
        raise ValueError(msg) from None
    eeg, markers = sim.stream_names
    mode = f"following the cues of {args.follow!r}" if args.follow else "own trial schedule"
    header = [
        f"Simulating {args.paradigm} EEG (seed {args.seed}, skill {skill:g}, {mode})",
        f"  EEG stream     {eeg!r}: type EEG, {len(sim.ch_names)} channels, {sim.srate:g} Hz, microvolts",
        f"  channels       {', '.join(sim.ch_names)}",
        f"  marker stream  {markers!r}: type Markers, string" if markers else
        "  marker stream  none (follow mode: the session's cues are printed as they arrive)",
    ]
    return serve(sim, header, None, args.quiet)  # the simulator itself stops after --seconds


def serve(source, header: list[str], seconds: float | None, quiet: bool) -> int:
    """Start ``source`` (Simulator or Replayer), print what it streams, stop on Ctrl-C/end/timeout."""
    source.start()
    seen = 0

    speed = getattr(source, "speed", 1.0)  # print times in recording seconds

    def report() -> int:
        truth = source.ground_truth
        if not quiet:
            for ts, label in truth[seen:]:
                print(f"  {(ts - source.t0) * speed:10.3f} s  {label}", flush=True)
        return len(truth)

    t_start = time.monotonic()
    try:
        print("\n".join(header), flush=True)
        print("Streaming; press Ctrl-C to stop.", flush=True)
        while not source.done and source.error is None:
            if seconds is not None and time.monotonic() - t_start >= seconds:
                break
            seen = report()
            time.sleep(0.05)
    except KeyboardInterrupt:
        print("Interrupted.", flush=True)
    finally:
        source.stop()
    report()
    if source.error is not None:
        raise RuntimeError(f"streaming failed: {source.error}")
    print(f"Stopped after {source.n_pushed} samples and {len(source.ground_truth)} markers.", flush=True)
    return 0

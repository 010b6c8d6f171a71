"""``bcigui replay``: stream a recording file in real time as LSL EEG and marker outlets."""

from __future__ import annotations

import argparse

NAME = "replay"
HELP = "replay a recording (FIF, EDF/BDF, GDF, XDF, BrainVision) as LSL EEG + marker streams"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="recording to replay")
    p.add_argument("--speed", type=float, default=1.0, help="replay speed factor (default: 1.0)")
    p.add_argument("--loop", action="store_true", help="start over at the end of the file")
    p.add_argument("--name", default=None, help="EEG stream name (default: bcigui-replay-<file>); "
                   "markers are NAME-markers")
    p.add_argument("--seconds", type=float, default=None,
                   help="stop after this many seconds of wall-clock time (default: end of file)")
    p.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="start only once both streams have a consumer (or after SECONDS)")
    p.add_argument("--quiet", action="store_true", help="do not print markers as they are sent")


def run(args: argparse.Namespace) -> int:
    from bcigui.commands.simulate import serve
    from bcigui.core.stream.replay import Replayer

    rep = Replayer(args.file, speed=args.speed, loop=args.loop, name=args.name,
                   wait_for_consumers=args.wait)
    eeg, markers = rep.stream_names
    labels = sorted({label for _, label in rep.events})
    header = [
        f"Replaying {rep.path} ({rep.duration:.1f} s, {len(rep.events)} events) at x{rep.speed:g}"
        + (", looping" if rep.loop else ""),
        f"  EEG stream     {eeg!r}: type EEG, {len(rep.ch_names)} channels, {rep.sfreq:g} Hz, microvolts",
        f"  channels       {', '.join(rep.ch_names)}",
        f"  marker stream  {markers!r}: type Markers, string; labels {', '.join(labels) or '(none)'}",
    ]
    if args.wait:
        header.append(f"  waiting up to {args.wait:g} s for a consumer on each stream before starting")
    return serve(rep, header, args.seconds, args.quiet)

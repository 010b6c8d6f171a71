"""``bcigui streams``: list the LSL streams visible on the network."""

from __future__ import annotations

import argparse
import json

NAME = "streams"
HELP = "list LSL streams on the network (name, type, channels, rate, format, source, host)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--timeout", type=float, default=1.0, metavar="S",
                   help="how long to look for streams, in seconds (default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.stream.lsl import discover

    streams = discover(timeout=args.timeout)
    if args.json:
        print(json.dumps({"streams": [s.to_dict() for s in streams]}, indent=2))
        return 0
    if not streams:
        print(f"No LSL stream found within {args.timeout:g} s.")
        return 0
    print(f"{'name':28s} {'type':10s} {'ch':>4s} {'rate':>9s} {'format':9s} {'source_id':20s} host")
    for s in streams:
        rate = "irregular" if s.srate == 0 else f"{s.srate:g} Hz"
        print(f"{s.name:28s} {s.type:10s} {s.n_channels:4d} {rate:>9s} {s.channel_format:9s} "
              f"{s.source_id:20s} {s.hostname}")
        if s.n_channels and not s.is_marker:
            units = sorted(set(u for u in s.units if u)) or ["-"]
            names = ", ".join(s.ch_names[:8]) + (", ..." if s.n_channels > 8 else "")
            print(f"    channels: {names}  (units: {', '.join(units)})")
    return 0

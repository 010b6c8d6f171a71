"""``bcigui export``: write a run as EDF, BDF, BrainVision, XDF or FIF for other tools."""

from __future__ import annotations

import argparse

NAME = "export"
HELP = "export a run (a .bcirec recording folder or a recording file) as EDF, BDF, BrainVision, XDF or FIF"
FORMATS = ("edf", "bdf", "brainvision", "xdf", "fif")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("run", metavar="RUN", help="a .bcirec recording folder (sourcedata/...) or a recording file "
                   "(BIDS .vhdr/.edf, FIF, BDF, GDF, XDF)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the extension of --out)")
    p.add_argument("--out", required=True, metavar="PATH", help="output file (never overwritten)")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.recording.export import export_run

    out = export_run(args.run, args.out, args.format)
    print(f"exported {args.run} -> {out}")
    return 0

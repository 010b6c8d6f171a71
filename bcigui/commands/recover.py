"""``bcigui recover``: turn interrupted recordings (``*.bcirec`` folders) into valid FIF files."""

from __future__ import annotations

import argparse

NAME = "recover"
HELP = "recover interrupted recordings (a .bcirec folder, or every one below a folder) into FIF"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a .bcirec recording folder or a folder to search (e.g. the BIDS root)")
    p.add_argument("--out", help="output FIF file (single recording only; default: its BIDS run, or "
                   "NAME_recovered_raw.fif next to the folder)")
    p.add_argument("--all", action="store_true", help="also complete recordings whose FIF is missing")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.recording.recover import recover

    results = recover(args.path, args.out, incomplete_only=not args.all and args.out is None
                      and not args.path.rstrip("/").endswith(".bcirec"))
    for r in results:
        print(r.message)
    return 0

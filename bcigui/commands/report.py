"""``bcigui report``: write a session's report (HTML or PDF) from its folder ``BIDS_ROOT/sub-XX/ses-YY``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "report"
HELP = ("write a session report (signal quality, trials, r² maps, decoder, feedback runs, earlier sessions) "
        "as one HTML or PDF file")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("session_dir", metavar="SESSION_DIR", type=Path,
                   help="the session folder BIDS_ROOT/sub-XX/ses-YY (holding eeg/, models and feedback summaries)")
    p.add_argument("--out", required=True, type=Path, metavar="REPORT.html|REPORT.pdf",
                   help="output file; the format follows the extension (.html: self-contained page, .pdf)")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--quiet", action="store_true", help="print only the output path")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.report import FORMATS

    if args.out.suffix.lower() not in FORMATS:
        raise ValueError(f"--out must end with one of {list(FORMATS)}, got {str(args.out)!r}")
    if args.out.exists() and not args.overwrite:
        raise FileExistsError(f"--out {args.out} already exists; add --overwrite to replace it")
    from bcigui.core.report import write_report

    def progress(fraction: float, message: str) -> None:
        if not args.quiet:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    out = write_report(args.session_dir, args.out, overwrite=args.overwrite, progress=progress)
    print(f"report written to {out}")
    return 0

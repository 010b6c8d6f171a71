"""``--stream NAME`` or ``--source NAME [--source-param K=V ...]``: where ``record`` and ``online`` read EEG."""

from __future__ import annotations

import argparse
from typing import Any


def add_source_arguments(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--stream", metavar="NAME", help="name of the LSL EEG stream to read")
    where.add_argument("--source", metavar="NAME",
                       help="start source plugin NAME (e.g. simulator, replay, or a plugin's device) and read "
                            "the stream it publishes; see `bcigui plugins`")
    p.add_argument("--source-param", action="append", metavar="KEY=VALUE", default=[],
                   help="parameter of the --source plugin (repeatable), e.g. --source-param paradigm=ssvep")


def open_source(args: argparse.Namespace) -> tuple[str, Any]:
    """(EEG stream name to read, started source to stop afterwards or None)."""
    from bcigui.core.plugins import parse_param_args

    if args.source_param and not args.source:
        raise ValueError("--source-param needs --source NAME")
    if not args.source:
        return args.stream, None
    from bcigui.core.stream.sources import start_source

    source = start_source(args.source, parse_param_args(args.source_param))
    print(f"source {args.source!r} publishing LSL stream {source.name!r}", flush=True)
    return source.name, source


def print_recoveries(acquisition: Any) -> None:
    """Print, as they happen, when the EEG stream comes back after a pause or an outage, and what is missing."""
    import sys

    def on_event(event: str, info: dict) -> None:
        if event != "recovered" or info.get("stream") != acquisition.eeg.desc.name:
            return
        gap = info.get("gap")
        missing = getattr(gap, "duration", 0.0)
        what = f"{missing:.2f} s of data missing (marked as a gap)" if missing > 0 else "no sample lost"
        print(f"[recovered] LSL stream {info.get('stream')!r} is back: {what}", file=sys.stderr, flush=True)

    acquisition.eeg.subscribe(on_event)


def watch_health(acquisition: Any) -> Any:
    """Print stream problems (silent, wrong rate, NaN, implausible amplitudes) as they appear and go away."""
    import sys

    from bcigui.core.stream.health import HealthWatch

    def on_change(new: list, resolved: list) -> None:
        for p in new:
            print(f"[problem] {p.message}", file=sys.stderr, flush=True)
        for p in resolved:
            print(f"[ok] no longer: {p.message}", file=sys.stderr, flush=True)

    return HealthWatch(acquisition, on_change).start()

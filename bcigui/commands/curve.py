"""``bcigui curve``: chronological learning curve (accuracy after k calibration trials per class)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "curve"
HELP = "how many calibration trials a decoder needs: train on the first k per class, test on later trials"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", nargs="+", required=True, metavar="FILE", help="recordings of one subject, in order")
    p.add_argument("--paradigm", required=True, choices=["mi", "ssvep"])
    p.add_argument("--events", required=True, help="EVENT=class pairs, e.g. T1=left,T2=right")
    p.add_argument("--pipeline", required=True, help="decoder pipeline (see `bcigui pipelines`)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="pipeline parameter (repeatable)")
    p.add_argument("--tmin", type=float, help="epoch start after the event, s (default: the pipeline's)")
    p.add_argument("--tmax", type=float, help="epoch end after the event, s (default: the pipeline's)")
    p.add_argument("--trials", default="5,10,15,20", help="trials per class to train on (default: %(default)s)")
    p.add_argument("--prior", nargs="+", default=[], metavar="FILE",
                   help="recordings of earlier sessions or other subjects, as in `bcigui train --prior`")
    p.add_argument("--align", choices=["recenter", "stretch", "euclidean"], help="as in `bcigui train --align`")
    p.add_argument("--report", required=True, type=Path, help="write the curve as JSON here")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.data.epochs import parse_event_map
    from bcigui.core.decoders.curve import curve_files
    from bcigui.core.outputs import check_outputs, write_text_atomic
    from bcigui.core.plugins.params import parse_param_args

    for opt, files in (("--data", args.data), ("--prior", args.prior)):
        for f in files:
            if not Path(f).is_file():
                raise FileNotFoundError(f"{opt}: no such file {f}")
    try:
        trials = [int(t) for t in args.trials.split(",") if t.strip()]
    except ValueError:
        raise ValueError(f"--trials must be numbers of trials per class such as 5,10,15,20, got {args.trials!r}") from None
    check_outputs({"--report": args.report}, [*args.data, *args.prior], args.overwrite)
    out = curve_files(args.data, args.paradigm, parse_event_map(args.events), args.pipeline, trials,
                      parse_param_args(args.param), args.tmin, args.tmax, args.prior, args.align,
                      progress=lambda f, m: print(f"[{f:4.0%}] {m}", file=sys.stderr))
    write_text_atomic(args.report, json.dumps(out, indent=2))
    for k, acc, n in zip(out["trials_per_class"], out["accuracy"], out["n_test"], strict=True):
        print(f"{k:3d} trials per class: accuracy {acc:.3f} on {n} later trials")
    if out["skipped"]:
        print(f"not enough later trials to test after {out['skipped']} trials per class")
    print(f"chance {out['chance_level']:.2f}; curve saved to {args.report}")
    return 0

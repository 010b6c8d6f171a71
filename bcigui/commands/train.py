"""``bcigui train``: cross-validate a decoder on recordings and export a ``.bcimodel`` file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NAME = "train"
HELP = "train a decoder on recordings (cross-validated) and save a .bcimodel file"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data", nargs="+", required=True, metavar="FILE", help="recordings (FIF, EDF, BDF, GDF, XDF, vhdr)")
    p.add_argument("--paradigm", required=True, choices=["mi", "ssvep"])
    p.add_argument("--events", required=True, help="EVENT=class pairs, e.g. T1=left,T2=right or 1=rest,2=13")
    p.add_argument("--pipeline", required=True, help="decoder pipeline (see `bcigui pipelines`)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="pipeline parameter (repeatable)")
    p.add_argument("--tmin", type=float, help="epoch start after the event, s (default: the pipeline's)")
    p.add_argument("--tmax", type=float, help="epoch end after the event, s (default: the pipeline's)")
    p.add_argument("--cv", default="5", help="k (stratified k-fold), 'runs' (leave one run out) or 'chrono'")
    p.add_argument("--l-freq", type=float, help="high-pass edge of the causal filter, Hz")
    p.add_argument("--h-freq", type=float, help="low-pass edge of the causal filter, Hz")
    p.add_argument("--notch", type=float, help="notch frequency (mains), Hz")
    p.add_argument("--notch-harmonics", type=int, metavar="N",
                   help="notch the mains frequency and its harmonics up to N x (default: the pipeline's, 1)")
    p.add_argument("--filter-order", type=int, metavar="N",
                   help="Butterworth order of the causal band-pass (default: the pipeline's; the analysis window uses 4)")
    p.add_argument("--reference", choices=["average", "none"],
                   help="re-reference to the common average of the channels (applied online too)")
    p.add_argument("--prior", nargs="+", default=[], metavar="FILE",
                   help="recordings of earlier sessions or other subjects (same --events), each aligned on "
                        "its own mean and trained on with the new session")
    p.add_argument("--align", choices=["recenter", "stretch", "euclidean"],
                   help="align the session on its own mean (implied by --prior; needed for `online --adapt`): "
                        "'recenter' its covariances (covariance pipelines: csp_lda, ts_lr, mdm; the default for "
                        "them), 'stretch' also scales each recording's spread, 'euclidean' whitens the signals "
                        "(any pipeline; the default for the others, e.g. erp_ts)")
    p.add_argument("--out", required=True, type=Path, help="output MODEL.bcimodel")
    p.add_argument("--report", type=Path, help="write the cross-validation report as JSON here")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.data.epochs import parse_event_map
    from bcigui.core.decoders.training import train_files
    from bcigui.core.model_file import save_model
    from bcigui.core.outputs import check_outputs, write_text_atomic
    from bcigui.core.plugins.params import parse_param_args

    for opt, files in (("--data", args.data), ("--prior", args.prior)):
        for f in files:
            if not Path(f).is_file():
                raise FileNotFoundError(f"{opt}: no such file {f}")
    same = {str(Path(f).resolve()) for f in args.data} & {str(Path(f).resolve()) for f in args.prior}
    if same:
        raise ValueError(f"--prior repeats --data file(s) {sorted(same)}: a prior is earlier sessions or other people")
    check_outputs({"--out": args.out, "--report": args.report}, [*args.data, *args.prior], args.overwrite)  # before the work
    cv = int(args.cv) if args.cv.isdigit() else args.cv
    result = train_files(args.data, args.paradigm, parse_event_map(args.events), args.pipeline,
                         parse_param_args(args.param), args.tmin, args.tmax, cv, args.l_freq, args.h_freq,
                         args.notch, progress=lambda f, m: print(f"[{f:4.0%}] {m}", file=sys.stderr),
                         reference=args.reference, prior=args.prior, align=args.align, order=args.filter_order,
                         notch_harmonics=args.notch_harmonics)
    save_model(args.out, result.pipeline, result.manifest)
    rep = result.report
    if args.report:
        write_text_atomic(args.report, json.dumps(rep, indent=2, default=str))
    for warning in rep.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.pipeline}: accuracy {rep['accuracy']:.3f} ± {rep['accuracy_std']:.3f} "
          f"(chance {rep['chance_level']:.2f}, p={rep['p_value']:.2g}), kappa {rep['kappa']:.3f}, "
          f"{rep['n_trials']} trials, classes {rep['classes']}")
    if rep.get("alignment"):
        al = rep["alignment"]
        extra = f", prior of {al['prior']['n_trials']} trials in {al['prior']['domains']} recording(s)" if al["prior"] else ""
        print(f"aligned ({al['method']}{extra}); `bcigui online --adapt` can follow this session's drift")
    print(f"model saved to {args.out}")
    return 0

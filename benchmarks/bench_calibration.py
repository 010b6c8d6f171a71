"""How many calibration trials a decoder needs, with and without a prior from other subjects.

    python benchmarks/bench_calibration.py [--json] [--subjects 1-10] [--kalunga 1-6] [--methods ...]

PhysioNet EEGMMIDB left vs right fist imagery (runs 4/8/12, T1 vs T2, 0-3 s) and Kalunga2016 SSVEP
(4 classes, 2-4 s) from ``../shared/data``: each subject in turn is the target and the other subjects
of the same data set are the prior. For each method the chronological learning curve
(:func:`bcigui.core.decoders.curve.learning_curve`: train on the first k trials per class, test on
every later trial) at 5/10/15/20 trials per class, and how many trials per class each method needs to
reach the no-prior accuracy at 20 (or the most trials the data allow).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
TRIALS = (5, 10, 15, 20)

# name -> (decoder, parameters, with prior, alignment, target weight)
METHODS = {
    "ts_lr": ("ts_lr", {}, False, None, 1.0),
    "ts_lr aligned": ("ts_lr", {}, False, "recenter", 1.0),
    "ts_lr + prior": ("ts_lr", {}, True, "recenter", 1.0),
    "ts_lr + prior (stretch)": ("ts_lr", {}, True, "stretch", 1.0),
    "ts_lr + prior (target x5)": ("ts_lr", {}, True, "recenter", 5.0),
    "csp_lda + prior": ("csp_lda", {}, True, "recenter", 1.0),
    "mdm + prior": ("mdm", {}, True, "recenter", 1.0),
    "erp_ts": ("erp_ts", {}, False, None, 1.0),
    "erp_ts + prior (euclidean)": ("erp_ts", {}, True, "euclidean", 1.0),
}
DEFAULT_METHODS = ("ts_lr", "ts_lr + prior", "ts_lr + prior (stretch)", "csp_lda + prior", "mdm + prior", "erp_ts",
                   "erp_ts + prior (euclidean)")


def _epochs(dataset, subject: int, decoder: str):
    from bcigui.core.batch.tasks import load_subject
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.decoders.training import default_filter, get_decoder

    data = load_subject(dataset, subject, dataset.session_names()[0])
    return make_epochs(data.recordings, dataset.events, dataset.tmin, dataset.tmax, default_filter(get_decoder(decoder)),
                       picks=list(dataset.channels) or None)


def run_dataset(dataset, subjects: list[int], methods: list[str]) -> dict:
    from bcigui.core.decoders.curve import learning_curve
    from bcigui.core.decoders.training import build_pipeline, get_decoder
    from bcigui.core.decoders.transfer import Prior, make_aligned

    rows: dict[str, list[dict]] = {m: [] for m in methods}
    cache: dict = {}
    for target in subjects:
        for m in methods:
            decoder, params, with_prior, alignment, weight = METHODS[m]
            spec = get_decoder(decoder)
            key = spec.tags.get("filter"), spec.name in ("ts_lr", "csp_lda", "mdm")
            for s in subjects:
                if (s, str(key)) not in cache:
                    cache[(s, str(key))] = _epochs(dataset, s, decoder)
            ep = cache[(target, str(key))]
            prior = None
            if with_prior:
                others = [cache[(s, str(key))] for s in subjects if s != target]
                prior = Prior([(o.X, o.y) for o in others], [f"S{s:03d}" for s in subjects if s != target])

            def factory(spec=spec, ep=ep, params=params, prior=prior, alignment=alignment, weight=weight):
                pipe, _ = build_pipeline(spec, ep.sfreq, ep.ch_names, ep.classes, params)
                if alignment is None:
                    return pipe
                return make_aligned(pipe, prior, alignment, weight)

            t0 = time.perf_counter()
            curve = learning_curve(ep.X, ep.y, factory, TRIALS, ep.runs, ep.onsets)
            curve["seconds"] = time.perf_counter() - t0
            rows[m].append(curve)
            acc = " ".join(f"{k}:{a:.2f}" for k, a in zip(curve["trials_per_class"], curve["accuracy"], strict=True))
            print(f"  {dataset.name} S{target:02d} {m:26s} {acc}  ({curve['seconds']:.1f} s)", file=sys.stderr, flush=True)
    return summarise(rows)


def summarise(rows: dict[str, list[dict]]) -> dict:
    out: dict = {"methods": {}}
    for m, curves in rows.items():
        ks = sorted({k for c in curves for k in c["trials_per_class"]})
        mean = {}
        for k in ks:
            vals = [c["accuracy"][c["trials_per_class"].index(k)] for c in curves if k in c["trials_per_class"]]
            mean[k] = (float(np.mean(vals)), len(vals))
        out["methods"][m] = {"accuracy": {str(k): v[0] for k, v in mean.items()},
                             "n_subjects": {str(k): v[1] for k, v in mean.items()},
                             "chance_level": float(np.mean([c["chance_level"] for c in curves]))}
    base = out["methods"].get("ts_lr") or next(iter(out["methods"].values()))
    kmax = max(int(k) for k in base["accuracy"])
    goal = base["accuracy"][str(kmax)]
    out["reference"] = {"method": "ts_lr" if "ts_lr" in out["methods"] else next(iter(out["methods"])),
                        "trials_per_class": kmax, "accuracy": goal}
    for res in out["methods"].values():
        reached = [int(k) for k, a in res["accuracy"].items() if a >= goal - 1e-9]
        res["trials_to_reference"] = min(reached) if reached else None
    return out


def print_table(name: str, result: dict) -> None:
    ref = result["reference"]
    ks = sorted({int(k) for r in result["methods"].values() for k in r["accuracy"]})
    print(f"\n{name}: accuracy by calibration trials per class (chronological: train first, test later)")
    print(f"{'method':28s}" + "".join(f"{k:>7d}" for k in ks) + "   trials to reach "
          f"{ref['method']} at {ref['trials_per_class']} ({ref['accuracy']:.3f})")
    for m, r in result["methods"].items():
        cells = "".join(f"{r['accuracy'][str(k)]:7.3f}" if str(k) in r["accuracy"] else f"{'-':>7s}" for k in ks)
        need = r["trials_to_reference"]
        print(f"{m:28s}{cells}   {need if need is not None else 'not reached'}")
    chance = np.mean([r["chance_level"] for r in result["methods"].values()])
    print(f"chance level {chance:.2f}")


def main(argv: list[str] | None = None) -> int:
    from bcigui.core.batch.builtin import kalunga, physionet_lr
    from bcigui.core.batch.definition import parse_subjects

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--subjects", default="1-10", help="PhysioNet subjects ('' to skip)")
    ap.add_argument("--kalunga", default="1-6", help="Kalunga subjects ('' to skip)")
    ap.add_argument("--methods", default=",".join(DEFAULT_METHODS),
                    help=f"comma-separated, among: {', '.join(METHODS)}")
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    import mne

    mne.set_log_level("ERROR")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        ap.error(f"unknown method(s) {unknown}; choose among {list(METHODS)}")
    from threadpoolctl import threadpool_limits

    results = {}
    with threadpool_limits(1):
        if args.subjects:
            results["physionet-lr"] = run_dataset(physionet_lr(str(DATA / "physionet-eegmmidb")),
                                                  parse_subjects(args.subjects), methods)
        if args.kalunga:  # erp_ts is a motor-imagery decoder (movement-related potentials): not for SSVEP
            results["kalunga"] = run_dataset(kalunga(str(DATA / "kalunga2016-ssvep")), parse_subjects(args.kalunga),
                                             [m for m in methods if METHODS[m][0] != "erp_ts"])
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, res in results.items():
            print_table(name, res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

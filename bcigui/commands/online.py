"""``bcigui online``: decode a live LSL stream with an exported model, publish predictions on LSL."""

from __future__ import annotations

import argparse
import sys

from bcigui.commands._source import add_source_arguments, open_source, print_recoveries, watch_health

NAME = "online"
HELP = "deploy a .bcimodel on a live LSL stream (predictions on an LSL outlet and in a log file)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, metavar="MODEL.bcimodel", help="exported model file")
    add_source_arguments(p)
    p.add_argument("--outlet", default="bcigui-predictions", metavar="NAME",
                   help="name of the LSL outlet for predictions (default: %(default)s)")
    p.add_argument("--hop", type=float, default=0.1, metavar="S",
                   help="seconds between decoded windows (default: %(default)s)")
    p.add_argument("--smoothing", type=int, default=1, metavar="N",
                   help="average probabilities over the last N windows (default: %(default)s)")
    p.add_argument("--threshold", type=float, default=None, metavar="P",
                   help="reject windows whose best probability is below P (label -1)")
    p.add_argument("--resample", action="store_true",
                   help="accept a stream whose sampling rate differs from the model's: resample it causally "
                        "(anti-alias low-pass + interpolation); otherwise a rate mismatch is refused")
    p.add_argument("--adapt", action="store_true",
                   help="follow this session's drift: re-centre the decoder on the live signal, no labels "
                        "(models trained with --align or --prior)")
    p.add_argument("--wait", type=float, default=0.0, metavar="S",
                   help="wait up to S seconds for the stream to appear (default: refuse it after 2 s)")
    p.add_argument("--seconds", type=float, default=None, metavar="N", help="stop after N seconds")
    p.add_argument("--log", metavar="FILE", help="JSON-lines log of every prediction "
                   "(default: predictions-<model>-<time>.jsonl next to the model)")
    p.add_argument("--quiet", action="store_true", help="do not print each prediction")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bcigui.core.outputs import check_outputs

    check_outputs({"--log": args.log}, [args.model], args.overwrite)
    if args.log and args.overwrite:
        Path(args.log).unlink(missing_ok=True)  # the runner appends to its log
    stream, source = open_source(args)
    try:
        return _decode(args, stream)
    finally:
        if source is not None:
            source.stop()


def _decode(args: argparse.Namespace, stream: str) -> int:
    import time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from bcigui.core.stream.acquisition import Acquisition

    t0 = time.monotonic()
    log = args.log or str(
        Path(args.model).with_name(f"predictions-{Path(args.model).stem}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl")
    )
    # Fast start: the stream is opened (and samples accumulate) while the model loads in a thread;
    # the runner then decodes the samples received meanwhile.
    with ThreadPoolExecutor(2, thread_name_prefix="bcigui-start") as pool:
        loading = pool.submit(_load_model, args.model)
        from bcigui.core.stream.lsl import free_source_id

        naming = pool.submit(free_source_id, args.outlet) if args.outlet else None
        if args.wait:
            print(f"Waiting up to {args.wait:g} s for LSL stream {stream!r}...", flush=True)
        acq = Acquisition(stream, markers=None, timeout=max(2.0, args.wait)).start()
        print_recoveries(acq)
        health = watch_health(acq)
        t_stream = time.monotonic() - t0
        try:
            model = loading.result()
            from bcigui.core.online import RunnerOptions

            options = RunnerOptions(hop=args.hop, smoothing=args.smoothing, threshold=args.threshold,
                                    outlet_name=args.outlet, resample=args.resample, adapt=args.adapt, log_path=log)
            runner = options.runner(model, acq, model_path=args.model,
                                    source_id=naming.result() if naming is not None else None)
        except BaseException:
            acq.stop()
            raise
    print(f"Decoding {stream!r} ({len(acq.ch_names)} ch, {acq.sfreq:g} Hz) with {args.model}; "
          f"classes {runner.spec.classes}; predictions on LSL outlet {args.outlet!r}; log {log}", flush=True)
    first = {}

    def on_first(p) -> None:
        if not first:
            first["t"] = time.monotonic() - t0
            print(f"first prediction {first['t']:.2f} s after start (stream open after {t_stream:.2f} s, "
                  f"window {runner.spec.tmax - runner.spec.tmin:g} s)", flush=True)

    runner.subscribe(on_first)
    if not args.quiet:
        runner.subscribe(lambda p: print(f"{p.timestamp:.3f} {p.label or '(rejected)'} "
                                         + " ".join(f"{x:.2f}" for x in p.proba), flush=True))
    runner.start()
    t_end = None if args.seconds is None else time.monotonic() + args.seconds
    last_state = ""
    try:
        while t_end is None or time.monotonic() < t_end:
            time.sleep(0.2)
            st = runner.status
            if st.state != last_state and st.state in ("paused", "error"):
                print(f"[{st.state}] {st.reason}", flush=True)
            last_state = st.state
            if st.state == "error":
                return 1
    finally:
        runner.stop()
        health.stop()
        acq.stop()
    st = runner.status
    print(f"{st.predictions} predictions, {st.skipped_nonfinite} windows skipped (NaN or implausible samples), "
          f"{st.resets} restarts after gaps", flush=True)
    if not st.predictions and health.history:
        print(f"no prediction: {health.history[-1]['message']}", file=sys.stderr, flush=True)
        return 1
    return 0


def _load_model(path: str):
    from bcigui.core.model_file import load_model

    return load_model(path)

"""``bcigui evaluate``: apply an exported model to new recordings and score it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bcigui.core.outputs import check_outputs, write_text_atomic

NAME = "evaluate"
HELP = "apply a .bcimodel to new recordings (same filter, window, channels) and report accuracy"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", required=True, type=Path, help="MODEL.bcimodel")
    p.add_argument("--data", nargs="+", required=True, metavar="FILE", help="recordings to decode")
    p.add_argument("--events", help="EVENT=class pairs (default: the model's event map)")
    p.add_argument("--report", type=Path, help="write the report as JSON here")
    p.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
    p.add_argument("--pseudo-online", action="store_true",
                   help="replay the recordings window by window through the online decoder (causal "
                        "filter with carried state, sliding windows) and score each trial as online use "
                        "would see it")
    p.add_argument("--hop", type=float, default=0.1, metavar="S",
                   help="with --pseudo-online: seconds between windows (default: %(default)s)")
    p.add_argument("--adapt", action="store_true",
                   help="with --pseudo-online: the decoder re-centres itself on the replayed signal, as "
                        "`online --adapt` does (aligned models only)")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.data.epochs import parse_event_map
    from bcigui.core.decoders.training import apply_model
    from bcigui.core.model_file import ModelFileError, load_model

    check_outputs({"--report": args.report}, [args.model, *args.data], args.overwrite)
    try:
        model = load_model(args.model)
    except ModelFileError as err:
        raise ValueError(str(err)) from None
    for f in args.data:
        if not Path(f).is_file():
            raise FileNotFoundError(f"--data: no such file {f}")
    event_map = parse_event_map(args.events) if args.events else None
    if args.adapt and not args.pseudo_online:
        raise ValueError("--adapt replays the recording as online decoding would: add --pseudo-online")
    if args.pseudo_online:
        return _pseudo_online(model, args, event_map)
    rep = apply_model(model, args.data, event_map)
    if args.report:
        write_text_atomic(args.report, json.dumps(rep, indent=2, default=str))
    print(f"{model.manifest['pipeline']['name']}: accuracy {rep['accuracy']:.3f} on {rep['n_trials']} trials "
          f"(chance {rep['chance_level']:.2f}, p={rep['p_value']:.2g}), kappa {rep['kappa']:.3f}")
    return 0


def _pseudo_online(model, args: argparse.Namespace, event_map: dict[str, str] | None) -> int:
    from bcigui.core.data.recordings import load_recordings
    from bcigui.core.online.scoring import pseudo_online_trials

    event_map = event_map or model.manifest.get("event_map")
    if not event_map:
        raise ValueError("--events is required: the model's manifest has no event map")
    rep = pseudo_online_trials(model.pipeline, model.manifest, load_recordings(args.data), event_map, hop=args.hop,
                               adapt=args.adapt)
    if args.report:
        write_text_atomic(args.report, json.dumps(rep, indent=2, default=str))
    print(f"pseudo-online (hop {args.hop:g} s{', adapting' if args.adapt else ''}, {rep['n_windows']} windows): trial accuracy {rep['accuracy']:.3f} "
          f"on {rep['n_scored']} of {rep['n_trials']} trials (chance {rep['chance_level']:.2f})")
    return 0

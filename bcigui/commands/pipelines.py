"""``bcigui pipelines [NAME]``: list decoder pipelines or show one pipeline's parameters."""

from __future__ import annotations

import argparse
import json

NAME = "pipelines"
HELP = "list decoder pipelines (NAME PARADIGM description), or show the parameters of one"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", help="pipeline whose parameters to show")
    p.add_argument("--paradigm", choices=["mi", "ssvep"], help="only pipelines of this paradigm")
    p.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.plugins import get_registry

    reg = get_registry(args.plugins_dir)
    if args.name:
        spec = reg.get("decoder", args.name)
        if args.json:
            print(json.dumps({"name": spec.name, "description": spec.description, "tags": spec.tags,
                              "params": [p.to_dict() for p in spec.params]}, indent=2))
            return 0
        print(f"{spec.name} ({spec.tags.get('paradigm', '?')}): {spec.description}")
        filt = spec.tags.get("filter")
        if filt:
            print(f"default filter: {filt}; default window: {spec.tags.get('tmin')} .. {spec.tags.get('tmax')} s")
        print("parameters:" if spec.params else "parameters: none")
        for p in spec.params:
            extra = f" choices={list(p.choices)}" if p.choices else ""
            if p.minimum is not None or p.maximum is not None:
                extra += f" range=[{p.minimum}, {p.maximum}]"
            unit = f" {p.unit}" if p.unit else ""
            print(f"  {p.name} ({p.type}, default {p.default!r}{unit}){extra}  {p.help}")
        return 0
    specs = [s for s in reg.list("decoder") if args.paradigm in (None, s.tags.get("paradigm"))]
    if args.json:
        print(json.dumps([{"name": s.name, "paradigm": s.tags.get("paradigm"), "description": s.description}
                          for s in specs], indent=2))
        return 0
    for s in specs:
        print(f"{s.name} {s.tags.get('paradigm', '?')} {s.description}")
    return 0

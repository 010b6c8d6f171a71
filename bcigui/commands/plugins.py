"""``bcigui plugins``: list loaded and failed plugins."""

from __future__ import annotations

import argparse
import json

NAME = "plugins"
HELP = "list plugins (loaded and failed, with their errors)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", help="only plugins of this kind")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--traceback", action="store_true", help="show full tracebacks of failures")


def run(args: argparse.Namespace) -> int:
    from bcigui.core.plugins import get_registry

    reg = get_registry(args.plugins_dir)
    specs = reg.list(args.kind)
    if args.json:
        print(json.dumps({
            "plugins": [
                {"name": s.name, "kind": s.kind, "version": s.version, "api_version": s.api_version,
                 "description": s.description, "origin": reg.origin(s),
                 "params": [p.to_dict() for p in s.params]}
                for s in specs
            ],
            "failed": [{"name": f.name, "origin": f.origin, "error": f.error} for f in reg.failures],
        }, indent=2))
        return 0
    for s in specs:
        print(f"{s.kind:9s} {s.name:24s} {s.version:8s} {s.description}")
    if reg.failures:
        print(f"\n{len(reg.failures)} plugin(s) failed to load:")
        for f in reg.failures:
            print(f"  FAILED {f.name} ({f.origin}): {f.error}")
            if args.traceback:
                print("    " + f.traceback.replace("\n", "\n    "))
    return 0

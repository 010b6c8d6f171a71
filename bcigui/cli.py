"""Command line: ``bcigui`` opens the GUI; sub-commands script every task headlessly.

Each sub-command lives in its own module under :mod:`bcigui.commands` and provides ``NAME``,
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``. Modules import heavy libraries inside
``run`` so that ``bcigui --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bcigui
import bcigui.commands


def _command_modules() -> list:
    mods = []
    for info in sorted(pkgutil.iter_modules(bcigui.commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            mods.append(importlib.import_module(f"bcigui.commands.{info.name}"))
    return mods


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bcigui",
        description="Brain-computer-interface experiments: live EEG over LSL, calibration, "
        "feature selection, decoder training and online use. Without a sub-command, opens the GUI.",
    )
    parser.add_argument("--version", action="version", version=f"bcigui {bcigui.__version__}")
    parser.add_argument(
        "--plugins-dir", metavar="DIR", help="user plugin folder (default: per-user data folder)"
    )
    parser.add_argument(
        "--simulate",
        choices=["mi", "ssvep", "rest"],
        help="GUI only: start the built-in EEG simulator in-process and connect to it",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="sub-commands")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.plugins_dir:  # one registry for the whole process: every sub-command sees the folder's plugins
        from bcigui.core.plugins import get_registry

        get_registry(args.plugins_dir)
    if args.command is None:
        from bcigui.gui.launch import launch_gui

        return launch_gui(args)
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, KeyError, FileNotFoundError, RuntimeError, OSError) as err:
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        print(f"bcigui {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())

"""Entry point of ``bcigui`` without a sub-command: check for a display, then open the GUI."""

from __future__ import annotations

import argparse
import os
import sys

# Qt platforms that need no windowing system.
HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb", "vkkhrdisplay")


def display_problem(environ: dict[str, str] | None = None, platform: str = sys.platform) -> str | None:
    """Why no window can be shown (e.g. ``"DISPLAY is not set"``), or ``None`` if one can."""
    env = os.environ if environ is None else environ
    if not platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None  # Windows and macOS always have a window system
    qpa = env.get("QT_QPA_PLATFORM", "").split(":")[0].strip().lower()
    candidates = [q.strip() for q in qpa.split(";") if q.strip()]
    if any(c in HEADLESS_PLATFORMS for c in candidates):
        return None
    has_x, has_wayland = bool(env.get("DISPLAY")), bool(env.get("WAYLAND_DISPLAY"))
    if candidates and all(c.startswith("wayland") for c in candidates):
        return None if has_wayland else "WAYLAND_DISPLAY is not set"
    if candidates and all(c == "xcb" for c in candidates):
        return None if has_x else "DISPLAY is not set"
    if has_x or has_wayland:
        return None
    return "DISPLAY is not set"


def launch_gui(args: argparse.Namespace) -> int:
    """Open the main window (uses ``args.plugins_dir`` and ``args.simulate``); return the exit code.

    Without a display, print one line explaining how to run headless and return 1.
    """
    problem = display_problem()
    if problem:
        print(
            f"bcigui: no display found ({problem}); run under a desktop session, use "
            "`xvfb-run bcigui ...`, or use the headless sub-commands (`bcigui --help`)",
            file=sys.stderr,
        )
        return 1
    from bcigui.gui.app import run_app

    return run_app(plugins_dir=getattr(args, "plugins_dir", None), simulate=getattr(args, "simulate", None))

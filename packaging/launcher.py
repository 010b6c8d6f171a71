"""Entry script of the frozen ``bcigui`` (PyInstaller): the ``bcigui`` command, plus a GUI smoke hook.

``BCIGUI_SMOKE_GUI=1 bcigui [options]`` opens the GUI as usual, waits until the main window is shown,
imports the code of every registered plugin (factories are lazy ``"module:attribute"`` strings that
PyInstaller cannot see), prints one line starting with ``smoke-gui:`` and closes the window. The exit
status is 0 only if the window was shown and every plugin loaded. ``packaging/smoke.sh`` runs it
offscreen on the bundle; ``python packaging/launcher.py`` does the same from a source install, which
is how ``benchmarks/bench_bundle.py`` compares start-up times.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time

SHOW_TIMEOUT_S = 120.0


def smoke_gui(cli_main) -> int:
    """Run the GUI until its main window is shown, check the plugins, close it; return the exit status."""
    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from bcigui.gui.app import create_app

    started = psutil.Process().create_time()  # process start, so the bootloader's unpacking counts too
    app = create_app()
    result: dict = {"shown": False}

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if type(w).__name__ == "MainWindow" and w.isVisible()]
        if not windows:
            if time.time() - started > SHOW_TIMEOUT_S:
                result["error"] = f"no main window shown within {SHOW_TIMEOUT_S:g} s"
                timer.stop()
                app.exit(4)
            return
        timer.stop()
        window = windows[0]
        result.update(shown=True, title=window.windowTitle(), seconds_to_window=round(time.time() - started, 3))
        registry = window.registry
        failed = [f"{f.name} ({f.origin}): {f.error}" for f in registry.failures]
        for spec in registry.list():
            try:
                spec.load()
            except Exception as err:  # report every plugin whose code cannot be imported
                failed.append(f"{spec.kind} {spec.name} ({registry.origin(spec)}): {type(err).__name__}: {err}")
        result.update(n_plugins=len(registry.list()), failed=failed)
        window.close()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(check)
    timer.start()
    code = cli_main()
    ok = code == 0 and result["shown"] and not result.get("failed")
    result.update(exit_code=code, ok=bool(ok), frozen=bool(getattr(sys, "frozen", False)))
    print("smoke-gui: " + json.dumps(result), flush=True)
    return 0 if ok else (code or 3)


def main() -> int:
    multiprocessing.freeze_support()  # joblib/loky workers re-enter here in a frozen app
    from bcigui.cli import main as cli_main

    if os.environ.get("BCIGUI_SMOKE_GUI"):
        return smoke_gui(cli_main)
    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())

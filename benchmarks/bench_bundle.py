"""Bundle benchmarks: size of the PyInstaller bundle and start-up times, frozen vs source install.

    python benchmarks/bench_bundle.py [--bundle dist/bcigui] [--runs 5] [--build] [--json]

Needs a built bundle (``make bundle``) and the source install (``.venv``).

1. Size: the bundle folder on disk (allocated blocks) and the release archive
   ``dist/bcigui-VERSION-linux-*.tar.gz`` if ``make release`` made one.
2. ``bcigui --version``: cold (the app's own files evicted from the page cache first with
   ``posix_fadvise(DONTNEED)``: the bundle folder, or the source install's site-packages, source tree and
   Python standard library) and warm (median of ``--runs``), wall time of the whole process.
3. GUI: time from process start to the main window shown (offscreen, ``BCIGUI_SMOKE_GUI=1`` through
   ``packaging/launcher.py``, which then closes the window), cold and warm as above.
4. With ``--build``: wall time of ``make bundle``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def disk_usage(folder: Path) -> tuple[int, int]:
    """(bytes allocated on disk, number of files) under ``folder``, like ``du``."""
    total, n = 0, 0
    for dirpath, _dirs, files in os.walk(folder):
        for f in files:
            st = os.lstat(os.path.join(dirpath, f))
            total += st.st_blocks * 512
            n += 1
    return total, n


def evict(folders: list[Path]) -> int:
    """Drop the clean page-cache pages of every file under ``folders``; return the number of files."""
    n = 0
    for folder in folders:
        for dirpath, _dirs, files in os.walk(folder):
            for f in files:
                path = os.path.join(dirpath, f)
                if os.path.islink(path):
                    continue
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                    n += 1
                finally:
                    os.close(fd)
    return n


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return wall, proc.stdout


def gui_seconds(stdout: str) -> float:
    line = [ln for ln in stdout.splitlines() if ln.startswith("smoke-gui: ")][-1]
    result = json.loads(line.removeprefix("smoke-gui: "))
    if not result["ok"]:
        raise RuntimeError(f"GUI smoke failed: {result}")
    return result["seconds_to_window"]


def start_times(cmd: list[str], cache_folders: list[Path], env: dict[str, str], runs: int,
                gui: bool) -> dict[str, float]:
    """Cold (after eviction) and warm median seconds for ``cmd``."""
    measure = (lambda c: gui_seconds(timed(c, env)[1])) if gui else (lambda c: timed(c, env)[0])
    evict(cache_folders)
    cold = measure(cmd)
    warm = [measure(cmd) for _ in range(runs)]
    return {"cold_s": round(cold, 2), "warm_median_s": round(statistics.median(warm), 2),
            "warm_min_s": round(min(warm), 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", type=Path, default=ROOT / "dist" / "bcigui", help="onedir bundle folder")
    ap.add_argument("--source-venv", type=Path, default=ROOT / ".venv", help="source install (venv)")
    ap.add_argument("--runs", type=int, default=5, help="warm runs per measurement (median)")
    ap.add_argument("--build", action="store_true", help="also time `make bundle` (minutes)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    out: dict[str, object] = {}
    if args.build:
        t0 = time.perf_counter()
        subprocess.run(["make", "bundle"], cwd=ROOT, check=True, capture_output=True)
        out["build_s"] = round(time.perf_counter() - t0, 1)
    app = args.bundle / "bcigui"
    src_bin = args.source_venv / "bin"
    if not app.exists():
        print(f"bench_bundle: no bundle at {args.bundle} (build it with `make bundle`)", file=sys.stderr)
        return 1
    size, n_files = disk_usage(args.bundle)
    out["bundle_mb"] = round(size / 1e6, 1)
    out["bundle_files"] = n_files
    archives = sorted((ROOT / "dist").glob("bcigui-*-linux-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if archives:
        out["archive"] = archives[-1].name
        out["archive_mb"] = round(archives[-1].stat().st_size / 1e6, 1)

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BCIGUI_SETTINGS": f"{tmp}/settings.json",
               "BCIGUI_WORKSPACE": f"{tmp}/ws", "BCIGUI_PLUGINS_DIR": f"{tmp}/plugins",
               "MPLCONFIGDIR": f"{tmp}/mpl"}
        stdlib = Path(sysconfig.get_paths()["stdlib"])
        source_files = [args.source_venv / "lib", ROOT / "bcigui", stdlib, Path(sys.base_prefix) / "lib"]
        frozen_files = [args.bundle]
        gui_env = {**env, "BCIGUI_SMOKE_GUI": "1"}
        out["version_frozen"] = start_times([str(app), "--version"], frozen_files, env, args.runs, gui=False)
        out["version_source"] = start_times([str(src_bin / "bcigui"), "--version"], source_files, env,
                                            args.runs, gui=False)
        out["gui_frozen"] = start_times([str(app)], frozen_files, gui_env, args.runs, gui=True)
        out["gui_source"] = start_times([str(src_bin / "python"), str(ROOT / "packaging" / "launcher.py")],
                                        source_files, gui_env, args.runs, gui=True)

    if args.json:
        print(json.dumps(out))
        return 0
    if "build_s" in out:
        print(f"make bundle: {out['build_s']} s")
    print(f"bundle {args.bundle}: {out['bundle_mb']} MB on disk, {n_files} files")
    if archives:
        print(f"release archive {out['archive']}: {out['archive_mb']} MB")
    for key, label in (("version", "bcigui --version"), ("gui", "GUI to main window")):
        for kind in ("frozen", "source"):
            r = out[f"{key}_{kind}"]
            print(f"{label:20s} {kind:6s}: cold {r['cold_s']:.2f} s, warm median {r['warm_median_s']:.2f} s "
                  f"(min {r['warm_min_s']:.2f} s, {args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Start-up of ``bcigui online``: from launch to the first prediction.

Two cases, each the real command in a fresh process (64 channels at 1 kHz from a separate pusher
process, TS+LR model with a 2-s window):

- the stream is already on the network: seconds from launching the command to its first prediction
  (as the command prints it, and as seen from outside, Python's start-up included);
- the stream appears later (``--wait``): seconds from the first sample pushed to the first prediction.

Goal: window length + 1 s. ``python benchmarks/bench_start.py [--repeat 3] [--json]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_online import _pusher, _train_models

FIRST = re.compile(r"first prediction ([0-9.]+) s after start")


def _online(model: Path, stream: str, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "bcigui", "online", "--model", str(model), "--stream", stream, "--quiet",
           "--outlet", f"{stream}-pred", "--seconds", "8", *extra]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _first_line(proc: subprocess.Popen) -> tuple[float, float]:
    """(seconds the command printed, local LSL clock when the line arrived)."""
    import pylsl

    for line in proc.stdout:
        found = FIRST.search(line)
        if found:
            return float(found.group(1)), pylsl.local_clock()
    raise RuntimeError(f"bcigui online printed no first prediction (exit {proc.wait()})")


def _pushing(stream: str, seconds: float) -> tuple[mp.Process, mp.Value, mp.Event]:
    t0 = mp.Value("d", 0.0, lock=False)
    ready = mp.Event()
    proc = mp.Process(target=_pusher, args=(stream, seconds, mp.Array("d", int(seconds * 100), lock=False), t0, ready),
                      daemon=True)
    proc.start()
    return proc, t0, ready


def stream_present(model: Path) -> dict:
    stream = f"bench-start-{uuid.uuid4().hex[:8]}"
    pusher, t0, ready = _pushing(stream, 20)
    ready.wait(30)
    time.sleep(2.0)  # the pusher is streaming
    launched = time.perf_counter()
    proc = _online(model, stream)
    printed, _ = _first_line(proc)
    outside = time.perf_counter() - launched
    proc.kill()
    pusher.kill()
    return {"printed_s": printed, "from_launch_s": round(outside, 2)}


def stream_later(model: Path) -> dict:
    stream = f"bench-start-{uuid.uuid4().hex[:8]}"
    proc = _online(model, stream, "--wait", "30")
    time.sleep(5.0)  # the command has loaded its model and waits for the stream
    pusher, t0, ready = _pushing(stream, 20)
    _, arrived = _first_line(proc)
    proc.kill()
    pusher.kill()
    return {"from_first_sample_s": round(arrived - t0.value, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        model = _train_models(Path(tmp))["TS+LR"]
        present = [stream_present(model) for _ in range(args.repeat)]
        later = [stream_later(model) for _ in range(args.repeat)]
    result = {"window_s": 2.0, "goal_s": 3.0, "stream_present": present, "stream_later": later,
              "load_avg_1min": round(os.getloadavg()[0], 2)}
    if args.json:
        print(json.dumps(result))
        return 0
    print("bcigui online, TS+LR model (2-s window), 64 ch @ 1 kHz; goal: window + 1 s = 3.0 s")
    for r in present:
        print(f"stream present: first prediction {r['printed_s']:.2f} s after start (printed), "
              f"{r['from_launch_s']:.2f} s from launching the process")
    for r in later:
        print(f"stream appears later: first prediction {r['from_first_sample_s']:.2f} s after its first sample")
    print(f"1-min load average {result['load_avg_1min']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

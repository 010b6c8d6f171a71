"""Acquisition benchmarks: LSL pull cost per chunk (dest_obj vs list conversion) and live figures.

    python benchmarks/bench_acquisition.py [--channels 64] [--chunk 25] [--seconds 3] [--json]

1. Pull cost: an outlet pushes ``--n-chunks`` chunks of ``--chunk`` samples; they are pulled back
   with pylsl's default list conversion, with ``as_numpy=True`` and with ``dest_obj`` (a
   preallocated array); microseconds per chunk are reported for each.
2. Live: a :class:`StreamReader` reads an outlet pushing in real time at ``--srate`` for
   ``--seconds``; effective rate, latency and the reader thread's CPU share are reported.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid

import numpy as np
import psutil
import pylsl

from bcigui.core.stream.lsl import make_stream_info
from bcigui.core.stream.reader import StreamReader


def _pair(n_channels: int, srate: float, name: str) -> tuple[pylsl.StreamOutlet, pylsl.StreamInlet]:
    info = make_stream_info(name, "EEG", [f"E{i}" for i in range(n_channels)], srate)
    outlet = pylsl.StreamOutlet(info)
    inlet = pylsl.StreamInlet(pylsl.resolve_byprop("name", name, timeout=5)[0], max_buflen=360)
    inlet.open_stream(timeout=5)
    return outlet, inlet


def pull_cost(n_channels: int, chunk: int, n_chunks: int) -> dict[str, float]:
    """Microseconds per chunk pull for each conversion mode."""
    outlet, inlet = _pair(n_channels, 500.0, f"bench-{uuid.uuid4().hex[:8]}")
    data = np.random.default_rng(0).standard_normal((chunk, n_channels)).astype(np.float32)
    dest = np.empty((chunk, n_channels), np.float32)
    modes = {
        "list": lambda: inlet.pull_chunk(timeout=1.0, max_samples=chunk),
        "as_numpy": lambda: inlet.pull_chunk(timeout=1.0, max_samples=chunk, as_numpy=True),
        "dest_obj": lambda: inlet.pull_chunk(timeout=1.0, max_samples=chunk, dest_obj=dest),
    }
    out = {mode: float("inf") for mode in modes}
    for _ in range(3):  # interleaved repeats, best of 3
        for mode, pull in modes.items():
            for _ in range(n_chunks):
                outlet.push_chunk(data)
            time.sleep(0.2)  # everything is queued in the inlet: measure conversion, not waiting
            t0 = time.perf_counter()
            got = sum(len(pull()[1]) for _ in range(n_chunks))
            out[mode] = min(out[mode], (time.perf_counter() - t0) / n_chunks * 1e6)
            assert got == n_chunks * chunk, (mode, got)
    return out


def live(n_channels: int, srate: float, seconds: float) -> dict[str, float]:
    """Effective rate, latency and reader CPU while an outlet pushes in real time."""
    name = f"bench-live-{uuid.uuid4().hex[:8]}"
    outlet = pylsl.StreamOutlet(make_stream_info(name, "EEG", [f"E{i}" for i in range(n_channels)], srate))
    halt = threading.Event()

    def push() -> None:
        t0, sent = pylsl.local_clock(), 0
        while not halt.wait(0.01):
            due = int((pylsl.local_clock() - t0) * srate)
            if due > sent:
                outlet.push_chunk(np.zeros((due - sent, n_channels), np.float32))
                sent = due

    proc = psutil.Process()
    with StreamReader(name, buffer_seconds=30) as reader:
        pusher = threading.Thread(target=push, daemon=True)
        pusher.start()
        time.sleep(0.5)
        tid = reader._thread.native_id
        cpu0 = next(t for t in proc.threads() if t.id == tid)
        t0 = time.perf_counter()
        time.sleep(seconds)
        cpu1 = next(t for t in proc.threads() if t.id == tid)
        wall = time.perf_counter() - t0
        stats = reader.stats()
        halt.set()
        pusher.join()
    cpu = (cpu1.user_time + cpu1.system_time - cpu0.user_time - cpu0.system_time) / wall
    return {"effective_rate_hz": stats.effective_rate, "nominal_rate_hz": srate,
            "latency_ms": stats.latency_ms, "reader_cpu_percent": 100 * cpu, "samples": stats.samples}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--chunk", type=int, default=25, help="samples per chunk")
    p.add_argument("--n-chunks", type=int, default=400)
    p.add_argument("--srate", type=float, default=500.0)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    result = {
        "pull_us_per_chunk": pull_cost(args.channels, args.chunk, args.n_chunks),
        "live": live(args.channels, args.srate, args.seconds),
        "channels": args.channels, "chunk": args.chunk,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"pull cost per chunk of {args.chunk} x {args.channels} ch:")
    for mode, us in result["pull_us_per_chunk"].items():
        print(f"  {mode:9s} {us:8.1f} us")
    for key, val in result["live"].items():
        print(f"{key:20s} {val:10.2f}")


if __name__ == "__main__":
    main()

"""Trace-view rendering benchmark (offscreen): fps, data-to-screen latency and CPU use.

For each configuration a writer thread fills a real RingBuffer in real time (10 ms chunks) while the
GUI thread renders a 1600x1000 :class:`TraceView` with a 10 s window as fast as it can, forcing a
full render each frame with ``grab()`` (the widgets are not shown, so ``grab()`` is the one render
per frame, as a repaint would be in the application). The same run measures a naive pyqtgraph baseline (one
PlotDataItem per channel, ``setData`` with the whole window every frame).

Latency = time from a chunk being written to the buffer to the end of the first frame that shows it.

    python benchmarks/bench_viewer.py [--json] [--seconds 3] [--configs 64x1000,256x2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import psutil  # noqa: E402

CONFIGS = ((32, 250), (64, 1000), (128, 1000), (256, 2000))
SIZE = (1600, 1000)
WINDOW_S = 10.0


class _Source:
    """Real RingBuffer + MarkerList fed in real time by a writer thread."""

    def __init__(self, n_ch: int, srate: float) -> None:
        from bcigui.core.stream.buffer import RingBuffer
        from bcigui.core.stream.markers import MarkerList

        self.sfreq, self.ch_names = float(srate), [f"EEG{i + 1:03d}" for i in range(n_ch)]
        self.buffer = RingBuffer(n_ch, int(30 * srate))
        self.markers = MarkerList()
        rng = np.random.default_rng(0)
        n = int(4 * srate)  # a 4 s block of EEG-like noise + alpha, looped
        t = np.arange(n) / srate
        walk = np.cumsum(rng.standard_normal((n, n_ch)), axis=0)
        walk -= np.linspace(walk[0], walk[-1], n)  # loop without a jump
        self._block = ((walk / np.sqrt(n) * 8 + rng.standard_normal((n, n_ch)) * 3
                        + 10 * np.sin(2 * np.pi * 10 * t)[:, None]) * 1e-6).astype(np.float32)
        self._stop = threading.Event()
        self.write_log: list[tuple[int, float]] = []  # (n_written after the chunk, perf_counter)
        self._push(int(WINDOW_S * srate))

    def stats(self) -> dict:
        return {"samples": self.buffer.n_written}

    def _push(self, n: int) -> None:
        i0 = self.buffer.n_written
        idx = (i0 + np.arange(n)) % self._block.shape[0]
        self.buffer.write(self._block[idx], 1000.0 + (i0 + np.arange(n)) / self.sfreq)
        self.write_log.append((self.buffer.n_written, time.perf_counter()))
        if i0 // int(2 * self.sfreq) != self.buffer.n_written // int(2 * self.sfreq):
            self.markers.append(1000.0 + self.buffer.n_written / self.sfreq, "cue")

    def _run(self) -> None:
        t_start, n_start = time.perf_counter(), self.buffer.n_written
        while not self._stop.wait(0.01):
            due = n_start + int((time.perf_counter() - t_start) * self.sfreq)
            if due > self.buffer.n_written:
                self._push(due - self.buffer.n_written)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def written_at(self, index: int) -> float:
        """Time at which sample ``index - 1`` was written."""
        for n, t in self.write_log:
            if n >= index:
                return t
        return float("nan")


def _measure(app, widget, step, src: _Source, seconds: float, min_frames: int = 3) -> dict:
    proc = psutil.Process()
    src.start()
    widget.grab()  # first layout
    frames, lat = 0, []
    cpu0, t0 = proc.cpu_times(), time.perf_counter()
    while time.perf_counter() - t0 < seconds or frames < min_frames:
        shown = step()
        widget.grab()
        app.processEvents()
        frames += 1
        lat.append(time.perf_counter() - src.written_at(shown))
    wall = time.perf_counter() - t0
    cpu1 = proc.cpu_times()
    src.stop()
    cpu_s = cpu1.user - cpu0.user + cpu1.system - cpu0.system
    return {"fps": frames / wall, "latency_ms": float(np.nanmedian(lat) * 1000), "cpu_percent": cpu_s / wall * 100,
            "cpu_ms_per_frame": cpu_s / frames * 1000}


def bench_view(app, n_ch: int, srate: float, seconds: float) -> dict:
    from bcigui.gui.views.trace import TraceView

    src = _Source(n_ch, srate)
    view = TraceView(src, window_s=WINDOW_S, channels_per_page=n_ch, scale_uv=50)
    view._timer.stop()  # we drive the frames ourselves
    view.resize(*SIZE)  # not shown: grab() renders it offscreen, exactly once per frame
    app.processEvents()

    def step() -> int:
        view.refresh()
        return view.last_rendered_index

    out = _measure(app, view, step, src, seconds)
    view.close()
    return out


def bench_baseline(app, n_ch: int, srate: float, seconds: float) -> dict:
    import pyqtgraph as pg

    src = _Source(n_ch, srate)
    plot = pg.PlotWidget(background="w")
    plot.resize(*SIZE)
    curves = [plot.plot(pen="k") for _ in range(n_ch)]
    plot.setYRange(-1, n_ch)
    app.processEvents()
    n = int(WINDOW_S * srate)
    offsets = np.arange(n_ch)[::-1]

    def step() -> int:
        data, ts = src.buffer.get_data(n)
        end = src.buffer.n_written
        x = np.arange(end - data.shape[0], end) / srate
        for i, c in enumerate(curves):
            c.setData(x, data[:, i] * 1e6 / 50 + offsets[i])
        return end

    out = _measure(app, plot, step, src, seconds)
    plot.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--seconds", type=float, default=3.0, help="measuring time per configuration and viewer")
    ap.add_argument("--configs", default=",".join(f"{c}x{s}" for c, s in CONFIGS),
                    help="comma-separated CHANNELSxRATE list (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        configs = [tuple(int(v) for v in c.lower().split("x")) for c in args.configs.split(",")]
    except ValueError:
        ap.error(f"--configs must look like 64x1000,256x2000, got {args.configs!r}")
    import pyqtgraph as pg

    app = pg.mkQApp()
    results = []
    for n_ch, srate in configs:
        r = bench_view(app, n_ch, srate, args.seconds)
        b = bench_baseline(app, n_ch, srate, args.seconds)
        row = {"channels": n_ch, "srate": srate, "fps": round(r["fps"], 1), "baseline_fps": round(b["fps"], 1),
               "speedup": round(r["fps"] / b["fps"], 1) if b["fps"] else None,
               "latency_ms": round(r["latency_ms"], 1), "baseline_latency_ms": round(b["latency_ms"], 1),
               "cpu_percent": round(r["cpu_percent"], 1), "baseline_cpu_percent": round(b["cpu_percent"], 1),
               # CPU time per frame (all threads): 1000 / this is the frame rate an idle core would allow
               "cpu_ms_per_frame": round(r["cpu_ms_per_frame"], 2),
               "baseline_cpu_ms_per_frame": round(b["cpu_ms_per_frame"], 2)}
        results.append(row)
        if not args.json:
            print(f"{n_ch:4d} ch @ {srate:5d} Hz: {row['fps']:6.1f} fps (baseline {row['baseline_fps']:5.1f} fps, "
                  f"x{row['speedup']}), latency {row['latency_ms']:6.1f} ms, CPU {row['cpu_percent']:5.1f} % "
                  f"({row['cpu_ms_per_frame']:.1f} ms CPU/frame, baseline {row['baseline_cpu_ms_per_frame']:.1f})",
                  flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if args.json:
        print(json.dumps({"configs": results, "size": list(SIZE), "window_s": WINDOW_S,
                          "load_average_1min": load, "cpu_count": os.cpu_count()}))
    else:
        print(f"(1-min load average {load}, {os.cpu_count()} CPUs; window {WINDOW_S:g} s, {SIZE[0]}x{SIZE[1]} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

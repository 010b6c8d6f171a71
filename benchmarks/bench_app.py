"""Online decoding latency inside the running app (offscreen), with the live views open.

The whole main window: traces, spectrum, topomap and quality views, the online dock decoding with a
TS+LR and then a CSP+LDA model and its feedback display animating; a separate process pushes 64
channels at 1 kHz in 10-sample chunks (as in ``bench_online.py``, whose pusher and models this
reuses). The dock decodes in its own process, as the app does by default ("In its own process").
Latency = arrival of a prediction at a consumer of its LSL outlet (another process) - push time of
its window's last sample. Also: trace-view frames per second, CPU use of the app and of its decoding
process, the time from loading the model (dock just opened) until the decoding process is ready,
from Start to the first prediction, and the garbage collections seen by the decoder (count, longest).

    python benchmarks/bench_app.py [--seconds 120] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from bench_online import CHUNK, N_CH, SRATE, _pusher, _train_models, pull_arrivals  # noqa: E402

VIEWS = ("traces", "spectrum", "topomap", "quality")


def _wait(app, until, timeout: float, what: str) -> None:
    t_end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > t_end:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def _receiver(name: str, stop, out) -> None:
    """In its own process: :func:`pull_arrivals` of the predictions outlet ``name``, sent back on ``out``."""
    out.send(pull_arrivals(name, stop, timeout=30))


def _run_one(app, name: str, model_path: Path, seconds: float, trace_fps: float) -> dict:
    import psutil

    from bcigui.core.plugins import get_registry
    from bcigui.gui.main_window import MainWindow
    from bcigui.gui.settings import Settings

    stream = f"bench-app-{uuid.uuid4().hex[:8]}"
    n_chunks = int(seconds * SRATE / CHUNK)
    push_times = mp.Array("d", n_chunks, lock=False)
    t0_value = mp.Value("d", 0.0, lock=False)
    ready = mp.Event()
    proc = mp.Process(target=_pusher, args=(stream, seconds, push_times, t0_value, ready), daemon=True)
    proc.start()
    ready.wait(30)
    tmp = tempfile.mkdtemp()
    win = MainWindow(get_registry(), Settings(Path(tmp) / "settings.ini"))
    win.resize(1920, 1080)
    win.show()
    win.panel.connect_to(stream, markers=None)
    _wait(app, lambda: win.panel.acquisition is not None, 20, "the connection")
    for view in VIEWS:
        if not any(d.property("view_name") == view for d in win.views):
            win.open_view(view)
    win.show_online()
    panel = win.online_panel
    panel.outlet.setText(f"{stream}-pred")
    t_load = time.monotonic()
    if not panel.load_model(model_path):
        raise RuntimeError(f"the online panel refused {model_path}")
    _wait(app, lambda: panel.decoder.ready, 60, "the decoding process")  # as when the operator loads, then starts
    ready_s = time.monotonic() - t_load
    spawn = mp.get_context("spawn")  # not forked from a process running Qt and LSL threads
    arrivals_rx, arrivals_tx = spawn.Pipe(duplex=False)
    stop = spawn.Event()
    rx = spawn.Process(target=_receiver, args=(f"{stream}-pred", stop, arrivals_tx), daemon=True)
    rx.start()  # a consumer of the outlet in its own process: what it sees is what another program sees
    t_start = time.monotonic()
    if not panel.start():
        raise RuntimeError("the online panel did not start decoding")
    trace = next(d.widget() for d in win.views if d.property("view_name") == "traces")
    trace.set_fps(trace_fps)
    me = psutil.Process()
    decoder = psutil.Process(panel.runner.pid) if getattr(panel.runner, "pid", None) else None
    for p in (me, decoder):
        if p is not None:
            p.cpu_percent(None)
    frames0, t_frames = trace.frames, time.perf_counter()
    t_end = time.monotonic() + seconds
    first = None
    while time.monotonic() < t_end and proc.is_alive():
        app.processEvents()
        if first is None and panel.runner.status.predictions:
            first = time.monotonic() - t_start
        time.sleep(0.002)
    fps = (trace.frames - frames0) / (time.perf_counter() - t_frames)
    cpu = me.cpu_percent(None)
    decoder_cpu = decoder.cpu_percent(None) if decoder is not None else 0.0
    status = panel.runner.status
    gc_pauses, gc_max = status.gc_pauses, status.gc_max_ms
    stop.set()
    arrivals = arrivals_rx.recv() if arrivals_rx.poll(10) else []
    rx.join(2)
    panel.stop()
    win.shutdown()
    win.close()
    app.processEvents()
    proc.join(5)
    t0 = t0_value.value
    lat = []
    for ts, arrival in arrivals:
        chunk = int(round((ts - t0) * SRATE)) // CHUNK
        if 0 <= chunk < n_chunks and push_times[chunk] > 0:
            lat.append((arrival - push_times[chunk]) * 1e3)
    lat = np.asarray(lat)
    if not len(lat):
        raise RuntimeError(f"{name}: no prediction received")
    return {"name": name, "n_predictions": len(lat), "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2), "p99_ms": round(float(np.percentile(lat, 99)), 2),
            "max_ms": round(float(lat.max()), 2), "over_20ms": int((lat > 20).sum()), "trace_fps": round(fps, 1),
            "cpu_percent": round(cpu, 1), "decoder_cpu_percent": round(decoder_cpu, 1),
            "first_prediction_s": round(first, 2) if first is not None else None, "decoder_ready_s": round(ready_s, 2),
            "gc_pauses": gc_pauses, "gc_max_ms": round(gc_max, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0, help="streaming time per model (default 120)")
    parser.add_argument("--trace-fps", type=float, default=30.0,
                        help="the trace view's redraw rate (default 30, the app's; higher shows the headroom)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        models = _train_models(Path(tmp))
        results = [_run_one(app, name, path, args.seconds, args.trace_fps) for name, path in models.items()]
    load = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps({"channels": N_CH, "srate": SRATE, "chunk": CHUNK, "seconds": args.seconds,
                          "views": list(VIEWS), "trace_view_rate": args.trace_fps, "load_avg_1min": load,
                          "models": results}))
        return 0
    print(f"app offscreen, views {', '.join(VIEWS)} (traces redrawn at {args.trace_fps:g} Hz) + online dock; "
          f"{N_CH} ch @ {SRATE:g} Hz, {CHUNK}-sample "
          f"chunks, {args.seconds:g} s per model; 1-min load {load}")
    print(f"{'model':8s} {'n':>6s} {'p50':>6s} {'p95':>6s} {'p99':>6s} {'max':>7s} {'>20ms':>6s} {'fps':>5s} "
          f"{'CPU%':>6s} {'dec%':>5s} {'ready':>6s} {'first':>6s} {'GC n':>5s} {'GC max':>7s}")
    for r in results:
        print(f"{r['name']:8s} {r['n_predictions']:6d} {r['p50_ms']:6.2f} {r['p95_ms']:6.2f} {r['p99_ms']:6.2f} "
              f"{r['max_ms']:7.2f} {r['over_20ms']:6d} {r['trace_fps']:5.1f} {r['cpu_percent']:6.1f} "
              f"{r['decoder_cpu_percent']:5.1f} {r['decoder_ready_s']:6.2f} {r['first_prediction_s'] or float('nan'):6.2f} "
              f"{r['gc_pauses']:5d} {r['gc_max_ms']:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

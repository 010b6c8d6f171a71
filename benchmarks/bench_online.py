"""Online decoding latency: LSL push of a sample -> prediction of the window it ends -> LSL arrival.

A separate process pushes 64 channels at 1 kHz in 10-sample chunks through a real pylsl outlet and
records the local push time of every chunk. This process runs the :class:`OnlineRunner` (TS+LR and
CSP+LDA models exported to .bcimodel files and loaded back) and an inlet that receives the
predictions. Latency = arrival of a prediction - push time of its window's last sample.

    python benchmarks/bench_online.py [--seconds 120] [--json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np

N_CH, SRATE, CHUNK = 64, 1000.0, 10


def _pusher(name: str, seconds: float, push_times, t0_value, ready) -> None:
    import pylsl

    from bcigui.core.stream.lsl import make_stream_info
    from bcigui.core.stream.simulator import channel_names

    info = make_stream_info(name, "EEG", channel_names(N_CH), SRATE, source_id=name)
    outlet = pylsl.StreamOutlet(info, CHUNK)
    rng = np.random.default_rng(0)
    block = (rng.standard_normal((int(SRATE) * 4, N_CH)) * 10).astype(np.float32)
    ready.set()
    time.sleep(1.0)  # let the inlet connect
    t0 = pylsl.local_clock()
    t0_value.value = t0
    n_chunks = int(seconds * SRATE / CHUNK)
    for k in range(n_chunks):
        due = t0 + (k + 1) * CHUNK / SRATE
        now = pylsl.local_clock()
        if now < due:  # one sleep per chunk, as an acquisition driver would (no spinning)
            time.sleep(due - now)
        i0 = (k * CHUNK) % (len(block) - CHUNK)
        stamps = t0 + (k * CHUNK + np.arange(CHUNK)) / SRATE
        outlet.push_chunk(block[i0 : i0 + CHUNK], stamps.tolist())
        push_times[k] = pylsl.local_clock()


def pull_arrivals(name: str, stop, timeout: float = 10.0) -> list[tuple[float, float]]:
    """Pull the predictions outlet ``name`` until ``stop`` is set: [(timestamp, local arrival time)]
    ([] if the outlet is not found within ``timeout``)."""
    import pylsl

    arrivals: list[tuple[float, float]] = []
    found = pylsl.resolve_byprop("name", name, timeout=timeout)
    if found:
        inlet = pylsl.StreamInlet(found[0])
        inlet.open_stream(timeout=10)
        while not stop.is_set():
            sample, ts = inlet.pull_sample(timeout=0.2)
            if sample is not None:
                arrivals.append((ts, pylsl.local_clock()))
    return arrivals


def _train_models(out_dir: Path) -> dict[str, Path]:
    import mne

    from bcigui.core.data import Event, Recording, make_epochs
    from bcigui.core.decoders.pipelines import make_csp_lda, make_ts
    from bcigui.core.model_file import save_model
    from bcigui.core.signal.filters import FilterSpec
    from bcigui.core.stream.simulator import generate

    sim = generate("mi", n_channels=N_CH, srate=SRATE, seconds=150, seed=3, classes=("left_hand", "right_hand"))
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose=False)
    rec = Recording(raw, [Event(i / sim.sfreq, 0.0, lab) for i, lab in sim.events], None, 0)
    filt = FilterSpec(8, 30)
    ep = make_epochs([rec], {"cue/left_hand": "left_hand", "cue/right_hand": "right_hand"}, 1.5, 3.5, filt)
    paths = {}
    for name, factory in (("TS+LR", make_ts), ("CSP+LDA", make_csp_lda)):
        pipe = factory(ep.sfreq, ep.ch_names, ep.classes).fit(ep.X, ep.y)
        manifest = {"paradigm": "mi", "pipeline": name, "classes": [str(c) for c in pipe.classes_],
                    "ch_names": ep.ch_names, "sfreq": ep.sfreq, "tmin": 1.5, "tmax": 3.5,
                    "filter": filt.to_dict()}
        path = out_dir / f"{name.replace('+', '_')}.bcimodel"
        save_model(path, pipe, manifest)
        paths[name] = path
    return paths


def _run_one(name: str, model_path: Path, seconds: float, hop: float) -> dict:
    import psutil

    from bcigui.core.model_file import load_model
    from bcigui.core.online import OnlineRunner
    from bcigui.core.stream.acquisition import Acquisition

    stream = f"bench-online-{uuid.uuid4().hex[:8]}"
    n_chunks = int(seconds * SRATE / CHUNK)
    push_times = mp.Array("d", n_chunks, lock=False)
    t0_value = mp.Value("d", 0.0, lock=False)
    ready = mp.Event()
    proc = mp.Process(target=_pusher, args=(stream, seconds, push_times, t0_value, ready), daemon=True)
    proc.start()
    ready.wait(30)
    model = load_model(model_path)
    acq = Acquisition(stream, markers=None, timeout=10).start()
    runner = OnlineRunner(model.pipeline, model.manifest, acq, hop=hop, outlet_name=f"{stream}-pred")
    arrivals: list[tuple[float, float]] = []
    stop = threading.Event()

    def receive() -> None:
        arrivals.extend(pull_arrivals(f"{stream}-pred", stop))

    runner.start()
    rx = threading.Thread(target=receive, daemon=True)
    rx.start()
    me = psutil.Process()
    me.cpu_percent(None)
    backlog_max = 0
    t_end = time.monotonic() + seconds + 1.5
    while time.monotonic() < t_end and proc.is_alive():
        backlog_max = max(backlog_max, runner.backlog)
        time.sleep(0.05)
    cpu = me.cpu_percent(None)
    time.sleep(0.5)
    stop.set()
    rx.join(2)
    runner.stop()
    acq.stop()
    proc.join(5)
    t0 = t0_value.value
    lat, resid = [], []
    for ts, arrival in arrivals:
        k = int(round((ts - t0) * SRATE))
        resid.append((ts - t0) * SRATE - k)
        chunk = k // CHUNK
        if 0 <= chunk < n_chunks and push_times[chunk] > 0:
            lat.append((arrival - push_times[chunk]) * 1e3)
    lat = np.asarray(lat)
    if not len(lat):
        raise RuntimeError(f"{name}: no prediction received")
    return {
        "name": name,
        "n_predictions": len(lat),
        "p50_ms": round(float(np.percentile(lat, 50)), 2),
        "p95_ms": round(float(np.percentile(lat, 95)), 2),
        "p99_ms": round(float(np.percentile(lat, 99)), 2),
        "max_ms": round(float(lat.max()), 2),
        "cpu_percent": round(cpu, 1),
        "backlog_max": int(backlog_max),
        "decode_ms_last": round(runner.decoder.stats.last_compute_ms, 2),
        "timestamp_error_samples_max": round(float(np.max(np.abs(resid))), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=120.0, help="streaming time per model (default 120)")
    parser.add_argument("--hop", type=float, default=0.1, help="seconds between windows (default 0.1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        models = _train_models(Path(tmp))
        results = [_run_one(name, path, args.seconds, args.hop) for name, path in models.items()]
    if args.json:
        print(json.dumps({"channels": N_CH, "srate": SRATE, "chunk": CHUNK, "seconds": args.seconds,
                          "models": results}))
    else:
        print(f"{N_CH} ch @ {SRATE:g} Hz, {CHUNK}-sample chunks, hop {args.hop} s, {args.seconds:g} s per model")
        print(f"{'model':10s} {'n':>6s} {'p50':>7s} {'p95':>7s} {'p99':>7s} {'max':>7s} {'CPU%':>6s} {'backlog':>8s}")
        for r in results:
            print(f"{r['name']:10s} {r['n_predictions']:6d} {r['p50_ms']:7.2f} {r['p95_ms']:7.2f} "
                  f"{r['p99_ms']:7.2f} {r['max_ms']:7.2f} {r['cpu_percent']:6.1f} {r['backlog_max']:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

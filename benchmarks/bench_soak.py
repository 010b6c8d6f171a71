"""Soak test: ``bcigui record`` and ``bcigui online`` on one 64 ch @ 1 kHz simulated stream for N minutes,
with the source paused (SIGSTOP, 5 s) and later killed and restarted.

    python benchmarks/bench_soak.py [--minutes 10] [--json]

The source is the simulator's signal with channel 0 replaced by a sample counter (sample ``i`` reads
``i mod 500`` µV and is stamped ``T0 + i / 1000`` in every life of the source), so every sample of the
recording is identified: ``samples_lost`` counts samples missing outside the real outage (the time the
source was dead). Predictions expected are one per hop (0.1 s) while the stream was alive. RSS of the
``record`` and ``online`` processes is sampled every second (VmRSS), the final write's peak is the
``record`` process's high-water mark (VmHWM) once the run is over. Goals (issue 18): 0 samples lost,
RSS growth < 20 MB per hour, final-write peak < 500 MB at any length.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402

N_CH, SRATE, MOD = 64, 1000.0, 500
PAUSE_S, DEAD_S, HOP = 5.0, 3.0, 0.1


def _source(name: str, t0: float, note: str) -> None:
    """Push the simulated EEG with a sample counter in channel 0 until killed; append the index of the
    first sample pushed to the file ``note``."""
    import pylsl

    from bcigui.core.stream.simulator import SignalGenerator, make_outlets

    gen = SignalGenerator("mi", N_CH, SRATE, seed=int(time.time()) % 1000)
    outlet, _ = make_outlets(name, gen.ch_names, SRATE, name, markers=False)
    i = int((pylsl.local_clock() - t0) * SRATE)
    with open(note, "a", encoding="utf-8") as f:
        f.write(f"{i}\n")
    while True:
        due = int((pylsl.local_clock() - t0) * SRATE) + 1
        n = due - i
        if n > 0:
            data, _ = gen.read(n)
            data = data * 1e6  # microvolts, as the simulator sends
            idx = np.arange(i, i + n)
            data[:, 0] = idx % MOD
            outlet.push_chunk(data.astype(np.float32), (t0 + idx / SRATE).tolist())
            i = due
        time.sleep(0.01)


def _status(pid: int, key: str) -> float:
    """``VmRSS``/``VmHWM`` of a process in MB (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _start_source(name: str, t0: float, note: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, "--source", name, repr(t0), str(note)])


def _indices(bcirec: Path, t0: float) -> np.ndarray:
    """Sample index of every recorded sample: coarse from its timestamp, exact from the counter."""
    from bcigui.core.recording.export import read_bcirec

    c = read_bcirec(bcirec)
    coarse = np.round((np.asarray(c.times) - t0) * SRATE).astype(np.int64)
    counter = np.round(np.asarray(c.data[:, 0], dtype=np.float64) * 1e6).astype(np.int64)
    return coarse + ((counter - coarse + MOD // 2) % MOD - MOD // 2)


def run(minutes: float, workdir: Path) -> dict:
    import pylsl
    from bench_online import _train_models

    seconds = minutes * 60.0
    name = f"bench-soak-{uuid.uuid4().hex[:8]}"
    model = _train_models(workdir)["TS+LR"]
    bcigui = [sys.executable, "-m", "bcigui.cli"]
    t0 = pylsl.local_clock() + 1.0
    source = _start_source(name, t0, workdir / "source.txt")
    time.sleep(3.0)
    out = workdir / "bids"
    log = workdir / "predictions.jsonl"
    record = subprocess.Popen([*bcigui, "record", "--stream", name, "--paradigm", "mi", "--trials", "500",
                               "--subject", "01", "--out", str(out), "--no-window", "--no-operator",
                               "--seconds", str(seconds)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    online = subprocess.Popen([*bcigui, "online", "--model", str(model), "--stream", name, "--seconds",
                               str(seconds), "--log", str(log), "--quiet", "--hop", str(HOP)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    start = time.monotonic()
    rss: dict[str, list[tuple[float, float]]] = {"record": [], "online": []}
    pause_at, kill_at = 0.3 * seconds, 0.6 * seconds
    paused = killed = False
    dead = (0.0, 0.0)  # LSL time the source was dead
    hwm_run = hwm_final = 0.0
    sampled = -1.0
    while record.poll() is None or online.poll() is None:
        now = time.monotonic() - start
        if now - sampled >= 1.0:
            sampled = now
            for label, proc in (("record", record), ("online", online)):
                if proc.poll() is None:
                    rss[label].append((now, _status(proc.pid, "VmRSS")))
        if now < seconds - 1:
            hwm_run = _status(record.pid, "VmHWM") or hwm_run
        else:  # the run is over: what follows is the final write
            hwm_final = _status(record.pid, "VmHWM") or hwm_final
        if not paused and now >= pause_at:
            source.send_signal(signal.SIGSTOP)
            time.sleep(PAUSE_S)
            source.send_signal(signal.SIGCONT)
            paused = True
        if not killed and now >= kill_at:
            source.kill()
            source.wait()
            dead_from = pylsl.local_clock()
            time.sleep(DEAD_S)
            source = _start_source(name, t0, workdir / "source.txt")
            dead = (dead_from, pylsl.local_clock())
            killed = True
        time.sleep(0.1)
    source.kill()
    source.wait()
    record_out, online_out = record.stdout.read(), online.stdout.read()
    found = sorted(out.rglob("*.bcirec"))
    if not found:
        raise RuntimeError(f"record wrote no recording (exit {record.returncode}):\n{record_out}\n{online_out}")
    bcirec = found[0]
    idx = _indices(bcirec, t0)
    first, last = int(idx[0]), int(idx[-1])
    present = np.zeros(last - first + 1, dtype=bool)
    present[idx - first] = True
    missing = np.flatnonzero(~present) + first
    # the real outage: from the kill to the first sample the restarted source pushed
    died = int((dead[0] - t0) * SRATE)
    reborn = int((workdir / "source.txt").read_text().split()[-1])
    in_outage = (missing >= died - int(SRATE)) & (missing < reborn)
    outage, lost = int(in_outage.sum()), int((~in_outage).sum())
    # predictions expected: one per hop of data from the first window to the last, except during the
    # outage and the 2 s it takes to fill a window again after it
    stamps = [json.loads(line)["timestamp"] for line in open(log, encoding="utf-8")] if log.exists() else []
    n_pred = len(stamps)
    span = (max(stamps) - min(stamps)) if stamps else 0.0
    n_expected = int(round((span - outage / SRATE - 2.0) / HOP)) + 1
    from bcigui.core.recording.export import read_bcirec

    gaps = [(round(g[1], 3), g[2]) for g in read_bcirec(bcirec).gaps]

    def growth(label: str) -> float:
        pts = [(t, m) for t, m in rss[label] if 60.0 <= t <= seconds - 2]
        if len(pts) < 10:
            return float("nan")
        t, m = np.array(pts).T
        return float(np.polyfit(t / 3600.0, m, 1)[0])  # MB per hour, fitted after the first minute

    return {
        "minutes": minutes,
        "samples_expected": int(last - first + 1 - outage),
        "lost_first_index": int(missing[~in_outage][0]) if lost else None,
        "outage_end_index": reborn,
        "samples_recorded": int(len(idx)),
        "samples_lost": lost,
        "duplicates": int(len(idx) - len(np.unique(idx))),
        "outage_samples": int(outage),
        "gaps": gaps,  # (seconds, reason) reported by the acquisition
        "predictions_expected": n_expected,
        "predictions_produced": n_pred,
        "predictions_ratio": round(n_pred / max(n_expected, 1), 3),
        "rss_growth_mb": {k: round(growth(k), 1) for k in rss},  # per hour
        "rss_peak_run_mb": {k: round(max((m for _, m in v), default=0.0), 1) for k, v in rss.items()},
        "final_write_peak_mb": round(hwm_final, 1),
        "record_hwm_before_final_write_mb": round(hwm_run, 1),
        "record_exit": record.returncode, "online_exit": online.returncode,
        "record_tail": record_out.strip().splitlines()[-3:], "online_tail": online_out.strip().splitlines()[-3:],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--json", action="store_true")
    p.add_argument("--source", nargs=3, metavar=("NAME", "T0", "NOTE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.source:
        _source(args.source[0], float(args.source[1]), args.source[2])
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        res = run(args.minutes, Path(tmp))
    if args.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:32s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the offline-analysis core: r² map and feature extraction times.

Usage: ``python benchmarks/bench_features.py [--json] [--repeat N]`` from the repository root.
Data: PhysioNet EEGMMIDB S001 runs 4/8/12 in ``../shared/data`` (left vs right fist, 0.5-2.5 s,
7-30 Hz causal band-pass, 64 channels, 160 Hz). Times are medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHYSIONET = ROOT.parent / "shared" / "data" / "physionet-eegmmidb" / "MNE-eegbci-data/files/eegmmidb/1.0.0"


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--repeat", type=int, default=5, help="timed repetitions (median is reported)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.data.recordings import load_recordings
    from bcigui.core.features.connectivity import ConnectivityFeatures
    from bcigui.core.features.discriminability import signed_r2
    from bcigui.core.features.psd import PSDFeatures
    from bcigui.core.signal.filters import FilterSpec

    rng = np.random.default_rng(0)
    F = rng.standard_normal((200, 64, 40))
    y = np.repeat(["left", "right"], 100)
    r2_ms = _median_ms(lambda: signed_r2(F, y), args.repeat)

    files = [PHYSIONET / "S001" / f"S001R{r:02d}.edf" for r in (4, 8, 12)]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        print(f"bench_features: data not found: {missing}", file=sys.stderr)
        return 2
    ep = make_epochs(load_recordings(files), {"T1": "left", "T2": "right"}, 0.5, 2.5, FilterSpec(7, 30))
    extractors = {
        "welch": PSDFeatures(ep.sfreq, "welch", fmin=1, fmax=40, output="tensor"),
        "burg": PSDFeatures(ep.sfreq, "burg", fmin=1, fmax=40, order=16, output="tensor"),
        "imcoh": ConnectivityFeatures(ep.sfreq, "imcoh", fmin=1, fmax=40, output="tensor"),
    }
    extract_ms = {}
    for name, est in extractors.items():
        est.fit(ep.X)
        extract_ms[name] = _median_ms(lambda est=est: est.transform(ep.X), args.repeat)

    result = {"r2_map_ms": round(r2_ms, 2), "extract_ms": {k: round(v, 1) for k, v in extract_ms.items()}}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"r² map, 200 trials x 64 ch x 40 freqs: {r2_ms:.2f} ms (target < 100 ms)")
        print(f"extraction on S001 runs 4/8/12 ({ep.X.shape[0]} epochs x {ep.X.shape[1]} ch x {ep.X.shape[2]} samples, 1-40 Hz):")
        for k, v in extract_ms.items():
            print(f"  {k:6s} {v:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Seconds per update of the calibration's live learning curve (cross-validation on the trials so far).

    python benchmarks/bench_live_curve.py [--json]

Simulated motor imagery at 160 Hz (``bcigui.core.stream.simulator.generate``), the guided session's
first MI decoder (csp_lda, 0.5-2.5 s windows); 16 and 64 channels, 10 / 20 / 40 trials.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np


def main(argv: list[str] | None = None) -> int:
    from bcigui.core.decoders.live_curve import live_curve_for
    from bcigui.core.stream.simulator import generate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = {}
    for n_ch in (16, 64):
        sim = generate("mi", n_channels=n_ch, srate=160.0, seconds=400, seed=1, classes=("left_hand", "right_hand"))
        curve = live_curve_for("mi", sim.sfreq, list(sim.ch_names), ["left_hand", "right_hand"])
        cues = [(i / sim.sfreq, lab.removeprefix("cue/")) for i, lab in sim.events if lab.startswith("cue/")]
        n_t = curve.n_times
        for n in (10, 20, 40):
            fresh = live_curve_for("mi", sim.sfreq, list(sim.ch_names), ["left_hand", "right_hand"])
            for onset, label in cues[:n]:
                i0 = int(round((onset + curve.tmin) * sim.sfreq))
                fresh.add(sim.data[i0:i0 + n_t].T, label)
            times = []
            for _ in range(3):
                fresh.points.clear()
                t0 = time.perf_counter()
                fresh.update()
                times.append(time.perf_counter() - t0)
            out[f"{n_ch}ch_{n}trials"] = float(np.median(times))
            if not args.json:
                print(f"{n_ch:3d} channels, {n:3d} trials: {np.median(times):.3f} s per update (median of 3)")
    if args.json:
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

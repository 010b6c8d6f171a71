"""Accuracy of the simulated subject by skill: what ``bcigui simulate --follow --skill S`` gives.

For each skill, several virtual subjects (seeds) follow an MI calibration of 20 trials per class
(left vs right hand; the default MI timing) generated offline exactly as the live follow mode does;
``csp_lda`` is cross-validated (5 folds) with ``bcigui``'s own training path. Prints mean ± SD.
Usage: python benchmarks/bench_skill.py [--json] [--seeds N]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import mne
import numpy as np

from bcigui.core.decoders.training import train_files
from bcigui.core.paradigms.mi import MotorImageryParadigm
from bcigui.core.stream.simulator import generate

SKILLS = (1.0, 0.8, 0.6, 0.4, 0.2, 0.0)
EVENTS = {"cue/left_hand": "left_hand", "cue/right_hand": "right_hand"}


def calibration(seed: int, skill: float, folder: Path) -> Path:
    par = MotorImageryParadigm("left_hand,right_hand", 20, seed=seed, baseline_duration=5.0)
    t, cues = 0.0, []
    for ph in par.schedule():
        cues += [(t, e) for e in ph.events]
        t += ph.duration
    sim = generate("mi", 32, 250.0, t + 1.0, seed=seed, skill=skill, cues=cues)
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose="error")
    raw.set_annotations(mne.Annotations([i / sim.sfreq for i, _ in sim.events], 0.0, [m for _, m in sim.events]))
    path = folder / f"skill{skill:g}_seed{seed}_raw.fif"
    raw.save(path, overwrite=True, verbose="error")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    out = {}
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for skill in SKILLS:
            accs = [train_files([calibration(s, skill, Path(tmp))], "mi", EVENTS, "csp_lda", cv=5).report["accuracy"]
                    for s in range(args.seeds)]
            out[f"{skill:g}"] = {"mean": float(np.mean(accs)), "sd": float(np.std(accs)), "per_seed": accs}
            if not args.json:
                print(f"skill {skill:3.1f}: csp_lda accuracy {np.mean(accs):.2f} ± {np.std(accs):.2f} "
                      f"({args.seeds} virtual subjects, 20 trials per class)", flush=True)
    if args.json:
        print(json.dumps({"skills": out, "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()

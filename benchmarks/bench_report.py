"""Time of the session report (``bcigui report``) for a session of 3 runs.

Builds a patient folder offline with the project's own parts: the simulator's follow-mode signal
(``stream.simulator.generate`` driven by an MI schedule), written as a crash-safe ``.bcirec`` recording
(``RecordingWriter``) and turned into the BIDS run by ``recording.export.finalize``, exactly as a live
session ends. Session 02 (the one reported) has a calibration run (20 trials per class, default MI
timing, 32 channels at 500 Hz, about 6 minutes; one flat channel, one with mains noise, a few blinks)
and two feedback runs (10 trials per class) scored pseudo-online with the trained model into
``_feedback.json`` summaries; session 01 (an earlier, weaker calibration with its model) gives the
history plot. Then times ``write_report`` in this process and ``bcigui report`` in a fresh one (cold
imports, as from the command line), for HTML and PDF.

    python benchmarks/bench_report.py [--json] [--keep DIR] [--session SESSION_DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SUBJECT = "01"


def _cue_times(paradigm) -> tuple[list[tuple[float, str]], float]:
    """(time from the start, marker) of every event of the schedule, and the total duration."""
    t, events = 1.0, []
    for ph in paradigm.schedule():
        events += [(t, e) for e in ph.events]
        t += ph.duration
    return events, t + 1.0


def record_offline(root: Path, session: str, task: str, trials: int, skill: float, seed: int,
                   damage: bool = False) -> Path:
    """One run written like a live one: .bcirec folder, then the BIDS FIF with its sidecars."""
    from bcigui.core.paradigms import make_paradigm
    from bcigui.core.paradigms import markers as mk
    from bcigui.core.recording.export import finalize
    from bcigui.core.recording.session import plan_run
    from bcigui.core.recording.writer import RecordingWriter
    from bcigui.core.stream.simulator import generate

    paradigm = make_paradigm("mi", trials_per_class=trials, seed=seed)
    events, seconds = _cue_times(paradigm)
    cues = [(t, e) for t, e in events if mk.class_from_marker(e)]
    sim = generate("mi", n_channels=32, srate=500.0, seconds=seconds, seed=seed, skill=skill, cues=cues)
    data = sim.data.copy()
    if damage:
        rng = np.random.default_rng(seed)
        names = sim.ch_names
        data[:, names.index("T7")] = rng.normal(0, 0.1e-6, len(data))  # flat: a disconnected electrode
        t = np.arange(len(data)) / sim.sfreq
        data[:, names.index("P8")] += 40e-6 * np.sin(2 * np.pi * 50.0 * t)  # mains noise: a loose electrode
        for onset, _ in cues[3:30:9]:  # blinks during a few trials: 250 µV on the frontal channels
            i = int((onset + 1.2) * sim.sfreq)
            blink = 250e-6 * np.hanning(int(0.4 * sim.sfreq))
            for ch in ("Fp1", "Fp2", "F7", "F8", "Fz"):
                data[i:i + len(blink), names.index(ch)] += blink * (1.0 if ch.startswith("Fp") else 0.5)
    plan = plan_run(root, SUBJECT, session, task, 32, sim.sfreq, seconds)
    start = time.time()
    meta = {"subject": SUBJECT, "session": session, "task": task, "run": plan.run, "operator": "bench",
            "notes": "benchmark session (simulated subject)", "line_freq": 50.0, "paradigm": paradigm.config(),
            "start_unix": start, "bids": plan.bids(), "stream": {"name": "bcigui-sim", "hostname": "bench"}}
    plan.bcirec.parent.mkdir(parents=True, exist_ok=True)
    w = RecordingWriter(plan.bcirec, sim.ch_names, sim.sfreq, meta=meta)
    t0 = 1000.0
    w.append(data, t0 + np.arange(len(data)) / sim.sfreq)
    for t, e in events:
        w.add_marker(t0 + t, e, "bcigui-markers")
    w.close()
    return finalize(plan.bcirec, root)


def train(root: Path, session: str, run: Path) -> Path:
    from bcigui.core.decoders.training import train_files
    from bcigui.core.guided import event_map_for, model_path
    from bcigui.core.model_file import save_model

    res = train_files([run], "mi", event_map_for("mi", ["left_hand", "right_hand"]), "csp_lda", cv=5)
    out = model_path(root, SUBJECT, session, "csp_lda")
    save_model(out, res.pipeline, res.manifest)
    return out


def feedback_summary(root: Path, run: Path, model_file: Path) -> Path:
    """Score a feedback run pseudo-online with the model, summary as a live FeedbackSession writes it."""
    from bcigui.core.data.recordings import load_recording
    from bcigui.core.model_file import load_model
    from bcigui.core.online.decoder import pseudo_online
    from bcigui.core.online.scoring import TrialScorer
    from bcigui.core.paradigms import make_paradigm
    from bcigui.core.recording.feedback import file_sha256, summarize_trials, write_json_atomic

    model = load_model(model_file)
    man = model.manifest
    rec = load_recording(run)
    preds = pseudo_online(model.pipeline, man, rec.raw.get_data().T, rec.sfreq, rec.ch_names, hop=0.1)
    scorer = TrialScorer([str(c) for c in man["classes"]], start=float(man["tmax"]), stop=float(man["tmax"]) + 0.5)
    for ev in rec.events:
        if ev.description in man["event_map"]:
            scorer.add_cue(ev.onset, man["event_map"][ev.description])
    for p in preds:
        scorer.add_prediction(p)
    res = summarize_trials(scorer.trials(), scorer.classes)
    task, n = run.name.split("_task-")[1].split("_run-")[0], int(run.name.split("_run-")[1][:2])
    par = make_paradigm("mi", trials_per_class=10)
    res.update(model=model_file.name, model_sha256=file_sha256(model_file), task=task, run=n, paradigm="mi",
               trial_duration=par.total_duration() / par.n_trials(), recording=f"eeg/{run.name}")
    out = run.parent.parent / f"{run.name.rsplit('_eeg', 1)[0]}_feedback.json"
    write_json_atomic(out, res)
    return out


def build_session(root: Path) -> Path:
    ses1 = record_offline(root, "01", "mi", 15, skill=0.35, seed=1)
    train(root, "01", ses1)
    cal = record_offline(root, "02", "mi", 20, skill=0.8, seed=2, damage=True)
    model = train(root, "02", cal)
    for seed in (3, 4):
        fb = record_offline(root, "02", "mifeedback", 10, skill=0.8, seed=seed)
        feedback_summary(root, fb, model)
    return root / f"sub-{SUBJECT}" / "ses-02"


def _timed(f, *args) -> float:
    t = time.perf_counter()
    f(*args)
    return time.perf_counter() - t


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--keep", type=Path, help="build the session (and reports) in this folder and keep it")
    ap.add_argument("--session", type=Path, help="time the report of this existing session folder (no build)")
    ap.add_argument("--repeat", type=int, default=3, help="timings per figure (the best is printed; default 3)")
    args = ap.parse_args()
    tmp = None
    if args.keep:
        root = args.keep
        root.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        root = Path(tmp.name)
    try:
        t = time.perf_counter()
        session = args.session or build_session(root)
        built = time.perf_counter() - t
        from bcigui.core.report import build_report, write_report

        res: dict = {"session": str(session), "runs": sum(p.suffix in (".fif", ".edf", ".bdf", ".vhdr")
                                                         for p in (session / "eeg").glob("*_eeg.*")),
                     "build_session_s": round(built, 1), "load_average_1min": round(os.getloadavg()[0], 2),
                     "cpus": os.cpu_count()}
        best = lambda f: round(min(f() for _ in range(max(1, args.repeat))), 2)  # noqa: E731
        for fmt in ("html", "pdf"):
            out = root / f"report-inproc.{fmt}"
            res[f"in_process_{fmt}_s"] = best(lambda out=out: _timed(write_report, session, out))
            out = root / f"report.{fmt}"
            cmd = [sys.executable, "-m", "bcigui", "report", str(session), "--out", str(out), "--overwrite", "--quiet"]
            res[f"cli_{fmt}_s"] = best(lambda cmd=cmd: _timed(_run, cmd))
            res[f"{fmt}_kB"] = round(out.stat().st_size / 1000)

        def both() -> None:
            rep = build_report(session)
            write_report(session, root / "both.html", report=rep)
            write_report(session, root / "both.pdf", report=rep)

        res["in_process_html_and_pdf_s"] = best(lambda: _timed(both))
        res["load_average_1min_end"] = round(os.getloadavg()[0], 2)
        if args.json:
            print(json.dumps(res))
        else:
            print(f"session of {res['runs']} runs: {session} (load average {res['load_average_1min']:.1f} -> "
                  f"{res['load_average_1min_end']:.1f} on {res['cpus']} CPUs; best of {args.repeat})")
            for fmt in ("html", "pdf"):
                print(f"{fmt.upper()}: bcigui report (fresh process, cold imports) {res[f'cli_{fmt}_s']:.2f} s, "
                      f"write_report in process {res[f'in_process_{fmt}_s']:.2f} s, {res[f'{fmt}_kB']} kB")
            print(f"HTML + PDF from one build, in process (the guided session): {res['in_process_html_and_pdf_s']:.2f} s")
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

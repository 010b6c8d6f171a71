"""Gather a session report from a session folder ``BIDS_ROOT/sub-XX/ses-YY``.

What is read (nothing is written):

- ``eeg/sub-XX_ses-YY_task-T_run-RR_eeg.<fif|edf|bdf|vhdr>`` and their ``_eeg.json`` sidecars; tasks
  ending in ``feedback`` are feedback runs, the others calibration runs;
- ``BIDS_ROOT/sourcedata/.../<run>.bcirec/header.json`` (paradigm settings: trials planned per class);
- ``*.bcimodel`` beside ``eeg/`` (manifest only: cross-validation report, classes, window; the file
  is hashed, its pipeline is not loaded);
- ``*_feedback.json`` beside ``eeg/`` (score summaries of feedback runs);
- the other ``ses-*`` folders of the patient, for the accuracy across sessions.

Analyses reuse the project's code: signal quality (:mod:`bcigui.core.signal.quality`, 2-s windows as
the live quality view), epoching and artefact flags (:mod:`bcigui.core.data.epochs`), log-PSD features
(:class:`~bcigui.core.features.psd.PSDFeatures`) and signed r² (:mod:`bcigui.core.features.discriminability`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import platform
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.recording.feedback import file_sha256
from bcigui.core.report import text as tx
from bcigui.core.report.contents import (
    ChannelQualityRow,
    ClassTrials,
    FeedbackRunInfo,
    HistoryPoint,
    ModelInfo,
    QualitySummary,
    R2Summary,
    RunInfo,
    SessionReport,
    TrialSummary,
)

DATA_EXTS = (".fif", ".edf", ".bdf", ".vhdr")
FEEDBACK_SUFFIX = "feedback"
_RUN_FILE = re.compile(r"^sub-(?P<sub>[A-Za-z0-9]+)(?:_ses-(?P<ses>[A-Za-z0-9]+))?_task-(?P<task>[A-Za-z0-9]+)"
                       r"(?:_acq-[A-Za-z0-9]+)?_run-(?P<run>\d+)_eeg(?P<ext>\.[a-z]+)$")
QUALITY_WINDOW_S = 2.0
#: A channel is "bad" if bad in >= 20 % of the windows, "warn" if warn or bad in >= 20 %.
QUALITY_SHARE = 0.2
QUALITY_RULE = (f"a channel is rated bad when it was bad in at least {tx.pct(QUALITY_SHARE)} of the "
                f"{QUALITY_WINDOW_S:g}-s windows, warn when it was warn or bad in at least {tx.pct(QUALITY_SHARE)}")
REJECT_UV = 150.0
R2_FMIN, R2_FMAX = 4.0, 40.0
REST = "all others"
FEEDBACK_KEYS = ("accuracy", "n_trials", "n_scored", "chance_level", "p_value", "per_class", "classes",
                 "confusion", "model", "model_sha256", "task", "run", "paradigm", "trial_duration")


# ---------------------------------------------------------------------------------------- files
def parse_session_dir(path: str | Path) -> tuple[Path, str, str | None]:
    """``(bids_root, subject, session)`` of ``BIDS_ROOT/sub-XX/ses-YY`` (or ``BIDS_ROOT/sub-XX``)."""
    p = Path(path).expanduser().absolute()
    if not p.is_dir():
        raise FileNotFoundError(f"session_dir: no such folder {p} (expected BIDS_ROOT/sub-XX/ses-YY)")
    m_ses = re.fullmatch(r"ses-([A-Za-z0-9]+)", p.name)
    m_sub = re.fullmatch(r"sub-([A-Za-z0-9]+)", p.parent.name if m_ses else p.name)
    if not m_sub:
        raise ValueError(f"session_dir must be a BIDS session folder BIDS_ROOT/sub-XX/ses-YY (or BIDS_ROOT/sub-XX), "
                         f"got {p}")
    if m_ses:
        return p.parent.parent, m_sub.group(1), m_ses.group(1)
    return p.parent, m_sub.group(1), None


def _prefix(subject: str, session: str | None) -> str:
    return f"sub-{subject}" + (f"_ses-{session}" if session else "")


def find_runs(session_dir: Path, subject: str, session: str | None) -> list[tuple[Path, str, int]]:
    """``(data file, task, run)`` of the session's runs, in (task, run) order."""
    eeg = session_dir / "eeg"
    out = []
    if eeg.is_dir():
        for p in eeg.iterdir():
            m = _RUN_FILE.match(p.name)
            if m and m.group("ext") in DATA_EXTS and m.group("sub") == subject and m.group("ses") == session:
                out.append((p, m.group("task"), int(m.group("run"))))
    return sorted(out, key=lambda r: (r[1].endswith(FEEDBACK_SUFFIX), r[1], r[2]))


def _stem(data_file: Path) -> str:
    """``sub-01_ses-01_task-mi_run-01`` of ``..._run-01_eeg.fif``."""
    return data_file.name.rsplit("_eeg", 1)[0]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return obj if isinstance(obj, dict) else None


def read_header(bids_root: Path, session_dir: Path, data_file: Path) -> dict[str, Any] | None:
    """The crash-safe copy's ``header.json`` of a run (``sourcedata/<same folders>/<run>.bcirec``)."""
    rel = session_dir.relative_to(bids_root)
    return _read_json(bids_root / "sourcedata" / rel / "eeg" / f"{_stem(data_file)}.bcirec" / "header.json")


def _scans(session_dir: Path, subject: str, session: str | None) -> dict[str, str]:
    path = session_dir / f"{_prefix(subject, session)}_scans.tsv"
    out: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row.get("filename") and row.get("acq_time") not in (None, "", "n/a"):
                    out[row["filename"]] = row["acq_time"]
    except (OSError, csv.Error):
        pass
    return out


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("bcigui", "mne", "scikit-learn", "pyriemann", "numpy", "scipy", "matplotlib", "fpdf2"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


# ---------------------------------------------------------------------------------------- models
def read_model(path: Path) -> ModelInfo:
    """A model's manifest in report form; an unreadable file gives ``error`` in words."""
    from bcigui.core.decoders.evaluation import significance_threshold
    from bcigui.core.model_file import ModelFileError, read_manifest

    info = ModelInfo(file=path.name, sha256=file_sha256(path))
    try:
        man, _ = read_manifest(path)
    except ModelFileError as err:
        info.error = str(err)
        info.verdict = f"The model file {path.name} cannot be read: {err}"
        return info
    cv = man.get("cv") or {}
    pipe = man.get("pipeline") or {}
    guided = man.get("guided") or {}
    train = man.get("training_data") or {}
    info.pipeline = pipe.get("name")
    info.paradigm = man.get("paradigm")
    info.classes = [str(c) for c in man.get("classes", [])]
    info.created = man.get("created")
    info.cv_scheme = cv.get("scheme")
    info.accuracy = _float(cv.get("accuracy"))
    info.accuracy_std = _float(cv.get("accuracy_std"))
    info.chance_level = _float(cv.get("chance_level"))
    info.p_value = _float(cv.get("p_value"))
    info.kappa = _float(cv.get("kappa"))
    info.n_trials = int(cv["n_trials"]) if isinstance(cv.get("n_trials"), int | float) else None
    info.confusion = cv.get("confusion_matrix")
    info.tmin, info.tmax = _float(man.get("tmin")), _float(man.get("tmax"))
    info.training_files = [str(f) for f in train.get("files", [])]
    info.training_counts = {str(k): int(v) for k, v in (train.get("counts") or {}).items()}
    info.versions = {str(k): str(v) for k, v in (man.get("versions") or {}).items()}
    info.tried = {str(k): float(v) for k, v in (guided.get("tried") or {}).items()}
    info.n_tried = max(1, len(info.tried))
    info.p_value_corrected = _float(guided.get("p_value_corrected"))
    if info.n_trials and info.chance_level is not None:
        info.significance_threshold = significance_threshold(info.n_trials, info.chance_level)
    if info.accuracy is None or info.chance_level is None or info.p_value is None:
        info.verdict = f"The model {path.name} holds no cross-validation result."
        return info
    info.works = tx.significant(info.p_value, info.accuracy, info.chance_level, info.n_tried)
    info.verdict = tx.decoder_sentence(info.accuracy, info.chance_level, info.works)
    return info


def _float(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def find_models(session_dir: Path) -> list[ModelInfo]:
    return [read_model(p) for p in sorted(session_dir.glob("*.bcimodel")) if p.is_file()]


# ---------------------------------------------------------------------------------------- feedback
def read_feedback(path: Path, session_dir: Path, models: list[ModelInfo]) -> FeedbackRunInfo:
    """One ``*_feedback.json``; a file that does not follow the schema gives ``error`` in words."""
    from bcigui.core.decoders.evaluation import itr_bits_per_min

    m = re.search(r"_task-([A-Za-z0-9]+)_run-(\d+)_feedback\.json$", path.name)
    fb = FeedbackRunInfo(file=path.name, task=m.group(1) if m else "?", run=int(m.group(2)) if m else None)
    obj = _read_json(path)
    if obj is None:
        fb.error = "the file is not a readable JSON object"
    else:
        missing = [k for k in ("accuracy", "n_scored", "chance_level", "p_value") if k not in obj]
        if missing:
            fb.error = f"the file lacks {', '.join(missing)}"
    if fb.error:
        fb.sentence = f"Feedback run {fb.run if fb.run is not None else '?'}: its score summary {path.name} " \
                      f"cannot be used ({fb.error})."
        return fb
    assert obj is not None
    fb.task = str(obj.get("task") or fb.task)
    fb.run = int(obj["run"]) if isinstance(obj.get("run"), int | float) else fb.run
    fb.paradigm = obj.get("paradigm")
    fb.accuracy = _float(obj.get("accuracy"))
    fb.n_trials = obj.get("n_trials")
    fb.n_scored = obj.get("n_scored")
    fb.chance_level = _float(obj.get("chance_level"))
    fb.p_value = _float(obj.get("p_value"))
    fb.per_class = obj.get("per_class") or {}
    fb.classes = [str(c) for c in obj.get("classes") or fb.per_class.keys()]
    fb.confusion = obj.get("confusion")
    fb.model, fb.model_sha256 = obj.get("model"), obj.get("model_sha256")
    if fb.model_sha256:
        fb.model_in_session = any(md.sha256 == fb.model_sha256 for md in models)
    fb.recording = obj.get("recording")
    if fb.recording:
        fb.recording_exists = (session_dir / fb.recording).is_file()
    fb.trial_duration = _float(obj.get("trial_duration"))
    if fb.accuracy is not None and fb.trial_duration and fb.classes:
        fb.itr = itr_bits_per_min(len(fb.classes), fb.accuracy, fb.trial_duration)
    fb.significant = tx.significant(fb.p_value, fb.accuracy, fb.chance_level)
    label = f"Feedback run {fb.run}" if fb.run is not None else "Feedback run"
    if fb.accuracy is None or not fb.n_scored:
        fb.sentence = f"{label}: no trial could be scored (no decoder output during the trials)."
    else:
        fb.sentence = (f"{label}: {tx.pct(fb.accuracy)} correct over {fb.n_scored} trials (chance "
                       f"{tx.pct(fb.chance_level)}, {'significant' if fb.significant else 'not significant'}).")
    return fb


def find_feedback(session_dir: Path, models: list[ModelInfo]) -> list[FeedbackRunInfo]:
    files = sorted(session_dir.glob(f"*_task-*{FEEDBACK_SUFFIX}_run-*_feedback.json"))
    out = [read_feedback(p, session_dir, models) for p in files]
    return sorted(out, key=lambda f: (f.task, f.run if f.run is not None else 0))


def choose_main_model(models: list[ModelInfo], feedback: list[FeedbackRunInfo]) -> tuple[ModelInfo | None, str]:
    """The session's decoder: the one the last feedback run used, else a guided-session model, else the
    most accurate; with the reason in words."""
    usable = [m for m in models if m.error is None]
    if not usable:
        return None, ""
    for fb in reversed(feedback):
        for m in usable:
            if fb.model_sha256 and m.sha256 == fb.model_sha256:
                return m, f"the model used by feedback run {fb.run}"
    if any(m.tried for m in usable):
        return next(m for m in usable if m.tried), "the model chosen by the guided training"
    best = max(usable, key=lambda m: m.accuracy if m.accuracy is not None else -1.0)
    return best, "the model with the best cross-validated accuracy" if len(usable) > 1 else "the only model"


# ---------------------------------------------------------------------------------------- calibration
def _planned(header: dict[str, Any] | None) -> tuple[str | None, list[str], int | None, dict[str, Any]]:
    """(paradigm, classes, trials per class, settings) from a run header."""
    from bcigui.core.paradigms import markers as mk

    cfg = ((header or {}).get("meta") or {}).get("paradigm") or {}
    name = cfg.get("paradigm")
    classes: list[str] = []
    if isinstance(cfg.get("classes"), str):
        classes = [c.strip() for c in cfg["classes"].split(",") if c.strip()]
    elif isinstance(cfg.get("classes"), list):
        classes = [str(c) for c in cfg["classes"]]
    elif isinstance(cfg.get("frequencies"), list | tuple):
        classes = [mk.ssvep_class(float(f)) for f in cfg["frequencies"]]
    tpc = cfg.get("trials_per_class")
    return name, classes, int(tpc) if isinstance(tpc, int | float) else None, cfg


def _same_file(a: str, b: Path) -> bool:
    return Path(a).name == b.name


def calibration_runs(runs: list[tuple[Path, str, int]], main: ModelInfo | None) -> tuple[list[Path], str | None, str]:
    """The calibration runs to analyse: those the session's model was trained on if they are here,
    else every run of the calibration task with the most runs; with a note in words."""
    calib = [(p, t, r) for p, t, r in runs if not t.endswith(FEEDBACK_SUFFIX)]
    if not calib:
        return [], None, ""
    if main is not None and main.training_files:
        used = [(p, t, r) for p, t, r in calib if any(_same_file(f, p) for f in main.training_files)]
        if used:
            return [p for p, _, _ in used], used[0][1], "the runs the session's model was trained on"
    tasks = Counter(t for _, t, _ in calib)
    task = sorted(tasks, key=lambda t: (-tasks[t], t))[0]
    note = f"every run of task {task}"
    if len(tasks) > 1:
        note += f" (other calibration tasks here: {', '.join(sorted(set(tasks) - {task}))})"
    return [p for p, t, _ in calib if t == task], task, note


def assess_runs(recordings: list[Any], line_freq: float | None) -> QualitySummary:
    """Quality per channel over non-overlapping 2-s windows of the recordings (the live view's check)."""
    from bcigui.core.signal.quality import QualityThresholds, assess_quality

    assumed = line_freq not in (50, 60, 50.0, 60.0)
    th = QualityThresholds(line_freq=50.0 if assumed else float(line_freq))
    names = recordings[0].ch_names
    levels: list[list[str]] = []
    std, ratio = [], []
    reasons: list[Counter] = [Counter() for _ in names]
    for rec in recordings:
        idx = [rec.ch_names.index(c) for c in names if c in rec.ch_names]
        if len(idx) != len(names):
            continue
        data = rec.raw.get_data(picks=idx).T
        n = int(round(QUALITY_WINDOW_S * rec.sfreq))
        for start in range(0, max(1, data.shape[0] - n + 1), n):
            q = assess_quality(data[start:start + n], rec.sfreq, names, th)
            levels.append([c.level for c in q])
            std.append([c.metrics["std_uv"] for c in q])
            ratio.append([c.metrics["line_ratio"] for c in q])
            for i, c in enumerate(q):
                for r in c.reasons:
                    reasons[i][r.split(" (")[0]] += 1
    lv = np.array(levels)
    n_win = len(lv)
    rows = []
    for i, name in enumerate(names):
        col = lv[:, i] if n_win else np.array([])
        fb, fw = float(np.mean(col == "bad")) if n_win else 0.0, float(np.mean(col == "warn")) if n_win else 0.0
        level = "bad" if fb >= QUALITY_SHARE else "warn" if fb + fw >= QUALITY_SHARE else "good"
        why = "; ".join(f"{r} {tx.pct(c / n_win)} of the time" for r, c in reasons[i].most_common(3)) if n_win else ""
        rows.append(ChannelQualityRow(name, level, 1.0 - fb - fw, fw, fb,
                                      float(np.median(np.array(std)[:, i])) if n_win else float("nan"),
                                      float(np.median(np.array(ratio)[:, i])) if n_win else float("nan"),
                                      why or "ok"))
    return QualitySummary(rows, QUALITY_WINDOW_S, n_win, th.line_freq, assumed,
                          [r.path.name for r in recordings], th.to_dict())


def events_from_sidecar(data_file: Path) -> list[Any] | None:
    """Events of a run from its BIDS ``_events.tsv`` (``onset``, ``duration``, ``trial_type``), or None.

    mne-bids writes BrainVision markers as numeric codes (``Stimulus/S  2``) and keeps the names only
    in this sidecar.
    """
    from bcigui.core.data.recordings import Event

    path = data_file.with_name(_stem(data_file) + "_events.tsv")
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        # BrainVision free-text markers read back by MNE carry a "Comment/" prefix (as in load_recording)
        return [Event(float(r["onset"]), float(r.get("duration") or 0.0) if r.get("duration") != "n/a" else 0.0,
                      str(r["trial_type"]).removeprefix("Comment/"), str(r.get("stream") or ""))
                for r in rows if r.get("trial_type") not in (None, "", "n/a")]
    except (OSError, csv.Error, KeyError, ValueError):
        return None


def _with_cue_names(rec: Any) -> Any:
    """The recording, with its events read from the BIDS sidecar when its own carry no cue names."""
    from bcigui.core.paradigms import markers as mk

    if any(mk.class_from_marker(e.description) for e in rec.events):
        return rec
    events = events_from_sidecar(Path(rec.path))
    if events and any(mk.class_from_marker(e.description) for e in events):
        rec.events = events
    return rec


def _cue_interval(recordings: list[Any], event_map: dict[str, str]) -> float | None:
    """Mean time from one cue to the next within each recording (s): the time a trial takes, rest included."""
    from bcigui.core.data.epochs import _match_event

    gaps = []
    for rec in recordings:
        t = sorted(e.onset for e in rec.events if _match_event(e.description, event_map) is not None)
        gaps += list(np.diff(t))
    return float(np.mean(gaps)) if gaps else None


def _schedule_trial_duration(cfg: dict[str, Any]) -> float | None:
    """(total duration - baseline) / trials of the paradigm described by ``cfg``."""
    from bcigui.core.paradigms import make_paradigm

    params = {k: v for k, v in cfg.items() if k != "paradigm"}
    if isinstance(params.get("frequencies"), list):
        params["frequencies"] = ",".join(map(str, params["frequencies"]))
    if isinstance(params.get("phases"), list):
        params["phases"] = ",".join(map(str, params["phases"]))
    try:
        par = make_paradigm(cfg["paradigm"], **params)
        n = par.n_trials()
        return (par.total_duration() - float(cfg.get("baseline_duration", 0.0))) / n if n else None
    except Exception:  # noqa: BLE001 - a user paradigm may not rebuild from its header; then no ITR from it
        return None


def default_window(paradigm: str | None, cfg: dict[str, Any]) -> tuple[float, float]:
    """Epoch window (s after the cue) when the session has no model: the decoders' default windows,
    shortened to the imagery or flicker period."""
    if paradigm == "ssvep":
        return 1.0, min(4.0, float(cfg.get("flicker_duration", 4.0)))
    return 0.5, min(2.5, float(cfg.get("imagery_duration", 2.5)))


def analysis_filter(sfreq: float, line_freq: float | None) -> Any:
    """Broadband causal filter for artefact flags and r² (1 Hz high-pass removes electrode drift)."""
    from bcigui.core.signal.filters import FilterSpec

    notch = float(line_freq) if line_freq and line_freq < sfreq / 2 - 1 else None
    return FilterSpec(l_freq=1.0, h_freq=min(45.0, 0.45 * sfreq), notch=notch)


def filter_text(spec: Any) -> str:
    parts = []
    if spec.l_freq and spec.h_freq:
        parts.append(f"band-pass {spec.l_freq:g}-{spec.h_freq:g} Hz")
    if spec.notch:
        parts.append(f"notch {spec.notch:g} Hz")
    return "causal " + ", ".join(parts) if parts else "no filter"


def count_trials(recordings: list[Any], event_map: dict[str, str], classes: list[str], tmin: float, tmax: float,
                 filt: Any, planned: dict[str, int | None], trained: dict[str, int]) -> tuple[TrialSummary, Any]:
    """Planned / cued / epoched / rejected / kept per class with the project's epoching and artefact flags."""
    from bcigui.core.data.epochs import _match_event, find_bad_epochs, make_epochs

    cued: Counter = Counter()
    for rec in recordings:
        for ev in rec.events:
            cls = _match_event(ev.description, event_map)
            if cls is not None:
                cued[cls] += 1
    epochs = make_epochs(recordings, event_map, tmin, tmax, filt)
    bad = find_bad_epochs(epochs.X, REJECT_UV * 1e-6)
    # as the analysis workspace: when most epochs exceed the threshold, the threshold is wrong, not the data
    applied = int(bad.sum()) <= len(bad) // 2
    rows = []
    for c in classes:
        sel = epochs.y == c
        n_ep = int(sel.sum())
        n_bad = int((bad & sel).sum()) if applied else 0
        rows.append(ClassTrials(c, planned.get(c), int(cued[c]), n_ep, n_bad, n_ep - n_bad, trained.get(c)))
    reasons = []
    for r in rows:
        name = tx.class_label(r.name)
        if r.planned is not None and r.cued < r.planned:
            reasons.append(f"{name}: {r.planned - r.cued} planned trial(s) were never shown (the run was stopped early).")
        if r.cued > r.epoched:
            reasons.append(f"{name}: {r.cued - r.epoched} trial(s) too close to the end of the recording for the "
                           f"{tmin:g}-{tmax:g} s window.")
        if r.rejected:
            reasons.append(f"{name}: {r.rejected} trial(s) rejected as artefacts (an electrode swung more than "
                           f"{REJECT_UV:g} µV peak to peak, e.g. blink, movement or a loose electrode).")
    if not applied:
        reasons.append(f"{int(bad.sum())} of {len(bad)} trials exceed {REJECT_UV:g} µV peak to peak: with most trials "
                       "above it the threshold does not suit this recording, so no trial was rejected.")
    summary = TrialSummary(rows, tmin, tmax, REJECT_UV, applied, "", filter_text(filt), reasons)
    keep = ~bad if applied else np.ones(len(bad), bool)
    return summary, epochs.select(keep)


def r2_maps(epochs: Any, classes: list[str], paradigm: str | None) -> R2Summary:
    """Signed r² of log-PSD (Welch, 1 Hz grid) between classes, and the band of each topomap."""
    from bcigui.core.data.montage import positions_2d
    from bcigui.core.features.discriminability import signed_r2
    from bcigui.core.features.psd import PSDFeatures

    fmax = R2_FMAX
    if paradigm == "ssvep":
        fmax = 45.0
    fmax = min(fmax, 0.45 * epochs.sfreq)
    psd = PSDFeatures(sfreq=epochs.sfreq, method="welch", fmin=R2_FMIN, fmax=fmax, freq_resolution=1.0,
                      log=True, output="tensor", ch_names=list(epochs.ch_names))
    F = psd.fit_transform(epochs.X)
    freqs = np.asarray(psd.freqs_)
    y = np.asarray(epochs.y)
    present = [c for c in classes if np.any(y == c)]
    if len(present) == 2:
        contrasts = [(present[0], present[1])]
        maps = [signed_r2(F, y, present)]
    else:
        contrasts = [(c, REST) for c in present]
        maps = list(signed_r2(F, y, present))
    best, bands = [], []
    for m in maps:
        i, j = np.unravel_index(int(np.argmax(np.abs(m))), m.shape)
        best.append((epochs.ch_names[i], float(freqs[j]), float(m[i, j])))
        bands.append((max(float(freqs[0]), float(freqs[j]) - 1.0), min(float(freqs[-1]), float(freqs[j]) + 1.0)))
    topo = list(positions_2d(list(epochs.ch_names)))
    return R2Summary(contrasts, maps, freqs, list(epochs.ch_names), best, bands, topo, len(y), epochs.tmin, epochs.tmax)


# ---------------------------------------------------------------------------------------- history
def _session_date(session_dir: Path, subject: str, session: str | None) -> str | None:
    times = sorted(_scans(session_dir, subject, session).values())
    return times[0][:10] if times else None


def session_history(bids_root: Path, subject: str, session: str | None) -> list[HistoryPoint]:
    """Decoder and feedback accuracy of this session and the patient's earlier ones (by session label)."""
    from bcigui.core.guided import sessions_of

    if session is None:
        return []
    labels = sessions_of(bids_root, subject)
    if session in labels:
        labels = labels[: labels.index(session) + 1]
    out = []
    for label in labels:
        folder = bids_root / f"sub-{subject}" / f"ses-{label}"
        models = find_models(folder)
        feedback = [f for f in find_feedback(folder, models) if f.error is None and f.n_scored]
        main, _ = choose_main_model(models, feedback)
        n = sum(int(f.n_scored) for f in feedback)
        correct = sum(float(f.accuracy or 0.0) * int(f.n_scored) for f in feedback)
        chance = feedback[0].chance_level if feedback else None
        if main is None and not feedback:
            continue
        out.append(HistoryPoint(label, _session_date(folder, subject, label),
                                main.accuracy if main else None, main.chance_level if main else None,
                                main.file if main else None, correct / n if n else None, n, chance,
                                current=label == session))
    return out


# ---------------------------------------------------------------------------------------- main
def _scan_start(rep: SessionReport, path: Path) -> dt.datetime | None:
    """A run's start from the session's ``scans.tsv`` (``acq_time``), if it is there and readable."""
    start = next((r.start for r in rep.runs if Path(r.file).name == path.name), None)
    try:
        return dt.datetime.fromisoformat(start.replace("Z", "+00:00")) if start else None
    except ValueError:
        return None


def _run_info(session_dir: Path, path: Path, task: str, run: int, scans: dict[str, str]) -> RunInfo:
    side = _read_json(path.with_name(path.name.rsplit(".", 1)[0] + ".json")) or {}
    rel = path.relative_to(session_dir).as_posix()
    return RunInfo(rel, task, run, "feedback" if task.endswith(FEEDBACK_SUFFIX) else "calibration",
                   _float(side.get("RecordingDuration")), _float(side.get("SamplingFrequency")),
                   side.get("EEGChannelCount"), scans.get(rel))


def build_report(session_dir: str | Path, progress: Any = None) -> SessionReport:
    """Gather everything the report shows about ``session_dir`` (``BIDS_ROOT/sub-XX/ses-YY``).

    Missing pieces (no calibration, no model, no feedback run yet) are stated in
    :attr:`SessionReport.missing`, not raised. ``progress(fraction, message)`` is called if given.
    """
    from bcigui.core.report.figures import make_figures

    t0 = time.perf_counter()
    step = progress or (lambda f, m: None)
    root, subject, session = parse_session_dir(session_dir)
    sdir = Path(session_dir).expanduser().absolute()
    runs = find_runs(sdir, subject, session)
    scans = _scans(sdir, subject, session)
    rep = SessionReport(sdir, root, subject, session,
                        dt.datetime.now().astimezone().isoformat(timespec="seconds"), _versions(), {},
                        [_run_info(sdir, p, t, r, scans) for p, t, r in runs])
    step(0.05, "reading models and feedback summaries")
    rep.models = find_models(sdir)
    rep.feedback = find_feedback(sdir, rep.models)
    scored = {(f.task, f.run) for f in rep.feedback}
    rep.unscored_feedback_runs = [p.name for p, t, r in runs if t.endswith(FEEDBACK_SUFFIX) and (t, r) not in scored]
    rep.main_model, rep.main_model_reason = choose_main_model(rep.models, rep.feedback)
    step(0.15, "loading the calibration")
    _calibration(rep, runs, step)
    step(0.75, "earlier sessions")
    rep.history = session_history(root, subject, session)
    _missing_and_summary(rep)
    step(0.8, "drawing figures")
    rep.figures = make_figures(rep)
    rep.build_seconds = time.perf_counter() - t0
    step(1.0, "done")
    return rep


def _calibration(rep: SessionReport, runs: list[tuple[Path, str, int]], step: Any) -> None:
    from bcigui.core.data.recordings import load_recording
    from bcigui.core.decoders.evaluation import itr_bits_per_min
    from bcigui.core.guided import event_map_for
    from bcigui.core.paradigms import markers as mk

    files, task, note = calibration_runs(runs, rep.main_model)
    rep.calibration_task = task
    if not files:
        return
    headers = [read_header(rep.bids_root, rep.session_dir, f) for f in files]
    paradigm, classes, tpc, cfg = _planned(next((h for h in headers if h), None))
    meta = next(((h or {}).get("meta") or {} for h in headers if h), {})
    recordings = []
    for i, f in enumerate(files):
        try:
            recordings.append(_with_cue_names(load_recording(f, run=i)))
        except Exception as err:  # noqa: BLE001 - a damaged file is reported, the rest still analysed
            rep.missing.setdefault("calibration_errors", "")
            rep.missing["calibration_errors"] += f"{f.name} cannot be read ({type(err).__name__}: {err}). "
    if not recordings:
        return
    rec0 = recordings[0]
    recordings = [r for r in recordings if abs(r.sfreq - rec0.sfreq) < 1e-6 and r.ch_names == rec0.ch_names]
    main = rep.main_model
    paradigm = paradigm or (main.paradigm if main else None) or ("ssvep" if task and "ssvep" in task else "mi")
    rep.paradigm = paradigm
    rep.planned = cfg or None
    line_freq = meta.get("line_freq") or rec0.raw.info.get("line_freq")
    start = rec0.raw.info.get("meas_date") or _scan_start(rep, files[0])  # runs written undated: scans.tsv
    rep.metadata.update({
        "Calibration runs": f"{len(recordings)} ({note})",
        "Paradigm": tx.paradigm_label(paradigm),
        "Recording date": start.astimezone().strftime("%Y-%m-%d %H:%M") if start else "not recorded",
        "Channels": f"{len(rec0.ch_names)} ({', '.join(rec0.ch_names[:24])}{', ...' if len(rec0.ch_names) > 24 else ''})",
        "Sampling rate": f"{rec0.sfreq:g} Hz",
        "Operator": meta.get("operator") or "not recorded",
        "Notes": meta.get("notes") or "none",
        "Amplifier stream": (meta.get("stream") or {}).get("name") or "not recorded",
    })
    step(0.25, "signal quality")
    rep.quality = assess_runs(recordings, line_freq)
    # classes and event map: the model's when it decodes this paradigm, else the paradigm's, else the markers'
    if main is not None and main.paradigm == paradigm and main.classes:
        classes = main.classes
        event_map = event_map_for(paradigm, classes)
        man_map = _model_event_map(rep, main)
        event_map = man_map or event_map
    elif classes:
        event_map = event_map_for(paradigm, classes)
    else:
        event_map = mk.default_event_map([e.description for r in recordings for e in r.events])
        classes = list(dict.fromkeys(event_map.values()))
    if main is not None and main.tmin is not None and main.tmax is not None and main.paradigm == paradigm:
        tmin, tmax, source = main.tmin, main.tmax, f"the decoder's window ({main.file})"
    else:
        (tmin, tmax), source = default_window(paradigm, cfg), "the default window for this paradigm"
    rep.trial_duration = _cue_interval(recordings, event_map)
    rep.trial_duration_source = "mean time from one cue to the next in the calibration, rest included"
    if rep.trial_duration is None and cfg:
        rep.trial_duration = _schedule_trial_duration(cfg)
        rep.trial_duration_source = "the calibration schedule (total time without the baseline / trials)"
    if main is not None and main.accuracy is not None and rep.trial_duration and main.classes:
        rep.itr = itr_bits_per_min(len(main.classes), main.accuracy, rep.trial_duration)
    step(0.4, "trials and artefacts")
    filt = analysis_filter(rec0.sfreq, line_freq if line_freq in (50, 60, 50.0, 60.0) else None)
    planned = {c: tpc for c in classes} if tpc is not None else {}
    trained = main.training_counts if main is not None and main.paradigm == paradigm else {}
    try:
        rep.trials, kept = count_trials(recordings, event_map, classes, tmin, tmax, filt, planned, trained)
        rep.trials.window_source = source
    except ValueError as err:
        rep.missing["trials"] = f"No trial could be cut from the calibration: {err}"
        return
    step(0.55, "discriminability (r²)")
    if len(set(kept.y)) >= 2:
        try:
            rep.r2 = r2_maps(kept, classes, paradigm)
        except ValueError as err:
            rep.missing["r2"] = f"The r² map could not be computed: {err}"


def _model_event_map(rep: SessionReport, main: ModelInfo) -> dict[str, str] | None:
    from bcigui.core.model_file import ModelFileError, read_manifest

    try:
        man, _ = read_manifest(rep.session_dir / main.file)
    except ModelFileError:
        return None
    em = man.get("event_map") or {}
    return {str(k): str(v) for k, v in em.items()} or None


def _missing_and_summary(rep: SessionReport) -> None:
    """Missing pieces in words, and the plain-language summary at the top of the report."""
    miss, say = rep.missing, rep.summary
    if not rep.runs:
        miss["runs"] = "No recording was found in this session's eeg/ folder."
    if rep.calibration_task is None:
        miss["calibration"] = "No calibration run was recorded in this session, so there is no signal-quality, " \
                              "trial or r² analysis."
    elif rep.quality is None:
        miss.setdefault("calibration", "The calibration recording(s) could not be read.")
    if rep.trials is not None and rep.r2 is None:
        miss.setdefault("r2", "The r² map needs kept trials of at least two classes.")
    usable = [m for m in rep.models if m.error is None]
    if not rep.models:
        miss["model"] = "No decoder has been trained in this session yet (no .bcimodel file beside eeg/)."
    elif not usable:
        miss["model"] = "No model file of this session could be read."
    if not rep.feedback and not rep.unscored_feedback_runs:
        miss["feedback"] = "No feedback run has been recorded in this session yet."
    elif not rep.feedback:
        miss["feedback"] = "Feedback runs were recorded but none has a score summary (_feedback.json)."
    if len(rep.history) < 2:
        miss["history"] = ("This is the patient's only session with a decoder or a feedback run; the trend "
                           "across sessions appears from the second one on.")
    # summary, most important first
    main = rep.main_model
    if main is not None:
        say.append(main.verdict)
    else:
        say.append(miss.get("model", "No decoder."))
    for fb in rep.feedback:
        say.append(fb.sentence)
    if not rep.feedback:
        say.append(miss["feedback"])
    if rep.quality is not None:
        rows = rep.quality.rows
        good = sum(r.level == "good" for r in rows)
        bad = [r for r in rows if r.level == "bad"]
        warn = [r for r in rows if r.level == "warn"]
        s = f"Signal quality: {good} of {len(rows)} channels good"
        if bad:
            s += "; bad: " + ", ".join(f"{r.name} ({r.reasons.split('; ')[0]})" for r in bad[:8])
        if warn:
            s += "; to check: " + ", ".join(r.name for r in warn[:8])
        say.append(s + ".")
    if rep.trials is not None:
        t = rep.trials
        planned = sum(c.planned for c in t.classes if c.planned is not None)
        cued = sum(c.cued for c in t.classes)
        kept = sum(c.kept for c in t.classes)
        rejected = sum(c.rejected for c in t.classes)
        lead = f"Calibration: {cued} of {planned} planned trials shown" if planned else f"Calibration: {cued} trials shown"
        say.append(f"{lead}; {kept} kept for analysis"
                   + (f" ({rejected} rejected as artefacts)." if rejected else "."))
    if rep.itr is not None and main is not None and main.works:
        say.append(f"Information transfer rate: {rep.itr:.1f} bits/min (Wolpaw, {rep.trial_duration:.1f} s per trial).")
    pts = [h for h in rep.history if h.cv_accuracy is not None or h.feedback_accuracy is not None]
    if len(pts) >= 2:
        first, last = pts[0], pts[-1]
        key = "feedback_accuracy" if first.feedback_accuracy is not None and last.feedback_accuracy is not None \
            else "cv_accuracy"
        a, b = getattr(first, key), getattr(last, key)
        if a is not None and b is not None:
            what = "feedback accuracy" if key == "feedback_accuracy" else "decoder accuracy (cross-validated)"
            say.append(f"Across {len(pts)} sessions, {what} went from {tx.pct(a)} (session {first.session}) to "
                       f"{tx.pct(b)} (session {last.session}).")
    rep.metadata = {
        "Patient": f"sub-{rep.subject}",
        "Session": f"ses-{rep.session}" if rep.session else "none",
        "Session folder": str(rep.session_dir),
        **rep.metadata,
        "Report generated": rep.generated.replace("T", " "),
    }

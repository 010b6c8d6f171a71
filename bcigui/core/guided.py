"""The guided session's decisions, without Qt: where a patient's files go, which decoders to try, what
to say about the result.

Layout (BIDS): ``ROOT/sub-XX/ses-YY/eeg/`` holds the runs (calibration ``task-mi``, feedback
``task-mifeedback``...); models (``sub-XX_ses-YY_<pipeline>.bcimodel``), feedback summaries and
reports sit beside ``eeg/`` in ``ROOT/sub-XX/ses-YY/``.

Training tries a short, fixed list of robust pipelines with the same cross-validation folds and keeps
the best. Keeping the best of several is optimistic, so its p-value is Bonferroni-corrected (times
the number of pipelines tried) before the decoder is called working.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcigui.core.paradigms import markers as mk

DEFAULT_ROOT = Path.home() / "bcigui-data"
#: Robust pipelines tried by the guided session, per paradigm (best of them is kept).
GUIDED_PIPELINES: dict[str, tuple[str, ...]] = {"mi": ("csp_lda", "ts_lr", "erp_ts"),
                                                "ssvep": ("fbcca", "ssvep_features")}
PRIOR_PIPELINES = ("ts_lr", "erp_ts")  # also tried with earlier sessions as a prior (aligned), when there are any
ALPHA = 0.05
_SES = re.compile(r"ses-([A-Za-z0-9]+)$")
DATA_SUFFIXES = (".fif", ".edf", ".bdf", ".vhdr", ".set")


def session_dir(root: str | Path, subject: str, session: str) -> Path:
    return Path(root) / f"sub-{subject}" / f"ses-{session}"


def sessions_of(root: str | Path, subject: str) -> list[str]:
    """Session labels the patient already has, in order."""
    folder = Path(root) / f"sub-{subject}"
    if not folder.is_dir():
        return []
    return sorted(m.group(1) for p in folder.iterdir() if p.is_dir() and (m := _SES.match(p.name)))


def next_session_label(root: str | Path, subject: str) -> str:
    """``01`` for a new patient, else one more than the highest numeric session label."""
    nums = [int(s) for s in sessions_of(root, subject) if s.isdigit()]
    return f"{max(nums, default=0) + 1:02d}"


def model_path(root: str | Path, subject: str, session: str, pipeline: str, new: bool = False) -> Path:
    """``sub-XX_ses-YY_<pipeline>.bcimodel``; with ``new``, the first name not taken (``..._2`` ...):
    a model that feedback runs used is never replaced by a retrained one."""
    base = session_dir(root, subject, session) / f"sub-{subject}_ses-{session}_{pipeline}"
    path, n = base.with_suffix(".bcimodel"), 1
    while new and path.exists():
        n += 1
        path = base.with_name(f"{base.name}_{n}.bcimodel")
    return path


def runs_of(root: str | Path, subject: str, session: str, task: str) -> list[Path]:
    """Data files of the session's runs of ``task`` (e.g. ``mi``), in run order."""
    eeg = session_dir(root, subject, session) / "eeg"
    prefix = f"sub-{subject}_ses-{session}_task-{task}_run-"
    if not eeg.is_dir():
        return []
    return sorted(p for p in eeg.iterdir() if p.name.startswith(prefix) and p.name.endswith(DATA_SUFFIXES)
                  and "_eeg." in p.name)


def earlier_runs(root: str | Path, subject: str, session: str, task: str) -> list[Path]:
    """Calibration runs of ``task`` in the patient's sessions before ``session`` (a prior for training)."""
    return [p for s in sessions_of(root, subject) if s < session for p in runs_of(root, subject, s, task)]


def event_map_for(paradigm: str, classes: Sequence[str]) -> dict[str, str]:
    """The cue marker of each class (``cue/left_hand`` -> ``left_hand``; ``cue/ssvep/13.0`` -> ``13.0Hz``)."""
    out = {}
    for c in classes:
        freq = mk.ssvep_frequency(c) if paradigm == "ssvep" else None
        out[mk.ssvep_cue_marker(freq) if freq is not None else mk.cue_marker(c)] = c
    return out


def pct(x: float) -> str:
    """``0.78`` -> ``"78 %"``."""
    return f"{100 * x:.0f} %"


def verdict(accuracy: float, chance: float, p_value: float, n_tried: int = 1) -> tuple[bool, str]:
    """Whether the decoder works, and the sentence that says it (no jargon, units given)."""
    works = p_value * max(1, n_tried) < ALPHA and accuracy > chance
    if works:
        return True, f"Decoder works: {pct(accuracy)} correct (chance {pct(chance)}, significant)"
    return False, (f"Decoder does not work yet: {pct(accuracy)} correct (chance {pct(chance)}, not significant). "
                   "More calibration trials, or a check of the electrodes, may help.")


@dataclass
class GuidedTraining:
    """Result of :func:`train_guided`: every pipeline's report, the best one saved as a model."""

    best: str
    model_path: Path
    accuracy: float
    chance: float
    p_value: float
    works: bool
    text: str
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)


def train_guided(paths: Sequence[str | Path], paradigm: str, classes: Sequence[str], root: str | Path,
                 subject: str, session: str, pipelines: Sequence[str] | None = None, cv: int = 5,
                 progress: Callable[[float, str], None] | None = None,
                 cancel: threading.Event | None = None, prior: Sequence[str | Path] = ()) -> GuidedTraining:
    """Cross-validate each pipeline on the calibration runs, save the best as the session's model.

    With ``prior`` (earlier sessions' calibration runs), the pipelines of ``PRIOR_PIPELINES`` are
    also tried trained on them, aligned (``<name>+prior``)."""
    from bcigui.core.decoders.training import train_files
    from bcigui.core.model_file import save_model

    names = list(pipelines or GUIDED_PIPELINES[paradigm])
    tries = [(n, ()) for n in names] + [(f"{n}+prior", tuple(prior)) for n in names if prior and n in PRIOR_PIPELINES]
    names = [n for n, _ in tries]
    if not paths:
        raise ValueError("no calibration recording to train on: record a calibration run first")
    event_map = event_map_for(paradigm, classes)
    results, skipped = {}, {}
    for i, (name, with_prior) in enumerate(tries):
        def sub(f: float, msg: str, i: int = i, name: str = name) -> None:
            if progress:
                progress((i + f) / len(names), f"decoder {i + 1} of {len(names)}: {msg}")
        try:
            results[name] = train_files(paths, paradigm, event_map, name.removesuffix("+prior"), cv=cv,
                                        progress=sub, cancel=cancel, prior=with_prior)
        except ValueError as err:  # earlier sessions that do not fit this one (channels, rate): go on without
            if not with_prior:
                raise
            skipped[name] = str(err)
    names = [n for n in names if n in results]
    best = max(names, key=lambda n: results[n].report["accuracy"])
    rep = results[best].report
    works, text = verdict(rep["accuracy"], rep["chance_level"], rep["p_value"], len(names))
    out = model_path(root, subject, session, best, new=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    manifest = dict(results[best].manifest)
    manifest["guided"] = {"tried": {n: results[n].report["accuracy"] for n in names}, "works": works,
                          "p_value_corrected": min(1.0, rep["p_value"] * len(names)), "skipped": skipped}
    save_model(out, results[best].pipeline, manifest)
    if progress:
        progress(1.0, "done")
    return GuidedTraining(best, out, rep["accuracy"], rep["chance_level"], rep["p_value"], works, text,
                          {n: results[n].report for n in names})

"""What a session report holds: plain dataclasses filled by :func:`~bcigui.core.report.gather.build_report`.

Numbers keep their natural units (accuracies and chance levels as fractions 0-1, amplitudes in µV,
durations in s, ITR in bits/min); the writers format them. A piece that could not be gathered is
``None`` (or an empty list) and :attr:`SessionReport.missing` says why, in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunInfo:
    """One recorded run of the session (``eeg/`` data file and its BIDS sidecar)."""

    file: str  # path relative to the session folder, e.g. "eeg/sub-01_ses-01_task-mi_run-01_eeg.fif"
    task: str
    run: int
    kind: str  # "calibration" or "feedback"
    duration_s: float | None = None
    sfreq: float | None = None
    n_channels: int | None = None
    start: str | None = None  # ISO date-time of the first sample (UTC) when known


@dataclass
class ChannelQualityRow:
    """Quality of one channel over the calibration, from 2-s windows (as the live quality view)."""

    name: str
    level: str  # "good", "warn" or "bad" (see gather.QUALITY_RULE)
    frac_good: float
    frac_warn: float
    frac_bad: float
    std_uv: float  # median over windows
    line_ratio: float  # median over windows
    reasons: str  # most frequent problems with the share of time they were seen, or "ok"


@dataclass
class QualitySummary:
    rows: list[ChannelQualityRow]
    window_s: float
    n_windows: int
    line_freq: float
    line_freq_assumed: bool
    runs: list[str]
    thresholds: dict[str, Any]


@dataclass
class ClassTrials:
    """Trials of one class: planned by the paradigm, cued in the recording, cut, rejected, kept."""

    name: str
    planned: int | None
    cued: int
    epoched: int  # cues whose epoch window lies inside the recording
    rejected: int  # epochs flagged as artefacts (peak-to-peak above the threshold)
    kept: int
    trained: int | None = None  # trials the session's model was trained on (its manifest)


@dataclass
class TrialSummary:
    classes: list[ClassTrials]
    tmin: float
    tmax: float
    threshold_uv: float
    rejection_applied: bool  # False when most epochs exceed the threshold (then the threshold is wrong)
    window_source: str  # where the epoch window comes from, in words
    filter_text: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class R2Summary:
    """Signed r² (channel x frequency) of log band power; one map per contrast."""

    contrasts: list[tuple[str, str]]  # (a, b); b may be "all others"
    maps: list[Any]  # numpy arrays (n_channels, n_freqs), positive where a has more power
    freqs: Any
    ch_names: list[str]
    best: list[tuple[str, float, float]]  # per contrast: (channel, frequency Hz, signed r²)
    bands: list[tuple[float, float]]  # per contrast: topomap band (Hz)
    topo_channels: list[str]  # channels with a known scalp position
    n_epochs: int
    tmin: float
    tmax: float


@dataclass
class ModelInfo:
    """A ``.bcimodel`` beside ``eeg/`` (read from its manifest; the file itself is only hashed)."""

    file: str
    sha256: str
    error: str | None = None
    pipeline: str | None = None
    paradigm: str | None = None
    classes: list[str] = field(default_factory=list)
    created: str | None = None
    cv_scheme: str | None = None
    accuracy: float | None = None
    accuracy_std: float | None = None
    chance_level: float | None = None
    significance_threshold: float | None = None
    p_value: float | None = None
    p_value_corrected: float | None = None  # guided training: best of several, Bonferroni-corrected
    n_tried: int = 1
    tried: dict[str, float] = field(default_factory=dict)
    kappa: float | None = None
    n_trials: int | None = None
    confusion: list[list[int]] | None = None
    tmin: float | None = None
    tmax: float | None = None
    training_files: list[str] = field(default_factory=list)
    training_counts: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    works: bool | None = None
    verdict: str = ""


@dataclass
class FeedbackRunInfo:
    """A feedback run's score summary (``<run>_feedback.json``, schema in docs/report.md)."""

    file: str
    task: str
    run: int | None
    error: str | None = None
    paradigm: str | None = None
    accuracy: float | None = None
    n_trials: int | None = None
    n_scored: int | None = None
    chance_level: float | None = None
    p_value: float | None = None
    per_class: dict[str, dict[str, Any]] = field(default_factory=dict)
    classes: list[str] = field(default_factory=list)
    confusion: list[list[int]] | None = None
    model: str | None = None
    model_sha256: str | None = None
    model_in_session: bool | None = None  # the hash matches a model file of this session
    recording: str | None = None
    recording_exists: bool | None = None
    trial_duration: float | None = None
    itr: float | None = None
    significant: bool | None = None
    sentence: str = ""


@dataclass
class HistoryPoint:
    """One session of the patient: its decoder's CV accuracy and its feedback accuracy."""

    session: str
    date: str | None
    cv_accuracy: float | None
    cv_chance: float | None
    model: str | None
    feedback_accuracy: float | None  # pooled over the session's feedback runs
    feedback_trials: int
    feedback_chance: float | None
    current: bool = False


@dataclass
class Figure:
    key: str
    title: str
    caption: str
    png: bytes


@dataclass
class SessionReport:
    """Everything gathered about one session folder ``BIDS_ROOT/sub-XX/ses-YY``."""

    session_dir: Path
    bids_root: Path
    subject: str
    session: str | None
    generated: str
    versions: dict[str, str]
    metadata: dict[str, str]
    runs: list[RunInfo]
    calibration_task: str | None = None
    paradigm: str | None = None
    planned: dict[str, Any] | None = None  # the calibration paradigm's settings (header.json)
    trial_duration: float | None = None  # s per trial, rest included (calibration)
    trial_duration_source: str = ""
    quality: QualitySummary | None = None
    trials: TrialSummary | None = None
    r2: R2Summary | None = None
    models: list[ModelInfo] = field(default_factory=list)
    main_model: ModelInfo | None = None
    main_model_reason: str = ""
    itr: float | None = None
    feedback: list[FeedbackRunInfo] = field(default_factory=list)
    unscored_feedback_runs: list[str] = field(default_factory=list)
    history: list[HistoryPoint] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)  # plain-language sentences, most important first
    missing: dict[str, str] = field(default_factory=dict)  # section key -> why it is missing, in words
    figures: dict[str, Figure] = field(default_factory=dict)
    build_seconds: float = 0.0

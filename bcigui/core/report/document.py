"""The report as a list of simple blocks (headings, paragraphs, tables, figures), written once and
rendered by both the HTML and the PDF writer, so both hold the same sections and numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bcigui.core.report import text as tx
from bcigui.core.report.contents import Figure, SessionReport
from bcigui.core.report.gather import QUALITY_RULE, REST

#: Section titles, in order (tests and docs refer to them).
SECTIONS = ("Summary", "Patient and session", "Signal quality", "Calibration trials",
            "Class discriminability (r²)", "Decoder", "Feedback runs", "Earlier sessions",
            "How to read this report")


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str
    style: str = "normal"  # normal, note, good, bad


@dataclass
class Bullets:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths
    row_styles: list[str] = field(default_factory=list)  # per row: "", "good", "warn", "bad", "total"
    small: bool = False


@dataclass
class Image:
    figure: Figure


Block = Heading | Para | Bullets | Table | Image


def title(rep: SessionReport) -> str:
    ses = f", session {rep.session}" if rep.session else ""
    return f"BCI session report: patient {rep.subject}{ses}"


def _verdict_style(ok: bool | None) -> str:
    return "good" if ok else "bad"


def document(rep: SessionReport) -> list[Block]:
    """Every section of the report, in order; missing pieces are said in words."""
    out: list[Block] = []
    miss = rep.missing
    fig = rep.figures.get

    # 1. summary
    out.append(Heading(SECTIONS[0]))
    out.append(Bullets(list(rep.summary)))

    # 2. patient, session, runs, versions
    out.append(Heading(SECTIONS[1]))
    out.append(Table(["", ""], [[k, v] for k, v in rep.metadata.items()], [1, 3]))
    out.append(Heading("Runs", 2))
    if rep.runs:
        out.append(Table(["file", "kind", "duration", "sampling rate", "channels", "started (UTC)"],
                         [[r.file, r.kind, tx.num(r.duration_s, "s"), tx.num(r.sfreq, "Hz", 0),
                           str(r.n_channels) if r.n_channels is not None else "n/a",
                           (r.start or "n/a").replace("T", " ")[:19]] for r in rep.runs],
                         [4.3, 1.3, 1.1, 1.3, 1.3, 2.0], small=True))
    else:
        out.append(Para(miss.get("runs", "No recording."), "note"))
    out.append(Heading("Software versions", 2))
    trained = rep.main_model.versions if rep.main_model else {}
    names = {"scikit-learn": "scikit-learn"}
    out.append(Table(["software", "this report", "when the decoder was trained"],
                     [[k, v, trained.get(names.get(k, k), "")] for k, v in rep.versions.items()], [2, 2, 3],
                     small=True))

    # 3. signal quality
    out.append(Heading(SECTIONS[2]))
    q = rep.quality
    if q is None:
        out.append(Para(miss.get("calibration", "No calibration recording to check."), "note"))
    else:
        line = f"{q.line_freq:g} Hz" + (" (assumed: the recording does not say)" if q.line_freq_assumed else "")
        good = sum(r.level == "good" for r in q.rows)
        out.append(Para(f"{good} of {len(q.rows)} channels are good over the calibration ({q.n_windows} windows of "
                        f"{q.window_s:g} s from {', '.join(q.runs)}). The checks are those of the live quality view: "
                        f"flat line, clipping, high amplitude and mains noise ({line}); {QUALITY_RULE}."))
        bad = [r.name for r in q.rows if r.level == "bad"]
        warn = [r.name for r in q.rows if r.level == "warn"]
        if bad or warn:
            out.append(Para(("Bad: " + ", ".join(bad) + ". " if bad else "")
                            + ("To check: " + ", ".join(warn) + "." if warn else ""), "bad"))
        else:
            out.append(Para(f"All {len(q.rows)} channels are good.", "good"))
        if fig("quality"):
            out.append(Image(fig("quality")))
        order = {"bad": 0, "warn": 1, "good": 2}
        rows = sorted(q.rows, key=lambda r: order[r.level])  # stable: montage order within a level
        out.append(Table(["channel", "rating", "good", "warn", "bad", "amplitude (std)", "mains noise", "problems"],
                         [[r.name, r.level, tx.pct(r.frac_good), tx.pct(r.frac_warn), tx.pct(r.frac_bad),
                           tx.num(r.std_uv, "µV"), f"{r.line_ratio:.2f} ×", r.reasons] for r in rows],
                         [1.0, 0.9, 0.8, 0.8, 0.8, 1.3, 1.1, 4.2], [r.level for r in rows], small=True))
        out.append(Para("Channels with a problem first. Good / warn / bad: share of the time (2-s windows) with "
                        "that rating. Mains noise: power at the mains frequency ± 1 Hz relative to the 1-45 Hz "
                        "power.", "note"))

    # 4. trials
    out.append(Heading(SECTIONS[3]))
    t = rep.trials
    if t is None:
        out.append(Para(miss.get("trials") or miss.get("calibration", "No calibration trials."), "note"))
    else:
        out.append(Para(f"Each trial is cut {t.tmin:g}-{t.tmax:g} s after its cue ({t.window_source}), after a "
                        f"{t.filter_text} filter; a trial is rejected as an artefact when an electrode swings more "
                        f"than {t.threshold_uv:g} µV peak to peak in that window."))
        has_trained = any(c.trained is not None for c in t.classes)
        header = ["class", "planned", "shown", "cut", "rejected", "kept"] + (["used by the decoder"] if has_trained
                                                                              else [])
        rows, styles = [], []
        for c in t.classes:
            rows.append([tx.class_label(c.name), _n(c.planned), str(c.cued), str(c.epoched), str(c.rejected),
                         str(c.kept)] + ([_n(c.trained)] if has_trained else []))
            styles.append("bad" if c.kept < (c.planned or c.cued) // 2 else "")
        tot = [sum(c.planned for c in t.classes if c.planned is not None) if any(c.planned is not None
                                                                                  for c in t.classes) else None]
        rows.append(["total", _n(tot[0]), str(sum(c.cued for c in t.classes)), str(sum(c.epoched for c in t.classes)),
                     str(sum(c.rejected for c in t.classes)), str(sum(c.kept for c in t.classes))]
                    + ([_n(sum(c.trained or 0 for c in t.classes))] if has_trained else []))
        styles.append("total")
        out.append(Table(header, rows, [2, 1, 1, 1, 1, 1] + ([1.6] if has_trained else []), styles))
        out.append(Para("Planned: trials in the calibration schedule; shown: cues found in the recording; cut: "
                        "trials whose window lies inside the recording; kept: cut and not rejected. "
                        + ("The decoder's training used every cut trial (bcigui train rejects none)."
                           if has_trained else ""), "note"))
        out.append(Bullets(t.reasons) if t.reasons else Para("No trial was lost: every planned trial was shown, cut "
                                                             "and kept.", "good"))

    # 5. r2
    out.append(Heading(SECTIONS[4]))
    r2 = rep.r2
    if r2 is None:
        out.append(Para(miss.get("r2") or miss.get("trials") or miss.get("calibration", "No r² map."), "note"))
    else:
        out.append(Para("How differently the classes change the power of each channel at each frequency: signed "
                        "r² between 0 (no difference) and ±1 (the class is told apart from the power alone). "
                        "Motor imagery usually shows over the sensorimotor cortex (C3, C4, Cz) at 8-30 Hz."))
        best = []
        for (a, b), (ch, f, v) in zip(r2.contrasts, r2.best, strict=True):
            other = "the other classes" if b == REST else tx.class_label(b)
            best.append(f"{tx.class_label(a)} vs {other}: strongest difference at {ch}, {f:g} Hz "
                        f"(signed r² {v:+.2f}: {'more' if v > 0 else 'less'} power for {tx.class_label(a)}).")
        out.append(Bullets(best))
        if fig("r2_map"):
            out.append(Image(fig("r2_map")))
        if fig("r2_topomap"):
            out.append(Image(fig("r2_topomap")))
        else:
            out.append(Para("No topomap: fewer than 3 channels have a known scalp position.", "note"))

    # 6. decoder
    out.append(Heading(SECTIONS[5]))
    m = rep.main_model
    if m is None:
        out.append(Para(miss.get("model", "No decoder."), "note"))
    else:
        out.append(Para(m.verdict, _verdict_style(m.works)))
        rows = [["model file", m.file], ["SHA-256", m.sha256], ["chosen as", rep.main_model_reason],
                ["decoder (pipeline)", m.pipeline or "n/a"],
                ["classes", ", ".join(tx.class_label(c) for c in m.classes)],
                ["trained", (m.created or "n/a").replace("T", " ")],
                ["cross-validation", _cv_scheme(m.cv_scheme) + f", {m.n_trials} trials"],
                ["accuracy (cross-validated)", tx.pct_sd(m.accuracy, m.accuracy_std) + " (mean ± SD across folds)"],
                ["chance level", tx.pct(m.chance_level) + " (share of the largest class)"],
                ["significant from", tx.pct(m.significance_threshold) + " (binomial test, 5 % level)"],
                ["p-value", tx.pval(m.p_value) + " (binomial, pooled over folds)"]]
        if m.tried:
            rows.append(["decoders tried", ", ".join(f"{k} {tx.pct(v)}" for k, v in m.tried.items())])
            rows.append(["p-value, corrected", tx.pval(m.p_value_corrected) + f" (best of {m.n_tried}, "
                                                                            "Bonferroni)"])
        if m.kappa is not None:
            rows.append(["Cohen's kappa", f"{m.kappa:.2f} (0 = chance, 1 = perfect)"])
        rows.append(["epoch window", f"{tx.num(m.tmin, 's', 2)} to {tx.num(m.tmax, 's', 2)} after the cue"])
        if rep.itr is not None:
            rows.append(["information transfer rate", f"{rep.itr:.2f} bits/min (Wolpaw; {rep.trial_duration:.2f} s "
                                                      f"per trial: {rep.trial_duration_source})"])
        else:
            rows.append(["information transfer rate", "n/a (no calibration timing to base it on)"])
        out.append(Table(["", ""], rows, [1.3, 3.2]))
        if fig("confusion"):
            out.append(Image(fig("confusion")))
    others = [x for x in rep.models if x is not m]
    if others:
        out.append(Heading("Other model files in this session", 2))
        out.append(Table(["model file", "decoder", "accuracy (CV)", "chance", "p-value", "SHA-256"],
                         [[x.file, x.pipeline or "unreadable", tx.pct_sd(x.accuracy, x.accuracy_std),
                           tx.pct(x.chance_level), tx.pval(x.p_value), x.sha256] for x in others],
                         [2.6, 1.2, 1.3, 0.9, 1.0, 3.0], small=True))
        for x in others:
            if x.error:
                out.append(Para(x.verdict, "bad"))

    # 7. feedback
    out.append(Heading(SECTIONS[6]))
    if not rep.feedback:
        out.append(Para(miss.get("feedback", "No feedback run."), "note"))
    else:
        for fb in rep.feedback:
            out.append(Para(fb.sentence, "bad" if fb.error else _verdict_style(fb.significant)))
        ok = [fb for fb in rep.feedback if fb.error is None]
        if ok:
            out.append(Table(["run", "trials scored", "accuracy", "chance", "p-value", "ITR", "seconds per trial",
                              "model"],
                             [[f"{fb.task} {fb.run}", f"{fb.n_scored} of {fb.n_trials}", tx.pct(fb.accuracy),
                               tx.pct(fb.chance_level), tx.pval(fb.p_value), tx.num(fb.itr, "bits/min", 2),
                               tx.num(fb.trial_duration, "s", 2), _model_text(fb)] for fb in ok],
                             [1.6, 1.1, 1.0, 0.9, 1.0, 1.3, 1.1, 3.0], small=True))
            by_model: dict[tuple, list] = {}
            for fb in ok:
                if fb.model_sha256:
                    by_model.setdefault((fb.model, fb.model_sha256), []).append(str(fb.run))
            for (name, sha), which in by_model.items():
                runs = "Feedback run " + which[0] if len(which) == 1 else "Feedback runs " + ", ".join(which)
                out.append(Para(f"{runs}: model {name}, SHA-256 {sha}.", "note"))
            rows = []
            for fb in ok:
                for c in fb.classes:
                    pc = fb.per_class.get(c) or {}
                    rows.append([f"{fb.task} {fb.run}", tx.class_label(c), str(pc.get("n", "n/a")),
                                 str(pc.get("correct", "n/a")), tx.pct(pc.get("accuracy"))])
            out.append(Heading("Per class", 2))
            out.append(Table(["run", "class", "trials", "correct", "accuracy"], rows, [1.6, 2, 1, 1, 1], small=True))
            missing_rec = [fb for fb in ok if fb.recording and fb.recording_exists is False]
            for fb in missing_rec:
                out.append(Para(f"Feedback run {fb.run}: its recording {fb.recording} is not in this session folder.",
                                "note"))
        if fig("accuracy"):
            out.append(Image(fig("accuracy")))
    if rep.unscored_feedback_runs:
        out.append(Para("Recorded without a score summary (not included above): "
                        + ", ".join(rep.unscored_feedback_runs) + ".", "note"))

    # 8. history
    out.append(Heading(SECTIONS[7]))
    if rep.history:
        out.append(Table(["session", "date", "decoder accuracy (CV)", "chance", "feedback accuracy", "feedback trials"],
                         [[f"ses-{h.session}" + (" (this one)" if h.current else ""), h.date or "n/a",
                           tx.pct(h.cv_accuracy), tx.pct(h.cv_chance if h.cv_chance is not None else h.feedback_chance),
                           tx.pct(h.feedback_accuracy) if h.feedback_trials else "no feedback run",
                           str(h.feedback_trials)] for h in rep.history],
                         [1.5, 1.2, 1.6, 0.9, 1.5, 1.2]))
    if fig("history"):
        out.append(Image(fig("history")))
    if "history" in miss:
        out.append(Para(miss["history"], "note"))

    # 9. methods
    out.append(Heading(SECTIONS[8]))
    out.append(Bullets([
        "Accuracy: share of trials decoded as the class the patient was asked for, in %. Cross-validated: "
        "the decoder is tested on calibration trials it was not trained on (each fold in turn).",
        "Chance level: the accuracy of always guessing the largest class (cross-validation) or one class in n "
        "(feedback runs).",
        "p-value: probability of doing at least this well by guessing (one-sided binomial test). Significant: "
        "p below 0.05 and accuracy above chance; when the guided training keeps the best of several decoders, "
        "p is multiplied by their number first (Bonferroni).",
        "Information transfer rate (ITR, Wolpaw): bits per trial B = log2 N + P log2 P + (1-P) log2((1-P)/(N-1)) "
        "for N classes and accuracy P, times trials per minute (60 / seconds per trial, rest included); 0 at or "
        "below chance.",
        "Signed r²: squared point-biserial correlation between the log power and the class, with the sign of the "
        "difference of the class means.",
        f"Signal quality: {QUALITY_RULE}.",
    ]))
    return out


def _n(x: int | None) -> str:
    return "n/a" if x is None else str(x)


def _cv_scheme(s: str | None) -> str:
    if s is None:
        return "n/a"
    if s.isdigit():
        return f"{s}-fold, stratified"
    return {"runs": "leave one run out", "chrono": "train on the first 80 %, test on the rest"}.get(s, s)


def _model_text(fb) -> str:
    if not fb.model:
        return "n/a"
    if fb.model_in_session is True:
        return f"{fb.model} (this session's file)"
    if fb.model_in_session is False:
        return f"{fb.model} (not a model file of this session)"
    return fb.model

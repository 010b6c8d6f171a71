"""The report's figures, drawn with matplotlib's object API (no pyplot state: safe in a worker thread)
and returned as PNG bytes.

The r² topomap places electrodes with :func:`bcigui.core.data.montage.positions_2d` (the positions the
analysis workspace uses) and draws them with :func:`mne.viz.plot_topomap`, whose cubic interpolation
(Clough-Tocher, extrapolated to the head outline) is the method the workspace's topomap uses.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from bcigui.core.report import text as tx
from bcigui.core.report.contents import Figure, SessionReport

DPI = 110
LEVEL_COLOURS = {"good": "#2e7d32", "warn": "#ef8f00", "bad": "#c62828"}
CV_COLOUR, FB_COLOUR = "#1f5fa8", "#7b3fa0"


def _figure(w: float, h: float) -> Any:
    from matplotlib.figure import Figure as MplFigure

    # explicit margins (no constrained layout: it draws every figure several times)
    return MplFigure(figsize=(w, h), dpi=DPI)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, facecolor="white")
    return buf.getvalue()


def _head(ax: Any, r: float = 1.0) -> None:
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(r * np.cos(t), r * np.sin(t), color="k", lw=1.2)
    ax.plot([-0.12 * r, 0, 0.12 * r], [0.99 * r, 1.12 * r, 0.99 * r], color="k", lw=1.2)
    e = np.linspace(-0.35, 0.35, 30)
    for side in (-1, 1):
        ax.plot(side * (r + 0.06 * np.cos(e / 0.35 * np.pi / 2)), e, color="k", lw=1.2)
    ax.set_aspect("equal")
    ax.set_xlim(-1.25 * r, 1.25 * r)
    ax.set_ylim(-1.2 * r, 1.25 * r)
    ax.axis("off")


def quality_figure(rep: SessionReport) -> Figure | None:
    from bcigui.core.data.montage import positions_2d

    q = rep.quality
    if q is None or not q.rows:
        return None
    names = [r.name for r in q.rows]
    pos = positions_2d(names)
    with_head = len(pos) >= 3
    n = len(q.rows)
    fig = _figure(10.0 if with_head else 8.0, 3.8 if n <= 40 else 4.6)
    bottom = 0.2 if n > 16 else 0.12
    if with_head:
        ax_head = fig.add_axes((0.0, 0.02, 0.3, 0.86))
        ax_bar = fig.add_axes((0.38, bottom, 0.6, 0.88 - bottom))
        _head(ax_head)
        known = [r for r in q.rows if r.name in pos]
        xy = np.array([pos[r.name] for r in known])
        ax_head.scatter(xy[:, 0], xy[:, 1], s=150 if n <= 40 else 60, c=[LEVEL_COLOURS[r.level] for r in known],
                        edgecolors="k", linewidths=0.6, zorder=3)
        if n <= 64:
            dy = 0.09 if n <= 40 else 0.06
            for r, (x, y) in zip(known, xy, strict=True):
                ax_head.text(x, y - dy, r.name, ha="center", va="top", fontsize=7 if n <= 40 else 5)
        ax_head.set_title("Channel quality on the head", fontsize=10)
    else:
        ax_bar = fig.add_axes((0.08, bottom, 0.9, 0.88 - bottom))
    x = np.arange(n)
    std = np.array([max(r.std_uv, 0.05) if np.isfinite(r.std_uv) else 0.05 for r in q.rows])
    ax_bar.bar(x, std, color=[LEVEL_COLOURS[r.level] for r in q.rows], edgecolor="k", lw=0.4)
    th = q.thresholds
    for key, label, style in (("flat_uv", "flat below", ":"), ("warn_std_uv", "warn above", "--"),
                              ("bad_std_uv", "bad above", "-.")):
        if th.get(key):
            ax_bar.axhline(th[key], color="0.35", ls=style, lw=1)
            ax_bar.annotate(f"{label} {th[key]:g} µV", (1.0, th[key]), xycoords=("axes fraction", "data"),
                            xytext=(-3, 2), textcoords="offset points", ha="right", va="bottom", fontsize=7,
                            color="0.3", bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    ax_bar.set_yscale("log")
    ax_bar.set_ylim(min(0.2, std.min() / 2), max(600.0, std.max() * 2))
    ax_bar.set_xticks(x, names, rotation=90 if n > 16 else 0, fontsize=7 if n > 32 else 8)
    ax_bar.set_xlim(-0.6, n - 0.4)
    ax_bar.set_ylabel("median std (µV)")
    ax_bar.set_title(f"Signal amplitude per channel ({q.window_s:g}-s windows)", fontsize=10)
    handles = [_patch(c, lvl) for lvl, c in LEVEL_COLOURS.items()]
    ax_bar.legend(handles=handles, fontsize=7, loc="upper left", ncols=3, frameon=False)
    return Figure("quality", "Signal quality per channel",
                  "Colour: good (green), warn (orange), bad (red) over the calibration; bars: median "
                  "amplitude (standard deviation, µV, log scale) of the channel in 2-s windows.", _png(fig))


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor="k", lw=0.4, label=label)


def _contrast_title(a: str, b: str) -> str:
    return f"{tx.class_label(a)} vs {tx.class_label(b)}"


def r2_map_figure(rep: SessionReport) -> Figure | None:
    r2 = rep.r2
    if r2 is None:
        return None
    k = len(r2.maps)
    n_ch = len(r2.ch_names)
    cols = min(k, 2)
    rows = int(np.ceil(k / cols))
    h = max(2.8, min(8.0, 0.13 * n_ch + 1.2))
    width = 5.0 * cols + 1.3
    fig = _figure(width, h * rows)
    fig.subplots_adjust(left=0.6 / width, right=1 - 1.25 / width, bottom=0.55 / (h * rows),
                        top=1 - 0.35 / (h * rows), wspace=0.25, hspace=0.35)
    lim = max(float(np.max(np.abs(m))) for m in r2.maps) or 1e-3
    freqs = np.asarray(r2.freqs)
    df = float(freqs[1] - freqs[0]) if len(freqs) > 1 else 1.0
    im = None
    for i, ((a, b), m) in enumerate(zip(r2.contrasts, r2.maps, strict=True)):
        ax = fig.add_subplot(rows, cols, i + 1)
        im = ax.imshow(m, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest",
                       extent=(freqs[0] - df / 2, freqs[-1] + df / 2, n_ch - 0.5, -0.5))
        ax.set_yticks(np.arange(n_ch), r2.ch_names, fontsize=7 if n_ch <= 32 else 4)
        ax.set_xlabel("frequency (Hz)")
        ax.set_title(_contrast_title(a, b), fontsize=10)
        ch, f, v = r2.best[i]
        ax.plot([f], [r2.ch_names.index(ch)], marker="o", mfc="none", mec="k", ms=9, mew=1.2)
    cb = fig.colorbar(im, cax=fig.add_axes((1 - 1.05 / width, 0.15, 0.15 / width, 0.7)))
    cb.set_label("signed r² (no unit)")
    a0, _ = r2.contrasts[0]
    return Figure("r2_map", "Class discriminability: signed r² (channel × frequency)",
                  f"Signed r² of the log power spectrum, {r2.n_epochs} kept trials, {r2.tmin:g}-{r2.tmax:g} s "
                  f"after the cue. Red: more power for {tx.class_label(a0)}, blue: less. Circle: the "
                  "strongest difference.", _png(fig))


def r2_topomap_figure(rep: SessionReport) -> Figure | None:
    import mne

    from bcigui.core.data.montage import positions_2d
    from bcigui.core.features.discriminability import topomap_values

    r2 = rep.r2
    if r2 is None or len(r2.topo_channels) < 3:
        return None
    pos = positions_2d(r2.ch_names)
    idx = [i for i, c in enumerate(r2.ch_names) if c in pos]
    xy = np.array([pos[r2.ch_names[i]] for i in idx])
    k = len(r2.maps)
    cols = min(k, 3)
    rows = int(np.ceil(k / cols))
    width = 3.4 * cols + 1.4
    fig = _figure(width, 3.3 * rows)
    fig.subplots_adjust(left=0.02, right=1 - 1.4 / width, bottom=0.02, top=1 - 0.45 / (3.3 * rows),
                        wspace=0.1, hspace=0.25)
    vals = [np.asarray(topomap_values(m, r2.freqs, lo, hi, "mean"))[idx] for m, (lo, hi) in zip(r2.maps, r2.bands,
                                                                                                    strict=True)]
    lim = max(float(np.max(np.abs(v))) for v in vals) or 1e-3
    radius = max(1.0, float(np.hypot(xy[:, 0], xy[:, 1]).max()))
    im = None
    for i, v in enumerate(vals):
        ax = fig.add_subplot(rows, cols, i + 1)
        im, _ = mne.viz.plot_topomap(v, xy, axes=ax, show=False, sphere=(0.0, 0.0, 0.0, radius), cmap="RdBu_r",
                                     vlim=(-lim, lim), contours=0, sensors=True, names=[r2.ch_names[j] for j in idx]
                                     if len(idx) <= 32 else None, image_interp="cubic", extrapolate="head",
                                     outlines="head")
        lo, hi = r2.bands[i]
        a, b = r2.contrasts[i]
        ax.set_title(f"{_contrast_title(a, b)}\n{lo:g}-{hi:g} Hz", fontsize=9)
    for t in fig.findobj(match=lambda o: hasattr(o, "get_text") and o.get_text() in r2.ch_names):
        t.set_fontsize(6)
    cb = fig.colorbar(im, cax=fig.add_axes((1 - 1.2 / width, 0.15, 0.15 / width, 0.65)))
    cb.set_label("signed r² (no unit)")
    return Figure("r2_topomap", "Signed r² on the scalp",
                  "Signed r² averaged over the band of the strongest difference (±1 Hz around it), on the "
                  "electrodes' scalp positions.", _png(fig))


def _confusion_panel(ax: Any, cm: np.ndarray, classes: list[str], title: str, first: bool = True) -> Any:
    cm = np.asarray(cm, dtype=float)
    rows = cm.sum(axis=1, keepdims=True)
    frac = np.divide(cm, rows, out=np.zeros_like(cm), where=rows > 0)
    im = ax.imshow(frac, cmap="Blues", vmin=0, vmax=1)
    labels = [tx.class_label(c) for c in classes]
    ax.set_xticks(range(len(classes)), labels, fontsize=8, rotation=30 if len(classes) > 2 else 0)
    ax.set_yticks(range(len(classes)), labels if first else [], fontsize=8)
    ax.set_xlabel("decoded as")
    if first:
        ax.set_ylabel("asked (cue)")
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, f"{int(cm[i, j])}\n{100 * frac[i, j]:.0f} %", ha="center", va="center", fontsize=8,
                    color="white" if frac[i, j] > 0.6 else "black")
    ax.set_title(title, fontsize=10)
    return im


def confusion_figure(rep: SessionReport) -> Figure | None:
    panels = []
    m = rep.main_model
    if m is not None and m.confusion and m.classes:
        panels.append((np.asarray(m.confusion), m.classes, "Decoder, cross-validation"))
    for fb in rep.feedback:
        if fb.confusion and fb.classes and np.asarray(fb.confusion).sum() > 0:
            panels.append((np.asarray(fb.confusion), fb.classes, f"Feedback run {fb.run}"))
    if not panels:
        return None
    panels = panels[:4]
    n_cls = max(len(p[1]) for p in panels)
    size = 2.3 + 0.45 * max(0, n_cls - 2)
    width = size * len(panels) + 2.2
    height = size + 0.9
    fig = _figure(width, height)
    fig.subplots_adjust(left=1.1 / width, right=1 - 1.1 / width, bottom=0.65 / height, top=1 - 0.3 / height,
                        wspace=0.12)
    im = None
    for i, (cm, classes, title) in enumerate(panels):
        im = _confusion_panel(fig.add_subplot(1, len(panels), i + 1), cm, classes, title,
                              first=i == 0 or classes != panels[i - 1][1])
    cb = fig.colorbar(im, cax=fig.add_axes((1 - 0.95 / width, 0.2, 0.12 / width, 0.65)))
    cb.set_label("share of the row's trials")
    return Figure("confusion", "Confusion matrices",
                  "Rows: the class the patient was asked for; columns: the class decoded. Each cell: number "
                  "of trials and share of the row (%).", _png(fig))


def accuracy_figure(rep: SessionReport) -> Figure | None:
    bars = []
    m = rep.main_model
    if m is not None and m.accuracy is not None:
        bars.append(("calibration\n(cross-validated)", m.accuracy, m.accuracy_std, m.chance_level, CV_COLOUR))
    for fb in rep.feedback:
        if fb.accuracy is not None:
            bars.append((f"feedback\nrun {fb.run}", fb.accuracy, None, fb.chance_level, FB_COLOUR))
    if not rep.feedback or not bars:
        return None
    fig = _figure(max(4.0, 1.3 * len(bars) + 2.0), 3.2)
    fig.subplots_adjust(left=0.14, right=0.97, bottom=0.2, top=0.9)
    ax = fig.add_subplot()
    x = np.arange(len(bars))
    for i, (_, acc, sd, chance, colour) in enumerate(bars):
        ax.bar(i, 100 * acc, color=colour, width=0.6, yerr=100 * sd if sd else None, capsize=4)
        ax.text(i, 100 * acc + (100 * sd if sd else 0) + 2, tx.pct(acc), ha="center", va="bottom", fontsize=9)
        if chance is not None:
            ax.plot([i - 0.4, i + 0.4], [100 * chance] * 2, color="k", ls="--", lw=1.2)
    ax.plot([], [], color="k", ls="--", lw=1.2, label="chance level")
    ax.legend(fontsize=8, loc="lower right", frameon=True)
    ax.set_xticks(x, [b[0] for b in bars], fontsize=8)
    ax.set_ylim(0, 112)
    ax.set_ylabel("correct (%)")
    ax.set_title("Accuracy per run", fontsize=10)
    return Figure("accuracy", "Accuracy per run",
                  "Cross-validated accuracy of the decoder on the calibration (± SD across folds) and accuracy "
                  "of each feedback run; dashed: chance level.", _png(fig))


def history_figure(rep: SessionReport) -> Figure | None:
    pts = [h for h in rep.history if h.cv_accuracy is not None or h.feedback_accuracy is not None]
    if len(pts) < 2:
        return None
    fig = _figure(max(4.5, 0.7 * len(pts) + 3), 3.4)
    fig.subplots_adjust(left=0.15, right=0.97, bottom=0.27, top=0.9)
    ax = fig.add_subplot()
    x = np.arange(len(pts))
    cv = np.array([np.nan if h.cv_accuracy is None else 100 * h.cv_accuracy for h in pts])
    fb = np.array([np.nan if h.feedback_accuracy is None else 100 * h.feedback_accuracy for h in pts])
    if np.isfinite(cv).any():
        ax.plot(x, cv, "o-", color=CV_COLOUR, label="decoder (cross-validated)")
    if np.isfinite(fb).any():
        ax.plot(x, fb, "s-", color=FB_COLOUR, label="feedback runs")
    chance = [h.cv_chance if h.cv_chance is not None else h.feedback_chance for h in pts]
    ch = np.array([np.nan if c is None else 100 * c for c in chance])
    ax.plot(x, ch, color="k", ls="--", lw=1, label="chance level")
    labels = [f"ses-{h.session}" + (f"\n{h.date}" if h.date else "") + ("\n(this one)" if h.current else "")
              for h in pts]
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_xlim(-0.4, len(pts) - 0.6)
    ax.set_ylabel("correct (%)")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Accuracy across the patient's sessions", fontsize=10)
    return Figure("history", "Accuracy across sessions",
                  "Each session's decoder (cross-validated on its calibration) and its feedback runs (all "
                  "trials pooled); dashed: chance level.", _png(fig))


FIGURES = (quality_figure, r2_map_figure, r2_topomap_figure, confusion_figure, accuracy_figure, history_figure)


def make_figures(rep: SessionReport) -> dict[str, Figure]:
    """Every figure the report's data allow, by key."""
    out = {}
    for make in FIGURES:
        fig = make(rep)
        if fig is not None:
            out[fig.key] = fig
    return out

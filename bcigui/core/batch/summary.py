"""``summary.md`` (mean ± SD per data set and pipeline, paired Wilcoxon tests between pipelines on the
same subjects/sessions) and ``summary.png`` (per-subject scores, one line per pipeline) from results.csv."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from bcigui.core.batch.results import read_results


def _by_dataset(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[tuple[int, str], dict[str, Any]]]]:
    out: dict[str, dict[str, dict[tuple[int, str], dict[str, Any]]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        out[r["dataset"]][r["pipeline"]][(r["subject"], r["session"])] = r
    return out


def _signed_rank_sum(d: np.ndarray, axis: int = -1) -> np.ndarray:
    """Wilcoxon's statistic with zeros split ("zsplit"): the ranks of |d| of the positive differences."""
    r = stats.rankdata(np.abs(d), axis=axis)
    return np.sum(r * (d > 0), axis=axis) + 0.5 * np.sum(r * (d == 0), axis=axis)


def paired_test(a: dict[tuple[int, str], float], b: dict[tuple[int, str], float]) -> dict[str, Any]:
    """Wilcoxon signed-rank test (two-sided) on the subjects/sessions both pipelines have.

    Up to 13 pairs the p-value is exact: all 2**n sign flips (what scipy's ``wilcoxon`` does when scores
    tie, but there with a statistic evaluated one flip at a time: 1.6 s per pair of pipelines at n = 13).
    """
    common = sorted(set(a) & set(b))
    diff = np.array([a[k] - b[k] for k in common])
    out: dict[str, Any] = {"n": len(common), "mean_difference": float(diff.mean()) if len(diff) else float("nan")}
    if len(diff) < 2 or not np.any(diff != 0):
        out["p_value"] = float("nan") if len(diff) < 2 else 1.0
    elif len(diff) <= 13:
        out["p_value"] = float(stats.permutation_test((diff,), _signed_rank_sum, permutation_type="samples",
                                                      vectorized=True, n_resamples=np.inf).pvalue)
    else:
        out["p_value"] = float(stats.wilcoxon(diff, zero_method="zsplit").pvalue)
    return out


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per data set: per-pipeline statistics and pairwise tests on ``score``."""
    result: dict[str, Any] = {}
    for dataset, pipes in sorted(_by_dataset(rows).items()):
        stats_rows = []
        for name, cells in sorted(pipes.items()):
            scores = np.array([c["score"] for c in cells.values()])
            accs = np.array([c["accuracy"] for c in cells.values()])
            first = next(iter(cells.values()))
            stats_rows.append({"pipeline": name, "n": len(scores), "scoring": first.get("scoring", "score"),
                               "score_mean": float(scores.mean()), "score_sd": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
                               "accuracy_mean": float(accs.mean()),
                               "accuracy_sd": float(accs.std(ddof=1)) if len(accs) > 1 else 0.0,
                               "chance_level_mean": float(np.mean([c["chance_level"] for c in cells.values()]))})
        tests = []
        for p1, p2 in combinations(sorted(pipes), 2):
            a = {k: c["score"] for k, c in pipes[p1].items()}
            b = {k: c["score"] for k, c in pipes[p2].items()}
            tests.append({"a": p1, "b": p2, **paired_test(a, b)})
        result[dataset] = {"pipelines": stats_rows, "tests": tests}
    return result


def _markdown(summary: dict[str, Any], n_rows: int, n_failed: int) -> str:
    lines = ["# Batch evaluation summary", "",
             f"{n_rows} result row(s) in results.csv" + (f"; {n_failed} failed task(s) logged in errors.jsonl"
                                                       if n_failed else "") + ".", ""]
    for dataset, s in summary.items():
        scoring = s["pipelines"][0]["scoring"] if s["pipelines"] else "score"
        lines += [f"## {dataset}", "", f"| pipeline | n | score ({scoring}) mean ± SD | accuracy mean ± SD | accuracy chance level |",
                  "|---|---|---|---|---|"]
        for p in sorted(s["pipelines"], key=lambda p: -p["score_mean"]):
            lines.append(f"| {p['pipeline']} | {p['n']} | {p['score_mean']:.3f} ± {p['score_sd']:.3f} | "
                         f"{p['accuracy_mean']:.3f} ± {p['accuracy_sd']:.3f} | {p['chance_level_mean']:.2f} |")
        if s["tests"]:
            lines += ["", "Paired Wilcoxon signed-rank tests on the score (same subjects and sessions, two-sided):", "",
                      "| A | B | n | mean A − B | p |", "|---|---|---|---|---|"]
            for t in s["tests"]:
                p = "n/a" if np.isnan(t["p_value"]) else f"{t['p_value']:.3g}"
                lines.append(f"| {t['a']} | {t['b']} | {t['n']} | {t['mean_difference']:+.3f} | {p} |")
        lines.append("")
    return "\n".join(lines)


def plot_summary(rows: list[dict[str, Any]], path: str | Path) -> None:
    """Per-subject scores, one panel per data set and one line per pipeline."""
    from matplotlib.figure import Figure  # object API: no pyplot, no backend switch (safe in the GUI process)

    data = _by_dataset(rows)
    fig = Figure(figsize=(max(6.0, 0.45 * max((len({k[0] for c in p.values() for k in c}) for p in data.values()),
                                            default=1) + 3), 3.6 * max(1, len(data))), dpi=100)
    for i, (dataset, pipes) in enumerate(sorted(data.items())):
        ax = fig.add_subplot(max(1, len(data)), 1, i + 1)
        cells = sorted({k for c in pipes.values() for k in c})
        labels = [str(s) if len({k[1] for k in cells}) == 1 else f"{s}/{sess}" for s, sess in cells]
        x = np.arange(len(cells))
        for name, c in sorted(pipes.items()):
            y = np.array([c[k]["score"] if k in c else np.nan for k in cells])
            ax.plot(x, y, marker="o", label=f"{name} ({np.nanmean(y):.3f})")
        scoring = next(iter(next(iter(pipes.values())).values())).get("scoring", "score")
        # ROC AUC's chance is 0.5; accuracy's the largest class proportion
        chance = 0.5 if scoring == "roc_auc" else np.mean([r["chance_level"] for c in pipes.values() for r in c.values()])
        ax.axhline(chance, color="0.5", ls="--", lw=1, label=f"chance ({chance:.2f})")
        ax.set(title=dataset, xlabel="subject", ylabel=scoring, xticks=x, ylim=(0, 1.02))
        ax.set_xticklabels(labels)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


def write_summary(folder: str | Path) -> dict[str, Any]:
    """Write summary.md and summary.png next to results.csv; returns the summary dict."""
    folder = Path(folder)
    rows = read_results(folder / "results.csv")
    errors = folder / "errors.jsonl"
    failed = _current_failures(errors, {(r["dataset"], r["subject"], r["session"], r["pipeline"]) for r in rows})
    summary = summarize(rows)
    (folder / "summary.md").write_text(_markdown(summary, len(rows), failed))
    if rows:
        plot_summary(rows, folder / "summary.png")
    return summary


def _current_failures(path: Path, done: set[tuple]) -> int:
    """Failed tasks not completed since (a later --resume may have computed them)."""
    import json

    if not path.is_file():
        return 0
    keys = set()
    for line in path.read_text().splitlines():
        try:
            e = json.loads(line)
        except json.JSONDecodeError:
            continue
        keys.add((e["dataset"], int(e["subject"]), str(e["session"]), e["pipeline"]))
    return len(keys - done)

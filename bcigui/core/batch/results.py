"""The results folder: ``results.csv`` (one row per finished task, appended and synced to disk as
each task finishes), ``errors.jsonl`` (failed tasks with their error) and ``config.json`` (what a
``--resume`` must match).

Columns are MOABB's (``score, time, samples, subject, session, channels, n_sessions, dataset,
pipeline``; ``score`` is ROC AUC for two classes and accuracy otherwise, ``time`` the mean time per
fold) followed by bcigui's (``scoring``, ``accuracy``, ``kappa``, ``chance_level``...).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

from bcigui.core.batch.tasks import TaskKey

MOABB_COLUMNS = ("score", "time", "samples", "subject", "session", "channels", "n_sessions", "dataset", "pipeline")
COLUMNS = (*MOABB_COLUMNS, "scoring", "accuracy", "kappa", "chance_level", "n_classes", "cv", "files")
_FLOATS = ("score", "time", "accuracy", "kappa", "chance_level")
_INTS = ("samples", "subject", "channels", "n_sessions", "n_classes")


def row_key(row: dict[str, Any]) -> TaskKey:
    return TaskKey(str(row["dataset"]), int(row["subject"]), str(row["session"]), str(row["pipeline"]))


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """Rows of a results.csv with numbers parsed (a trailing partial line is ignored)."""
    path = Path(path)
    if not path.is_file():
        return []
    text = path.read_text()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    rows = []
    for raw in csv.DictReader(io.StringIO(text)):
        if None in raw or any(v is None for v in raw.values()):
            continue  # malformed line
        row: dict[str, Any] = dict(raw)
        for k in _FLOATS:
            if k in row:
                row[k] = float(row[k])
        for k in _INTS:
            if k in row:
                row[k] = int(row[k])
        rows.append(row)
    return rows


class ResultsStore:
    """Append-only results folder; ``done`` holds the keys of the rows already on disk."""

    def __init__(self, folder: str | Path, config: dict[str, Any], resume: bool = False) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / "results.csv"
        self.errors_path = self.folder / "errors.jsonl"
        self.config_path = self.folder / "config.json"
        has_rows = self.path.is_file() and len(self.path.read_text().splitlines()) > 1  # beyond the header
        if has_rows and not resume:
            raise FileExistsError(f"--results: {self.path} already holds results; pass --resume to complete it "
                                  "or choose another --results folder")
        if resume and self.config_path.is_file():
            self._check_config(json.loads(self.config_path.read_text()), config)
        self.done: set[TaskKey] = set()
        if has_rows:
            self._repair()
            self.done = {row_key(r) for r in read_results(self.path)}
        else:  # a new file, or only the header of a run stopped before its first row
            self._write_atomic(self.path, ",".join(COLUMNS) + "\n")
        merged = dict(config)
        if resume and self.config_path.is_file():
            old = json.loads(self.config_path.read_text())
            merged["datasets"] = {**old.get("datasets", {}), **config.get("datasets", {})}
        self._write_atomic(self.config_path, json.dumps(merged, indent=2))

    @staticmethod
    def _check_config(old: dict[str, Any], new: dict[str, Any]) -> None:
        for key, flag in (("cv", "--cv"), ("seed", "--seed")):
            if str(old.get(key)) != str(new.get(key)):
                raise ValueError(f"{flag} {new.get(key)} differs from the {old.get(key)!r} these results were "
                                 f"computed with; resume with {flag} {old.get(key)} or use another --results folder")
        for name, definition in new.get("datasets", {}).items():
            before = old.get("datasets", {}).get(name)
            if before is not None:
                a = {k: v for k, v in before.items() if k != "root"}
                b = {k: v for k, v in definition.items() if k != "root"}
                if a != b:
                    raise ValueError(f"--dataset {name}: its definition differs from the one these results were "
                                     "computed with (config.json); use another --results folder")

    def _repair(self) -> None:
        """Drop a partial last line (a run killed while writing) and check the header."""
        text = self.path.read_text()
        header = text.split("\n", 1)[0]
        if header.split(",") != list(COLUMNS):
            raise ValueError(f"--results: {self.path} is not a bcigui results file (columns {header!r}, "
                             f"expected {','.join(COLUMNS)})")
        if not text.endswith("\n"):
            self._write_atomic(self.path, text[: text.rfind("\n") + 1])

    @staticmethod
    def _write_atomic(path: Path, text: str) -> None:
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def append(self, row: dict[str, Any]) -> bool:
        """Write one row (a complete line, synced); a key already on disk is not written twice."""
        key = row_key(row)
        if key in self.done:
            return False
        buf = io.StringIO()
        csv.DictWriter(buf, COLUMNS, extrasaction="ignore", lineterminator="\n").writerow(row)
        with open(self.path, "a") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        self.done.add(key)
        return True

    def record_failure(self, key: TaskKey, error: str, traceback: str = "") -> None:
        entry = {"dataset": key.dataset, "subject": key.subject, "session": key.session, "pipeline": key.pipeline,
                 "error": error, "traceback": traceback, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
        with open(self.errors_path, "a") as f:
            f.write(json.dumps(entry) + "\n")
            f.flush()

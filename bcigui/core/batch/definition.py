"""Data-set definitions: which files hold each subject's sessions and runs, which events are which
class, and the epoch window. Declared as a small mapping (TOML/JSON file or a ``dataset`` plugin).

Keys of a definition (see ``docs/batch.md``)::

    name = "physionet-lr"           # identifier written in results.csv
    paradigm = "mi"                 # "mi" or "ssvep": which decoder pipelines apply
    files = "S{subject:03d}/S{subject:03d}R{run:02d}.edf"   # relative to ROOT; or a glob ("*_raw.fif")
    runs = [4, 8, 12]               # needed when ``files`` has {run}
    sessions = {"0" = [4, 8, 12]}   # optional: session name -> runs (default: one session "0")
    subjects = "1-109"              # declared subjects ("1-10,42" or a list)
    events = {T1 = "left", T2 = "right"}
    tmin = 0.0                      # epoch window after each event, s
    tmax = 3.0
    channels = ["C3", "Cz", "C4"]   # optional channel subset (default: all EEG channels)
    extends = "physionet-lr"        # optional: start from a registered data set and override keys
    root = "data"                   # optional default ROOT, relative to the definition file
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

PARADIGMS = ("mi", "ssvep")
_KEYS = {"name", "paradigm", "files", "runs", "sessions", "subjects", "events", "tmin", "tmax", "channels",
         "description", "extends", "root"}
_GLOB_CHARS = ("*", "?")


def parse_subjects(text: str | list[int] | tuple[int, ...], what: str = "--subjects") -> list[int]:
    """``"1-10,42"`` -> ``[1, ..., 10, 42]`` (sorted, without duplicates); lists are checked."""
    if isinstance(text, list | tuple):
        items = [str(v) for v in text]
    else:
        items = [t.strip() for t in str(text).split(",") if t.strip()]
    out: set[int] = set()
    for item in items:
        lo, sep, hi = item.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise ValueError(f"{what} takes subject numbers and ranges such as '1-10,42', got {item!r}") from None
        if a < 1 or b < a:
            raise ValueError(f"{what}: a range must be 'first-last' with 1 <= first <= last, got {item!r}")
        out.update(range(a, b + 1))
    if not out:
        raise ValueError(f"{what} is empty; give subject numbers and ranges such as '1-10,42'")
    return sorted(out)


@dataclass(frozen=True)
class DatasetDefinition:
    """A declared data set rooted at ``root``; see the module docstring for the meaning of each field."""

    name: str
    paradigm: str
    files: str
    events: dict[str, str]
    tmin: float
    tmax: float
    subjects: tuple[int, ...]
    runs: tuple[int, ...] = ()
    sessions: dict[str, tuple[int, ...]] = field(default_factory=dict)
    channels: tuple[str, ...] = ()
    description: str = ""
    root: str = ""

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], root: str | Path | None = None,
                     origin: str = "data-set definition") -> DatasetDefinition:
        """Validate a definition mapping; errors name the key, what is allowed and what was given."""
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise ValueError(f"{origin}: unknown key(s) {unknown}; allowed keys: {sorted(_KEYS)}")
        missing = [k for k in ("name", "paradigm", "files", "events", "tmin", "tmax", "subjects") if k not in data]
        if missing:
            raise ValueError(f"{origin}: missing required key(s) {missing}")
        name = str(data["name"])
        if not name or not name.replace("-", "_").replace(".", "_").isidentifier():
            raise ValueError(f"{origin}: 'name' must be an identifier such as 'physionet-lr', got {name!r}")
        paradigm = data["paradigm"]
        if paradigm not in PARADIGMS:
            raise ValueError(f"{origin}: 'paradigm' must be one of {list(PARADIGMS)}, got {paradigm!r}")
        files = str(data["files"])
        has_run = "{run" in files
        runs = tuple(int(r) for r in data.get("runs", ()))
        if has_run and not runs:
            raise ValueError(f"{origin}: 'files' ({files!r}) contains {{run}}, so 'runs' must list the run numbers")
        if "{subject" not in files:
            raise ValueError(f"{origin}: 'files' must contain {{subject}} (e.g. 'sub{{subject:02d}}/*.fif'), got {files!r}")
        sessions_in = data.get("sessions") or {}
        if not isinstance(sessions_in, Mapping):
            raise ValueError(f"{origin}: 'sessions' must map session names to run lists, got {sessions_in!r}")
        sessions = {str(k): tuple(int(r) for r in v) for k, v in sessions_in.items()}
        if sessions and not has_run:
            raise ValueError(f"{origin}: 'sessions' needs run numbers, so 'files' must contain {{run}}")
        bad = {s: [r for r in rs if r not in runs] for s, rs in sessions.items()}
        bad = {s: rs for s, rs in bad.items() if rs}
        if bad:
            raise ValueError(f"{origin}: 'sessions' lists runs not in 'runs' {list(runs)}: {bad}")
        events = data["events"]
        if not isinstance(events, Mapping) or not events:
            raise ValueError(f"{origin}: 'events' must map event codes to class names, got {events!r}")
        tmin, tmax = float(data["tmin"]), float(data["tmax"])
        if tmax <= tmin:
            raise ValueError(f"{origin}: 'tmax' ({tmax}) must be greater than 'tmin' ({tmin})")
        channels = data.get("channels") or ()
        if isinstance(channels, str):
            channels = [c.strip() for c in channels.split(",") if c.strip()]
        return cls(name=name, paradigm=paradigm, files=files, events={str(k): str(v) for k, v in events.items()},
                   tmin=tmin, tmax=tmax, subjects=tuple(parse_subjects(data["subjects"], f"{origin}: 'subjects'")),
                   runs=runs, sessions=sessions, channels=tuple(str(c) for c in channels),
                   description=str(data.get("description", "")),
                   root=str(root if root is not None else data.get("root", "")))

    def with_root(self, root: str | Path) -> DatasetDefinition:
        return replace(self, root=str(root))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (as written in the results folder's ``config.json``)."""
        d = asdict(self)
        d.update(subjects=list(self.subjects), runs=list(self.runs), channels=list(self.channels),
                 sessions={k: list(v) for k, v in self.sessions.items()})
        return d

    # -- files --------------------------------------------------------------------------------
    def session_names(self) -> list[str]:
        return list(self.sessions) if self.sessions else ["0"]

    def _root(self) -> Path:
        if not self.root:
            raise ValueError(f"data set {self.name!r} needs a ROOT folder: --dataset {self.name}:ROOT")
        return Path(self.root).expanduser()

    def files_of(self, subject: int, session: str) -> tuple[list[tuple[int, Path]], list[Path]]:
        """``([(run, path), ...] that exist, [paths declared but missing])`` for one subject's session."""
        root = self._root()
        if "{run" in self.files:
            runs = self.sessions.get(session, self.runs) if self.sessions else self.runs
            if self.sessions and session not in self.sessions:
                raise ValueError(f"data set {self.name!r} has no session {session!r}; sessions: {self.session_names()}")
            paths = [(run, root / self.files.format(subject=subject, run=run)) for run in runs]
            return [(r, p) for r, p in paths if p.is_file()], [p for _, p in paths if not p.is_file()]
        rel = self.files.format(subject=subject)
        if any(c in rel for c in _GLOB_CHARS):
            found = sorted(p for p in root.glob(rel) if p.is_file())
            return list(enumerate(found)), ([] if found else [root / rel])
        path = root / rel
        return ([(0, path)], []) if path.is_file() else ([], [path])

    def available_subjects(self) -> list[int]:
        """Declared subjects with at least one file under ROOT."""
        return [s for s in self.subjects if any(self.files_of(s, sess)[0] for sess in self.session_names())]


def load_definition_file(path: str | Path, root: str | Path | None = None) -> DatasetDefinition:
    """Read a TOML or JSON definition; ``extends = NAME`` starts from registered data set ``NAME``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"--dataset: no such definition file {path}")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text())
        else:
            data = tomllib.loads(path.read_text())
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as err:
        raise ValueError(f"--dataset: {path} is not valid {path.suffix.lstrip('.').upper()}: {err}") from None
    if "extends" in data:
        base = _registered(str(data["extends"]), None).to_dict()
        base.pop("root")
        data = {**base, **{k: v for k, v in data.items() if k != "extends"}}
    if root is None and data.get("root"):
        root = (path.parent / str(data["root"])).resolve()
    return DatasetDefinition.from_mapping(data, root, origin=str(path))


def _registered(name: str, root: str | None) -> DatasetDefinition:
    from bcigui.core.plugins.registry import get_registry

    reg = get_registry()
    try:
        spec = reg.get("dataset", name)
    except KeyError as err:
        raise ValueError(f"--dataset: {err.args[0]} (or give a .toml/.json definition file)") from None
    if not any(p.name == "root" for p in spec.params):
        raise TypeError(f"dataset plugin {name!r} must declare a 'root' parameter (str), the data set's folder")
    definition = reg.create("dataset", spec.name, root=root or "")
    if not isinstance(definition, DatasetDefinition):
        raise TypeError(f"dataset plugin {name!r} returned {type(definition).__name__}, not a DatasetDefinition")
    return definition


def resolve_dataset(arg: str) -> DatasetDefinition:
    """A ``--dataset NAME[:ROOT]`` argument: a registered data set or a TOML/JSON definition file."""
    name, sep, root = arg.partition(":")
    if not name:
        raise ValueError(f"--dataset expects NAME[:ROOT], got {arg!r}")
    root_arg = root if sep else None
    if name.lower().endswith((".toml", ".json")):
        definition = load_definition_file(name, root_arg)
    else:
        definition = _registered(name, root_arg)
    if root_arg is not None and not Path(root_arg).expanduser().is_dir():
        raise FileNotFoundError(f"--dataset {arg}: ROOT folder {root_arg} does not exist")
    return definition

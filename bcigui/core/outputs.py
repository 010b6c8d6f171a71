"""Output files of the commands: checked before any long work, never one of the inputs, never
replaced silently, and written through a temporary file so that an interrupted write leaves the
previous file intact.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_outputs(outputs: Mapping[str, str | Path | None], inputs: Iterable[str | Path] = (),
                  overwrite: bool = False) -> None:
    """Refuse, before the work, an output that is an input, that two options share, that exists (unless
    ``overwrite``), that is a folder, or whose folder cannot be written. ``outputs``: ``{option: path}``."""
    ins = [Path(p) for p in inputs if p]
    seen: dict[Path, str] = {}
    for option, value in outputs.items():
        if value is None or value == "":
            continue
        path = Path(value)
        for i in ins:
            if _same(path, i):
                raise ValueError(f"{option} {path} is one of the inputs; it would be destroyed: choose another file")
        key = path.resolve()
        if key in seen:
            raise ValueError(f"{option} and {seen[key]} are the same file {path}; give each its own file")
        seen[key] = option
        if path.is_dir():
            raise IsADirectoryError(f"{option} {path} is a folder; give a file name")
        if path.exists() and not overwrite:
            raise FileExistsError(f"{option} {path} already exists; add --overwrite to replace it")
        folder = path.parent if str(path.parent) else Path(".")
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise PermissionError(f"{option} {path}: the folder {existing} cannot be written")


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, fsync'd, then renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)

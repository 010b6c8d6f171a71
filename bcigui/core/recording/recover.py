"""Recover interrupted recordings: ``.bcirec`` folders -> their BIDS run (BrainVision + lossless FIF copy
in ``sourcedata/``) when the header names one, else a plain FIF file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bcigui.core.recording.export import existing_run_file, read_bcirec, to_raw, write_run
from bcigui.core.recording.writer import COMPLETE, HEADER, SUFFIX


@dataclass(frozen=True)
class Recovered:
    """Outcome for one recording folder."""

    source: Path
    output: Path | None
    n_samples: int
    n_markers: int
    complete: bool
    message: str


def find_recordings(path: str | Path, incomplete_only: bool = False) -> list[Path]:
    """``path`` itself if it is a recording folder, else every ``*.bcirec`` below it (sorted)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    if (path / HEADER).is_file():
        found = [path]
    else:
        found = sorted(p for p in path.rglob(f"*{SUFFIX}") if (p / HEADER).is_file())
    if incomplete_only:
        found = [p for p in found if not (p / COMPLETE).exists()]
    return found


def default_output(source: Path) -> Path:
    """Plain FIF next to the folder: ``NAME.bcirec`` -> ``NAME_recovered_raw.fif``."""
    stem = source.name[: -len(SUFFIX)] if source.name.endswith(SUFFIX) else source.name
    return source.with_name(f"{stem}_recovered_raw.fif")


def recover_one(source: str | Path, out: str | Path | None = None) -> Recovered:
    """Write the readable part of ``source``: its BIDS run if the header names one (and the BIDS root
    is still there), else a plain FIF file."""
    source = Path(source)
    content = read_bcirec(source)
    n, m = len(content.times), len(content.markers)
    bids = content.header.get("meta", {}).get("bids")
    use_bids = out is None and bool(bids) and Path(bids["root"]).exists()
    if use_bids:
        existing = existing_run_file(bids["root"], bids["subject"], bids.get("session"), bids["task"], bids["run"])
        if existing is not None:
            return Recovered(source, existing, n, m, content.complete, f"{existing} already exists: nothing to do")
        path = write_run(content, source)
    else:
        raw = to_raw(content)
        path = Path(out) if out is not None else default_output(source)
        if path.exists():
            return Recovered(source, path, n, m, content.complete, f"{path} already exists: not overwritten")
        raw.save(path, fmt="double" if content.data.dtype.itemsize == 8 else "single", verbose="error")
    state = "complete" if content.complete else "interrupted"
    return Recovered(source, path, n, m, content.complete,
                     f"{state} recording: {n} samples ({n / content.header['sfreq']:.2f} s), {m} markers -> {path}")


def recover(path: str | Path, out: str | Path | None = None, incomplete_only: bool = False) -> list[Recovered]:
    """Recover every recording folder found at ``path``; ``out`` only for a single folder."""
    found = find_recordings(path, incomplete_only)
    if not found:
        if incomplete_only and find_recordings(path):
            raise FileNotFoundError(f"no interrupted recording at {path}: every recording there ended "
                                    "normally (use --all to rewrite missing FIF files)")
        raise FileNotFoundError(f"no bcigui recording folder (*{SUFFIX} with {HEADER}) at {path}")
    if out is not None and len(found) > 1:
        raise ValueError(f"out can only be given for one recording; {path} holds {len(found)}")
    return [recover_one(p, out) for p in found]

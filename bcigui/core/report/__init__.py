"""Session report: one self-contained HTML or PDF document about a session folder
``BIDS_ROOT/sub-XX/ses-YY`` (signal quality, trials, r² maps, decoder, feedback runs, earlier sessions).

:func:`build_report` gathers everything into a :class:`SessionReport` (headless, no Qt, matplotlib
with its Agg renderer); :func:`write_report` writes it, as HTML or PDF by the file's extension. Both
are safe to call from a worker thread. See docs/report.md.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from bcigui.core.checks import invalid_option
from bcigui.core.report.contents import SessionReport
from bcigui.core.report.gather import build_report

FORMATS = (".html", ".pdf")

__all__ = ["FORMATS", "SessionReport", "build_report", "render", "write_report"]


def _format(out: Path) -> str:
    ext = out.suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"out must end with one of {list(FORMATS)} (the format is chosen by the extension), "
                         f"got {str(out)!r}")
    return ext


def render(report: SessionReport, fmt: str) -> bytes:
    """The document's bytes: ``fmt`` is ``".html"`` or ``".pdf"``."""
    if fmt == ".html":
        from bcigui.core.report.html import render_html

        return render_html(report).encode("utf-8")
    if fmt == ".pdf":
        from bcigui.core.report.pdf import render_pdf

        return render_pdf(report)
    raise invalid_option("fmt", fmt, list(FORMATS))


def write_report(session_dir: str | Path, out: str | Path, overwrite: bool = True,
                 progress: Callable[[float, str], None] | None = None,
                 report: SessionReport | None = None) -> Path:
    """Build the report of ``session_dir`` and write it to ``out`` (``.html`` or ``.pdf``); returns ``out``.

    The file is written to a temporary file beside ``out`` and renamed, so ``out`` is either the
    previous file or the complete new one. An existing ``out`` (a report: it can be made again from
    the session) is replaced unless ``overwrite=False`` (``bcigui report`` refuses without
    ``--overwrite``). ``report``: an already built :class:`SessionReport` of ``session_dir`` (to
    write HTML and PDF from one build).
    """
    out = Path(out)
    fmt = _format(out)
    if out.exists() and not overwrite:
        raise FileExistsError(f"{out} already exists; pass overwrite=True (command line: --overwrite) to replace it")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"out: the folder {out.parent} does not exist")
    if report is None:
        report = build_report(session_dir, progress=progress)
    data = render(report, fmt)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        if out.exists() and not overwrite:  # appeared while we were building
            raise FileExistsError(f"{out} already exists; pass overwrite=True (command line: --overwrite) to "
                                  "replace it")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out

"""Marker name scheme of calibration sessions and its mapping back to classes (see docs/markers.md).

Every marker is a short ``category/detail`` string. Class-bearing markers start with ``cue/``:
``cue/left_hand``, ``cue/right_hand``, ``cue/feet``, ``cue/tongue``, ``cue/rest`` (motor imagery) and
``cue/ssvep/<frequency>`` (SSVEP, e.g. ``cue/ssvep/13.0``). The analysis side needs no configuration:
:func:`class_from_marker` turns a marker into a class name and :func:`default_event_map` gives the
``{marker: class}`` map used for epoching.
"""

from __future__ import annotations

from collections.abc import Iterable

from bcigui.core.checks import invalid_option

SESSION_START = "session/start"
SESSION_END = "session/end"
SESSION_ABORT = "session/abort"
BASELINE_START = "baseline/start"
BASELINE_END = "baseline/end"
TRIAL_START = "trial/start"
TRIAL_END = "trial/end"
FIXATION = "fixation"
BEEP = "beep"
IMAGERY_START = "imagery/start"
IMAGERY_END = "imagery/end"
FLICKER_START = "flicker/start"
FLICKER_END = "flicker/end"
REST_START = "rest/start"
PAUSE = "pause"
RESUME = "resume"
CUE_PREFIX = "cue/"
SSVEP_CUE_PREFIX = "cue/ssvep/"

MI_CLASSES = ("left_hand", "right_hand", "feet", "tongue", "rest")
"""Motor-imagery classes, in their canonical order (also the order of event codes)."""

# Spellings other tools use for the same classes (accepted when reading, never written).
_ALIASES = {
    "left": "left_hand", "lefthand": "left_hand", "left_fist": "left_hand",
    "right": "right_hand", "righthand": "right_hand", "right_fist": "right_hand",
    "foot": "feet", "both_feet": "feet", "bothfeet": "feet",
}

#: Markers that carry no class, in the order they appear in a session.
STRUCTURE_MARKERS = (
    SESSION_START, BASELINE_START, BASELINE_END, TRIAL_START, FIXATION, BEEP, IMAGERY_START,
    IMAGERY_END, FLICKER_START, FLICKER_END, REST_START, TRIAL_END, PAUSE, RESUME, SESSION_ABORT,
    SESSION_END,
)


def format_frequency(freq: float) -> str:
    """Canonical text of a stimulation frequency: ``13`` -> ``"13.0"``, ``8.571428`` -> ``"8.571"``."""
    return repr(float(round(float(freq), 3)))


def cue_marker(cls: str) -> str:
    """Marker of the cue of motor-imagery class ``cls`` (one of :data:`MI_CLASSES`)."""
    if cls not in MI_CLASSES:
        raise invalid_option("class", cls, list(MI_CLASSES))
    return CUE_PREFIX + cls


def ssvep_class(freq: float) -> str:
    """Class name of an SSVEP target flickering at ``freq`` Hz, e.g. ``"13.0Hz"``."""
    return f"{format_frequency(freq)}Hz"


def ssvep_cue_marker(freq: float) -> str:
    """Marker of the cue of the SSVEP target at ``freq`` Hz, e.g. ``"cue/ssvep/13.0"``."""
    return SSVEP_CUE_PREFIX + format_frequency(freq)


def class_from_marker(name: str) -> str | None:
    """The class a marker announces, or ``None`` for structural markers and unknown strings.

    ``"cue/left_hand"`` -> ``"left_hand"``; ``"cue/ssvep/13"`` -> ``"13.0Hz"``; ``"trial/start"`` -> None.
    Common aliases (``cue/left``, ``cue/both_feet``...) map to the canonical class.
    """
    name = str(name).strip()
    if not name.lower().startswith(CUE_PREFIX):
        return None
    detail = name[len(CUE_PREFIX):]
    if detail.lower().startswith("ssvep/"):
        try:
            return ssvep_class(float(detail[len("ssvep/"):]))
        except ValueError:
            return None
    key = detail.lower().replace(" ", "_").replace("-", "_")
    key = _ALIASES.get(key, key)
    return key if key in MI_CLASSES else None


def ssvep_frequency(name: str) -> float | None:
    """Stimulation frequency of an SSVEP class (``"13.0Hz"``) or cue marker; ``None`` otherwise."""
    name = str(name).strip()
    if name.lower().startswith(CUE_PREFIX):
        cls = class_from_marker(name)
        if cls is None or not cls.endswith("Hz"):
            return None
        name = cls
    if not name.endswith("Hz"):
        return None
    try:
        return float(name[:-2])
    except ValueError:
        return None


def default_event_map(markers: Iterable[str] | None = None) -> dict[str, str]:
    """``{marker: class}`` for epoching (format of ``bcigui.core.data.epochs``).

    Without ``markers``: the five motor-imagery cues. With the marker names found in a recording:
    every class-bearing marker among them (motor imagery and SSVEP), in order of first appearance.
    """
    if markers is None:
        return {cue_marker(c): c for c in MI_CLASSES}
    out: dict[str, str] = {}
    for name in markers:
        cls = class_from_marker(name)
        if cls is not None and name not in out:
            out[name] = cls
    return out


def event_codes(classes: Iterable[str]) -> dict[str, int]:
    """Integer codes for classes (MNE ``event_id``): MI classes in canonical order, SSVEP by frequency."""
    classes = list(dict.fromkeys(classes))
    mi = [c for c in MI_CLASSES if c in classes]
    ssvep = sorted((c for c in classes if ssvep_frequency(c) is not None), key=ssvep_frequency)
    other = sorted(c for c in classes if c not in mi and c not in ssvep)
    return {c: i + 1 for i, c in enumerate(mi + ssvep + other)}

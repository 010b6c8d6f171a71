"""Numbers in words for clinicians: every value with its unit, p-values readable, no jargon."""

from __future__ import annotations

import math

ALPHA = 0.05


def pct(x: float | None, digits: int = 0) -> str:
    """``0.783`` -> ``"78 %"``; ``None`` -> ``"n/a"``."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"{100 * float(x):.{digits}f} %"


def pct_sd(x: float | None, sd: float | None) -> str:
    """``78 % ± 6 %`` (the SD in percentage points)."""
    if sd is None or not math.isfinite(float(sd)):
        return pct(x)
    return f"{pct(x)} ± {pct(sd)}"


def pval(p: float | None) -> str:
    """``p = 0.003``, ``p < 0.001``; ``None`` -> ``"p n/a"``."""
    if p is None or not math.isfinite(float(p)):
        return "p n/a"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def num(x: float | None, unit: str, digits: int = 1) -> str:
    """``num(4.6, "s")`` -> ``"4.6 s"``."""
    if x is None or not math.isfinite(float(x)):
        return "n/a"
    return f"{float(x):.{digits}f} {unit}".rstrip()


def significant(p: float | None, accuracy: float | None, chance: float | None, n_tried: int = 1) -> bool:
    """Above chance with a (Bonferroni-corrected) binomial p-value below :data:`ALPHA`."""
    if p is None or accuracy is None or chance is None:
        return False
    return p * max(1, n_tried) < ALPHA and accuracy > chance


def class_label(name: str) -> str:
    """``left_hand`` -> ``left hand``; SSVEP classes (``13.0Hz``) -> ``13 Hz target``."""
    s = str(name)
    if s.endswith("Hz"):
        try:
            return f"{float(s[:-2]):g} Hz target"
        except ValueError:
            return s
    return s.replace("_", " ")


PARADIGM_NAMES = {"mi": "motor imagery", "ssvep": "SSVEP (flickering targets)"}


def paradigm_label(name: str | None) -> str:
    return PARADIGM_NAMES.get(str(name), str(name)) if name else "unknown paradigm"


def decoder_sentence(accuracy: float, chance: float, works: bool) -> str:
    """The decoder's verdict in one sentence (the guided session's wording, with units)."""
    if works:
        return f"Decoder works: {pct(accuracy)} correct (chance {pct(chance)}, significant)."
    return (f"Decoder does not work yet: {pct(accuracy)} correct (chance {pct(chance)}, not significant). "
            "More calibration trials, or a check of the electrodes, may help.")

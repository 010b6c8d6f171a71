"""Channel-name normalisation: the one function every path uses (train, replay, record, online, evaluate).

Labels differ between writers of the same montage: PhysioNet's EDF files pad names with dots and
use their own capitalisation (``Fc5.``, ``Fcz.``, ``C3..``), some amplifiers prefix ``EEG``
(``EEG Cz``, ``EEG-C3``). :func:`normalize_channel_name` strips that padding and restores the
10-05 spelling (``FC5``, ``FCz``, ``C3``) when the template montage knows the label; other labels
keep their own spelling. :func:`channel_key` is the case-insensitive key names are matched by.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_TRAILING = re.compile(r"[.\s]+$")
_EEG_PREFIX = re.compile(r"^EEG[\s:_-]+", flags=re.IGNORECASE)


@lru_cache(maxsize=1)
def _montage_names() -> dict[str, str]:
    from bcigui.core.data.names_1005 import NAMES_1005  # the template's labels, without importing MNE

    return {n.lower(): n for n in NAMES_1005}


def normalize_channel_name(name: str) -> str:
    """``Fc5.`` -> ``FC5``, ``FCZ..`` -> ``FCz``, ``EEG Cz`` -> ``Cz``; unknown labels are only trimmed.

    The ``EEG`` prefix is removed only when what remains is a 10-05 label (``EEG 001`` stays).
    """
    clean = _TRAILING.sub("", str(name)).strip(".").strip()
    if not clean:
        return str(name).strip()
    known = _montage_names()
    unprefixed = _EEG_PREFIX.sub("", clean)
    if unprefixed != clean and unprefixed.lower() in known:
        clean = unprefixed
    return known.get(clean.lower(), clean)


def channel_key(name: str) -> str:
    """Key channels are matched by: the normalised name, lower-cased."""
    return normalize_channel_name(name).lower()


def normalize_channel_names(names: Sequence[str]) -> list[str]:
    """Normalised names; a name whose normalised form would collide with another keeps its label."""
    out = [normalize_channel_name(n) for n in names]
    seen: dict[str, int] = {}
    for n in out:
        seen[n.lower()] = seen.get(n.lower(), 0) + 1
    return [new if seen[new.lower()] == 1 else str(old) for old, new in zip(names, out, strict=True)]


def match_channels(wanted: Sequence[str], available: Sequence[str]) -> tuple[list[int], list[str]]:
    """Indices in ``available`` of each name in ``wanted`` (matched by :func:`channel_key`), and the
    names of ``wanted`` that are missing."""
    index: dict[str, int] = {}
    for i, c in enumerate(available):
        index.setdefault(channel_key(c), i)
    picks, missing = [], []
    for c in wanted:
        i = index.get(channel_key(c))
        if i is None:
            missing.append(str(c))
        else:
            picks.append(i)
    return picks, missing

"""Channel units as other tools write them, and the factor that brings each channel to volts.

Accepted voltage notations (case-insensitive, spaces ignored): SI symbols with a prefix (``V``,
``mV``, ``uV``/``µV`` (micro sign)/``μV`` (Greek mu), ``nV``, ``pV``, ``kV``), spelled out
(``volts``, ``millivolt``, ``microvolts``, ``nanovolts``, ...), and, on channels whose type is a
voltage (EEG, EOG, EMG, ECG, ...), a power-of-ten exponent of the volt as mne-lsl writes it
(``"-6"`` = microvolts, ``"0"`` = volts; the FIFF ``unit_mul``).

Nothing is guessed: a voltage-typed channel whose unit is missing or not a voltage notation is kept
as sent and reported (:attr:`ChannelUnit.problem` names the channel and the unit string); its stored
unit is then not ``V``, and exports write it as a MISC channel with that unit rather than as volts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

VOLTAGE_TYPES = frozenset({"eeg", "eog", "emg", "ecg", "ekg", "seeg", "ecog", "dbs", "exg", "bio"})
DIMENSIONLESS = frozenset({"none", "n/a", "na", "unitless", "dimensionless", "1", "a.u.", "au", "arbitrary",
                           "count", "counts"})
_PREFIXES = {"": 1.0, "k": 1e3, "kilo": 1e3, "m": 1e-3, "milli": 1e-3, "u": 1e-6, "micro": 1e-6,
             "n": 1e-9, "nano": 1e-9, "p": 1e-12, "pico": 1e-12}
_VOLT = re.compile(r"^(?P<prefix>kilo|milli|micro|nano|pico|[kmunp]?)(?P<base>v|volt|volts)$")
_EXPONENT = re.compile(r"^[+-]?\d{1,2}$")
KNOWN = ("V", "mV", "uV", "µV", "μV", "nV", "volts", "millivolts", "microvolts", "nanovolts",
         "power-of-ten exponents such as '-6' (mne-lsl) on EEG/EOG/EMG/ECG channels")


def _canonical(unit: str) -> str:
    u = str(unit).strip().replace("\u00b5", "u").replace("\u03bc", "u")  # micro sign, Greek mu
    return re.sub(r"[\s_]+", "", u).lower()


def voltage_scale(unit: str, exponent: bool = False) -> float | None:
    """Factor converting values in ``unit`` to volts, or ``None`` if ``unit`` is not a voltage notation.

    ``exponent=True`` also reads a bare power of ten (``"-6"`` -> 1e-6), which means volts only on a
    channel known to carry a voltage.
    """
    u = _canonical(unit)
    if u == "mv" and str(unit).strip() == "MV":  # megavolt is no EEG unit: refuse rather than misread
        return None
    m = _VOLT.match(u)
    if m:
        return _PREFIXES[m.group("prefix")]
    if exponent and _EXPONENT.match(u):
        return float(10.0 ** int(u))
    return None


def unit_scale(unit: str) -> float:
    """Factor converting ``unit`` to volts; 1.0 for what is not a voltage notation (values kept as sent)."""
    scale = voltage_scale(unit)
    return 1.0 if scale is None else scale


def is_voltage_type(ch_type: str) -> bool:
    return str(ch_type).strip().lower() in VOLTAGE_TYPES


@dataclass(frozen=True)
class ChannelUnit:
    """How one channel's values are stored: ``value_stored = value_sent * scale`` in unit ``stored``."""

    name: str
    declared: str  # the unit string the source declared ("" when none)
    scale: float
    stored: str  # "V" for voltages; otherwise the declared string, kept as sent
    problem: str = ""  # why the values could not be put in volts (empty when fine)

    @property
    def is_volts(self) -> bool:
        return self.stored == "V"


def resolve_unit(name: str, unit: str, ch_type: str, stream: str = "") -> ChannelUnit:
    """Read one channel's declared unit (see the module docstring)."""
    declared = str(unit or "").strip()
    voltage = is_voltage_type(ch_type)
    scale = voltage_scale(declared, exponent=voltage)
    if scale is not None:
        return ChannelUnit(name, declared, scale, "V")
    if not voltage:
        return ChannelUnit(name, declared, 1.0, declared)
    where = f"stream {stream!r} " if stream else ""
    what = "declares no unit" if not declared else f"declares the unit {declared!r}, which is not a voltage notation"
    problem = (f"{where}channel {name!r} (type {ch_type}) {what}; its values are kept as sent and recorded "
               f"as a MISC channel, not as volts (known notations: {', '.join(KNOWN)}; declare the unit "
               "with units=... if the source metadata is wrong)")
    return ChannelUnit(name, declared, 1.0, declared, problem)


def resolve_units(ch_names: Sequence[str], units: Sequence[str], ch_types: Sequence[str], stream: str = "",
                  override: str | Mapping[str, str] | None = None) -> list[ChannelUnit]:
    """:func:`resolve_unit` for every channel; ``override`` (one unit, or ``{channel: unit}``) replaces
    what the source declares (for sources whose metadata is missing or wrong)."""
    n = len(ch_names)
    units = list(units) if units else [""] * n
    types = list(ch_types) if ch_types else [""] * n
    if len(units) != n or len(types) != n:
        raise ValueError(f"units and ch_types must have {n} entries (one per channel), got {len(units)} and "
                         f"{len(types)}")
    if override is not None:
        if isinstance(override, str):
            units = [override] * n
        else:
            unknown = sorted(set(override) - set(ch_names))
            if unknown:
                raise ValueError(f"units override names unknown channel(s) {unknown}; channels: {list(ch_names)}")
            units = [override.get(c, u) for c, u in zip(ch_names, units, strict=True)]
        for c, u, t in zip(ch_names, units, types, strict=True):
            if voltage_scale(u, exponent=is_voltage_type(t)) is None and is_voltage_type(t):
                raise ValueError(f"units override for channel {c!r}: {u!r} is not a voltage notation; "
                                 f"known: {', '.join(KNOWN)}")
    return [resolve_unit(c, u, t, stream) for c, u, t in zip(ch_names, units, types, strict=True)]

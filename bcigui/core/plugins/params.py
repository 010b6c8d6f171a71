"""Typed plugin parameters: the schema from which the GUI builds settings forms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bcigui.core.checks import check_option

_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "bands": str, "channels": str, "floats": str}
#: Text types with a grammar, parsed and normalised here once (the value stays text, as in model files):
#: ``bands`` "8-12,12-30" (:func:`parse_bands`), ``channels`` "C3,Cz,C4" or a keyword such as
#: "sensorimotor" (empty: all), ``floats`` "13,17,21" (empty allowed).
TEXT_TYPES = ("bands", "channels", "floats")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One typed parameter of a plugin.

    ``type`` is one of ``"int"``, ``"float"``, ``"bool"``, ``"str"``, or a text type with a grammar
    (:data:`TEXT_TYPES`: ``"bands"``, ``"channels"``, ``"floats"``) normalised by ``validate``. ``choices`` restricts the value
    to a fixed set (the GUI shows a combo box); ``minimum``/``maximum`` bound numbers (inclusive).
    ``when=("method", ("burg",))``: the parameter only means something when parameter ``method`` has
    one of those values (forms hide it otherwise; its value is still passed).
    """

    name: str
    type: str
    default: Any
    help: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] | None = None
    unit: str = ""
    when: tuple[str, tuple[Any, ...]] | None = None

    def __post_init__(self) -> None:
        if self.when is not None and not (
            isinstance(self.when, tuple) and len(self.when) == 2 and isinstance(self.when[0], str)
            and isinstance(self.when[1], tuple)
        ):
            raise ValueError(f"Param {self.name!r}: when must be (parameter name, (values...)), got {self.when!r}")
        if self.type not in _TYPES:
            raise ValueError(
                f"Param {self.name!r}: type must be one of {sorted(_TYPES)}, got {self.type!r}"
            )
        if self.default is not None:
            self.validate(self.default)

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's type; raise ``ValueError`` if not allowed.

        Strings are parsed (as they come from ``--param key=value`` on the command line).
        """
        kind = _TYPES[self.type]
        try:
            if kind is bool:
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low not in _TRUE | _FALSE:
                        raise ValueError
                    value = low in _TRUE
                elif not isinstance(value, bool | int):
                    raise ValueError
                value = bool(value)
            elif kind is int:
                if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                    raise ValueError
                value = int(value)
            elif kind is float:
                if isinstance(value, bool):
                    raise ValueError
                value = float(value)
            else:
                value = _normalise(self.type, self.name, value)
        except (TypeError, ValueError) as err:
            if self.type in TEXT_TYPES and str(err):
                raise ValueError(str(err)) from None
            raise ValueError(
                f"Parameter {self.name!r} must be of type {self.type}, got {value!r}"
            ) from None
        if self.choices is not None:
            check_option(f"Parameter {self.name!r}", value, self.choices)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"Parameter {self.name!r} must be >= {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"Parameter {self.name!r} must be <= {self.maximum}, got {value!r}")
        return value

    def applies(self, values: dict[str, Any]) -> bool:
        """Whether this parameter means something given the other ``values`` (see ``when``)."""
        return self.when is None or values.get(self.when[0]) in self.when[1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description (used by ``bcigui plugins --json`` and docs)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type, "default": self.default}
        for key in ("help", "minimum", "maximum", "choices", "unit"):
            val = getattr(self, key)
            if val not in (None, ""):
                out[key] = list(val) if key == "choices" else val
        if self.when is not None:
            out["when"] = {self.when[0]: list(self.when[1])}
        return out


def parse_floats(text: str | Sequence[float], name: str = "values") -> list[float]:
    """``"13, 17,21"`` (or numbers) -> ``[13.0, 17.0, 21.0]``; empty text -> ``[]``."""
    items = [s.strip() for s in text.replace(";", ",").split(",")] if isinstance(text, str) else list(text)
    out = []
    for item in items:
        if item == "":
            continue
        try:
            out.append(float(item))
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numbers separated by commas (e.g. '13,17,21'), got {item!r}") from None
    return out


def parse_channels(text: str | Sequence[str]) -> list[str]:
    """``"C3, Cz,C4"`` (or names) -> ``["C3", "Cz", "C4"]``; empty -> ``[]`` (all channels)."""
    items = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    return [str(c).strip() for c in items if str(c).strip()]


def _normalise(kind: str, name: str, value: Any) -> str:
    """Canonical text of a :data:`TEXT_TYPES` value (or ``str(value)`` for ``str``)."""
    label = f"Parameter {name!r}"
    if kind == "bands":
        return format_bands(parse_bands(value, name=label))
    if kind == "floats":
        return ",".join(f"{v:g}" for v in parse_floats(value, label))
    if kind == "channels":
        return ",".join(parse_channels(value))
    return str(value)


def parse_bands(bands: str | Sequence[Any], *, named: bool = False, nyquist: float | None = None,
                name: str = "bands") -> Any:
    """The one band grammar: ``"8-12,12-30"`` (``;`` and ``lo:hi`` also accepted) or a sequence of
    ``(lo, hi)`` -> ``[(8.0, 12.0), (12.0, 30.0)]`` in Hz; with ``named``, ``"alpha:8-13, beta:13-30"``
    -> ``{"alpha": (8.0, 13.0), ...}``. Each band needs ``0 <= low < high`` (``< nyquist`` if given);
    errors name ``name`` and the item at fault."""
    grammar, example = ("'name:low-high, ...'", "'alpha:8-13'") if named else ("'low-high, ...'", "'8-12,12-30'")
    items: list[tuple[str, Any, Any, str]] = []
    if isinstance(bands, str):
        for item in filter(None, (s.strip() for s in bands.replace(";", ",").split(","))):
            label, sep, rng = item.partition(":") if named else ("", "", item.replace(":", "-"))
            lo, dash, hi = rng.partition("-")
            ok = bool(dash) and (not named or bool(sep and label.strip()))
            items.append((label.strip(), lo if ok else None, hi, item))
    elif isinstance(bands, Mapping):
        items = [(str(k), lo, hi, f"{k}:{lo}-{hi}") for k, (lo, hi) in bands.items()]
    else:
        items = [("", lo, hi, f"{lo}-{hi}") for lo, hi in bands]
    out: dict[str, tuple[float, float]] = {}
    parsed = []
    for label, lo, hi, item in items:
        try:
            low, high = float(lo), float(hi)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must look like {grammar} (e.g. {example}), in Hz, got {item!r}") from None
        if not 0 <= low < high:
            where = f"band {label!r}" if label else name
            raise ValueError(f"{where}: low must be >= 0 and below high, got {low:g}-{high:g} Hz")
        if nyquist is not None and high >= nyquist:
            raise ValueError(f"{name}: high must be below the Nyquist frequency {nyquist:g} Hz, got {low:g}-{high:g} Hz")
        out[label] = (low, high)
        parsed.append((low, high))
    if not parsed:
        raise ValueError(f"{name} must list at least one band like {example}, got {bands!r}")
    return out if named else parsed


def format_bands(bands: Any) -> str:
    """Text of ``bands`` in :func:`parse_bands`' grammar (named when given a mapping)."""
    if isinstance(bands, Mapping):
        return ", ".join(f"{k}:{lo:g}-{hi:g}" for k, (lo, hi) in bands.items())
    return ",".join(f"{lo:g}-{hi:g}" for lo, hi in bands)


def resolve_params(params: tuple[Param, ...], values: dict[str, Any] | None) -> dict[str, Any]:
    """Merge ``values`` over the defaults of ``params``, validating each; unknown keys are an error."""
    values = dict(values or {})
    known = {p.name: p for p in params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(
            f"Unknown parameter(s) {unknown}; allowed parameters are {sorted(known)}"
        )
    return {
        name: p.validate(values[name]) if name in values else p.default for name, p in known.items()
    }


def parse_param_args(items: list[str] | None) -> dict[str, str]:
    """Parse ``["key=value", ...]`` from the command line into a dict of strings."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--param expects key=value, got {item!r}")
        out[key.strip()] = value.strip()
    return out

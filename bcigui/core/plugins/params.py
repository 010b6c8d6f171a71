"""Typed plugin parameters: the schema from which the GUI builds settings forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_TYPES = {"int": int, "float": float, "bool": bool, "str": str}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One typed parameter of a plugin.

    ``type`` is one of ``"int"``, ``"float"``, ``"bool"``, ``"str"``. ``choices`` restricts the value
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
                value = str(value)
        except (TypeError, ValueError):
            raise ValueError(
                f"Parameter {self.name!r} must be of type {self.type}, got {value!r}"
            ) from None
        if self.choices is not None and value not in self.choices:
            raise ValueError(
                f"Parameter {self.name!r} must be one of {list(self.choices)}, got {value!r}"
            )
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

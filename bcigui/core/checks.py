"""One way to say that a value is not allowed (in the spirit of MNE's ``_check_option``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def invalid_option(name: str, value: Any, allowed: Iterable[Any]) -> ValueError:
    """The error for ``value`` of ``name`` not being one of ``allowed``: ``name must be one of [...],
    got value`` (``name`` as the reader knows it: ``"Parameter 'method'"``, ``"paradigm"``, ``"--cv"``)."""
    return ValueError(f"{name} must be one of {list(allowed)}, got {value!r}")


def check_option(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """``value`` if it is one of ``allowed``, else raise :func:`invalid_option`'s error."""
    allowed = list(allowed)
    if value not in allowed:
        raise invalid_option(name, value, allowed)
    return value

"""LSL stream discovery: what is on the network, with the channel metadata from ``desc``.

Resolver results carry no ``desc``; :func:`discover` and :func:`find_stream` therefore open a
short-lived inlet per stream to fetch the full description (channel labels, units and types from
``<desc><channels><channel><label/><unit/><type/>``). :func:`make_stream_info` builds the
``StreamInfo`` of outlets we create ourselves (simulator, replay, paradigm markers) in that layout.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

import pylsl
from pylsl.lib import string2fmt

from bcigui.core.checks import invalid_option
from bcigui.core.data.units import unit_scale  # noqa: F401 - re-exported (units are read per channel)

log = logging.getLogger(__name__)

FORMAT_NAMES: dict[int, str] = {code: name for name, code in string2fmt.items()}
MARKER_TYPES = ("markers", "marker", "events", "event")



@dataclass(frozen=True)
class StreamDescription:
    """Everything we know about an LSL stream before opening it (hashable, picklable)."""

    name: str
    type: str
    n_channels: int
    srate: float
    channel_format: str
    source_id: str
    hostname: str
    uid: str
    ch_names: tuple[str, ...]
    units: tuple[str, ...]
    ch_types: tuple[str, ...]
    manufacturer: str = ""  # desc/acquisition/manufacturer (XDF meta-data convention) or desc/manufacturer
    model: str = ""  # desc/acquisition/model or desc/model

    @property
    def is_marker(self) -> bool:
        """Irregular rate (``srate == 0``) or a marker content type."""
        return self.srate == 0 or self.type.strip().lower() in MARKER_TYPES

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["is_marker"] = self.is_marker
        for key in ("ch_names", "units", "ch_types"):
            out[key] = list(out[key])
        return out

    def summary(self) -> str:
        rate = "irregular" if self.srate == 0 else f"{self.srate:g} Hz"
        return f"{self.name!r} (type {self.type or '-'}, {self.n_channels} ch, {rate}, {self.channel_format})"

    @classmethod
    def from_info(cls, info: pylsl.StreamInfo) -> StreamDescription:
        """Build from a (preferably full, i.e. from ``inlet.info()``) ``StreamInfo``."""
        n = int(info.channel_count())
        stype = info.type()
        labels, units, types = _channel_fields(info, n)
        return cls(
            name=info.name(),
            type=stype,
            n_channels=n,
            srate=float(info.nominal_srate()),
            channel_format=FORMAT_NAMES.get(info.channel_format(), str(info.channel_format())),
            source_id=info.source_id(),
            hostname=info.hostname(),
            uid=info.uid(),
            ch_names=tuple(lab or f"Ch{i + 1}" for i, lab in enumerate(labels)),
            units=tuple(u or "" for u in units),
            ch_types=tuple(t or stype for t in types),
            **_device(info),
        )


def _device(info: pylsl.StreamInfo) -> dict[str, str]:
    """Manufacturer and model from ``desc`` (``acquisition/*`` as in the XDF meta-data spec, or top level)."""
    desc = info.desc()
    acq = desc.child("acquisition")
    out = {}
    for key in ("manufacturer", "model"):
        value = acq.child_value(key).strip() if not acq.empty() else ""
        out[key] = value or desc.child_value(key).strip()
    return out


def _channel_fields(info: pylsl.StreamInfo, n: int) -> tuple[list[str], list[str], list[str]]:
    """Label, unit and type of each of the ``n`` channels (empty strings where missing)."""
    labels, units, types = [""] * n, [""] * n, [""] * n
    ch = info.desc().child("channels").child("channel")
    i = 0
    while not ch.empty() and i < n:
        labels[i] = ch.child_value("label").strip()
        units[i] = ch.child_value("unit").strip()
        types[i] = ch.child_value("type").strip()
        ch = ch.next_sibling("channel")
        i += 1
    return labels, units, types


def full_info(info: pylsl.StreamInfo, timeout: float = 1.0) -> StreamDescription:
    """Description with channel metadata, fetched through a short-lived inlet.

    Falls back to the resolver's partial info (default channel names) if the outlet does not
    answer within ``timeout``.
    """
    try:
        inlet = pylsl.StreamInlet(info, max_buflen=1, recover=False)
        try:
            return StreamDescription.from_info(inlet.info(timeout=timeout))
        finally:
            del inlet
    except Exception as err:  # the outlet vanished or is unreachable: keep what we know
        log.debug("could not fetch full info of %s: %s", info.name(), err)
        return StreamDescription.from_info(info)


def _full_infos(infos: list[pylsl.StreamInfo], timeout: float) -> list[StreamDescription]:
    unique = list({i.uid(): i for i in infos}.values())
    if not unique:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(unique))) as pool:
        descs = list(pool.map(lambda i: full_info(i, timeout), unique))
    return sorted(descs, key=lambda d: (d.name, d.hostname, d.uid))


def discover(timeout: float = 1.0) -> list[StreamDescription]:
    """All streams visible within ``timeout`` seconds, sorted by name, with channel metadata."""
    if timeout <= 0:
        raise ValueError(f"timeout must be > 0 seconds, got {timeout!r}")
    return _full_infos(pylsl.resolve_streams(wait_time=timeout), max(0.5, timeout))


def _quote(value: str) -> str:
    """XPath 1.0 string literal (no escape sequences exist: pick the other quote)."""
    return f'"{value}"' if "'" in value else f"'{value}'"


def predicate(name: str, source_id: str = "", stype: str | None = None) -> str:
    """XPath predicate matching a stream by name (and source_id / type when given)."""
    parts = [f"name={_quote(name)}"]
    if source_id:
        parts.append(f"source_id={_quote(source_id)}")
    if stype:
        parts.append(f"type={_quote(stype)}")
    return " and ".join(parts)


def resolve_infos(name: str, source_id: str = "", stype: str | None = None,
                  timeout: float = 1.0) -> list[pylsl.StreamInfo]:
    """Partial ``StreamInfo`` objects of the streams matching; empty list if none in ``timeout``."""
    return pylsl.resolve_bypred(predicate(name, source_id, stype), minimum=1, timeout=timeout)


class Rediscovery:
    """Background resolver of one stream (name and source_id) for reconnecting to it.

    Repeated one-shot resolves sometimes block for about 5 s whatever their timeout (seen with liblsl
    1.16 here when the outlet appears during a resolve), and every sample the new outlet pushes before
    an inlet subscribes is lost; a continuous resolver sees the new outlet within about a second.
    """

    def __init__(self, name: str, source_id: str = "", stype: str | None = None, forget_after: float = 2.0):
        self._resolver = pylsl.ContinuousResolver(pred=predicate(name, source_id, stype),
                                                  forget_after=forget_after)

    def wait(self, timeout: float, exclude: set[str] | frozenset[str] = frozenset()) -> list[pylsl.StreamInfo]:
        """Streams found now (except uids in ``exclude``: outlets known to be gone), waiting up to
        ``timeout`` s for one."""
        deadline = time.monotonic() + timeout
        while True:
            infos = [i for i in self._resolver.results() if i.uid() not in exclude]
            if infos or time.monotonic() >= deadline:
                return infos
            time.sleep(0.02)


def free_source_id(name: str) -> str:
    """``bcigui-predictions@HOST:NAME``, or with ``#2``, ``#3``... when an outlet of that name and
    source_id is already on the network (each check waits up to 0.2 s for an answer)."""
    base = f"bcigui-predictions@{socket.gethostname()}:{name}"
    source_id = base
    for k in range(2, 100):
        if not pylsl.resolve_bypred(predicate(name, source_id), minimum=1, timeout=0.2):
            break
        source_id = f"{base}#{k}"
    return source_id


def find_stream(name: str, timeout: float = 2.0, stype: str | None = None) -> StreamDescription:
    """The stream called ``name`` (of type ``stype`` if given).

    Raises ``ValueError`` listing the streams that are available if there is no such stream.
    """
    if not name:
        raise ValueError("stream name must be a non-empty string, got ''")
    infos = resolve_infos(name, stype=stype, timeout=timeout)
    if infos:
        descs = _full_infos(infos, max(0.5, timeout))
        if len(descs) > 1:
            log.warning("%d streams are named %r; using the one on %s (uid %s)",
                        len(descs), name, descs[0].hostname, descs[0].uid)
        return descs[0]
    available = sorted({(i.name(), i.type()) for i in pylsl.resolve_streams(wait_time=min(1.0, timeout))})
    listing = ", ".join(f"{n!r} (type {t or '-'})" for n, t in available) or "none"
    kind = f" of type {stype!r}" if stype else ""
    raise ValueError(
        f"No LSL stream named {name!r}{kind} found within {timeout:g} s; available streams: {listing}"
    )


def make_stream_info(
    name: str,
    stype: str,
    ch_names: Sequence[str],
    srate: float,
    fmt: str = "float32",
    source_id: str = "",
    units: str | Sequence[str] = "microvolts",
    ch_type: str | Sequence[str] = "EEG",
    manufacturer: str = "",
    model: str = "",
) -> pylsl.StreamInfo:
    """``StreamInfo`` with ``desc/channels/channel/{label,unit,type}`` filled in.

    ``units`` and ``ch_type`` are one value for all channels or one per channel. An empty
    ``source_id`` defaults to ``name`` so that inlets can recover when the outlet comes back.
    ``manufacturer``/``model`` go to ``desc/acquisition`` (XDF meta-data convention) when given.
    """
    ch_names = [str(c) for c in ch_names]
    n = len(ch_names)
    if fmt not in string2fmt:
        raise invalid_option("fmt", fmt, sorted(string2fmt))
    if srate < 0:
        raise ValueError(f"srate must be >= 0 Hz (0 = irregular), got {srate!r}")
    unit_list = [units] * n if isinstance(units, str) else list(units)
    type_list = [ch_type] * n if isinstance(ch_type, str) else list(ch_type)
    for what, values in (("units", unit_list), ("ch_type", type_list)):
        if len(values) != n:
            raise ValueError(f"{what} must be one string or {n} strings (one per channel), got {len(values)}")
    info = pylsl.StreamInfo(name, stype, n, float(srate), fmt, source_id or name)
    channels = info.desc().append_child("channels")
    for label, unit, ctype in zip(ch_names, unit_list, type_list, strict=True):
        ch = channels.append_child("channel")
        ch.append_child_value("label", label)
        ch.append_child_value("unit", unit)
        ch.append_child_value("type", ctype)
    if manufacturer or model:
        acq = info.desc().append_child("acquisition")
        for key, value in (("manufacturer", manufacturer), ("model", model)):
            if value:
                acq.append_child_value(key, value)
    return info

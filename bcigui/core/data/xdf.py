"""A small XDF writer (the LabRecorder file format), read back by pyxdf.

Writes numeric streams (``float32``/``double64``/``int32``) and string marker streams, each sample with
its timestamp, and, as LabRecorder does, ClockOffset chunks for every stream (one every
``clock_interval`` seconds of its span, at least two) plus the ``<clock_offsets>`` list in the
footer, so readers that synchronise clocks (pyxdf) find a clock segment for every data segment. The
timestamps written are already on the recorder's clock, so every offset is 0. Used to export
recordings and to build XDF files in tests.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from bcigui.core.checks import invalid_option

_FORMATS = {"float32": "<f4", "double64": "<f8", "int32": "<i4", "int16": "<i2"}


@dataclass
class XdfStream:
    """One stream to write: ``data`` is ``(n, n_channels)`` numbers or a list of strings."""

    name: str
    type: str
    srate: float
    channel_format: str
    timestamps: np.ndarray
    data: np.ndarray | list[str]
    ch_names: list[str] | None = None
    unit: str = "microvolts"
    units: list[str] | None = None  # one per channel (overrides ``unit``)
    ch_types: list[str] | None = None  # one per channel (default: the stream type)
    source_id: str = ""  # default: the name
    clock_offsets: list[tuple[float, float]] | None = None  # (collection time, offset); default: zeros


def _chunk(tag: int, content: bytes) -> bytes:
    length = len(content) + 2
    return b"\x08" + struct.pack("<Q", length) + struct.pack("<H", tag) + content


def _varlen(n: int) -> bytes:
    if n < 256:
        return b"\x01" + struct.pack("<B", n)
    if n < 2**32:
        return b"\x04" + struct.pack("<I", n)
    return b"\x08" + struct.pack("<Q", n)


def _header_xml(s: XdfStream, n_channels: int) -> str:
    chans = ""
    if s.ch_names:
        units = s.units or [s.unit] * len(s.ch_names)
        types = s.ch_types or [s.type] * len(s.ch_names)
        chans = "<channels>" + "".join(
            f"<channel><label>{escape(c)}</label><unit>{escape(u)}</unit><type>{escape(t)}</type></channel>"
            for c, u, t in zip(s.ch_names, units, types, strict=True)
        ) + "</channels>"
    return (
        '<?xml version="1.0"?><info>'
        f"<name>{escape(s.name)}</name><type>{escape(s.type)}</type>"
        f"<channel_count>{n_channels}</channel_count><nominal_srate>{s.srate}</nominal_srate>"
        f"<channel_format>{s.channel_format}</channel_format><source_id>{escape(s.source_id or s.name)}</source_id>"
        f"<version>1.1</version><created_at>0</created_at><desc>{chans}</desc></info>"
    )


def _clock_offsets(s: XdfStream, ts: np.ndarray, interval: float) -> list[tuple[float, float]]:
    """LabRecorder measures each stream's offset every 5 s; ours are zero (already one clock)."""
    if s.clock_offsets is not None:
        return list(s.clock_offsets)
    if not len(ts):
        return []
    t0, t1 = float(ts[0]), float(ts[-1])
    n = max(2, int(np.floor((t1 - t0) / interval)) + 1)
    times = np.linspace(t0, max(t1, t0 + interval), n)
    return [(float(t), 0.0) for t in times]


def write_xdf(path: str | Path, streams: list[XdfStream], chunk_size: int = 512,
              clock_interval: float = 5.0) -> None:
    """Write ``streams`` to ``path`` as an XDF 1.0 file (with clock offsets, as LabRecorder)."""
    out = bytearray(b"XDF:")
    out += _chunk(1, b'<?xml version="1.0"?><info><version>1.0</version></info>')
    for sid, s in enumerate(streams, start=1):
        is_str = s.channel_format == "string"
        if not is_str and s.channel_format not in _FORMATS:
            raise invalid_option("channel_format", s.channel_format, [*_FORMATS, 'string'])
        n_ch = 1 if is_str else np.asarray(s.data).shape[1]
        out += _chunk(2, struct.pack("<I", sid) + _header_xml(s, n_ch).encode())
        ts = np.asarray(s.timestamps, dtype=np.float64)
        for start in range(0, len(ts), chunk_size):
            stop = min(start + chunk_size, len(ts))
            body = bytearray(struct.pack("<I", sid)) + _varlen(stop - start)
            if is_str:
                for i in range(start, stop):
                    val = str(s.data[i]).encode()
                    body += b"\x08" + struct.pack("<d", ts[i]) + _varlen(len(val)) + val
            else:
                vals = np.asarray(s.data[start:stop], dtype=_FORMATS[s.channel_format])
                for i in range(stop - start):
                    body += b"\x08" + struct.pack("<d", ts[start + i]) + vals[i].tobytes()
            out += _chunk(3, bytes(body))
        offsets = _clock_offsets(s, ts, clock_interval)
        for t, value in offsets:
            out += _chunk(4, struct.pack("<I", sid) + struct.pack("<d", t) + struct.pack("<d", value))
        listing = "".join(f"<offset><time>{t!r}</time><value>{v!r}</value></offset>" for t, v in offsets)
        footer = (
            f'<?xml version="1.0"?><info><first_timestamp>{ts[0] if len(ts) else 0}</first_timestamp>'
            f"<last_timestamp>{ts[-1] if len(ts) else 0}</last_timestamp>"
            f"<sample_count>{len(ts)}</sample_count><clock_offsets>{listing}</clock_offsets></info>"
        )
        out += _chunk(6, struct.pack("<I", sid) + footer.encode())
    Path(path).write_bytes(bytes(out))

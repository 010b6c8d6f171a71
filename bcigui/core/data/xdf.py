"""A small XDF writer (the LabRecorder file format), read back by pyxdf.

Writes numeric streams (``float32``/``double64``/``int32``) and string marker streams, each sample with
its timestamp. Used to export recordings and to build XDF files in tests.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

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
        chans = "<channels>" + "".join(
            f"<channel><label>{escape(c)}</label><unit>{escape(s.unit)}</unit><type>{escape(s.type)}</type></channel>"
            for c in s.ch_names
        ) + "</channels>"
    return (
        '<?xml version="1.0"?><info>'
        f"<name>{escape(s.name)}</name><type>{escape(s.type)}</type>"
        f"<channel_count>{n_channels}</channel_count><nominal_srate>{s.srate}</nominal_srate>"
        f"<channel_format>{s.channel_format}</channel_format><source_id>{escape(s.name)}</source_id>"
        f"<created_at>0</created_at><desc>{chans}</desc></info>"
    )


def write_xdf(path: str | Path, streams: list[XdfStream], chunk_size: int = 512) -> None:
    """Write ``streams`` to ``path`` as an XDF 1.0 file."""
    out = bytearray(b"XDF:")
    out += _chunk(1, b'<?xml version="1.0"?><info><version>1.0</version></info>')
    for sid, s in enumerate(streams, start=1):
        is_str = s.channel_format == "string"
        if not is_str and s.channel_format not in _FORMATS:
            raise ValueError(f"channel_format must be one of {[*_FORMATS, 'string']}, got {s.channel_format!r}")
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
        footer = (
            f'<?xml version="1.0"?><info><first_timestamp>{ts[0] if len(ts) else 0}</first_timestamp>'
            f"<last_timestamp>{ts[-1] if len(ts) else 0}</last_timestamp>"
            f"<sample_count>{len(ts)}</sample_count></info>"
        )
        out += _chunk(6, struct.pack("<I", sid) + footer.encode())
    Path(path).write_bytes(bytes(out))

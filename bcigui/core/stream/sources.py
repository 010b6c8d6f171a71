"""Source plugins (kind ``source``): what publishes the EEG that bcigui reads.

Every source goes through the registry, built-in or third-party alike: the simulator, a replayed
file, or a driver for an amplifier without LSL support. A source plugin's factory returns an object
with ``start()`` (returns it, publishing), ``stop()`` and ``name``, the name of the LSL EEG stream it
publishes; bcigui then reads that stream like any other (one acquisition path). The ``lsl`` source
is that reader itself: it publishes nothing, so it is chosen with ``--stream NAME`` instead.
"""

from __future__ import annotations

from typing import Any

READER = "lsl"


def source_names() -> list[str]:
    """Source plugins that publish a stream (every source but the LSL reader)."""
    from bcigui.core.plugins import get_registry

    return [s.name for s in get_registry().list("source") if s.name != READER]


def start_source(name: str, params: dict[str, Any] | None = None) -> Any:
    """Create source plugin ``name`` with ``params`` through the registry and start it; return it running
    (``source.name`` is its EEG stream; call ``source.stop()`` when done)."""
    from bcigui.core.plugins import get_registry

    if name == READER:
        raise ValueError("--source lsl reads streams already on the network: give --stream NAME instead")
    available = source_names()
    if name not in available:
        raise ValueError(f"--source must be one of {available} (source plugins), got {name!r}")
    source = get_registry().create("source", name, **(params or {}))
    for attr in ("start", "stop"):
        if not callable(getattr(source, attr, None)):
            raise TypeError(f"source plugin {name!r} has no {attr}() method; a source must publish an LSL "
                            "stream with start(), stop() and a 'name' attribute")
    running = source.start() or source
    stream = getattr(running, "name", "")
    if not isinstance(stream, str) or not stream:
        running.stop()
        raise TypeError(f"source plugin {name!r} does not say which LSL stream it publishes ('name' attribute)")
    return running

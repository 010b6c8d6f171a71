"""Live streams: LSL discovery and inlets, ring buffers, markers, simulator, replay, recording."""

"""Stimulus and operator windows of calibration sessions (drawing only; logic is in core)."""

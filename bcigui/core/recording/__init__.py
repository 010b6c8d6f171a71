"""Crash-safe incremental recording, recovery and FIF/BIDS/EDF finalisation."""

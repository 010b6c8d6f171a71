"""Fixture: a real LSL EEG outlet with a sample-index channel (see lsl_index_outlet)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also under --import-mode=importlib
from lsl_index_outlet import IndexOutlet  # noqa: E402


@pytest.fixture
def index_outlet(unique_name):
    out = IndexOutlet(unique_name).start()
    yield out
    out.stop()

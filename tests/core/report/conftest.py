"""Fixture: a real recorded session folder (see report_session)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also under --import-mode=importlib
from report_session import recorded_session  # noqa: E402, F401

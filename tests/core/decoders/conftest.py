"""Decoder tests: single-threaded BLAS (batched small eigendecompositions are far slower with
threads competing on a loaded 2-core machine)."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def _single_threaded_blas():
    with threadpool_limits(1):
        yield

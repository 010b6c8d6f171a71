"""Imports every batch task needs, done once per worker process before its first task.

``dask worker --preload bcigui.core.batch.preload`` (and a spawned LocalCluster worker) calls
:func:`dask_setup` at start-up, so the first task a worker runs does not pay for importing MNE,
scikit-learn, pyriemann and the decoders (about 2 s of CPU per process).
"""

from __future__ import annotations

from typing import Any


def warm_imports() -> None:
    """Import what :mod:`bcigui.core.batch.tasks` imports lazily: readers, epochs, decoders and their libraries."""
    import mne  # noqa: F401
    import pyriemann.classification  # noqa: F401
    import pyriemann.estimation  # noqa: F401
    import pyriemann.tangentspace  # noqa: F401
    import sklearn.discriminant_analysis  # noqa: F401
    import sklearn.linear_model  # noqa: F401
    import sklearn.model_selection  # noqa: F401

    from bcigui.core.data import epochs, recordings  # noqa: F401
    from bcigui.core.decoders import evaluation, training  # noqa: F401

    training.get_registry().list("decoder")


def dask_setup(worker: Any) -> None:  # dask's preload hook
    warm_imports()

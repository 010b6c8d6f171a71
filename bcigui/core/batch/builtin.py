"""Built-in data-set definitions for the layouts in ``../shared/data`` (created by ``dataset`` plugins)."""

from __future__ import annotations

from typing import Any

from bcigui.core.batch.definition import DatasetDefinition

# MNE's eegbci layout below the folder given to ``mne.datasets.eegbci.load_data(..., path=ROOT)``.
_EEGBCI = "MNE-eegbci-data/files/eegmmidb/1.0.0/S{subject:03d}/S{subject:03d}R{run:02d}.edf"

PHYSIONET_LR: dict[str, Any] = {
    "name": "physionet-lr", "paradigm": "mi", "files": _EEGBCI, "runs": [4, 8, 12], "subjects": "1-109",
    "events": {"T1": "left", "T2": "right"}, "tmin": 0.0, "tmax": 3.0,
    "description": "PhysioNet EEGMMIDB imagined left vs right fist (runs 4/8/12), 0-3 s",
}
PHYSIONET_HF: dict[str, Any] = {
    "name": "physionet-hf", "paradigm": "mi", "files": _EEGBCI, "runs": [6, 10, 14], "subjects": "1-109",
    "events": {"T1": "hands", "T2": "feet"}, "tmin": 0.0, "tmax": 3.0,
    "description": "PhysioNet EEGMMIDB imagined both fists vs both feet (runs 6/10/14), 0-3 s",
}
KALUNGA: dict[str, Any] = {
    "name": "kalunga", "paradigm": "ssvep", "files": "subject{subject:02d}/*_raw.fif", "subjects": "1-12",
    "events": {"1": "rest", "2": "13", "3": "21", "4": "17"}, "tmin": 2.0, "tmax": 4.0,
    "description": "Kalunga2016 SSVEP exoskeleton: rest, 13, 21, 17 Hz (events in sibling -eve.fif), 2-4 s",
}


def physionet_lr(root: str = "") -> DatasetDefinition:
    return DatasetDefinition.from_mapping(PHYSIONET_LR, root, origin="physionet-lr")


def physionet_hf(root: str = "") -> DatasetDefinition:
    return DatasetDefinition.from_mapping(PHYSIONET_HF, root, origin="physionet-hf")


def kalunga(root: str = "") -> DatasetDefinition:
    return DatasetDefinition.from_mapping(KALUNGA, root, origin="kalunga")

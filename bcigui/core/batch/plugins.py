"""``dataset`` plugin declarations (light: factories are imported on first use).

A ``dataset`` factory takes ``root`` (the data set's folder) and returns a
:class:`bcigui.core.batch.definition.DatasetDefinition`.
"""

from __future__ import annotations

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec

_ROOT_EEGBCI = Param("root", "str", "", "folder given to MNE's eegbci loader as `path` (holds MNE-eegbci-data/)")
_ROOT_KALUNGA = Param("root", "str", "", "folder holding subjectNN/ (record-..._raw.fif + -eve.fif)")
_B = "bcigui.core.batch.builtin:"

PLUGINS = [
    PluginSpec("physionet-lr", "dataset", _B + "physionet_lr",
               "PhysioNet EEGMMIDB imagined left vs right fist (runs 4/8/12, T1=left, T2=right), 0-3 s",
               params=(_ROOT_EEGBCI,), tags={"paradigm": "mi"}),
    PluginSpec("physionet-hf", "dataset", _B + "physionet_hf",
               "PhysioNet EEGMMIDB imagined hands vs feet (runs 6/10/14, T1=hands, T2=feet), 0-3 s",
               params=(_ROOT_EEGBCI,), tags={"paradigm": "mi"}),
    PluginSpec("kalunga", "dataset", _B + "kalunga",
               "Kalunga2016 SSVEP: rest, 13, 21, 17 Hz, 2-4 s after the cue",
               params=(_ROOT_KALUNGA,), tags={"paradigm": "ssvep"}),
]

"""Data-set definitions: built-ins against the real layouts in ../shared/data, TOML/JSON files, errors,
and the ``dataset`` plugin kind (entry points and the user plugin folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcigui.core.batch.definition import (
    DatasetDefinition,
    load_definition_file,
    parse_subjects,
    resolve_dataset,
)
from bcigui.core.plugins.registry import Registry, get_registry
from tests.conftest import KALUNGA, PHYSIONET


def test_parse_subjects_numbers_and_ranges() -> None:
    assert parse_subjects("1-3,42, 2") == [1, 2, 3, 42]
    assert parse_subjects([5, 1]) == [1, 5]
    for bad in ("a", "3-1", "0", "", "1-x"):
        with pytest.raises(ValueError, match="--subjects"):
            parse_subjects(bad)


def test_physionet_files_are_those_of_mne_eegbci_loader(shared_data: Path) -> None:
    from mne.datasets import eegbci

    for name, runs in (("physionet-lr", [4, 8, 12]), ("physionet-hf", [6, 10, 14])):
        d = resolve_dataset(f"{name}:{PHYSIONET}")
        assert d.paradigm == "mi" and d.tmin == 0.0 and d.tmax == 3.0 and d.session_names() == ["0"]
        found, missing = d.files_of(1, "0")
        assert not missing
        assert [p for _, p in found] == [Path(p) for p in eegbci.load_data(1, runs, path=str(PHYSIONET),
                                                                               update_path=False)]
        assert [r for r, _ in found] == runs
    lr = resolve_dataset(f"physionet-lr:{PHYSIONET}")
    assert lr.events == {"T1": "left", "T2": "right"}
    assert lr.available_subjects() == list(range(1, 11))
    hf = resolve_dataset(f"physionet-hf:{PHYSIONET}")
    assert hf.events == {"T1": "hands", "T2": "feet"}
    found, missing = hf.files_of(2, "0")  # S002 only has run 6 of the hands/feet runs
    assert [r for r, _ in found] == [6] and [p.name for p in missing] == ["S002R10.edf", "S002R14.edf"]


def test_kalunga_definition(shared_data: Path) -> None:
    d = resolve_dataset(f"kalunga:{KALUNGA}")
    assert d.paradigm == "ssvep" and (d.tmin, d.tmax) == (2.0, 4.0)
    assert sorted(d.events.values()) == ["13", "17", "21", "rest"]
    assert d.available_subjects() == [1, 2, 3, 4, 5, 6]
    found, _ = d.files_of(1, "0")
    assert [r for r, _ in found] == [0, 1] and all(p.name.endswith("_raw.fif") for _, p in found)


def test_definition_files_extend_and_validate(shared_data: Path, tmp_path: Path) -> None:
    toml = tmp_path / "lr8.toml"
    toml.write_text('extends = "physionet-lr"\nname = "lr8"\nchannels = ["C3", "Cz", "C4"]\nsubjects = "1-3"\n')
    d = resolve_dataset(f"{toml}:{PHYSIONET}")
    assert d.name == "lr8" and d.channels == ("C3", "Cz", "C4") and d.subjects == (1, 2, 3)
    assert d.runs == (4, 8, 12) and d.root == str(PHYSIONET)
    js = tmp_path / "k.json"
    js.write_text(json.dumps({"name": "k2", "paradigm": "ssvep", "files": "subject{subject:02d}/*_raw.fif",
                              "subjects": [1, 2], "events": {"2": "13", "3": "21"}, "tmin": 1, "tmax": 3,
                              "root": str(KALUNGA)}))
    k = load_definition_file(js)
    assert k.available_subjects() == [1, 2] and k.events == {"2": "13", "3": "21"}
    good = {"name": "x", "paradigm": "mi", "files": "S{subject}R{run}.edf", "runs": [1], "subjects": "1",
            "events": {"a": "b"}, "tmin": 0, "tmax": 1}
    DatasetDefinition.from_mapping(good)
    for change, message in (({"paradigm": "p300"}, "'paradigm' must be one of"), ({"runs": []}, "'runs' must list"),
                            ({"tmax": 0}, "'tmax'"), ({"colour": 1}, "unknown key"),
                            ({"files": "x.edf"}, "must contain {subject}"),
                            ({"sessions": {"a": [2]}}, "runs not in 'runs'")):
        with pytest.raises(ValueError, match=message):
            DatasetDefinition.from_mapping({**good, **change})
    with pytest.raises(ValueError, match="needs a ROOT"):
        resolve_dataset("physionet-lr").files_of(1, "0")
    with pytest.raises(ValueError, match="No dataset plugin named 'nope'.*physionet-lr"):
        resolve_dataset("nope:/tmp")
    with pytest.raises(FileNotFoundError, match="ROOT folder"):
        resolve_dataset(f"kalunga:{tmp_path / 'absent'}")


def test_dataset_is_a_plugin_kind(tmp_path: Path) -> None:
    assert {s.name for s in get_registry().list("dataset")} >= {"physionet-lr", "physionet-hf", "kalunga"}
    (tmp_path / "my_sets.py").write_text(
        "from bcigui.core.plugins import Param, PluginSpec\n"
        "from bcigui.core.batch.definition import DatasetDefinition\n"
        "def make(root=''):\n"
        "    return DatasetDefinition.from_mapping({'name': 'mine', 'paradigm': 'mi', 'files': 's{subject}.edf',\n"
        "        'subjects': '1-2', 'events': {'1': 'a', '2': 'b'}, 'tmin': 0, 'tmax': 1}, root)\n"
        "def bcigui_plugins():\n"
        "    return [PluginSpec('mine', 'dataset', make, 'a lab data set', params=(Param('root', 'str', ''),))]\n")
    reg = Registry().discover(tmp_path, use_entry_points=False)
    assert not reg.failures
    d = reg.create("dataset", "mine", root=str(tmp_path))
    (tmp_path / "s2.edf").write_bytes(b"")
    assert isinstance(d, DatasetDefinition) and d.available_subjects() == [2]


def test_plan_counts_tasks_and_rejects_bad_requests(shared_data: Path) -> None:
    from bcigui.core.batch.runner import check_cv, check_scheduler, plan
    from bcigui.core.batch.tasks import TaskKey

    hf = resolve_dataset(f"physionet-hf:{PHYSIONET}")
    p = plan([hf], ["csp_lda", "mdm"], [1, 2], done={TaskKey("physionet-hf", 1, "0", "mdm")})
    assert (p.total, p.skipped) == (4, 1)
    assert [(g.subject, g.pipelines) for g in p.groups] == [(1, ["csp_lda"]), (2, ["csp_lda", "mdm"])]
    assert p.incomplete == [("physionet-hf", 2, "0", ["S002R10.edf", "S002R14.edf"])]
    assert plan([hf], ["csp_lda"]).total == 10  # default: every subject with files
    kal = resolve_dataset(f"kalunga:{KALUNGA}")
    for args, message in ((([hf], ["csp_lda"], [200]), "--subjects: data set 'physionet-hf' has no subject"),
                          (([kal], ["fbcca"], [7]), r"--subjects: no files for subject\(s\) \[7\]"),
                          (([kal], ["csp_lda"], [1]), "--pipelines: pipeline 'csp_lda' is for paradigm 'mi'"),
                          (([hf], ["nope"], [1]), "--pipelines: No decoder plugin named 'nope'"),
                          (([hf], ["mdm", "mdm"], [1]), "lists a pipeline twice"),
                          (([hf, hf], ["mdm"], [1]), "each data set once")):
        with pytest.raises((ValueError, FileNotFoundError), match=message):
            plan(*args)
    assert check_cv("5") == 5 and check_cv("runs") == "runs"
    for bad in ("1", "chrono", "x"):
        with pytest.raises(ValueError, match="--cv must be"):
            check_cv(bad)
    with pytest.raises(ValueError, match="--scheduler must be"):
        check_scheduler("dask", None)
    with pytest.raises(ValueError, match="--workers applies to --scheduler local only"):
        check_scheduler("serial", 2)


@pytest.mark.parametrize("n", [3, 8, 13, 20])
def test_paired_test_is_scipys_wilcoxon(n: int) -> None:
    """The summary's exact sign-flip test gives scipy's Wilcoxon p-value, with and without tied or zero
    differences (scipy's own path for ties is the same test, computed one flip at a time)."""
    import numpy as np
    from scipy import stats

    from bcigui.core.batch.summary import paired_test

    rng = np.random.default_rng(n)
    for tied in (False, True):
        for _ in range(1 if n == 13 else 3):  # scipy's own tied path takes 1.6 s at n = 13
            d = rng.normal(0.03, 0.05, n)
            if tied:
                d = np.round(d, 2)
                d[0], d[1] = 0.0, abs(d[2])
            a = {(s, "0"): 0.5 + x for s, x in enumerate(d)}
            b = {(s, "0"): 0.5 for s in range(n)}
            got = paired_test(a, b)
            diff = np.array([a[k] - b[k] for k in sorted(a)])  # the same floating-point differences
            assert got["n"] == n
            assert got["p_value"] == pytest.approx(stats.wilcoxon(diff, zero_method="zsplit").pvalue, rel=1e-9)

"""The .bcimodel file: round trip, integrity, untrusted types, malicious payloads, format version."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from bcigui.core.decoders.pipelines import make_csp_lda
from bcigui.core.model_file import ModelFileError, load_model, referenced_types, save_model

MANIFEST = {"paradigm": "mi", "classes": ["a", "b"], "ch_names": ["C3", "Cz", "C4", "Pz"], "sfreq": 100.0,
            "tmin": 0.5, "tmax": 2.5, "filter": {"l_freq": 8.0, "h_freq": 30.0},
            "pipeline": {"name": "csp_lda", "params": {"n_components": 4}}}


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 4, 200))
    y = np.array(["a", "b"] * 20)
    X[y == "a", 0] *= 2.0
    return X, y


@pytest.fixture
def model_path(tmp_path: Path) -> Path:
    X, y = _data()
    path = tmp_path / "m.bcimodel"
    save_model(path, make_csp_lda(100.0, MANIFEST["ch_names"], ["a", "b"], n_components=4).fit(X, y), MANIFEST)
    return path


def _read(path: Path) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(path) as z:
        return z.read("manifest.json"), z.read("pipeline.skops")


def _write(path: Path, manifest: bytes, payload: bytes, checksum: str | None = None) -> None:
    """Write a model file; by default with a correct checksum (as an attacker would recompute it)."""
    if checksum is None:
        checksum = hashlib.sha256(manifest + b"\0" + payload).hexdigest()
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", manifest)
        z.writestr("pipeline.skops", payload)
        z.writestr("checksum.sha256", checksum)


def test_round_trip_gives_identical_predictions(model_path: Path) -> None:
    X, y = _data(1)
    model = load_model(model_path)
    original = make_csp_lda(100.0, MANIFEST["ch_names"], ["a", "b"], n_components=4).fit(*_data())
    np.testing.assert_array_equal(model.pipeline.predict(X), original.predict(X))
    np.testing.assert_allclose(model.pipeline.decision_function(X), original.decision_function(X))
    man = model.manifest
    assert man["format_version"] == 1 and man["classes"] == ["a", "b"] and man["filter"]["l_freq"] == 8.0
    assert "pyriemann.spatialfilters.CSP" in man["types"] and man["versions"]["scikit-learn"]
    assert man["created"].startswith("20")


@pytest.mark.parametrize("where", ["payload", "manifest"])
def test_flipped_byte_is_refused(model_path: Path, where: str) -> None:
    manifest, payload = _read(model_path)
    with zipfile.ZipFile(model_path) as z:
        checksum = z.read("checksum.sha256").decode()
    if where == "payload":
        b = bytearray(payload)
        b[len(b) // 2] ^= 0x01
        payload = bytes(b)
    else:
        manifest = manifest.replace(b'"a"', b'"x"', 1)
    _write(model_path, manifest, payload, checksum)
    with pytest.raises(ModelFileError, match="integrity check failed"):
        load_model(model_path)


def test_incompatible_format_version_is_refused(model_path: Path) -> None:
    manifest, payload = _read(model_path)
    man = json.loads(manifest)
    man["format_version"] = 99
    _write(model_path, json.dumps(man).encode(), payload)
    with pytest.raises(ModelFileError, match="incompatible model format_version 99"):
        load_model(model_path)


def _exploit_payload(marker: Path) -> bytes:
    """A skops payload that runs ``touch marker`` through os.system when constructed."""
    schema = {
        "__class__": "system", "__module__": "os", "__loader__": "ConstructorFromReduceNode", "__id__": 1,
        "content": {"__class__": "tuple", "__module__": "builtins", "__loader__": "TupleNode", "__id__": 2,
                    "content": [{"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode",
                                 "content": json.dumps(f"touch '{marker}'"), "is_json": True, "__id__": 3}]},
        "protocol": 2, "_skops_version": sio.__dict__.get("__version__", "0.16.0"),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("schema.json", json.dumps(schema))
    return buf.getvalue()


def test_malicious_payload_is_refused_and_never_executed(model_path: Path, tmp_path: Path) -> None:
    # positive control: the payload really runs code when a loader trusts it
    control = tmp_path / "control-created"
    sio.loads(_exploit_payload(control), trusted=["os.system"])
    assert control.exists()
    marker = tmp_path / "pwned"
    manifest, _ = _read(model_path)
    _write(model_path, manifest, _exploit_payload(marker))
    with pytest.raises(ModelFileError, match=r"untrusted types \['os.system'\]"):
        load_model(model_path)
    assert not marker.exists()


def _edit_schema(path: Path, old: bytes, new: bytes) -> None:
    """Rewrite a name inside the payload's schema and recompute the checksum, as an attacker would."""
    manifest, payload = _read(path)
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    assert old in entries["schema.json"]
    entries["schema.json"] = entries["schema.json"].replace(old, new)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, data in entries.items():
            z.writestr(n, data)
    _write(path, manifest, buf.getvalue())


def test_bcigui_class_under_another_module_path_is_refused(model_path: Path) -> None:
    _edit_schema(model_path, b'"pyriemann.spatialfilters"', b'"evil_plugin.spatialfilters"')
    with pytest.raises(ModelFileError, match=r"evil_plugin.spatialfilters.CSP.*package evil_plugin\), install it"):
        load_model(model_path)


def test_third_party_decoder_declares_its_types_and_exports(tmp_path: Path) -> None:
    """The example plugin's decoder (installed by `make test`) exports; its manifest names the plugin."""
    from bcigui.core.decoders.training import build_pipeline, get_decoder

    X, y = _data()
    pipe, _ = build_pipeline(get_decoder("example_logvar_lda", "mi"), 100.0, MANIFEST["ch_names"], ["a", "b"])
    pipe.fit(X, y)
    save_model(tmp_path / "p.bcimodel", pipe, MANIFEST)
    model = load_model(tmp_path / "p.bcimodel")
    assert "bcigui_example.logvar.LogVariance" in model.manifest["types"]
    assert model.manifest["plugins"] == ["example_logvar_lda (bcigui_example 0.1.0)"]
    np.testing.assert_array_equal(model.pipeline.predict(X), pipe.predict(X))
    # a class of the same package that the plugin did not declare is still refused
    _edit_schema(tmp_path / "p.bcimodel", b'"LogVariance"', b'"Undeclared"')
    with pytest.raises(ModelFileError, match=r"\['bcigui_example.logvar.Undeclared'\].*package bcigui_example"):
        load_model(tmp_path / "p.bcimodel")


def test_pickle_inside_the_payload_is_refused(model_path: Path, tmp_path: Path) -> None:
    manifest, payload = _read(model_path)
    with zipfile.ZipFile(io.BytesIO(payload)) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    # 1) an extra pickle member
    extra = dict(entries, **{"evil.pkl": b"cos\nsystem\n(S'touch x'\ntR."})
    # 2) an .npy array replaced by a pickled object array
    npy_name = next(n for n in entries if n.endswith(".npy"))
    obj = io.BytesIO()
    np.save(obj, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    swapped = dict(entries, **{npy_name: obj.getvalue()})
    for variant, pattern in ((extra, "unexpected entries"), (swapped, "cannot be loaded")):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for n, data in variant.items():
                z.writestr(n, data)
        _write(model_path, manifest, buf.getvalue())
        with pytest.raises(ModelFileError, match=pattern):
            load_model(model_path)


def test_not_a_model_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bcimodel"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a valid .bcimodel"):
        load_model(bad)
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "missing.bcimodel")


def test_save_refuses_untrusted_types_and_incomplete_manifest(tmp_path: Path) -> None:
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = _data()
    pipe = make_pipeline(FunctionTransformer(np.log1p), PCA(2)).fit(X.reshape(len(X), -1)[:, :10] ** 2, y)
    with pytest.raises(ModelFileError, match="untrusted types") as err:
        save_model(tmp_path / "x.bcimodel", pipe, MANIFEST)
    assert "sklearn.decomposition._pca.PCA" in str(err.value)
    assert not (tmp_path / "x.bcimodel").exists()
    with pytest.raises(ModelFileError, match=r"lacks required key\(s\) \['sfreq'\]"):
        save_model(tmp_path / "y.bcimodel", make_csp_lda(100.0, [], []), {k: v for k, v in MANIFEST.items() if k != "sfreq"})
    assert referenced_types(sio.dumps([1, "a"])) >= {"builtins.list"}


def test_builtin_classes_are_trusted_through_their_plugin_specs(tmp_path: Path) -> None:
    """bcigui's classes are not in the hand-kept list: the built-in plugins declare them, like a third
    party's. A filter-bank CSP feature pipeline (missing from the old list) exports and loads back."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.pipeline import make_pipeline

    from bcigui.core.features.spatial import FilterBankCSP
    from bcigui.core.model_file import TRUSTED_TYPES
    from bcigui.core.plugins import get_registry

    assert not [t for t in TRUSTED_TYPES if t.startswith("bcigui.")]
    declared = get_registry().trusted_types()
    assert declared["bcigui.core.features.spatial.FilterBankCSP"].name == "fbcsp"
    assert "bcigui.core.features.riemann.TangentSpace" in declared
    X, y = _data()
    pipe = make_pipeline(FilterBankCSP(100.0, bands="8-12,12-16,16-24", n_components=2),
                         LinearDiscriminantAnalysis()).fit(X, y)
    save_model(tmp_path / "fb.bcimodel", pipe, MANIFEST)
    model = load_model(tmp_path / "fb.bcimodel")
    assert "bcigui.core.features.spatial.FilterBankCSP" in model.manifest["types"]
    assert "plugins" not in model.manifest  # built-ins are not third-party plugins a receiver must install
    X2, _ = _data(1)
    np.testing.assert_allclose(model.pipeline.decision_function(X2), pipe.decision_function(X2))

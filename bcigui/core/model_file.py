"""``.bcimodel`` files: a fitted decoder pipeline (skops, never pickle) plus a JSON manifest.

Layout (a zip): ``manifest.json`` (UTF-8 JSON), ``pipeline.skops`` (``skops.io.dumps`` payload) and
``checksum.sha256`` (hex sha256 over ``manifest.json`` + NUL + ``pipeline.skops``). Loading checks,
before constructing anything: the member list, the checksum, the manifest (format version, required
keys) and every type referenced by the payload against :data:`TRUSTED_TYPES` (an explicit list of
fully qualified names; skops then only imports those). Nothing in the file is executed.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PAYLOAD = "pipeline.skops"
CHECKSUM = "checksum.sha256"
MEMBERS = (MANIFEST, PAYLOAD, CHECKSUM)
MAX_BYTES = 512 * 1024 * 1024
REQUIRED_KEYS = ("format_version", "paradigm", "classes", "ch_names", "sfreq", "tmin", "tmax", "filter", "pipeline")

#: The containers, scalars, scikit-learn and pyriemann types a pipeline may contain (module.qualname).
#: bcigui's own classes are trusted like any plugin's: each decoder and feature plugin declares the
#: classes its pipelines hold in ``PluginSpec.trusted_types``. Loading refuses anything else.
TRUSTED_TYPES: frozenset[str] = frozenset({
    # containers and scalars
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int", "builtins.float",
    "builtins.bool", "builtins.NoneType", "builtins.slice",
    "numpy.ndarray", "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.str_",
    "numpy.bool_", "numpy.dtype", "numpy.random.mtrand.RandomState",
    "numpy.dtypes.Float64DType", "numpy.dtypes.Int64DType", "numpy.dtypes.StrDType",
    # scikit-learn
    "sklearn.pipeline.Pipeline", "sklearn.pipeline.FeatureUnion",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis",
    "sklearn.linear_model._logistic.LogisticRegression", "sklearn.linear_model._logistic.LogisticRegressionCV",
    "sklearn.linear_model._ridge.RidgeClassifierCV", "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.svm._classes.SVC", "sklearn.metrics._dist_metrics.EuclideanDistance64",
    "sklearn.neighbors._classification.KNeighborsClassifier",
    "sklearn.ensemble._forest.RandomForestClassifier", "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree", "sklearn.neighbors._kd_tree.KDTree", "sklearn.neighbors._ball_tree.BallTree",
    "sklearn.model_selection._split.StratifiedKFold",
    # pyriemann
    "pyriemann.estimation.Covariances", "pyriemann.tangentspace.TangentSpace",
    "pyriemann.spatialfilters.CSP", "pyriemann.classification.MDM", "pyriemann.estimation.XdawnCovariances",
    "pyriemann.spatialfilters.Xdawn",
})
EXTRA_TRUSTED: set[str] = set()  # names trusted by the running program (plugins declare theirs in PluginSpec)


class ModelFileError(ValueError):
    """A ``.bcimodel`` file that cannot be written or must not be loaded (the message says why)."""


@dataclass
class LoadedModel:
    pipeline: Any
    manifest: dict[str, Any]


def _plugin_types() -> dict[str, Any]:
    """Types declared by installed plugins (``PluginSpec.trusted_types``), with their spec."""
    from bcigui.core.plugins.registry import get_registry

    return get_registry().trusted_types()


def trusted_types() -> set[str]:
    """bcigui's allow-list, plus what installed plugins declare for their own classes."""
    return set(TRUSTED_TYPES) | EXTRA_TRUSTED | set(_plugin_types())


def _checksum(manifest: bytes, payload: bytes) -> str:
    return hashlib.sha256(manifest + b"\0" + payload).hexdigest()


def referenced_types(payload: bytes) -> set[str]:
    """Every type and function named in a skops payload's schema (read as JSON; nothing imported)."""
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as z:
            names = z.namelist()
            bad = [n for n in names if n != "schema.json" and not n.endswith(".npy")]
            if bad:
                raise ModelFileError(f"model payload contains unexpected entries {bad} (only schema.json and .npy arrays are allowed)")
            schema = json.loads(z.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelFileError(f"model payload is not a valid skops file: {err}") from None
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "__module__" in node or "__class__" in node:
                found.add(f"{node.get('__module__')}.{node.get('__class__')}")
            if "module_path" in node or "function" in node:
                found.add(f"{node.get('module_path')}.{node.get('function')}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return found


def _check_types(payload: bytes, action: str = "load") -> list[str]:
    found = referenced_types(payload)
    untrusted = sorted(found - trusted_types())
    if untrusted:
        packages = sorted({t.split(".")[0] for t in untrusted} - {"bcigui", "sklearn", "pyriemann", "numpy", "builtins"})
        hint = (f" If they come from a bcigui plugin (package {', '.join(packages)}), install it: its PluginSpec "
                "must list them in trusted_types.") if packages else ""
        raise ModelFileError(f"model refers to untrusted types {untrusted}; refusing to {action} it.{hint}")
    return sorted(found)


def _plugins_used(types: list[str]) -> list[str]:
    """Third-party plugins whose classes the pipeline holds (bcigui's own built-ins are not listed)."""
    declared = {t: spec for t, spec in _plugin_types().items() if spec.package != "bcigui"}
    return sorted({f"{declared[t].name} ({declared[t].package} {declared[t].version})" for t in types if t in declared})


def _jsonable(obj: Any) -> Any:
    try:
        import numpy as np

        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"manifest value of type {type(obj).__name__} is not JSON serialisable")


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("bcigui", "scikit-learn", "pyriemann", "numpy", "scipy", "mne", "skops"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            continue
    return out


def save_model(path: str | Path, pipeline: Any, manifest: dict[str, Any]) -> None:
    """Write ``pipeline`` and ``manifest`` to ``path``; refuses pipelines with untrusted types."""
    import datetime

    import skops.io as sio

    missing = [k for k in REQUIRED_KEYS if k not in manifest and k != "format_version"]
    if missing:
        raise ModelFileError(f"manifest lacks required key(s) {missing}; required: {list(REQUIRED_KEYS)}")
    man = dict(manifest)
    man["format_version"] = FORMAT_VERSION
    man.setdefault("created", datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))
    man.setdefault("versions", _versions())
    try:
        payload = sio.dumps(pipeline)
    except Exception as err:
        raise ModelFileError(f"cannot serialise the pipeline with skops: {err}") from err
    man["types"] = _check_types(payload, "save")
    plugins = _plugins_used(man["types"])
    if plugins:
        man["plugins"] = plugins  # what a receiver of the file must install to load it
    try:
        man_bytes = json.dumps(man, indent=2, sort_keys=True, default=_jsonable).encode("utf-8")
    except (TypeError, ValueError) as err:
        raise ModelFileError(f"manifest is not JSON serialisable: {err}") from None
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, man_bytes)
        z.writestr(PAYLOAD, payload)
        z.writestr(CHECKSUM, _checksum(man_bytes, payload))
    tmp.replace(path)


def read_manifest(path: str | Path) -> tuple[dict[str, Any], bytes]:
    """Validated manifest and raw payload of a model file (checksum and version checked)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist")
    try:
        with zipfile.ZipFile(path) as z:
            names = sorted(z.namelist())
            if names != sorted(MEMBERS):
                raise ModelFileError(f"{path} is not a bcigui model: expected entries {sorted(MEMBERS)}, found {names}")
            if sum(i.file_size for i in z.infolist()) > MAX_BYTES:
                raise ModelFileError(f"{path}: model file expands beyond {MAX_BYTES} bytes")
            man_bytes, payload = z.read(MANIFEST), z.read(PAYLOAD)
            stored = z.read(CHECKSUM).decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as err:
        raise ModelFileError(f"{path} is not a valid .bcimodel file (zip): {err}") from None
    if not hmac.compare_digest(stored, _checksum(man_bytes, payload)):
        raise ModelFileError(f"{path}: integrity check failed (sha256 mismatch); the file was modified or corrupted")
    try:
        manifest = json.loads(man_bytes.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ModelFileError(f"{path}: manifest is not valid JSON: {err}") from None
    if not isinstance(manifest, dict):
        raise ModelFileError(f"{path}: manifest must be a JSON object")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: incompatible model format_version {version!r}; this bcigui reads version {FORMAT_VERSION}"
        )
    missing = [k for k in REQUIRED_KEYS if k not in manifest]
    if missing:
        raise ModelFileError(f"{path}: manifest lacks required key(s) {missing}")
    _check_manifest_types(path, manifest)
    return manifest, payload


def _check_manifest_types(path: Path, manifest: dict[str, Any]) -> None:
    """Each required manifest field has the type a model needs (named in the error when not)."""
    def number(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool)

    def strings(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(x, str) for x in v)

    checks = {"paradigm": (lambda v: isinstance(v, str), "a string"),
              "classes": (strings, "a non-empty list of strings"), "ch_names": (strings, "a non-empty list of strings"),
              "sfreq": (lambda v: number(v) and v > 0, "a positive number (Hz)"), "tmin": (number, "a number (s)"),
              "tmax": (number, "a number (s)"), "filter": (lambda v: v is None or isinstance(v, dict), "an object or null")}
    for key, (ok, what) in checks.items():
        if not ok(manifest[key]):
            raise ModelFileError(f"{path}: manifest field {key!r} must be {what}, got {manifest[key]!r}")
    if manifest["tmax"] <= manifest["tmin"]:
        raise ModelFileError(f"{path}: manifest window tmax ({manifest['tmax']}) must be after tmin ({manifest['tmin']})")


def load_model(path: str | Path) -> LoadedModel:
    """Load and validate a ``.bcimodel``; raises :class:`ModelFileError` (with the reason) if refused."""
    import skops.io as sio

    manifest, payload = read_manifest(path)
    types = _check_types(payload)
    try:
        untrusted_by_skops = sio.get_untrusted_types(data=payload)
    except Exception as err:
        raise ModelFileError(f"{path}: model payload cannot be read: {err}") from None
    extra = sorted(set(untrusted_by_skops) - set(types) - trusted_types())
    if extra:
        raise ModelFileError(f"{path}: model refers to untrusted types {extra}; refusing to load it")
    try:
        pipeline = sio.loads(payload, trusted=sorted(untrusted_by_skops))
    except Exception as err:
        raise ModelFileError(f"{path}: model payload cannot be loaded: {type(err).__name__}: {err}") from None
    return LoadedModel(pipeline=pipeline, manifest=manifest)

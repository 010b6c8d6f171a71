"""Plugin declarations, discovery (entry points and a user folder) and the registry.

A plugin is declared by a :class:`PluginSpec`: metadata plus a ``factory`` given as a
``"module:attribute"`` string that is imported lazily, on first use. Entry points in the group
``bcigui.plugins`` (and modules in the user plugin folder, through a ``bcigui_plugins()`` function)
provide lists of specs. Built-in plugins are declared through the same entry-point group.

Anything that fails while importing, declaring or validating a plugin is recorded as a
:class:`PluginFailure` and skipped: a broken plugin never prevents start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from bcigui.core.plugins.params import Param, resolve_params

PLUGIN_API_VERSION = "1.0"
KINDS = ("source", "feature", "decoder", "paradigm", "view", "dataset")
ENTRY_POINT_GROUP = "bcigui.plugins"
FOLDER_HOOK = "bcigui_plugins"


@dataclass(frozen=True)
class PluginSpec:
    """Declaration of one plugin.

    ``factory`` is a callable or a ``"package.module:attribute"`` string imported on first use;
    calling it with the validated parameters creates the plugin object (an estimator, a source,
    a paradigm, a view widget class...). ``tags`` holds kind-specific metadata, for example
    ``{"paradigm": "mi"}`` for a decoder. ``trusted_types`` names (``"package.module.Class"``) the
    plugin's own classes that a fitted pipeline may contain, so that model files holding them can be
    saved and loaded (see ``bcigui.core.model_file``); they must live in the plugin's own package.
    """

    name: str
    kind: str
    factory: str | Callable[..., Any]
    description: str = ""
    version: str = "1.0"
    api_version: str = PLUGIN_API_VERSION
    params: tuple[Param, ...] = ()
    tags: dict[str, Any] = field(default_factory=dict)
    trusted_types: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        """Top-level package of the factory (where the plugin's code lives)."""
        module = self.factory.partition(":")[0] if isinstance(self.factory, str) else self.factory.__module__
        return module.split(".")[0]

    def load(self) -> Callable[..., Any]:
        """Import and return the factory (lazily, the first time it is needed)."""
        if callable(self.factory):
            return self.factory
        try:
            return import_object(self.factory)
        except ValueError as err:
            raise ValueError(f"Plugin {self.name!r}: factory {err}") from None

    def resolve(self, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """Validated parameter values (defaults filled in)."""
        try:
            return resolve_params(self.params, values)
        except ValueError as err:
            raise ValueError(f"Plugin {self.kind} {self.name!r}: {err}") from None

    def create(self, **values: Any) -> Any:
        """Instantiate the plugin with validated parameters."""
        return self.load()(**self.resolve(values))


@dataclass(frozen=True)
class PluginFailure:
    """A plugin that could not be imported, declared, validated or loaded."""

    name: str
    origin: str
    error: str
    traceback: str


def _api_compatible(version: str) -> bool:
    return str(version).split(".")[0] == PLUGIN_API_VERSION.split(".")[0]


def default_plugins_dir() -> Path:
    """Per-user plugin folder: ``$BCIGUI_PLUGINS_DIR`` or ``$XDG_DATA_HOME/bcigui/plugins``."""
    env = os.environ.get("BCIGUI_PLUGINS_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "bcigui" / "plugins"


class Registry:
    """All known plugins, by kind and name, plus the failures met while discovering them."""

    def __init__(self) -> None:
        self._specs: dict[tuple[str, str], tuple[PluginSpec, str]] = {}
        self.failures: list[PluginFailure] = []

    # -- registration -------------------------------------------------------------------------
    def register(self, spec: PluginSpec, origin: str = "code") -> None:
        """Validate and add ``spec``; raise ``ValueError`` with the reason if it is not valid."""
        if not isinstance(spec, PluginSpec):
            raise TypeError(f"expected a PluginSpec, got {type(spec).__name__}")
        if spec.kind not in KINDS:
            raise ValueError(f"Plugin {spec.name!r}: kind must be one of {list(KINDS)}, got {spec.kind!r}")
        if not spec.name or not spec.name.replace("-", "_").replace(".", "_").isidentifier():
            raise ValueError(f"Plugin name must be a non-empty identifier-like string, got {spec.name!r}")
        if not _api_compatible(spec.api_version):
            raise ValueError(
                f"Plugin {spec.name!r} targets plugin API {spec.api_version}, "
                f"this bcigui provides {PLUGIN_API_VERSION}"
            )
        _check_trusted_types(spec)
        key = (spec.kind, spec.name)
        if key in self._specs:
            raise ValueError(
                f"Plugin {spec.kind} {spec.name!r} from {origin} is already registered "
                f"by {self._specs[key][1]}"
            )
        self._specs[key] = (spec, origin)

    def _record(self, name: str, origin: str, err: BaseException) -> None:
        tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
        self.failures.append(PluginFailure(name, origin, f"{type(err).__name__}: {err}", tb))

    def record_failure(self, name: str, origin: str, err: BaseException) -> None:
        """Record a plugin failure met after discovery (e.g. a view that fails to load in the GUI)."""
        self._record(name, origin, err)

    def register_many(self, specs: Iterable[PluginSpec] | Callable[[], Iterable[PluginSpec]], origin: str) -> None:
        """Register each spec, recording (not raising) the failures."""
        try:
            items = list(specs() if callable(specs) else specs)
        except Exception as err:  # a plugin's own code: report and skip
            self._record(origin, origin, err)
            return
        for spec in items:
            try:
                self.register(spec, origin)
            except Exception as err:
                self._record(getattr(spec, "name", repr(spec)), origin, err)

    # -- discovery ----------------------------------------------------------------------------
    def discover(self, plugins_dir: str | Path | None = None, use_entry_points: bool = True) -> Registry:
        """Load declarations from entry points and from ``plugins_dir`` (default per-user folder)."""
        if use_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                origin = f"entry point {ep.name} ({ep.value})"
                try:
                    specs = ep.load()
                except Exception as err:
                    self._record(ep.name, origin, err)
                    continue
                self.register_many(specs, origin)
        folder = Path(plugins_dir) if plugins_dir is not None else default_plugins_dir()
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                self._load_folder_item(path)
        return self

    def _load_folder_item(self, path: Path) -> None:
        if path.name.startswith(("_", ".")):
            return
        if path.is_dir() and (path / "__init__.py").exists():
            init = path / "__init__.py"
        elif path.suffix == ".py":
            init = path
        else:
            return
        mod_name = f"bcigui_user_plugins.{path.stem}"
        origin = f"plugin folder {path}"
        try:
            spec = importlib.util.spec_from_file_location(
                mod_name, init, submodule_search_locations=[str(path)] if path.is_dir() else None
            )
            module = importlib.util.module_from_spec(spec)
            sys.modules[mod_name] = module
            spec.loader.exec_module(module)
            hook = getattr(module, FOLDER_HOOK)
        except Exception as err:
            sys.modules.pop(mod_name, None)
            self._record(path.stem, origin, err)
            return
        self.register_many(hook, origin)

    # -- queries ------------------------------------------------------------------------------
    def get(self, kind: str, name: str) -> PluginSpec:
        """The spec of plugin ``name`` of ``kind``; ``KeyError`` lists the available names."""
        try:
            return self._specs[(kind, name)][0]
        except KeyError:
            names = [s.name for s in self.list(kind)]
            raise KeyError(f"No {kind} plugin named {name!r}; available: {names}") from None

    def origin(self, spec: PluginSpec) -> str:
        return self._specs[(spec.kind, spec.name)][1]

    def list(self, kind: str | None = None) -> list[PluginSpec]:
        """Registered specs, optionally of one kind, sorted by kind then name."""
        specs = [s for s, _ in self._specs.values() if kind is None or s.kind == kind]
        return sorted(specs, key=lambda s: (KINDS.index(s.kind), s.name))

    def trusted_types(self) -> dict[str, PluginSpec]:
        """Types that registered plugins declare safe to load from model files, with their plugin."""
        return {t: spec for spec in self.list() for t in spec.trusted_types}

    def create(self, kind: str, name: str, /, **values: Any) -> Any:
        """Instantiate a plugin; a failure to import it is recorded and re-raised."""
        spec = self.get(kind, name)
        try:
            factory = spec.load()
        except Exception as err:
            self._record(name, self.origin(spec), err)
            raise RuntimeError(f"Plugin {kind} {name!r} failed to load: {err}") from err
        return factory(**spec.resolve(values))


def import_object(path: str) -> Any:
    """Import ``"package.module:attribute"`` (the attribute may be dotted) and return it."""
    module_name, sep, attr = str(path).partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"must be 'module:attribute', got {path!r}")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _check_trusted_types(spec: PluginSpec) -> None:
    """A plugin may only vouch for its own classes (never e.g. ``builtins.eval`` or ``os.system``)."""
    if isinstance(spec.trusted_types, str) or not all(isinstance(t, str) for t in spec.trusted_types):
        raise ValueError(f"Plugin {spec.name!r}: trusted_types must be a tuple of 'package.module.Class' "
                         f"strings, got {spec.trusted_types!r}")
    package = spec.package
    foreign = [t for t in spec.trusted_types
               if t.split(".")[0] != package or t.count(".") < 1 or not all(p.isidentifier() for p in t.split("."))]
    if foreign:
        raise ValueError(f"Plugin {spec.name!r}: trusted_types must name classes of its own package "
                         f"{package!r} ('{package}.module.Class'), got {foreign}")


_DEFAULT: Registry | None = None


def get_registry(plugins_dir: str | Path | None = None, refresh: bool = False) -> Registry:
    """The process-wide registry, discovered on first use (or again with ``refresh=True``)."""
    global _DEFAULT
    if _DEFAULT is None or refresh or plugins_dir is not None:
        _DEFAULT = Registry().discover(plugins_dir)
    return _DEFAULT

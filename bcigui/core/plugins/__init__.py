"""Plugin registry: declarations, typed parameters, discovery."""

from bcigui.core.plugins.params import Param, parse_param_args, resolve_params
from bcigui.core.plugins.registry import (
    ENTRY_POINT_GROUP,
    KINDS,
    PLUGIN_API_VERSION,
    PluginFailure,
    PluginSpec,
    Registry,
    default_plugins_dir,
    get_registry,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "KINDS",
    "PLUGIN_API_VERSION",
    "Param",
    "PluginFailure",
    "PluginSpec",
    "Registry",
    "default_plugins_dir",
    "get_registry",
    "parse_param_args",
    "resolve_params",
]

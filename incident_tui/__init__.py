"""incident-tui: safeguarding procedures for schools, step by step, with a tamper-evident record."""

import os

__version__ = "0.1.0"

# No pydantic plugins are used here: without this, pydantic reads the entry points of
# every installed package the first time it builds a model (about 10 ms of each start).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

if os.environ["PYDANTIC_DISABLE_PLUGINS"] in ("__all__", "1", "true"):
    # With every plugin disabled pydantic's loader finds none, but importing it still
    # imports importlib.metadata (email, zipfile: ~12 ms of each start). This stands in
    # for it with the answer pydantic's own gives under this setting: no plugins.
    import sys
    import types

    if "pydantic.plugin._loader" not in sys.modules:
        _no_plugins = types.ModuleType("pydantic.plugin._loader")
        _no_plugins.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules["pydantic.plugin._loader"] = _no_plugins

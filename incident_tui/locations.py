"""Where incident-tui keeps things: one small function per path.

Data (the record) comes from platformdirs unless `--data-dir` or
INCIDENT_TUI_DATA_DIR says otherwise; config likewise with
INCIDENT_TUI_CONFIG_DIR. Live and training records are separate stores.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path, user_log_path

APP_NAME = "incident-tui"
DATA_ENV = "INCIDENT_TUI_DATA_DIR"
CONFIG_ENV = "INCIDENT_TUI_CONFIG_DIR"

_data_override: Path | None = None
_config_override: Path | None = None


def set_overrides(data_dir: Path | None = None, config_dir: Path | None = None) -> None:
    """Apply `--data-dir` / `--config-dir` from the command line."""
    global _data_override, _config_override
    _data_override = data_dir
    _config_override = config_dir


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def data_dir() -> Path:
    if _data_override is not None:
        return _data_override
    if env := os.environ.get(DATA_ENV):
        return Path(env)
    return user_data_path(APP_NAME)


def store_dir(training: bool = False) -> Path:
    """The live store, or the training store beside it: never the same folder."""
    return data_dir() / ("training" if training else "live")


def config_dir() -> Path:
    if _config_override is not None:
        return _config_override
    if env := os.environ.get(CONFIG_ENV):
        return Path(env)
    return user_config_path(APP_NAME)


def config_file() -> Path:
    return config_dir() / "config.toml"


def key_file() -> Path:
    """The per-install HMAC key: in the config dir, apart from the data it protects."""
    return config_dir() / "record.key"


def local_flows_dir() -> Path:
    """A school's or trust's own flows, added to or overriding the shipped ones."""
    return config_dir() / "flows"


def log_dir() -> Path:
    return user_log_path(APP_NAME)


def ensure_private_dir(path: Path) -> Path:
    """Create a folder readable by its owner only (0700)."""
    return _private_dir(path)

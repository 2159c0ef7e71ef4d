"""Where incident-tui keeps things: one `Paths` value, built once at start-up.

Data (the record) comes from platformdirs unless `--data-dir` or
INCIDENT_TUI_DATA_DIR says otherwise; config likewise with `--config-dir` or
INCIDENT_TUI_CONFIG_DIR. The command line builds one `Paths` and passes it to
whatever needs a folder; nothing here is set at run time. Live and training
records are separate stores.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Mode = Literal["live", "training"]
"""Which record: the live one, or the training one beside it (never mixed)."""

APP_NAME = "incident-tui"
DATA_ENV = "INCIDENT_TUI_DATA_DIR"
CONFIG_ENV = "INCIDENT_TUI_CONFIG_DIR"


@dataclass(frozen=True)
class Paths:
    """The folders of one run: where the record is kept, and where the config is."""

    data: Path
    """Holds the live and training stores."""
    config: Path
    """Holds the settings, the record key and the school's own flows."""

    @classmethod
    def from_environment(
        cls,
        data_dir: Path | None = None,
        config_dir: Path | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Paths:
        """The command line's folders first, then the environment, then the platform's."""
        env = os.environ if environ is None else environ
        data = data_dir or (Path(env[DATA_ENV]) if env.get(DATA_ENV) else None)
        config = config_dir or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
        if data is None or config is None:
            from platformdirs import user_config_path, user_data_path  # only when needed

            data = data or user_data_path(APP_NAME)
            config = config or user_config_path(APP_NAME)
        return cls(data=data, config=config)

    def store_dir(self, mode: Mode) -> Path:
        """The live store, or the training store beside it: never the same folder."""
        return self.data / ("training" if mode == "training" else "live")

    @property
    def config_file(self) -> Path:
        return self.config / "config.toml"

    @property
    def key_file(self) -> Path:
        """The per-install HMAC key: in the config dir, apart from the data it protects."""
        return self.config / "record.key"

    @property
    def local_flows_dir(self) -> Path:
        """A school's or trust's own flows, added to or overriding the shipped ones."""
        return self.config / "flows"


def log_dir() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP_NAME)


def cache_dir() -> Path:
    """What the app keeps only to start faster (flows already checked): nothing in it
    is needed, and anything wrong with it is ignored."""
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


def ensure_private_dir(path: Path) -> Path:
    """A folder the app owns, readable by its owner only (0700) whatever the umask.

    Every missing folder on the way is created 0700 too (`mkdir(parents=True)`
    would make them with the umask's mode, 0777 under umask 000), and an existing
    folder is tightened to 0700 (a data folder left 0777 by hand is not kept so)."""
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        # another process may make it first: tightened below like the rest
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
        os.chmod(folder, 0o700)
    if path.stat().st_mode & 0o777 != 0o700:
        # a folder someone else owns cannot be tightened: `config show` warns of it
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o700)
    return path


def loose_folders(path: Path) -> list[Path]:
    """`path` and every folder above it that others can write to (a folder others
    can write to lets them replace what is inside: the record, its key, the flows).
    A folder with the sticky bit (such as /tmp) only lets them remove their own."""
    loose = []
    for folder in (path, *path.parents):
        try:
            mode = folder.stat().st_mode
        except OSError:
            continue
        if mode & 0o022 and not mode & 0o1000:
            loose.append(folder)
    return loose

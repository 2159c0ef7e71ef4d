"""Who used the app last on this machine, so they need not type it again.

Kept in the config dir as `last_actor.json` (0600), apart from the school's
own `config.toml`. Only a name and a role; nothing about any pupil.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from incident_tui.errors import UserError
from incident_tui.files import write_private_file
from incident_tui.locations import ensure_private_dir
from incident_tui.record.events import Actor

FILE_NAME = "last_actor.json"


def load_last_actor(config_dir: Path) -> Actor | None:
    try:
        data = json.loads((config_dir / FILE_NAME).read_text(encoding="utf-8"))
        return Actor.model_validate(data)
    except (OSError, ValueError, ValidationError):
        return None  # a missing or garbled file only means the form starts empty


def save_last_actor(config_dir: Path, actor: Actor) -> None:
    """Best effort: failing to remember a name must never stop an incident."""
    try:
        ensure_private_dir(config_dir)
        write_private_file(
            config_dir / FILE_NAME, json.dumps(actor.model_dump()), replace=True, what="the name"
        )
    except (OSError, UserError):
        pass

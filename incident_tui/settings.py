"""A school's own settings: its name and local contacts.

Flows refer to contacts by name (`{contacts.mash}` in text, `contact = "mash"`
on an escalation), so one flow serves every school. Each flow declares the
contacts it names under [contacts], with what to show until the school sets its
own: a trust's flow that needs a new contact declares it there, with no change
here. The sample config that `incident-tui config init` writes is
`sample_config.toml` beside this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from incident_tui.errors import UserError
from incident_tui.tomlfile import parse_toml_model


class School(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Your school (set the name in the config file)"
    """Shown on every screen and on exports."""


SCHOOL_NAMES: frozenset[str] = frozenset(School.model_fields)

ContactName = Annotated[str, Field(pattern=r"^[a-z_]+$", max_length=80)]
"""The NAME of `{contacts.NAME}`: lower-case letters and '_'."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school: School = Field(default_factory=School)
    contacts: dict[ContactName, str] = {}
    """The school's own name and number for each contact the procedures declare."""

    def with_defaults(self, declared: Mapping[str, str]) -> Settings:
        """These settings, with what a flow declares shown for any contact not set here."""
        return self.model_copy(update={"contacts": {**declared, **self.contacts}})

    def undeclared_contacts(self, declared: Iterable[str]) -> list[str]:
        """Contacts set here that no procedure declares (a misspelt name, most likely)."""
        known = set(declared)
        return sorted(name for name in self.contacts if name not in known)


def sample_config_text() -> str:
    return files("incident_tui").joinpath("sample_config.toml").read_text(encoding="utf-8")


def load_settings(path: Path) -> Settings:
    """Read the config file; a missing file means the defaults."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the config file is not UTF-8 text") from None
    return parse_toml_model(Settings, text, path)


_PLACEHOLDER = re.compile(r"\{(contacts|school)\.([a-z_]+)\}")


def placeholders(text: str) -> list[tuple[str, str]]:
    """Every `{contacts.NAME}` / `{school.NAME}` used in a text."""
    return _PLACEHOLDER.findall(text)


def fill(text: str, settings: Settings) -> str:
    """Put the school's own names and numbers into a flow's text."""

    def one(match: re.Match[str]) -> str:
        section, name = match.groups()
        if section == "contacts":
            return settings.contacts.get(name, match.group(0))
        return str(getattr(settings.school, name, match.group(0)))

    return _PLACEHOLDER.sub(one, text)


def contact(settings: Settings, name: str) -> str:
    return settings.contacts.get(name, name)

"""A school's own settings: its name and local contacts.

Flows refer to contacts by name (`{contacts.mash}` in text, `contact = "mash"`
on an escalation), so one flow serves every school. The sample config that
`incident-tui config init` writes is `sample_config.toml` beside this module.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from incident_tui.errors import UserError
from incident_tui.tomlfile import parse_toml_model


class School(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Your school (set the name in the config file)"
    """Shown on every screen and on exports."""


class Contacts(BaseModel):
    """Who to call. Every name here may be used by a flow; no others."""

    model_config = ConfigDict(extra="forbid")

    dsl: str = "the Designated Safeguarding Lead (set name and number in the config file)"
    deputy_dsl: str = "the deputy DSL (set name and number in the config file)"
    headteacher: str = "the headteacher (set name and number in the config file)"
    mash: str = "the local children's social care front door / MASH (set in the config file)"
    police_emergency: str = "999"
    police_non_emergency: str = "101"
    safer_schools_officer: str = "the safer schools police officer, or 101 (set in the config file)"
    lado: str = "the Local Authority Designated Officer (set the number in the config file)"
    childline: str = "Childline, 0800 1111"
    report_remove: str = "Childline and IWF Report Remove (childline.org.uk/remove)"
    take_it_down: str = "NCMEC Take It Down (takeitdown.ncmec.org)"
    ceop: str = "CEOP (ceop.police.uk)"


CONTACT_NAMES: frozenset[str] = frozenset(Contacts.model_fields)
SCHOOL_NAMES: frozenset[str] = frozenset(School.model_fields)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    school: School = Field(default_factory=School)
    contacts: Contacts = Field(default_factory=Contacts)


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
        section = getattr(settings, match.group(1))
        return str(getattr(section, match.group(2), match.group(0)))

    return _PLACEHOLDER.sub(one, text)


def contact(settings: Settings, name: str) -> str:
    return str(getattr(settings.contacts, name, name))

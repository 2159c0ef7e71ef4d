"""A school's own settings: its name and local contacts.

Flows refer to contacts by name (`{contacts.mash}` in text, `contact = "mash"`
on an escalation), so one flow serves every school. Each flow declares the
contacts it names under [contacts], with what to show until the school sets its
own: a trust's flow that needs a new contact declares it there, with no change
here. The sample config that `incident-tui config init` writes is
`sample_config.toml` beside this module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from incident_tui.errors import UserError
from incident_tui.safe_text import control_problem, printable
from incident_tui.tomlfile import parse_toml_model

SET_SCHOOL_COMMAND = 'incident-tui config school "NAME"'
SET_CONTACT_COMMAND = 'incident-tui config contact NAME "WHO" PHONE'
NO_SCHOOL_NAME = f"Your school (not set: {SET_SCHOOL_COMMAND})"


class School(BaseModel):
    # defer_build: each validator is built when first used, not on import (start-up)
    model_config = ConfigDict(extra="forbid", defer_build=True)

    name: str = NO_SCHOOL_NAME
    """Shown on every screen and on exports."""
    marking: str | None = Field(default=None, max_length=60)
    """The protective marking printed at the top and foot of every page of a PDF;
    unset: OFFICIAL-SENSITIVE."""


SCHOOL_NAMES: frozenset[str] = frozenset(School.model_fields)

DEFAULT_RETENTION_RULE = (
    "Child protection file: kept until the pupil's 25th birthday, then reviewed "
    "(schools' records retention guidance, IRMS Toolkit for Schools); never destroyed "
    "while relevant to a public inquiry"
)


class Retention(BaseModel):
    """How long the school keeps a child protection file ([retention] in the config)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    review_at_age: int = Field(default=25, ge=1, le=120)
    """A pupil's file is due for retention review on this birthday (the date of birth
    is recorded once for the child's file: `incident-tui retention dob`)."""
    rule: str = Field(default=DEFAULT_RETENTION_RULE, min_length=1, max_length=1000)
    """The rule a disposal is recorded under, unless the DSL names another."""


class Calendar(BaseModel):
    """The school's own calendar ([calendar] in the config): the days that are not
    school days beyond Saturdays and Sundays (holidays, INSET days), so that the
    5 school days allowed for a transfer are counted as the school counts them.
    Left out, every weekday is a school day."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    holidays: list[str] = []
    """Each "YYYY-MM-DD", or "YYYY-MM-DD..YYYY-MM-DD" for a holiday (both days in it),
    e.g. ["2026-12-19..2027-01-04", "2027-02-15..2027-02-19", "2027-03-01"]."""

    @field_validator("holidays")
    @classmethod
    def _dates(cls, holidays: list[str]) -> list[str]:
        for text in holidays:
            _holiday_range(text)
        return holidays

    def days_off(self) -> frozenset[date]:
        """Every weekday that is not a school day."""
        off: set[date] = set()
        for text in self.holidays:
            first, last = _holiday_range(text)
            day = first
            while day <= last:
                if day.weekday() < 5:
                    off.add(day)
                day += timedelta(days=1)
        return frozenset(off)


def _holiday_range(text: str) -> tuple[date, date]:
    first_text, _, last_text = text.partition("..")
    try:
        first = date.fromisoformat(first_text.strip())
        last = date.fromisoformat(last_text.strip()) if last_text else first
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD) or a holiday (YYYY-MM-DD..YYYY-MM-DD)"
        ) from None
    if last < first:
        raise ValueError(f"{text!r}: the holiday ends before it begins")
    if (last - first).days > 366:
        raise ValueError(f"{text!r}: a holiday of more than a year")
    return first, last


ContactName = Annotated[str, Field(pattern=r"^[a-z_]+$", max_length=80)]
"""The NAME of `{contacts.NAME}`: lower-case letters and '_'."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    school: School = Field(default_factory=School)
    contacts: dict[ContactName, str] = {}
    """The school's own name and number for each contact the procedures declare."""
    retention: Retention = Field(default_factory=Retention)
    """The school's retention rule for child protection files."""
    calendar: Calendar = Field(default_factory=Calendar)
    """The school's holidays, for counting school days (a transfer's 5 school days)."""

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


# --- the school's own numbers ------------------------------------------------------------

_SHORT_NUMBERS = frozenset({"999", "112", "101", "111"})


def phone_problem(text: str) -> str | None:
    """Why `text` does not look like a UK phone number (None when it does).

    A UK number is 0 (or +44) and 10 digits; a few (0800, some 01 areas) have 9.
    Spaces, hyphens and brackets are allowed between them. 999, 112, 101 and 111 too.
    """
    digits = re.sub(r"[\s()-]", "", text.replace("(0)", ""))  # +44 (0)1632 ...
    if digits in _SHORT_NUMBERS:
        return None
    national = re.sub(r"^(?:\+44|0)", "", digits) if re.match(r"\+44|0", digits) else ""
    short_ok = len(national) == 9 and national.startswith(("1", "800"))
    if national.isdigit() and national[0] != "0" and (len(national) == 10 or short_ok):
        return None
    return (
        f"'{printable(text, one_line=True)}' does not look like a UK phone number "
        "(0 and 10 digits, e.g. 01632 960000, or +44 1632 960000)"
    )


def contact_text(people: list[tuple[str, str]], out_of_hours: str | None = None) -> str:
    """What a contact reads as on screen: 'WHO, PHONE' for each, then out of hours."""
    text = "; ".join(f"{_tidy(who)}, {_tidy(phone)}" for who, phone in people)
    if out_of_hours:
        text += f" (out of hours {_tidy(out_of_hours)})"
    return text


def _tidy(text: str) -> str:
    return " ".join(text.split())


def sample_settings() -> Settings:
    return parse_toml_model(Settings, sample_config_text(), Path("sample_config.toml"))


def local_contact_names(declared: Mapping[str, str]) -> list[str]:
    """The contacts only the school can fill in, among those the procedures declare:
    those the sample config gives an example of its own (the national ones, 999 or
    Childline, it leaves as the procedures declare them)."""
    sample = sample_settings().contacts
    return sorted(name for name, shown in declared.items() if sample.get(name, shown) != shown)


def contact_words(shown: str) -> str:
    """A contact in words, for a list, from what its procedure shows until the school
    sets it: the words before any '(' or ',' ("the deputy DSL (set name and number in the
    config file)" is "deputy DSL")."""
    words = re.split(r"[(,]", shown, maxsplit=1)[0].strip()
    words = words[4:] if words.lower().startswith("the ") else words
    return words or shown


@dataclass(frozen=True)
class LocalNumbers:
    """Which of the school's own contacts are still the sample's, or not set at all."""

    sample: list[str]
    missing: list[str]
    words: Mapping[str, str] = field(default_factory=dict)
    """Each contact in words (`contact_words`), as the procedures declare it."""

    @property
    def ready(self) -> bool:
        return not self.sample and not self.missing

    def named(self, names: list[str], ids: bool = False) -> str:
        """The contacts in words; with `ids`, each with the NAME the command takes."""
        shown = [
            f"{self.words.get(n, n)} ({n})" if ids and n in self.words else self.words.get(n, n)
            for n in names
        ]
        return ", ".join(shown)

    def warning(self, ids: bool = False, how: str = "") -> str:
        """In words: what is wrong and how to set it (`how`, or the command). With `ids`
        (for the command line), each contact also by the NAME the command takes."""
        parts = []
        if self.missing:
            parts.append(f"not set: {self.named(self.missing, ids)}")
        if self.sample:
            parts.append(
                f"still the sample ones, not this school's: {self.named(self.sample, ids)}"
            )
        return (
            "WARNING: this school's own numbers to call are " + "; ".join(parts) + ". "
            "Until then only 999, 101 and Childline are real numbers. "
            + (how or f"Set them with `{SET_CONTACT_COMMAND}` (--help lists each NAME).")
        )


def local_numbers(settings: Settings, declared: Mapping[str, str]) -> LocalNumbers:
    """`settings` as read from the config file; `declared`, the procedures' [contacts]."""
    sample = sample_settings().contacts
    local = set(local_contact_names(declared))
    names = [n for n in declared if n in local]  # in the procedures' order: the DSL first
    return LocalNumbers(
        sample=[n for n in names if n in settings.contacts and settings.contacts[n] == sample[n]],
        missing=[n for n in names if n not in settings.contacts],
        words={n: contact_words(declared[n]) for n in names},
    )


def declared_contacts(flows: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Every contact the procedures declare, with what each shows until it is set."""
    declared: dict[str, str] = {}
    for contacts in flows:
        for name, shown in contacts.items():
            declared.setdefault(name, shown)
    return declared


def settings_toml(settings: Settings) -> str:
    """The config file for `settings`, as `incident-tui config` writes it."""
    lines = [
        "# incident-tui: this school's settings, written by `incident-tui config`.",
        "# `incident-tui config show` prints where this file lives.",
        "",
        "[school]",
        f"name = {_toml_string(settings.school.name)}",
        *(
            [f"marking = {_toml_string(settings.school.marking)}"]
            if settings.school.marking
            else []
        ),
        "",
        "[contacts]",
    ]
    contacts = sorted(settings.contacts.items())
    lines += [f"{name} = {_toml_string(value)}" for name, value in contacts]
    if settings.retention != Retention():
        lines += [
            "",
            "[retention]",
            f"review_at_age = {settings.retention.review_at_age}",
            f"rule = {_toml_string(settings.retention.rule)}",
        ]
    if settings.calendar.holidays:
        holidays = ", ".join(_toml_string(h) for h in settings.calendar.holidays)
        lines += ["", "[calendar]", f"holidays = [{holidays}]"]
    return "\n".join(lines) + "\n"


def with_contact(
    settings: Settings, name: str, people: list[tuple[str, str]], out_of_hours: str | None = None
) -> Settings:
    """`settings` with contact `name` set to these people and numbers; a UserError
    names what is wrong (an empty name, a number that is not a UK one)."""
    if not people:
        raise UserError(f"{name}: give who to call and their number")
    for who, phone in people:
        if (problem := control_problem(who, one_line=True)) is not None:
            raise UserError(f"{name}: who to call {problem}")
        if not who.strip():
            raise UserError(f"{name}: who to call is empty")
        if (problem := phone_problem(phone)) is not None:
            raise UserError(f"{name}: {problem}")
    if out_of_hours and (problem := phone_problem(out_of_hours)) is not None:
        raise UserError(f"{name} out of hours: {problem}")
    value = contact_text(people, out_of_hours or None)
    return settings.model_copy(update={"contacts": {**settings.contacts, name: value}})


def save_settings(path: Path, settings: Settings) -> None:
    """The whole config file, written by the one private file writer."""
    from incident_tui.files import write_private_file
    from incident_tui.locations import ensure_private_dir

    try:
        ensure_private_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    write_private_file(path, settings_toml(settings), replace=True, what="the config file")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

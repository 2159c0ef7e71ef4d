"""Who is using the app: on a school server, the signed-in person.

OpenSSH authenticates; the forced command (`incident-tui session LOGIN`) says
who the person is, and the people file in the config folder gives each login a
name and a role. On one computer with no people file there is no signed-in
person (`None` wherever a `Person | None` is passed) and everything works as it
always has, with typed names.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from incident_tui.errors import UserError
from incident_tui.record.events import Actor
from incident_tui.roles import ROLE_WORDS, Role
from incident_tui.safe_text import printable
from incident_tui.text_fields import ACTOR_NAME


@dataclass(frozen=True)
class Person:
    """A signed-in person, as the people file describes them."""

    login: str
    name: str
    role: Role

    def actor(self) -> Actor:
        """The actor of every event this person records."""
        return Actor(name=self.name, role=ROLE_WORDS[self.role], login=self.login)


# --- the people file ---------------------------------------------------------------------

PEOPLE_FILE_NAME = "people.toml"
"""In the config folder. Its presence makes this install a school server."""

LOGIN_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
LOGIN_RULE = (
    "a login is 1 to 32 characters: lower-case letters, digits, '-' or '_', "
    "starting with a letter (e.g. akhan)"
)


def login_problem(login: str) -> str | None:
    """Why `login` cannot be a login (None when it can)."""
    if LOGIN_PATTERN.match(login):
        return None
    return f"'{printable(login, one_line=True)}' is not a login: {LOGIN_RULE}"


def name_problem(name: str) -> str | None:
    """Why `name` cannot be recorded as a person's name (None when it can)."""
    return ACTOR_NAME.problem(name)


class PersonEntry(BaseModel):
    """One person as the people file keeps them: who they are and their public key."""

    # defer_build: each validator is built when first used, not on import (start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    login: str
    name: str
    role: Role
    key: str
    """Their OpenSSH public key line, as `people add --key` read it (checked again on load)."""

    @field_validator("login")
    @classmethod
    def _login(cls, value: str) -> str:
        if (problem := login_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if (problem := name_problem(value)) is not None:
            raise ValueError(problem)
        return " ".join(value.split())

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        from incident_tui.sshkeys import KeyRefused, parse_public_key

        try:
            return parse_public_key(value).line
        except KeyRefused as exc:
            raise ValueError(str(exc)) from None

    def person(self) -> Person:
        return Person(login=self.login, name=self.name, role=self.role)


class ServerSettings(BaseModel):
    """Where `authorized_keys` is written and which program its forced commands run."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    authorized_keys: str | None = None
    """Default: the service account's ~/.ssh/authorized_keys."""
    program: str | None = None
    """Default: the `incident-tui` installed beside the Python running this one."""


class PeopleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    server: ServerSettings = Field(default_factory=ServerSettings)
    person: list[PersonEntry] = []

    @model_validator(mode="after")
    def _unique(self) -> PeopleFile:
        from incident_tui.sshkeys import parse_public_key

        logins: set[str] = set()
        keys: dict[str, str] = {}
        for entry in self.person:
            if entry.login in logins:
                raise ValueError(f"the login {entry.login} is listed twice")
            logins.add(entry.login)
            blob = parse_public_key(entry.key).identity
            if blob in keys:
                raise ValueError(f"{entry.login} has the same key as {keys[blob]}")
            keys[blob] = entry.login
        return self

    def find(self, login: str) -> PersonEntry | None:
        return next((entry for entry in self.person if entry.login == login), None)


def people_file_path(config_dir: Path) -> Path:
    return config_dir / PEOPLE_FILE_NAME


def server_mode(config_dir: Path) -> bool:
    """A people file in the config folder: this install serves many people over SSH,
    and every event's actor is the signed-in person."""
    return os.path.lexists(people_file_path(config_dir))


def load_people(config_dir: Path) -> PeopleFile | None:
    """The people file, or None when there is none (one computer, typed names).
    A file that cannot be read or is wrong is a UserError naming the file and line."""
    path = people_file_path(config_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the people file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: the people file is not UTF-8 text") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    try:
        return PeopleFile.model_validate(data)
    except ValidationError as exc:
        raise UserError("\n".join(_problems(path, text, data, exc))) from None


def _problems(path: Path, text: str, data: dict[str, object], exc: ValidationError) -> list[str]:
    """Each problem as `FILE:LINE: person N (LOGIN): field: what is wrong`."""
    headers = [n for n, line in enumerate(text.splitlines(), 1) if _PERSON_HEADER.match(line)]
    people = data.get("person")
    problems = []
    for err in exc.errors():
        loc = list(err["loc"])
        message = str(err["msg"]).removeprefix("Value error, ")
        if len(loc) >= 2 and loc[0] == "person" and isinstance(loc[1], int):
            index = loc[1]
            where = f"{path}:{headers[index]}" if index < len(headers) else f"{path}"
            entry = people[index] if isinstance(people, list) and index < len(people) else None
            login = entry.get("login") if isinstance(entry, dict) else None
            who = f"person {index + 1}" + (f" ({login})" if isinstance(login, str) else "")
            field = ".".join(str(p) for p in loc[2:]) or "entry"
            problems.append(f"{where}: {who}: {field}: {message}")
        else:
            dotted = ".".join(str(p) for p in loc) or "file"
            problems.append(f"{path}: {dotted}: {message}")
    return [printable(problem) for problem in problems]


_PERSON_HEADER = re.compile(r"^\s*\[\[\s*person\s*\]\]")


def people_toml(people: PeopleFile) -> str:
    """The people file for `people`, as `incident-tui people` writes it."""
    lines = [
        "# incident-tui: who may sign in to this server, written by `incident-tui people`.",
        "# Change it with `incident-tui people add|remove|set-role`: each change also",
        "# rewrites the SSH authorized_keys file from this one.",
        "",
        "[server]",
    ]
    for name, value in people.server.model_dump().items():
        if value is not None:
            lines.append(f"{name} = {_toml_string(value)}")
    for entry in people.person:
        lines += [
            "",
            "[[person]]",
            f"login = {_toml_string(entry.login)}",
            f"name = {_toml_string(entry.name)}",
            f"role = {_toml_string(entry.role.value)}",
            f"key = {_toml_string(entry.key)}",
        ]
    return "\n".join(lines) + "\n"


def save_people(config_dir: Path, people: PeopleFile) -> None:
    """The whole people file, written by the one private file writer (0600)."""
    from incident_tui.files import write_private_file
    from incident_tui.locations import ensure_private_dir

    path = people_file_path(config_dir)
    try:
        ensure_private_dir(path.parent)
    except OSError as exc:
        raise UserError(f"{path.parent}: cannot create the folder: {exc.strerror}") from None
    write_private_file(path, people_toml(people), replace=True, what="the people file")


def signed_in(config_dir: Path, login: str) -> Person:
    """The person `login` names in the people file; UserError when there is no people
    file or no such person (removed, or never added)."""
    people = load_people(config_dir)
    path = people_file_path(config_dir)
    if people is None:
        raise UserError(
            f"{path} does not exist: this install has no people, so nobody can sign in "
            "(add each person with `incident-tui people add`)"
        )
    shown = printable(login, one_line=True)
    if (problem := login_problem(login)) is not None:
        raise UserError(f"cannot sign in: {problem}")
    entry = people.find(login)
    if entry is None:
        raise UserError(
            f"cannot sign in as {shown}: no such person in {path} "
            "(removed, or never added); ask whoever looks after this server"
        )
    return entry.person()


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

"""Who is using the app: on a school server, the signed-in person.

OpenSSH authenticates; the forced command (`incident-tui session LOGIN`) says
who the person is, and the people file in the config folder gives each login a
name and a role. On one computer with no people file there is no signed-in
person (`None` wherever a `Person | None` is passed) and everything works as it
always has, with typed names.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from incident_tui.record.events import Actor


class Role(StrEnum):
    staff = "staff"
    """Any member of staff: starts incidents, continues their own or those handed to them."""
    dsl = "dsl"
    """The Designated Safeguarding Lead and each deputy."""
    head = "head"
    """Reads incidents and gives the head's input where a flow asks for it."""
    trainer = "trainer"
    """Training only; never a live incident."""
    admin = "admin"
    """People and settings; never incident content."""


ROLE_WORDS: dict[Role, str] = {
    Role.staff: "member of staff",
    Role.dsl: "DSL",
    Role.head: "headteacher",
    Role.trainer: "trainer",
    Role.admin: "administrator",
}
"""How each role reads in the record and on screen."""


@dataclass(frozen=True)
class Person:
    """A signed-in person, as the people file describes them."""

    login: str
    name: str
    role: Role

    def actor(self) -> Actor:
        """The actor of every event this person records."""
        return Actor(name=self.name, role=ROLE_WORDS[self.role], login=self.login)

"""The roles a signed-in person can have, and how each reads.

Their own small module (plain Python, nothing else imported) so that the command
line can offer them without loading the people file's models (`people`)."""

from __future__ import annotations

from enum import StrEnum


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

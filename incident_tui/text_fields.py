"""What may be recorded in each free-text field: its length limit and whether it is one line.

One home for the limits, so the engine, the record, the `run` command and the
screens (which show the limit as the user types) all say the same. Each limit
fits the field's purpose: a pupil reference is initials or a pupil ID, a reason
a short paragraph. Control characters are refused by `safe_text.control_problem`
(with `one_line`, newlines and tabs too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_tui.safe_text import control_problem


@dataclass(frozen=True)
class TextField:
    """One kind of recorded text."""

    label: str
    """How a message names it: "the pupil reference"."""
    limit: int
    """At most this many characters."""
    one_line: bool = False
    """A name or a reference: no newline or tab."""
    required: bool = False
    """Must hold something other than spaces."""

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be recorded here, or None, e.g. "the pupil reference is
        52 characters long; at most 40 can be recorded"."""
        if self.required and not text.strip():
            return f"{self.label} is empty (spaces alone are not a {self.noun})"
        if len(text) > self.limit:
            return (
                f"{self.label} is {len(text):,} characters long; "
                f"at most {self.limit:,} can be recorded"
            )
        found = control_problem(text, one_line=self.one_line)
        if found is not None:
            return f"{self.label} {found}"
        return None

    @property
    def noun(self) -> str:
        return self.label.removeprefix("the ")

    def counter(self, text: str) -> str:
        """What the screen shows as the user types: "12 of 40 characters"."""
        return f"{len(text):,} of {self.limit:,} characters"


ACTOR_NAME = TextField("the name", 120, one_line=True, required=True)
ACTOR_ROLE = TextField("the role", 120, one_line=True, required=True)
PUPIL = TextField("the pupil reference", 40, one_line=True)
"""The school's reference for a pupil (the MIS id): `pupil_reference_problem` checks its form."""
LOCATION = TextField("the location", 120, one_line=True)
RATIONALE = TextField("the reason", 1000)
AMENDMENT_REASON = TextField("the reason for the correction", 1000, required=True)
NOTE = TextField("the note", 500, required=True)
REVIEW_TEXT = TextField("the review text", 1000)
TEXT_ANSWER_LIMIT = 4000
"""The most a flow's text step may allow (`max_length` in the flow)."""
STORED_TEXT_LIMIT = 4000
"""The record's own ceiling for any one text in an event, whatever wrote it."""


_PUPIL_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/-]*")
PUPIL_REFERENCE_HINT = "letters, digits, - and / only, e.g. P-1001 or A123456789012"


def pupil_reference_problem(text: str, label: str = PUPIL.label) -> str | None:
    """Why `text` is not a pupil reference the record can hold, or None ('' is none given).

    A pupil is named by the school's reference (the MIS id), never by name: a value
    with a space, a full stop or an apostrophe looks like a name and is refused."""
    problem = TextField(label, PUPIL.limit, one_line=True).problem(text)
    if problem is not None:
        return problem
    if text and _PUPIL_REFERENCE.fullmatch(text) is None:
        return (
            f"{label} {text!r} is not a school reference: give the pupil's reference from "
            f"the school's MIS ({PUPIL_REFERENCE_HINT}), never a name"
        )
    return None


def pupil_references(text: str) -> list[str]:
    """References typed in one box, separated by commas, semicolons or spaces."""
    return [part for part in re.split(r"[,;\s]+", text.strip()) if part]


def text_answer(limit: int) -> TextField:
    """A text step's answer, with the flow's own limit."""
    return TextField("the answer", limit)


__all__ = [
    "ACTOR_NAME",
    "ACTOR_ROLE",
    "AMENDMENT_REASON",
    "LOCATION",
    "NOTE",
    "PUPIL",
    "PUPIL_REFERENCE_HINT",
    "RATIONALE",
    "REVIEW_TEXT",
    "STORED_TEXT_LIMIT",
    "TEXT_ANSWER_LIMIT",
    "TextField",
    "pupil_reference_problem",
    "pupil_references",
    "text_answer",
]

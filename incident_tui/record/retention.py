"""Retention of the child's file, and lawful disposal at its end.

The school's rule (settings `[retention]`, by default the schools' guidance: a
child protection file is kept until the pupil's 25th birthday, then reviewed)
needs the pupil's date of birth. It is recorded once for the child's file, as a
`reviewed` event (data["review"] = "date-of-birth", data["pupil"], data["date"])
on the pupil's earliest incident, and read from the index for all of them.

A date of birth recorded wrongly is corrected by an amendment of that event
(`correct_date_of_birth`: data[CORRECTED_DATE_OF_BIRTH], the reason), never an
edit; the index follows the amendment, so every incident's review date does too.

A hold (the review decision "retention-hold", lifted by "retention-hold-lifted")
keeps an incident from disposal while it is relevant to a public inquiry.

Disposal, when the DSL decides it, is recorded like every decision: see
`record.tombstone` for the two steps and why a tombstone cannot hide tampering.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.record.events import (
    CORRECTED_DATE_OF_BIRTH,
    CORRECTED_FOR_PUPIL,
    DATE_OF_BIRTH,
    Actor,
    Event,
    EventKind,
)
from incident_tui.record.pupils import named_pupils, reference_key, rows_naming
from incident_tui.record.tombstone import CHAIN_DIGEST, DISPOSED_EVENTS, chain_digest

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow, Store

DISPOSAL_PROMPT = "Lawful disposal at the end of retention"
DATE_OF_BIRTH_PROMPT = "Pupil's date of birth (for the child's file)"
DATE_OF_BIRTH_CORRECTION = "Correction of the pupil's date of birth (for the child's file)"


def birthday(born: date, age: int) -> date:
    """The day the pupil turns `age` (29 February: 1 March in a common year)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def dates_of_birth(rows: Iterable[IndexRow]) -> dict[str, str]:
    """Each pupil's date of birth (by `reference_key`), as recorded on any incident."""
    found: dict[str, str] = {}
    for row in rows:
        for pupil, born in row.dates_of_birth.items():
            found.setdefault(reference_key(pupil), born)
    return found


def review_due(row: IndexRow, born: dict[str, str], age: int) -> date | None:
    """When this incident's retention review falls due: the last of the birthdays of
    every pupil it names (it is in each one's file). None when any of them has no date
    of birth recorded (it cannot be judged, so it is kept), or it is disposed of."""
    pupils = named_pupils(row)
    if not pupils or row.status == "disposed":
        return None
    dues = []
    for pupil in pupils:
        text = born.get(reference_key(pupil))
        if text is None:
            return None
        try:
            dues.append(birthday(date.fromisoformat(text), age))
        except ValueError:
            return None
    return max(dues)


@dataclass(frozen=True)
class DueForReview:
    row: IndexRow
    due: date


def due_for_review(rows: list[IndexRow], age: int, today: date) -> list[DueForReview]:
    """Incidents whose retention review date has come, held ones included (the DSL
    sees them, and that they are held)."""
    born = dates_of_birth(rows)
    found = []
    for row in rows:
        due = review_due(row, born, age)
        if due is not None and due <= today:
            found.append(DueForReview(row, due))
    return found


def record_date_of_birth(store: Store, pupil: str, born: date, actor: Actor) -> Event:
    """Record the pupil's date of birth once for the child's file, on their earliest
    incident; a second is refused (a correction is an amendment of that event)."""
    rows = [row for row in rows_naming(store.rows(), pupil) if row.status != "disposed"]
    if not rows:
        raise UserError(f"no incident in {store.root} names pupil {pupil}")
    for row in rows:
        for named, recorded in row.dates_of_birth.items():
            if reference_key(named) == reference_key(pupil):
                raise UserError(
                    f"pupil {pupil}'s date of birth is already recorded ({recorded}, on incident "
                    f"{row.reference}); a correction is an amendment of that event"
                )
    if born > date.today():
        raise UserError(f"the date of birth {born.isoformat()} is in the future")
    return store.append(
        rows[0].id,
        kind=EventKind.reviewed,
        actor=actor,
        prompt=DATE_OF_BIRTH_PROMPT,
        data={"review": DATE_OF_BIRTH, "pupil": pupil, "date": born.isoformat()},
    )


def recorded_date_of_birth(rows: Iterable[IndexRow], pupil: str) -> tuple[IndexRow, str] | None:
    """The incident the pupil's date of birth is recorded on, and the date as it stands
    now (a correction followed); None when none is recorded."""
    key = reference_key(pupil)
    for row in rows_naming(rows, pupil):
        if row.status == "disposed":
            continue
        for named, born in row.dates_of_birth.items():
            if reference_key(named) == key:
                return row, born
    return None


def _date_of_birth_event(events: Iterable[Event], pupil: str) -> Event | None:
    key = reference_key(pupil)
    for event in events:
        named = event.data.get("pupil")
        if (
            event.kind == EventKind.reviewed
            and event.data.get("review") == DATE_OF_BIRTH
            and isinstance(named, str)
            and reference_key(named) == key
        ):
            return event
    return None


def correct_date_of_birth(
    store: Store, pupil: str, born: date, actor: Actor, reason: str
) -> tuple[IndexRow, Event]:
    """Correct a date of birth recorded wrongly: an amendment of the event that recorded
    it, giving the right date and why. The first stays in the record; the index (and so
    every incident's retention review date) follows the correction. Returns the
    incident it is recorded on and the amendment."""
    from incident_tui.text_fields import AMENDMENT_REASON

    problem = AMENDMENT_REASON.problem(reason)
    if problem is not None:
        raise UserError(f"{problem}; nothing was recorded")
    found = recorded_date_of_birth(store.rows(), pupil)
    if found is None:
        raise UserError(
            f"no date of birth is recorded for pupil {pupil}, so there is nothing to correct: "
            "record it (`incident-tui retention dob PUPIL DATE`)"
        )
    row, recorded = found
    if recorded == born.isoformat():
        raise UserError(
            f"pupil {pupil}'s date of birth is already recorded as {recorded}; nothing was recorded"
        )
    if born > date.today():
        raise UserError(f"the date of birth {born.isoformat()} is in the future")
    original = _date_of_birth_event(store.events(row.id), pupil)
    if original is None:
        raise UserError(
            f"the event recording pupil {pupil}'s date of birth cannot be read on incident "
            f"{row.reference} (run `incident-tui verify`); nothing was recorded"
        )
    event = store.append(
        row.id,
        kind=EventKind.amendment,
        actor=actor,
        prompt=DATE_OF_BIRTH_CORRECTION,
        data={
            "amends": original.seq,
            "reason": reason.strip(),
            CORRECTED_DATE_OF_BIRTH: born.isoformat(),
            CORRECTED_FOR_PUPIL: str(original.data["pupil"]),
        },
    )
    return row, event


def disposal_refusal(row: IndexRow, born: dict[str, str], age: int, today: date) -> str | None:
    """Why this incident may not be disposed of today (held, open, its retention not
    judged or not yet due), in the words the command and the screen both give; None
    when it may."""
    if row.status == "disposed":
        return f"incident {row.reference} is already disposed of"
    if row.retention_hold:
        return (
            f"incident {row.reference} is under a retention hold (relevant to an inquiry): "
            "it cannot be disposed of until the hold is lifted; nothing was changed"
        )
    if row.status == "open":
        return (
            f"incident {row.reference} is still open: only a finished incident can reach "
            "the end of its retention; nothing was changed"
        )
    due = review_due(row, born, age)
    if due is None:
        return (
            f"no date of birth is recorded for every pupil incident {row.reference} names "
            f"({', '.join(named_pupils(row)) or 'none named'}), so its retention cannot be "
            "judged: record it first "
            "(`incident-tui retention dob PUPIL DATE`); nothing was changed"
        )
    if due > today:
        return (
            f"incident {row.reference} is kept until {due.isoformat()} under the school's "
            "retention rule; nothing was changed"
        )
    return None


@dataclass(frozen=True)
class FileRetention:
    """The retention of one pupil's file, as the pupil's file screen shows it."""

    pupil: str
    born: str | None
    """The date of birth as it stands (a correction followed); None: not recorded."""
    recorded_on: str | None
    """The reference of the incident it is recorded on."""
    review_due: date | None
    """The pupil's birthday at the school's review age (None: no date of birth)."""
    due_now: bool
    held: tuple[str, ...]
    """The references of the pupil's incidents under a retention hold."""
    incidents: dict[str, date | None]
    """Each incident's own review date by id (the last of every pupil it names)."""


def file_retention(rows: Sequence[IndexRow], pupil: str, age: int, today: date) -> FileRetention:
    """The pupil's date of birth, review date and holds, from index rows only."""
    found = recorded_date_of_birth(rows, pupil)
    due = None
    if found is not None:
        try:
            due = birthday(date.fromisoformat(found[1]), age)
        except ValueError:
            due = None
    mine = [row for row in rows_naming(rows, pupil) if row.status != "disposed"]
    born = dates_of_birth(rows)
    return FileRetention(
        pupil=pupil.strip(),
        born=found[1] if found else None,
        recorded_on=found[0].reference if found else None,
        review_due=due,
        due_now=due is not None and due <= today,
        held=tuple(row.reference for row in mine if row.retention_hold),
        incidents={row.id: review_due(row, born, age) for row in mine},
    )


def dispose(
    store: Store,
    incident: str,
    *,
    actor: Actor,
    rule: str,
    reason: str,
    age: int,
    today: date,
) -> tuple[IndexRow, int]:
    """Dispose of one incident lawfully: the disposal event, then its content removed.
    Refused (UserError, nothing changed) while it is held, open, or not yet due.
    Returns the incident's row as it was and how many events lost their content."""
    row = store.row(incident)
    events = store.events(row.id)
    if events and events[-1].kind == EventKind.disposed:
        # an interrupted disposal: its event is recorded, finish removing the content
        return row, store.remove_disposed_content(row.id)
    if not reason.strip():
        raise UserError("say why the incident is disposed of (--reason)")
    if not rule.strip():
        raise UserError("name the retention rule the disposal is made under (--rule)")
    born = dates_of_birth(store.rows())
    refused = disposal_refusal(row, born, age, today)
    if refused is not None:
        raise UserError(refused)
    due = review_due(row, born, age)
    assert due is not None  # judged by disposal_refusal
    data: dict[str, str | int | None] = {
        "reference": row.reference,
        "rule": rule,
        DISPOSED_EVENTS: len(events),
        CHAIN_DIGEST: chain_digest([event.hash for event in events]),
        "opened": row.opened,
        "sealed": row.sealed,
        "retention_due": due.isoformat(),
    }
    if row.origin is not None:
        data["origin"] = row.origin
        data["received"] = row.received
    _carry_dates_of_birth(store, row, actor)
    store.append(
        row.id,
        kind=EventKind.disposed,
        actor=actor,
        prompt=DISPOSAL_PROMPT,
        rationale=reason,
        data={key: value for key, value in data.items() if value is not None},
        expect_prev=events[-1].hash,
    )
    return row, store.remove_disposed_content(row.id)


def _carry_dates_of_birth(store: Store, row: IndexRow, actor: Actor) -> None:
    """Record each date of birth held on `row` again on that pupil's earliest incident
    that remains, before the disposal removes it: the pupil's other files must still be
    judged for retention."""
    rows = store.rows()
    for pupil, born in row.dates_of_birth.items():
        key = reference_key(pupil)
        others = [
            other
            for other in rows_naming(rows, pupil)
            if other.id != row.id and other.status != "disposed"
        ]
        if not others or any(
            reference_key(named) == key for other in others for named in other.dates_of_birth
        ):
            continue
        store.append(
            others[0].id,
            kind=EventKind.reviewed,
            actor=actor,
            prompt=DATE_OF_BIRTH_PROMPT,
            rationale=f"carried from incident {row.reference} before its disposal",
            data={"review": DATE_OF_BIRTH, "pupil": pupil, "date": born},
        )


__all__ = [
    "DueForReview",
    "FileRetention",
    "birthday",
    "correct_date_of_birth",
    "dates_of_birth",
    "disposal_refusal",
    "dispose",
    "due_for_review",
    "file_retention",
    "record_date_of_birth",
    "recorded_date_of_birth",
    "review_due",
]

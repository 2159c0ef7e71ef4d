"""Retention of the child's file, and lawful disposal at its end.

The school's rule (settings `[retention]`, by default the schools' guidance: a
child protection file is kept until the pupil's 25th birthday, then reviewed)
needs the pupil's date of birth. It is recorded once for the child's file, as a
`reviewed` event (data["review"] = "date-of-birth", data["pupil"], data["date"])
on the pupil's earliest incident, and read from the index for all of them.

A hold (the review decision "retention-hold", lifted by "retention-hold-lifted")
keeps an incident from disposal while it is relevant to a public inquiry.

Disposal, when the DSL decides it, is recorded like every decision: see
`record.tombstone` for the two steps and why a tombstone cannot hide tampering.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.record.events import DATE_OF_BIRTH, Actor, Event, EventKind
from incident_tui.record.pupils import named_pupils, reference_key, rows_naming
from incident_tui.record.tombstone import CHAIN_DIGEST, DISPOSED_EVENTS, chain_digest

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow, Store

DISPOSAL_PROMPT = "Lawful disposal at the end of retention"
DATE_OF_BIRTH_PROMPT = "Pupil's date of birth (for the child's file)"


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
    if row.retention_hold:
        raise UserError(
            f"incident {row.reference} is under a retention hold (relevant to an inquiry): "
            "it cannot be disposed of until the hold is lifted; nothing was changed"
        )
    if row.status == "open":
        raise UserError(
            f"incident {row.reference} is still open: only a finished incident can reach "
            "the end of its retention; nothing was changed"
        )
    due = review_due(row, dates_of_birth(store.rows()), age)
    if due is None:
        raise UserError(
            f"no date of birth is recorded for every pupil incident {row.reference} names "
            f"({', '.join(named_pupils(row)) or 'none named'}), so its retention cannot be "
            "judged: record it first "
            "(`incident-tui retention dob PUPIL DATE`); nothing was changed"
        )
    if due > today:
        raise UserError(
            f"incident {row.reference} is kept until {due.isoformat()} under the school's "
            "retention rule; nothing was changed"
        )
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


__all__ = [
    "DueForReview",
    "birthday",
    "dates_of_birth",
    "dispose",
    "due_for_review",
    "record_date_of_birth",
    "review_due",
]

"""The pupils an incident names, by the school's reference, and every incident naming one.

An incident names its pupils by the school's reference (the MIS id, never a
name): the pupil it is about (`data["pupil"]` of the `opened` event, as every
record has it) and any other pupils involved (`data["other_pupils"]`, a list).
A mistyped reference is corrected by an amendment of the opened event
(`amend_pupils`) that gives the whole new set; the index row follows it
(`store.fold_event`), so the list, the filter, the attention queue and the
pupil's chronology all follow it too. Nothing is edited.

References match whatever their case or surrounding spaces ("p-1001" names
P-1001). Old records keep what they have (a free-text pupil) and are read as
they are: a pupil given as "Y9" is found by `pupil Y9`.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from incident_tui.errors import UserError
from incident_tui.text_fields import AMENDMENT_REASON, pupil_reference_problem

if TYPE_CHECKING:
    from incident_tui.record.events import Actor, DataValue, Event
    from incident_tui.record.store import IndexRow, Store

PUPIL_KEY = "pupil"
OTHER_PUPILS_KEY = "other_pupils"
PUPIL_KEYS = (PUPIL_KEY, OTHER_PUPILS_KEY)
PUPILS_PROMPT = "Pupils named in this incident (the school's references)"
"""The prompt of an amendment of the pupils named: how the chronology heads it."""


def reference_key(reference: str) -> str:
    """What two references are compared by: "p-1001 " and "P-1001" are one pupil."""
    return reference.strip().casefold()


def named_pupils(row: IndexRow) -> tuple[str, ...]:
    """Every pupil the incident names now (amendments followed): its pupil first."""
    named = [row.pupil, *row.other_pupils]
    seen: set[str] = set()
    out: list[str] = []
    for reference in named:
        key = reference_key(reference)
        if key and key not in seen:
            seen.add(key)
            out.append(reference.strip())
    return tuple(out)


def names_pupil(row: IndexRow, reference: str) -> bool:
    key = reference_key(reference)
    return bool(key) and any(reference_key(r) == key for r in named_pupils(row))


def rows_naming(rows: Iterable[IndexRow], reference: str) -> list[IndexRow]:
    """The rows of every incident that names the pupil, oldest first. Index rows only."""
    found = [row for row in rows if names_pupil(row, reference)]
    found.sort(key=lambda row: (row.opened, row.reference))
    return found


def incidents_naming(store: Store, reference: str) -> list[IndexRow]:
    """Every incident in the store that names this pupil (as its pupil or another pupil
    named), oldest first, amendments followed. An incident the index has lost is
    included from its own file, as `Store.listing` lists it."""
    return rows_naming(store.listing().rows, reference)


def others_named(row: IndexRow, reference: str) -> tuple[str, ...]:
    """The other pupils an incident names, beside the pupil `reference`."""
    key = reference_key(reference)
    return tuple(r for r in named_pupils(row) if reference_key(r) != key)


# --- what the record holds, and correcting it ----------------------------------------


def pupils_problem(pupil: str, others: Sequence[str]) -> str | None:
    """Why these references cannot be recorded (one not a reference, the same one
    twice), or None."""
    problem = pupil_reference_problem(pupil)
    if problem is not None:
        return problem
    seen = {reference_key(pupil)} if pupil.strip() else set()
    for other in others:
        problem = pupil_reference_problem(other, "another pupil's reference")
        if problem is not None:
            return problem
        if not other.strip():
            return "another pupil's reference is empty"
        if reference_key(other) in seen:
            return f"the pupil {other!r} is named twice"
        seen.add(reference_key(other))
    return None


def pupils_data(pupil: str, others: Sequence[str]) -> dict[str, DataValue]:
    """The data an event records for the pupils named ('other_pupils' only when there
    are any, so an opening with one pupil records what it always did)."""
    data: dict[str, DataValue] = {PUPIL_KEY: pupil.strip()}
    if others:
        data[OTHER_PUPILS_KEY] = [o.strip() for o in others]
    return data


def recorded_pupils_problem(data: Mapping[str, Any]) -> str | None:
    """The record's own check at the door for an event naming pupils: None if fine."""
    pupil = data.get(PUPIL_KEY, "")
    others = data.get(OTHER_PUPILS_KEY, [])
    if not isinstance(pupil, str):
        return "the pupil reference must be text"
    if not isinstance(others, list) or not all(isinstance(o, str) for o in others):
        return "the other pupils must be a list of references"
    return pupils_problem(pupil, others)


def is_pupil_amendment(kind: str, step: str | None, data: Mapping[str, Any]) -> bool:
    """An amendment of the pupils named (not of an answer): it has no step."""
    return kind == "amendment" and step is None and PUPIL_KEY in data


def event_is_pupil_amendment(event: Event) -> bool:
    return is_pupil_amendment(str(event.kind), event.step, event.data)


def amend_pupils(
    store: Store,
    incident: str,
    actor: Actor,
    pupil: str,
    others: Sequence[str],
    reason: str,
) -> Event:
    """Correct the pupils an incident names: one amendment of its opened event, giving
    the whole new set and why. The original stays in the record; nothing is edited."""
    from incident_tui.record.events import EventKind

    problem = pupils_problem(pupil, others)
    if problem is None:
        problem = AMENDMENT_REASON.problem(reason)
    if problem is not None:
        raise UserError(f"{problem}; nothing was recorded")
    row = store.row(incident)
    if reference_key(pupil) == reference_key(row.pupil) and [reference_key(o) for o in others] == [
        reference_key(o) for o in row.other_pupils
    ]:
        raise UserError(
            f"incident {row.reference} already names exactly these pupils; nothing was recorded"
        )
    return store.append(
        row.id,
        kind=EventKind.amendment,
        actor=actor,
        prompt=PUPILS_PROMPT,
        data={"amends": 0, "reason": reason.strip(), **pupils_data(pupil, others)},
    )


__all__ = [
    "OTHER_PUPILS_KEY",
    "PUPILS_PROMPT",
    "PUPIL_KEY",
    "amend_pupils",
    "event_is_pupil_amendment",
    "incidents_naming",
    "is_pupil_amendment",
    "named_pupils",
    "names_pupil",
    "others_named",
    "pupils_data",
    "pupils_problem",
    "recorded_pupils_problem",
    "reference_key",
    "rows_naming",
]

"""A subject access copy of a pupil's file: what is withheld, why, and the copy itself.

A pupil (or a parent on their behalf) may ask for the personal data the school
holds (UK GDPR Art. 15). The copy is the pupil's chronology with every other
pupil's reference redacted, always, and each entry the DSL chooses to
withhold left out, with the exemption relied on named in its place. The
choice is recorded on each incident concerned as a review decision
("subject-access-withhold" in review_actions.toml: the entries' numbers, the
exemption, the reason), appended like any other: nothing is edited. Those
decisions are the school's own record and are not in the copy.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.record.events import EventKind
from incident_tui.record.pupil_chronology import PupilChronology, Withheld, redact
from incident_tui.review.catalogue import append_review, numbers_in

if TYPE_CHECKING:
    from incident_tui.record.events import Actor, Event
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.verify import Finding

WITHHOLD = "subject-access-withhold"
"""The review decision that records what is withheld from a subject access copy."""


def _is_withholding(event: Event) -> bool:
    return event.kind is EventKind.reviewed and event.data.get("review") == WITHHOLD


def withheld_in(
    loaded: Sequence[tuple[IndexRow, Sequence[Event], Sequence[Finding]]],
) -> dict[str, dict[int, str]]:
    """incident id -> {seq: exemption}, from every withholding decision recorded."""
    withheld: dict[str, dict[int, str]] = {}
    for row, events, _findings in loaded:
        for event in events:
            if not _is_withholding(event):
                continue
            seqs = numbers_in(str(event.data.get("entries") or "")) or []
            exemption = str(event.data.get("exemption") or "exemption not named")
            for seq in seqs:
                withheld.setdefault(row.id, {})[seq] = exemption
    return withheld


def subject_access_copy(
    chron: PupilChronology,
    loaded: Sequence[tuple[IndexRow, Sequence[Event], Sequence[Finding]]],
) -> PupilChronology:
    """The redacted copy: other pupils' references replaced, withheld entries named by
    their exemption, and the withholding decisions themselves left out."""
    withheld: Withheld = withheld_in(loaded)
    internal = {row.id: {e.seq for e in events if _is_withholding(e)} for row, events, _f in loaded}
    trimmed = replace(
        chron,
        incidents=[
            replace(
                incident,
                entries=[
                    e for e in incident.entries if e.seq not in internal[incident.incident_id]
                ],
            )
            for incident in chron.incidents
        ],
    )
    return redact(trimmed, withheld)


def record_withholding(
    store: Store,
    incident: str,
    actor: Actor,
    entries: Sequence[int],
    exemption: str,
    reason: str,
    request: str = "",
) -> Event:
    """Record on one incident what is withheld from a subject access copy, and why."""
    row = store.row(incident)
    missing = [n for n in entries if not 0 <= n < row.event_count]
    if missing:
        raise UserError(
            f"incident {row.reference} has no entry {', '.join(map(str, missing))} "
            f"(its entries are 0 to {row.event_count - 1}); nothing was recorded"
        )
    return append_review(
        store,
        incident,
        actor,
        WITHHOLD,
        {
            "entries": ", ".join(str(n) for n in entries),
            "exemption": exemption,
            "request": request,
        },
        reason,
    )


__all__ = ["WITHHOLD", "record_withholding", "subject_access_copy", "withheld_in"]

"""A pupil's chronology: every incident that names the pupil, oldest first, as one document.

Built from the one chronology model: each incident's entries are exactly those
of `chronology.chronology` (the same headings, labels and flags as `show`, the
exports and the review screen), under a short heading per incident (its
reference to open it, the procedure, status, flags, review date, outcome and
the other pupils named, by reference only). Amendments are followed: an
incident whose pupils were corrected is listed under the pupils it names now.

A subject access copy (`redact`) is the same document with every other
pupil's reference replaced, and the entries the DSL chose to withhold replaced
by a line naming the exemption relied on (the choice is itself recorded, as a
review decision on each incident: `review/subject_access.py`).

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from incident_tui.record.chronology import (
    SEALED,
    Entry,
    Item,
    ReviewLabels,
    chronology,
    finding_lines,
    one_line,
)
from incident_tui.record.pupils import (
    OTHER_PUPILS_KEY,
    PUPIL_KEY,
    named_pupils,
    others_named,
    reference_key,
)
from incident_tui.record.references import utc_text
from incident_tui.record.vocabulary import row_flags

if TYPE_CHECKING:
    from incident_tui.record.events import Event
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

ANOTHER_PUPIL = "[another pupil]"
"""What a subject access copy prints in place of another child's reference."""


@dataclass(frozen=True)
class PupilIncident:
    """One incident in a pupil's chronology."""

    reference: str
    """The incident's reference: what opens it in the review app."""
    incident_id: str
    procedure: str
    opened: str
    """As recorded (UTC); `when` in words."""
    status: str
    flags: str
    """In words, never colour alone ("STOP OVR ESC", "-")."""
    others: tuple[str, ...]
    """The other pupils it names, by reference only."""
    review_date: str | None
    outcome: str | None
    entries: list[Entry]
    findings: list[str]
    """Damage the integrity check found: stated, never hidden."""
    recorded_pupils: tuple[str, ...] = ()
    """Every reference ever recorded as a pupil of this incident (amended ones too):
    what a subject access copy redacts besides the pupil's own."""

    @property
    def when(self) -> str:
        return utc_text(self.opened)

    def heading_items(self) -> list[Item]:
        items = [
            Item("Procedure", self.procedure),
            Item("Opened", self.when),
            Item("Status", self.status),
            Item("Flags", self.flags),
            Item("Other pupils named", ", ".join(self.others) if self.others else "none"),
        ]
        if self.review_date:
            items.append(Item("Review date", self.review_date))
        if self.outcome:
            items.append(Item("Outcome", self.outcome))
        if self.findings:
            items.append(Item("Integrity", f"DAMAGED: {'; '.join(self.findings)}"))
        return items


@dataclass(frozen=True)
class PupilChronology:
    """Everything a reader of one pupil's file sees, in order."""

    pupil: str
    school: str
    training: bool
    incidents: list[PupilIncident]
    subject_access: bool = False
    """A redacted copy for a subject access request."""
    withheld: int = 0
    """How many entries the DSL withheld (subject access)."""

    @property
    def title(self) -> str:
        prefix = "Subject access copy" if self.subject_access else "Chronology"
        return f"{prefix}: pupil {self.pupil}"

    @property
    def flagged(self) -> int:
        return sum(1 for incident in self.incidents if incident.flags != "-")


def _recorded_pupils(events: Sequence[Event]) -> tuple[str, ...]:
    found: list[str] = []
    for event in events:
        if event.kind not in ("opened", "amendment"):
            continue
        pupil = event.data.get(PUPIL_KEY)
        others = event.data.get(OTHER_PUPILS_KEY)
        for reference in [pupil, *(others if isinstance(others, list) else [])]:
            if isinstance(reference, str) and reference.strip():
                found.append(one_line(reference.strip()))
    return tuple(found)


def pupil_incident(
    pupil: str,
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    labels: ReviewLabels | None = None,
) -> PupilIncident:
    entries = chronology(events, labels)
    outcome = next((e for e in entries if SEALED in e.flags), None)
    outcome_text = (
        next((i.value for i in outcome.items if i.label == "Outcome"), None) if outcome else None
    )
    return PupilIncident(
        reference=one_line(row.reference),
        incident_id=row.id,
        procedure=f"{one_line(row.flow_id)}, version {one_line(row.flow_version)}",
        opened=row.opened,
        status=row.status,
        flags=row_flags(row, bool(findings)),
        others=tuple(one_line(r) for r in others_named(row, pupil)),
        review_date=one_line(row.review_date) if row.review_date else None,
        outcome=outcome_text,
        entries=entries,
        findings=finding_lines(findings),
        recorded_pupils=(*(one_line(r) for r in named_pupils(row)), *_recorded_pupils(events)),
    )


def pupil_chronology(
    pupil: str,
    incidents: Sequence[tuple[IndexRow, Sequence[Event], Sequence[Finding]]],
    school: str,
    labels: ReviewLabels | None = None,
) -> PupilChronology:
    """The pupil's chronology from each incident that names them (row, events, damage)."""
    ordered = sorted(incidents, key=lambda item: (item[0].opened, item[0].reference))
    training = any(row.mode == "training" for row, _events, _findings in ordered)
    return PupilChronology(
        pupil=one_line(pupil.strip()),
        school=one_line(school),
        training=training,
        incidents=[pupil_incident(pupil, *item, labels) for item in ordered],
    )


# --- a subject access copy ---------------------------------------------------------


Withheld = Mapping[str, Mapping[int, str]]
"""What the DSL chose to withhold: incident id -> {seq: the exemption relied on}."""


def _pattern(references: set[str]) -> re.Pattern[str] | None:
    if not references:
        return None
    alternatives = "|".join(re.escape(r) for r in sorted(references, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9/-])(?:{alternatives})(?![A-Za-z0-9/-])", re.IGNORECASE)


def _scrub(text: str, pattern: re.Pattern[str] | None) -> str:
    return pattern.sub(ANOTHER_PUPIL, text) if pattern else text


def _scrub_entry(entry: Entry, pattern: re.Pattern[str] | None) -> Entry:
    return replace(
        entry,
        heading=_scrub(entry.heading, pattern),
        items=tuple(replace(i, value=_scrub(i.value, pattern)) for i in entry.items),
        amendments=tuple(_scrub_entry(a, pattern) for a in entry.amendments),
    )


def _withheld_entry(entry: Entry, exemption: str) -> Entry:
    return Entry(
        seq=entry.seq,
        time=entry.time,
        heading="WITHHELD",
        actor="-",
        items=(Item("Exemption relied on", exemption),),
    )


def redact(chron: PupilChronology, withheld: Withheld) -> PupilChronology:
    """The subject access copy: every other pupil's reference (any pupil named in one
    of these incidents, amended references included) replaced by ANOTHER_PUPIL
    wherever it appears, free text included, and each entry the DSL withheld (by incident id
    and seq) replaced by a line naming the exemption relied on."""
    subject = reference_key(chron.pupil)
    count = 0
    incidents: list[PupilIncident] = []
    # every other pupil named anywhere in the file, wherever their reference appears
    others = {
        r
        for incident in chron.incidents
        for r in (*incident.recorded_pupils, *incident.others)
        if reference_key(r) != subject
    }
    pattern = _pattern(others)
    for incident in chron.incidents:
        rule = withheld.get(incident.incident_id, {})
        entries: list[Entry] = []
        for entry in incident.entries:
            if entry.seq in rule:
                entries.append(_withheld_entry(entry, rule[entry.seq]))
                count += 1
                continue
            amendments = []
            for amendment in entry.amendments:
                if amendment.seq in rule:
                    amendments.append(_withheld_entry(amendment, rule[amendment.seq]))
                    count += 1
                else:
                    amendments.append(amendment)
            entries.append(_scrub_entry(replace(entry, amendments=tuple(amendments)), pattern))
        incidents.append(
            replace(
                incident,
                others=tuple(ANOTHER_PUPIL for _ in incident.others),
                outcome=_scrub(incident.outcome, pattern) if incident.outcome else None,
                entries=entries,
                recorded_pupils=(),
            )
        )
    return replace(chron, incidents=incidents, subject_access=True, withheld=count)


__all__ = [
    "ANOTHER_PUPIL",
    "PupilChronology",
    "PupilIncident",
    "Withheld",
    "pupil_chronology",
    "pupil_incident",
    "redact",
]

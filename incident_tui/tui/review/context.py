"""What the review screens need: a store to read, the settings, the record key,
and a way to append a review decision.

Reading takes no lock. Appending uses the host's writable store when it has
one (the main app keeps one open); otherwise a writable store is opened for
that one append and closed again. An incident another session is continuing
is reported in words (who has it open), never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from incident_tui.errors import UserError
from incident_tui.record.events import Actor, Event
from incident_tui.review import append_review
from incident_tui.settings import Settings

if TYPE_CHECKING:
    from incident_tui.locations import Mode
    from incident_tui.people import Person
    from incident_tui.record.pupil_chronology import PupilChronology
    from incident_tui.record.retention import FileRetention
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.transfer import Confirmed, SentBundle
    from incident_tui.record.verify import Finding, VerifyReport

T = TypeVar("T")


@dataclass
class ReviewContext:
    store: Store
    """For reading; may be readonly."""
    settings: Settings
    actor: Actor | None = None
    """Who last recorded a decision here, offered again on the next form."""
    person: Person | None = None
    """The signed-in person on a school server: every decision is recorded as them."""

    @property
    def root(self) -> Path:
        return self.store.root

    @property
    def key(self) -> bytes | None:
        """None when the record key is missing or not this record's own: the signed
        index is not checked (the store's `key_problem` says why)."""
        return self.store.key

    @property
    def mode(self) -> Mode:
        return self.store.mode

    @property
    def school(self) -> str:
        return self.settings.school.name

    def rows(self) -> list[IndexRow]:
        """The review list: Refused (in words) for anyone but the DSL and the head (on
        a school server), and only the incidents the person may see."""
        from incident_tui.permissions import Can, require, visible_rows

        require(self.person, Can.review)
        return visible_rows(self.person, self.store, self.store.rows())

    def _require_see(self, incident: str) -> None:
        """Refused (in words) if the signed-in person may not read this incident; the
        screens ask before anything is read or recorded as viewed."""
        from incident_tui.permissions import Can, allowed, owner_of, require_see

        if self.person is None or allowed(self.person, Can.read_all):
            return
        row = self.store.row(incident)
        require_see(self.person, owner_of(self.store, row), row.reference)

    def verify(self, incident: str | None = None) -> VerifyReport:
        from incident_tui.record.verify import verify_store

        return verify_store(self.root, self.key, incident=incident)

    def view(self, incident_id: str) -> tuple[list[str], str | None]:
        """Record that this incident is being opened to read (the access log) and give
        its "Viewed by" lines, with a warning in words if it could not be recorded.
        Who: the signed-in person on a server, else the name last given in this review
        app, else not known (and the log says so)."""
        from incident_tui.record.viewings import VIA_SCREEN, view

        try:
            self._require_see(incident_id)
        except UserError as exc:
            return [], exc.message  # not read, so not recorded as viewed
        viewer = self.person.actor() if self.person is not None else self.actor
        return view(self.root, self.key, incident_id, viewer, VIA_SCREEN)

    def read_events(self, incident: str) -> tuple[IndexRow, list[Event], str]:
        """(row, events that could be read, why the events could not be read): quick,
        one incident file. UserError if there is no such incident, or the signed-in
        person may not read it."""
        self._require_see(incident)
        row = self.store.row(incident)
        problem = ""
        try:
            events = self.store.events(row.id)
        except UserError as exc:
            events, problem = [], exc.message
        return row, events, problem

    def damage(self, incident_id: str) -> list[Finding]:
        """The incident's damage (the integrity check: slow on a big record, so the
        screen runs it in a worker thread)."""
        from incident_tui.record.verify import incident_damage

        return incident_damage(self.root, self.key, incident_id)

    def read_incident(self, incident: str) -> tuple[IndexRow, list[Event], list[Finding], str]:
        """(row, events that could be read, findings, why the events could not be read)."""
        row, events, problem = self.read_events(incident)
        return row, events, self.damage(row.id), problem

    def append_review(
        self,
        incident: str,
        actor: Actor,
        decision: str,
        values: Mapping[str, str | None],
        reason: str | None,
    ) -> Event:
        """Append one review decision; UserError (in words) if it cannot be written."""
        return self._write(
            lambda store: append_review(store, incident, actor, decision, values, reason),
            "The decision",
        )

    def correct_pupils(
        self, incident: str, actor: Actor, pupil: str, others: Sequence[str], reason: str
    ) -> Event:
        """Correct the pupils an incident names (an amendment); UserError in words."""
        from incident_tui.record.pupils import amend_pupils

        return self._write(
            lambda store: amend_pupils(store, incident, actor, pupil, others, reason),
            "The correction",
        )

    def pupil_file(self, pupil: str) -> PupilChronology:
        """The pupil's chronology (every incident naming them, each checked in full)."""
        from incident_tui.review.exports import pupil_file

        return pupil_file(self.store, pupil, self.school)

    # --- retention of the child's file (`record.retention`: the command's own functions)

    def retention(self, pupil: str, today: date | None = None) -> FileRetention:
        """The pupil's date of birth, the file's review date and its holds (index rows)."""
        from incident_tui.record.retention import file_retention

        age = self.settings.retention.review_at_age
        return file_retention(self.rows(), pupil, age, today or date.today())

    def record_date_of_birth(self, pupil: str, born: date, actor: Actor) -> Event:
        from incident_tui.record.retention import record_date_of_birth

        return self._write(
            lambda store: record_date_of_birth(store, pupil, born, actor), "The date of birth"
        )

    def correct_date_of_birth(
        self, pupil: str, born: date, actor: Actor, reason: str
    ) -> tuple[IndexRow, Event]:
        from incident_tui.record.retention import correct_date_of_birth

        return self._write(
            lambda store: correct_date_of_birth(store, pupil, born, actor, reason),
            "The correction",
        )

    def disposal_refusal(self, incident: str, today: date | None = None) -> str | None:
        """Why the incident may not be disposed of today (the command's words), or None."""
        from incident_tui.record.retention import dates_of_birth, disposal_refusal

        rows = self.rows()
        row = self.store.row(incident)
        age = self.settings.retention.review_at_age
        return disposal_refusal(row, dates_of_birth(rows), age, today or date.today())

    def dispose(self, incident: str, actor: Actor, rule: str, reason: str) -> tuple[IndexRow, int]:
        """Dispose of the incident lawfully (`record.retention.dispose`, as the command
        does); UserError in words, nothing changed, when it is refused."""
        from incident_tui.record.retention import dispose

        age = self.settings.retention.review_at_age
        return self._write(
            lambda store: dispose(
                store, incident, actor=actor, rule=rule, reason=reason, age=age, today=date.today()
            ),
            "The disposal",
        )

    # --- transfer to the next school (`record.transfer`: the command's own functions)

    def transfer_problem(self, pupil: str) -> str | None:
        """Why the pupil's file cannot be sent now (the command's words), or None."""
        from incident_tui.record.transfer import transfer_problem

        return transfer_problem(self.store, pupil)

    def send_file(self, pupil: str, to_school: str, out: Path, actor: Actor) -> SentBundle:
        """Write the pupil's child protection file for the next school and record the
        transfer on each incident (`record.transfer.write_bundle`)."""
        from incident_tui.record.transfer import write_bundle

        return self._write(
            lambda store: write_bundle(
                store, pupil, to_school=to_school, from_school=self.school, sender=actor, out=out
            ),
            "The transfer",
        )

    def confirm_receipt(self, receipt: Path, actor: Actor) -> Confirmed:
        """Check the next school's receipt against what was sent and record it."""
        from incident_tui.record.transfer import confirm_receipt

        return self._write(
            lambda store: confirm_receipt(store, receipt, actor=actor), "The confirmation"
        )

    def _write(self, append: Callable[[Store], T], what: str) -> T:
        if not self.store.readonly:
            return append(self.store)
        from incident_tui.record.access import writer_for

        try:
            writer = writer_for(self.store)
        except UserError as exc:
            raise UserError(
                f"{exc.message} {what} was not recorded; nothing was changed."
            ) from None
        with writer:
            return append(writer)


def findings_by_incident(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.incident, []).append(finding)
    return grouped

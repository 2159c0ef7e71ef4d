"""The DSL's list of incidents: what to show and in what order.

Filtering and sorting work on index rows only (never the incident files), so a
list of 10,000 incidents stays quick. How the list is drawn (columns, widths)
belongs to the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from incident_tui import dates
from incident_tui.errors import UserError
from incident_tui.record.pupils import names_pupil
from incident_tui.review.attention import (
    ChildFiles,
    Integrity,
    Patterns,
    attention_reasons,
    is_damaged,
    is_flagged,
    needs_attention,
    pupil_patterns,
)

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow

STATUSES = ("open", "sealed", "reviewed", "disposed")

_ATTRIBUTES = {
    "reference": "reference",
    "opened": "opened",
    "procedure": "flow_id",
    "staff": "actor",
    "pupil": "pupil",
    "status": "status",
}
SORT_KEYS = (*_ATTRIBUTES, "flags")
"""What the list can be sorted by. Sorted by pupil, the list is grouped by pupil
(each pupil's incidents together, oldest first within the group when ascending)."""


def _sort_key(column: str, integrity: Integrity) -> Callable[[IndexRow], Any]:
    if column == "flags":
        return lambda r: (
            is_damaged(r, integrity),
            r.stops,
            r.overrides,
            r.escalations,
            r.amendments,
        )
    attribute = _ATTRIBUTES[column]
    if attribute in ("reference", "opened"):
        return lambda r: getattr(r, attribute)
    return lambda r: (getattr(r, attribute).casefold(), r.opened)


@dataclass(frozen=True)
class ListQuery:
    """What the DSL asked to see, and in what order."""

    statuses: frozenset[str] = frozenset(STATUSES)
    procedure: str | None = None
    date_from: str | None = None
    """YYYY-MM-DD, inclusive, on the UTC opening date."""
    date_to: str | None = None
    flagged_only: bool = False
    attention_only: bool = False
    text: str = ""
    pupil: str | None = None
    """Only the incidents that name this pupil (as its pupil or another pupil named)."""
    sort: str = "opened"
    """One of SORT_KEYS."""
    descending: bool = True


def parse_day(text: str, label: str) -> str | None:
    """A filter date typed by the user: '' -> None; bad -> UserError."""
    text = text.strip()
    if not text:
        return None
    try:
        return dates.parse_date(text).isoformat()
    except dates.DateProblem as exc:
        raise UserError(f"{label}: {exc}") from None


@dataclass
class IncidentList:
    """Every index row, with what is needed to filter and sort them quickly."""

    rows: list[IndexRow]
    integrity: Integrity = None
    now: datetime | None = None
    review_at_age: int = 25
    """The school's retention age (settings [retention]), for "retention review due"."""
    days_off: frozenset[date] = frozenset()
    """The settings' holidays (the school days of a transfer awaiting its receipt)."""
    _haystacks: dict[str, str] = field(default_factory=dict, repr=False)
    _attention: dict[str, list[str]] | None = field(default=None, repr=False)
    _across: tuple[Patterns, ChildFiles] | None = field(default=None, repr=False)

    def _haystack(self) -> dict[str, str]:
        """What a search looks in, each row's words together: made at the first search."""
        if not self._haystacks:
            for row in self.rows:
                self._haystacks[row.id] = "\x00".join(
                    (row.reference, row.flow_id, row.actor, row.pupil, *row.other_pupils)
                    + (row.status, row.id)
                ).casefold()
        return self._haystacks

    def set_integrity(self, integrity: Integrity) -> None:
        self.integrity = integrity
        self._attention = None

    @cached_property
    def procedures(self) -> list[str]:
        return sorted({r.flow_id for r in self.rows})

    def attention(self) -> dict[str, list[str]]:
        """Every incident that needs attention, with its reasons (`needs_attention`)."""
        if self._attention is None:
            patterns, files = self._facts_across()
            self._attention = {
                row.id: reasons
                for row, reasons in needs_attention(
                    self.rows,
                    self.integrity,
                    self.now,
                    self.review_at_age,
                    self.days_off,
                    patterns=patterns,
                    files=files,
                )
            }
        return self._attention

    def reasons(self, row: IndexRow) -> list[str]:
        """Why one incident needs attention (the highlighted row), as `attention` says,
        without judging every other row first."""
        if self._attention is not None:
            return self._attention.get(row.id, [])
        patterns, files = self._facts_across()
        now = self.now or datetime.now(UTC)
        return attention_reasons(row, self.integrity, now, None, patterns, files)

    def _facts_across(self) -> tuple[Patterns, ChildFiles]:
        """What the rules need from every row (a pupil's incidents in a term, the dates
        of birth), worked out once: it does not change with the integrity check."""
        if self._across is None:
            files = ChildFiles.of(self.rows, self.review_at_age, self.days_off)
            self._across = (pupil_patterns(self.rows), files)
        return self._across

    def select(self, query: ListQuery) -> list[IndexRow]:
        """The rows that match, in order. Pure: no file is read."""
        needle = query.text.strip().casefold()
        attention = self.attention() if query.attention_only else None
        integrity = self.integrity
        haystacks = self._haystack() if needle else {}
        out: list[IndexRow] = []
        statuses, procedure, pupil = query.statuses, query.procedure, query.pupil
        date_from, date_to, flagged_only = query.date_from, query.date_to, query.flagged_only
        for row in self.rows:
            if row.status not in statuses:
                continue
            if procedure and row.flow_id != procedure:
                continue
            if date_from and row.opened[:10] < date_from:
                continue
            if date_to and row.opened[:10] > date_to:
                continue
            if flagged_only and not is_flagged(row, integrity):
                continue
            if attention is not None and row.id not in attention:
                continue
            if needle and needle not in haystacks[row.id]:
                continue
            if pupil and not names_pupil(row, pupil):
                continue
            out.append(row)
        out.sort(key=_sort_key(query.sort, integrity), reverse=query.descending)
        return out

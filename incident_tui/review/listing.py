"""The DSL's list of incidents: what to show and in what order.

Filtering and sorting work on index rows only (never the incident files), so a
list of 10,000 incidents stays quick. How the list is drawn (columns, widths)
belongs to the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from incident_tui import dates
from incident_tui.errors import UserError
from incident_tui.record.pupils import names_pupil
from incident_tui.review.attention import Integrity, is_damaged, is_flagged, needs_attention

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

    def __post_init__(self) -> None:
        for row in self.rows:
            self._haystacks[row.id] = "\x00".join(
                (row.reference, row.flow_id, row.actor, row.pupil, *row.other_pupils)
                + (row.status, row.id)
            ).casefold()

    def set_integrity(self, integrity: Integrity) -> None:
        self.integrity = integrity
        self._attention = None

    @property
    def procedures(self) -> list[str]:
        return sorted({r.flow_id for r in self.rows})

    def attention(self) -> dict[str, list[str]]:
        if self._attention is None:
            self._attention = {
                row.id: reasons
                for row, reasons in needs_attention(
                    self.rows, self.integrity, self.now, self.review_at_age, self.days_off
                )
            }
        return self._attention

    def select(self, query: ListQuery) -> list[IndexRow]:
        """The rows that match, in order. Pure: no file is read."""
        needle = query.text.strip().casefold()
        attention = self.attention() if query.attention_only else None
        integrity = self.integrity
        out: list[IndexRow] = []
        for row in self.rows:
            if row.status not in query.statuses:
                continue
            if query.procedure and row.flow_id != query.procedure:
                continue
            day = row.opened[:10]
            if query.date_from and day < query.date_from:
                continue
            if query.date_to and day > query.date_to:
                continue
            if query.flagged_only and not is_flagged(row, integrity):
                continue
            if attention is not None and row.id not in attention:
                continue
            if needle and needle not in self._haystacks[row.id]:
                continue
            if query.pupil and not names_pupil(row, query.pupil):
                continue
            out.append(row)
        out.sort(key=_sort_key(query.sort, integrity), reverse=query.descending)
        return out

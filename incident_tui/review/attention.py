"""Which incidents the DSL should look at, and why: flags and "needs attention".

Works on index rows only (never the incident files), so the whole list of
10,000 incidents is judged quickly. Integrity comes from verify, when it has run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from incident_tui.record.references import parse_utc

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

Integrity = Mapping[str, Sequence["Finding"]] | None
"""Findings by incident id from verify; None while the check has not run yet."""


def is_damaged(row: IndexRow, integrity: Integrity) -> bool:
    return bool(integrity and integrity.get(row.id))


def flags_text(row: IndexRow, integrity: Integrity = None) -> str:
    """Flags in words (never colour alone), a count only when more than one:
    "DAMAGED STOP ESC2 AMD" = damaged, a stop override, two escalations, an amendment."""
    parts = ["DAMAGED"] if is_damaged(row, integrity) else []
    for word, count in (("STOP", row.overrides), ("ESC", row.escalations), ("AMD", row.amendments)):
        if count:
            parts.append(word if count == 1 else f"{word}{count}")
    return " ".join(parts) or "-"


def is_flagged(row: IndexRow, integrity: Integrity = None) -> bool:
    return bool(row.overrides or row.escalations or row.amendments) or is_damaged(row, integrity)


def attention_reasons(
    row: IndexRow,
    integrity: Integrity,
    now: datetime | None = None,
    today: date | None = None,
) -> list[str]:
    """Why an incident needs the DSL's attention, in words; empty if it does not."""
    now = now or datetime.now(UTC)
    today = today or now.astimezone().date()
    reasons: list[str] = []
    if is_damaged(row, integrity):
        reasons.append("fails the integrity check")
    if row.status == "open":
        opened = parse_utc(row.opened)
        if opened is None or now - opened > timedelta(days=1):
            reasons.append("open for more than a day")
    elif row.status == "sealed":
        reasons.append("sealed but not reviewed")
    if row.status != "reviewed":
        if row.overrides:
            reasons.append(f"{row.overrides} stop override(s)")
        if row.escalations:
            reasons.append(f"{row.escalations} escalation(s)")
    if row.review_date and row.review_date < today.isoformat():
        reasons.append(f"review date {row.review_date} has passed")
    return reasons


def needs_attention(
    rows: Iterable[IndexRow], integrity: Integrity, now: datetime | None = None
) -> list[tuple[IndexRow, list[str]]]:
    now = now or datetime.now(UTC)
    today = now.astimezone().date()
    found = []
    for row in rows:
        reasons = attention_reasons(row, integrity, now, today)
        if reasons:
            found.append((row, reasons))
    return found

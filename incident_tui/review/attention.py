"""Which incidents the DSL should look at, and why: flags and "needs attention".

Works on index rows only (never the incident files), so the whole list of
10,000 incidents is judged quickly. Integrity comes from verify, when it has run.
The "needs attention" rules are data, in attention.toml beside this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incident_tui.record.references import parse_utc
from incident_tui.record.vocabulary import is_flagged_row, row_flags
from incident_tui.tomlfile import parse_toml_model

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

Integrity = Mapping[str, Sequence["Finding"]] | None
"""Findings by incident id from verify; None while the check has not run yet."""


def is_damaged(row: IndexRow, integrity: Integrity) -> bool:
    return bool(integrity and integrity.get(row.id))


def flags_text(row: IndexRow, integrity: Integrity = None) -> str:
    """The row's flags in words (`vocabulary.row_flags`), damage included once known."""
    return row_flags(row, is_damaged(row, integrity))


def is_flagged(row: IndexRow, integrity: Integrity = None) -> bool:
    """Damaged, or any flag at all: a STOP shown counts, like an override."""
    return is_flagged_row(row) or is_damaged(row, integrity)


RULES_FILE = "attention.toml"

Status = Literal["open", "sealed", "reviewed"]
Check = Literal[
    "damaged",
    "always",
    "open_longer_than",
    "stops",
    "overrides",
    "escalations",
    "amendments",
    "review_date_passed",
]


class AttentionRule(BaseModel):
    """One reason an incident needs the DSL's attention (see attention.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: Check
    reason: str = Field(min_length=1)
    """The words shown; {count}, {hours} and {review_date} are filled in."""
    status: list[Status] | None = None
    """Only incidents with one of these statuses (None: every incident)."""
    hours: int | None = Field(default=None, ge=1)
    """For open_longer_than: how long an incident may stay open."""

    @model_validator(mode="after")
    def _hours_only_where_used(self) -> AttentionRule:
        if (self.check == "open_longer_than") != (self.hours is not None):
            raise ValueError("'hours' is needed by open_longer_than, and only by it")
        return self

    def reason_for(
        self, row: IndexRow, integrity: Integrity, now: datetime, today: date
    ) -> str | None:
        """This rule's reason if it holds for the row, else None."""
        if self.status is not None and row.status not in self.status:
            return None
        count = 0
        if self.check == "damaged":
            holds = is_damaged(row, integrity)
        elif self.check == "always":
            holds = True
        elif self.check == "open_longer_than":
            assert self.hours is not None
            opened = parse_utc(row.opened)
            holds = opened is None or now - opened > timedelta(hours=self.hours)
        elif self.check == "review_date_passed":
            holds = bool(row.review_date and row.review_date < today.isoformat())
        else:
            count = getattr(row, self.check)
            holds = bool(count)
        if not holds:
            return None
        return self.reason.format(count=count, hours=self.hours, review_date=row.review_date)


class AttentionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    rules: list[AttentionRule]


@lru_cache(maxsize=1)
def attention_rules() -> AttentionRules:
    """The shipped rules, from attention.toml beside this module."""
    text = files("incident_tui.review").joinpath(RULES_FILE).read_text(encoding="utf-8")
    return parse_toml_model(AttentionRules, text, RULES_FILE)


def attention_reasons(
    row: IndexRow,
    integrity: Integrity,
    now: datetime | None = None,
    today: date | None = None,
) -> list[str]:
    """Why an incident needs the DSL's attention, in words; empty if it does not."""
    now = now or datetime.now(UTC)
    today = today or now.astimezone().date()
    reasons = (rule.reason_for(row, integrity, now, today) for rule in attention_rules().rules)
    return [reason for reason in reasons if reason is not None]


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

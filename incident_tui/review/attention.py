"""Which incidents the DSL should look at, and why: flags and "needs attention".

Works on index rows only (never the incident files), so the whole list of
10,000 incidents is judged quickly. Integrity comes from verify, when it has run.
The "needs attention" rules are data, in attention.toml beside this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from operator import attrgetter
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incident_tui.record.references import parse_utc
from incident_tui.record.retention import dates_of_birth, review_due
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

Status = Literal["open", "sealed", "reviewed", "disposed"]
Check = Literal[
    "damaged",
    "always",
    "open_longer_than",
    "stops",
    "overrides",
    "escalations",
    "amendments",
    "review_date_passed",
    "pupil_incidents_in_term",
    "retention_review_due",
    "transfer_unconfirmed",
    "transfer_overdue",
]


# --- school terms, for "more than one incident in a term" ----------------------------


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian; the anonymous algorithm, as in `dateutil.easter`)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=4096)
def school_term(day: date) -> str:
    """The school term a day falls in, in England, by a simple rule: autumn from
    1 September to 31 December, spring from 1 January to the day before Easter Sunday,
    summer from Easter Sunday to 31 August (holidays count with the term they
    follow). "autumn 2026", "spring 2027", "summer 2027"."""
    if day.month >= 9:
        return f"autumn {day.year}"
    if day < easter_sunday(day.year):
        return f"spring {day.year}"
    return f"summer {day.year}"


def opened_term(opened: datetime) -> str:
    """The school term of a moment, by this machine's date then (`school_term`)."""
    term = _settled_term(opened.astimezone(UTC).date())
    return term if term is not None else school_term(opened.astimezone().date())


@lru_cache(maxsize=4096)
def _settled_term(day: date) -> str | None:
    """The term of every moment of this UTC day wherever the machine is, or None near
    a term's edge: a local date is within a day of the UTC one, so a day whose
    neighbours share its term needs no time-zone conversion (10,000 incidents)."""
    try:
        terms = {school_term(day + timedelta(days=offset)) for offset in (-1, 0, 1)}
    except OverflowError:  # the first or last day a date can be
        return None
    return terms.pop() if len(terms) == 1 else None


@dataclass(frozen=True)
class PupilPattern:
    """A pupil named in more than one incident in one term."""

    pupil: str
    count: int
    term: str


def pupil_patterns(rows: Iterable[IndexRow]) -> dict[str, list[PupilPattern]]:
    """incident id -> the patterns it is the latest incident of: each pupil it names
    who is named in more than one incident that term (by opening date), so the
    queue says it once, on the newest incident. Amendments are followed (index rows)."""
    from incident_tui.record.pupils import named_pupils, reference_key

    groups: dict[tuple[str, str], list[IndexRow]] = {}
    for row in rows:
        opened = parse_utc(row.opened)
        if opened is None:
            continue
        term = opened_term(opened)
        if row.other_pupils:
            keys = [reference_key(pupil) for pupil in named_pupils(row)]
        else:  # one pupil, as most incidents name (`named_pupils`, quicker: 10,000 rows)
            keys = [key] if (key := reference_key(row.pupil)) else []
        for key in keys:
            group = groups.get((key, term))
            if group is None:
                groups[key, term] = [row]
            else:
                group.append(row)
    found: dict[str, list[PupilPattern]] = {}
    for (key, term), named in groups.items():
        if len(named) < 2:
            continue
        latest = max(named, key=attrgetter("opened", "reference"))
        pupil = next(p for p in named_pupils(latest) if reference_key(p) == key)
        found.setdefault(latest.id, []).append(PupilPattern(pupil, len(named), term))
    return found


Patterns = Mapping[str, Sequence[PupilPattern]]


@dataclass(frozen=True)
class ChildFiles:
    """What the rules about a child's file need beyond one row: each pupil's date of
    birth (recorded on one of their incidents) and the school's retention age."""

    born: dict[str, str] = field(default_factory=dict)
    review_at_age: int = 25
    days_off: frozenset[date] = frozenset()
    """Weekdays that are not school days (the settings' [calendar] holidays)."""

    @classmethod
    def of(
        cls,
        rows: Iterable[IndexRow],
        review_at_age: int = 25,
        days_off: frozenset[date] = frozenset(),
    ) -> ChildFiles:
        return cls(dates_of_birth(rows), review_at_age, days_off)


def school_days_between(start: date, end: date, days_off: frozenset[date] = frozenset()) -> int:
    """School days after `start` up to and including `end`: Monday to Friday, less
    the school's holidays (`days_off`, from the settings' [calendar]; without them,
    every weekday)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in days_off:
            days += 1
    return days


class AttentionRule(BaseModel):
    """One reason an incident needs the DSL's attention (see attention.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check: Check
    reason: str = Field(min_length=1)
    """The words shown; {count}, {hours}, {review_date}, {pupil} and {term} are filled in."""
    status: list[Status] | None = None
    """Only incidents with one of these statuses (None: every incident)."""
    hours: int | None = Field(default=None, ge=1)
    """For open_longer_than: how long an incident may stay open."""
    days: int | None = Field(default=None, ge=1)
    """For transfer_unconfirmed / transfer_overdue: the school days allowed."""

    @model_validator(mode="after")
    def _hours_only_where_used(self) -> AttentionRule:
        if (self.check == "open_longer_than") != (self.hours is not None):
            raise ValueError("'hours' is needed by open_longer_than, and only by it")
        if self.check.startswith("transfer_") != (self.days is not None):
            raise ValueError("'days' is needed by the transfer checks, and only by them")
        return self

    def reason_for(
        self,
        row: IndexRow,
        integrity: Integrity,
        now: datetime,
        today: date,
        patterns: Patterns | None = None,
        files: ChildFiles | None = None,
    ) -> str | None:
        """This rule's reason if it holds for the row, else None (for a pupil seen in
        several incidents in a term, one reason per pupil, joined)."""
        if self.status is not None and row.status not in self.status:
            return None
        count = 0
        if self.check == "pupil_incidents_in_term":
            found = (patterns or {}).get(row.id, ())
            texts = [self.reason.format(count=p.count, pupil=p.pupil, term=p.term) for p in found]
            return "; ".join(texts) or None
        due = None
        if self.check == "retention_review_due":
            files = files or ChildFiles.of([row])
            due = review_due(row, files.born, files.review_at_age)
            holds = due is not None and due <= today
            if holds and row.retention_hold:
                return None  # held for an inquiry: not for review while the hold stands
        elif self.check in ("transfer_unconfirmed", "transfer_overdue"):
            assert self.days is not None
            sent = parse_utc(row.transfer_sent) if row.transfer_sent else None
            if sent is None or row.transfer_confirmed:
                return None
            days_off = (files or ChildFiles()).days_off
            count = school_days_between(sent.astimezone().date(), today, days_off)
            over = count >= self.days  # the limit reached: the receipt is overdue
            holds = over if self.check == "transfer_overdue" else not over
        elif self.check == "damaged":
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
        return self.reason.format(
            count=count,
            hours=self.hours,
            days=self.days,
            review_date=row.review_date,
            due=due.isoformat() if due else "",
            school=row.transfer_to or "",
            sent=(row.transfer_sent or "")[:10],
        )


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
    patterns: Patterns | None = None,
    files: ChildFiles | None = None,
) -> list[str]:
    """Why an incident needs the DSL's attention, in words; empty if it does not.
    `patterns` (`pupil_patterns` of every row) is needed for the rules about a pupil
    across incidents; without it those rules do not hold. `files`: the child's file
    facts of every incident (else this row's own)."""
    now = now or datetime.now(UTC)
    today = today or now.astimezone().date()
    reasons = (
        rule.reason_for(row, integrity, now, today, patterns, files)
        for rule in attention_rules().rules
    )
    return [reason for reason in reasons if reason is not None]


def needs_attention(
    rows: Iterable[IndexRow],
    integrity: Integrity,
    now: datetime | None = None,
    review_at_age: int = 25,
    days_off: frozenset[date] = frozenset(),
    *,
    patterns: Patterns | None = None,
    files: ChildFiles | None = None,
) -> list[tuple[IndexRow, list[str]]]:
    """Every row that needs attention, with its reasons. `patterns` and `files`, when
    given, are `pupil_patterns` and `ChildFiles.of` these same rows (worked out once)."""
    now = now or datetime.now(UTC)
    today = now.astimezone().date()
    rows = list(rows)
    if patterns is None:
        patterns = pupil_patterns(rows)
    if files is None:
        files = ChildFiles.of(rows, review_at_age, days_off)
    found = []
    for row in rows:
        reasons = attention_reasons(row, integrity, now, today, patterns, files)
        if reasons:
            found.append((row, reasons))
    return found

"""The child's file screens' words (date of birth, retention, holds, disposal,
transfer), as data in `child_file.toml` beside this module: the screens only lay
them out. And the one fact they show that no other module sums up: where the
pupil's file was sent and whether the receipt is confirmed (`transfers`).

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from incident_tui.safe_text import printable
from incident_tui.tomlfile import parse_toml_model

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow

WORDS_FILE = "child_file.toml"

Text = str


class _Words(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def say(self, key: str, **values: object) -> str:
        """The words `key`, with {names} filled in; safe to show (`printable`)."""
        template: str = getattr(self, key)
        return printable(template.format(**{k: str(v) for k, v in values.items()}))


class RetentionWords(_Words):
    rule: Text = Field(min_length=1)
    born: Text = Field(min_length=1)
    due_now: Text = Field(min_length=1)
    no_date_of_birth: Text = Field(min_length=1)
    held: Text = Field(min_length=1)
    no_hold: Text = Field(min_length=1)


class DateOfBirthWords(_Words):
    title: Text = Field(min_length=1)
    help: Text = Field(min_length=1)
    date_label: Text = Field(min_length=1)
    saved: Text = Field(min_length=1)


class CorrectionWords(DateOfBirthWords):
    reason_label: Text = Field(min_length=1)


class DisposalWords(_Words):
    title: Text = Field(min_length=1)
    what_happens: Text = Field(min_length=1)
    rule_label: Text = Field(min_length=1)
    reason_label: Text = Field(min_length=1)
    rule_missing: Text = Field(min_length=1)
    reason_missing: Text = Field(min_length=1)
    refused: Text = Field(min_length=1)
    confirm_title: Text = Field(min_length=1)
    confirm: Text = Field(min_length=1)
    keep: Text = Field(min_length=1)
    go: Text = Field(min_length=1)
    done: Text = Field(min_length=1)


class TransferWords(_Words):
    title: Text = Field(min_length=1)
    help: Text = Field(min_length=1)
    school_label: Text = Field(min_length=1)
    file_label: Text = Field(min_length=1)
    school_missing: Text = Field(min_length=1)
    file_missing: Text = Field(min_length=1)
    refused: Text = Field(min_length=1)
    sent_title: Text = Field(min_length=1)
    sent: Text = Field(min_length=1)
    left_out: Text = Field(min_length=1)
    code: Text = Field(min_length=1)
    reminder: Text = Field(min_length=1)
    close: Text = Field(min_length=1)
    unconfirmed: Text = Field(min_length=1)
    overdue: Text = Field(min_length=1)
    confirmed: Text = Field(min_length=1)
    transferred_in: Text = Field(min_length=1)


class ReceiptWords(_Words):
    title: Text = Field(min_length=1)
    help: Text = Field(min_length=1)
    file_label: Text = Field(min_length=1)
    file_missing: Text = Field(min_length=1)
    confirmed: Text = Field(min_length=1)


class ChildFileWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    retention: RetentionWords
    date_of_birth: DateOfBirthWords
    correct_date_of_birth: CorrectionWords
    disposal: DisposalWords
    transfer: TransferWords
    receipt: ReceiptWords


@lru_cache(maxsize=1)
def child_file_words() -> ChildFileWords:
    """The shipped words, from child_file.toml beside this module."""
    text = files("incident_tui.review").joinpath(WORDS_FILE).read_text(encoding="utf-8")
    return parse_toml_model(ChildFileWords, text, WORDS_FILE)


# --- where the file was sent ---------------------------------------------------------


def transfer_days() -> int:
    """The school days allowed for a transfer's receipt (attention.toml: one home)."""
    from incident_tui.review.attention import attention_rules

    return next(
        (r.days for r in attention_rules().rules if r.check == "transfer_overdue" and r.days),
        5,
    )


def school_day_after(start: date, days: int) -> date:
    """The `days`-th weekday after `start` (as `attention.school_days_between` counts)."""
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


@dataclass(frozen=True)
class Transfer:
    """The pupil's file sent to one school (the latest sending to it)."""

    to_school: str
    sent: str
    """UTC, as recorded."""
    confirmed: str | None
    references: tuple[str, ...]
    school_days: int
    """School days since it was sent (weekdays: holidays are not known to the app)."""


def transfers(rows: Iterable[IndexRow], pupil: str, today: date) -> list[Transfer]:
    """Where the incidents naming `pupil` were sent, oldest first: one entry per school
    and sending day. Index rows only."""
    from incident_tui.record.pupils import rows_naming
    from incident_tui.record.references import parse_utc
    from incident_tui.review.attention import school_days_between

    groups: dict[tuple[str, str], list[IndexRow]] = {}
    for row in rows_naming(rows, pupil):
        if row.transfer_to and row.transfer_sent:
            groups.setdefault((row.transfer_to, row.transfer_sent[:10]), []).append(row)
    found = []
    for (school, _day), sent_rows in sorted(groups.items(), key=lambda kv: kv[0][1]):
        sent = min(r.transfer_sent or "" for r in sent_rows)
        when = parse_utc(sent)
        confirmed = [r.transfer_confirmed for r in sent_rows if r.transfer_confirmed]
        found.append(
            Transfer(
                to_school=school,
                sent=sent,
                confirmed=max(confirmed) if len(confirmed) == len(sent_rows) else None,
                references=tuple(r.reference for r in sent_rows),
                school_days=school_days_between(when.astimezone().date(), today) if when else 0,
            )
        )
    return found


def transfer_lines(rows: Iterable[IndexRow], pupil: str, today: date) -> list[str]:
    """The pupil's file screen's lines about where the file was sent, in words."""
    from incident_tui.record.references import utc_text

    words = child_file_words().transfer
    days = transfer_days()
    lines = []
    for sent in transfers(rows, pupil, today):
        values = {
            "school": sent.to_school,
            "sent": sent.sent[:10],
            "incidents": ", ".join(sent.references),
            "count": sent.school_days,
            "days": days,
        }
        if sent.confirmed:
            lines.append(words.say("confirmed", confirmed=utc_text(sent.confirmed), **values))
        elif sent.school_days > days:
            lines.append(words.say("overdue", **values))
        else:
            lines.append(words.say("unconfirmed", **values))
    return lines


def transferred_in_line(row: IndexRow) -> str | None:
    """Where a transferred-in incident came from, in words; None for the school's own."""
    from incident_tui.record.references import utc_text

    if not row.origin:
        return None
    return child_file_words().transfer.say(
        "transferred_in", school=row.origin, received=utc_text(row.received)
    )


__all__ = [
    "ChildFileWords",
    "Transfer",
    "child_file_words",
    "school_day_after",
    "transfer_days",
    "transfer_lines",
    "transferred_in_line",
    "transfers",
]

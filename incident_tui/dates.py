"""Dates as people type them: the one parser for every date in the procedures and the review.

A date is ISO `2026-12-15` or the UK `15/12/2026` (`5/1/2027` too); a date and
time adds `HH:MM` after either (`2026-12-15 16:00`, `15/12/2026 16:00`).
Anything else ("next friday", `12/15/2026`, `15/12/26`) is refused with an
example. A date is kept as ISO, so the record reads one way whatever was typed.

`future=True` refuses a moment already past: a date before today, or a date and
time before the current minute. Plain Python: the flow engine, `run`, the step
screen and the review all go through here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Literal

from incident_tui.safe_text import printable

DateKind = Literal["date", "datetime"]

_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")
_UK = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
_TIME = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})")


class DateProblem(ValueError):
    """A date that cannot be accepted; the message says why, with an example."""


def now() -> datetime:
    """The local time: the one clock that says what 'already past' means."""
    return datetime.now()


def _clock() -> datetime:
    return now()  # looked up at each call, so a test can fix the clock


def formats(kind: DateKind) -> str:
    """The forms accepted, in words."""
    if kind == "date":
        return "YYYY-MM-DD or DD/MM/YYYY"
    return "YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM"


def example(kind: DateKind, now: datetime | None = None) -> str:
    """A worked example a week ahead (so it is never one that would be refused as past)."""
    ahead = (now or _clock()) + timedelta(days=7)
    if kind == "date":
        return f"{ahead:%Y-%m-%d} or {ahead:%d/%m/%Y}"
    return f"{ahead:%Y-%m-%d} 16:00 or {ahead:%d/%m/%Y} 16:00"


def sample(kind: DateKind, now: datetime | None = None) -> str:
    """A date a week ahead, as recorded: for a model answer that has to give one."""
    ahead = (now or _clock()) + timedelta(days=7)
    return f"{ahead:%Y-%m-%d}" if kind == "date" else f"{ahead:%Y-%m-%d} 16:00"


def hint(kind: DateKind, *, future: bool = False, now: datetime | None = None) -> str:
    """One line for a date box: what to type, and whether a past date is refused."""
    what = "A date" if kind == "date" else "A date and time"
    later = (", today or later" if kind == "date" else ", not one already past") if future else ""
    return f"{what}{later}: {formats(kind)}, e.g. {example(kind, now)}."


def _refused(kind: DateKind, text: str, now: datetime | None, why: str = "") -> DateProblem:
    what = "a date" if kind == "date" else "a date and time"
    shown = printable(text, one_line=True)
    because = f" ({why})" if why else ""
    return DateProblem(
        f"give {what} as {formats(kind)}, e.g. {example(kind, now)}; not {shown!r}{because}"
    )


def _day(text: str, kind: DateKind, now: datetime | None) -> date | None:
    found = _ISO.fullmatch(text) or _UK.fullmatch(text)
    if found is None:
        return None
    year, month, day = (int(found[k]) for k in ("year", "month", "day"))
    try:
        return date(year, month, day)
    except ValueError:
        raise _refused(kind, text, now, "there is no such day") from None


def parse_date(text: str, *, future: bool = False, now: datetime | None = None) -> date:
    """The date typed; DateProblem (saying what to type) if it is not one, or is past
    when `future` (today counts as not past). `now` defaults to the local time."""
    typed = text.strip()
    day = _day(typed, "date", now)
    if day is None:
        raise _refused("date", text, now)
    today = (now or _clock()).date()
    if future and day < today:
        raise DateProblem(
            f"{day.isoformat()} has already passed: give today ({today.isoformat()}) "
            "or a later date"
        )
    return day


def parse_datetime(text: str, *, future: bool = False, now: datetime | None = None) -> datetime:
    """The date and time typed (local, to the minute); DateProblem if it is not one,
    or is before the current minute when `future`."""
    typed = " ".join(text.replace("T", " ", 1).split())
    day_text, _, time_text = typed.partition(" ")
    day = _day(day_text, "datetime", now)
    clock = _TIME.fullmatch(time_text)
    if day is None or clock is None:
        raise _refused("datetime", text, now)
    hour, minute = int(clock["hour"]), int(clock["minute"])
    if hour > 23 or minute > 59:
        raise _refused("datetime", text, now, "there is no such time")
    moment = datetime(day.year, day.month, day.day, hour, minute)
    current = (now or _clock()).replace(second=0, microsecond=0, tzinfo=None)
    if future and moment < current:
        raise DateProblem(
            f"{moment:%Y-%m-%d %H:%M} has already passed (it is now {current:%Y-%m-%d %H:%M}): "
            "give a later date and time"
        )
    return moment


def normalised(
    text: str, kind: DateKind, *, future: bool = False, now: datetime | None = None
) -> str:
    """The date as recorded: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM`."""
    if kind == "date":
        return parse_date(text, future=future, now=now).isoformat()
    return parse_datetime(text, future=future, now=now).strftime("%Y-%m-%d %H:%M")


__all__ = [
    "DateKind",
    "DateProblem",
    "formats",
    "hint",
    "normalised",
    "now",
    "parse_date",
    "parse_datetime",
    "sample",
]

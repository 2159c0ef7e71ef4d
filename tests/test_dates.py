"""Dates as people type them: one parser for the procedures and the review."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from incident_tui import dates
from incident_tui.dates import DateProblem, normalised, parse_date, parse_datetime

NOW = datetime(2026, 12, 1, 14, 30)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2027-01-15", date(2027, 1, 15)),
        ("15/01/2027", date(2027, 1, 15)),
        ("5/1/2027", date(2027, 1, 5)),
        ("  2027-1-5 ", date(2027, 1, 5)),
    ],
)
def test_iso_and_uk_dates_are_the_same_day(typed: str, day: date) -> None:
    assert parse_date(typed, now=NOW) == day


@pytest.mark.parametrize(
    "typed", ["next friday", "15/01/27", "2027/01/15", "15-01-2027", "Jan 15 2027", "20270115", ""]
)
def test_anything_else_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(DateProblem) as refused:
        parse_date(typed, now=NOW)
    message = str(refused.value)
    assert "YYYY-MM-DD or DD/MM/YYYY" in message
    assert "e.g. 2026-12-08 or 08/12/2026" in message  # a week ahead: never itself refused
    assert repr(typed) in message


def test_a_day_that_does_not_exist_is_refused() -> None:
    with pytest.raises(DateProblem, match="no such day"):
        parse_date("31/02/2027", now=NOW)
    with pytest.raises(DateProblem, match="no such day"):
        parse_date("12/15/2026", now=NOW)  # the US order: there is no 15th month


def test_a_future_date_may_be_today_but_not_yesterday() -> None:
    assert parse_date("01/12/2026", future=True, now=NOW) == date(2026, 12, 1)
    with pytest.raises(DateProblem) as past:
        parse_date("30/11/2026", future=True, now=NOW)
    assert str(past.value) == (
        "2026-11-30 has already passed: give today (2026-12-01) or a later date"
    )
    assert parse_date("30/11/2026", now=NOW) == date(2026, 11, 30)  # a past date, where it may be


def test_a_date_and_time_in_either_form_is_kept_as_iso_to_the_minute() -> None:
    assert normalised("15/01/2027 16:00", "datetime", now=NOW) == "2027-01-15 16:00"
    assert normalised("2027-01-15T9:05", "datetime", now=NOW) == "2027-01-15 09:05"
    assert normalised("15/01/2027", "date", now=NOW) == "2027-01-15"
    for typed in ("15/01/2027", "15/01/2027 4pm", "15/01/2027 25:00", "tomorrow 16:00"):
        with pytest.raises(DateProblem, match="YYYY-MM-DD HH:MM or DD/MM/YYYY HH:MM"):
            parse_datetime(typed, now=NOW)


def test_a_future_date_and_time_is_refused_once_its_minute_has_gone() -> None:
    assert parse_datetime("01/12/2026 14:30", future=True, now=NOW) == datetime(2026, 12, 1, 14, 30)
    with pytest.raises(DateProblem, match="already passed"):
        parse_datetime("01/12/2026 14:29", future=True, now=NOW)


def test_control_characters_typed_are_shown_as_escapes_in_the_refusal() -> None:
    with pytest.raises(DateProblem) as refused:
        parse_date("2027-01-15\x1b[2J", now=NOW)
    assert "\x1b" not in str(refused.value)


def test_the_hint_says_what_to_type() -> None:
    assert dates.hint("date", future=True, now=NOW) == (
        "A date, today or later: YYYY-MM-DD or DD/MM/YYYY, e.g. 2026-12-08 or 08/12/2026."
    )
    assert dates.hint("datetime", now=NOW).startswith("A date and time: YYYY-MM-DD HH:MM")

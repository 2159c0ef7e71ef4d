"""Transfer in the review app: the pupil's file sends the child protection file to the
next school (the bundle's path, the code and the 5-school-day reminder shown), says
where it was sent and whether the receipt is confirmed, confirms the receipt; and an
incident transferred in shows its origin in the list, the file and the incident, and
is never continued or corrected here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from incident_tui.record.events import EventKind
from incident_tui.review.child_file import school_day_after, transfer_lines
from incident_tui.settings import School, Settings
from tests.test_transfer import PUPIL, TEACHER, Install, code_in, receive

SIZE = (80, 24)
OAK, ELM = "Oak Primary School", "Elm Secondary Academy"


@pytest.fixture
def oak(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Install:
    return Install(tmp_path / "oak", OAK, capsys)


@pytest.fixture
def elm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Install:
    return Install(tmp_path / "elm", ELM, capsys)


def _app(install: Install, school: str):  # type: ignore[no-untyped-def]
    from incident_tui.record.store import Store
    from incident_tui.tui.review.app import ReviewApp

    reader = Store.open(install.root, key=install.key, mode="live", readonly=True)
    return ReviewApp(reader, Settings(school=School(name=school)))


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def _open_pupil(pilot, pupil: str = PUPIL):  # type: ignore[no-untyped-def]
    from incident_tui.tui.review.pupil_screen import PupilScreen

    await _settle(pilot)
    await pilot.app.push_screen(PupilScreen(pilot.app.screen.ctx, pupil))
    await _settle(pilot)
    return pilot.app.screen


def _text(widget: Static) -> str:
    return str(widget.content)


def test_the_reminder_counts_school_days_and_the_file_says_where_it_went(oak, tmp_path):
    assert school_day_after(date(2026, 12, 4), 5) == date(2026, 12, 11)  # Fri -> next Fri
    assert school_day_after(date(2026, 12, 2), 5) == date(2026, 12, 9)
    oak.incident()
    code, out, err = oak.run(
        "transfer", PUPIL, "--to", ELM, "-o", tmp_path / "b.json", "--dsl", "Sam Patel"
    )
    assert code == 0, err
    today = date.today()
    lines = transfer_lines(oak.rows(), PUPIL, today)
    assert len(lines) == 1 and f"Sent to {ELM}" in lines[0] and "NOT YET CONFIRMED" in lines[0]
    late = transfer_lines(oak.rows(), PUPIL, school_day_after(today, 6))
    assert "NOT CONFIRMED within 5 school days (6 so far)" in late[0]
    assert transfer_lines(oak.rows(), "P-9999", today) == []


async def test_the_file_is_sent_from_the_pupils_file_and_its_receipt_confirmed(oak, elm, tmp_path):
    from incident_tui.tui.review.transfer_dialogs import (
        ReceiptDialog,
        SendFileDialog,
        SentDialog,
    )

    first = oak.incident()
    still_open = oak.incident(seal=False)
    bundle = tmp_path / "to-elm.json"
    async with _app(oak, OAK).run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        assert not screen.query_one("#pupil-transfer", Static).display  # never sent
        await pilot.press("t")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, SendFileDialog)
        # refused as the command refuses, said as it opens: an incident still open
        error = _text(dialog.query_one("#form-error", Static))
        assert f"incident {still_open.reference}" in error and "still open" in error
        await pilot.press("escape")
        await pilot.pause()
    with oak.writer() as store:  # finished: now the file can go
        store.append(
            still_open.id,
            kind=EventKind.sealed,
            actor=TEACHER,
            step="end",
            data={"outcome": "handled in school"},
        )
    async with _app(oak, OAK).run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        await pilot.press("t")
        await pilot.pause()
        dialog = pilot.app.screen
        assert _text(dialog.query_one("#form-error", Static)) == ""
        dialog.query_one("#transfer-file", Input).value = str(bundle)
        dialog.query_one("#actor-name", Input).value = "Sam Patel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "school the pupil is moving to: required" in _text(
            dialog.query_one("#form-error", Static)
        )
        dialog.query_one("#transfer-school", Input).value = ELM
        await pilot.press("ctrl+s")
        await _settle(pilot)
        sent = pilot.app.screen
        assert isinstance(sent, SentDialog)
        said = _text(sent.query_one("#sent-text", Static))
        assert f"Wrote {bundle}" in said and "Transfer code: " in said
        assert "within 5 school days (by " in said and "separately from the main pupil" in said
        code = code_in(said)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is screen
        shown = _text(screen.query_one("#pupil-transfer", Static))
        assert f"Sent to {ELM} on {date.today().isoformat()}" in shown
        assert "receipt NOT YET CONFIRMED (0 of 5 school days)" in shown
        assert first.reference in shown and still_open.reference in shown
    assert bundle.exists()
    got, out, err = receive(elm, bundle, "--code", code)
    assert got == 0, err
    receipt = tmp_path / "to-elm.receipt.json"
    async with _app(oak, OAK).run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        await pilot.press("r")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, ReceiptDialog)
        dialog.query_one("#receipt-file", Input).value = str(receipt)
        dialog.query_one("#actor-name", Input).value = "Sam Patel"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert pilot.app.screen is screen
        shown = _text(screen.query_one("#pupil-transfer", Static))
        assert "receipt confirmed" in shown and "NOT" not in shown
    assert all(r.transfer_confirmed for r in oak.rows())


async def test_an_incident_transferred_in_shows_its_origin_and_is_not_continued_here(
    oak, elm, tmp_path
):
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen
    from incident_tui.tui.review.list_screen import ReviewScreen
    from incident_tui.tui.review.pupils_form import PupilsForm
    from incident_tui.tui.review.table import IncidentTable

    mine = elm.incident(pupil="P-7777")
    theirs = oak.incident()
    bundle = tmp_path / "in.json"
    code, out, err = oak.run("transfer", PUPIL, "--to", ELM, "-o", bundle, "--dsl", "Sam Patel")
    assert code == 0, err
    assert receive(elm, bundle, "--code", code_in(out))[0] == 0
    async with _app(elm, ELM).run_test(size=SIZE) as pilot:
        await _settle(pilot)
        listed = pilot.app.screen
        assert isinstance(listed, ReviewScreen)
        table = listed.query_one(IncidentTable)
        table.cursor = next(i for i, r in enumerate(listed.shown) if r.id == theirs.id)
        await pilot.pause()
        detail = _text(listed.query_one("#review-detail", Static))
        assert f"Transferred in from {OAK} on " in detail and "never continued" in detail
        table.cursor = next(i for i, r in enumerate(listed.shown) if r.id == mine.id)
        await pilot.pause()
        assert "Transferred in" not in _text(listed.query_one("#review-detail", Static))
        table.cursor = next(i for i, r in enumerate(listed.shown) if r.id == theirs.id)
        await pilot.press("enter")
        await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, IncidentReviewScreen)
        summary = _text(screen.query_one("#incident-summary", Static))
        assert f"TRANSFERRED IN from {OAK}" in summary and "not continued" in summary
        assert not any("continue" in str(b.description).lower() for b in screen.BINDINGS)
        await pilot.press("p")  # a correction is theirs to make
        await pilot.pause()
        assert not isinstance(pilot.app.screen, PupilsForm)
        await pilot.press("c")
        await _settle(pilot)
        lines = pilot.app.screen.query_one("#pupil-chronology")
        heading = str(lines.get_option_at_index(0).prompt)
        assert f"Transferred in from {OAK} on " in heading

"""Retention in the review app: the pupil's file shows the date of birth, the rule, the
review date and any hold; the date of birth is recorded once and corrected by an
amendment; an incident is disposed of lawfully from a dialog that says what will
happen, refuses as the command does, and asks first; files due for review are in
Needs attention. The record functions below the screens are tested directly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from incident_tui.errors import UserError
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.retention import (
    correct_date_of_birth,
    dates_of_birth,
    disposal_refusal,
    file_retention,
    record_date_of_birth,
    review_due,
)
from incident_tui.record.store import IndexRow, Store, incident_path
from incident_tui.record.verify import verify_store
from incident_tui.settings import Retention, Settings

FLOW = FlowRef(id="searching", version="1.0", hash="cd" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
DSL = Actor(name="Dev Patel", role="Designated Safeguarding Lead")
PUPIL = "P-1001"
SECRET = "found a lock knife in the blue bag"
SIZE = (80, 24)


class School:
    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.key = load_or_create_key(self.config / "record.key")
        self.root = self.data / "live"

    def writer(self) -> Store:
        return Store.open(self.root, key=self.key, mode="live")

    def reader(self) -> Store:
        return Store.open(self.root, key=self.key, mode="live", readonly=True)

    def incident(self, pupil: str = PUPIL, *, seal: bool = True) -> IndexRow:
        with self.writer() as store:
            row = store.new_incident(
                flow=FLOW, actor=TEACHER, details={"pupil": pupil, "location": "Library"}
            )
            store.append(
                row.id, kind="answer", actor=TEACHER, step="found", prompt="Found?", answer=SECRET
            )
            if seal:
                store.append(
                    row.id, kind=EventKind.sealed, actor=TEACHER, step="end", data={"outcome": "x"}
                )
            return store.row(row.id)

    def born(self, pupil: str = PUPIL, born: str = "1995-03-01") -> None:
        with self.writer() as store:
            record_date_of_birth(store, pupil, date.fromisoformat(born), DSL)

    def row(self, incident: str) -> IndexRow:
        with self.reader() as store:
            return store.row(incident)

    def app(self, settings: Settings | None = None):  # type: ignore[no-untyped-def]
        from incident_tui.tui.review.app import ReviewApp

        return ReviewApp(self.reader(), settings or Settings())


@pytest.fixture
def school(tmp_path: Path) -> School:
    return School(tmp_path)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _text(widget: Static) -> str:
    return str(widget.content)


async def _open_pupil(pilot, pupil: str = PUPIL):  # type: ignore[no-untyped-def]
    from incident_tui.tui.review.pupil_screen import PupilScreen

    await _settle(pilot)
    await pilot.app.push_screen(PupilScreen(pilot.app.screen.ctx, pupil))
    await _settle(pilot)
    return pilot.app.screen


async def _open_incident(pilot, incident: str):  # type: ignore[no-untyped-def]
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen

    await _settle(pilot)
    await pilot.app.push_screen(IncidentReviewScreen(pilot.app.screen.ctx, incident))
    await _settle(pilot)
    return pilot.app.screen


# --- below the screens ------------------------------------------------------------------


def test_a_date_of_birth_recorded_wrongly_is_corrected_and_the_review_date_follows(school):
    row = school.incident()
    school.born(born="2012-05-01")
    with school.writer() as store:
        assert review_due(store.row(row.id), dates_of_birth(store.rows()), 25) == date(2037, 5, 1)
        where, event = correct_date_of_birth(store, PUPIL, date(1995, 3, 1), DSL, "the MIS said")
        assert where.id == row.id and event.kind == EventKind.amendment
        assert review_due(store.row(row.id), dates_of_birth(store.rows()), 25) == date(2020, 3, 1)
        with pytest.raises(UserError, match="already recorded as 1995-03-01"):
            correct_date_of_birth(store, PUPIL, date(1995, 3, 1), DSL, "again")
        with pytest.raises(UserError, match="reason"):
            correct_date_of_birth(store, PUPIL, date(1996, 3, 1), DSL, " ")
        with pytest.raises(UserError, match="nothing to correct"):
            correct_date_of_birth(store, "P-9999", date(1996, 3, 1), DSL, "why")
        events = store.events(row.id)
    original = next(e for e in events if e.data.get("review") == "date-of-birth")
    assert original.data["date"] == "2012-05-01"  # nothing edited
    assert events[-1].data["amends"] == original.seq
    assert verify_store(school.root, school.key).ok  # the index folds it as verify does


def test_retention_dob_correct_from_the_command_line(school, capsys):
    from incident_tui.cli import main

    school.incident()
    school.born(born="2012-05-01")
    base = ["--data-dir", str(school.data), "--config-dir", str(school.config)]
    args = [*base, "retention", "dob", PUPIL, "01/03/1995", "--dsl", "Dev Patel"]
    assert main([*args, "--correct"]) == 2  # a correction needs its reason
    assert "--reason" in capsys.readouterr().err
    assert main([*args, "--correct", "--reason", "typed from the wrong pupil"]) == 0
    out = capsys.readouterr().out
    assert "Corrected pupil P-1001's date of birth to 1995-03-01" in out
    assert main([*base, "retention"]) == 0
    assert "due 2020-03-01" in capsys.readouterr().out


def test_the_files_retention_and_the_disposal_refusals_come_from_index_rows(school):
    held, open_one, plain = school.incident(), school.incident(seal=False), school.incident()
    school.born()
    with school.writer() as store:
        from incident_tui.review import append_review

        append_review(store, held.id, DSL, "retention-hold", {"inquiry": "IICSA"}, "asked")
        rows = store.rows()
    retention = file_retention(rows, PUPIL, 25, date(2026, 12, 2))
    assert retention.born == "1995-03-01" and retention.recorded_on == held.reference
    assert retention.review_due == date(2020, 3, 1) and retention.due_now
    assert retention.held == (held.reference,)
    born = dates_of_birth(rows)
    by_id = {r.id: r for r in rows}
    today = date.today()
    assert "retention hold" in (disposal_refusal(by_id[held.id], born, 25, today) or "")
    assert "still open" in (disposal_refusal(by_id[open_one.id], born, 25, today) or "")
    assert "kept until 2095-03-01" in (disposal_refusal(by_id[plain.id], born, 100, today) or "")
    assert disposal_refusal(by_id[plain.id], born, 25, today) is None


# --- the pupil's file ---------------------------------------------------------------


async def test_the_pupils_file_records_then_corrects_the_date_of_birth(school):
    from incident_tui.tui.review.retention_dialogs import DateOfBirthForm

    school.incident()
    async with school.app().run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        panel = screen.query_one("#pupil-retention", Static)
        assert "NOT RECORDED" in _text(panel) and "25th birthday" in _text(panel)
        assert "No retention hold." in _text(panel)
        await pilot.press("b")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, DateOfBirthForm) and not form.correcting
        form.query_one("#dob-date", Input).value = "2012-05-01"
        form.query_one("#actor-name", Input).value = "Dev Patel"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert pilot.app.screen is screen
        assert "Born 2012-05-01" in _text(panel) and "reviewed on 2037-05-01" in _text(panel)
        await pilot.press("b")  # recorded once: now it corrects, with the reason
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, DateOfBirthForm) and form.correcting
        assert "amendment" in _text(form.query_one(".help", Static))
        form.query_one("#dob-date", Input).value = "01/03/1995"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is form  # no reason: refused in words
        assert "reason" in _text(form.query_one("#form-error", Static)).lower()
        form.query_one("#dob-reason", Input).value = "typed from the wrong pupil's record"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert pilot.app.screen is screen
        assert "1995-03-01" in _text(panel) and "DUE FOR RETENTION REVIEW since 2020-03-01" in (
            _text(panel)
        )


async def test_a_hold_is_set_and_lifted_from_the_pupils_file_and_offered_as_decisions(school):
    from incident_tui.review import review_decisions
    from incident_tui.tui.review.decision import DecisionForm, DecisionPicker

    ids = [d.id for d in review_decisions().decisions]
    assert "retention-hold" in ids and "retention-hold-lifted" in ids  # d offers them too
    row = school.incident()
    school.born()
    async with school.app().run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        await pilot.press("h")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, DecisionForm) and form.decision.id == "retention-hold"
        form.query_one("#field-inquiry", Input).value = "Independent Inquiry"
        form.query_one("#field-reason", Input).value = "the inquiry asked for every file"
        form.query_one("#actor-name", Input).value = "Dev Patel"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        panel = _text(screen.query_one("#pupil-retention", Static))
        assert f"RETENTION HOLD on {row.reference}" in panel
        await pilot.press("D")  # held: the dialog refuses in the command's words
        await pilot.pause()
        dialog = pilot.app.screen
        assert "under a retention hold" in _text(dialog.query_one("#form-error", Static))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, DecisionForm) and form.decision.id == "retention-hold-lifted"
        form.query_one("#field-reason", Input).value = "the inquiry has reported"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert "No retention hold." in _text(screen.query_one("#pupil-retention", Static))
        # the incident screen's decision list offers them as well
        await _open_incident(pilot, row.id)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, DecisionPicker)
    assert not school.row(row.id).retention_hold


async def test_disposal_is_refused_as_the_command_refuses_while_open_or_not_due(school, capsys):
    from incident_tui.cli import main

    open_one = school.incident(seal=False)
    young = school.incident(pupil="P-2002")
    school.born()
    school.born("P-2002", "2014-01-01")
    async with school.app().run_test(size=SIZE) as pilot:
        for row in (open_one, young):
            await _open_incident(pilot, row.id)
            await pilot.press("D")
            await pilot.pause()
            shown = _text(pilot.app.screen.query_one("#form-error", Static))
            capsys.readouterr()
            main(
                ["--data-dir", str(school.data), "--config-dir", str(school.config)]
                + ["dispose", row.reference, "--reason", "tidy", "--dsl", "Dev Patel"]
            )
            said = capsys.readouterr().err.strip()
            problem = said.split(": ", 1)[1] if said.startswith("incident-tui") else said
            assert problem.rstrip(".") in shown, (problem, shown)
            pilot.app.screen.query_one("#dispose-reason", Input).value = "tidy"
            pilot.app.screen.query_one("#actor-name", Input).value = "Dev Patel"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert "Not disposed of" in _text(pilot.app.screen.query_one("#form-error", Static))
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
    for row in (open_one, young):
        assert SECRET in incident_path(school.root, row.id).read_text()


async def test_disposal_from_the_incident_screen_asks_first_then_says_what_when_who_why(school):
    from incident_tui.tui.review.retention_dialogs import DisposalDialog
    from incident_tui.tui.screens.dialogs import Confirm

    row = school.incident()
    kept = school.incident()
    school.born()
    async with school.app().run_test(size=SIZE) as pilot:
        screen = await _open_incident(pilot, row.id)
        await pilot.press("D")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, DisposalDialog)
        said = " ".join(_text(s) for s in dialog.query(Static))
        assert (
            "removed for good" in said and "hashes are kept" in said and "cannot be undone" in said
        )
        assert _text(dialog.query_one("#form-error", Static)) == ""  # due, not held
        dialog.query_one("#actor-name", Input).value = "Dev Patel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Why it is disposed of now: required" in _text(
            dialog.query_one("#form-error", Static)
        )
        dialog.query_one("#dispose-rule", Input).value = ""
        dialog.query_one("#dispose-reason", Input).value = "pupil is 25; file reviewed"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "retention rule: required" in _text(dialog.query_one("#form-error", Static))
        dialog.query_one("#dispose-rule", Input).value = "IRMS toolkit: DOB + 25 years"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Confirm)
        await pilot.press("escape")  # kept: nothing changed
        await pilot.pause()
        assert pilot.app.screen is dialog
        assert SECRET in incident_path(school.root, row.id).read_text()
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await _settle(pilot)
        assert pilot.app.screen is screen
        summary = _text(screen.query_one("#incident-summary", Static))
        assert "DISPOSED OF" in summary and "Dev Patel" in summary
        assert "pupil is 25; file reviewed" in summary and "IRMS toolkit" in summary
    assert SECRET not in incident_path(school.root, row.id).read_text()
    assert SECRET in incident_path(school.root, kept.id).read_text()
    assert verify_store(school.root, school.key).ok
    assert school.row(row.id).status == "disposed"


async def test_disposal_from_the_pupils_file_opens_the_incident_to_show_it(school):
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen
    from incident_tui.tui.screens.dialogs import Confirm

    row = school.incident()
    school.born()
    async with school.app().run_test(size=SIZE) as pilot:
        screen = await _open_pupil(pilot)
        await pilot.press("D")
        await pilot.pause()
        dialog = pilot.app.screen
        dialog.query_one("#dispose-reason", Input).value = "file reviewed at 25"
        dialog.query_one("#actor-name", Input).value = "Dev Patel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, Confirm)
        await pilot.press("y")
        await _settle(pilot)
        shown = pilot.app.screen
        assert isinstance(shown, IncidentReviewScreen) and shown.incident_id == row.id
        assert "DISPOSED OF" in _text(shown.query_one("#incident-summary", Static))
        await pilot.press("escape")
        await _settle(pilot)
        assert pilot.app.screen is screen  # the file no longer holds its content
        assert "no incident" in _text(screen.query_one("#pupil-title", Static))


# --- needs attention ----------------------------------------------------------------


async def test_files_due_for_retention_review_are_in_needs_attention_on_the_review_list(school):
    from incident_tui.review import append_review
    from incident_tui.tui.review.list_screen import ReviewScreen
    from incident_tui.tui.review.table import IncidentTable

    due = school.incident()
    young = school.incident(pupil="P-2002")
    school.born(born="2006-01-01")  # 20: due under a school rule of 18, not under 25
    school.born("P-2002", "2014-01-01")
    with school.writer() as store:  # signed off: only retention can bring them back
        for row in (due, young):
            append_review(store, row.id, DSL, "sign-off", {}, "reviewed")
    settings = Settings(retention=Retention(review_at_age=18, rule="Kept until 18"))
    async with school.app(settings).run_test(size=SIZE) as pilot:
        await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("a")
        await pilot.pause()
        assert [r.id for r in screen.shown] == [due.id]
        screen.query_one(IncidentTable).cursor = 0
        await pilot.pause()
        detail = _text(screen.query_one("#review-detail", Static))
        assert "retention review due" in detail and "2024-01-01" in detail

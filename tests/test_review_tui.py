"""The DSL's review screens, driven with Pilot over a real record."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from textual.widgets import Input, Select, Static

from incident_tui.record.store import Store
from incident_tui.review import review_decisions
from incident_tui.settings import Settings
from incident_tui.tui.review.app import ReviewApp
from incident_tui.tui.review.decision import DecisionForm, DecisionPicker
from incident_tui.tui.review.incident_screen import IncidentReviewScreen
from incident_tui.tui.review.list_screen import ReviewScreen
from incident_tui.tui.review.table import IncidentTable
from tests.review_fixtures import KEY, Record

pytestmark = pytest.mark.usefixtures("fixed_today")  # review dates here are after it

FORM_VALUES = {
    "note": ({"text": "Read the record"}, None),
    "referral": (
        {
            "agency": "Police",
            "when": "2026-11-24 10:30",
            "agency_reference": "REF-9",
            "advice": "Keep it locked away",
        },
        None,
    ),
    "police-informed": ({"when": "2026-11-24 11:00"}, "A knife was found"),
    "parents-informed": ({"when": "2026-11-24 15:00", "who": "Father, in person"}, None),
    "parents-not-told": ({"agency_consulted": "MASH"}, "Risk from a family member"),
    "deletion-confirmed": ({"date": "2026-11-25", "how": "Checked with the pupil"}, None),
    "support": ({"support": "Counsellor weekly"}, None),
    "review-date": ({"date": "2026-12-15"}, None),
    "no-further-action": ({}, "No risk remains"),
    "subject-access-withhold": (
        {"entries": "1", "exemption": "Third-party data (DPA 2018 Sch. 2 Part 3)"},
        "Names another child",
    ),
    "sign-off": ({}, None),
}


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def app_for(record: Record):
    return ReviewApp(record.readonly(), Settings())


def shown_refs(screen: ReviewScreen) -> list[str]:
    return [r.reference for r in screen.shown]


async def test_the_list_shows_every_incident_and_the_damaged_one_as_damaged(
    record: Record,
) -> None:
    async with app_for(record).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        assert len(screen.shown) == 4
        table = screen.query_one(IncidentTable)
        lines = [table.render_line(y).text for y in range(6)]
        assert lines[0].startswith("Reference")
        damaged_line = next(line for line in lines if record.damaged.reference in line)
        assert "DAMAGED" in damaged_line
        flagged_line = next(line for line in lines if record.flagged.reference in line)
        assert "OVR ESC AMD" in flagged_line
        state = str(screen.query_one("#review-state", Static).content)
        assert "4 of 4 shown" in state and "1 damaged" in state


async def test_sort_filter_and_search(record: Record) -> None:
    async with app_for(record).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("s")  # opened -> procedure
        assert screen.query_state.sort == "procedure"
        await pilot.press("r")
        assert screen.query_state.descending is False
        assert [r.flow_id for r in screen.shown] == sorted(r.flow_id for r in screen.shown)

        await pilot.press("f")
        assert set(shown_refs(screen)) == {record.flagged.reference, record.damaged.reference}
        await pilot.press("f")

        screen.query_one("#review-status", Select).value = "open"
        await pilot.pause()
        assert shown_refs(screen) == [record.open_one.reference]
        screen.query_one("#review-status", Select).value = Select.NULL
        screen.query_one("#review-procedure", Select).value = "sharing-nudes"
        await pilot.pause()
        assert set(shown_refs(screen)) == {record.plain.reference, record.damaged.reference}
        screen.query_one("#review-procedure", Select).value = Select.NULL
        await pilot.pause()

        screen.query_one("#review-to", Input).value = "2000-01-01"
        await pilot.pause()
        assert shown_refs(screen) == []
        screen.query_one("#review-to", Input).value = ""
        await pilot.pause()

        await pilot.press("slash", *"p-3003")
        await pilot.pause()
        assert shown_refs(screen) == [record.open_one.reference]
        await pilot.press("escape")  # leaves the search box, keeps the search
        assert isinstance(screen.focused, IncidentTable)
        assert shown_refs(screen) == [record.open_one.reference]


async def test_needs_attention_view(record: Record) -> None:
    async with app_for(record).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        await pilot.press("a")
        # sealed-not-reviewed, flagged and damaged; the open one is not a day old yet
        assert set(shown_refs(screen)) == {
            record.plain.reference,
            record.flagged.reference,
            record.damaged.reference,
        }
        detail = str(screen.query_one("#review-detail", Static).content)
        assert "needs attention:" in detail


async def open_incident(pilot, screen: ReviewScreen, reference: str) -> IncidentReviewScreen:
    await pilot.press("slash", *reference)
    await pilot.press("enter")  # back to the table
    await pilot.press("enter")  # open
    await settle(pilot)
    opened = pilot.app.screen
    assert isinstance(opened, IncidentReviewScreen)
    return opened


async def test_open_one_shows_chronology_flags_and_integrity(record: Record) -> None:
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.flagged.reference)
        badge = str(detail.query_one("#incident-badge", Static).content)
        assert badge.startswith("INTEGRITY: INTACT")
        summary = str(detail.query_one("#incident-summary", Static).content)
        assert "Procedure: searching, version 2.1" in summary
        assert "OVR ESC AMD" in summary
        entries = list(detail.query(".entry"))
        texts = [str(e.content) for e in entries]
        assert "AMENDED, see below" in texts[1]
        assert entries[2].has_class("entry-amendment") and "misheard" in texts[2]
        assert entries[3].has_class("entry-stop") and "STOP OVERRIDE RECORDED" in texts[3]
        assert entries[4].has_class("entry-escalation") and "ESCALATION" in texts[4]
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, ReviewScreen)


async def test_a_hand_edited_record_with_escapes_is_shown_as_text(record: Record) -> None:
    import json

    from incident_tui.record.store import incident_path

    path = incident_path(record.root, record.plain.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["events"]["2"]["rationale"] = "\x1b]0;TITLE\x07\x1b[31mred [bold]x[/] \x9b2J \u202eabc"
    path.write_text(json.dumps(data), encoding="utf-8")
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.plain.reference)
        texts = [str(w.render()) for w in detail.query(Static)]
        shown = "\n".join(texts)
        assert "\\x1b]0;TITLE\\x07\\x1b[31mred [bold]x[/]" in shown  # as typed, not markup
        for char in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert char not in shown, repr(char)


async def fill_and_save(pilot, decision_id: str, values: dict, reason: str | None) -> None:
    keys = "1234567890abcdefghijklmnopqrstuvwxyz"
    number = keys[[d.id for d in review_decisions().decisions].index(decision_id)]
    await pilot.press("d")
    await pilot.pause()
    assert isinstance(pilot.app.screen, DecisionPicker)
    await pilot.press(str(number))
    await pilot.pause()
    form = pilot.app.screen
    assert isinstance(form, DecisionForm) and form.decision.id == decision_id
    for key, value in values.items():
        widget = form.query_one(f"#field-{key}")
        widget.value = value
    if reason is not None:
        form.query_one("#field-reason", Input).value = reason
    if not form.query_one("#actor-name", Input).value:
        form.query_one("#actor-name", Input).value = "Sam Patel"
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_each_kind_of_review_event_then_sign_off(record: Record) -> None:
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.flagged.reference)
        before = len(detail.events)

        # a required field left empty: the form stays open and says why
        await pilot.press("d", "2")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, DecisionForm)
        form.query_one("#actor-name", Input).value = "Sam Patel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is form
        error = str(form.query_one("#form-error", Static).content)
        assert error.startswith("Not recorded:") and "Agency: required" in error
        await pilot.press("escape")
        await pilot.pause()

        for decision_id, (values, reason) in FORM_VALUES.items():
            await fill_and_save(pilot, decision_id, values, reason)
            assert pilot.app.screen is detail, decision_id
        assert len(detail.events) == before + len(FORM_VALUES)
        assert [e.data["review"] for e in detail.events[before:]] == list(FORM_VALUES)
        assert all(e.actor.name == "Sam Patel" for e in detail.events[before:])
        summary = str(detail.query_one("#incident-summary", Static).content)
        assert "REVIEWED" in summary and "review date 2026-12-15" in summary
        assert str(detail.query_one("#incident-badge", Static).content).startswith(
            "INTEGRITY: INTACT"
        )

        await pilot.press("escape")
        await settle(pilot)
        listing = pilot.app.screen
        row = next(r for r in listing.shown if r.id == record.flagged.id)
        assert row.status == "reviewed" and row.review_date == "2026-12-15"
    store = Store.open(record.root, key=KEY, mode="live", readonly=True)
    assert store.row(record.flagged.id).status == "reviewed"


async def test_a_review_date_already_past_is_refused_and_one_typed_the_uk_way_is_saved(
    record: Record,
) -> None:
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.plain.reference)
        before = len(detail.events)
        await fill_and_save(pilot, "review-date", {"date": "30/11/2026"}, None)
        form = pilot.app.screen
        assert isinstance(form, DecisionForm)
        error = str(form.query_one("#form-error", Static).content)
        assert "Review on: 2026-11-30 has already passed" in error
        form.query_one("#field-date", Input).value = "15/12/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is detail and len(detail.events) == before + 1
    store = Store.open(record.root, key=KEY, mode="live", readonly=True)
    assert store.row(record.plain.id).review_date == "2026-12-15"


async def test_a_damaged_incident_opens_read_only_and_exports_with_its_damage(
    record: Record, tmp_path: Path
) -> None:
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.damaged.reference)
        badge = str(detail.query_one("#incident-badge", Static).content)
        assert badge.startswith("INTEGRITY: DAMAGED") and "READ-ONLY" in badge
        assert "changed" in badge
        await pilot.press("d")
        await pilot.pause()
        assert pilot.app.screen is detail  # no form for a damaged record

        out = tmp_path / "damaged.pdf"
        await pilot.press("x")
        await pilot.pause()
        pilot.app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is detail
    first = pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert "DAMAGED RECORD" in first
    assert out.stat().st_mode & 0o077 == 0


async def test_the_exported_pdf_says_who_printed_it_and_the_school_s_marking(
    record: Record, tmp_path: Path
) -> None:
    from incident_tui.record.events import Actor
    from incident_tui.settings import School

    settings = Settings(school=School(name="Example Academy", marking="OFFICIAL"))
    out = tmp_path / "printed.pdf"
    async with ReviewApp(record.readonly(), settings).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        list_screen = pilot.app.screen
        assert isinstance(list_screen, ReviewScreen)
        list_screen.ctx.actor = Actor(name="Sam Patel", role="DSL")  # who last decided here
        await open_incident(pilot, list_screen, record.plain.reference)
        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        assert dialog.query_one("#export-by", Input).value == "Sam Patel (DSL)"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages]
    for page in pages:
        assert "Printed by Sam Patel (DSL) on" in page
        assert "OFFICIAL" in page and "OFFICIAL-SENSITIVE" not in page


async def test_the_export_dialog_records_the_export_and_lists_viewed_by(
    record: Record, tmp_path: Path
) -> None:
    """The review app's export goes the one way every export goes: the export is a
    viewing in the access log, and the file lists "Viewed by", this export included."""
    from incident_tui.record.events import Actor
    from incident_tui.record.viewings import viewings

    out = tmp_path / "incident.md"
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        list_screen = pilot.app.screen
        assert isinstance(list_screen, ReviewScreen)
        list_screen.ctx.actor = Actor(name="Sam Patel", role="DSL")
        await open_incident(pilot, list_screen, record.plain.reference)
        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        dialog.query_one("#export-format", Select).value = "md"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
    seen, problem = viewings(record.root, record.plain.id)
    assert problem is None
    assert [v.via for v in seen] == ["the review screen", "an export"]
    assert seen[1].viewer is not None and seen[1].viewer.name == "Sam Patel"
    text = out.read_text(encoding="utf-8")
    viewed = text[text.index("## Viewed by") :]
    assert "via the review screen" in viewed and "Sam Patel (DSL) · via an export" in viewed


async def test_the_export_screen_never_writes_over_an_existing_file(
    record: Record, tmp_path: Path
) -> None:
    out = tmp_path / "existing.md"
    out.write_text("someone else's notes")
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await open_incident(pilot, pilot.app.screen, record.plain.reference)
        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        dialog.query_one("#export-format", Select).value = "md"
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is dialog  # still open, to choose another name
        error = str(dialog.query_one("#form-error", Static).content)
        assert "Not written" in error and "already exists" in error
    assert out.read_text() == "someone else's notes"


async def test_an_incident_open_in_another_session_is_reported_and_nothing_is_written(
    record: Record,
) -> None:
    from incident_tui.record import Actor

    alice = Actor(name="Alice Khan", role="DSL", login="alice")
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.plain.reference)
        with Store.open(record.root, key=KEY, mode="live") as other:
            other.hold(record.plain.reference, alice)
            await pilot.press("d", "1")
            await pilot.pause()
            form = pilot.app.screen
            form.query_one("#field-text", Input).value = "hello"
            form.query_one("#actor-name", Input).value = "Sam Patel"
            await pilot.press("ctrl+s")
            await pilot.pause()
            error = str(form.query_one("#form-error", Static).content)
            assert f"incident {record.plain.reference} is open by Alice Khan (alice)" in error
            assert "not recorded" in error.lower()
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is detail


async def test_at_80x24_every_key_of_the_review_list_is_in_its_footer(record: Record) -> None:
    async with app_for(record).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = pilot.app.screen._compositor.render_strips()[-1].text
        for key in ("Open", "Back", "Find", "Flags", "Attention", "Sort", "Reverse", "^q Quit"):
            assert key in footer, footer


async def test_the_integrity_check_runs_off_the_ui_thread(record: Record, monkeypatch) -> None:
    import threading

    from incident_tui.tui.review.context import ReviewContext

    threads: list[str] = []
    real = ReviewContext.damage

    def watched(self, incident_id):
        threads.append(threading.current_thread().name)
        return real(self, incident_id)

    monkeypatch.setattr(ReviewContext, "damage", watched)
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.plain.reference)
        assert threads and threading.main_thread().name not in threads
        assert str(detail.query_one("#incident-badge", Static).content).startswith(
            "INTEGRITY: INTACT"
        )


async def test_a_failed_integrity_check_is_a_dialog_and_leaves_the_incident_read_only(
    record: Record, monkeypatch
) -> None:
    from incident_tui.tui.review.context import ReviewContext
    from incident_tui.tui.screens.dialogs import ErrorDialog

    def broken(self, incident_id):
        raise OSError("disk went away")

    monkeypatch.setattr(ReviewContext, "damage", broken)
    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *record.plain.reference)
        await pilot.press("enter", "enter")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ErrorDialog)
        assert "OSError: disk went away" in str(dialog.query_one("#error-text", Static).content)
        await pilot.press("escape")
        await pilot.pause()
        detail = pilot.app.screen
        assert isinstance(detail, IncidentReviewScreen)
        badge = str(detail.query_one("#incident-badge", Static).content)
        assert badge.startswith("INTEGRITY: DAMAGED") and "could not be completed" in badge
        await pilot.press("d")
        await pilot.pause()
        assert pilot.app.screen is detail  # read-only: no decision form


async def test_opening_an_incident_records_the_viewing_and_shows_viewed_by(
    record: Record,
) -> None:
    from incident_tui.record.viewings import viewings

    async with app_for(record).run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, pilot.app.screen, record.plain.reference)
        [seen], problem = viewings(record.root, record.plain.id)
        assert problem is None and seen.via == "the review screen" and seen.viewer is None
        assert detail.viewed_by and "via the review screen" in detail.viewed_by[0]
        assert str(detail.query(".viewed-by").first(Static).content).startswith("Viewed by")

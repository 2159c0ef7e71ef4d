"""The hand-over on screen (issue 13): a member of staff's part ends at the DSL's first
step on a screen in the flow's words, recorded before it shows; the DSL sees it at
the top of her home screen, awaiting her, and takes it over; on one computer the
keyboard is passed and the DSL confirms her name."""

from __future__ import annotations

from textual.widgets import OptionList

from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import AnswerInput
from incident_tui.incident import Incident, Opening
from incident_tui.people import Person, Role
from incident_tui.permissions import may_add_note
from incident_tui.record.access import open_record
from incident_tui.record.events import EventKind
from incident_tui.tui.app import IncidentApp
from incident_tui.tui.screens.dialogs import Confirm, NoteDialog
from incident_tui.tui.screens.handover import HandoverScreen, TakeOverScreen
from incident_tui.tui.screens.home import HomeScreen
from incident_tui.tui.screens.identity import IdentityScreen
from incident_tui.tui.screens.step import StepScreen
from tests.flow_driver import REASON, default_answer
from tests.tui_helpers import SET_UP, Dirs, answer, read_events, type_text, visible_text

SIZE = (100, 32)
STAFF = Person("bsmith", "Bob Smith", Role.staff)
DSL = Person("akhan", "Alice Khan", Role.dsl)
HEAD = Person("dpatel", "D. Patel", Role.head)


def flows() -> dict:
    return {"nudes-sharing": get_flow("nudes-sharing")}


def seeded(dirs: Dirs, *, until: str = "device-held", person: Person | None = STAFF) -> str:
    """A nudes incident started by the member of staff, answered up to `until`."""
    with open_record(dirs.paths, "live", write=True) as store:
        actor = person.actor() if person else STAFF.actor().model_copy(update={"login": None})
        opening = Opening(actor=actor, pupil="AB", location="Room 4")
        incident = Incident.open(store, flows()["nudes-sharing"], opening, SET_UP)
        incident.keep_parts(person)
        session = incident.session
        while session.current.id != until:
            value = "no" if session.current.id == "device-held" else default_answer(session)
            incident.submit(AnswerInput(session.current.id, value, REASON))
        store.let_go_all()
        return incident.reference


def app_for(dirs: Dirs, person: Person | None) -> IncidentApp:
    return IncidentApp(paths=dirs.paths, flows=flows(), settings=SET_UP, person=person)


async def settle(pilot) -> None:
    for _ in range(4):
        await pilot.pause()


async def resume(pilot, reference: str) -> None:
    listed = pilot.app.screen.query_one("#open-incidents", OptionList)
    listed.highlighted = [o.id for o in listed._options].index(reference)
    listed.focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_the_staff_part_ends_on_the_hand_over_screen_and_cannot_be_continued(
    dirs: Dirs,
) -> None:
    reference = seeded(dirs)
    app = app_for(dirs, STAFF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await resume(pilot, reference)
        assert isinstance(app.screen, IdentityScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        await settle(pilot)
        assert "Your part, as the member" in visible_text(app)
        await answer(pilot, "no")  # device-held: the last staff step
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        shown = visible_text(app)
        assert "Your part is done. The DSL has been told; stay with the pupil" in shown
        assert "Handed over to: The DSL's part. It is now AWAITING THE DSL." in shown
        assert "DSL: what has been reported?" not in shown
        # recorded before the screen moved on, as the member of staff
        handed = read_events(dirs, reference)[-1]
        assert handed.kind is EventKind.handover and handed.actor.login == "bsmith"
        assert handed.step == "scope"
        assert not app.screen.query("#take")  # on a server the DSL takes it in her session
        await pilot.press("t")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "handed over, awaiting the DSL" in visible_text(app)
        await resume(pilot, reference)
        await settle(pilot)
        # not continued: the DSL has it now; a note is all that is offered
        assert isinstance(app.screen, Confirm)
        assert f"Your part of incident {reference} is done" in visible_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    assert read_events(dirs, reference)[-1].kind is EventKind.handover


async def test_after_the_hand_over_the_member_of_staff_adds_a_note_recorded_as_them(
    dirs: Dirs,
) -> None:
    reference = handed_over(dirs)
    app = app_for(dirs, STAFF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await resume(pilot, reference)
        await settle(pilot)
        assert isinstance(app.screen, Confirm)
        said = app.screen.message
        assert f"You handed incident {reference} over at " in said
        assert "the DSL continues it from there" in said
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        await type_text(pilot, "At lunch the pupil said a second phone was involved")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "Note recorded." in str([n.message for n in app._notifications])
        # still not to be continued by them: the DSL's part is awaited
        assert not isinstance(app.screen, StepScreen)
    note = read_events(dirs, reference)[-1]
    assert note.kind is EventKind.note and note.actor.login == "bsmith"
    assert note.answer == "At lunch the pupil said a second phone was involved"
    with open_record(dirs.paths, "live") as store:
        row = store.row(reference)
        assert row.awaiting == "dsl"  # the note does not take the incident over


async def test_the_head_sees_it_awaiting_the_head_takes_it_over_and_answers_as_the_head(
    dirs: Dirs,
) -> None:
    reference = handed_over(dirs)
    with open_record(dirs.paths, "live", write=True) as store:
        incident = Incident.resume(store, flows()["nudes-sharing"], reference, SET_UP, DSL.actor())
        incident.keep_parts(DSL)
        incident.take_over(DSL.actor())
        session = incident.session
        while not incident.handover_due():
            step = session.current.id
            value = "no" if step.startswith("trigger-") and step != "trigger-judgement" else None
            incident.submit(AnswerInput(step, value or default_answer(session), REASON))
        incident.hand_over()
        store.let_go_all()
    app = app_for(dirs, HEAD)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = visible_text(app)
        assert "AWAITING THE HEAD  (a: take it over)" in shown
        assert "handed over by Alice Khan (DSL)" in shown
        await pilot.press("a", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TakeOverScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StepScreen)
        assert app.incident is not None and app.incident.session.current.id == "head-input"
        assert "Headteacher's view on handling this in school" in visible_text(app)
        await type_text(pilot, "Agree it can be managed in school")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)  # back to the DSL to decide
    events = read_events(dirs, reference)
    takeover = next(e for e in reversed(events) if e.kind is EventKind.takeover)
    assert takeover.actor.login == "dpatel" and takeover.actor.role == "headteacher"
    head_answer = next(e for e in events if e.kind is EventKind.answer and e.step == "head-input")
    assert head_answer.actor.login == "dpatel"
    assert head_answer.answer == "Agree it can be managed in school"
    assert events[-1].kind is EventKind.handover and events[-1].actor.login == "dpatel"


def test_only_whoever_started_it_and_the_dsl_add_notes_outside_their_part() -> None:
    assert may_add_note(STAFF, "bsmith") and not may_add_note(STAFF, "akhan")
    assert may_add_note(DSL, "bsmith") and may_add_note(None, None)
    assert not may_add_note(HEAD, "bsmith")
    assert not may_add_note(Person("tt", "T. Trainer", Role.trainer), "tt")


def handed_over(dirs: Dirs) -> str:
    """A nudes incident whose staff part Bob Smith answered and handed over."""
    reference = seeded(dirs)
    with open_record(dirs.paths, "live", write=True) as store:
        incident = Incident.resume(
            store, flows()["nudes-sharing"], reference, SET_UP, STAFF.actor()
        )
        incident.keep_parts(STAFF)
        incident.submit(AnswerInput("device-held", "no"))
        incident.hand_over()
        store.let_go_all()
    return reference


async def test_the_dsl_sees_it_awaiting_at_the_top_of_her_home_and_takes_it_over(
    dirs: Dirs,
) -> None:
    reference = handed_over(dirs)
    app = app_for(dirs, DSL)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = visible_text(app)
        assert "AWAITING THE DSL  (a: take it over)" in shown
        assert shown.index("AWAITING THE DSL") < shown.index("Start a new incident")
        assert f"{reference} · Sharing nudes and semi-nudes · pupil AB" in shown
        assert "handed over by Bob Smith (member of staff)" in shown
        listed = app.screen.query_one("#open-incidents", OptionList)._options
        assert reference not in [o.id for o in listed]  # listed above, not to resume
        await pilot.press("a", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TakeOverScreen)
        shown = visible_text(app)
        assert "Take this incident over as the DSL: you continue it from the hand-over." in shown
        assert "Taken over as Alice Khan (DSL, akhan)" in shown
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StepScreen)
        assert app.incident is not None and app.incident.session.current.id == "scope"
        assert "DSL: what has been reported?" in visible_text(app)
        assert "The DSL's part" in visible_text(app)
        await answer(pilot, "imagery")
    events = read_events(dirs, reference)
    assert [(e.kind, e.actor.login) for e in events[-2:]] == [
        (EventKind.takeover, "akhan"),
        (EventKind.answer, "akhan"),
    ]


async def test_on_one_computer_the_keyboard_is_passed_and_the_dsl_confirms_her_name(
    dirs: Dirs,
) -> None:
    reference = seeded(dirs, person=None)
    app = app_for(dirs, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await resume(pilot, reference)
        await type_text(pilot, "Sam Jones")
        await pilot.press("enter")
        await type_text(pilot, "Teacher")
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "no")
        await settle(pilot)
        assert isinstance(app.screen, HandoverScreen)
        assert "pass the keyboard to whoever takes it over" in visible_text(app)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TakeOverScreen)
        await type_text(pilot, "Alice Khan")
        await pilot.press("enter", "enter")  # the role offered: DSL
        await settle(pilot)
        assert isinstance(app.screen, StepScreen)
        await answer(pilot, "imagery")
    events = read_events(dirs, reference)
    taken, answered = events[-2:]
    assert taken.kind is EventKind.takeover
    assert (taken.actor.name, taken.actor.role) == ("Alice Khan", "DSL")
    assert answered.actor.name == "Alice Khan" and answered.step == "scope"

"""The screens for a signed-in person on a school server: what each role can and
cannot open, and that every event is recorded as them (never a typed name)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList

from incident_tui.errors import UserError
from incident_tui.flow.loader import LoadedFlow
from incident_tui.people import Person, Role
from incident_tui.record.access import open_record
from incident_tui.record.events import FlowRef
from incident_tui.tui.app import IncidentApp
from incident_tui.tui.review.incident_screen import IncidentReviewScreen
from incident_tui.tui.review.list_screen import ReviewScreen
from incident_tui.tui.screens.home import HomeScreen
from incident_tui.tui.screens.identity import IdentityScreen
from incident_tui.tui.screens.step import StepScreen
from tests.review_fixtures import Record
from tests.tui_helpers import SET_UP, Dirs, read_events, type_text, visible_text

SIZE = (100, 30)
STAFF = Person("bsmith", "Bob Smith", Role.staff)
OTHER_STAFF = Person("cjones", "Cara Jones", Role.staff)
DSL = Person("akhan", "Alice Khan", Role.dsl)
HEAD = Person("dhead", "Dev Head", Role.head)


def record_two(dirs: Dirs, flows: dict[str, LoadedFlow]) -> dict[str, str]:
    """One open incident started by each member of staff; their references by login."""
    flow = flows["toy-search"].flow
    ref = FlowRef(id=flow.id, version=flow.version, hash="ab" * 32)
    refs = {}
    with open_record(dirs.paths, "live", write=True) as store:
        for person in (STAFF, OTHER_STAFF):
            row = store.new_incident(flow=ref, actor=person.actor(), details={"pupil": "AB"})
            refs[person.login] = row.reference
    return refs


def app_for(dirs: Dirs, flows: dict[str, LoadedFlow], person: Person) -> IncidentApp:
    return IncidentApp(paths=dirs.paths, flows=flows, settings=SET_UP, person=person)


def open_refs(app: IncidentApp) -> list[str]:
    listed = app.screen.query_one("#open-incidents", OptionList)
    return [o.id for o in listed._options if o.id is not None]


async def test_staff_start_an_incident_recorded_as_themselves_and_see_only_their_own(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, STAFF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "Signed in: Bob Smith (member of staff, bsmith)" in visible_text(app)
        assert open_refs(app) == [refs["bsmith"]]
        assert refs["cjones"] not in visible_text(app)
        assert not app.screen.query("#review")  # no review button, and v does nothing
        await pilot.press("v", "s")  # nor the school's settings
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        app.screen.query_one("#flows", OptionList).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IdentityScreen)
        assert not app.screen.query("#name") and not app.screen.query("#role")
        assert "Signed in as Bob Smith (member of staff, bsmith)" in visible_text(app)
        app.screen.query_one("#pupil", Input).focus()
        await type_text(pilot, "AB")
        await pilot.press("enter")
        await type_text(pilot, "Room 4")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        reference = app.incident.reference  # type: ignore[union-attr]
    opened = read_events(dirs, reference)[0]
    assert (opened.actor.name, opened.actor.login) == ("Bob Smith", "bsmith")
    assert not (dirs.config / "last_actor.json").exists()


async def test_staff_cannot_continue_someone_elses_incident(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, STAFF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with pytest.raises(UserError, match="cannot continue incident"):
            app.resume_incident(refs["cjones"], STAFF.actor())
        incident = app.resume_incident(refs["bsmith"], STAFF.actor())
        assert incident.reference == refs["bsmith"]


async def test_the_dsl_sees_every_incident_and_reviews_as_herself(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, DSL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert sorted(open_refs(app)) == sorted(refs.values())
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        # the DSL may take over (continue) any incident
        assert app.resume_incident(refs["cjones"], DSL.actor()).reference == refs["cjones"]


async def test_the_head_reads_every_incident_but_starts_none_and_cannot_decide_or_export(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, HEAD)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not app.screen.query("#flows")
        assert "Start a new incident" not in visible_text(app)
        assert sorted(open_refs(app)) == sorted(refs.values())
        assert not app.screen.query("#training")
        app.screen.query_one("#review", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        app.push_screen(IncidentReviewScreen(app.screen.ctx, refs["bsmith"]))
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        for key in ("d", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen  # no decision form, no export dialog
        assert any("cannot record review decisions" in str(n.message) for n in app._notifications)


async def test_staff_practise_as_themselves_and_the_attempt_carries_their_login(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    from incident_tui.training.scenario import load_scenario
    from incident_tui.tui.training.app import TrainingApp
    from incident_tui.tui.training.screens import NarrativeScreen, TraineeScreen
    from tests.test_tui_home import SCENARIO

    loaded = load_scenario(SCENARIO)
    app = TrainingApp(
        paths=dirs.paths,
        flows=toy_flows,
        settings=SET_UP,
        scenarios={loaded.scenario.id: loaded},
        person=STAFF,
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(TraineeScreen(loaded, "end"))
        await pilot.pause()
        name = app.screen.query_one("#trainee-name", Input)
        assert name.value == "Bob Smith" and name.disabled
        await pilot.press("enter")  # the Start button has the focus
        await pilot.pause()
        assert isinstance(app.screen, NarrativeScreen)
        reference = app.incident.reference  # type: ignore[union-attr]
    opened = read_events(dirs, reference, "training")[0]
    assert (opened.actor.name, opened.actor.login) == ("Bob Smith", "bsmith")


async def test_a_dsls_review_decision_is_recorded_as_her_without_a_name_to_type(
    record: Record,
) -> None:
    from incident_tui.record.store import Store
    from incident_tui.review import review_decisions
    from incident_tui.settings import Settings
    from incident_tui.tui.review.app import ReviewApp
    from incident_tui.tui.review.decision import DecisionForm
    from tests.review_fixtures import KEY
    from tests.test_review_tui import open_incident, settle

    app = ReviewApp(record.readonly(), Settings(), person=DSL)
    number = [d.id for d in review_decisions().decisions].index("review-date") + 1
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        detail = await open_incident(pilot, app.screen, record.plain.reference)
        before = len(detail.events)
        await pilot.press("d", str(number % 10))
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DecisionForm)
        assert not form.query("#actor-name") and not form.query("#actor-role")
        assert "Recorded as Alice Khan (DSL, akhan)" in visible_text(app)
        form.query_one("#field-date", Input).value = "15/12/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is detail and len(detail.events) == before + 1
    with Store.open(record.root, key=KEY, mode="live", readonly=True) as store:
        decided = store.events(record.plain.id)[-1]
    assert (decided.actor.name, decided.actor.login) == ("Alice Khan", "akhan")


def test_a_session_opens_training_for_a_trainer_and_the_live_app_for_the_rest(
    dirs: Dirs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from incident_tui.commands import app_cmd
    from incident_tui.tui.training.app import TrainingApp

    ran: list[IncidentApp] = []
    monkeypatch.setattr(IncidentApp, "run", lambda self, **kwargs: ran.append(self))
    trainer = Person("etrain", "Eve Trainer", Role.trainer)
    for person in (trainer, STAFF):
        args = argparse.Namespace(locations=dirs.paths, training=False, person=person)
        assert app_cmd.open_app(args) == 0
    assert [(type(app), app.mode, app.person) for app in ran] == [
        (TrainingApp, "training", trainer),
        (IncidentApp, "live", STAFF),
    ]


async def _start_signed_in(pilot: Pilot[Any]) -> None:
    app = pilot.app
    app.screen.query_one("#flows", OptionList).focus()
    await pilot.press("enter")
    await pilot.pause()
    app.screen.query_one("#pupil", Input).focus()
    await type_text(pilot, "AB")
    await pilot.press("enter")
    await type_text(pilot, "Room 4")
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize(("person", "exports"), [(STAFF, False), (DSL, True)])
async def test_once_sealed_only_the_dsl_is_offered_the_export(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow], person: Person, exports: bool
) -> None:
    from incident_tui.tui.screens.summary import SummaryScreen
    from tests.tui_helpers import drive

    app = app_for(dirs, toy_flows, person)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await _start_signed_in(pilot)
        await drive(pilot, {})
        assert isinstance(app.screen, SummaryScreen)
        app.screen.query_one("#seal", Button).press()
        await pilot.pause()
        assert "Seal code:" in visible_text(app)
        assert app.screen.query_one("#export", Button).display is exports
        assert app.screen.query_one("#export-path", Input).display is exports
        assert app.screen.query_one("#home", Button).display


# --- each role's screens: what they offer and what they refuse ---------------------------

TRAINER = Person("etrain", "Eve Trainer", Role.trainer)
ADMIN = Person("fadmin", "Fay Admin", Role.admin)


@pytest.mark.parametrize("person", [TRAINER, ADMIN])
async def test_trainers_and_administrators_see_no_live_incident_and_start_none(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow], person: Person
) -> None:
    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, person)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert open_refs(app) == []
        shown = visible_text(app)
        assert all(ref not in shown for ref in refs.values())
        assert not app.screen.query("#flows") and not app.screen.query("#review")
        assert bool(app.screen.query("#training")) is (person is TRAINER)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        for ref in refs.values():
            with pytest.raises(UserError, match="cannot continue incident"):
                app.resume_incident(ref, person.actor())


async def test_the_administrator_opens_the_settings_and_staff_do_not(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    from incident_tui.tui.screens.setup import SetupScreen

    for person, opens in ((ADMIN, True), (DSL, True), (STAFF, False), (HEAD, False)):
        app = app_for(dirs, toy_flows, person)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, SetupScreen) is opens, person.role


async def test_staff_never_get_the_review_list_or_another_s_incident_however_opened(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    """The review screens ask the rules themselves, not only the home screen's button:
    pushed for a member of staff, the list is refused and another's incident is not
    read (nor recorded as viewed)."""
    from textual.widgets import Static

    from incident_tui.record.viewings import viewings
    from incident_tui.tui.review import ReviewContext

    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, STAFF)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        store = app.store
        assert store is not None
        app.push_screen(ReviewScreen(store, SET_UP, person=STAFF))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.shown == []  # type: ignore[attr-defined]
        problems = str(app.screen.query_one("#review-problems", Static).content)
        assert "cannot open the review list" in problems
        other = store.row(refs["cjones"])
        app.push_screen(IncidentReviewScreen(ReviewContext(store, SET_UP, person=STAFF), other.id))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cannot read incident" in visible_text(app)
        assert "AB" not in str(app.screen.query_one("#incident-chronology").children)
        for key in ("d", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, IncidentReviewScreen)
        assert viewings(store.root, other.id) == ([], None)


async def test_the_dsl_opens_every_review_action_on_an_incident(
    dirs: Dirs, toy_flows: dict[str, LoadedFlow]
) -> None:
    from incident_tui.tui.review.decision import DecisionPicker
    from incident_tui.tui.review.export_dialog import ExportDialog

    refs = record_two(dirs, toy_flows)
    app = app_for(dirs, toy_flows, DSL)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sorted(r.reference for r in app.screen.shown) == sorted(refs.values())
        row = app.screen.ctx.store.row(refs["cjones"])
        app.push_screen(IncidentReviewScreen(app.screen.ctx, row.id))
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = app.screen
        for key, dialog in (("d", DecisionPicker), ("x", ExportDialog)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, dialog), key
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is detail

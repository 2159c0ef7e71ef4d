"""SVG snapshots of every screen at 80x24 and at 120x40 (pytest-textual-snapshot's SVGs).

Each test is one screen as a user reaches it with keys, at both sizes: test_NAME[80x24],
test_NAME[120x40]. Screens on one path share one run of the app (a journey): the
first test of a journey runs it at its size and keeps every picture taken on the way,
so the file starts each app once per journey and size, not once per screen. The clock,
the new incidents' ids, the time zone and the home folder shown in export paths are
fixed, and no toast is in a picture, so the pictures compare run after run.

Update after an intended change with
`pytest tests/test_tui_snapshots.py -k NAME --snapshot-update`, then read the changed SVG's
text before committing it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from textual.app import App
from textual.pilot import Pilot

from incident_tui import dates
from incident_tui.record import events as record_events
from incident_tui.record import store as record_store
from incident_tui.settings import School, Settings
from incident_tui.tui.app import IncidentApp
from tests.tui_helpers import (
    SET_UP,
    TODAY,
    Dirs,
    answer,
    drive,
    make_app,
    start_incident,
    type_text,
)

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
sizes = pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))

NOW = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
"""Every recorded time in these pictures (the morning of `TODAY`)."""

HOME = "/home/staff"
"""The home folder export paths are shown under (never the test's temporary one)."""

SCHOOL = Settings(school=School(name="Example Academy"), contacts=SET_UP.contacts)
"""A school whose name and own numbers are set."""

SEARCH = "search-confiscation"
NUDES = "nudes-sharing"

FLAGGED = "2026-12-01-002"
"""The review record's incident with a stop override, an escalation and an amendment."""


class _FixedClock(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]  # noqa: ANN001, ANN206
        return NOW if tz is not None else NOW.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def still(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """One clock, one time zone, one home folder, ids in order: the same picture each run."""
    import incident_tui.review.attention as attention

    monkeypatch.setattr(record_events, "datetime", _FixedClock)
    monkeypatch.setattr(attention, "datetime", _FixedClock)
    monkeypatch.setattr(dates, "now", lambda: TODAY)
    counter = itertools.count(1)

    class _Ids:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(int=next(counter))

    monkeypatch.setattr(record_store, "uuid", _Ids)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("HOME", HOME)
    monkeypatch.chdir("/tmp")  # the review app offers to export beside where it started
    return dirs


@pytest.fixture(autouse=True, scope="module")
def _restore_tz() -> Any:
    yield
    time.tzset()


# --- journeys: one run of an app, a picture at each screen on the way ------------------------

Shoot = Callable[[str], Awaitable[None]]
Journey = Callable[[Pilot[Any], Shoot], Awaitable[None]]
_taken: dict[tuple[str, tuple[int, int]], dict[str, str]] = {}


async def settle(pilot: Pilot[Any]) -> None:
    """Until the screen has drawn what its workers found."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def pictures(name: str, size: tuple[int, int], app: Callable[[], App[Any]], steps: Journey):
    """Every picture the journey `name` takes at `size` (run once per test session)."""
    if (name, size) not in _taken:
        shots: dict[str, str] = {}

        async def run() -> None:
            started = app()
            async with started.run_test(size=size) as pilot:

                async def shoot(screen: str) -> None:
                    await settle(pilot)
                    # a toast goes after a few seconds of real time: never in the picture
                    started.clear_notifications()
                    await settle(pilot)
                    shots[screen] = started.export_screenshot(title=started.title)

                await settle(pilot)
                await steps(pilot, shoot)

        asyncio.run(run())
        _taken[(name, size)] = shots
    return _taken[(name, size)]


def matches(snapshot: Any, shots: dict[str, str], screen: str) -> None:
    assert screen in shots, f"the journey never reached {screen}"
    assert snapshot.use_extension(SVGImageExtension) == shots[screen]


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


# --- the live app ----------------------------------------------------------------------------


def toy_app(still: Dirs) -> Callable[[], IncidentApp]:
    def make() -> IncidentApp:
        from incident_tui.flow.loader import load_flow
        from tests.engine_fixture import TOY_FLOW

        path = still.data.parent / "toy.toml"
        path.write_text(TOY_FLOW, encoding="utf-8")
        loaded = load_flow(path)
        return make_app(still, flows={loaded.flow.id: loaded}, settings=SCHOOL)

    return make


async def first_start(pilot: Pilot[Any], shoot: Shoot) -> None:
    """The shipped procedures, no school settings: what a new user sees first."""
    await shoot("home_no_config")
    await press(pilot, "enter")
    await shoot("start_anyway_no_local_numbers")
    await press(pilot, "escape", "s")
    await shoot("setup_screen")


def first_start_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("first-start", size, lambda: make_app(still, settings=Settings()), first_start)


async def set_up_school(pilot: Pilot[Any], shoot: Shoot) -> None:
    await shoot("home_with_config")
    await press(pilot, "f1")
    await shoot("help")
    await press(pilot, "escape", "enter")
    await shoot("new_incident_form")
    await press(pilot, "escape")
    await start_incident(pilot, SEARCH)
    await drive(pilot, {"search-type": "search", "suspected": "weapon"}, until="found")
    await shoot("checklist_more_than_nine")


def school_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("school", size, lambda: make_app(still, settings=SCHOOL), set_up_school)


async def danger(pilot: Pilot[Any], shoot: Shoot) -> None:
    """Nudes sharing, neither DSL reachable and a child in danger: the school's numbers."""
    await start_incident(pilot, NUDES)
    plan = {"what-now": "tell-dsl", "report-to": "neither-danger"}
    await drive(pilot, plan, until="emergency-call")
    await shoot("escalation_with_school_numbers")


async def hand_over(pilot: Pilot[Any], shoot: Shoot) -> None:
    """On one computer, the member of staff's part of nudes sharing ends: the keyboard
    is passed and the DSL takes it over."""
    await start_incident(pilot, NUDES)
    await drive(pilot, {"what-now": "tell-dsl"}, until="device-held")
    await answer(pilot, "no")
    await shoot("hand_over")
    await press(pilot, "t")
    await shoot("take_over")


async def signed_in(pilot: Pilot[Any], shoot: Shoot) -> None:
    """On a school server: the person OpenSSH signed in, no name typed."""
    await shoot("home_signed_in")
    await press(pilot, "enter")
    await shoot("new_incident_signed_in")


def signed_in_app(still: Dirs) -> IncidentApp:
    from incident_tui.people import Person, Role

    person = Person("akhan", "Ms A. Khan", Role.dsl)
    return IncidentApp(paths=still.paths, settings=SCHOOL, person=person)


async def toy_search(pilot: Pilot[Any], shoot: Shoot) -> None:
    """The toy search for a vape: every kind of step, leaving and resuming, a STOP,
    a correction, the summary and the seal."""
    await start_incident(pilot, "toy-search")
    await shoot("confirm_step")
    await answer(pilot)
    await shoot("choice_step")
    await press(pilot, "escape")
    await shoot("leave_incident")
    await press(pilot, "y", "r", "enter")
    await shoot("resume_form")
    await press(pilot, "enter", "enter")
    for value in ("vape", "Seen vaping"):
        await answer(pilot, value)
    await answer(pilot, "yes", reason="")
    await press(pilot, "2")
    await shoot("stop_screen")
    await press(pilot, "escape", "f2")
    pilot.app.screen.query_one("#decision-list").highlighted = 3  # type: ignore[attr-defined]
    await press(pilot, "enter")
    await shoot("amend")
    await press(pilot, "escape")
    await answer(pilot, "yes")
    await answer(pilot, None)
    await shoot("summary")
    await press(pilot, "tab", "enter")
    await shoot("summary_sealed_export")


def toy_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("toy-search", size, toy_app(still), toy_search)


async def toy_knife(pilot: Pilot[Any], shoot: Shoot) -> None:
    await start_incident(pilot, "toy-search")
    await answer(pilot)
    await answer(pilot, "knife")
    await shoot("escalation_banner")


@sizes
def test_home_no_config(snapshot, still, size):
    """What a new user sees on a first start: the shipped procedures, no school settings."""
    matches(snapshot, first_start_pictures(still, size), "home_no_config")


@sizes
def test_start_anyway_no_local_numbers(snapshot, still, size):
    matches(snapshot, first_start_pictures(still, size), "start_anyway_no_local_numbers")


@sizes
def test_setup_screen(snapshot, still, size):
    matches(snapshot, first_start_pictures(still, size), "setup_screen")


@sizes
def test_home_with_config(snapshot, still, size):
    matches(snapshot, school_pictures(still, size), "home_with_config")


@sizes
def test_help(snapshot, still, size):
    matches(snapshot, school_pictures(still, size), "help")


@sizes
def test_new_incident_form(snapshot, still, size):
    matches(snapshot, school_pictures(still, size), "new_incident_form")


@sizes
def test_checklist_more_than_nine(snapshot, still, size):
    """The search's found-items list: keys 1-9 then a-z."""
    matches(snapshot, school_pictures(still, size), "checklist_more_than_nine")


@sizes
def test_escalation_with_school_numbers(snapshot, still, size):
    """Each number to call whole, once: 999 and the school's own front door with its
    out-of-hours number."""
    shots = pictures("danger", size, lambda: make_app(still, settings=SCHOOL), danger)
    matches(snapshot, shots, "escalation_with_school_numbers")


@sizes
def test_home_awaiting_the_dsl(snapshot, still, size):
    """The DSL signed in on a school server: the incident a member of staff handed over
    waits at the top of her home screen."""
    from incident_tui.flow.engine import AnswerInput
    from incident_tui.incident import Incident
    from incident_tui.record.access import open_record
    from tests.test_tui_handover import DSL, STAFF, flows, seeded

    def make() -> IncidentApp:
        reference = seeded(still)
        with open_record(still.paths, "live", write=True) as store:
            incident = Incident.resume(store, flows()[NUDES], reference, SET_UP, STAFF.actor())
            incident.keep_parts(STAFF)
            incident.submit(AnswerInput("device-held", "no"))
            incident.hand_over()
            store.let_go_all()
        return IncidentApp(paths=still.paths, flows=flows(), settings=SCHOOL, person=DSL)

    async def awaiting(pilot: Pilot[Any], shoot: Shoot) -> None:
        await shoot("home_awaiting_the_dsl")

    shots = pictures("awaiting", size, make, awaiting)
    matches(snapshot, shots, "home_awaiting_the_dsl")


def hand_over_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("hand-over", size, lambda: make_app(still, settings=SCHOOL), hand_over)


@sizes
def test_hand_over(snapshot, still, size):
    matches(snapshot, hand_over_pictures(still, size), "hand_over")


@sizes
def test_take_over(snapshot, still, size):
    matches(snapshot, hand_over_pictures(still, size), "take_over")


@sizes
def test_home_signed_in(snapshot, still, size):
    matches(
        snapshot,
        pictures("signed-in", size, lambda: signed_in_app(still), signed_in),
        "home_signed_in",
    )


@sizes
def test_new_incident_signed_in(snapshot, still, size):
    shots = pictures("signed-in", size, lambda: signed_in_app(still), signed_in)
    matches(snapshot, shots, "new_incident_signed_in")


@sizes
def test_confirm_step(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "confirm_step")


@sizes
def test_choice_step(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "choice_step")


@sizes
def test_leave_incident(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "leave_incident")


@sizes
def test_resume_form(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "resume_form")


@sizes
def test_stop_screen(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "stop_screen")


@sizes
def test_amend(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "amend")


@sizes
def test_summary(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "summary")


@sizes
def test_summary_sealed_export(snapshot, still, size):
    matches(snapshot, toy_pictures(still, size), "summary_sealed_export")


@sizes
def test_escalation_banner(snapshot, still, size):
    matches(snapshot, pictures("toy-knife", size, toy_app(still), toy_knife), "escalation_banner")


# --- the review app ---------------------------------------------------------------------------


def review_app(still: Dirs) -> Callable[[], App[Any]]:
    def make() -> App[Any]:
        from incident_tui.tui.review.app import ReviewApp
        from tests.review_fixtures import build_record

        record = build_record(still.data / "live")
        assert record.flagged.reference == FLAGGED
        return ReviewApp(record.readonly(), Settings(school=School(name="Example Academy")))

    return make


async def reviewing(pilot: Pilot[Any], shoot: Shoot) -> None:
    await shoot("review_list")
    screen = pilot.app.screen
    rows = screen.shown  # type: ignore[attr-defined]
    table = screen.query_one("IncidentTable")
    table.cursor = next(i for i, r in enumerate(rows) if r.reference == FLAGGED)  # type: ignore[attr-defined]
    table.focus()
    await press(pilot, "enter")
    await shoot("review_detail")
    await press(pilot, "d")
    await shoot("review_decision_picker")
    await press(pilot, "2")
    await shoot("review_decision_form")
    await press(pilot, "escape", "x")
    await shoot("review_export")
    await press(pilot, "escape", "D")
    await shoot("review_disposal")


def review_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("review", size, review_app(still), reviewing)


@sizes
def test_review_list(snapshot, still, size):
    matches(snapshot, review_pictures(still, size), "review_list")


@sizes
def test_review_detail(snapshot, still, size):
    matches(snapshot, review_pictures(still, size), "review_detail")


@sizes
def test_review_decision_picker(snapshot, still, size):
    matches(snapshot, review_pictures(still, size), "review_decision_picker")


@sizes
def test_review_decision_form(snapshot, still, size):
    matches(snapshot, review_pictures(still, size), "review_decision_form")


@sizes
def test_review_export(snapshot, still, size):
    matches(snapshot, review_pictures(still, size), "review_export")


def pupil_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    from incident_tui.tui.review.app import ReviewApp
    from tests.pupil_fixtures import PUPIL, build_child_file

    def make() -> App[Any]:
        child = build_child_file(still.data.parent / "child")
        return ReviewApp(child.reader(), Settings())

    async def to_file(pilot: Pilot[Any], shoot: Shoot) -> None:
        screen = pilot.app.screen
        rows = screen.shown  # type: ignore[attr-defined]
        screen.query_one("IncidentTable").cursor = next(  # type: ignore[attr-defined]
            i for i, r in enumerate(rows) if r.pupil == PUPIL
        )
        await press(pilot, "c")
        await shoot("pupil_file")
        await press(pilot, "t")
        await shoot("pupil_transfer")

    return pictures("pupil", size, make, to_file)


@sizes
def test_pupil_file(snapshot, still, size):
    matches(snapshot, pupil_pictures(still, size), "pupil_file")


@sizes
def test_pupil_transfer(snapshot, still, size):
    """Sending the child protection file to the next school."""
    matches(snapshot, pupil_pictures(still, size), "pupil_transfer")


@sizes
def test_review_disposal(snapshot, still, size):
    """Lawful disposal, refused in the command's words (the date of birth is not recorded)."""
    matches(snapshot, review_pictures(still, size), "review_disposal")


# --- training ---------------------------------------------------------------------------------


def training_app(still: Dirs) -> Callable[[], App[Any]]:
    def make() -> App[Any]:
        from incident_tui.flow.loader import load_flow
        from incident_tui.training.scenario import load_scenario
        from incident_tui.tui.training.app import TrainingApp
        from tests.engine_fixture import TOY_FLOW
        from tests.test_training_tui import SCENARIO

        path = still.data.parent / "toy.toml"
        path.write_text(TOY_FLOW, encoding="utf-8")
        loaded = load_flow(path)
        scenario = load_scenario(SCENARIO)
        return TrainingApp(
            paths=still.paths,
            flows={loaded.flow.id: loaded},
            scenarios={scenario.scenario.id: scenario},
        )

    return make


async def training(pilot: Pilot[Any], shoot: Shoot) -> None:
    """The toy knife scenario played wrong after the first decision, feedback each time."""
    from incident_tui.tui.training.screens import FeedbackScreen

    await press(pilot, "enter")
    await type_text(pilot, "Ann Trainee")
    await press(pilot, "enter", "enter")
    await answer(pilot, True)
    await answer(pilot, "knife")
    await shoot("training_feedback")
    for value in (None, "Seen with it at break", "no"):
        while isinstance(pilot.app.screen, FeedbackScreen):
            await press(pilot, "enter")
        if value is not None:
            await answer(pilot, value)
    while isinstance(pilot.app.screen, FeedbackScreen):
        await press(pilot, "enter")
    await shoot("training_debrief")


def training_pictures(still: Dirs, size: tuple[int, int]) -> dict[str, str]:
    return pictures("training", size, training_app(still), training)


@sizes
def test_training_picker(snapshot, still, size):
    from incident_tui.tui.training.app import TrainingApp

    async def picker(pilot: Pilot[Any], shoot: Shoot) -> None:
        await shoot("training_picker")

    shots = pictures("picker", size, lambda: TrainingApp(paths=still.paths), picker)
    matches(snapshot, shots, "training_picker")


@sizes
def test_training_feedback(snapshot, still, size):
    matches(snapshot, training_pictures(still, size), "training_feedback")


@sizes
def test_training_debrief(snapshot, still, size):
    matches(snapshot, training_pictures(still, size), "training_debrief")


def test_no_picture_cuts_its_text_with_an_ellipsis():
    """Textual cuts a line it cannot wrap with '…' (a table cell with '~'): no stored
    picture, at either size, shows one."""
    import html
    import re
    from pathlib import Path

    folder = Path(__file__).parent / "__snapshots__" / Path(__file__).stem
    pictures = sorted(folder.glob("*.svg"))
    assert len(pictures) >= 2 * len(SIZES)
    for picture in pictures:
        texts = re.findall(r"<text [^>]*>(.*?)</text>", picture.read_text(encoding="utf-8"))
        shown = html.unescape("".join(texts))
        assert "…" not in shown and "~" not in shown, picture.name

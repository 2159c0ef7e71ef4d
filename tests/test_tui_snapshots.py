"""SVG snapshots of every screen at 80x24 and at 120x40 (pytest-textual-snapshot).

Each test is one screen as a user reaches it with keys, at both sizes: test_NAME[80x24],
test_NAME[120x40]. The clock, the new incidents' ids, the time zone and the home folder
shown in export paths are fixed, so the pictures compare run after run.

Update after an intended change with
`pytest tests/test_tui_snapshots.py -k NAME --snapshot-update`, then read the changed SVG's
text before committing it.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from incident_tui import dates
from incident_tui.record import events as record_events
from incident_tui.record import store as record_store
from incident_tui.settings import School, Settings
from incident_tui.tui.app import IncidentApp
from tests.tui_helpers import SET_UP, TODAY, Dirs, answer, drive, make_app, start_incident

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
sizes = pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))

NOW = datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
"""Every recorded time in these pictures (the morning of `TODAY`)."""

HOME = "/home/staff"
"""The home folder export paths are shown under (never the test's temporary one)."""

SCHOOL = Settings(
    school=School(name="Example Academy"),
    contacts=SET_UP.contacts,
)
"""A school whose name and own numbers are set."""

Steps = Callable[[Pilot[Any]], Awaitable[None]]


class _FixedClock(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]  # noqa: ANN001, ANN206
        return NOW if tz is not None else NOW.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def still(dirs: Dirs, monkeypatch: pytest.MonkeyPatch) -> Dirs:
    """One clock, one time zone, one home folder, ids in order: the same picture each run."""
    monkeypatch.setattr(record_events, "datetime", _FixedClock)
    monkeypatch.setattr(dates, "now", lambda: TODAY)
    import incident_tui.review.attention as attention

    monkeypatch.setattr(attention, "datetime", _FixedClock)
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


async def settle(pilot: Pilot[Any]) -> None:
    """Until the screen has drawn what its workers found."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


# --- the live app ----------------------------------------------------------------------------

SEARCH = "search-confiscation"


def live(dirs: Dirs, settings: Settings | None = SCHOOL, toy: bool = True) -> IncidentApp:
    from tests.engine_fixture import TOY_FLOW

    flows = None
    if toy:
        from incident_tui.flow.loader import load_flow

        path = dirs.data.parent / "toy.toml"
        path.write_text(TOY_FLOW, encoding="utf-8")
        loaded = load_flow(path)
        flows = {loaded.flow.id: loaded}
    return make_app(dirs, flows=flows, settings=settings or Settings())


async def at_toy_step(pilot: Pilot[Any], *answers: Any) -> None:
    await pilot.pause()
    await start_incident(pilot, "toy-search")
    for value in answers:
        if isinstance(value, tuple):
            await answer(pilot, value[0], reason=value[1])
        else:
            await answer(pilot, value)
    await settle(pilot)


TO_STAFF = (None, "vape", "Seen vaping", ("yes", ""))
"""The toy search up to 'Same-sex searcher and witness available?'."""


async def press(pilot: Pilot[Any], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def check(snap_compare: Any, app: Any, size: tuple[int, int], steps: Steps | None = None) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        if steps is not None:
            await steps(pilot)
        # a toast goes after a few seconds of real time: never in the picture
        pilot.app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@sizes
def test_home_no_config(snap_compare, still, size):
    """What a new user sees on a first start: the shipped procedures, no school settings."""
    check(snap_compare, make_app(still, settings=Settings()), size)


@sizes
def test_home_with_config(snap_compare, still, size):
    check(snap_compare, make_app(still, settings=SCHOOL), size)


@sizes
def test_start_anyway_no_local_numbers(snap_compare, still, size):
    check(snap_compare, make_app(still, settings=Settings()), size, lambda p: press(p, "enter"))


@sizes
def test_new_incident_form(snap_compare, still, size):
    check(snap_compare, make_app(still, settings=SCHOOL), size, lambda p: press(p, "enter"))


@sizes
def test_setup_screen(snap_compare, still, size):
    check(snap_compare, make_app(still, settings=Settings()), size, lambda p: press(p, "s"))


@sizes
def test_help(snap_compare, still, size):
    check(snap_compare, live(still), size, lambda p: press(p, "f1"))


@sizes
def test_confirm_step(snap_compare, still, size):
    check(snap_compare, live(still), size, at_toy_step)


@sizes
def test_choice_step(snap_compare, still, size):
    check(snap_compare, live(still), size, lambda p: at_toy_step(p, None))


@sizes
def test_escalation_banner(snap_compare, still, size):
    check(snap_compare, live(still), size, lambda p: at_toy_step(p, None, "knife"))


@sizes
def test_stop_screen(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, *TO_STAFF)
        await press(pilot, "2")

    check(snap_compare, live(still), size, steps)


@sizes
def test_leave_incident(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, None)
        await press(pilot, "escape")

    check(snap_compare, live(still), size, steps)


@sizes
def test_amend(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, *TO_STAFF)
        await press(pilot, "f2")
        pilot.app.screen.query_one("#decision-list").highlighted = 3  # type: ignore[attr-defined]
        await press(pilot, "enter")

    check(snap_compare, live(still), size, steps)


@sizes
def test_summary(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, *TO_STAFF, "yes", None)

    check(snap_compare, live(still), size, steps)


@sizes
def test_summary_sealed_export(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, *TO_STAFF, "yes", None)
        await press(pilot, "tab", "enter")

    check(snap_compare, live(still), size, steps)


@sizes
def test_checklist_more_than_nine(snap_compare, still, size):
    """The search's found-items list: keys 1-9 then a-z."""

    async def steps(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await start_incident(pilot, SEARCH)
        await drive(pilot, {"search-type": "search", "suspected": "weapon"}, until="found")
        await settle(pilot)

    check(snap_compare, live(still, toy=False), size, steps)


@sizes
def test_resume_form(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await at_toy_step(pilot, None)
        await press(pilot, "escape", "y")
        await press(pilot, "r", "enter")

    check(snap_compare, live(still), size, steps)


# --- the review app ---------------------------------------------------------------------------


FLAGGED = "2026-12-01-002"
"""The review record's incident with a stop override, an escalation and an amendment."""


def review(still: Dirs) -> Any:
    from incident_tui.tui.review.app import ReviewApp
    from tests.review_fixtures import build_record

    record = build_record(still.data / "live")
    assert record.flagged.reference == FLAGGED
    return ReviewApp(record.readonly(), Settings(school=School(name="Example Academy")))


async def open_flagged(pilot: Pilot[Any]) -> None:
    screen = pilot.app.screen
    rows = screen.shown  # type: ignore[attr-defined]
    table = screen.query_one("IncidentTable")
    table.cursor = next(i for i, r in enumerate(rows) if r.reference == FLAGGED)  # type: ignore[attr-defined]
    table.focus()
    await press(pilot, "enter")


@sizes
def test_review_list(snap_compare, still, size):
    check(snap_compare, review(still), size)


@sizes
def test_review_detail(snap_compare, still, size):
    check(snap_compare, review(still), size, open_flagged)


@sizes
def test_review_decision_picker(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await open_flagged(pilot)
        await press(pilot, "d")

    check(snap_compare, review(still), size, steps)


@sizes
def test_review_decision_form(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await open_flagged(pilot)
        await press(pilot, "d", "2")

    check(snap_compare, review(still), size, steps)


@sizes
def test_review_export(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await open_flagged(pilot)
        await press(pilot, "x")

    check(snap_compare, review(still), size, steps)


@sizes
def test_pupil_file(snap_compare, still, size):
    from incident_tui.tui.review.app import ReviewApp
    from tests.pupil_fixtures import PUPIL, build_child_file

    child = build_child_file(still.data.parent / "child")

    async def steps(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        rows = screen.shown  # type: ignore[attr-defined]
        screen.query_one("IncidentTable").cursor = next(  # type: ignore[attr-defined]
            i for i, r in enumerate(rows) if r.pupil == PUPIL
        )
        await press(pilot, "c")

    check(snap_compare, ReviewApp(child.reader(), Settings()), size, steps)


# --- training ---------------------------------------------------------------------------------


def training(still: Dirs) -> Any:
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


async def into_scenario(pilot: Pilot[Any]) -> None:
    from tests.tui_helpers import type_text

    await press(pilot, "enter")
    await type_text(pilot, "Ann Trainee")
    await press(pilot, "enter")
    await press(pilot, "enter")


@sizes
def test_training_picker(snap_compare, still, size):
    from incident_tui.tui.training.app import TrainingApp

    check(snap_compare, TrainingApp(paths=still.paths), size)


@sizes
def test_training_feedback(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await into_scenario(pilot)
        await answer(pilot, True)
        await answer(pilot, "knife")
        await settle(pilot)

    check(snap_compare, training(still), size, steps)


@sizes
def test_training_debrief(snap_compare, still, size):
    async def steps(pilot: Pilot[Any]) -> None:
        await press(pilot, "f")  # feedback only at the end
        await into_scenario(pilot)
        await answer(pilot, True)
        await answer(pilot, "vape")
        await answer(pilot, "Seen with it at break")
        await answer(pilot, "no")
        await settle(pilot)

    check(snap_compare, training(still), size, steps)

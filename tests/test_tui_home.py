"""The home screen's ways out: the DSL review of this record, and training."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from textual.widgets import Button, Input

from incident_tui.commands import app_cmd
from incident_tui.settings import Settings
from incident_tui.training.scenario import load_scenario
from incident_tui.tui.app import IncidentApp
from incident_tui.tui.review.list_screen import ReviewScreen
from incident_tui.tui.review.table import IncidentTable
from incident_tui.tui.screens.dialogs import Confirm
from incident_tui.tui.screens.home import SWITCH_TO_TRAINING, HomeScreen
from incident_tui.tui.screens.identity import IdentityScreen
from incident_tui.tui.screens.step import StepScreen
from incident_tui.tui.training.app import TrainingApp
from incident_tui.tui.training.screens import ScenarioPickerScreen
from tests.tui_helpers import make_app, start_incident, visible_lines, visible_text

SIZE = (80, 24)
SCENARIO = (
    Path(__file__).parent / "fixtures" / "scenarios" / "flows" / "scenarios" / "toy-knife.toml"
)


async def _one_open_incident(pilot, pupil: str = "EF") -> str:
    """Open an incident, then go back home (it stays open)."""
    await pilot.pause()
    reference = await start_incident(pilot, "toy-search", pupil=pupil)
    await pilot.press("escape", "y")  # leave, after saying it stays open
    await pilot.pause()
    assert isinstance(pilot.app.screen, HomeScreen)
    return reference


async def test_v_opens_the_review_list_of_this_record(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        reference = await _one_open_incident(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one(IncidentTable)
        assert [row.reference for row in table.rows] == [reference]
        assert reference in visible_text(app)
        await pilot.press("escape")  # back to home, not out of the app
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert app.return_value is None


async def test_the_review_button_opens_the_same_list(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        reference = await _one_open_incident(pilot)
        await pilot.click("#review")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert reference in visible_text(app)


async def test_review_in_training_mode_lists_only_training_incidents(dirs, toy_flows):
    live = make_app(dirs, flows=toy_flows)
    async with live.run_test(size=SIZE) as pilot:
        await _one_open_incident(pilot, pupil="LV")
    app = make_app(dirs, mode="training", flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await _one_open_incident(pilot, pupil="TR")
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert [row.pupil for row in app.screen.query_one(IncidentTable).rows] == ["TR"]
        assert "TRAINING" in visible_text(app)


async def test_t_in_the_live_app_leaves_it_asking_for_training(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
    assert app.return_value == SWITCH_TO_TRAINING


async def test_the_training_button_in_the_live_app_does_the_same(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#training")
        await pilot.pause()
    assert app.return_value == SWITCH_TO_TRAINING


async def test_t_in_a_training_app_opens_the_scenario_picker(dirs, toy_flows):
    app = make_app(dirs, mode="training", flows=toy_flows)
    loaded = load_scenario(SCENARIO)
    app.scenarios = {loaded.scenario.id: loaded}  # type: ignore[attr-defined]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, ScenarioPickerScreen)
        assert "A knife at the after-school club" in visible_text(app)
        await pilot.press("escape")  # back home: the app stays open
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert app.return_value is None


def _live_app_that_asks_for_training(monkeypatch: pytest.MonkeyPatch) -> list[IncidentApp]:
    """Run the live app headless and press t on its home screen; record every app run."""
    ran: list[IncidentApp] = []
    real_run = IncidentApp.run

    async def press_t(pilot) -> None:
        await pilot.pause()
        await pilot.press("t")

    def live_run(self: IncidentApp, **kwargs) -> object:
        ran.append(self)
        return real_run(self, headless=True, size=SIZE, auto_pilot=press_t)

    def training_run(self: TrainingApp, **kwargs) -> None:
        ran.append(self)

    monkeypatch.setattr(IncidentApp, "run", live_run)
    monkeypatch.setattr(TrainingApp, "run", training_run)
    return ran


def test_open_app_runs_training_over_the_training_record_after_t(dirs, monkeypatch):
    ran = _live_app_that_asks_for_training(monkeypatch)
    code = app_cmd.open_app(
        argparse.Namespace(locations=dirs.paths, training=False, theme="ansi-light")
    )
    assert code == 0
    assert [type(app) for app in ran] == [IncidentApp, TrainingApp]
    live, training = ran
    assert live.mode == "live" and live.return_value == SWITCH_TO_TRAINING
    assert training.mode == "training"
    assert training.store_root == dirs.data / "training"
    assert training.store_root != live.store_root
    assert training._wanted_theme == "ansi-light"  # the theme asked for carries over


def test_open_app_without_t_does_not_start_training(dirs, monkeypatch):
    ran: list[IncidentApp] = []

    def live_run(self: IncidentApp, **kwargs) -> None:
        ran.append(self)

    monkeypatch.setattr(IncidentApp, "run", live_run)
    monkeypatch.setattr(TrainingApp, "run", live_run)
    assert (
        app_cmd.open_app(argparse.Namespace(locations=dirs.paths, training=False, theme=None)) == 0
    )
    assert [type(app) for app in ran] == [IncidentApp]


async def test_a_lost_record_key_is_named_and_never_replaced(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await _one_open_incident(pilot)
    key_file = dirs.config / "record.key"
    key_file.unlink()
    again = make_app(dirs, flows=toy_flows)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(again.screen, HomeScreen)
        assert "record key" in visible_text(again) and "missing" in visible_text(again)
    assert not key_file.exists()


async def test_a_bad_local_flow_is_named_on_the_home_screen_and_the_rest_are_offered(dirs):
    local = dirs.config / "flows"
    local.mkdir(parents=True)
    fixture = Path(__file__).parent / "fixtures" / "flows" / "dangling-next.toml"
    (local / "dangling-next.toml").write_text(fixture.read_text(encoding="utf-8"), "utf-8")
    (local / "broken.toml").write_text('id = "broken"\ntitle = \n', encoding="utf-8")
    app = make_app(dirs)
    async with app.run_test(size=(240, 50)) as pilot:
        await pilot.pause()
        offered = app.screen.query_one("#flows")
        ids = [offered.get_option_at_index(i).id for i in range(offered.option_count)]
        assert ids == ["nudes-sharing", "search-confiscation"]
        text = visible_text(app)
        assert "Not offered" in text
        assert f"{local / 'broken.toml'}:2: not valid TOML" in text
        assert (
            f"{local / 'dangling-next.toml'}:18: step 'ask', choice 'a': "
            "next 'nowhere' is not a step" in text
        )


async def test_without_the_schools_own_numbers_home_says_so_and_live_asks_before_starting(dirs):
    app = make_app(dirs, settings=Settings())  # no config file: nothing set
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = visible_lines(app)
        assert 'incident-tui config school "NAME"' in lines[0]
        text = visible_text(app)
        assert "numbers to call are not set" in text and "incident-tui config contact" in text
        await pilot.press("enter")  # the first procedure
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "Start anyway: no local numbers" in visible_text(app)
        await pilot.press("escape")  # not started
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("enter", "y")
        await pilot.pause()
        assert isinstance(app.screen, IdentityScreen)


async def test_esc_on_a_live_incident_asks_before_leaving_it(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, Confirm)
        assert "stays open and can be resumed from the home screen" in visible_text(app)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert isinstance(app.screen, StepScreen) and app.incident is not None
        await pilot.press("escape", "y")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_set_up_screen_checks_each_number_and_saves_the_schools_own(dirs):
    from incident_tui.settings import load_settings
    from incident_tui.tui.screens.setup import SetupScreen

    app = make_app(dirs, settings=Settings())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SetupScreen)
        values = {"school": "St Example's", "mash-ooh": "0300 123 4568"}
        for n, name in enumerate(screen.names):
            values |= {f"{name}-who": f"Person {n}", f"{name}-phone": f"01632 96000{n}"}
        values["dsl-phone"] = "ext. 201"
        for field, value in values.items():
            screen.query_one(f"#{field}", Input).value = value
        screen.query_one("#save", Button).press()
        await pilot.pause()
        await pilot.pause()
        assert "dsl: 'ext. 201' does not look like a UK phone number" in visible_text(app)
        screen.query_one("#dsl-phone", Input).value = "01632 960009"
        screen.query_one("#save", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "St Example's" in visible_lines(app)[0]
        assert "numbers to call are" not in visible_text(app)
    saved = load_settings(dirs.paths.config_file)
    assert saved.contacts["dsl"].endswith(", 01632 960009")
    assert saved.contacts["mash"].endswith("(out of hours 0300 123 4568)")


async def test_an_incident_open_in_another_session_says_who_and_offers_to_read_it(dirs, toy_flows):
    from incident_tui.record import Actor, IncidentInUse
    from incident_tui.record.access import open_record
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen

    alice = Actor(name="Alice Khan", role="DSL", login="alice")
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        with open_record(dirs.paths, "live", write=True) as other:
            with pytest.raises(IncidentInUse, match="Sam Jones"):
                other.hold(reference, alice)  # continued on this screen
            await pilot.press("escape", "y")  # back home: let go of it
            await pilot.pause()
            other.hold(reference, alice)
            app.screen.refresh_lists()
            await pilot.pause()
            assert "open by Alice Khan (alice)" in visible_text(app)
            await pilot.press("r", "enter")
            await pilot.pause()
            assert isinstance(app.screen, Confirm)
            shown = visible_text(app)
            assert f"Incident {reference} is open in another session" in shown
            assert "Alice Khan (alice) has had incident" in shown and "Read it (y)" in shown
            await pilot.press("y")
            await pilot.pause()
            assert isinstance(app.screen, IncidentReviewScreen)
            assert reference in visible_text(app)

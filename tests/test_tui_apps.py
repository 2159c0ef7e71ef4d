"""The live, training and review apps share one base: F1 help and a Ctrl+Q that asks
first, in all three (the review app used to quit at once and had no help)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from incident_tui.record.access import open_record
from incident_tui.settings import Settings
from incident_tui.training.scenario import load_scenario
from incident_tui.tui.app_base import AppBase
from incident_tui.tui.review.app import ReviewApp
from incident_tui.tui.review.list_screen import ReviewScreen
from incident_tui.tui.screens.dialogs import ConfirmQuit
from incident_tui.tui.screens.help import HelpScreen
from incident_tui.tui.screens.home import HomeScreen
from incident_tui.tui.training.app import TrainingApp
from incident_tui.tui.training.screens import ScenarioPickerScreen
from tests.tui_helpers import Dirs, dirs, make_app, toy_flows  # noqa: F401

SCENARIO = (
    Path(__file__).parent / "fixtures" / "scenarios" / "flows" / "scenarios" / "toy-knife.toml"
)


def build(which: str, dirs: Dirs, toy_flows) -> tuple[AppBase, type, str]:  # noqa: ANN001, F811
    """The app, the screen it opens on, and a line only its own help has."""
    if which == "live":
        return make_app(dirs, flows=toy_flows), HomeScreen, "Ctrl+N"
    if which == "training":
        loaded = load_scenario(SCENARIO)
        app = TrainingApp(paths=dirs.paths, flows=toy_flows, scenarios={loaded.scenario.id: loaded})
        return app, ScenarioPickerScreen, "Ctrl+N"
    return ReviewApp(open_record(dirs.paths, "live"), Settings()), ReviewScreen, "add a review"


def help_text(app: AppBase) -> str:
    return "\n".join(str(s.content) for s in app.screen.query(Static))


@pytest.mark.parametrize("which", ["live", "training", "review"])
async def test_f1_shows_the_apps_own_help_and_ctrl_q_asks_before_quitting(
    which: str,
    dirs: Dirs,  # noqa: F811
    toy_flows,  # noqa: ANN001, F811
) -> None:
    app, first, own_line = build(which, dirs, toy_flows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, first)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert own_line in help_text(app) and "Ctrl+Q" in help_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, first)

        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert isinstance(app.screen, first) and app.return_code is None

        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code == 0


async def test_escape_on_the_review_apps_list_asks_before_quitting(dirs: Dirs) -> None:  # noqa: F811
    app = ReviewApp(open_record(dirs.paths, "live"), Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.screen.query_one("IncidentTable").focus()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        assert "Every review decision recorded is saved" in help_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.return_code is None

"""Training through the screens: a scenario played right and wrong, feedback, score, debrief.

Also: training records stay in the training store, never in the live one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from incident_tui.commands.train_cmd import results_table
from incident_tui.errors import UserError
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import Store
from incident_tui.record.verify import verify_store
from incident_tui.training.scenario import load_scenario
from incident_tui.tui.training.app import TrainingApp
from incident_tui.tui.training.screens import (
    DebriefScreen,
    FeedbackScreen,
    NarrativeScreen,
    ScenarioPickerScreen,
    TrainingStepScreen,
)
from tests.tui_helpers import Dirs, answer, type_text

SCENARIO = (
    Path(__file__).parent / "fixtures" / "scenarios" / "flows" / "scenarios" / "toy-knife.toml"
)


def make_training_app(where: Dirs, flows) -> TrainingApp:  # noqa: ANN001
    loaded = load_scenario(SCENARIO)
    return TrainingApp(
        paths=where.paths,
        flows=flows,
        scenarios={loaded.scenario.id: loaded},
    )


def text_of(screen, selector: str) -> str:  # noqa: ANN001
    return str(screen.query_one(selector, Static).content)


async def start(pilot, feedback_at_end: bool = False) -> None:  # noqa: ANN001
    app = pilot.app
    assert isinstance(app.screen, ScenarioPickerScreen)
    assert "TRAINING" in str(app.screen.query_one("ModeBanner").content)
    if feedback_at_end:
        await pilot.press("f")
        assert "only at the end" in text_of(app.screen, "#feedback-mode")
    await pilot.press("enter")
    await pilot.pause()
    await type_text(pilot, "Ann Trainee")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, NarrativeScreen)
    assert "threatened another pupil" in text_of(app.screen, "#narrative-text")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, TrainingStepScreen)


async def continue_feedback(pilot) -> str:  # noqa: ANN001
    """Read the feedback dialog on screen and close it."""
    screen = pilot.app.screen
    assert isinstance(screen, FeedbackScreen), type(screen)
    text = text_of(screen, "#feedback-text")
    await pilot.press("enter")
    await pilot.pause()
    return text


async def test_playing_right_gives_right_feedback_and_full_marks(dirs, toy_flows, tmp_path):
    app = make_training_app(dirs, toy_flows)
    async with app.run_test(size=(100, 40)) as pilot:
        await start(pilot)
        await answer(pilot, True)
        await answer(pilot, "knife")
        assert (await continue_feedback(pilot)).startswith("Right: 'A knife or weapon'.")
        await answer(pilot, "Threat reported by two pupils")
        await answer(pilot, "no-force", "Threat with a knife")
        # the fact for the staff step is revealed on the training panel
        assert "Only staff of the other sex" in text_of(app.screen, "#training-panel")
        await answer(pilot, "no")  # interlocked: the STOP screen offers the exception
        await pilot.press("tab", "enter")  # past "go back", to the exception
        await pilot.pause()
        await pilot.press("space", "down", "space", "tab")  # both conditions ticked
        await type_text(pilot, "He was reaching for the knife")
        await pilot.press("enter")
        await pilot.pause()
        assert "Right" in await continue_feedback(pilot)
        await answer(pilot, ["knife"])
        assert "Right" in await continue_feedback(pilot)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        assert "Score: 16 of 16 (100%): passed" in text_of(screen, "#debrief-score")
        assert "Every key decision was the expected one." in text_of(screen, "#debrief-missed")
        path = tmp_path / "debrief.md"
        screen.query_one("#debrief-path", Input).value = str(path)
        await pilot.click("#export")
        await pilot.pause()
        assert path.stat().st_mode & 0o777 == 0o600
        assert "- Trainee: Ann Trainee" in path.read_text()


async def test_playing_wrong_with_feedback_at_the_end_and_never_in_the_live_store(dirs, toy_flows):
    app = make_training_app(dirs, toy_flows)
    async with app.run_test(size=(100, 40)) as pilot:
        await start(pilot, feedback_at_end=True)
        await answer(pilot, True)
        await answer(pilot, "vape")  # no feedback dialog: feedback only at the end
        assert isinstance(app.screen, TrainingStepScreen)
        await answer(pilot, "Seen with it at break")
        await answer(pilot, "no")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DebriefScreen)
        score = text_of(screen, "#debrief-score")
        assert "Score: 1 of 16 (6%): not yet passed" in score
        missed = text_of(screen, "#debrief-missed").splitlines()
        # the heaviest misses come first: the interlock and the police referral
        assert "(weight 5)" in missed[0] and "(weight 5)" in missed[1]
        assert "expected 'A knife or weapon'; wrong" in "\n".join(missed)
        decisions = [str(s.content) for s in screen.query(".debrief-decision")]
        assert "You chose: 'A vape (school rule)'" in decisions[0]
        assert "Source: Searching, screening and confiscation, Extent of the search" in decisions[0]
    rows = results_table(dirs.paths)
    assert [r[1:4] for r in rows[1:]] == [("Ann Trainee", "toy-knife", "1/16 (6%) not yet passed")]
    key = load_or_create_key(dirs.config / "record.key")
    with Store.open(dirs.store_root("training"), key=key, mode="training", readonly=True) as store:
        [row] = store.rows()
        assert row.mode == "training" and row.status == "sealed"
        assert {e.mode for e in store.events(row.id)} == {"training"}
    # the live list, counts, verification and export know nothing of it
    live = dirs.store_root("live")
    with Store.open(live, key=key, mode="live") as store:
        assert store.rows() == []
        with pytest.raises(UserError):
            store.row(row.reference)  # so it cannot be shown or exported from the live record
    report = verify_store(live, key)
    assert (report.incidents, report.events) == (0, 0)
    assert verify_store(dirs.store_root("training"), key).incidents == 1


async def test_the_number_before_a_scenario_starts_that_scenario(dirs):
    from incident_tui.tui.training.screens import TraineeScreen

    app = TrainingApp(paths=dirs.paths)  # the shipped procedures and scenarios
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, ScenarioPickerScreen) and len(picker.available) >= 3
        third = list(picker.available)[2]
        await pilot.press("3", "enter")  # Enter now belongs to the trainee's name box
        await pilot.pause()
        assert isinstance(app.screen, TraineeScreen)
        assert app.screen.loaded.scenario.id == third
        assert len(app.screen_stack) == 3  # one scenario started, not two

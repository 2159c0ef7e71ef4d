"""What the screen shows is whole and true now: nothing that matters is cut at 80 or
120 columns, and nothing left over from a choice taken back stays on screen."""

from __future__ import annotations

from incident_tui.tui.screens.step import StepScreen
from incident_tui.tui.screens.stop import StopScreen
from tests.tui_helpers import current_step, drive, make_app, start_incident, visible_text

SEARCH = "search-confiscation"


async def test_after_go_back_from_a_stop_no_earlier_choice_or_its_reason_prompt_remains(dirs):
    app = make_app(dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await start_incident(pilot, SEARCH)
        await drive(pilot, {"search-type": "search", "suspected": "weapon"}, until="witness")
        await pilot.press("2")  # 'Yes, but not of the pupil's sex' asks for its reason
        await pilot.pause()
        assert "You chose: Yes, but not of the pupil's sex" in visible_text(app)
        await pilot.press("shift+tab", "down", "enter")  # then 'No witness is available'
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")  # Go back and choose differently
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "witness"
        shown = visible_text(app)
        assert "You chose" not in shown
        assert "Give the reason" not in shown
        assert "Why was no witness of the pupil's sex possible?" not in shown

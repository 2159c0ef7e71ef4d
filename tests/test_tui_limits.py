"""A field's length limit is on screen as the user nears it, and the box takes no more."""

from __future__ import annotations

from textual.widgets import Input

from incident_tui.text_fields import PUPIL
from tests.tui_helpers import make_app, type_text, visible_text


async def test_the_pupil_box_shows_its_limit_as_it_fills_and_stops_at_it(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the first procedure: the new-incident form
        await pilot.pause()
        pupil = app.screen.query_one("#pupil", Input)
        pupil.focus()
        await type_text(pilot, "A" * 10)
        await pilot.pause()
        assert "of 40 characters" not in visible_text(app)
        await type_text(pilot, "B" * 40)
        await pilot.pause()
        assert pupil.value == "A" * 10 + "B" * 30
        assert f"{PUPIL.limit} of {PUPIL.limit} characters" in visible_text(app)

"""The child's file on screen: pupils named by reference when an incident starts, and the
pupil's chronology in the review app."""

from __future__ import annotations

from textual.widgets import Input, Static

from incident_tui.tui.screens.identity import IdentityScreen
from incident_tui.tui.screens.step import StepScreen
from tests.tui_helpers import make_app, read_events, type_text

SIZE = (80, 24)


async def _fill(pilot, values: dict[str, str]) -> None:
    for field_id, value in values.items():
        box = pilot.app.screen.query_one(f"#{field_id}", Input)
        box.value = ""
        box.focus()
        await type_text(pilot, value)


async def test_a_pupil_name_is_refused_and_other_pupils_are_named_by_reference(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#flows").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IdentityScreen)
        values = {"name": "Sam Jones", "role": "Teacher", "pupil": "Tom Smith", "location": "Hall"}
        await _fill(pilot, values)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IdentityScreen)  # not started
        error = str(app.screen.query_one("#identity-error", Static).content)
        assert "school's MIS" in error and "never a name" in error
        await _fill(pilot, {"pupil": "P-1001", "other-pupils": "P-2002, P-3003"})
        app.screen.query_one("#location", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        reference = app.incident.reference
    opened = read_events(dirs, reference)[0]
    assert opened.data["pupil"] == "P-1001"
    assert opened.data["other_pupils"] == ["P-2002", "P-3003"]

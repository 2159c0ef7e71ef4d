"""What the screen shows is whole and true now: nothing that matters is cut at 80 or
120 columns, and nothing left over from a choice taken back stays on screen."""

from __future__ import annotations

import pytest

from incident_tui.settings import School
from incident_tui.tui.screens.step import StepScreen
from incident_tui.tui.screens.stop import StopScreen
from tests.tui_helpers import (
    SET_UP,
    current_step,
    drive,
    make_app,
    start_incident,
    visible_lines,
    visible_text,
)

SEARCH = "search-confiscation"
NUDES = "nudes-sharing"
SCHOOL = "St Catherine of Siena Catholic Voluntary Academy"


def words(text: str) -> str:
    return " ".join(text.split())


def side_panel_text(app) -> str:
    """The side panel as shown, its wrapped lines joined (the panel is right of the bar)."""
    return words(" ".join(line.split("▏")[-1] for line in visible_lines(app) if "▏" in line))


def header_text(app) -> str:
    """The banner at the top, all its lines (it wraps rather than cut)."""
    lines = []
    for line in visible_lines(app):
        if not line.strip() or "ESCALATION" in line or "━" in line or "▏" in line:
            break
        lines.append(line)
    return words(" ".join(lines))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_header_of_a_step_shows_the_school_name_and_the_reference_whole(dirs, size):
    settings = SET_UP.model_copy(update={"school": School(name=SCHOOL)})
    app = make_app(dirs, settings=settings)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, SEARCH)
        header = header_text(app)
        assert reference in header
        assert SCHOOL in header
        assert "Search" in header


async def test_the_side_panel_shows_the_stop_note_whole_at_80_columns(dirs):
    app = make_app(dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await start_incident(pilot, NUDES)
        await drive(pilot, {}, until="what-now")
        choices = [c.id for c in app.incident.session.choices()]
        await pilot.press(str(choices.index("look-to-check") + 1))
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")  # go back and choose differently
        await pilot.pause()
        await pilot.pause()
        shown = side_panel_text(app)
        assert "Staff never view the imagery or ask to see it. Viewing it may be an offence." in (
            shown
        )


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


def review_app(dirs):
    from incident_tui.flow.available import available_flows, short_titles
    from incident_tui.record.access import open_record
    from incident_tui.record.events import Actor, FlowRef
    from incident_tui.settings import Settings
    from incident_tui.tui.review.app import ReviewApp

    flows = available_flows().flows
    with open_record(dirs.paths, "live", write=True) as store:
        for flow_id, name, role, pupil in (
            (SEARCH, "Pat Jones", "Teacher", "Y9-4411"),
            (NUDES, "Alexandra Montgomery-Smith", "Head of Year 9", "Y10-20931"),
        ):
            loaded = flows[flow_id]
            ref = FlowRef(id=flow_id, version=loaded.flow.version, hash=loaded.content_hash)
            store.new_incident(
                flow=ref, actor=Actor(name=name, role=role), details={"pupil": pupil}
            )
    return ReviewApp(open_record(dirs.paths, "live"), Settings(), procedures=short_titles(flows))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_review_list_shows_procedure_staff_and_pupil_whole(dirs, size):
    from incident_tui.tui.review.table import IncidentTable

    app = review_app(dirs)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(IncidentTable)
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert not any("~" in line for line in lines), "\n".join(lines)
        shown = words(" ".join(lines))
        for whole in ("Pat", "Jones", "(Teacher)", "Y9-4411", "Y10-20931", "Search", "Sharing"):
            assert whole in shown.split(), shown
        assert "search-confiscation" not in shown  # the procedure by its name, not its id


async def test_home_with_no_config_at_80x24_shows_the_warning_in_words_and_every_button(dirs):
    from incident_tui.settings import Settings

    app = make_app(dirs, settings=Settings())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = visible_lines(app)
        shown = words(" ".join(lines))
        assert "numbers to call are not set" in shown
        for contact in (
            "Designated Safeguarding Lead",
            "deputy DSL",
            "children's social care front door / MASH",
            "safer schools police officer",
        ):
            assert contact in shown
        for contact_id in ("deputy_dsl", "mash,", "safer_schools_officer"):
            assert contact_id not in shown
        assert "Press s to set them here" in shown
        # every way on is in view: both procedures, resuming, and the buttons
        assert "1. Sharing nudes and semi-nudes" in shown
        assert "2. Searching, screening and confiscation" in shown
        assert "No unfinished incidents" in shown
        buttons = next(line for line in lines[:-1] if "Training" in line and "Review" in line)
        assert "Help (F1)" in buttons


async def test_the_new_incident_forms_start_button_is_in_view_at_80x24(dirs, toy_flows):
    from textual.widgets import Button

    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        start = app.screen.query_one("#go", Button)
        footer_top = app.screen.query_one("Footer").region.y
        assert 0 < start.region.y < footer_top  # on screen, above the footer
        assert "Start" in visible_lines(app)[start.region.y]
        for box in ("#name", "#role", "#pupil", "#location"):  # each box scrolls into view
            app.screen.query_one(box).focus()
            await pilot.pause()
            assert "Start" in visible_lines(app)[app.screen.query_one("#go").region.y]


async def test_the_sealed_summary_says_the_whole_export_label_at_80x24(dirs, toy_flows):
    from tests.tui_helpers import answer

    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        for value in (None, "vape", "Seen vaping"):
            await answer(pilot, value)
        await answer(pilot, "yes", reason="")
        await answer(pilot, "yes")
        await answer(pilot, None)
        await pilot.press("tab", "enter")
        await pilot.pause()
        shown = words(" ".join(line.split("▏")[0] for line in visible_lines(app)))
        assert "(a new file: an existing one is never replaced):" in shown


async def test_the_review_lists_detail_box_shows_its_last_line_at_80x24(dirs):
    app = review_app(dirs)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = words(" ".join(visible_lines(app)))
        assert "p, g this pupil only, group by pupil." in shown


async def test_the_training_debrief_opens_at_its_title_and_score(dirs, toy_flows):
    from tests.test_training_tui import make_training_app
    from tests.tui_helpers import answer, type_text

    app = make_training_app(dirs, toy_flows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f", "enter")  # feedback only at the end
        await pilot.pause()
        await type_text(pilot, "Ann Trainee")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for value in (True, "vape", "Seen with it at break", "no"):
            await answer(pilot, value)
        await pilot.pause()
        shown = words(" ".join(visible_lines(app)))
        assert "Debrief: A knife at the after-school club" in shown
        assert "Score: 1 of 16" in shown

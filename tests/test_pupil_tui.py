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


# --- the pupil's file in the review app ----------------------------------------------


def _review_app(child):
    from incident_tui.settings import Settings
    from incident_tui.tui.review.app import ReviewApp

    return ReviewApp(child.reader(), Settings())


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _lines(screen) -> list[str]:
    from textual.widgets import OptionList

    listing = screen.query_one("#pupil-chronology", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_the_pupils_file_shows_every_incident_naming_them_and_enter_opens_one(tmp_path):
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen
    from incident_tui.tui.review.list_screen import ReviewScreen
    from incident_tui.tui.review.pupil_screen import PupilScreen
    from incident_tui.tui.review.table import IncidentTable
    from tests.pupil_fixtures import OTHER, PUPIL, build_child_file

    child = build_child_file(tmp_path)
    async with _review_app(child).run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        table = screen.query_one(IncidentTable)
        table.cursor = next(i for i, r in enumerate(screen.shown) if r.id == child.search.id)
        await pilot.press("c")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, PupilScreen)
        lines = _lines(pilot.app.screen)
        text = "\n".join(lines)
        search, nudes = child.search.reference, child.nudes.reference
        assert text.index(f"INCIDENT {search}") < text.index(f"INCIDENT {nudes}")
        assert child.later.reference not in text
        for shown in ("ESCALATION", "Vape confiscated", "2099-01-15", "MASH-55731"):
            assert shown in text, shown
        assert f"Other pupils named: {OTHER}" in text
        assert f"Pupil {PUPIL}: 2 incidents" in str(
            pilot.app.screen.query_one("#pupil-title", Static).content
        )
        # the line of the referral opens its incident
        listing = pilot.app.screen.query_one("#pupil-chronology")
        listing.highlighted = next(i for i, line in enumerate(lines) if "MASH-55731" in line)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, IncidentReviewScreen)
        assert pilot.app.screen.incident_id == child.nudes.id


async def test_a_mistyped_pupil_corrected_on_screen_is_followed_by_the_file_and_the_list(
    tmp_path,
):
    from incident_tui.tui.review.incident_screen import IncidentReviewScreen
    from incident_tui.tui.review.pupil_screen import PupilScreen
    from incident_tui.tui.review.pupils_form import PupilsForm
    from incident_tui.tui.review.table import IncidentTable
    from tests.pupil_fixtures import MISTYPED, PUPIL, build_child_file

    child = build_child_file(tmp_path)
    async with _review_app(child).run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        screen = pilot.app.screen
        screen.query_one(IncidentTable).cursor = next(
            i for i, r in enumerate(screen.shown) if r.id == child.later.id
        )
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, IncidentReviewScreen)
        await pilot.press("p")
        await pilot.pause()
        form = pilot.app.screen
        assert isinstance(form, PupilsForm)
        assert form.query_one("#pupils-pupil", Input).value == MISTYPED
        form.query_one("#pupils-pupil", Input).value = "Tom Smith"
        form.query_one("#pupils-reason", Input).value = "typed wrong"
        form.query_one("#actor-name", Input).value = "Dev Patel"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert pilot.app.screen is form  # a name is refused, in words
        assert "never a name" in str(form.query_one("#form-error", Static).content)
        form.query_one("#pupils-pupil", Input).value = PUPIL
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, IncidentReviewScreen)
        await pilot.press("c")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, PupilScreen)
        text = "\n".join(_lines(pilot.app.screen))
        assert f"INCIDENT {child.later.reference}" in text
        title = str(pilot.app.screen.query_one("#pupil-title", Static).content)
        assert f"Pupil {PUPIL}: 3 incidents" in title  # three incidents, two procedures
        assert "sharing-nudes" in text and "searching" in text
        assert "AMENDED by event 1" in text
        await pilot.press("escape", "escape")
        await _settle(pilot)
        listed = pilot.app.screen
        table = listed.query_one(IncidentTable)
        table.cursor = next(i for i, r in enumerate(listed.shown) if r.id == child.later.id)
        await pilot.press("p")  # only the highlighted row's pupil: the list follows too
        await pilot.pause()
        assert {r.id for r in listed.shown} == {child.search.id, child.nudes.id, child.later.id}
        assert f"pupil: {PUPIL}" in str(listed.query_one("#review-state", Static).content)
    events = read_events_of(child, child.later.id)
    assert events[0].data["pupil"] == MISTYPED  # nothing edited
    assert events[-1].kind == "amendment" and events[-1].data["pupil"] == PUPIL


def read_events_of(child, incident_id):
    with child.reader() as store:
        return store.events(incident_id)


async def test_the_subject_access_copy_is_written_from_the_pupils_file(tmp_path):
    import pypdf
    from textual.widgets import Select

    from incident_tui.tui.review.export_dialog import PupilExportDialog
    from incident_tui.tui.review.pupil_screen import PupilScreen
    from tests.pupil_fixtures import OTHER, PUPIL, build_child_file

    child = build_child_file(tmp_path)
    out = tmp_path / "sar.pdf"
    async with _review_app(child).run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.app.push_screen(PupilScreen(pilot.app.screen.ctx, PUPIL))
        await _settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, PupilExportDialog)
        dialog.query_one("#export-format", Select).value = "subject-access"
        await pilot.pause()
        dialog.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(pilot.app.screen, PupilScreen)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert "Subject access copy" in text and PUPIL in text
    assert OTHER not in text

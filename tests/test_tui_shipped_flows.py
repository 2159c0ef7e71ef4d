"""Both shipped procedures, end to end through the screens, on several paths."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from incident_tui.flow.model import ChecklistStep, ChoiceStep
from incident_tui.tui.screens.home import HomeScreen
from incident_tui.tui.screens.step import StepScreen
from incident_tui.tui.screens.stop import StopScreen
from incident_tui.tui.screens.summary import SummaryScreen
from tests.tui_helpers import (
    Override,
    answer,
    current_step,
    default_value,
    drive,
    kinds,
    make_app,
    read_events,
    start_incident,
    take_over_if_handed,
    type_text,
    visible_lines,
)

SIZE = (80, 24)
SEARCH = "search-confiscation"
NUDES = "nudes-sharing"


def screen_text(app) -> str:
    return "\n".join(str(w.content) for w in app.screen.query(Static))


async def seal(pilot) -> str:
    await pilot.press("enter")  # a stray Enter on arrival seals nothing
    await pilot.pause()
    assert "Seal code:" not in screen_text(pilot.app)
    await pilot.press("tab")
    assert pilot.app.screen.focused.id == "seal"
    await pilot.press("enter")
    await pilot.pause()
    text = screen_text(pilot.app)
    assert "Seal code:" in text
    return text


async def test_search_for_a_weapon_with_opposite_sex_override_is_sealed_and_exported(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, SEARCH)
        plan = {
            "search-type": "search",
            "suspected": "weapon",
            "searcher-sex": Override("opposite-sex", "serious-harm-exception"),
            "found": ["weapon"],
        }
        steps = await drive(pilot, plan)
        assert "searcher-sex" in steps
        assert isinstance(app.screen, SummaryScreen)
        banner = str(app.screen.query_one("#escalation-banner").content)
        assert "ESCALATION" in banner
        await seal(pilot)
        path = app.screen.query_one("#export-path", Input)
        assert path.value.endswith(f"incident-{reference}.md")
        assert app.screen.focused is path  # Enter exports to the path shown
        await pilot.press("enter")
        await pilot.pause()
        assert "Exported to" in screen_text(app)
        exported = Path(path.value)
        first = exported.read_bytes()
        # the one export path: the export is in the access log and the file says so
        assert b"## Viewed by" in first and b"via an export" in first
        await pilot.press("enter")  # the same name again: refused, the first export kept
        await pilot.pause()
        error = str(app.screen.query_one("#summary-error").content)
        assert "Not exported" in error and "already exists" in error
        assert exported.read_bytes() == first
    events = read_events(dirs, reference)
    names = kinds(events)
    assert names[0] == "opened" and names[-1] == "sealed"
    assert "override" in names and "escalation" in names
    override = next(e for e in events if e.kind.value == "override")
    assert override.step == "searcher-sex"
    assert override.data["override"] == "serious-harm-exception"
    assert len(override.data["conditions"]) == 2
    assert override.data["confirmed"] == ["serious-harm", "no-same-sex-staff"]
    assert exported.exists() and reference in exported.read_text(encoding="utf-8")
    assert oct(exported.stat().st_mode & 0o777) == "0o600"


async def test_screening_that_finds_nothing_is_a_short_sealed_record(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, SEARCH)
        steps = await drive(pilot, {"search-type": "screening", "screening-result": "clear"})
        assert steps[-1] == "screening-result"
        await seal(pilot)
    events = read_events(dirs, reference)
    assert kinds(events) == ["opened", "answer", "answer", "answer", "sealed"]
    assert events[-1].data["outcome"]


async def not_authorised_stop(pilot, suspected: str) -> str:
    """A new search for `suspected`, answered 'not authorised': the STOP screen is up."""
    reference = await start_incident(pilot, SEARCH)
    await drive(pilot, {"search-type": "search", "suspected": suspected}, until="authorised")
    choices = [c.id for c in pilot.app.incident.session.choices()]
    await pilot.press(str(choices.index("not-authorised") + 1))
    await pilot.pause()
    assert isinstance(pilot.app.screen, StopScreen)
    return reference


async def refer_now(pilot) -> None:
    """Ctrl+R and confirm: the flow's referral steps are on screen."""
    refer = pilot.app.incident.flow.refer_now
    if isinstance(pilot.app.screen, StepScreen):  # the STOP screen's key says it leaves the choice
        assert pilot.app.screen.active_bindings["ctrl+r"].tooltip == refer.label  # flow's words
    await pilot.press("ctrl+r")
    await pilot.pause()
    await pilot.press("y")
    await pilot.pause()
    # from the staff part, the referral step is the DSL's: handed over, then taken over
    await take_over_if_handed(pilot)
    await pilot.pause()
    assert isinstance(pilot.app.screen, StepScreen)
    assert current_step(pilot.app).id == pilot.app.incident.flow.refer_now.to


async def test_search_without_authorisation_cannot_proceed(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await not_authorised_stop(pilot, "drugs")
        text = screen_text(app)
        assert "STOP" in text and "No exception is allowed" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "authorised"
    events = read_events(dirs, reference)
    assert kinds(events).count("answer") == 3
    # the refused choice is no answer, but the DSL can see that it was reached for
    [stop] = [e for e in events if e.data.get("stop")]
    assert stop.kind.value == "note" and stop.step == "authorised"
    assert stop.data["stop"] == "not-authorised" and "STOP shown" in stop.answer


async def test_nudes_adult_involved_escalates_is_amended_and_resumed_to_the_end(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, NUDES)
        plan = {"report-to": "neither-danger", "device-held": "no", "scope": "imagery"}
        await drive(pilot, plan, until="trigger-adult")
        banner = str(app.screen.query_one("#escalation-banner").content)
        assert "ESCALATION" in banner
        # correct the first answer: how the staff member became aware
        await pilot.press("f2")
        app.screen.query_one("#decision-list").highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("3")  # another pupil told me
        await pilot.pause()
        await type_text(pilot, "Wrong option chosen at first")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        reached = current_step(app).id
    # the terminal closes; the next start resumes at exactly the step reached
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.screen.query_one("#open-incidents").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter", "enter")  # keep the remembered name and role
        await pilot.pause()
        assert current_step(app).id == reached
        assert "ESCALATION" in str(app.screen.query_one("#escalation-banner").content)
        await drive(pilot, {"trigger-adult": "yes", "device-held": "no", "scope": "imagery"})
        assert isinstance(app.screen, SummaryScreen)
        await seal(pilot)
    events = read_events(dirs, reference)
    names = kinds(events)
    amendment = next(e for e in events if e.kind.value == "amendment")
    assert amendment.data["amends"] == 1 and amendment.answer == "another-pupil"
    assert names.count("escalation") >= 2
    assert names[-1] == "sealed"


async def test_nudes_looking_at_the_imagery_is_a_hard_stop(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, NUDES)
        await drive(pilot, {}, until="what-now")
        choices = [c.id for c in app.incident.session.choices()]
        await pilot.press(str(choices.index("look-to-check") + 1))
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        assert "Rule:" in screen_text(app)
        await pilot.press("enter")  # go back and choose differently
        await pilot.pause()
        await drive(pilot, {"what-now": "tell-dsl"}, until="report-to")
    events = read_events(dirs, reference)
    assert all(e.answer != "look-to-check" for e in events)


def _in_view(app, text: str) -> bool:
    wanted = text[:30]
    return any(wanted in line for line in visible_lines(app))


async def test_with_escalations_raised_every_prompt_and_its_answers_stay_in_view_at_80x24(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, NUDES)
        plan = {
            "report-to": "neither-danger",
            "device-held": "no",
            "scope": "imagery",
            "trigger-adult": "yes",
        }
        checked = 0
        while not app.incident.session.ended:
            if await take_over_if_handed(pilot):  # one computer: the DSL takes it over
                await pilot.pause()
                continue
            step = current_step(app)
            incident = app.incident
            raised = incident.escalations()
            if len(raised) >= 2:
                checked += 1
                banner = app.screen.query_one("#escalation-banner")
                # wrapped, never cut: every line whole
                assert banner.size.height >= min(len(raised), 3), step.id
                assert _in_view(app, "ESCALATION · "), step.id
                assert _in_view(app, incident.text(step.prompt)), step.id
                if isinstance(step, ChoiceStep):
                    first = incident.session.choices()[0]
                    assert _in_view(app, "1. " + incident.text(first.label)), step.id
                elif isinstance(step, ChecklistStep):
                    assert _in_view(app, "1. " + incident.text(step.items[0].label)), step.id
                # cut short in the banner, but the whole of each is in the side panel
                panel = app.screen.query_one("#decision-list")
                listed = " ".join(
                    str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)
                )
                for escalation in raised:
                    assert incident.text(escalation.message) in listed
            await answer(pilot, plan.get(step.id, default_value(app)))
        assert checked >= 10


async def test_refer_now_from_a_search_goes_to_its_referral_steps(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, SEARCH)
        await drive(pilot, {"search-type": "search"}, until="suspected")
        await refer_now(pilot)
        assert "ESCALATION" not in visible_text_of(app)  # nothing said there was a risk
        await drive(pilot, {"refer-now": "csc"})
        assert isinstance(app.screen, SummaryScreen)
        assert "Outcome: Referred to children's social care" in screen_text(app)
        assert "and/or" not in screen_text(app)
        await seal(pilot)
    events = read_events(dirs, reference)
    assert [e.step for e in events if e.kind.value == "refer_now"] == ["suspected"]
    assert "escalation" not in kinds(events)
    chosen = next(e for e in events if e.step == "refer-now")
    assert chosen.data["referred_to"] == ["Children's social care"]
    assert chosen.rationale == "Because."
    assert events[-1].kind.value == "sealed"
    assert events[-1].answer == "Referred to children's social care"


async def test_refer_now_from_an_early_step_goes_straight_to_the_referral_steps(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, NUDES)
        await drive(pilot, {}, until="what-now")
        assert "Refer now" in visible_text_of(app)  # offered in the Footer
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("escape")  # cancel: nothing recorded
        await pilot.pause()
        assert current_step(app).id == "what-now"
        await refer_now(pilot)
        assert "ESCALATION" not in visible_text_of(app)
    events = read_events(dirs, reference)
    referral = [e for e in events if e.kind.value == "refer_now"]
    assert len(referral) == 1 and referral[0].step == "what-now"
    assert "escalation" not in kinds(events)


async def test_refer_now_is_not_offered_where_the_procedure_has_none(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        assert "Refer now" not in visible_text_of(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)


def visible_text_of(app) -> str:
    return "\n".join(visible_lines(app))


async def test_at_80x24_the_highlighted_answer_and_the_reason_box_come_into_view(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, SEARCH)
        await drive(pilot, {"search-type": "search"}, until="suspected")
        choices = app.incident.session.choices()
        last = f"{len(choices)}. " + app.incident.text(choices[-1].label)
        assert _in_view(app, "1. " + app.incident.text(choices[0].label))
        assert not _in_view(app, last)  # a long list runs below the screen at first
        await pilot.press("end")
        await pilot.pause()
        assert _in_view(app, last)
        # a choice needing a reason: the box it types into is on screen
        await drive(pilot, {"suspected": "weapon"}, until="parents")
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen.focused, Input)
        assert _in_view(app, "You chose:")
        box = app.screen.focused.region
        assert box.y > 0 and box.bottom <= SIZE[1] - 1


async def test_refer_now_from_a_stop_screen_goes_to_the_referral_steps(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await not_authorised_stop(pilot, "weapon")
        footer = visible_lines(app)[-1]
        assert "Refer now" in footer and "Decisions" not in footer  # only keys that work here
        await refer_now(pilot)
    events = read_events(dirs, reference)
    assert [e.step for e in events if e.kind.value == "refer_now"] == ["authorised"]


async def test_the_side_panel_shows_each_answer_whole_once_its_scrollbar_appears(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, SEARCH)
        plan = {"search-type": "search", "suspected": "weapon", "authorised": "headteacher"}
        await drive(pilot, plan, until="searcher-sex")
        await pilot.pause()
        side = "\n".join(line[52:] for line in visible_lines(app))
        assert "→ I am the headteacher" in side


async def test_the_review_date_step_refuses_a_past_date_and_records_a_uk_one_as_iso(
    dirs, fixed_today
):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, NUDES)
        await drive(pilot, {}, until="what-now")
        await refer_now(pilot)
        await drive(pilot, {}, until="referred-review")
        assert "A date, today or later: YYYY-MM-DD or DD/MM/YYYY" in screen_text(app)
        await type_text(pilot, "30/11/2026")
        await pilot.press("enter")
        await pilot.pause()
        assert current_step(app).id == "referred-review"
        error = str(app.screen.query_one("#step-error", Static).content)
        assert "2026-11-30 has already passed" in error
        app.screen.query_one("#text-answer", Input).value = ""
        await type_text(pilot, "next friday")
        await pilot.press("enter")
        await pilot.pause()
        assert current_step(app).id == "referred-review"
        assert "e.g. 2026-12-08 or 08/12/2026" in str(
            app.screen.query_one("#step-error", Static).content
        )
        app.screen.query_one("#text-answer", Input).value = ""
        await type_text(pilot, "15/12/2026")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
    (review,) = [e for e in read_events(dirs, reference) if e.step == "referred-review"]
    assert review.answer == "2026-12-15"


async def test_alcohol_returned_to_the_pupil_is_a_stop_on_screen_with_no_exception(dirs):
    app = make_app(dirs)
    step = "disposal-alcohol-tobacco-fireworks"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, SEARCH)
        plan = {
            "search-type": "search",
            "suspected": "alcohol-tobacco-fireworks",
            "found": ["alcohol-tobacco-fireworks"],
        }
        await drive(pilot, plan, until=step)
        choices = [c.id for c in app.incident.session.choices()]
        await pilot.press(str(choices.index("returned-to-pupil") + 1))
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        text = screen_text(app)
        assert "STOP" in text and "No exception is allowed" in text
        assert "never returned to the pupil" in text
        await pilot.press("escape")
        await pilot.pause()
        assert current_step(app).id == step
    events = read_events(dirs, reference)
    assert not [e for e in events if e.step == step and e.kind.value == "answer"]
    [stop] = [e for e in events if e.data.get("stop")]
    assert stop.step == step and stop.data["stop"] == "returned-to-pupil"


async def test_a_correction_that_would_undo_a_referral_is_a_recorded_stop_with_the_rule(dirs):
    """Once the referral is recorded, correcting the DSL's judgement to 'do not refer
    yet' would walk the case back to the school's route: the correction screen shows
    the rule as a STOP, records that it was shown, and offers going back or refer now."""
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, NUDES)
        plan = {
            "device-held": "no",
            "scope": "imagery",
            "trigger-coercion": "unknown",
            "trigger-judgement": "refer",
            **{t: "no" for t in ("trigger-adult", "trigger-unusual-acts", "trigger-under-13")},
            "trigger-immediate-risk": "no",
        }
        await drive(pilot, plan, until="delete-nothing")
        decisions = app.incident.session.decisions
        position = [d.answer.step for d in decisions].index("trigger-judgement")
        await pilot.press("f2")
        app.screen.query_one("#decision-list").highlighted = position
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("2")  # do not refer yet
        await pilot.pause()
        await type_text(pilot, "Misread")  # the judgement's own reason
        await pilot.press("enter")
        await pilot.pause()
        await type_text(pilot, "Wrong option")  # the reason for the correction
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        text = screen_text(app)
        assert "STOP" in text and "A correction does not undo a referral" in text
        assert "Go back" in text and "Refer now" in text
        await pilot.press("enter")  # go back
        await pilot.pause()
        await pilot.press("escape")  # leave the correction: the record stays as it was
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "delete-nothing"
    events = read_events(dirs, reference)
    assert not any(e.kind.value == "amendment" for e in events)
    [stop] = [e for e in events if e.data.get("invariant")]
    assert stop.kind.value == "note" and stop.step == "trigger-judgement"
    assert stop.data["invariant"] == "no-school-route-after-referral"
    assert stop.data["stop"] == "not-yet" and "A correction does not undo" in stop.answer


async def test_every_found_item_has_a_key_and_the_one_ticked_is_in_view(dirs):
    app = make_app(dirs)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, SEARCH)
        await drive(pilot, {"search-type": "search", "suspected": "weapon"}, until="found")
        items = current_step(app).items
        assert len(items) > 10
        await pilot.press("a", "b")  # items 10 and 11: no number key reaches them
        await pilot.pause()
        ticklist = app.screen.query_one("#ticklist")
        assert ticklist.values() == [items[9].id, items[10].id]
        assert _in_view(app, f"[x] b. {app.incident.text(items[10].label)}")


async def test_at_80_columns_every_number_in_the_banner_is_whole_and_each_contact_shown_once(dirs):
    app = make_app(dirs)  # the school's own numbers: front door with its out-of-hours one
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, NUDES)
        await drive(
            pilot, {"what-now": "tell-dsl", "report-to": "neither-danger"}, until="emergency-call"
        )
        banner = "\n".join(visible_lines(app)[1:8])
        assert "…" not in banner and "~" not in banner
        # each number on one line, never cut by the edge or split by a wrap
        for number in ("999", "01632 960003", "01632 960004"):
            assert sum(line.count(number) for line in visible_lines(app)[1:8]) == 1, banner

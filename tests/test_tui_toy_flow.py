"""The live screens over a small test flow: every kind of step, interlock, escalation,
amendment, resume and a failed append."""

from __future__ import annotations

import pytest

from incident_tui.errors import UserError
from incident_tui.record.store import Store
from incident_tui.tui.screens.amend import AmendScreen
from incident_tui.tui.screens.dialogs import NoteDialog
from incident_tui.tui.screens.home import HomeScreen
from incident_tui.tui.screens.step import StepScreen
from incident_tui.tui.screens.stop import StopScreen
from incident_tui.tui.screens.summary import SummaryScreen
from tests.tui_helpers import (
    answer,
    current_step,
    keys_ahead,
    kinds,
    make_app,
    read_events,
    start_incident,
    type_ahead,
    type_text,
    visible_lines,
    visible_text,
)

SIZE = (80, 24)


def side_panel(app) -> list[str]:
    """The entries listed in the side panel, one string each."""
    panel = app.screen.query_one("#decision-list")
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


def screen_text(app) -> str:
    """Every Static's content on the active screen, for asserting on words."""
    from textual.widgets import Static

    return "\n".join(str(w.content) for w in app.screen.query(Static))


async def test_home_screen_lists_procedures_with_when_to_use_them(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        flows = app.screen.query_one("#flows")
        assert "A small search procedure" in str(flows.get_option_at_index(0).prompt)
        assert "LIVE" in screen_text(app)


async def test_training_mode_is_marked_on_every_screen_and_uses_the_training_store(dirs, toy_flows):
    app = make_app(dirs, mode="training", flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "TRAINING" in screen_text(app)
        reference = await start_incident(pilot, "toy-search")
        assert "TRAINING" in screen_text(app)
    assert kinds(read_events(dirs, reference, mode="training")) == ["opened"]
    assert not dirs.store_root("live").exists()


async def test_search_with_override_escalation_and_seal_is_recorded(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search", pupil="CD")
        assert current_step(app).id == "safety"
        await answer(pilot)
        await answer(pilot, "knife")
        assert "ESCALATION" in str(app.screen.query_one("#escalation-banner").content)
        assert "999" in str(app.screen.query_one("#escalation-banner").content)
        await answer(pilot, "Smell of cannabis")
        await answer(pilot, "no-force", reason="Knife seen in bag")
        # choosing 'No' at the same-sex step stops the flow
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        text = screen_text(app)
        assert "STOP" in text and "Rule:" in text and "Instead:" in text
        await pilot.press("tab", "enter")  # the exception button
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # tick both conditions
        await pilot.press("tab")
        await type_text(pilot, "Pupil threatening others")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "found"
        await answer(pilot, ["knife"])
        assert isinstance(app.screen, SummaryScreen)
        assert "Never return the knife" in screen_text(app)
        await pilot.click("#seal")
        await pilot.pause()
        assert "Seal code:" in screen_text(app)
    events = read_events(dirs, reference)
    assert kinds(events) == [
        "opened",
        "answer",
        "answer",
        "escalation",
        "answer",
        "answer",
        "note",  # STOP shown
        "override",
        "answer",
        "escalation",
        "sealed",
    ]
    assert events[6].data["stop"] == "no"
    override = events[7]
    assert override.data["override"] == "serious-harm"
    assert override.data["confirmed"] == ["serious-harm", "no-other-staff"]
    assert override.rationale == "Pupil threatening others"
    assert events[0].data["pupil"] == "CD"


async def test_going_back_from_stop_records_nothing(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "vape")
        await answer(pilot, "Seen vaping")
        await answer(pilot, "yes", reason="")
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")  # focus starts on 'Go back and choose differently'
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "staff"
        await answer(pilot, "yes")
        await answer(pilot, ["nothing"])
        assert isinstance(app.screen, SummaryScreen)
    assert "override" not in kinds(read_events(dirs, reference))


async def test_required_reason_blocks_the_step_until_given(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "knife")
        await answer(pilot, "Seen")
        await pilot.press("2")  # 'search without consent' needs a reason
        await pilot.pause()
        assert "Reason (required)" in str(app.screen.query_one("#rationale-label").content)
        await pilot.press("enter")
        await pilot.pause()
        assert current_step(app).id == "consent"
        assert "reason is required" in screen_text(app)


async def test_a_confirm_item_has_no_default(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        assert current_step(app).id == "safety"
        await pilot.press("enter", "1", "space")
        await pilot.pause()
        assert current_step(app).id == "safety"


async def test_amendment_is_recorded_and_the_flow_follows_the_new_path(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "vape")
        await answer(pilot, "Seen vaping")
        await answer(pilot, "yes", reason="")
        assert current_step(app).id == "staff"
        # correct the consent answer from the side panel: 'No' ends the search
        await pilot.press("f2")
        decision_list = app.screen.query_one("#decision-list")
        decision_list.highlighted = 3
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("2")  # 'No' (search without consent is not offered for a vape)
        await pilot.press("enter")  # no reason for the answer itself (it is optional)
        await pilot.pause()
        await type_text(pilot, "Misheard the pupil")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "No search" in screen_text(app)
    events = read_events(dirs, reference)
    amendment = events[-1]
    assert amendment.kind.value == "amendment"
    assert amendment.answer == "no"
    assert amendment.data["reason"] == "Misheard the pupil"
    assert amendment.data["amends"] == events[4].seq


async def test_closed_mid_incident_resumes_at_the_step_reached(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "knife")
    # a new copy of the app: the incident is offered for resuming
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        resume = app.screen.query_one("#open-incidents")
        offered = str(resume.get_option_at_index(0).prompt)
        assert reference in offered
        assert "last answer: What is suspected?" in offered  # in the flow's words, not an id
        resume.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one("#name").value == "Sam Jones"  # remembered
        assert "Filled in from the last incident" in str(
            app.screen.query_one("#remembered").content
        )
        await pilot.press("enter", "enter")  # keep the name and the role
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "grounds"
        assert "ESCALATION" in str(app.screen.query_one("#escalation-banner").content)
        await answer(pilot, "Seen")
    assert kinds(read_events(dirs, reference))[-1] == "answer"


async def test_the_next_person_at_a_shared_computer_is_recorded_not_the_last_one(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search", name="Ann Smith", role="Teacher")
        await pilot.press("escape", "y")  # home; the incident stays open
        await pilot.pause()
        app.screen.query_one("#flows").focus()
        await pilot.press("enter")
        await pilot.pause()
        # typed straight away, as someone else would: each answer replaces what was there
        for value in ("Bob Green", "Deputy head", "CD", "Hall"):
            await type_text(pilot, value)
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        reference = app.incident.reference
    opened = read_events(dirs, reference)[0]
    assert (opened.actor.name, opened.actor.role) == ("Bob Green", "Deputy head")
    assert (opened.data["pupil"], opened.data["location"]) == ("CD", "Hall")


async def test_a_failed_append_keeps_the_step_and_says_not_saved(dirs, toy_flows, monkeypatch):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)

        def broken(*args, **kwargs):
            raise UserError("cannot write the record: the disk is full")

        monkeypatch.setattr(Store, "append", broken)
        await answer(pilot, "vape")
        assert current_step(app).id == "item"
        assert "NOT SAVED" in screen_text(app)
        assert "disk is full" in screen_text(app)
        monkeypatch.undo()
        await answer(pilot, "vape")
        assert current_step(app).id == "grounds"
    assert kinds(read_events(dirs, reference)) == ["opened", "answer", "answer"]


async def test_a_second_copy_records_beside_the_first_and_names_what_it_holds(dirs, toy_flows):
    from incident_tui.record import Actor, FlowRef
    from incident_tui.record.keys import load_or_create_key

    key = load_or_create_key(dirs.config / "record.key")
    other = Actor(name="Alice Khan", role="DSL", login="alice")
    with Store.open(dirs.store_root(), key=key, mode="live") as first:
        flow = toy_flows["toy-search"]
        ref = FlowRef(id=flow.flow.id, version=flow.flow.version, hash=flow.content_hash)
        held = first.new_incident(flow=ref, actor=other, details={"pupil": "CD"}, hold=True)
        app = make_app(dirs, flows=toy_flows)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            assert f"{held.reference}" in visible_text(app)
            assert "open by Alice Khan (alice)" in visible_text(app)
            reference = await start_incident(pilot, "toy-search")
            assert reference != held.reference
            assert isinstance(app.screen, StepScreen)


async def test_ctrl_q_asks_and_says_the_incident_stays_open(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert f"Incident {reference} stays open" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_help_opens_with_f1_and_escape_goes_back(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert "KEYS" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


@pytest.mark.parametrize("key", ["question_mark"])
async def test_question_mark_opens_help_from_home(dirs, toy_flows, key):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert "KEYS" in screen_text(app)


def _index_fails_once(monkeypatch, at_call: int = 1) -> None:
    """The index write fails (disk full) on call `at_call`; the incident file is written."""
    import errno
    from pathlib import Path

    from incident_tui.record.storage import StoreWriteError

    real = Store._put_row
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == at_call:
            raise StoreWriteError(Path("index.json"), OSError(errno.ENOSPC, "No space left"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Store, "_put_row", flaky)


async def test_an_answer_saved_while_the_index_lags_moves_on_with_a_warning(
    dirs, toy_flows, monkeypatch
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        _index_fails_once(monkeypatch)
        await answer(pilot, "vape")
        await pilot.pause()
        assert current_step(app).id == "grounds"  # recorded: the step moved on
        shown = visible_text(app)
        assert "NOT SAVED" not in shown
        assert "index will catch up" in shown
        assert "disk is full" in shown
        await answer(pilot, "Seen vaping")  # the next save is accepted, not refused
        assert current_step(app).id == "consent"
    events = read_events(dirs, reference)
    assert kinds(events) == ["opened", "answer", "answer", "answer"]
    assert [e.answer for e in events[2:]] == ["vape", "Seen vaping"]
    from incident_tui.record.keys import load_or_create_key

    key = load_or_create_key(dirs.config / "record.key")
    with Store.open(dirs.store_root(), key=key, mode="live", readonly=True) as store:
        assert store.row(reference).event_count == 4  # the index caught up


async def test_an_incident_opened_while_the_index_lags_starts_with_a_warning(
    dirs, toy_flows, monkeypatch
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        _index_fails_once(monkeypatch, at_call=2)  # the row is written first, then updated
        reference = await start_incident(pilot, "toy-search")
        assert isinstance(app.screen, StepScreen)
        assert "index will catch up" in visible_text(app)
        await answer(pilot)
        assert current_step(app).id == "item"
    assert kinds(read_events(dirs, reference)) == ["opened", "answer"]


async def _correct_staff_answer_to_no(pilot) -> str:
    """Reach 'found' with 'Yes, both' at the staff step, then correct it to 'No'."""
    app = pilot.app
    await pilot.pause()
    reference = await start_incident(pilot, "toy-search")
    await answer(pilot)
    await answer(pilot, "vape")
    await answer(pilot, "Seen vaping")
    await answer(pilot, "yes", reason="")
    await answer(pilot, "yes")
    assert current_step(app).id == "found"
    await pilot.press("f2")
    app.screen.query_one("#decision-list").highlighted = 4  # the staff decision
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, AmendScreen)
    await pilot.press("2")  # 'No': breaks the same-sex rule
    await pilot.pause()
    await type_text(pilot, "Witness had left the room")
    await pilot.press("enter")
    await pilot.pause()
    return reference


async def test_correcting_to_a_choice_that_breaks_a_rule_stops_and_records_the_override(
    dirs, toy_flows
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        reference = await _correct_staff_answer_to_no(pilot)
        assert isinstance(app.screen, StopScreen)
        text = screen_text(app)
        assert "STOP" in text and "Rule: A searcher of the pupil's sex" in text
        assert "Instead: Supervise the pupil" in text
        await pilot.press("tab", "enter")  # the exception
        await pilot.pause()
        await pilot.press("enter", "tab")  # only the first condition ticked: refused
        await type_text(pilot, "Pupil threatening others")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        refusal = str(app.screen.query_one("#stop-error").content)
        assert "needs every condition confirmed" in refusal
        assert "No other staff can be summoned" in refusal
        assert "Serious harm if not searched" not in refusal
        assert kinds(read_events(dirs, reference))[-1] != "amendment"
        app.screen.query_one("#conditions").focus()
        await pilot.press("down", "enter")  # tick the second
        app.screen.query_one("#override-reason").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "found"
        panel = app.screen.query_one("#decision-list")
        assert "(OVERRIDE)" in str(panel.get_option_at_index(4).prompt)
    events = read_events(dirs, reference)
    amendment = events[-1]
    assert amendment.kind.value == "amendment"
    assert amendment.answer == "no"
    assert amendment.data["amends"] == events[5].seq
    assert amendment.data["reason"] == "Witness had left the room"
    assert amendment.data["override"] == "serious-harm"
    assert amendment.rationale == "Pupil threatening others"
    assert amendment.data["conditions"] == [
        "Serious harm if not searched at once",
        "No other staff can be summoned",
    ]
    assert amendment.data["confirmed"] == ["serious-harm", "no-other-staff"]


async def test_going_back_from_stop_leaves_the_correction_unrecorded(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        reference = await _correct_staff_answer_to_no(pilot)
        assert isinstance(app.screen, StopScreen)
        await pilot.press("enter")  # 'Go back and choose differently'
        await pilot.pause()
        assert isinstance(app.screen, AmendScreen)
        assert "Not recorded" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
    assert "amendment" not in kinds(read_events(dirs, reference))


async def test_a_note_during_a_step_is_recorded_and_listed_without_moving_on(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        assert "^n Note" in visible_lines(app)[-1]  # the key is in the Footer
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press("enter")  # nothing typed: nothing recorded
        await pilot.pause()
        assert "Type the note first" in screen_text(app)
        await type_text(pilot, "Pupil asked for her mother")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        assert current_step(app).id == "item"  # still at the same step
        assert any("NOTE: Pupil asked for her mother" in line for line in side_panel(app))
        await answer(pilot, "vape")  # the step still answers as before
        assert current_step(app).id == "grounds"
    events = read_events(dirs, reference)
    assert kinds(events) == ["opened", "answer", "note", "answer"]
    assert events[2].answer == "Pupil asked for her mother"
    assert events[2].actor.name == "Sam Jones"


async def test_a_note_can_follow_the_seal(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        reference = await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "vape")
        await answer(pilot, "Seen vaping")
        await answer(pilot, "no", reason="")
        assert isinstance(app.screen, SummaryScreen)
        await pilot.click("#seal")
        await pilot.pause()
        assert "Seal code:" in screen_text(app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "Parents phoned at 3pm")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert any("NOTE: Parents phoned at 3pm" in line for line in side_panel(app))
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_text(pilot, "Not this one")
        await pilot.press("escape")  # Esc records nothing
        await pilot.pause()
    events = read_events(dirs, reference)
    assert kinds(events)[-2:] == ["sealed", "note"]
    assert events[-1].answer == "Parents phoned at 3pm"


def test_the_banner_names_who_to_call_first_each_once_and_never_grows_past_three_lines():
    from incident_tui.flow.model import Escalation
    from incident_tui.settings import Settings
    from incident_tui.tui.present import escalation_banner_lines

    numbers = {f"line_{c}": f"0163296000{n}" for n, c in enumerate("abcd")}
    raised = [Escalation(message=f"Risk {name}", contact=name) for name in numbers]
    lines = escalation_banner_lines(raised, Settings().with_defaults(numbers))
    assert len(lines) == 3
    assert lines[0] == "ESCALATION · Call 01632960003 · Risk line_d"  # the latest, in full
    assert lines[1].startswith("ESCALATION · Call 01632960002")
    assert "2 more" in lines[2] and "decisions panel" in lines[2]
    same = [Escalation(message=f"Risk {n}", contact="line_a") for n in range(3)]
    assert len(escalation_banner_lines(same, Settings().with_defaults(numbers))) == 1


async def test_a_text_box_shows_the_flows_own_hint_and_a_step_may_give_its_own(dirs, tmp_path):
    from incident_tui.flow.loader import load_flow
    from tests.engine_fixture import TOY_FLOW

    text = TOY_FLOW.replace(
        'start = "safety"', 'start = "safety"\ntext_hint = "Write only what was reported."'
    ).replace(
        'prompt = "What are the grounds?"', 'prompt = "What are the grounds?"\nhint = "Say why."'
    )
    path = tmp_path / "hinted.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_flow(path)
    app = make_app(dirs, flows={loaded.flow.id: loaded})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        await answer(pilot)
        await answer(pilot, "vape")
        assert current_step(app).id == "grounds"
        shown = screen_text(app)
        assert "Say why." in shown
        assert "Write only what was reported." not in shown
        assert "image" not in shown
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        assert "Write only what was reported." in screen_text(app)


async def test_typed_without_pauses_each_answer_lands_in_its_own_box(dirs, toy_flows):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#flows").focus()
        await pilot.press("enter")
        await pilot.pause()
        # the whole form in one burst: Enter moves on only after the keys before it
        type_ahead(pilot, "Ann Smith\rTeacher\rQR\rLab 3\r")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, StepScreen)
        reference = app.incident.reference
    opened = read_events(dirs, reference)[0]
    assert (opened.actor.name, opened.actor.role) == ("Ann Smith", "Teacher")
    assert (opened.data["pupil"], opened.data["location"]) == ("QR", "Lab 3")


async def reach_consent(pilot) -> None:
    await start_incident(pilot, "toy-search")
    await answer(pilot)  # the safety confirm
    await answer(pilot, "knife")
    await answer(pilot, "Seen in the bag")
    assert current_step(pilot.app).id == "consent"


def recorded_answer(dirs, app, step: str) -> tuple[object, object]:
    events = [e for e in read_events(dirs, app.incident.reference) if e.step == step]
    return events[-1].answer, events[-1].rationale


async def test_a_choices_key_then_its_reason_typed_without_a_pause_is_recorded_whole(
    dirs, toy_flows
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await reach_consent(pilot)
        # the key opens the reason box: every key after it lands there, none is lost
        type_ahead(pilot, "2Pupil refused, bag kept\r")
        await pilot.pause()
        await pilot.pause()
        assert current_step(app).id == "staff"
        assert recorded_answer(dirs, app, "consent") == ("no-force", "Pupil refused, bag kept")


async def test_enter_on_a_highlighted_choice_then_its_reason_typed_ahead_is_recorded_whole(
    dirs, toy_flows
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await reach_consent(pilot)
        keys_ahead(pilot, "down", "enter", *"Pupil refused", "enter")
        await pilot.pause()
        await pilot.pause()
        assert current_step(app).id == "staff"
        assert recorded_answer(dirs, app, "consent") == ("no-force", "Pupil refused")


async def test_an_exception_on_the_stop_screen_typed_ahead_records_its_reason_whole(
    dirs, toy_flows
):
    app = make_app(dirs, flows=toy_flows)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await reach_consent(pilot)
        await answer(pilot, "yes")
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, StopScreen)
        await pilot.press("tab", "enter")
        await pilot.pause()
        # tick both conditions, Tab to the reason box, type it, Enter: in one burst
        keys_ahead(pilot, "enter", "down", "enter", "tab", *"No staff near", "enter")
        await pilot.pause()
        await pilot.pause()
        assert current_step(app).id == "found"
        assert recorded_answer(dirs, app, "staff") == ("no", "No staff near")


async def test_a_confirm_after_a_choice_has_no_default_and_the_next_step_takes_the_keys(
    dirs, tmp_path
):
    from textual.containers import VerticalScroll

    from incident_tui.flow.loader import load_flow
    from tests.engine_fixture import TOY_FLOW

    bag = (
        '[[steps]]\nid = "bag"\nkind = "confirm"\nprompt = "Ask for the bag to be opened."\n'
        'next = "grounds"\n\n[[steps]]\nid = "grounds"'
    )
    text = TOY_FLOW.replace(
        'label = "A vape (school rule)"\nnext = "grounds"',
        ('label = "A vape (school rule)"\nnext = "bag"'),
    ).replace('[[steps]]\nid = "grounds"', bag)
    path = tmp_path / "bag.toml"
    path.write_text(text, encoding="utf-8")
    loaded = load_flow(path)
    app = make_app(dirs, flows={loaded.flow.id: loaded})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start_incident(pilot, "toy-search")
        await answer(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert current_step(app).id == "bag"
        # the step itself has the keyboard (it scrolls), never the button
        assert app.screen.focused is app.screen.query_one("#step-pane", VerticalScroll)
        await pilot.press("enter", "space")
        await pilot.pause()
        assert current_step(app).id == "bag"
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert current_step(app).id == "grounds"
        assert app.screen.focused is app.screen.query_one("#text-answer")
        await type_text(pilot, "Seen with it")
        await pilot.press("enter")
        await pilot.pause()
        assert current_step(app).id == "consent"
        assert app.screen.focused is app.screen.query_one("#choices")

"""The engine as a user meets it: each answer moves the procedure on, or is refused."""

from __future__ import annotations

import tomllib
from datetime import datetime

import pytest

from incident_tui.flow.engine import (
    AnswerInput,
    EngineError,
    InterlockBlocked,
    InvariantBroken,
    Session,
)
from incident_tui.flow.model import Flow
from tests.engine_fixture import toy_flow


def started(*answers: AnswerInput) -> Session:
    session = Session(toy_flow())
    for answer in answers:
        session.answer(answer)
    return session


SAFETY = AnswerInput("safety", True)
KNIFE = AnswerInput("item", "knife")
VAPE = AnswerInput("item", "vape")
GROUNDS = AnswerInput("grounds", "Seen by two staff at break")


def test_a_safety_item_must_be_confirmed_explicitly() -> None:
    session = started()
    with pytest.raises(EngineError, match="confirmed explicitly"):
        session.answer(AnswerInput("safety", False))
    assert session.current.id == "safety"
    session.answer(SAFETY)
    assert session.current.id == "item"


def test_an_answer_for_another_step_is_refused() -> None:
    session = started()
    with pytest.raises(EngineError, match="not the current step"):
        session.answer(KNIFE)


def test_an_unknown_choice_is_refused_and_changes_nothing() -> None:
    session = started(SAFETY)
    with pytest.raises(EngineError, match="no choice 'gun'"):
        session.answer(AnswerInput("item", "gun"))
    assert session.current.id == "item"
    assert len(session.decisions) == 1


def test_choice_offered_only_when_its_condition_holds() -> None:
    on_vape = started(SAFETY, VAPE, GROUNDS)
    assert [c.id for c in on_vape.choices()] == ["yes", "no"]
    with pytest.raises(EngineError, match="cannot be chosen"):
        on_vape.answer(AnswerInput("consent", "no-force", rationale="grounds"))
    on_knife = started(SAFETY, KNIFE, GROUNDS)
    assert [c.id for c in on_knife.choices()] == ["yes", "no-force", "no"]


def test_a_choice_that_requires_a_reason_is_refused_without_one() -> None:
    session = started(SAFETY, KNIFE, GROUNDS)
    with pytest.raises(EngineError, match="reason is required"):
        session.answer(AnswerInput("consent", "no-force", rationale="  "))
    session.answer(AnswerInput("consent", "no-force", rationale="Reported by two pupils"))
    assert session.current.id == "staff"


def test_escalation_is_raised_by_the_choice_and_stays_raised() -> None:
    session = started(SAFETY)
    raised = session.answer(KNIFE)
    assert [e.contact for e in raised] == ["police_emergency"]
    session.answer(GROUNDS)
    assert [e.message for e in session.escalations()] == ["Weapon suspected: make others safe"]


def test_search_without_same_sex_witness_cannot_proceed_without_the_exception() -> None:
    session = started(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"))
    with pytest.raises(InterlockBlocked) as blocked:
        session.answer(AnswerInput("staff", "no"))
    assert [o.id for o in blocked.value.interlock.overrides] == ["serious-harm"]
    assert session.current.id == "staff"
    with pytest.raises(EngineError, match="not allowed here"):
        session.answer(AnswerInput("staff", "no", rationale="x", override="made-up"))
    both = ("serious-harm", "no-other-staff")
    with pytest.raises(EngineError, match="reason is required"):
        session.answer(AnswerInput("staff", "no", override="serious-harm", confirmed=both))
    session.answer(
        AnswerInput("staff", "no", rationale="Knife shown", override="serious-harm", confirmed=both)
    )
    assert session.current.id == "found"
    assert [o.id for _, o in session.overrides()] == ["serious-harm"]


def test_an_exception_stands_only_with_every_condition_confirmed_by_id() -> None:
    session = started(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"))
    exception = {"rationale": "Knife shown", "override": "serious-harm"}
    with pytest.raises(EngineError) as none:
        session.answer(AnswerInput("staff", "no", **exception))
    assert "Serious harm if not searched at once" in str(none.value)
    assert "No other staff can be summoned" in str(none.value)
    with pytest.raises(EngineError) as one:
        session.answer(AnswerInput("staff", "no", **exception, confirmed=("serious-harm",)))
    assert "No other staff can be summoned" in str(one.value)
    assert "Serious harm if not searched" not in str(one.value)
    with pytest.raises(EngineError, match="no condition 'urgent'"):
        session.answer(
            AnswerInput("staff", "no", **exception, confirmed=("serious-harm", "urgent"))
        )
    with pytest.raises(EngineError, match="only with an exception"):
        session.answer(AnswerInput("staff", "wait", confirmed=("serious-harm",)))
    assert session.current.id == "staff"
    session.answer(
        AnswerInput("staff", "no", **exception, confirmed=("no-other-staff", "serious-harm"))
    )
    assert session.current.id == "found"


def test_an_override_where_there_is_no_interlock_is_refused() -> None:
    session = started(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"))
    with pytest.raises(EngineError, match="nothing to override"):
        session.answer(AnswerInput("staff", "yes", rationale="x", override="serious-harm"))


def test_waiting_loops_back_until_staff_arrive() -> None:
    session = started(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"))
    session.answer(AnswerInput("staff", "wait"))
    session.answer(AnswerInput("staff", "wait"))
    assert session.current.id == "staff"
    session.answer(AnswerInput("staff", "yes"))
    assert session.current.id == "found"


def test_checklist_rules_exclusive_and_at_least_one() -> None:
    session = started(
        SAFETY, VAPE, GROUNDS, AnswerInput("consent", "yes"), AnswerInput("staff", "yes")
    )
    with pytest.raises(EngineError, match="at least one"):
        session.answer(AnswerInput("found", []))
    with pytest.raises(EngineError, match="cannot be ticked with other items"):
        session.answer(AnswerInput("found", ["nothing", "vape"]))
    with pytest.raises(EngineError, match="no item 'gun'"):
        session.answer(AnswerInput("found", ["gun"]))


def test_end_and_follow_up_actions_depend_on_what_was_found() -> None:
    base = (SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"), AnswerInput("staff", "yes"))
    knife = started(*base, AnswerInput("found", ["knife", "vape"]))
    assert knife.ended and knife.end is not None
    assert knife.end.outcome == "Weapon handed to police"
    assert knife.actions() == ["Never return the knife", "Tell the parents"]
    assert "Weapon found: call the police" in [e.message for e in knife.escalations()]
    nothing = started(*base, AnswerInput("found", ["nothing"]))
    assert nothing.end is not None and nothing.end.outcome == "Handled in school"
    assert nothing.actions() == []
    with pytest.raises(EngineError, match="has ended"):
        nothing.answer(AnswerInput("found", ["vape"]))


def test_amendment_moves_the_flow_onto_the_corrected_path() -> None:
    session = started(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "no-force", rationale="seen"))
    item_ref = session.decisions[1].ref
    session.amend(item_ref, VAPE, reason="It was a vape, not a knife")
    # the no-force consent is not allowed for a vape, so that answer is now off the path
    assert session.current.id == "consent"
    assert [d.answer.step for d in session.decisions] == ["safety", "item", "grounds"]
    assert session.decisions[1].amended
    assert session.escalations() == []


def test_amendment_keeps_later_answers_still_on_the_path() -> None:
    session = started(SAFETY, VAPE, GROUNDS, AnswerInput("consent", "yes"))
    session.amend(session.decisions[2].ref, AnswerInput("grounds", "Corrected grounds"), "typo")
    assert session.current.id == "staff"
    assert session.answers["grounds"].value == "Corrected grounds"


def test_amendment_is_validated_and_refused_without_reason() -> None:
    session = started(SAFETY, VAPE)
    ref = session.decisions[1].ref
    with pytest.raises(EngineError, match="needs a reason"):
        session.amend(ref, KNIFE, reason="")
    with pytest.raises(EngineError, match="no choice"):
        session.amend(ref, AnswerInput("item", "gun"), reason="why")
    with pytest.raises(EngineError, match="no active decision"):
        session.amend(99, KNIFE, reason="why")
    assert session.answers["item"].value == "vape"


def test_replay_with_the_same_refs_reaches_the_same_state() -> None:
    live = Session(toy_flow())
    log: list[tuple[str, object]] = []
    for ref, answer in enumerate((SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes")), 1):
        live.answer(answer, ref=ref)
        log.append(("answer", (answer, ref)))
    live.amend(3, AnswerInput("grounds", "better grounds"), "clarified", ref=5)
    log.append(("amend", (3, AnswerInput("grounds", "better grounds"), "clarified", 5)))
    replay = Session(toy_flow())
    for kind, args in log:
        if kind == "answer":
            replay.answer(args[0], ref=args[1])  # type: ignore[index]
        else:
            replay.amend(*args)  # type: ignore[misc]
    assert replay.current.id == live.current.id
    assert replay.decisions == live.decisions
    with pytest.raises(EngineError, match="already used"):
        replay.answer(AnswerInput("staff", "yes"), ref=5)


def test_text_answer_limits() -> None:
    session = started(SAFETY, VAPE)
    with pytest.raises(EngineError, match="needs an answer"):
        session.answer(AnswerInput("grounds", "   "))
    with pytest.raises(EngineError, match="at most 500"):
        session.answer(AnswerInput("grounds", "x" * 501))


def test_progress_estimate_counts_down_to_the_end() -> None:
    session = started()
    first = session.remaining_estimate()
    session.answer(SAFETY)
    assert session.remaining_estimate() == first - 1


def with_refer_now() -> Session:
    from incident_tui.flow.model import ReferNow

    refer = ReferNow(to="police", label="Refer now", message="Anyone in danger: call 999")
    return Session(toy_flow().model_copy(update={"refer_now": refer}))


def test_refer_now_can_be_taken_from_any_step_and_is_no_escalation_of_its_own() -> None:
    session = with_refer_now()
    session.answer(SAFETY)
    assert session.refer_now() == []
    assert session.escalations() == []  # no answer said there was a risk
    assert session.ended and session.end is not None and session.end.id == "police"
    assert session.decisions[-1].referred_now
    # a condition on a step the referral skipped is false, never an error
    assert session.actions() == ["Tell the parents"]
    with pytest.raises(EngineError, match="has ended"):
        session.refer_now()


def test_refer_now_is_not_undone_by_a_later_correction() -> None:
    session = with_refer_now()
    session.answer(SAFETY)
    session.answer(KNIFE)
    refer_ref = 10
    session.refer_now(ref=refer_ref)
    with pytest.raises(EngineError, match="cannot be amended"):
        session.amend(refer_ref, KNIFE, reason="x")
    session.amend(session.decisions[1].ref, VAPE, reason="It was a vape")
    assert session.current.id == "police"
    assert session.referred_now
    assert session.escalations() == []  # the knife's escalation went with the corrected answer


def test_an_end_names_the_outcome_of_the_path_taken() -> None:
    from tests.engine_fixture import TOY_FLOW

    text = TOY_FLOW.replace(
        'outcome = "Weapon handed to police"\n',
        'outcome = "Weapon handed to police"\n'
        'outcomes = [{when = {step = "item", is = "vape"}, text = "Knife found in a vape search"}]'
        "\n",
    )
    flow = Flow.model_validate(tomllib.loads(text))
    outcomes = []
    for item in (VAPE, KNIFE):
        session = Session(flow)
        for answer in (SAFETY, item, GROUNDS, AnswerInput("consent", "yes")):
            session.answer(answer)
        assert session.outcome() is None  # not at an end yet
        session.answer(AnswerInput("staff", "yes"))
        session.answer(AnswerInput("found", ["knife"]))
        outcomes.append(session.outcome())
    assert outcomes == ["Knife found in a vape search", "Weapon handed to police"]


def test_refer_now_is_refused_where_the_flow_has_none() -> None:
    session = started(SAFETY)
    with pytest.raises(EngineError, match="no 'refer now'"):
        session.refer_now()
    assert session.current.id == "item"


DISPOSAL_FLOW = """
id = "disposal"
title = "Disposal"
version = "1"
summary = "One disposal question per kind of item found."
start = "found"

[sources.SSC]
title = "Searching, screening and confiscation"

[[steps]]
id = "found"
kind = "checklist"
require = "any"
prompt = "What was found?"
next = "alcohol"
[[steps.items]]
id = "alcohol"
label = "Alcohol"
[[steps.items]]
id = "phone"
label = "A phone"

[[steps]]
id = "alcohol"
kind = "choice"
prompt = "What happened to the alcohol?"
when = {step = "found", includes = "alcohol"}
next = "phone"
[[steps.choices]]
id = "disposed"
label = "Disposed of"
[[steps.choices]]
id = "police"
label = "Given to the police"
next = "police"

[[steps]]
id = "phone"
kind = "text"
prompt = "What happened to the phone?"
when = {step = "found", includes = "phone"}
next = [{when = {step = "alcohol", answered = true}, to = "both"}, {to = "done"}]

[[steps]]
id = "both"
kind = "end"
prompt = "Done."
outcome = "Alcohol disposed of"

[[steps]]
id = "done"
kind = "end"
prompt = "Done."
outcome = "Handled"

[[steps]]
id = "police"
kind = "end"
prompt = "Done."
outcome = "Police"
"""


def disposal(*found: str) -> Session:
    import tomllib

    from incident_tui.flow.model import Flow

    session = Session(Flow.model_validate(tomllib.loads(DISPOSAL_FLOW)))
    if found:
        session.answer(AnswerInput("found", list(found)))
    return session


def test_a_step_whose_when_does_not_hold_is_not_asked() -> None:
    only_phone = disposal("phone")
    assert only_phone.current.id == "phone"
    with pytest.raises(EngineError, match="not the current step"):
        only_phone.answer(AnswerInput("alcohol", "disposed"))
    only_phone.answer(AnswerInput("phone", "Returned to the pupil at home time"))
    assert only_phone.end is not None and only_phone.end.id == "done"
    assert [d.answer.step for d in only_phone.decisions] == ["found", "phone"]


def test_each_step_whose_when_holds_is_asked_in_turn() -> None:
    both = disposal("alcohol", "phone")
    assert both.current.id == "alcohol"
    both.answer(AnswerInput("alcohol", "disposed"))
    assert both.current.id == "phone"
    both.answer(AnswerInput("phone", "Kept until the end of the day"))
    assert both.end is not None and both.end.id == "both"


def test_skipping_several_steps_reaches_the_next_one_that_is_asked() -> None:
    session = disposal()
    session.answer(AnswerInput("found", ["phone"]))
    # correcting the finding to alcohol alone skips the phone question, and ends
    # on the route the skipped step's next takes
    session.amend(session.decisions[0].ref, AnswerInput("found", ["alcohol"]), reason="misread")
    assert session.current.id == "alcohol"
    session.answer(AnswerInput("alcohol", "disposed"))
    assert session.end is not None and session.end.id == "both"


def test_a_correction_that_makes_a_when_false_drops_the_skipped_answer() -> None:
    session = disposal("alcohol", "phone")
    session.answer(AnswerInput("alcohol", "disposed"))
    session.amend(session.decisions[0].ref, AnswerInput("found", ["phone"]), reason="misread")
    assert session.current.id == "phone"
    assert "alcohol" not in session.answers


def test_progress_estimate_counts_a_skippable_step_as_free() -> None:
    session = disposal()
    # found, then (alcohol and phone may both be skipped) straight to an end
    assert session.remaining_estimate() == 1
    session.answer(AnswerInput("found", ["phone"]))
    assert session.remaining_estimate() == 1


DATED_FLOW = """
id = "dated"
title = "Dated"
version = "1"
summary = "A review date and a deadline."
start = "review"
[sources.S]
title = "S"
[[steps]]
id = "review"
kind = "text"
prompt = "Set a review date"
format = "date"
future = true
next = "deadline"
[[steps]]
id = "deadline"
kind = "text"
prompt = "Deadline (date and time)"
format = "datetime"
future = true
next = "when-seen"
[[steps]]
id = "when-seen"
kind = "text"
prompt = "When was it reported?"
format = "date"
next = "done"
[[steps]]
id = "done"
kind = "end"
prompt = "Done"
outcome = "Done"
"""
NOW = datetime(2026, 12, 1, 14, 30)


def dated() -> Session:
    return Session(Flow.model_validate(tomllib.loads(DATED_FLOW)))


def test_a_date_step_refuses_what_is_not_a_date_with_an_example() -> None:
    session = dated()
    with pytest.raises(EngineError) as refused:
        session.answer(AnswerInput("review", "next friday"), now=NOW)
    assert str(refused.value) == (
        "step 'review': give a date as YYYY-MM-DD or DD/MM/YYYY, "
        "e.g. 2026-12-08 or 08/12/2026; not 'next friday'"
    )
    assert session.current.id == "review" and not session.decisions


def test_a_date_typed_the_uk_way_is_recorded_as_iso() -> None:
    session = dated()
    assert session.check(AnswerInput("review", "15/01/2027"), NOW).value == "2027-01-15"
    session.answer(AnswerInput("review", "15/01/2027"), now=NOW)
    session.answer(AnswerInput("deadline", "01/12/2026 16:00"), now=NOW)
    session.answer(AnswerInput("when-seen", "28/11/2026"), now=NOW)  # past, and rightly so
    assert [d.answer.value for d in session.decisions] == [
        "2027-01-15",
        "2026-12-01 16:00",
        "2026-11-28",
    ]


def test_a_review_date_or_deadline_already_past_is_refused() -> None:
    session = dated()
    with pytest.raises(EngineError, match="step 'review': 2026-11-30 has already passed"):
        session.answer(AnswerInput("review", "30/11/2026"), now=NOW)
    session.answer(AnswerInput("review", "2026-12-01"), now=NOW)  # today is not past
    with pytest.raises(EngineError, match="step 'deadline': 2026-12-01 14:00 has already passed"):
        session.answer(AnswerInput("deadline", "2026-12-01 14:00"), now=NOW)
    assert session.current.id == "deadline"


def test_a_correction_to_a_past_review_date_is_refused_but_a_replay_is_not() -> None:
    session = dated()
    session.answer(AnswerInput("review", "2026-12-10"), ref=1, now=NOW)
    later = datetime(2027, 1, 5, 9, 0)
    with pytest.raises(EngineError, match="already passed"):
        session.amend(1, AnswerInput("review", "2026-12-20"), "Moved", now=later)
    # the record read back weeks later: the date was in the future when it was given
    replayed = dated()
    replayed.answer(AnswerInput("review", "2026-12-10"), ref=1, now=later, replay=True)
    assert replayed.current.id == "deadline"


# --- invariants ---------------------------------------------------------------------

KNIFE_RULE = """
[[invariants]]
id = "knife-search-not-dropped"
rule = "Once a knife is suspected, the search is not dropped unless the police are on site."
sources = [{ref = "SSC", section = "Who can search"}]
once = {step = "item", is = "knife"}
never = {step = "consent", is = "no"}
unless = {step = "grounds", is = "Police on site"}
"""


def guarded(*answers: AnswerInput, rules: str = KNIFE_RULE) -> Session:
    import tomllib

    from incident_tui.flow.model import Flow
    from tests.engine_fixture import TOY_FLOW

    session = Session(Flow.model_validate(tomllib.loads(TOY_FLOW + rules)))
    for answer in answers:
        session.answer(answer)
    return session


def ref_of(session: Session, step: str) -> int:
    return next(d.ref for d in session.decisions if d.answer.step == step)


NO_CONSENT = AnswerInput("consent", "no")


def test_an_answer_that_breaks_an_invariant_is_refused_with_its_rule() -> None:
    session = guarded(SAFETY, KNIFE, GROUNDS)
    with pytest.raises(InvariantBroken, match="not dropped unless the police") as broken:
        session.answer(NO_CONSENT)
    assert broken.value.invariant.id == "knife-search-not-dropped"
    assert broken.value.answer == NO_CONSENT
    assert session.current.id == "consent" and len(session.decisions) == 3
    with pytest.raises(InvariantBroken):
        session.check(NO_CONSENT)  # every caller that checks first sees it too
    session.answer(AnswerInput("consent", "yes"))


def test_what_once_held_stays_a_fact_after_a_correction() -> None:
    session = guarded(SAFETY, KNIFE, GROUNDS)
    session.amend(ref_of(session, "item"), VAPE, reason="It was a vape after all")
    assert session.current.id == "consent"
    with pytest.raises(InvariantBroken):
        session.answer(NO_CONSENT)


def test_never_counts_only_what_was_answered_after_once_first_held() -> None:
    session = guarded(SAFETY, VAPE, GROUNDS, NO_CONSENT)
    assert session.end is not None and session.end.id == "sanction"
    # the refusal came before any knife was suspected: the correction is allowed ...
    session.amend(ref_of(session, "item"), KNIFE, reason="Misheard: a knife")
    assert session.end is not None and session.end.id == "sanction"
    # ... but the refusal cannot be given again now
    with pytest.raises(InvariantBroken):
        session.amend(ref_of(session, "consent"), NO_CONSENT, reason="Confirmed again")


def test_unless_lifts_the_rule_and_a_correction_cannot_remove_it_afterwards() -> None:
    police = AnswerInput("grounds", "Police on site")
    session = guarded(SAFETY, KNIFE, police, NO_CONSENT)
    assert session.end is not None and session.end.id == "sanction"
    with pytest.raises(InvariantBroken):
        session.amend(ref_of(session, "grounds"), GROUNDS, reason="Police had left")


def test_an_invariant_without_once_holds_over_every_answer_on_the_path() -> None:
    rule = """
[[invariants]]
id = "serious-harm-with-reason"
rule = "The exception needs a reason."
sources = [{ref = "SSC"}]
never = {all = [{step = "staff", overridden = "serious-harm"}, {step = "found", includes = "vape"}]}
"""
    staff_no = AnswerInput(
        "staff",
        "no",
        rationale="Knife seen",
        override="serious-harm",
        confirmed=("serious-harm", "no-other-staff"),
    )
    session = guarded(SAFETY, KNIFE, GROUNDS, AnswerInput("consent", "yes"), staff_no, rules=rule)
    with pytest.raises(InvariantBroken, match="needs a reason"):
        session.answer(AnswerInput("found", ["vape"]))
    session.answer(AnswerInput("found", ["knife"]))


def test_a_recorded_history_is_replayed_even_if_it_breaks_an_invariant() -> None:
    """The record is history: resuming an incident recorded before a rule was added
    is not refused, only new moves are."""
    session = guarded()
    for answer in (SAFETY, KNIFE, GROUNDS):
        session.answer(answer, replay=True)
    session.answer(NO_CONSENT, replay=True)
    assert session.end is not None and session.end.id == "sanction"


def test_refer_now_is_checked_and_a_refer_now_breaks_nothing_by_itself() -> None:
    from incident_tui.flow.model import ReferNow

    session = guarded(SAFETY, KNIFE, GROUNDS)
    session.flow = session.flow.model_copy(
        update={"refer_now": ReferNow(to="police", label="Refer now")}
    )
    session.check_refer_now()
    session.refer_now()
    assert session.end is not None and session.end.id == "police"


def test_reasoned_and_overridden_test_the_answer_itself() -> None:
    from incident_tui.flow.engine import holds
    from incident_tui.flow.model import Condition

    with_reason = {"staff": AnswerInput("staff", "no", rationale=" why ", override="serious-harm")}
    bare = {"staff": AnswerInput("staff", "no", rationale="  ")}
    reasoned = Condition(step="staff", reasoned=True)
    overridden = Condition(step="staff", overridden="serious-harm")
    assert holds(reasoned, with_reason) and not holds(reasoned, bare)
    assert holds(Condition(step="staff", reasoned=False), bare)
    assert holds(overridden, with_reason) and not holds(overridden, bare)
    assert not holds(reasoned, {}) and not holds(overridden, {})

"""Properties of every shipped flow, over paths drawn at random.

- every path ends (within a generous bound) and every answer on it is recordable;
- no path gets past an interlock without a recorded override;
- replaying the recorded answers and amendments reaches the same state;
- the engine refuses invalid answers and changes nothing when it does;
- no choice is asked with only one possible answer.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_tui import dates
from incident_tui.flow.engine import (
    AnswerInput,
    EngineError,
    InterlockBlocked,
    InvariantBroken,
    Session,
    rationale_setting,
)
from incident_tui.flow.model import (
    ChecklistStep,
    ChoiceStep,
    ConfirmStep,
    Flow,
    Rationale,
    TextStep,
)
from tests.flow_driver import shipped_flows

SHIPPED = shipped_flows()
MAX_ANSWERS = 400
MAX_AMENDMENTS = 10

pytestmark = pytest.mark.skipif(not SHIPPED, reason="no shipped flows found")


def draw_answer(data: st.DataObject, session: Session) -> AnswerInput:
    """A valid answer to the current step, chosen at random."""
    step = session.current
    if isinstance(step, ConfirmStep):
        return AnswerInput(step.id, True, rationale="reason given")
    if isinstance(step, TextStep):
        text = "Short factual note" if step.format is None else dates.sample(step.format)
        return AnswerInput(step.id, text, rationale="reason given")
    if isinstance(step, ChecklistStep):
        if step.require == "all":
            return AnswerInput(step.id, [i.id for i in step.items], rationale="reason given")
        exclusive = [i for i in step.items if i.exclusive]
        others = [i.id for i in step.items if not i.exclusive]
        if exclusive and (not others or data.draw(st.booleans())):
            return AnswerInput(step.id, [data.draw(st.sampled_from(exclusive)).id])
        picked = data.draw(st.lists(st.sampled_from(others), min_size=1, unique=True))
        return AnswerInput(step.id, picked, rationale="reason given")
    assert isinstance(step, ChoiceStep)
    # a question with one possible answer is not asked (its `when`), or is a confirm
    assert len(session.choices()) > 1, f"{step.id}: asked with one possible answer"
    choice = data.draw(st.sampled_from(session.choices()))
    override, confirmed = None, ()
    if choice.interlock is not None:
        with pytest.raises(InterlockBlocked):
            session.check(AnswerInput(step.id, choice.id, rationale="reason given"))
        if not choice.interlock.overrides:
            # a hard stop: the user must choose differently
            allowed = [c for c in session.choices() if c.interlock is None]
            choice = data.draw(st.sampled_from(allowed))
        else:
            picked = data.draw(st.sampled_from(choice.interlock.overrides))
            override, confirmed = picked.id, tuple(c.id for c in picked.conditions)
    return AnswerInput(
        step.id, choice.id, rationale="reason given", override=override, confirmed=confirmed
    )


def walk(data: st.DataObject, flow: Flow) -> tuple[Session, list[tuple]]:
    session = Session(flow)
    log: list[tuple] = []
    ref = amendments = 0
    while not session.ended:
        assert len(log) - amendments < MAX_ANSWERS, f"{flow.id}: no end after {MAX_ANSWERS}"
        ref += 1
        wants_amendment = amendments < MAX_AMENDMENTS and data.draw(st.integers(0, 9)) == 0
        if session.decisions and wants_amendment:
            target = data.draw(st.sampled_from(session.decisions))
            amendment = _amendment_for(data, flow, session, target)
            if amendment is not None:
                amendments += 1
                try:
                    session.amend(target.ref, amendment, "corrected", ref=ref)
                except InvariantBroken:
                    continue  # a safety rule of the whole incident: not recorded
                log.append(("amend", target.ref, amendment, ref))
                continue
        may_refer = (
            flow.refer_now is not None
            and not session.referred_now
            and session.current.id != flow.refer_now.to
        )
        if may_refer and data.draw(st.integers(0, 29)) == 0:
            session.refer_now(ref=ref)
            log.append(("refer", ref))
            continue
        answer = draw_answer(data, session)
        try:
            session.answer(answer, ref=ref)
        except InvariantBroken:
            # e.g. the school's route after a correction undid the referral's trigger:
            # the way on is the referral route (tests/test_flow_invariants.py)
            if not may_refer:
                raise
            session.refer_now(ref=ref)
            log.append(("refer", ref))
            continue
        log.append(("answer", answer, ref))
    return session, log


def _amendment_for(data, flow: Flow, session: Session, target) -> AnswerInput | None:
    """Re-answer an earlier step in a way the engine accepts, or None."""
    if target.referred_now:
        return None
    replay = Session(flow)
    for decision in session.decisions:
        if decision.ref == target.ref:
            break
        if decision.referred_now:
            replay.refer_now(ref=decision.ref, replay=True)
        else:
            replay.answer(decision.answer, ref=decision.ref, replay=True)
    if replay.current.id != target.answer.step:
        return None
    return draw_answer(data, replay)


@pytest.mark.parametrize("flow_id", sorted(SHIPPED))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_path_ends_and_replays_to_the_same_state(flow_id: str, data: st.DataObject) -> None:
    flow = SHIPPED[flow_id]
    live, log = walk(data, flow)
    assert live.end is not None and live.end.outcome

    for decision in live.decisions:
        step = flow.step(decision.answer.step)
        if isinstance(step, ChoiceStep) and not decision.referred_now:
            choice = next(c for c in step.choices if c.id == decision.answer.value)
            if choice.interlock is not None:
                assert decision.answer.override, f"{step.id}: past an interlock with no override"

    replay = Session(flow)
    for entry in log:
        if entry[0] == "answer":
            replay.answer(entry[1], ref=entry[2])
        elif entry[0] == "refer":
            replay.refer_now(ref=entry[1])
        else:
            replay.amend(entry[1], entry[2], "corrected", ref=entry[3])
    assert replay.current.id == live.current.id
    assert replay.decisions == live.decisions
    assert replay.actions() == live.actions()
    assert replay.escalations() == live.escalations()


@pytest.mark.parametrize("flow_id", sorted(SHIPPED))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_invalid_answers_are_refused_and_change_nothing(flow_id: str, data: st.DataObject) -> None:
    flow = SHIPPED[flow_id]
    session = Session(flow)
    steps = 0
    while not session.ended and steps < 60:
        steps += 1
        before = (session.current.id, session.decisions)
        for bad in invalid_answers(session):
            with pytest.raises(EngineError):
                session.answer(bad)
            assert (session.current.id, session.decisions) == before
        session.answer(draw_answer(data, session))


def invalid_answers(session: Session) -> list[AnswerInput]:
    step = session.current
    bad = [
        AnswerInput("no-such-step", True),
        AnswerInput(step.id, None),
        AnswerInput(step.id, 42),  # type: ignore[arg-type]
    ]
    if isinstance(step, ConfirmStep):
        bad.append(AnswerInput(step.id, False))
    if isinstance(step, ChoiceStep):
        bad.append(AnswerInput(step.id, "no-such-choice", rationale="r"))
        bad.append(AnswerInput(step.id, [c.id for c in step.choices]))
        for choice in session.choices():
            needs = rationale_setting(step, choice)
            if needs is Rationale.required and choice.interlock is None:
                bad.append(AnswerInput(step.id, choice.id, rationale=" "))
            if choice.interlock is None:
                bad.append(AnswerInput(step.id, choice.id, rationale="r", override="made-up"))
            elif choice.interlock.overrides:
                override = choice.interlock.overrides[0].id
                bad.append(AnswerInput(step.id, choice.id, rationale=None, override=override))
    if isinstance(step, ChecklistStep):
        bad.append(AnswerInput(step.id, ["no-such-item"]))
        if step.require == "all" and len(step.items) > 1:
            bad.append(AnswerInput(step.id, [step.items[0].id]))
    if isinstance(step, TextStep):
        bad.append(AnswerInput(step.id, "x" * (step.max_length + 1)))
    return bad

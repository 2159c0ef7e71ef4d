"""Drive a shipped flow through the engine along a planned path.

A plan names the answer for the steps that matter; every other step gets the
first answer that breaks no rule (confirm, the first offered choice with no
interlock, every item of an all-checklist or the first of an any-checklist, a
short text). Every answer carries a reason, so a required one is never missing.
"""

from __future__ import annotations

from incident_tui import dates
from incident_tui.flow.available import get_flow
from incident_tui.flow.engine import AnswerInput, AnswerValue, Session
from incident_tui.flow.loader import flow_files_in, load_all, shipped_flows_dir
from incident_tui.flow.model import ChecklistStep, ChoiceStep, ConfirmStep, Flow, TextStep

REASON = "Reason given"


def shipped_flows() -> dict[str, Flow]:
    """The shipped flows by id, sorted: the developer's own config folder is no part of a test."""
    loaded, _ = load_all(flow_files_in(shipped_flows_dir()))
    return {flow_id: one.flow for flow_id, one in sorted(loaded.items())}


def default_answer(session: Session) -> AnswerValue:
    step = session.current
    if isinstance(step, ConfirmStep):
        return True
    if isinstance(step, ChoiceStep):
        return next(c.id for c in session.choices() if c.interlock is None)
    if isinstance(step, ChecklistStep):
        ids = [i.id for i in step.items]
        return ids if step.require == "all" else ids[:1]
    assert isinstance(step, TextStep)
    return "Short note" if step.format is None else dates.sample(step.format)


def drive(flow: Flow | str, plan: dict[str, AnswerValue], stop_at: str | None = None) -> Session:
    """Answer along the plan until the flow ends (or `stop_at` is the current step)."""
    session = Session(get_flow(flow).flow if isinstance(flow, str) else flow)
    for _ in range(300):
        if session.ended or session.current.id == stop_at:
            return session
        step_id = session.current.id
        value = plan[step_id] if step_id in plan else default_answer(session)
        session.answer(AnswerInput(step_id, value, REASON))
    raise AssertionError(f"no end after 300 answers; at {session.current.id}")


def visited(session: Session) -> list[str]:
    return [d.answer.step for d in session.decisions]

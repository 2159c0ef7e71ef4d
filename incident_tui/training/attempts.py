"""Training attempts in the training store: opening one, recording its result, listing them.

A training attempt is an incident in the training store (mode "training"),
recorded by the same `Incident` class as a live one, so the trainee practises
on exactly what a live incident records. The `opened` event names the
trainee and the scenario; after the seal, a `note` event carries the score.
Past attempts are read back from those two events: the result list is as
tamper-evident as the rest of the record, and it never touches the live store.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_tui.errors import UserError
from incident_tui.flow.loader import LoadedFlow
from incident_tui.incident import Incident, flow_ref
from incident_tui.record.events import Actor, DataValue, Event, EventKind
from incident_tui.record.store import Store
from incident_tui.settings import Settings
from incident_tui.training.debrief import minutes_between
from incident_tui.training.scenario import Scenario
from incident_tui.training.scoring import Grade

TRAINEE_ROLE = "trainee"
RESULT_MARK = "training-result"


def _require_training(store: Store) -> None:
    if store.mode != "training":
        raise UserError("training attempts are recorded in the training store only")


def open_attempt(
    store: Store,
    loaded: LoadedFlow,
    scenario: Scenario,
    trainee: str,
    feedback: str,
    settings: Settings,
) -> Incident:
    """Open a training incident that names the trainee and the scenario."""
    _require_training(store)
    if loaded.flow.id != scenario.flow:
        raise UserError(f"scenario '{scenario.id}' runs on flow '{scenario.flow}'")
    actor = Actor(name=trainee.strip(), role=TRAINEE_ROLE)
    details: dict[str, DataValue] = {
        "pupil": "",
        "location": "training",
        "scenario": scenario.id,
        "scenario_title": scenario.title,
        "trainee": actor.name,
        "feedback": feedback,
    }
    row = store.new_incident(flow=flow_ref(loaded), actor=actor, details=details)
    incident = Incident(store, loaded, row, settings, actor)
    incident.events = store.events(row.id)
    return incident


def record_result(incident: Incident, scenario: Scenario, grade: Grade) -> Event:
    """Append the score as a note (after the seal, notes may still follow)."""
    _require_training(incident.store)
    missed = [j.step_id for j in grade.mattered_most()]
    event = incident.store.append(
        incident.row.id,
        kind=EventKind.note,
        actor=incident.actor,
        answer=(
            f"Training result for '{scenario.title}': {grade.score}/{grade.max_score} "
            f"({grade.percent}%), {'passed' if grade.passed else 'not yet passed'}"
        ),
        data={
            "mark": RESULT_MARK,
            "scenario": scenario.id,
            "score": grade.score,
            "max_score": grade.max_score,
            "percent": grade.percent,
            "passed": grade.passed,
            "decisions": grade.decisions,
            "missed": missed,
        },
        expect_prev=incident.head,
    )
    incident.events.append(event)
    return event


@dataclass(frozen=True)
class Attempt:
    """One past attempt, as a trainer lists them after a session."""

    reference: str
    trainee: str
    scenario: str
    scenario_title: str
    started: str
    finished: str | None
    score: int | None
    max_score: int | None
    percent: int | None
    passed: bool | None

    @property
    def complete(self) -> bool:
        return self.score is not None

    def minutes(self) -> int | None:
        return minutes_between(self.started, self.finished)


def attempt_of(events: list[Event], reference: str) -> Attempt | None:
    """An attempt from its events (None if the incident is not a training attempt)."""
    if not events or events[0].kind is not EventKind.opened:
        return None
    opened = events[0].data
    scenario = opened.get("scenario")
    if not isinstance(scenario, str):
        return None
    result = next(
        (
            e
            for e in reversed(events)
            if e.kind is EventKind.note and e.data.get("mark") == RESULT_MARK
        ),
        None,
    )
    sealed = next((e for e in events if e.kind is EventKind.sealed), None)

    def number(key: str) -> int | None:
        value = result.data.get(key) if result else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    passed = result.data.get("passed") if result else None
    title = opened.get("scenario_title")
    trainee = opened.get("trainee")
    return Attempt(
        reference=reference,
        trainee=trainee if isinstance(trainee, str) else events[0].actor.name,
        scenario=scenario,
        scenario_title=title if isinstance(title, str) else scenario,
        started=events[0].time,
        finished=sealed.time if sealed else None,
        score=number("score"),
        max_score=number("max_score"),
        percent=number("percent"),
        passed=passed if isinstance(passed, bool) else None,
    )


def past_attempts(store: Store) -> list[Attempt]:
    """Every training attempt in the store, oldest first."""
    _require_training(store)
    attempts: list[Attempt] = []
    for row in store.rows():
        try:
            events = store.events(row.id)
        except UserError:
            continue  # a damaged file: `incident-tui verify` reports it
        attempt = attempt_of(events, row.reference)
        if attempt is not None:
            attempts.append(attempt)
    return attempts


__all__ = ["Attempt", "attempt_of", "open_attempt", "past_attempts", "record_result"]

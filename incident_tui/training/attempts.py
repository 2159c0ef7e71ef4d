"""Training attempts in the training store: one in progress, its result, listing them.

`TrainingAttempt` plays for an attempt the part `Incident` plays for a live
incident: the screens show what it says and tell it what happened; it decides
which decisions are judged (each key decision once, the first time it is made,
where its expectation applies), which facts are revealed, and at the end grades,
seals and records the score. Nothing here imports Textual.

A training attempt is an incident in the training store (mode "training"),
recorded by the same `Incident` class as a live one, so the trainee practises
on exactly what a live incident records. The `opened` event names the
trainee and the scenario; after the seal, a `note` event carries the score.
Past attempts are read back from those two events: the result list is as
tamper-evident as the rest of the record, and it never touches the live store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from incident_tui.errors import UserError
from incident_tui.flow.engine import EngineError
from incident_tui.flow.loader import LoadedFlow
from incident_tui.incident import Incident, flow_ref
from incident_tui.record.chronology import amended_seq, answer_words
from incident_tui.record.events import Actor, DataValue, Event, EventKind
from incident_tui.record.store import Store
from incident_tui.settings import Settings
from incident_tui.training.debrief import Correction, Debrief, minutes_between
from incident_tui.training.scenario import LoadedScenario, Scenario
from incident_tui.training.scoring import Grade, Judgement, applies, grade, judge

TRAINEE_ROLE = "trainee"
RESULT_MARK = "training-result"
FEEDBACK_EACH = "each"
"""Feedback after each key decision."""
FEEDBACK_END = "end"
"""Feedback only at the end, in the debrief."""


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
    login: str | None = None,
) -> Incident:
    """Open a training incident that names the trainee and the scenario; on a school
    server `login` is the signed-in person running it (the trainee, or their trainer)."""
    _require_training(store)
    if loaded.flow.id != scenario.flow:
        raise UserError(f"scenario '{scenario.id}' runs on flow '{scenario.flow}'")
    actor = Actor(name=trainee.strip(), role=TRAINEE_ROLE, login=login)
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


@dataclass
class TrainingAttempt:
    """One attempt in progress: the scenario, its incident, and what the trainee has seen."""

    incident: Incident
    loaded: LoadedScenario
    flow: LoadedFlow
    trainee: str
    feedback: str
    """FEEDBACK_EACH or FEEDBACK_END, as the trainer chose."""
    revealed: list[str] = field(default_factory=list)
    """The facts shown so far, in the order they were revealed."""
    judged: dict[str, Judgement] = field(default_factory=dict)
    """The key decisions judged so far, by step id (each is judged once)."""
    _seen: set[int] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        store: Store,
        flow: LoadedFlow,
        loaded: LoadedScenario,
        trainee: str,
        feedback: str,
        settings: Settings,
        login: str | None = None,
    ) -> TrainingAttempt:
        """Open the attempt's incident in the training store (UserError if it cannot be)."""
        incident = open_attempt(store, flow, loaded.scenario, trainee, feedback, settings, login)
        return cls(incident, loaded, flow, trainee.strip(), feedback)

    @property
    def scenario(self) -> Scenario:
        return self.loaded.scenario

    @property
    def feedback_each(self) -> bool:
        return self.feedback == FEEDBACK_EACH

    @property
    def ended(self) -> bool:
        return self.incident.session.ended

    def judge_new_decisions(self) -> list[Judgement]:
        """Judge each key decision made since the last call, the first time it is made."""
        session = self.incident.session
        judged: list[Judgement] = []
        for decision in session.decisions:
            if decision.ref in self._seen:
                continue
            self._seen.add(decision.ref)
            step_id = decision.answer.step
            expectation = self.scenario.expectation_for(step_id)
            if expectation is None or step_id in self.judged:
                continue
            if not applies(expectation, session.answers):
                continue
            judgement = judge(
                self.scenario, self.flow.flow, expectation, decision.answer, self.incident.settings
            )
            self.judged[step_id] = judgement
            judged.append(judgement)
        return judged

    def reveal_facts(self) -> list[str]:
        """The facts newly revealed by the steps answered and the one on screen."""
        session = self.incident.session
        answered = {d.answer.step for d in session.decisions} | {session.current.id}
        new = [
            fact.text
            for fact in self.scenario.facts
            if fact.at in answered and fact.text not in self.revealed
        ]
        self.revealed.extend(new)
        return new

    def finish(self) -> tuple[Debrief, str | None]:
        """The procedure has ended: grade it, seal the incident, record the score.

        Returns the debrief, and why the seal or the score could not be saved (None
        when both were): the debrief is shown either way."""
        incident = self.incident
        end = incident.session.end
        if end is None:
            raise EngineError("the procedure has not reached an end yet")
        result = grade(
            self.scenario, self.flow.flow, incident.session.decisions, end.id, incident.settings
        )
        problem: str | None = None
        try:
            if not incident.sealed:
                incident.seal()
            record_result(incident, self.scenario, result)
        except (UserError, EngineError) as exc:
            problem = exc.message if isinstance(exc, UserError) else str(exc)
        sealed = next((e for e in incident.events if e.kind is EventKind.sealed), None)
        debrief = Debrief(
            scenario=self.scenario,
            grade=result,
            trainee=self.trainee,
            reference=incident.reference,
            started=incident.events[0].time,
            finished=sealed.time if sealed else None,
            outcome=incident.text(incident.session.outcome() or end.outcome),
            flow_title=self.flow.flow.title,
            corrections=corrections(incident.events),
        )
        return debrief, problem


def corrections(events: list[Event]) -> tuple[Correction, ...]:
    """Each correction in an attempt's record, with the answer it replaced."""
    by_seq = {event.seq: event for event in events}
    found: list[Correction] = []
    for event in events:
        if event.kind is not EventKind.amendment:
            continue
        seq = amended_seq(event)
        target = by_seq.get(seq) if seq is not None else None
        found.append(
            Correction(
                prompt=event.prompt or (target.prompt if target else None) or "-",
                was=answer_words(target) if target is not None else "-",
                now=answer_words(event),
                reason=str(event.data.get("reason", "")),
            )
        )
    return tuple(found)


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


__all__ = [
    "FEEDBACK_EACH",
    "FEEDBACK_END",
    "Attempt",
    "TrainingAttempt",
    "attempt_of",
    "open_attempt",
    "past_attempts",
    "record_result",
]

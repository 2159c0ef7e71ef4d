"""Grade a training run: each recorded decision against what the scenario expects.

Every expectation has a weight (a missed immediate referral or a broken
interlock counts more than a slower path). A key step the trainee never
reached counts as missed: an earlier decision took another route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from incident_tui.flow.engine import AnswerInput, Decision, holds
from incident_tui.flow.model import AnyStep, ChecklistStep, ChoiceStep, ConfirmStep, EndStep, Flow
from incident_tui.settings import Settings, fill
from incident_tui.training.scenario import Expectation, Scenario


class Status(StrEnum):
    right = "right"
    wrong = "wrong"
    not_reached = "not reached"


@dataclass(frozen=True)
class Judgement:
    """One key step: what was expected, what was done, and why it matters."""

    step_id: str
    prompt: str
    status: Status
    expected: str
    given: str
    why: str
    source: str
    weight: int
    kind: str
    mistake: str = ""
    """Extra feedback for the particular wrong choice made, if the scenario has one."""

    @property
    def points(self) -> int:
        return self.weight if self.status is Status.right else 0

    @property
    def right(self) -> bool:
        return self.status is Status.right

    def feedback(self) -> str:
        """What the trainee reads: right, or what was expected and why, with the source."""
        if self.right:
            head = f"Right: {self.expected}."
        elif self.status is Status.not_reached:
            head = (
                f"Not reached (an earlier decision took another route). Expected: {self.expected}."
            )
        else:
            head = f"Not what was expected. You chose: {self.given}. Expected: {self.expected}."
        parts = [head]
        if self.mistake:
            parts.append(self.mistake)
        parts.append(self.why)
        if self.source:
            parts.append(f"Source: {self.source}")
        return "\n".join(parts)


@dataclass(frozen=True)
class Grade:
    judgements: tuple[Judgement, ...]
    decisions: int
    ideal_steps: int | None
    slow_path_weight: int
    pass_percent: int

    @property
    def slow_path(self) -> bool:
        return self.ideal_steps is not None and self.decisions > self.ideal_steps

    @property
    def max_score(self) -> int:
        path = self.slow_path_weight if self.ideal_steps is not None else 0
        return sum(j.weight for j in self.judgements) + path

    @property
    def score(self) -> int:
        points = sum(j.points for j in self.judgements)
        if self.ideal_steps is not None and not self.slow_path:
            points += self.slow_path_weight
        return points

    @property
    def percent(self) -> int:
        if self.max_score == 0:
            return 100
        return round(100 * self.score / self.max_score)

    @property
    def passed(self) -> bool:
        return self.percent >= self.pass_percent

    def mattered_most(self) -> list[Judgement]:
        """The decisions missed, heaviest first (then in the order met)."""
        missed = [j for j in self.judgements if not j.right]
        return sorted(missed, key=lambda j: -j.weight)


def source_text(flow: Flow, expectation: Expectation) -> str:
    doc = flow.sources.get(expectation.source.ref)
    title = doc.title if doc else expectation.source.ref
    section = expectation.source.section
    return f"{title}, {section}" if section else title


def _choice_label(step: ChoiceStep, choice_id: str, settings: Settings) -> str:
    label = next((c.label for c in step.choices if c.id == choice_id), choice_id)
    return f"'{fill(label, settings)}'"


def _item_labels(step: ChecklistStep, ids: Sequence[str], settings: Settings) -> str:
    labels = [f"'{fill(i.label, settings)}'" for i in step.items if i.id in ids]
    return ", ".join(labels) or "nothing"


def _override_label(step: AnyStep, override_id: str, settings: Settings) -> str:
    if isinstance(step, ChoiceStep):
        for choice in step.choices:
            if choice.interlock is None:
                continue
            for override in choice.interlock.overrides:
                if override.id == override_id:
                    return fill(override.label, settings)
    return override_id


def expected_text(step: AnyStep, expectation: Expectation, settings: Settings) -> str:
    """What was expected, in the words on the screen."""
    if isinstance(step, EndStep):
        return f"reach the outcome '{fill(step.outcome, settings)}'"
    parts: list[str] = []
    if isinstance(step, ChoiceStep) and expectation.accepted():
        labels = [_choice_label(step, c, settings) for c in expectation.accepted()]
        parts.append(" or ".join(labels))
    elif isinstance(step, ConfirmStep):
        parts.append(f"confirm '{fill(step.prompt, settings)}'")
    if isinstance(step, ChecklistStep):
        if expectation.includes:
            parts.append("tick " + _item_labels(step, expectation.includes, settings))
        if expectation.excludes:
            parts.append("do not tick " + _item_labels(step, expectation.excludes, settings))
    if expectation.override:
        parts.append(f"recording the {_override_label(step, expectation.override, settings)}")
    return ", ".join(parts) or "answer this step"


def given_text(step: AnyStep, answer: AnswerInput | None, settings: Settings) -> str:
    if answer is None:
        return "not reached"
    value = answer.value
    text: str
    if isinstance(step, ChoiceStep) and isinstance(value, str):
        text = _choice_label(step, value, settings)
    elif isinstance(step, ChecklistStep) and isinstance(value, list):
        text = _item_labels(step, value, settings)
    elif isinstance(step, ConfirmStep):
        text = "confirmed" if value is True else "not confirmed"
    else:
        text = str(value or "")
    if answer.override:
        text += f", recording the {_override_label(step, answer.override, settings)}"
    return text


def meets(step: AnyStep, expectation: Expectation, answer: AnswerInput) -> bool:
    """Whether an answer is what the expectation asks for."""
    value = answer.value
    if isinstance(expectation.answer, bool):
        if value != expectation.answer:
            return False
    elif expectation.accepted() and value not in expectation.accepted():
        return False
    ticked = set(value) if isinstance(value, list) else set()
    if any(i not in ticked for i in expectation.includes):
        return False
    if any(i in ticked for i in expectation.excludes):
        return False
    return not (expectation.override and answer.override != expectation.override)


def applies(expectation: Expectation, answers: dict[str, AnswerInput]) -> bool:
    """Whether an expectation is scored on this path (see `Expectation.when`)."""
    return expectation.when is None or holds(expectation.when, answers)


def judge(
    scenario: Scenario,
    flow: Flow,
    expectation: Expectation,
    answer: AnswerInput | None,
    settings: Settings,
    *,
    reached: bool | None = None,
) -> Judgement:
    """One expectation against the answer given at its step (None: the step was not answered).

    For an end step, `reached` says whether the run ended there.
    """
    step = flow.step(expectation.step)
    if isinstance(step, EndStep):
        status = Status.right if reached else Status.not_reached
        given = "reached" if reached else "not reached"
    elif answer is None:
        status, given = Status.not_reached, "not reached"
    else:
        status = Status.right if meets(step, expectation, answer) else Status.wrong
        given = given_text(step, answer, settings)
    mistake = ""
    if status is Status.wrong and answer is not None and isinstance(answer.value, str):
        mistake = expectation.mistakes.get(answer.value, "")
    return Judgement(
        step_id=step.id,
        prompt=fill(step.prompt, settings),
        status=status,
        expected=expected_text(step, expectation, settings),
        given=given,
        why=fill(expectation.why, settings),
        source=source_text(flow, expectation),
        weight=scenario.weight_of(expectation),
        kind=expectation.kind.value,
        mistake=fill(mistake, settings),
    )


def grade(
    scenario: Scenario,
    flow: Flow,
    decisions: Sequence[Decision],
    end_step: str | None,
    settings: Settings | None = None,
) -> Grade:
    """Every expectation of the scenario against the decisions on the run's active path."""
    settings = (settings or Settings()).with_defaults(flow.contacts)
    answers: dict[str, AnswerInput] = {}
    latest: dict[str, AnswerInput] = {}
    for decision in decisions:  # a step met again (e.g. after waiting) is judged the first time
        if not decision.referred_now:  # "refer now" is not an answer to the step it left
            answers.setdefault(decision.answer.step, decision.answer)
            latest[decision.answer.step] = decision.answer
    judgements = [
        judge(
            scenario,
            flow,
            expectation,
            answers.get(expectation.step),
            settings,
            reached=end_step == expectation.step,
        )
        for expectation in scenario.expect
        if applies(expectation, latest)
    ]
    return Grade(
        judgements=tuple(judgements),
        decisions=len(decisions),
        ideal_steps=scenario.scoring.ideal_steps,
        slow_path_weight=scenario.scoring.slow_path_weight,
        pass_percent=scenario.scoring.pass_percent,
    )


__all__ = ["Grade", "Judgement", "Status", "applies", "expected_text", "grade", "judge", "meets"]

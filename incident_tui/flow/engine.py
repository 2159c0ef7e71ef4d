"""The engine: a pure state machine over a flow.

Given a flow and the answers so far it tells the current step, what may be
chosen, whether a rationale is needed, whether an interlock blocks, which
escalations are raised, and how the flow ended. It knows nothing of screens
or storage: the caller records each accepted answer and passes the record's
reference for it (`ref`), so that an amendment can name what it corrects.

Amendments: the corrected answer takes the place of the one it amends, and
the path is walked again from the start, consuming answers in order. Answers
for steps that are no longer on the path are kept in the history but are
inactive; the flow continues from wherever the corrected path now stops.
Replaying the same answers and amendments therefore always reaches the same
state as the live session did.

Skipped steps: a step with a `when` that does not hold when the walk reaches it
is not asked; the walk goes straight on to the step's own `next`.

Parts: a flow may be answered in parts (`role` on its steps: staff, the DSL, the
head). The session knows the part of the current step (`part`), counts progress
within it (`remaining_estimate`), and, given who is answering (`answerer`: which
parts they may answer), refuses any answer, correction or refer now at a step of
another part, with `PartRefused`. Replays are never refused: the record is history.

Invariants: the flow's safety rules (see `model.Invariant`) are checked against
the whole history before any answer, correction or refer-now is accepted; one
that would be broken raises `InvariantBroken`. Replaying what is already recorded
(`replay=True`) is not refused: the record is history.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from incident_tui import dates
from incident_tui.flow.model import (
    AnyStep,
    ChecklistStep,
    Choice,
    ChoiceStep,
    Condition,
    ConfirmStep,
    EndStep,
    Escalation,
    Flow,
    Interlock,
    Invariant,
    Next,
    Override,
    Rationale,
    TextStep,
)
from incident_tui.text_fields import AMENDMENT_REASON, RATIONALE, text_answer

AnswerValue = str | list[str] | bool | None


class EngineError(Exception):
    """An answer the flow does not allow. Nothing was changed.

    `str(exc)` names the step (for an answers file); `shown` is the refusal in the
    words of the screen the answer was typed into, and `about` says whether the
    answer itself or its reason is what needs changing."""

    def __init__(self, message: str, *, shown: str | None = None, about: str = "answer") -> None:
        super().__init__(message)
        self.shown = shown or message
        self.about = about


class InterlockBlocked(EngineError):
    """The choice breaks a rule: stop, choose differently, or record an allowed override."""

    def __init__(self, step: ChoiceStep, choice: Choice, interlock: Interlock) -> None:
        super().__init__(
            f"step '{step.id}': choosing '{choice.id}' breaks a rule: {interlock.rule}"
        )
        self.step = step
        self.choice = choice
        self.interlock = interlock


class InvariantBroken(EngineError):
    """The move would leave the incident breaking one of the flow's invariants."""

    def __init__(self, invariant: Invariant, step: str, answer: AnswerInput | None) -> None:
        where = f"step '{step}'" if answer is not None else f"refer now at step '{step}'"
        super().__init__(f"{where}: not allowed: {invariant.rule}")
        self.invariant = invariant
        self.step = step
        """The step answered or corrected, or where refer now was asked for."""
        self.answer = answer
        """The answer refused; None for a refer now."""


class PartRefused(EngineError):
    """The step belongs to a part the person answering may not answer (a member of
    staff at a DSL step, the head at anything but the head's)."""

    def __init__(self, step: str, part: str, title: str, what: str) -> None:
        super().__init__(
            f"step '{step}' is in another part of the procedure ({title}): {what} there "
            "is not yours to give; your part ends where it begins, and it is handed over"
        )
        self.step = step
        self.part = part


@dataclass(frozen=True)
class AnswerInput:
    """What the user decided at one step."""

    step: str
    value: AnswerValue
    """A choice id; checklist item ids; text; True for a confirm."""
    rationale: str | None = None
    override: str | None = None
    """The id of an allowed override, when the chosen option is interlocked."""
    confirmed: tuple[str, ...] = ()
    """The ids of the override's conditions the user confirmed: all are needed."""


@dataclass(frozen=True)
class Decision:
    """An answer on the active path, with the record reference it came from."""

    ref: int
    answer: AnswerInput
    amended: bool = False
    """True when this answer replaced an earlier one through an amendment."""
    referred_now: bool = False
    """Not an answer: "refer now" was taken at `answer.step`."""
    moved: int = 0
    """When this answer was given: its place in the order of the incident's moves
    (answers, corrections and refer-nows), 0 for the first."""


@dataclass
class _Entry:
    ref: int
    answer: AnswerInput
    amended: bool = False
    referred_now: bool = False
    moved: int = 0


@dataclass(frozen=True)
class Walk:
    """Where the answers lead: the active decisions and the step reached."""

    decisions: tuple[Decision, ...]
    current: AnyStep
    answers: dict[str, AnswerInput] = field(default_factory=dict)


def holds(condition: Condition, answers: dict[str, AnswerInput]) -> bool:
    """Whether a condition holds, given the latest answer to each step on the path."""
    return _holds(condition, lambda step: [answers[step]] if step in answers else [])


def held_ever(condition: Condition, given: dict[str, list[AnswerInput]]) -> bool:
    """Whether a condition holds over every answer ever given to each step: a test
    holds if any of them passes it (`answered = true`: any was given)."""
    return _holds(condition, lambda step: given.get(step, []))


def _holds(condition: Condition, answers_to: Callable[[str], list[AnswerInput]]) -> bool:
    if condition.any is not None:
        return any(_holds(c, answers_to) for c in condition.any)
    if condition.all is not None:
        return all(_holds(c, answers_to) for c in condition.all)
    if condition.not_ is not None:
        return not _holds(condition.not_, answers_to)
    assert condition.step is not None
    given = answers_to(condition.step)
    if condition.answered is not None:
        return bool(given) == condition.answered
    return any(_passes(condition, answer) for answer in given)


def _passes(condition: Condition, given: AnswerInput) -> bool:
    value = given.value
    if condition.is_ is not None:
        return value == condition.is_
    if condition.is_not is not None:
        return value != condition.is_not
    if condition.in_ is not None:
        return isinstance(value, str) and value in condition.in_
    if condition.includes is not None:
        return isinstance(value, list) and condition.includes in value
    if condition.reasoned is not None:
        return bool((given.rationale or "").strip()) == condition.reasoned
    if condition.overridden is not None:
        return given.override == condition.overridden
    return False


def breaks(invariant: Invariant, given: Sequence[AnswerInput | None], walk: Walk) -> bool:
    """Whether an incident breaks an invariant (see `model.Invariant`).

    `given`: every move in order, the answer given (answers and corrections alike)
    or None for a refer now; `walk`: where those moves lead now.
    """
    after = -1  # the move at which `once` first held; -1: from the start
    if invariant.once is not None:
        ever: dict[str, list[AnswerInput]] = {}
        if not held_ever(invariant.once, ever):
            for moved, answer in enumerate(given):
                if answer is None:
                    continue
                ever.setdefault(answer.step, []).append(answer)
                if held_ever(invariant.once, ever):
                    after = moved
                    break
            else:
                return False
    since = {
        d.answer.step: d.answer for d in walk.decisions if not d.referred_now and d.moved > after
    }
    if not holds(invariant.never, since):
        return False
    return invariant.unless is None or not holds(invariant.unless, walk.answers)


def resolve_next(target: Next, answers: dict[str, AnswerInput]) -> str:
    if isinstance(target, str):
        return target
    for route in target:
        if route.when is None or holds(route.when, answers):
            return route.to
    raise EngineError("no route applies (the last route must have no condition)")


def available_choices(step: ChoiceStep, answers: dict[str, AnswerInput]) -> list[Choice]:
    return [c for c in step.choices if c.when is None or holds(c.when, answers)]


def rationale_setting(step: AnyStep, choice: Choice | None = None) -> Rationale:
    if choice is not None and choice.rationale is not None:
        return choice.rationale
    return step.rationale


def rationale_prompt(step: AnyStep, choice: Choice | None = None) -> str:
    if choice is not None and choice.rationale_prompt:
        return choice.rationale_prompt
    return step.rationale_prompt or "Why? (your reason will be recorded)"


def find_override(interlock: Interlock, override_id: str) -> Override | None:
    return next((o for o in interlock.overrides if o.id == override_id), None)


class Session:
    """One run of a flow: answers in, state out."""

    def __init__(self, flow: Flow, answerer: Callable[[str], bool] | None = None) -> None:
        self.flow = flow
        self.answerer = answerer
        """Which parts the person answering may answer (None: every part). Changed
        when someone else takes the incident over."""
        self._entries: list[_Entry] = []
        self._given: list[AnswerInput | None] = []
        """Every move in order: the answer given, or None for a refer now."""
        self._amendment_refs: set[int] = set()
        self._walk = self._walk_entries()

    # --- state ------------------------------------------------------------

    @property
    def current(self) -> AnyStep:
        """The step to answer now, or the end step reached."""
        return self._walk.current

    @property
    def ended(self) -> bool:
        return isinstance(self._walk.current, EndStep)

    @property
    def part(self) -> str:
        """Who answers the current step: "staff", "dsl" or "head"."""
        return self.flow.part_of(self.current.id)

    def may_answer(self, step_id: str | None = None) -> bool:
        """Whether the person answering may answer `step_id` (default: the current step)."""
        part = self.flow.part_of(step_id or self.current.id)
        return self.answerer is None or self.answerer(part)

    def _own_part(self, step_id: str, what: str) -> None:
        if not self.may_answer(step_id):
            part = self.flow.part_of(step_id)
            words = self.flow.parts.get(part)
            title = words.title if words is not None else f"the {part} part"
            raise PartRefused(step_id, part, title, what)

    @property
    def end(self) -> EndStep | None:
        step = self._walk.current
        return step if isinstance(step, EndStep) else None

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The answers on the active path, in order."""
        return self._walk.decisions

    @property
    def answers(self) -> dict[str, AnswerInput]:
        """The latest active answer to each step."""
        return dict(self._walk.answers)

    def choices(self) -> list[Choice]:
        """What may be chosen at the current step (empty unless it is a choice step)."""
        step = self.current
        if isinstance(step, ChoiceStep):
            return available_choices(step, self._walk.answers)
        return []

    def escalations(self) -> list[Escalation]:
        """Escalations raised by the active answers, in the order raised."""
        raised: list[Escalation] = []
        for decision in self.decisions:
            if decision.referred_now:
                continue  # a refer-now raises nothing: the answers that follow say why
            found = escalations_of(self.flow.step(decision.answer.step), decision.answer)
            raised.extend(e for e in found if e not in raised)
        return raised

    @property
    def referred_now(self) -> bool:
        return any(d.referred_now for d in self.decisions)

    def check_refer_now(self) -> None:
        """Raise EngineError (or InvariantBroken) unless "refer now" can be taken here."""
        self._refer_now_possible()
        self._own_part(self.current.id, "refer now")
        entry = _Entry(-1, AnswerInput(self.current.id, None), referred_now=True)
        self._keep_invariants(_walk(self.flow, [entry], self._walk), None, self.current.id)

    def _refer_now_possible(self) -> None:
        refer = self.flow.refer_now
        if refer is None:
            raise EngineError("this procedure has no 'refer now' route")
        if self.ended:
            raise EngineError("the procedure has ended; record the referral as a note")
        if self.current.id == refer.to:
            raise EngineError("this is already the referral step")

    def refer_now(self, ref: int | None = None, *, replay: bool = False) -> list[Escalation]:
        """Leave the path for the referral route, from wherever the procedure is.

        `replay`: a refer now read back from the record (not refused for an invariant)."""
        self._refer_now_possible()
        if not replay:
            self._own_part(self.current.id, "refer now")
        already = self.escalations()
        step = self.current.id
        entry = _Entry(
            self._next_ref(ref), AnswerInput(step, None), referred_now=True, moved=len(self._given)
        )
        entries = [*self._entries, entry]
        walk = _walk(self.flow, [entry], self._walk)
        if not replay:
            self._keep_invariants(walk, None, step)
        self._entries = entries
        self._given.append(None)
        self._walk = walk
        return [e for e in self.escalations() if e not in already]

    def overrides(self) -> list[tuple[Decision, Override]]:
        used: list[tuple[Decision, Override]] = []
        for decision in self.decisions:
            step = self.flow.step(decision.answer.step)
            if decision.answer.override and isinstance(step, ChoiceStep):
                choice = _choice(step, decision.answer.value)
                if choice and choice.interlock:
                    override = find_override(choice.interlock, decision.answer.override)
                    if override:
                        used.append((decision, override))
        return used

    def outcome(self) -> str | None:
        """The outcome of the end reached: the first of its `outcomes` that holds on
        this path (e.g. the agency chosen), otherwise its `outcome`."""
        end = self.end
        if end is None:
            return None
        found = (o.text for o in end.outcomes if holds(o.when, self._walk.answers))
        return next(found, end.outcome)

    def actions(self) -> list[str]:
        """The follow-up actions of the end reached whose conditions hold."""
        end = self.end
        if end is None:
            return []
        return [a.text for a in end.actions if a.when is None or holds(a.when, self._walk.answers)]

    def remaining_estimate(self) -> int:
        """Fewest further steps to an end, or to the end of this part, from here
        (for a progress indicator: a person counts only their own part's steps)."""
        part = self.part if self.flow.has_parts else None
        return shortest_to_end(self.flow, self.current.id, within=part)

    # --- changes ----------------------------------------------------------

    def check(
        self, answer: AnswerInput, now: datetime | None = None, *, replay: bool = False
    ) -> AnswerInput:
        """Raise EngineError (InterlockBlocked, InvariantBroken) if `answer` is not
        allowed now; return it as it is to be recorded (see `as_recorded`)."""
        answer = self._validate(answer, now, replay)
        if not replay:
            entry = _Entry(-1, answer, moved=len(self._given))
            self._keep_invariants(_walk(self.flow, [entry], self._walk), answer, answer.step)
        return answer

    def _validate(self, answer: AnswerInput, now: datetime | None, replay: bool) -> AnswerInput:
        if self.ended:
            raise EngineError("the procedure has ended; nothing more can be answered")
        if answer.step != self.current.id:
            raise EngineError(f"step '{answer.step}' is not the current step ('{self.current.id}')")
        if not replay:
            self._own_part(answer.step, "an answer")
        validate_answer(self.current, answer, self._walk.answers, now)
        return as_recorded(self.current, answer, now, replay=replay)

    def answer(
        self,
        answer: AnswerInput,
        ref: int | None = None,
        now: datetime | None = None,
        *,
        replay: bool = False,
    ) -> list[Escalation]:
        """Accept an answer for the current step; returns escalations it raises.
        `now`: when it is given (default: the local time). `replay`: an answer read
        back from the record, whose date is not judged again against today and which
        is not refused for an invariant (the record is history)."""
        answer = self._validate(answer, now, replay)
        entry = _Entry(self._next_ref(ref), answer, moved=len(self._given))
        entries = [*self._entries, entry]
        walk = _walk(self.flow, [entry], self._walk)
        if not replay:
            self._keep_invariants(walk, answer, answer.step)
        self._entries = entries
        self._given.append(answer)
        self._walk = walk
        return escalations_of(self.flow.step(answer.step), answer)

    def amend(
        self,
        target_ref: int,
        answer: AnswerInput,
        reason: str,
        ref: int | None = None,
        now: datetime | None = None,
        *,
        replay: bool = False,
    ) -> list[Escalation]:
        """Correct an earlier active answer; the flow continues from the corrected path.

        `replay`: a correction read back from the record (dates not judged again, not
        refused for an invariant)."""
        if not reason.strip():
            raise EngineError("an amendment needs a reason")
        problem = AMENDMENT_REASON.problem(reason)
        if problem is not None:
            raise EngineError(problem)
        active = {d.ref: d for d in self.decisions}
        if target_ref not in active:
            raise EngineError(f"there is no active decision {target_ref} to amend")
        if active[target_ref].referred_now:
            raise EngineError("a 'refer now' is not an answer: it cannot be amended")
        if active[target_ref].answer.step != answer.step:
            raise EngineError(
                f"decision {target_ref} answered step '{active[target_ref].answer.step}', "
                f"not '{answer.step}'"
            )
        if not replay:
            self._own_part(answer.step, "a correction")
        index = next(i for i, e in enumerate(self._entries) if e.ref == target_ref)
        context = self._answers_before(index)
        validate_answer(self.flow.step(answer.step), answer, context, now)
        answer = as_recorded(self.flow.step(answer.step), answer, now, replay=replay)
        entries = list(self._entries)
        entries[index] = _Entry(target_ref, answer, amended=True, moved=len(self._given))
        new_ref = self._next_ref(ref)
        walk = _walk(self.flow, entries)
        if not replay:
            self._keep_invariants(walk, answer, answer.step)
        self._entries = entries
        self._given.append(answer)
        self._amendment_refs.add(new_ref)
        self._walk = walk
        return escalations_of(self.flow.step(answer.step), answer)

    # --- internals --------------------------------------------------------

    def _next_ref(self, ref: int | None) -> int:
        used = {e.ref for e in self._entries} | self._amendment_refs
        if ref is None:
            return max(used, default=-1) + 1
        if ref in used:
            raise EngineError(f"reference {ref} is already used")
        return ref

    def _answers_before(self, index: int) -> dict[str, AnswerInput]:
        """The active answers at the moment entry `index` was answered."""
        walk = _walk(self.flow, self._entries[:index])
        return walk.answers

    def _walk_entries(self) -> Walk:
        return _walk(self.flow, self._entries)

    def _keep_invariants(self, walk: Walk, answer: AnswerInput | None, step: str) -> None:
        """Raise InvariantBroken if the move giving `answer` (None: a refer now at
        `step`) and leading to `walk` would leave the incident breaking an invariant."""
        history = [*self._given, answer]
        for invariant in self.flow.invariants:
            if breaks(invariant, history, walk):
                raise InvariantBroken(invariant, step, answer)


def arrive(flow: Flow, step_id: str, answers: dict[str, AnswerInput]) -> AnyStep:
    """The step the walk stops at when it reaches `step_id`: past every step whose
    `when` does not hold, to that step's own `next`."""
    step = flow.step(step_id)
    seen = {step.id}
    while step.when is not None and not holds(step.when, answers):
        assert not isinstance(step, EndStep)  # the model forbids a `when` on an end
        if step.next is None:
            raise EngineError(f"step '{step.id}' is skipped but has no step-level next")
        following = flow.step(resolve_next(step.next, answers))
        if following.id in seen:
            raise EngineError(f"step '{step.id}': every step of a loop is skipped")
        seen.add(following.id)
        step = following
    return step


def _walk(flow: Flow, entries: Iterable[_Entry], after: Walk | None = None) -> Walk:
    """Walk the entries in order from the start, or on from `after` (the walk of the
    entries before them: a walk is a left fold, so appending costs one step)."""
    if after is None:
        answers: dict[str, AnswerInput] = {}
        current = arrive(flow, flow.start, answers)
        decisions: list[Decision] = []
    else:
        answers, current, decisions = dict(after.answers), after.current, list(after.decisions)
    for entry in entries:
        if isinstance(current, EndStep):
            break
        if entry.referred_now and flow.refer_now is not None:
            # sticky: a referral once started is never undone by a later correction
            decisions.append(
                Decision(entry.ref, entry.answer, referred_now=True, moved=entry.moved)
            )
            current = arrive(flow, flow.refer_now.to, answers)
            continue
        if entry.answer.step != current.id:
            continue  # no longer on the path after an amendment
        try:
            validate_answer(current, entry.answer, answers)
        except EngineError:
            continue  # an amendment made this answer unavailable: it must be given again
        answers[current.id] = entry.answer
        decisions.append(Decision(entry.ref, entry.answer, entry.amended, moved=entry.moved))
        current = arrive(flow, next_step_id(current, entry.answer, answers), answers)
    return Walk(tuple(decisions), current, answers)


def _choice(step: ChoiceStep, value: AnswerValue) -> Choice | None:
    return next((c for c in step.choices if c.id == value), None)


def next_step_id(step: AnyStep, answer: AnswerInput, answers: dict[str, AnswerInput]) -> str:
    """Where an accepted answer leads."""
    if isinstance(step, ChoiceStep):
        choice = _choice(step, answer.value)
        assert choice is not None
        if answer.override and choice.interlock:
            override = find_override(choice.interlock, answer.override)
            if override is not None and override.next is not None:
                return override.next
        target = choice.next if choice.next is not None else step.next
        assert target is not None
        return resolve_next(target, answers)
    assert not isinstance(step, EndStep)
    return resolve_next(step.next, answers)


def escalations_of(step: AnyStep, answer: AnswerInput) -> list[Escalation]:
    if isinstance(step, ChoiceStep):
        choice = _choice(step, answer.value)
        return [choice.escalation] if choice and choice.escalation else []
    if isinstance(step, ChecklistStep) and isinstance(answer.value, list):
        return [i.escalation for i in step.items if i.id in answer.value and i.escalation]
    return []


def answer_problem(step: AnyStep, answer: AnswerInput) -> EngineError | None:
    """What is missing or wrong in an answer as it is being given, before it is
    submitted (None: it is complete). The same rules as `validate_answer`, apart
    from the path taken: an interlocked choice is complete (the STOP comes when it
    is submitted) once any reason it needs is given."""
    try:
        validate_answer(step, answer, None)
    except InterlockBlocked as blocked:
        try:
            _check_rationale(step, blocked.choice, answer)
        except EngineError as exc:
            return exc
    except EngineError as exc:
        return exc
    return None


def validate_answer(
    step: AnyStep,
    answer: AnswerInput,
    answers: dict[str, AnswerInput] | None,
    now: datetime | None = None,
) -> None:
    """Raise EngineError unless `answer` is a complete, allowed answer to `step`
    (`answers`: the path so far, None to leave the path unchecked; `now`: the clock
    a date's example is taken from, default the local time)."""
    choice: Choice | None = None
    if isinstance(step, EndStep):
        raise EngineError(f"step '{step.id}' is an end: it takes no answer")
    if isinstance(step, ConfirmStep):
        if answer.value is not True:
            raise EngineError(
                f"step '{step.id}' must be confirmed explicitly",
                shown="Nothing is confirmed for you: press the confirm button to confirm it.",
            )
    elif isinstance(step, ChoiceStep):
        choice = _check_choice(step, answer, answers)
    elif isinstance(step, ChecklistStep):
        _check_checklist(step, answer)
    elif isinstance(step, TextStep):
        _check_text(step, answer, now)
    if answer.override is not None and (choice is None or choice.interlock is None):
        raise EngineError(f"step '{step.id}': there is nothing to override here")
    if answer.confirmed and answer.override is None:
        raise EngineError(
            f"step '{step.id}': conditions are confirmed only with an exception ('override')"
        )
    _check_rationale(step, choice, answer)


def _sentence(problem: str) -> str:
    """A problem as a sentence on its own: 'the reason is ...' -> 'The reason is ....'."""
    text = problem[:1].upper() + problem[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _check_rationale(step: AnyStep, choice: Choice | None, answer: AnswerInput) -> None:
    needs = rationale_setting(step, choice)
    if answer.override is not None:
        needs = Rationale.required  # an override always carries its reason
    if needs is Rationale.required and not (answer.rationale or "").strip():
        raise EngineError(
            f"step '{step.id}': a reason is required for this answer",
            shown="A reason is required for this answer: type it, then Enter.",
            about="reason",
        )
    if answer.rationale is not None:
        problem = RATIONALE.problem(answer.rationale)
        if problem is not None:
            raise EngineError(
                f"step '{step.id}': {problem}", shown=_sentence(problem), about="reason"
            )


def _check_choice(
    step: ChoiceStep, answer: AnswerInput, answers: dict[str, AnswerInput] | None
) -> Choice:
    if not isinstance(answer.value, str):
        raise EngineError(
            f"step '{step.id}' needs one choice",
            shown="Choose one of the answers first (1-9, or arrows and Enter).",
        )
    choice = _choice(step, answer.value)
    if choice is None:
        known = ", ".join(c.id for c in step.choices)
        raise EngineError(f"step '{step.id}' has no choice '{answer.value}' (choices: {known})")
    if answers is not None and choice not in available_choices(step, answers):
        raise EngineError(f"step '{step.id}': '{choice.id}' cannot be chosen on this path")
    if choice.interlock is not None:
        if answer.override is None:
            raise InterlockBlocked(step, choice, choice.interlock)
        override = find_override(choice.interlock, answer.override)
        if override is None:
            allowed = ", ".join(o.id for o in choice.interlock.overrides) or "none"
            raise EngineError(
                f"step '{step.id}': override '{answer.override}' is not allowed here "
                f"(allowed: {allowed})"
            )
        _check_confirmed(step, override, answer.confirmed)
    return choice


def _check_confirmed(step: ChoiceStep, override: Override, confirmed: tuple[str, ...]) -> None:
    """An exception stands only with every one of its conditions confirmed, by id."""
    known = [c.id for c in override.conditions]
    unknown = [c for c in confirmed if c not in known]
    if unknown:
        raise EngineError(
            f"step '{step.id}': the {override.label} has no condition "
            f"{', '.join(repr(c) for c in unknown)} (its conditions: {', '.join(known)})"
        )
    missing = [c for c in override.conditions if c.id not in confirmed]
    if missing:
        words = "; ".join(f"'{c.text}' ({c.id})" for c in missing)
        raise EngineError(
            f"step '{step.id}': the {override.label} needs every condition confirmed; "
            f"not confirmed: {words}"
        )


def _check_checklist(step: ChecklistStep, answer: AnswerInput) -> None:
    value = answer.value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise EngineError(f"step '{step.id}' needs a list of ticked items")
    known = {i.id for i in step.items}
    unknown = [v for v in value if v not in known]
    if unknown:
        raise EngineError(f"step '{step.id}' has no item {', '.join(map(repr, unknown))}")
    if len(set(value)) != len(value):
        raise EngineError(f"step '{step.id}': an item is ticked twice")
    if step.require == "all" and set(value) != known:
        missing = [i.label for i in step.items if i.id not in value]
        raise EngineError(
            f"step '{step.id}': every item must be ticked; not yet: {missing}",
            shown="Every item must be ticked before you can go on.",
        )
    if step.require == "any" and not value:
        raise EngineError(
            f"step '{step.id}': tick at least one item", shown="Tick at least one item."
        )
    exclusive = [i.id for i in step.items if i.exclusive and i.id in value]
    if exclusive and len(value) > 1:
        raise EngineError(f"step '{step.id}': '{exclusive[0]}' cannot be ticked with other items")


def _check_text(step: TextStep, answer: AnswerInput, now: datetime | None) -> None:
    value = answer.value
    if not isinstance(value, str):
        raise EngineError(f"step '{step.id}' needs a text answer")
    if not value.strip() and not step.optional:
        raise EngineError(f"step '{step.id}' needs an answer", shown="Please type an answer.")
    problem = text_answer(step.max_length).problem(value)
    if problem is not None:
        raise EngineError(f"step '{step.id}': {problem}", shown=_sentence(problem))
    if step.format is not None and value.strip():
        try:
            dates.normalised(value, step.format, now=now)
        except dates.DateProblem as exc:
            raise EngineError(f"step '{step.id}': {exc}", shown=_sentence(str(exc))) from None


def as_recorded(
    step: AnyStep, answer: AnswerInput, now: datetime | None = None, *, replay: bool = False
) -> AnswerInput:
    """A valid answer as it is recorded: a date typed DD/MM/YYYY is kept as YYYY-MM-DD.
    A date already past at `now` (default: the local time) is refused where the step
    takes only a future one, unless it is a `replay` of what was recorded."""
    if not isinstance(step, TextStep) or step.format is None:
        return answer
    if not isinstance(answer.value, str) or not answer.value.strip():
        return answer
    try:
        value = dates.normalised(
            answer.value, step.format, future=step.future and not replay, now=now
        )
    except dates.DateProblem as exc:
        raise EngineError(f"step '{step.id}': {exc}") from None
    return replace(answer, value=value)


def successors(step: AnyStep) -> list[str]:
    """Every step id this step can lead to, whatever the answers."""
    targets: list[Next] = []
    if isinstance(step, ChoiceStep):
        for choice in step.choices:
            targets.append(choice.next if choice.next is not None else step.next)  # type: ignore[arg-type]
            if choice.interlock:
                targets.extend(o.next for o in choice.interlock.overrides if o.next)
        if step.when is not None and step.next is not None:
            targets.append(step.next)  # skipped: the step's own next
    elif not isinstance(step, EndStep):
        targets.append(step.next)
    found: list[str] = []
    for target in targets:
        if target is None:
            continue
        ids = [target] if isinstance(target, str) else [r.to for r in target]
        found.extend(i for i in ids if i not in found)
    return found


def _skip_targets(step: AnyStep) -> list[str]:
    """Where the walk goes when it skips this step (none if it cannot be skipped)."""
    if step.when is None or isinstance(step, EndStep) or step.next is None:
        return []
    return [step.next] if isinstance(step.next, str) else [r.to for r in step.next]


def shortest_to_end(flow: Flow, start: str, within: str | None = None) -> int:
    """Fewest steps answered from `start` to any end (0 at an end); -1 if none is
    reachable. `start` is asked (it is where the walk stands); a later step that may
    be skipped costs nothing on the way past it. `within` a part ("staff", ...): a
    step of another part ends the count as an end does (it is someone else's)."""
    best: dict[str, int] = {start: 0}
    queue: deque[tuple[str, int]] = deque([(start, 0)])
    while queue:
        sid, distance = queue.popleft()
        if distance > best.get(sid, distance) or not flow.has_step(sid):
            continue
        step = flow.step(sid)
        elsewhere = within is not None and sid != start and flow.part_of(sid) != within
        if isinstance(step, EndStep) or elsewhere:
            return distance  # 0-1 breadth first: the first end taken off is the nearest
        skips = _skip_targets(step) if sid != start else []
        for target, cost in [(t, 0) for t in skips] + [(t, 1) for t in successors(step)]:
            if distance + cost < best.get(target, distance + cost + 1):
                best[target] = distance + cost
                if cost == 0:
                    queue.appendleft((target, distance))
                else:
                    queue.append((target, distance + 1))
    return -1

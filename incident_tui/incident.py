"""An incident in progress: the engine's state joined to the record it is written to.

Every change is checked by the engine first, then appended to the store
(durable before the call returns), and only then applied to the engine's
state. If the append fails, nothing moves on: the caller shows the error and
the user is still at the same step. If the event was saved and only the index
lagged behind, it counts as recorded and a warning waits in `take_warnings`.
Screens and the `run` command both go through this class, so they record
exactly the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from incident_tui import dates
from incident_tui.errors import UserError
from incident_tui.flow.engine import (
    AnswerInput,
    EngineError,
    InterlockBlocked,
    InvariantBroken,
    Session,
    as_recorded,
    find_override,
)
from incident_tui.flow.loader import LoadedFlow
from incident_tui.flow.model import AnyStep, ChecklistStep, ChoiceStep, Escalation, Flow
from incident_tui.record.events import (
    STOP_SHOWN_KEY,
    Actor,
    Answer,
    DataValue,
    Event,
    EventKind,
    FlowRef,
)
from incident_tui.record.pupils import event_is_pupil_amendment, pupils_data, pupils_problem
from incident_tui.record.references import utc_text
from incident_tui.record.storage import StoreWriteError
from incident_tui.record.store import IndexRow, Store
from incident_tui.settings import Settings, fill
from incident_tui.text_fields import (
    ACTOR_NAME,
    ACTOR_ROLE,
    LOCATION,
    NOTE,
)

if TYPE_CHECKING:
    from incident_tui.people import Person


class TextRefused(UserError):
    """A text that cannot be recorded (too long, control characters, blank name)."""


def checked_note(text: str) -> str:
    """A note's text as recorded (trimmed), or EngineError saying what is wrong."""
    text = text.strip()
    if not text:
        raise EngineError("a note needs some text")
    problem = NOTE.problem(text)
    if problem is not None:
        raise EngineError(problem)
    return text


def checked_actor(name: str, role: str, *, where: str = "") -> Actor:
    """The Actor for `name` and `role`, or TextRefused naming the field and why
    (blank, too long, control characters)."""
    prefix = f"{where}: " if where else ""
    for rule, text in ((ACTOR_NAME, name), (ACTOR_ROLE, role)):
        problem = rule.problem(text)
        if problem is not None:
            raise TextRefused(f"{prefix}{problem}")
    return Actor(name=name.strip(), role=role.strip())


@dataclass(frozen=True)
class Opening:
    """What the record needs when an incident is opened."""

    actor: Actor
    pupil: str
    """The school's reference for the pupil (the MIS id; '' when not known yet)."""
    location: str
    entered_from: str | None = None
    """Set when a paper record is entered from a file, not live on screen."""
    other_pupils: tuple[str, ...] = ()
    """Other pupils involved, by the school's reference only."""

    def check(self) -> None:
        """TextRefused naming the first field that cannot be recorded, and why."""
        checked_actor(self.actor.name, self.actor.role)
        problem = pupils_problem(self.pupil, self.other_pupils) or LOCATION.problem(self.location)
        if problem is not None:
            raise TextRefused(problem)

    def details(self) -> dict[str, DataValue]:
        details: dict[str, DataValue] = {
            **pupils_data(self.pupil, self.other_pupils),
            "location": self.location,
        }
        if self.entered_from:
            details["entered_from"] = self.entered_from
        return details


def not_continued_here(row: IndexRow) -> str | None:
    """Why an incident cannot be continued at this school (transferred in from the
    pupil's last school: reviewed here, never continued), or None."""
    if not row.origin:
        return None
    return (
        f"incident {row.reference} was transferred in from {row.origin} on "
        f"{utc_text(row.received)}: it can be reviewed here, never continued (its "
        "procedure was followed at that school)"
    )


def flow_ref(loaded: LoadedFlow) -> FlowRef:
    return FlowRef(id=loaded.flow.id, version=loaded.flow.version, hash=loaded.content_hash)


class Incident:
    """One incident: answer, amend, note and seal, each recorded before it takes effect."""

    def __init__(
        self, store: Store, loaded: LoadedFlow, row: IndexRow, settings: Settings, actor: Actor
    ) -> None:
        self.store = store
        self.loaded = loaded
        self.flow = loaded.flow
        self.row = row
        self.settings = settings.with_defaults(loaded.flow.contacts)
        """The school's settings, with the flow's own text for any contact not set there."""
        self.actor = actor
        self.session = Session(loaded.flow)
        self.events: list[Event] = []
        self.sealed = False
        self.person: Person | None = None
        """The signed-in person at the keys (None: one computer, typed names)."""
        self.in_parts = False
        """Whether the flow's parts are kept: each person answers only their own part
        and hands the incident over where it ends (off in training, where the trainee
        plays every part)."""
        self.warnings: list[str] = []
        """Saved, but something to tell the user (the index lagged); see `take_warnings`."""
        self.notes_only = False
        """Opened only to add notes to (`for_notes`): nothing else can be recorded."""

    # --- opening and resuming ----------------------------------------------

    @classmethod
    def open(
        cls, store: Store, loaded: LoadedFlow, opening: Opening, settings: Settings
    ) -> Incident:
        opening.check()
        lagged: StoreWriteError | None = None
        try:
            row = store.new_incident(
                flow=flow_ref(loaded), actor=opening.actor, details=opening.details(), hold=True
            )
        except StoreWriteError as exc:
            if exc.event is None:
                raise
            # opened and saved; only the index lags, and catches up at the next save
            lagged, row = exc, store.row(exc.event.incident)
        incident = cls(store, loaded, row, settings, opening.actor)
        incident.events = store.events(row.id)
        if lagged is not None:
            incident.warnings.append(lagged.message)
        return incident

    @classmethod
    def resume(
        cls, store: Store, loaded: LoadedFlow, reference: str, settings: Settings, actor: Actor
    ) -> Incident:
        """Rebuild the state from the record, exactly where it stopped, and continue it
        in this session (IncidentInUse, naming who, if another session has it open).
        An incident transferred in from another school is never continued here."""
        refusal = not_continued_here(store.row(reference))
        if refusal is not None:
            raise UserError(refusal)
        store.hold(store.row(reference).id, actor)
        row = store.row(reference)  # after `hold`, which brings the index up to date
        incident = cls(store, loaded, row, settings, actor)
        events = store.events(row.id)
        try:
            for event in events:
                incident._replay(event)
        except EngineError as exc:
            raise UserError(
                f"incident {row.reference} was recorded under {row.flow_id} version "
                f"{row.flow_version}, which no longer matches the installed procedure "
                f"(version {loaded.flow.version}): {exc}. Its record is intact; read it with "
                f"`incident-tui show {row.reference}`."
            ) from None
        incident.events = events
        return incident

    @classmethod
    def for_notes(
        cls, store: Store, loaded: LoadedFlow, reference: str, settings: Settings, actor: Actor
    ) -> Incident:
        """The incident as it stands, to add notes to without continuing it (whoever
        started it, after their part was handed over or it was sealed). Nothing is held:
        each note takes the incident for its one append, and only notes are recorded."""
        row = store.row(reference)
        incident = cls(store, loaded, row, settings, actor)
        incident.events = store.events(row.id)
        incident.notes_only = True
        return incident

    def _replay(self, event: Event) -> None:
        _replay_into(self.session, event)
        if event.kind is EventKind.sealed:
            self.sealed = True

    # --- state ---------------------------------------------------------------

    @property
    def reference(self) -> str:
        return self.row.reference

    @property
    def head(self) -> str:
        return self.events[-1].hash

    def text(self, raw: str) -> str:
        """Flow text with the school's own names and numbers filled in."""
        return fill(raw, self.settings)

    def escalations(self) -> list[Escalation]:
        return self.session.escalations()

    # --- parts (who answers which steps) ---------------------------------------

    def keep_parts(self, person: Person | None) -> None:
        """From now on, `person` (None: whoever took the part on one computer) answers
        only the parts permissions allow them, and hands over where theirs ends."""
        self.person = person
        self.in_parts = self.flow.has_parts
        self._bind()

    def _bind(self) -> None:
        from incident_tui.permissions import part_answerer

        answerer = part_answerer(self.person, holding=self.holding) if self.in_parts else None
        self.session.answerer = answerer

    def _last_part_event(self) -> Event | None:
        kinds = (EventKind.handover, EventKind.takeover)
        return next((e for e in reversed(self.events) if e.kind in kinds), None)

    @property
    def awaiting(self) -> str | None:
        """The part handed over and not yet taken ("dsl", "head"), or None."""
        last = self._last_part_event()
        if last is None or last.kind is not EventKind.handover:
            return None
        part = last.data.get("part")
        return part if isinstance(part, str) else None

    @property
    def holding(self) -> str:
        """The part last taken over (before any: the part the procedure starts in)."""
        taken = [e.data.get("part") for e in self.events if e.kind is EventKind.takeover]
        if taken and isinstance(taken[-1], str):
            return taken[-1]
        return self.flow.part_of(self.flow.start)

    def part_words(self, part: str) -> tuple[str, str]:
        """A part's title and what is said when it is done, from the flow."""
        words = self.flow.parts.get(part)  # type: ignore[call-overload]
        if words is None:
            return (f"The {part} part", "Your part is done.")
        return (self.text(words.title), self.text(words.done))

    def handover_due(self) -> bool:
        """Whether the walk has reached a step of a part the person at the keys does
        not answer: their part is done and the incident is to be handed over."""
        if not self.in_parts or self.sealed or self.awaiting is not None:
            return False
        return not self.session.may_answer()

    def hand_over(self) -> Event:
        """Record that this person's part is done and the next part is handed over
        (durable before this returns). Nobody answers again until it is taken over."""
        self._writable()
        if not self.handover_due():
            raise EngineError("there is nothing to hand over here: this part is yours")
        part = self.session.part
        title, _ = self.part_words(part)
        _, done = self.part_words(self.holding)
        event = self._append(
            EventKind.handover,
            step=self.session.current.id,
            prompt=done,
            data={"part": part, "handed_to": title},
        )
        return event

    def take_over(self, actor: Actor) -> Event:
        """Record that `actor` takes over the part handed over, and answer as them from
        here (refused by permissions before this for someone who may not)."""
        self._writable()
        part = self.awaiting
        if part is None:
            raise EngineError("this incident is not handed over: there is nothing to take over")
        words = self.flow.parts.get(part)  # type: ignore[call-overload]
        asked = self.text(words.take_over) if words is not None and words.take_over else None
        title, _ = self.part_words(part)
        before, self.actor = self.actor, actor
        try:
            event = self._append(
                EventKind.takeover,
                step=self.session.current.id,
                prompt=asked,
                data={"part": part, "taken_part": title},
            )
        except BaseException:
            self.actor = before
            raise
        self._bind()
        return event

    # --- changes -------------------------------------------------------------

    def submit(self, answer: AnswerInput) -> list[Escalation]:
        """Record an answer to the current step; returns newly raised escalations."""
        self._writable()
        now = dates.now()  # one moment for the check and the answer, so they agree
        answer = self.session.check(answer, now)  # a date as YYYY-MM-DD, however typed
        step = self.session.current
        data = self._shown(step, answer)
        if answer.override:
            data.update(self._override_data(step, answer))
        already = self.session.escalations()
        event = self._append(
            EventKind.override if answer.override else EventKind.answer,
            step=step.id,
            prompt=self.text(step.prompt),
            answer=answer.value,
            rationale=answer.rationale,
            data=data,
        )
        self.session.answer(answer, ref=event.seq, now=now)
        return self._record_escalations(step.id, already)

    def amend(self, target_seq: int, answer: AnswerInput, reason: str) -> list[Escalation]:
        """Correct an earlier decision: a new event, never an edit."""
        self._writable()
        trial = Session(self.flow, self.session.answerer)
        for event in self.events:
            _replay_into(trial, event)
        now = dates.now()
        trial.amend(target_seq, answer, reason, now=now)  # raises before anything is written
        step = self.flow.step(answer.step)
        answer = as_recorded(step, answer, now)
        already = self.session.escalations()
        data = {"amends": target_seq, "reason": reason.strip(), **self._shown(step, answer)}
        if answer.override:
            data.update(self._override_data(step, answer))
        event = self._append(
            EventKind.amendment,
            step=step.id,
            prompt=self.text(step.prompt),
            answer=answer.value,
            rationale=answer.rationale,
            data=data,
        )
        self.session.amend(target_seq, answer, reason, ref=event.seq, now=now)
        return self._record_escalations(step.id, already)

    def refer_now(self) -> Event:
        """Take the flow's "refer now" route from the current step; recorded first.

        Recorded as its own kind of event, not as an escalation: the agency is chosen,
        with the reason, at the referral step that follows (its answer says
        `referred_to`), and an escalation is recorded only where an answer raised one."""
        self._writable()
        self.session.check_refer_now()
        refer = self.flow.refer_now
        assert refer is not None
        event = self._append(
            EventKind.refer_now,
            step=self.session.current.id,
            prompt=self.text(refer.label),
            data={"to": refer.to},
        )
        self.session.refer_now(ref=event.seq)
        return event

    def stop_shown(self, blocked: InterlockBlocked | InvariantBroken) -> Event:
        """Record that a STOP was shown. The choice is not an answer (the engine refused
        it), but that someone reached for it belongs in the chronology the DSL reads.

        A STOP for an invariant (the procedure's safety rules over the whole incident,
        corrections included) is noted the same way, naming the invariant."""
        self._writable()
        if isinstance(blocked, InterlockBlocked):
            choice = blocked.choice
            text = (
                f"STOP shown: '{self.text(choice.label)}' was chosen, which would break the "
                f"rule: {self.text(blocked.interlock.rule)}"
            )
            return self._append(
                EventKind.note,
                step=self.session.current.id,
                answer=text,
                data={STOP_SHOWN_KEY: choice.id},
            )
        what = self.refused_text(blocked)
        text = (
            f"STOP shown: {what}, which would break the rule: {self.text(blocked.invariant.rule)}"
        )
        stopped = blocked.answer.value if blocked.answer is not None else None
        data: dict[str, DataValue] = {
            STOP_SHOWN_KEY: stopped if isinstance(stopped, str) else blocked.step,
            "invariant": blocked.invariant.id,
        }
        return self._append(EventKind.note, step=blocked.step, answer=text, data=data)

    def refused_text(self, broken: InvariantBroken) -> str:
        """What was reached for, in words: the choice, items or answer, or refer now."""
        answer = broken.answer
        if answer is None:
            return "refer now was chosen"
        step = self.flow.step(broken.step)
        labels = self._shown(step, answer).get("answer_text")
        if isinstance(labels, list) and labels:
            shown = ", ".join(f"'{label}'" for label in labels if isinstance(label, str))
            return f"{shown} was chosen at '{self.text(step.prompt)}'"
        return f"an answer to '{self.text(step.prompt)}' was given"

    def note(self, text: str) -> Event:
        return self._append(EventKind.note, answer=checked_note(text))

    def seal(self) -> Event:
        """Close the incident once the procedure has reached an end."""
        self._writable()
        end = self.session.end
        if end is None:
            raise EngineError("the procedure has not reached an end yet")
        if self.handover_due() or self.awaiting is not None:
            raise EngineError("this end is in another part of the procedure: hand it over")
        outcome = self.text(self.session.outcome() or end.outcome)
        event = self._append(
            EventKind.sealed,
            step=end.id,
            prompt=self.text(end.prompt),
            answer=outcome,
            data={
                "outcome": outcome,
                "actions": [self.text(a) for a in self.session.actions()],
            },
        )
        self.sealed = True
        return event

    # --- internals -------------------------------------------------------------

    def _writable(self) -> None:
        if self.sealed:
            raise EngineError("this incident is sealed: only notes and the DSL's review can follow")

    def _append(
        self,
        kind: EventKind,
        *,
        step: str | None = None,
        prompt: str | None = None,
        answer: Answer = None,
        rationale: str | None = None,
        data: dict[str, DataValue] | None = None,
    ) -> Event:
        if self.notes_only and kind is not EventKind.note:
            raise EngineError(
                f"incident {self.reference} is open here only to add notes: it is continued "
                "by whoever has it now"
            )
        try:
            event = self.store.append(
                self.row.id,
                kind=kind,
                actor=self.actor,
                step=step,
                prompt=prompt,
                answer=answer,
                rationale=rationale,
                data=data,
                expect_prev=self.head,
            )
        except StoreWriteError as exc:
            if exc.event is None:
                raise
            # The event is in the incident's file; only the index lags behind and
            # catches up at the next save. Treating it as lost would make the retry
            # clash with the event already recorded.
            event = exc.event
            self.warnings.append(exc.message)
        self.events.append(event)
        return event

    def take_warnings(self) -> list[str]:
        """What to tell the user about saves since the last call (each said once)."""
        taken, self.warnings = self.warnings, []
        return taken

    def _shown(self, step: AnyStep, answer: AnswerInput) -> dict[str, DataValue]:
        """The wording of the chosen option(s) as shown, beside the ids the engine uses."""
        if isinstance(step, ChoiceStep):
            labels = [c.label for c in step.choices if c.id == answer.value]
        elif isinstance(step, ChecklistStep) and isinstance(answer.value, list):
            labels = [i.label for i in step.items if i.id in answer.value]
        else:
            return {}
        shown = [self.text(label) for label in labels]
        data: dict[str, DataValue] = {"answer_text": shown}
        refer = self.flow.refer_now
        if refer is not None and step.id == refer.to:
            data["referred_to"] = shown  # the agency chosen; the reason is the rationale
        return data

    def _override_data(self, step: object, answer: AnswerInput) -> dict[str, DataValue]:
        assert isinstance(step, ChoiceStep)
        choice = next(c for c in step.choices if c.id == answer.value)
        assert choice.interlock is not None and answer.override is not None
        override = find_override(choice.interlock, answer.override)
        assert override is not None
        confirmed = [c for c in override.conditions if c.id in answer.confirmed]
        return {
            "override": override.id,
            "override_label": override.label,
            "rule": self.text(choice.interlock.rule),
            "conditions": [self.text(c.text) for c in confirmed],
            "confirmed": [c.id for c in confirmed],
        }

    def _record_escalations(self, step_id: str, already: list[Escalation]) -> list[Escalation]:
        raised = [e for e in self.session.escalations() if e not in already]
        for escalation in raised:
            self._append(EventKind.escalation, step=step_id, data=self._escalation_data(escalation))
        return raised

    def _escalation_data(self, escalation: Escalation) -> dict[str, DataValue]:
        return {
            "message": self.text(escalation.message),
            "contact": escalation.contact,
            "call": self.text(f"{{contacts.{escalation.contact}}}"),
        }


def _answer_of(event: Event, flow: Flow) -> AnswerInput:
    override = event.data.get("override")
    confirmed = event.data.get("confirmed")
    if isinstance(override, str) and not isinstance(confirmed, list):
        # recorded before conditions were confirmed by id: the screens had every one ticked
        confirmed = _all_conditions(flow, event, override)
    return AnswerInput(
        step=event.step or "",
        value=event.answer,
        rationale=event.rationale,
        override=override if isinstance(override, str) else None,
        confirmed=tuple(confirmed) if isinstance(confirmed, list) else (),
    )


def _all_conditions(flow: Flow, event: Event, override_id: str) -> list[str]:
    step = flow.step(event.step) if event.step and flow.has_step(event.step) else None
    if not isinstance(step, ChoiceStep):
        return []
    choice = next((c for c in step.choices if c.id == event.answer), None)
    found = find_override(choice.interlock, override_id) if choice and choice.interlock else None
    return [c.id for c in found.conditions] if found else []


def _replay_into(session: Session, event: Event) -> None:
    """Apply one recorded event to an engine session, as it was applied live."""
    amends = event.data.get("amends")
    # what is recorded is history: replayed, never refused for an invariant or a date
    legacy_refer_now = event.kind is EventKind.escalation and event.data.get("refer_now") is True
    if event.kind is EventKind.refer_now or legacy_refer_now:
        session.refer_now(ref=event.seq, replay=True)
    elif event.kind in (EventKind.answer, EventKind.override):
        session.answer(_answer_of(event, session.flow), ref=event.seq, replay=True)
    elif (
        event.kind is EventKind.amendment
        and isinstance(amends, int)
        and not event_is_pupil_amendment(event)  # the pupils named: no answer changes
    ):
        reason = str(event.data.get("reason") or "")
        answer = _answer_of(event, session.flow)
        session.amend(amends, answer, reason, ref=event.seq, replay=True)


__all__ = ["Incident", "Opening", "flow_ref"]

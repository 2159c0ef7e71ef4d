"""Words for the screens, worked out from the flow and the record.

Pure functions: no Textual here, so they are quick to test. Every text that
comes from a flow goes through `fill`, so the school's own names and numbers
appear on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_tui.flow.engine import AnswerValue, Decision
from incident_tui.flow.model import (
    AnyStep,
    ChecklistStep,
    ChoiceStep,
    ConfirmStep,
    Escalation,
    Flow,
    SourceRef,
)
from incident_tui.record.events import Event, EventKind
from incident_tui.safe_text import printable
from incident_tui.settings import Settings, contact, fill


def answer_text(step: AnyStep, value: AnswerValue, settings: Settings) -> str:
    """An answer as the user saw it: a choice's label, ticked items, the text typed."""
    if isinstance(step, ChoiceStep):
        label = next((c.label for c in step.choices if c.id == value), str(value))
        return fill(label, settings)
    if isinstance(step, ChecklistStep):
        ticked = value if isinstance(value, list) else []
        labels = [fill(i.label, settings) for i in step.items if i.id in ticked]
        return "; ".join(labels) or "nothing ticked"
    if isinstance(step, ConfirmStep):
        return "Confirmed" if value is True else "Not confirmed"
    # a text step: the engine records answers to no other kind (an end is not answered)
    return printable(str(value or ""))


def sources_text(flow: Flow, refs: list[SourceRef]) -> str:
    """'Source: <title>, <section>' for each reference, in small print."""
    parts: list[str] = []
    for ref in refs:
        doc = flow.sources.get(ref.ref)
        title = doc.title if doc else ref.ref
        parts.append(f"{title}, {ref.section}" if ref.section else title)
    return ("Source: " + "; ".join(parts)) if parts else ""


def short_time(iso: str) -> str:
    """HH:MM from an ISO UTC time, in local time (what the user's clock shows)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:16]
    return moment.astimezone().strftime("%H:%M")


def when_text(iso: str) -> str:
    """Day and time from an ISO UTC time, in local time."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso[:16]
    return moment.astimezone().strftime("%d %b %H:%M")


def last_answer_text(flow: Flow | None, step_id: str | None, settings: Settings) -> str:
    """Where an unfinished incident stopped, in the words of the last step answered."""
    if step_id is None:
        return "no answer yet"
    if flow is None or not flow.has_step(step_id):
        return f"last answer at step '{step_id}'"
    prompt = fill(flow.step(step_id).prompt, settings.with_defaults(flow.contacts))
    prompt = " ".join(prompt.split())
    if len(prompt) > 48:
        prompt = prompt[:47].rstrip() + "…"
    return f"last answer: {prompt}"


@dataclass(frozen=True)
class DecisionLine:
    """One decision as listed in the side panel and the summary."""

    ref: int
    time: str
    step_id: str
    prompt: str
    answer: str
    amended: bool
    overridden: bool
    correctable: bool = True
    """False for a "refer now", which is not an answer and cannot be amended."""


def decision_lines(
    flow: Flow, decisions: tuple[Decision, ...], times: dict[int, str], settings: Settings
) -> list[DecisionLine]:
    lines: list[DecisionLine] = []
    for decision in decisions:
        step = flow.step(decision.answer.step)
        if decision.referred_now and flow.refer_now is not None:
            lines.append(
                DecisionLine(
                    ref=decision.ref,
                    time=short_time(times.get(decision.ref, "")),
                    step_id=step.id,
                    prompt="REFER NOW",
                    answer=fill(flow.refer_now.label, settings),
                    amended=False,
                    overridden=False,
                    correctable=False,
                )
            )
            continue
        lines.append(
            DecisionLine(
                ref=decision.ref,
                time=short_time(times.get(decision.ref, "")),
                step_id=step.id,
                prompt=fill(step.prompt, settings),
                answer=answer_text(step, decision.answer.value, settings),
                amended=decision.amended,
                overridden=decision.answer.override is not None,
            )
        )
    return lines


@dataclass(frozen=True)
class NoteLine:
    """A note or an escalation in the side panel, beside the decisions it came among."""

    seq: int
    time: str
    text: str
    label: str = "NOTE"


def note_lines(events: list[Event]) -> list[NoteLine]:
    """Notes and escalations as recorded, in full (the banner shows escalations cut short)."""
    lines: list[NoteLine] = []
    for event in events:
        if event.kind is EventKind.note:
            text = printable(str(event.answer or ""))
            lines.append(NoteLine(event.seq, short_time(event.time), text))
        elif event.kind is EventKind.escalation and event.data.get("message"):
            text = printable(f"{event.data['message']} Call: {event.data.get('call') or ''}")
            lines.append(NoteLine(event.seq, short_time(event.time), text, "ESCALATION"))
    return lines


def progress_text(answered: int, remaining: int) -> str:
    """How far through: answered so far and the fewest steps still to come."""
    if remaining <= 0:
        return f"{answered} answered · at the end"
    step_word = "step" if remaining == 1 else "steps"
    return f"{answered} answered · at least {remaining} {step_word} to go"


def escalation_banner_lines(
    escalations: list[Escalation], settings: Settings, most: int = 3
) -> list[str]:
    """The banner's lines, wrapped on screen, never cut: a number to call is whole.

    The latest escalation in full (its message, and who to call unless the message
    already names them); each earlier one as who to call only, each contact once, so
    that the step below stays in view. Every message is in full in the decisions
    panel. Beyond `most` lines, the last says how many more there are.
    """
    if not escalations:
        return []
    *earlier, latest = escalations
    call, message = contact(settings, latest.contact), fill(latest.message, settings)
    lines = [
        f"ESCALATION · {message}" if call in message else f"ESCALATION · Call {call} · {message}"
    ]
    called = {call}
    for e in reversed(earlier):
        call = contact(settings, e.contact)
        if call not in called:
            called.add(call)
            lines.append(f"ESCALATION · Call {call} (in full in the decisions panel, F2)")
    if len(lines) > most:
        hidden = len(lines) - (most - 1)
        lines = lines[: most - 1] + [
            f"ESCALATION · {hidden} more: each is listed in full in the decisions panel (F2)"
        ]
    return lines


def seal_code_fallback(event_hash: str) -> str:
    """XXXXX-XXXXX from the first ten hex digits of the sealed event's hash."""
    digits = event_hash[:10].upper()
    return f"{digits[:5]}-{digits[5:]}"


def seal_code_of(event_hash: str) -> str:
    try:
        from incident_tui.record.references import seal_code
    except ImportError:  # the record's own formatter, when installed
        return seal_code_fallback(event_hash)
    return str(seal_code(event_hash))

"""The chronology as blocks of text for the DSL's incident screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from incident_tui.errors import UserError
from incident_tui.record.events import Event, EventKind
from incident_tui.record.export import answer_text, value_text
from incident_tui.record.references import local_short
from incident_tui.review.catalogue import decision_label, review_decisions

# --- the chronology, for the screen -----------------------------------------


@dataclass(frozen=True)
class ChronologyEntry:
    """One block of the chronology as text; `style` is a second cue, never the only one."""

    style: Literal["plain", "stop", "escalation", "amendment", "review", "sealed"]
    text: str


_KIND_WORDS = {
    EventKind.opened: "OPENED",
    EventKind.answer: "Answer",
    EventKind.override: "STOP - OVERRIDE RECORDED",
    EventKind.escalation: "ESCALATION - immediate risk flagged",
    EventKind.amendment: "Amendment",
    EventKind.note: "Note",
    EventKind.sealed: "SEALED",
    EventKind.reviewed: "DSL REVIEW",
}
_ENTRY_HIDDEN = frozenset({"reference", "amends", "reason", "review", "answer_text"})


def _event_lines(event: Event, indent: str = "   ") -> list[str]:
    lines = []
    if event.step:
        lines.append(f"{indent}Step: {event.step}")
    if event.prompt and event.kind != EventKind.reviewed:
        lines.append(f"{indent}Prompt: {event.prompt}")
    if event.answer is not None:
        lines.append(f"{indent}Answer: {answer_text(event)}")
    if event.rationale:
        label = "Reason" if event.kind == EventKind.reviewed else "Rationale"
        lines.append(f"{indent}{label}: {event.rationale}")
    if event.kind == EventKind.amendment:
        lines.append(f"{indent}Reason for amendment: {event.data.get('reason') or '-'}")
    labels: dict[str, str] = {}
    if event.kind == EventKind.reviewed:
        try:
            decision = review_decisions().get(str(event.data.get("review")))
            labels = {f.key: f.label for f in decision.fields}
        except UserError:
            pass
    for key, value in event.data.items():
        if key not in _ENTRY_HIDDEN and value not in (None, "", []):
            lines.append(f"{indent}{labels.get(key, key.replace('_', ' '))}: {value_text(value)}")
    return lines


def chronology(events: Sequence[Event]) -> list[ChronologyEntry]:
    """Every event in order, each amendment placed directly after the event it amends."""
    seqs = {e.seq for e in events}
    amended_by: dict[int, list[Event]] = {}
    for event in events:
        target = event.data.get("amends")
        if event.kind == EventKind.amendment and isinstance(target, int) and target in seqs:
            amended_by.setdefault(target, []).append(event)
    entries: list[ChronologyEntry] = []
    for event in events:
        target = event.data.get("amends")
        placed = event.kind == EventKind.amendment and isinstance(target, int) and target in seqs
        if placed:
            continue
        words = _KIND_WORDS.get(event.kind, str(event.kind))
        if event.kind == EventKind.reviewed:
            words += f": {decision_label(event.data.get('review'))}"
        if event.kind == EventKind.amendment:
            words += f" of event {target}, which is missing from the record"
        if event.seq in amended_by:
            words += " (AMENDED, see below)"
        who = f"{event.actor.name} ({event.actor.role})"
        head = f"{event.seq}. {local_short(event.time)}  {words}  - {who}"
        style: Literal["plain", "stop", "escalation", "amendment", "review", "sealed"] = "plain"
        if event.kind == EventKind.override:
            style = "stop"
        elif event.kind == EventKind.escalation:
            style = "escalation"
        elif event.kind == EventKind.reviewed:
            style = "review"
        elif event.kind == EventKind.sealed:
            style = "sealed"
        entries.append(ChronologyEntry(style, "\n".join([head, *_event_lines(event)])))
        for amendment in amended_by.get(event.seq, []):
            head = (
                f"   AMENDED by event {amendment.seq}, {local_short(amendment.time)} "
                f"- {amendment.actor.name} ({amendment.actor.role})"
            )
            entries.append(
                ChronologyEntry("amendment", "\n".join([head, *_event_lines(amendment, "      ")]))
            )
    return entries

"""One incident's chronology as entries: the one model every reader of the record uses.

Events become entries (a heading, flags, label/value pairs) with the words of
`vocabulary`, each amendment placed beneath the event it corrects. `show`, the
Markdown and PDF exports and the DSL's incident screen only lay the entries
out, so one decision reads the same in all four. Every stored text passes
through `safe_text.printable` here: a hand-edited record carrying terminal
escapes or bidi controls prints as visible escapes, never as commands.

The words for review decisions belong to the review catalogue, a layer above
this one: whoever builds a chronology passes them in (`ReviewLabels`).

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from incident_tui.record.events import DataValue, Event, EventKind, utc_now
from incident_tui.record.references import seal_code, utc_text
from incident_tui.record.vocabulary import (
    DATA_LABELS,
    HIDDEN_DATA,
    KIND_HEADINGS,
    REFER_NOW_HEADING,
    STOP_SHOWN_HEADING,
    data_label,
    flag_counts,
)
from incident_tui.safe_text import printable

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

# Flags an entry can carry: what it is, in words a renderer can style (never colour alone).
STOP_OVERRIDE = "stop-override"
STOP_SHOWN = "stop-shown"
ESCALATION = "escalation"
REFER_NOW = "refer-now"
"""The flow's refer-now route was taken (Ctrl+R): the agency chosen follows at its step."""
AMENDED = "amended"
"""This event was corrected later: its amendments are in `Entry.amendments`."""
AMENDMENT = "amendment"
REVIEW = "review"
SEALED = "sealed"
EMPHASISED = frozenset({STOP_OVERRIDE, STOP_SHOWN, ESCALATION, REFER_NOW})
_REFER_NOW_KIND = "refer_now"
"""The refer-now event's kind (older records: an escalation with data["refer_now"])."""


class ReviewLabels(Protocol):
    """The words of the review catalogue (`incident_tui.review.review_labels()`)."""

    def decision(self, decision_id: str) -> str:
        """The decision's label; an unknown id as itself."""
        ...

    def field(self, decision_id: str, key: str) -> str | None:
        """A field's label, or None when the decision has no such field."""
        ...

    def reason(self, decision_id: str) -> str:
        """What the decision's reason is called ("Reason", "Why this referral")."""
        ...

    def field_keys(self, decision_id: str) -> tuple[str, ...]:
        """The decision's field keys in the order its form asks for them."""
        ...


class NoReviewLabels:
    """Review decisions named by their ids: for a record read without the catalogue."""

    def decision(self, decision_id: str) -> str:
        return decision_id

    def field(self, decision_id: str, key: str) -> str | None:
        return None

    def reason(self, decision_id: str) -> str:
        return "Reason"

    def field_keys(self, decision_id: str) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Item:
    """One label/value pair of an entry or a summary."""

    label: str
    value: str
    code: bool = False
    """An id or hash: a renderer may set it in a fixed-width font."""


@dataclass(frozen=True)
class Entry:
    """One event as people read it."""

    seq: int
    time: str
    """As recorded (UTC, ISO 8601); `when` in words."""
    heading: str
    actor: str
    items: tuple[Item, ...]
    flags: frozenset[str] = frozenset()
    amendments: tuple[Entry, ...] = ()
    """Amendments of this event, in order, placed beneath it."""
    amends: int | None = None
    """For an amendment: the seq it corrects."""

    @property
    def when(self) -> str:
        return utc_text(self.time)

    @property
    def emphasised(self) -> bool:
        return bool(self.flags & EMPHASISED)


def safe(value: object) -> str:
    """Stored text as it may be printed (escapes shown, never obeyed)."""
    return printable(str(value))


def one_line(value: object) -> str:
    return printable(str(value), one_line=True)


def value_text(value: Any) -> str:
    """An answer or data value in words: yes/no, a list joined, '-' for nothing."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) if value else "(none ticked)"
    return str(value)


def answer_words(event: Event) -> str:
    """The answer as the user saw it: the wording of the chosen option(s), not their ids."""
    shown = event.data.get("answer_text")
    if isinstance(shown, list) and shown:
        return "; ".join(str(s) for s in shown)
    return value_text(event.answer)


def amended_seq(event: Event) -> int | None:
    """The sequence number an amendment corrects (None for any other event)."""
    value = event.data.get("amends")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def actor_text(event: Event) -> str:
    return one_line(f"{event.actor.name} ({event.actor.role})")


def people_text(events: Iterable[Event]) -> list[str]:
    """Everyone who recorded an event, each once by name with every role they gave:
    "Alex Example (DSL; Designated Safeguarding Lead)", sorted by name."""
    roles: dict[str, list[str]] = {}
    for event in events:
        name = one_line(event.actor.name).strip()
        key = " ".join(name.split()).casefold()
        role = one_line(event.actor.role).strip()
        shown = roles.setdefault(key, [name])
        if role and role.casefold() not in {r.casefold() for r in shown[1:]}:
            shown.append(role)
    return [
        f"{shown[0]} ({'; '.join(shown[1:])})" if len(shown) > 1 else shown[0]
        for _key, shown in sorted(roles.items())
    ]


def is_refer_now(event: Event) -> bool:
    return event.kind == _REFER_NOW_KIND or (
        event.kind == EventKind.escalation and event.data.get("refer_now") is True
    )


def is_stop_shown(event: Event) -> bool:
    return event.kind == EventKind.note and event.data.get("stop") is not None


def _heading(event: Event, labels: ReviewLabels) -> str:
    if is_stop_shown(event):
        return STOP_SHOWN_HEADING
    if is_refer_now(event):
        return REFER_NOW_HEADING
    heading = KIND_HEADINGS.get(event.kind, str(event.kind))
    if event.kind == EventKind.reviewed:
        heading += f": {labels.decision(str(event.data.get('review')))}"
    return one_line(heading)


def _flags(event: Event) -> set[str]:
    if event.kind == EventKind.override:
        return {STOP_OVERRIDE}
    if is_stop_shown(event):
        return {STOP_SHOWN}
    if is_refer_now(event):
        return {REFER_NOW}
    if event.kind == EventKind.escalation:
        return {ESCALATION}
    if event.kind == EventKind.amendment:
        return {AMENDMENT}
    if event.kind == EventKind.reviewed:
        return {REVIEW}
    if event.kind == EventKind.sealed:
        return {SEALED}
    return set()


def _items(event: Event, labels: ReviewLabels) -> tuple[Item, ...]:
    items: list[Item] = []
    review = str(event.data.get("review")) if event.kind == EventKind.reviewed else None
    confirmed = (
        event.kind in (EventKind.answer, EventKind.amendment)
        and event.answer is True
        and not event.data.get("answer_text")
        and bool(event.prompt)
    )
    if confirmed:
        items.append(Item("Confirmed", safe(event.prompt)))  # a closed-loop safety item
    elif event.prompt and review is None:
        items.append(Item("Prompt", safe(event.prompt)))
    referred = event.data.get("referred_to")
    if event.answer is not None and not confirmed:
        label = {EventKind.note: "Note", EventKind.sealed: "Outcome"}.get(event.kind, "Answer")
        if referred:
            label = "Referred to"  # the agency chosen at the referral step
        items.append(Item(label, safe(answer_words(event))))
    if event.rationale:
        label = labels.reason(review) if review is not None else "Rationale"
        items.append(Item(label, safe(event.rationale)))
    for key, value in _in_reading_order(event.data, labels, review):
        if key in HIDDEN_DATA or value in (None, "", []):
            continue
        if key == "outcome" and value == event.answer:
            continue  # the outcome is the sealed event's answer
        if key == "referred_to" and event.answer is not None:
            continue  # the answer, labelled "Referred to"
        label = (labels.field(review, key) if review is not None else None) or data_label(key)
        items.append(Item(label, safe(value_text(value))))
    return tuple(items)


_READING_ORDER = {key: n for n, key in enumerate(DATA_LABELS)}


def _in_reading_order(
    data: dict[str, DataValue], labels: ReviewLabels, review: str | None
) -> list[tuple[str, DataValue]]:
    """An event's data in the order people read it (a review decision's as its form
    asks; the rest as `DATA_LABELS` lists them), whatever order the file keeps them in
    (events are stored with their keys sorted)."""
    order = dict(_READING_ORDER)
    if review is not None:
        order = {key: n - 1000 for n, key in enumerate(labels.field_keys(review))} | {
            k: v for k, v in order.items() if k not in labels.field_keys(review)
        }
    last = len(order)
    return sorted(data.items(), key=lambda item: order.get(item[0], last))


def entry_of(event: Event, labels: ReviewLabels | None = None) -> Entry:
    """One event as an entry, on its own (amendments not placed)."""
    labels = labels or NoReviewLabels()
    target = amended_seq(event) if event.kind == EventKind.amendment else None
    return Entry(
        seq=event.seq,
        time=event.time,
        heading=_heading(event, labels),
        actor=actor_text(event),
        items=_items(event, labels),
        flags=frozenset(_flags(event)),
        amends=target,
    )


def chronology(events: Sequence[Event], labels: ReviewLabels | None = None) -> list[Entry]:
    """Every event in order, each amendment placed beneath the event it amends (an
    amendment of an event missing from the record stays in its own place, saying so)."""
    labels = labels or NoReviewLabels()
    seqs = {e.seq for e in events}
    placed: dict[int, list[Entry]] = {}
    for event in events:
        target = amended_seq(event)
        if event.kind == EventKind.amendment and target is not None and target in seqs:
            amendment = entry_of(event, labels)
            placed.setdefault(target, []).append(
                Entry(
                    seq=amendment.seq,
                    time=amendment.time,
                    heading=f"AMENDED by event {event.seq}",
                    actor=amendment.actor,
                    items=amendment.items,
                    flags=amendment.flags,
                    amends=target,
                )
            )
    entries: list[Entry] = []
    for event in events:
        target = amended_seq(event)
        if event.kind == EventKind.amendment and target is not None and target in seqs:
            continue
        entry = entry_of(event, labels)
        if event.kind == EventKind.amendment:
            entry = _replace(
                entry,
                heading=f"{entry.heading} of event {target}, which is missing from the record",
            )
        amendments = tuple(placed.get(event.seq, ()))
        if amendments:
            entry = _replace(
                entry,
                heading=f"{entry.heading} (AMENDED, see below)",
                flags=entry.flags | {AMENDED},
                amendments=amendments,
            )
        entries.append(entry)
    return entries


def _replace(entry: Entry, **changes: Any) -> Entry:
    from dataclasses import replace

    return replace(entry, **changes)


# --- who printed it -----------------------------------------------------------------

DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
"""The Government Security Classification marking for safeguarding records,
unless the school's settings give their own (`[school] marking`)."""


@dataclass(frozen=True)
class Printed:
    """Who printed a record and when, and the marking on every page."""

    by: str | None = None
    """The person exporting, as they are named (None: not known, and the page says so)."""
    marking: str | None = None
    """The school's protective marking; None or empty: `DEFAULT_MARKING`."""
    at: str = field(default_factory=utc_now)
    """When (UTC, ISO 8601)."""

    @property
    def mark(self) -> str:
        return one_line(self.marking or "").strip() or DEFAULT_MARKING

    def line(self) -> str:
        """ "Printed by Sam Patel (DSL) on 2026-12-02 10:15:03 UTC"."""
        who = one_line(self.by or "").strip() or "(name not known: no one was signed in or named)"
        return f"Printed by {who} on {utc_text(self.at)}"


# --- the rest of an incident's document -------------------------------------------


def seal_code_of(events: Iterable[Event]) -> str | None:
    """The seal code of the incident's `sealed` event, if it has one."""
    for event in events:
        if event.kind == EventKind.sealed:
            return seal_code(event.hash)
    return None


def summary(row: IndexRow, events: Sequence[Event], school: str) -> list[Item]:
    """What the incident is, who and when, and its flags: the top of every document."""
    people = people_text(events) or [one_line(row.actor)]
    sealed = "not sealed"
    if row.sealed:
        sealed = utc_text(row.sealed)
        code = seal_code_of(events)
        if code:
            sealed += f" (seal code {code})"
    items = [
        Item("School", one_line(school)),
        Item("Reference", one_line(row.reference)),
        *child_file_items(row, events),
        Item("Procedure", f"{one_line(row.flow_id)}, version {one_line(row.flow_version)}"),
        Item("Mode", "TRAINING" if row.mode == "training" else "live"),
        Item("Status", row.status),
        Item("Opened", f"{utc_text(row.opened)} by {one_line(row.actor)}"),
        Item("Sealed", sealed),
        Item("Pupil reference", one_line(row.pupil) if row.pupil else "none recorded"),
        *_other_pupils(row),
        Item("People recorded", ", ".join(people)),
        Item("Events", f"{len(events)} ({flag_counts(row)})"),
    ]
    if row.review_date:
        items.append(Item("Review date", one_line(row.review_date)))
    items.append(Item("Flow hash", one_line(row.flow_hash), code=True))
    items.append(Item("Internal id", one_line(row.id), code=True))
    return items


@dataclass(frozen=True)
class FlowWords:
    """What the procedure file says about itself, for the safeguarding summary: its
    title, and the steps whose answers the summary repeats (step id -> label, from
    each step's `summary` in the flow file). Passed in by whoever loads the flow;
    without it the summary names the procedure by its id and repeats no step."""

    title: str | None = None
    summary_steps: Mapping[str, str] = field(default_factory=dict)


def _current_answers(events: Sequence[Event]) -> dict[str, Event]:
    """The last answer (or amendment, or exception) at each step: what stands now."""
    current: dict[str, Event] = {}
    for event in events:
        if event.step and event.kind in (
            EventKind.answer,
            EventKind.amendment,
            EventKind.override,
        ):
            current[event.step] = event
    return current


def _event_ref(event: Event) -> str:
    return f"event {event.seq}, {utc_text(event.time)}"


def brief(row: IndexRow, events: Sequence[Event], words: FlowWords | None = None) -> list[Item]:
    """The safeguarding summary a DSL reads first: the pupil, what was reported, the
    outcome, referrals (agency and reference), every flag in words, the review date
    and who was involved. Nothing here is an internal id."""
    words = words or FlowWords()
    current = _current_answers(events)
    opened = next((e for e in events if e.kind == EventKind.opened), None)
    items = [
        Item("Pupil", one_line(row.pupil) if row.pupil else "none recorded"),
        *_other_pupils(row),
        # where the child's file came from or went (KCSIE transfer), read first
        *(i for i in child_file_items(row, events) if i.label in ("Origin", "Transferred")),
        Item(
            "Procedure",
            f"{one_line(words.title or row.flow_id)}, version {one_line(row.flow_version)}",
        ),
    ]
    where = opened.data.get("location") if opened is not None else None
    opened_text = f"{utc_text(row.opened)} by {one_line(row.actor)}"
    if where:
        opened_text += f", at {one_line(where)}"
    items.append(Item("Opened", opened_text))
    answers: list[tuple[int, Item]] = []  # in the order they were given
    for step, label in words.summary_steps.items():
        event = current.get(step)
        if event is not None and event.answer not in (None, "", []):
            answers.append((event.seq, Item(one_line(label), safe(answer_words(event)))))
    for event in current.values():
        if event.data.get("referred_to") and event.answer not in (None, "", []):
            referral = f"{safe(answer_words(event))} ({_event_ref(event)})"
            answers.append((event.seq, Item("Referred to", referral)))
    items += [item for _seq, item in sorted(answers, key=lambda pair: pair[0])]
    sealed = next((e for e in events if e.kind == EventKind.sealed), None)
    if sealed is not None:
        outcome = safe(answer_words(sealed))
        items.append(
            Item("Outcome", f"{outcome} (sealed {utc_text(sealed.time)} by {actor_text(sealed)})")
        )
    else:
        items.append(Item("Outcome", "none yet: the procedure was not finished and sealed"))
    items += _flag_items(events)
    if row.review_date:
        items.append(Item("Review date (DSL review)", one_line(row.review_date)))
    items.append(Item("People involved", "; ".join(people_text(events)) or one_line(row.actor)))
    return items


def _flag_items(events: Sequence[Event]) -> list[Item]:
    """Escalations, refer now, exceptions and STOPs shown, each named in words."""
    found: dict[str, list[str]] = {
        "Escalations": [],
        "Refer now": [],
        "Stop overrides (exceptions recorded)": [],
        "STOPs shown": [],
    }
    for event in events:
        if is_refer_now(event):
            found["Refer now"].append(f"{safe(event.prompt or 'refer now')} ({_event_ref(event)})")
        elif event.kind == EventKind.escalation:
            message = event.data.get("message") or "immediate risk flagged"
            found["Escalations"].append(f"{safe(message)} ({_event_ref(event)})")
        elif event.kind == EventKind.override:
            label = event.data.get("override_label") or event.prompt or "an exception"
            found["Stop overrides (exceptions recorded)"].append(
                f"{safe(label)}: {safe(event.rationale or 'no reason recorded')} "
                f"({_event_ref(event)})"
            )
        elif is_stop_shown(event):
            shown = safe(answer_words(event)).removeprefix("STOP shown: ")
            found["STOPs shown"].append(f"{shown} ({_event_ref(event)})")
    items = [Item(label, "\n".join(lines) if lines else "none") for label, lines in found.items()]
    return [i for i in items if i.label != "Refer now" or i.value != "none"]


def _other_pupils(row: IndexRow) -> list[Item]:
    """The other pupils an incident names (amendments followed), by reference only."""
    others = row.other_pupils
    return [Item("Other pupils named", ", ".join(one_line(o) for o in others))] if others else []


def child_file_items(row: IndexRow, events: Sequence[Event]) -> list[Item]:
    """Where the incident came from, where it went, and its retention, when any applies."""
    items = []
    if row.origin:
        items.append(
            Item(
                "Origin",
                f"TRANSFERRED IN from {one_line(row.origin)} on {utc_text(row.received)}; "
                "its reference is the one it was opened with there, after IN-. It is "
                "reviewed here, not continued",
            )
        )
    disposal = next((e for e in reversed(events) if e.kind == EventKind.disposed), None)
    if disposal is not None:
        removed = disposal.data.get("disposed_events")
        rule = safe(value_text(disposal.data.get("rule")))
        items.append(
            Item(
                "DISPOSED OF",
                f"{utc_text(disposal.time)} by {actor_text(disposal)}, under the rule "
                f"'{rule}': {safe(disposal.rationale or '-')}. "
                f"The content of its {removed} earlier events was removed; their hashes are "
                "kept, so the chain still verifies",
            )
        )
    if row.transfer_to:
        confirmed = (
            f"receipt confirmed {utc_text(row.transfer_confirmed)}"
            if row.transfer_confirmed
            else "receipt NOT YET CONFIRMED"
        )
        items.append(
            Item(
                "Transferred",
                f"sent to {one_line(row.transfer_to)} on {utc_text(row.transfer_sent)}; "
                f"{confirmed}",
            )
        )
    if row.retention_hold:
        items.append(Item("Retention hold", "HELD: never disposed of while the hold stands"))
    for pupil, born in row.dates_of_birth.items():
        items.append(Item(f"Date of birth of {one_line(pupil)}", one_line(born)))
    return items


def finding_lines(findings: Sequence[Finding]) -> list[str]:
    """Each problem the integrity check found, in one line: where, what, the message."""
    lines = []
    for finding in findings:
        where = f"event {finding.seq}" if finding.seq is not None else "incident"
        if finding.seq is None and finding.incident == "index":
            where = "index"
        lines.append(f"{where}, {finding.kind}: {one_line(finding.message)}")
    return lines


@dataclass(frozen=True)
class Document:
    """Everything a people-readable export of one incident shows, in order."""

    title: str
    reference: str
    school: str
    training: bool
    summary: list[Item]
    entries: list[Entry]
    findings: list[str]
    head_hash: str
    last_hash: str | None
    """The last event's hash when it is not the head the index signed."""
    seal_code: str | None
    event_count: int
    outcome: Entry | None = None
    reviews: list[Entry] = field(default_factory=list)
    viewed_by: list[str] = field(default_factory=list)
    """Who opened the incident to read it, and when, oldest first (the access log,
    `viewings`): one line each, this viewing included."""
    brief: list[Item] = field(default_factory=list)
    """The safeguarding summary (`brief`), read before the chronology."""
    flagged: bool = False
    """Any stop override, escalation, refer now or STOP shown."""


def document(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school: str,
    labels: ReviewLabels | None = None,
    words: FlowWords | None = None,
    viewed_by: Sequence[str] = (),
) -> Document:
    """The whole incident as people read it; the renderers only lay it out.
    `viewed_by`: the incident's access log, one line a viewing (`viewings`)."""
    entries = chronology(events, labels)
    last = events[-1].hash if events and events[-1].hash != row.head_hash else None
    return Document(
        title=f"Incident {one_line(row.reference)}",
        reference=one_line(row.reference),
        school=one_line(school),
        training=row.mode == "training",
        summary=summary(row, events, school),
        entries=entries,
        findings=finding_lines(findings),
        head_hash=one_line(row.head_hash),
        last_hash=one_line(last) if last else None,
        seal_code=seal_code_of(events),
        event_count=len(events),
        outcome=next((e for e in entries if SEALED in e.flags), None),
        reviews=[e for e in entries if REVIEW in e.flags],
        brief=brief(row, events, words),
        flagged=any(e.emphasised for e in entries),
        viewed_by=[one_line(line) for line in viewed_by],
    )


__all__ = [
    "AMENDED",
    "DEFAULT_MARKING",
    "Printed",
    "AMENDMENT",
    "Document",
    "ESCALATION",
    "Entry",
    "FlowWords",
    "Item",
    "NoReviewLabels",
    "REVIEW",
    "ReviewLabels",
    "SEALED",
    "STOP_OVERRIDE",
    "STOP_SHOWN",
    "amended_seq",
    "answer_words",
    "brief",
    "people_text",
    "chronology",
    "document",
    "entry_of",
    "seal_code_of",
    "summary",
    "value_text",
]

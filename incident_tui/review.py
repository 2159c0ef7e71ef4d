"""The DSL's review: decisions as data, the list of incidents, what needs attention.

The decisions a DSL can record (referral made, parents not told, sign-off...)
and the fields each one asks for are data, in `review_actions.toml` beside this
module, so their wording lives in one place and the screens only render it.
Every decision is appended through `append_review`, which checks the fields
against that data and writes one `reviewed` event; nothing already recorded
changes.

Listing, filtering and sorting work on index rows only (never the incident
files), so a list of 10,000 incidents stays quick.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incident_tui.errors import UserError
from incident_tui.record.events import Actor, DataValue, Event, EventKind
from incident_tui.record.export import answer_text, value_text
from incident_tui.record.references import local_short, parse_utc
from incident_tui.tomlfile import parse_toml_model

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow, Store
    from incident_tui.record.verify import Finding

DECISIONS_FILE = "review_actions.toml"
SIGN_OFF = "sign-off"
REVIEW_DATE = "review-date"
DSL_ROLE = "Designated Safeguarding Lead"


# --- decisions as data --------------------------------------------------------


class ReviewField(BaseModel):
    """One thing a decision asks for; stored as data[key] on the event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    kind: Literal["text", "date", "datetime", "choice"] = "text"
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _choices_only_for_choice(self) -> ReviewField:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"field {self.key!r} is a choice with no choices")
        if self.kind != "choice" and self.choices:
            raise ValueError(f"field {self.key!r} has choices but is not a choice")
        return self

    @property
    def hint(self) -> str:
        return {"date": "YYYY-MM-DD", "datetime": "YYYY-MM-DD HH:MM"}.get(self.kind, "")


class ReviewDecision(BaseModel):
    """One kind of review decision (data["review"] == id on the event)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1)
    help: str = ""
    reason: Literal["none", "optional", "required"] = "optional"
    reason_label: str = "Reason"
    reason_if_open: bool = False
    """The reason becomes required when the incident was never sealed."""
    fields: tuple[ReviewField, ...] = ()

    @model_validator(mode="after")
    def _unique_keys(self) -> ReviewDecision:
        keys = [f.key for f in self.fields]
        reserved = {"review"} & set(keys)
        if reserved:
            raise ValueError(f"decision {self.id!r} uses the reserved field key 'review'")
        if len(keys) != len(set(keys)):
            raise ValueError(f"decision {self.id!r} has two fields with the same key")
        return self

    def reason_needed(self, sealed: bool) -> bool:
        return self.reason == "required" or (self.reason_if_open and not sealed)


class ReviewCatalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    decisions: tuple[ReviewDecision, ...]

    @model_validator(mode="after")
    def _ids(self) -> ReviewCatalogue:
        ids = [d.id for d in self.decisions]
        if len(ids) != len(set(ids)):
            raise ValueError("two decisions share an id")
        for needed in (SIGN_OFF, REVIEW_DATE):
            if needed not in ids:
                raise ValueError(f"the decision {needed!r} is missing")
        review_date = next(d for d in self.decisions if d.id == REVIEW_DATE)
        if not any(f.key == "date" and f.kind == "date" for f in review_date.fields):
            raise ValueError(f"{REVIEW_DATE!r} needs a date field with key 'date'")
        return self

    def get(self, decision_id: str) -> ReviewDecision:
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        raise UserError(f"no review decision called {decision_id!r}")


def parse_catalogue(text: str, source: str = DECISIONS_FILE) -> ReviewCatalogue:
    """Read review decisions from TOML text; UserError naming the problem."""
    return parse_toml_model(ReviewCatalogue, text, source)


@lru_cache(maxsize=1)
def review_decisions() -> ReviewCatalogue:
    """The shipped review decisions."""
    text = files("incident_tui").joinpath(DECISIONS_FILE).read_text(encoding="utf-8")
    return parse_catalogue(text)


def decision_label(decision_id: object) -> str:
    """A decision's label for display; an unknown id (an older record) as itself."""
    for decision in review_decisions().decisions:
        if decision.id == decision_id:
            return decision.label
    return str(decision_id)


# --- building and appending a decision --------------------------------------


def _clean(value: str | None) -> str:
    return (value or "").strip()


def _check_value(item: ReviewField, value: str) -> tuple[str | None, str | None]:
    """(normalised value, problem)."""
    if item.kind == "date":
        try:
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return None, f"{item.label}: give a date as YYYY-MM-DD, not {value!r}"
    if item.kind == "datetime":
        try:
            moment = datetime.strptime(value.replace("T", " "), "%Y-%m-%d %H:%M")
        except ValueError:
            return None, f"{item.label}: give a date and time as YYYY-MM-DD HH:MM, not {value!r}"
        return moment.strftime("%Y-%m-%d %H:%M"), None
    if item.kind == "choice" and value not in item.choices:
        return None, f"{item.label}: choose one of: {', '.join(item.choices)}"
    return value, None


def build_review(
    decision: ReviewDecision,
    values: Mapping[str, str | None],
    reason: str | None,
    *,
    sealed: bool = True,
) -> tuple[dict[str, DataValue], str | None]:
    """Check a decision's fields and reason; return (event data, rationale).

    Raises one UserError listing every problem, in the order of the form.
    """
    problems: list[str] = []
    data: dict[str, DataValue] = {"review": decision.id}
    known = {f.key for f in decision.fields}
    unknown = sorted(set(values) - known)
    if unknown:
        problems.append(f"{decision.label} has no field {', '.join(unknown)}")
    for item in decision.fields:
        value = _clean(values.get(item.key))
        if not value:
            if item.required:
                problems.append(f"{item.label}: required")
            continue
        checked, problem = _check_value(item, value)
        if problem:
            problems.append(problem)
        else:
            data[item.key] = checked
    rationale = _clean(reason) or None
    if rationale is None and decision.reason_needed(sealed):
        why = "" if decision.reason == "required" else " (the incident was never sealed)"
        problems.append(f"{decision.reason_label}: required{why}")
    if problems:
        raise UserError("; ".join(problems))
    return data, rationale


def append_review(
    store: Store,
    incident: str,
    actor: Actor,
    decision_id: str,
    values: Mapping[str, str | None],
    reason: str | None = None,
) -> Event:
    """Append one review decision as a `reviewed` event; the only way reviews are written."""
    decision = review_decisions().get(decision_id)
    row = store.row(incident)
    data, rationale = build_review(decision, values, reason, sealed=row.sealed is not None)
    return store.append(
        row.id,
        kind=EventKind.reviewed,
        actor=actor,
        prompt=decision.label,
        rationale=rationale,
        data=data,
    )


def review_summary(event: Event) -> str:
    """One line for a review event: the decision in words, then its fields."""
    decision_id = event.data.get("review")
    parts = [decision_label(decision_id)]
    labels: dict[str, str] = {}
    try:
        decision = review_decisions().get(str(decision_id))
        labels = {f.key: f.label for f in decision.fields}
    except UserError:
        pass
    for key, value in event.data.items():
        if key != "review" and value not in (None, ""):
            text = "; ".join(value) if isinstance(value, list) else str(value)
            parts.append(f"{labels.get(key, key)}: {text}")
    if event.rationale:
        parts.append(f"Reason: {event.rationale}")
    return " | ".join(parts)


# --- integrity, flags and needs attention -----------------------------------

Integrity = Mapping[str, Sequence["Finding"]] | None
"""Findings by incident id from verify; None while the check has not run yet."""


def integrity_text(row: IndexRow, integrity: Integrity) -> str:
    if integrity is None:
        return "checking"
    return "DAMAGED" if integrity.get(row.id) else "intact"


def is_damaged(row: IndexRow, integrity: Integrity) -> bool:
    return bool(integrity and integrity.get(row.id))


def flags_text(row: IndexRow, integrity: Integrity = None) -> str:
    """Flags in words (never colour alone), a count only when more than one:
    "DAMAGED STOP ESC2 AMD" = damaged, a stop override, two escalations, an amendment."""
    parts = ["DAMAGED"] if is_damaged(row, integrity) else []
    for word, count in (("STOP", row.overrides), ("ESC", row.escalations), ("AMD", row.amendments)):
        if count:
            parts.append(word if count == 1 else f"{word}{count}")
    return " ".join(parts) or "-"


def is_flagged(row: IndexRow, integrity: Integrity = None) -> bool:
    return bool(row.overrides or row.escalations or row.amendments) or is_damaged(row, integrity)


def attention_reasons(
    row: IndexRow,
    integrity: Integrity,
    now: datetime | None = None,
    today: date | None = None,
) -> list[str]:
    """Why an incident needs the DSL's attention, in words; empty if it does not."""
    now = now or datetime.now(UTC)
    today = today or now.astimezone().date()
    reasons: list[str] = []
    if is_damaged(row, integrity):
        reasons.append("fails the integrity check")
    if row.status == "open":
        opened = parse_utc(row.opened)
        if opened is None or now - opened > timedelta(days=1):
            reasons.append("open for more than a day")
    elif row.status == "sealed":
        reasons.append("sealed but not reviewed")
    if row.status != "reviewed":
        if row.overrides:
            reasons.append(f"{row.overrides} stop override(s)")
        if row.escalations:
            reasons.append(f"{row.escalations} escalation(s)")
    if row.review_date and row.review_date < today.isoformat():
        reasons.append(f"review date {row.review_date} has passed")
    return reasons


def needs_attention(
    rows: Iterable[IndexRow], integrity: Integrity, now: datetime | None = None
) -> list[tuple[IndexRow, list[str]]]:
    now = now or datetime.now(UTC)
    today = now.astimezone().date()
    found = []
    for row in rows:
        reasons = attention_reasons(row, integrity, now, today)
        if reasons:
            found.append((row, reasons))
    return found


# --- the list: columns, filter, sort ----------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    """Width at 80 columns (the list then fits in 78, beside a scroll bar)."""
    grow: int = 0
    """Share of any extra room on a wider screen."""


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference", 14),
    Column("opened", "Opened", 16),
    Column("procedure", "Procedure", 7, grow=2),
    Column("staff", "Staff", 7, grow=2),
    Column("pupil", "Pupil", 6, grow=1),
    Column("status", "Status", 8),
    Column("flags", "Flags", 14, grow=3),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)


def cells(row: IndexRow, integrity: Integrity) -> tuple[str, ...]:
    """One row of the list as text, column by column."""
    return (
        row.reference,
        local_short(row.opened),
        row.flow_id,
        row.actor,
        row.pupil or "-",
        row.status,
        flags_text(row, integrity),
    )


def _sort_key(column: str, integrity: Integrity) -> Callable[[IndexRow], Any]:
    if column == "flags":
        return lambda r: (
            is_damaged(r, integrity),
            r.overrides,
            r.escalations,
            r.amendments,
        )
    attribute = {
        "reference": "reference",
        "opened": "opened",
        "procedure": "flow_id",
        "staff": "actor",
        "pupil": "pupil",
        "status": "status",
    }[column]
    if attribute in ("reference", "opened"):
        return lambda r: getattr(r, attribute)
    return lambda r: (getattr(r, attribute).casefold(), r.opened)


STATUSES = ("open", "sealed", "reviewed")


@dataclass(frozen=True)
class ListQuery:
    """What the DSL asked to see, and in what order."""

    statuses: frozenset[str] = frozenset(STATUSES)
    procedure: str | None = None
    date_from: str | None = None
    """YYYY-MM-DD, inclusive, on the UTC opening date."""
    date_to: str | None = None
    flagged_only: bool = False
    attention_only: bool = False
    text: str = ""
    sort: str = "opened"
    descending: bool = True


def parse_day(text: str, label: str) -> str | None:
    """A filter date typed by the user: '' -> None; bad -> UserError."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise UserError(f"{label}: give a date as YYYY-MM-DD, not {text!r}") from None


@dataclass
class IncidentList:
    """Every index row, with what is needed to filter and sort them quickly."""

    rows: list[IndexRow]
    integrity: Integrity = None
    now: datetime | None = None
    _haystacks: dict[str, str] = field(default_factory=dict, repr=False)
    _attention: dict[str, list[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for row in self.rows:
            self._haystacks[row.id] = "\x00".join(
                (row.reference, row.flow_id, row.actor, row.pupil, row.status, row.id)
            ).casefold()

    def set_integrity(self, integrity: Integrity) -> None:
        self.integrity = integrity
        self._attention = None

    @property
    def procedures(self) -> list[str]:
        return sorted({r.flow_id for r in self.rows})

    def attention(self) -> dict[str, list[str]]:
        if self._attention is None:
            self._attention = {
                row.id: reasons
                for row, reasons in needs_attention(self.rows, self.integrity, self.now)
            }
        return self._attention

    def select(self, query: ListQuery) -> list[IndexRow]:
        """The rows that match, in order. Pure: no file is read."""
        needle = query.text.strip().casefold()
        attention = self.attention() if query.attention_only else None
        integrity = self.integrity
        out: list[IndexRow] = []
        for row in self.rows:
            if row.status not in query.statuses:
                continue
            if query.procedure and row.flow_id != query.procedure:
                continue
            day = row.opened[:10]
            if query.date_from and day < query.date_from:
                continue
            if query.date_to and day > query.date_to:
                continue
            if query.flagged_only and not is_flagged(row, integrity):
                continue
            if attention is not None and row.id not in attention:
                continue
            if needle and needle not in self._haystacks[row.id]:
                continue
            out.append(row)
        out.sort(key=_sort_key(query.sort, integrity), reverse=query.descending)
        return out


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

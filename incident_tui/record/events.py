"""Events: the unit of the record, and the hash rule that chains them.

Every decision is one event, appended and never changed. Each event names the
hash of the one before it (`prev`); the first event of an incident has
`prev` = 64 zeros. The hash rule, so anyone can re-check a record with a few
lines of Python:

    import hashlib, json
    body = {k: v for k, v in event.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == event["hash"]

Canonical JSON here means: keys sorted at every level, no insignificant
whitespace, UTF-8 (non-ASCII characters written as themselves), and no
floating-point numbers anywhere (times are ISO 8601 strings; numbers are
integers), so the bytes are the same on every machine.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from incident_tui.locations import Mode
from incident_tui.record.storage import json_encoder

GENESIS = "0" * 64

Answer = str | list[str] | bool | None
DataValue = str | int | bool | list[str] | None


class EventKind(StrEnum):
    opened = "opened"
    answer = "answer"
    override = "override"
    escalation = "escalation"
    refer_now = "refer_now"
    """The flow's refer-now route taken (older records: an escalation with data["refer_now"])."""
    amendment = "amendment"
    handover = "handover"
    """One part of the procedure done, the next handed over (data: part, the role it
    is handed to, and handed_to, that part's title; prompt: what the person whose
    part ended was told): recorded as that person."""
    takeover = "takeover"
    """The part handed over taken up (data: part, taken_part, its title; prompt: the
    take-over question): recorded as the person taking it, who answers from here."""
    note = "note"
    sealed = "sealed"
    reviewed = "reviewed"
    transferred = "transferred"
    """The child protection file sent to the pupil's next school (data: to, checkpoint)."""
    receipt_confirmed = "receipt_confirmed"
    """The next school's receipt of a transfer, checked against what was sent."""
    received = "received"
    """At the receiving school: the incident transferred in (data: from_school)."""
    disposed = "disposed"
    """Lawful disposal at the end of retention: the last event; the content of every
    earlier one is removed, its hash kept (see `record.retention`)."""


AFTER_SEAL: frozenset[EventKind] = frozenset(
    {
        EventKind.note,
        EventKind.amendment,
        EventKind.reviewed,
        EventKind.transferred,
        EventKind.receipt_confirmed,
        EventKind.received,
        EventKind.disposed,
    }
)
"""The only kinds that may follow the seal."""

SIGN_OFF = "sign-off"
"""The review decision (data["review"] of a `reviewed` event) that marks an incident reviewed."""
STOP_SHOWN_KEY = "stop"
"""The data key of a `note` recording that a STOP was shown (the refused choice's id)."""
REVIEW_DATE = "review-date"
"""The review decision that sets the date of the next review (its data["date"])."""
RETENTION_HOLD = "retention-hold"
"""The review decision that keeps an incident from disposal (relevant to an inquiry)."""
HOLD_LIFTED = "retention-hold-lifted"
"""The review decision that lifts a retention hold."""
DATE_OF_BIRTH = "date-of-birth"
"""The review decision recording the pupil's date of birth for the child's file
(its data["date"]; data["pupil"] names the pupil)."""
CORRECTED_DATE_OF_BIRTH = "date_of_birth"
"""The data key of an amendment correcting a recorded date of birth (the right date,
YYYY-MM-DD); `CORRECTED_FOR_PUPIL` names the pupil. Never "pupil": that key is an
amendment of the pupils an incident names."""
CORRECTED_FOR_PUPIL = "of_pupil"


class Actor(BaseModel):
    """Who made a decision: the name and role as recorded, and on a school server
    the signed-in person's login (from the people file; never typed)."""

    # defer_build: each validator is built when first used, not on import (start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str = Field(min_length=1, max_length=120)
    role: str = Field(min_length=1, max_length=120)
    login: str | None = Field(default=None, min_length=1, max_length=64)

    @model_serializer(mode="wrap")
    def _without_missing_login(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # An event recorded without a login hashes as it always did: no "login" key.
        dumped: dict[str, Any] = handler(self)
        if dumped.get("login") is None:
            dumped.pop("login", None)
        return dumped


class FlowRef(BaseModel):
    """Which procedure, in which version, the decision was taken under."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    version: str
    hash: str


class Event(BaseModel):
    """One decision, as recorded. Frozen: a correction is a new `amendment` event."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    incident: str
    """The internal incident id."""
    seq: int = Field(ge=0)
    """0 for the `opened` event, then 1, 2, ... with no gaps."""
    time: str
    """UTC, ISO 8601 with a trailing Z."""
    kind: EventKind
    actor: Actor
    mode: Mode
    step: str | None = None
    prompt: str | None = None
    """The prompt text exactly as shown to the user."""
    answer: Answer = None
    rationale: str | None = None
    flow: FlowRef
    data: dict[str, DataValue] = {}
    """Kind-specific details, e.g. `amends` (seq) and `reason` for an amendment;
    `override`, `conditions` for an override; `contact`, `message` for an
    escalation; `reference`, `pupil`, `location` for `opened`."""
    prev: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The event as hashed: everything but `hash`."""
        return self.model_dump(mode="json", exclude={"hash"})


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value (see the module docstring)."""
    _reject_floats(value)
    return canonical_text(value).encode("utf-8")


canonical_text = json_encoder(sort_keys=True)
"""The canonical JSON text of a value already known to hold no floats (a record parsed
by `storage.parse_record_json`, which refuses them): `canonical_json` without its walk."""


def stored_event_hash(event: dict[str, Any]) -> str:
    """The hash an event as stored (a parsed dict, its own "hash" field included)
    should carry: the module docstring's rule."""
    body = dict(event)
    body.pop("hash", None)
    return hashlib.sha256(canonical_text(body).encode("utf-8")).hexdigest()


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise ValueError("floats are not allowed in a record")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def event_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(body)).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def make_event(**fields: Any) -> Event:
    """Build an event and compute its hash from everything else in it."""
    return make_stored_event(**fields)[0]


def make_stored_event(**fields: Any) -> tuple[Event, dict[str, Any], str]:
    """`make_event`, with the event as stored (its JSON, as `model_dump(mode="json")`
    gives it) and the text an incident file holds for it (its canonical JSON, "hash"
    in its sorted place): validated, dumped and encoded once."""
    fields.pop("hash", None)
    draft = Event.model_validate({**fields, "hash": ""})
    stored = draft.model_dump(mode="json")
    del stored["hash"]
    # the model admits no float anywhere: its JSON needs no walk for one (`canonical_json`)
    text = canonical_text(stored)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stored["hash"] = digest
    # "hash" sorts just before "incident", the first top-level key after the last
    # nested value (only scalars follow it), so the last `,"incident":` is that key
    at = text.rindex(',"incident":')
    written = f'{text[:at]},"hash":"{digest}"{text[at:]}'
    return draft.model_copy(update={"hash": digest}), stored, written

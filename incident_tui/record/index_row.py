"""One incident in the index (`IndexRow`): the model every index row is checked
against, in its own module so that a list checking an index file it has not seen
loads pydantic and this, not the whole store (`store`, which re-exports it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from incident_tui.locations import Mode


class ViewingsClaim(BaseModel):
    """What the index row vouches for of the incident's access log."""

    # defer_build: each validator is built when first used, not on import (start-up)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    count: int
    head: str


class IndexRow(BaseModel):
    """One incident in the index: enough to list it without opening its file."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str
    """Internal incident id (uuid4 hex)."""
    reference: str
    """Human reference, e.g. "2026-11-24-003": UTC date of opening and a per-day counter."""
    flow_id: str
    flow_version: str
    flow_hash: str
    mode: Mode
    status: Literal["open", "sealed", "reviewed", "disposed"]
    opened: str
    sealed: str | None
    event_count: int
    head_hash: str
    hmac: str
    """HMAC-SHA256 with the record key over {"id", "event_count", "head_hash"}."""
    actor: str
    """Who opened it: "Name (role)"."""
    pupil: str
    last_step: str | None
    last_time: str
    overrides: int
    escalations: int
    amendments: int
    review_date: str | None
    stops: int = 0
    """STOPs shown (notes with data["stop"]); rows written before it was counted lack it."""
    other_pupils: tuple[str, ...] = ()
    """The other pupils the incident names, by reference (`record.pupils`); rows
    written before pupils were named by reference lack it."""

    dates_of_birth: dict[str, str] = {}
    """Pupil reference -> date of birth (YYYY-MM-DD), for each pupil whose date of
    birth was recorded on this incident (once for the child's file)."""
    retention_hold: bool = False
    """Never to be disposed of while set (relevant to a public inquiry)."""
    disposed: str | None = None
    """When it was lawfully disposed of (only the tombstone is left)."""
    transfer_to: str | None = None
    """The school the child protection file was last sent to."""
    transfer_sent: str | None = None
    transfer_checkpoint: str | None = None
    """The checkpoint hash of the bundle sent, which the receipt must quote."""
    transfer_confirmed: str | None = None
    """When the receiving school's receipt was confirmed."""
    origin: str | None = None
    """Transferred in: the sending school (the reference is theirs)."""
    received: str | None = None
    """Transferred in: when it was received here."""
    viewings: ViewingsClaim | None = None
    """How long the incident's access log was at its last viewing, and its last hash
    (`record.viewings`), signed with the row: a log deleted, cut short or put back
    to an earlier copy no longer reaches it. Rows written before it was signed, or
    of incidents never viewed with the record key, lack it (no claim)."""
    awaiting: str | None = None
    """The part handed over and not yet taken ("dsl", "head"); None when nobody is
    awaited. Rows written before hand-overs lack it."""
    handed_by: str | None = None
    """Who handed it over last: "Name (role)"."""
    handed_at: str | None = None
    """When it was handed over last (UTC, ISO 8601)."""

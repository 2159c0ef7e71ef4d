"""The tombstone lawful disposal leaves: each event's hash kept, its content gone.

Nothing in the record is edited or deleted, with one exception: at the end of
retention the DSL may dispose of an incident (see `record.retention`). That is
done in two steps, each durable before the next:

1. a `disposed` event is appended like any other: it names the reference, the
   rule, the reason, who and when, how many events it removes and
   `chain_digest`, the SHA-256 of the canonical JSON list of their hashes; the
   index signs it as the incident's head;
2. the incident file is rewritten with every earlier event replaced by a stub
   that keeps only its `incident`, `seq`, `prev` and `hash` (and
   `"disposed": true`), followed by the `disposed` event in full.

A stub cannot be re-hashed (its content is gone), so a tombstone is believed
only as a whole: every event but the last is a stub, the stubs link from the
genesis to the disposal event's `prev`, their hashes are the ones
`chain_digest` names, and the disposal event itself hashes correctly and is
the head the index signed with the record key. A tombstone written by anyone
without the key (content cut out, a hash changed, an event dropped, a disposal
the index never signed) fails one of these, and `verify` says which.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from incident_tui.record.events import GENESIS, EventKind, canonical_json, event_hash

STUB_FIELDS = frozenset({"incident", "seq", "prev", "hash", "disposed"})
DISPOSED_EVENTS = "disposed_events"
"""data key of the `disposed` event: how many events before it were removed."""
CHAIN_DIGEST = "chain_digest"
"""data key of the `disposed` event: SHA-256 of the canonical JSON list of their hashes."""


def is_stub(event: Any) -> bool:
    """An event whose content was removed by a disposal (only its hashes are left)."""
    return isinstance(event, dict) and event.get("disposed") is True and set(event) == STUB_FIELDS


def stub_of(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "incident": event["incident"],
        "seq": event["seq"],
        "prev": event["prev"],
        "hash": event["hash"],
        "disposed": True,
    }


def chain_digest(hashes: Sequence[str]) -> str:
    return hashlib.sha256(canonical_json(list(hashes))).hexdigest()


def has_stubs(events: Sequence[Any]) -> bool:
    return any(is_stub(event) for event in events)


def is_disposal(event: Any) -> bool:
    return isinstance(event, dict) and event.get("kind") == EventKind.disposed


def tombstone_problem(events: Sequence[Any], incident_id: str) -> str | None:
    """Why a file holding stubs is not a sound tombstone, or None if it is one
    (the index must still have signed its last event: see `unsigned_tombstone`)."""
    if not events or not is_disposal(events[-1]):
        return (
            "events were emptied of their content but no disposal is recorded after them "
            "(content cut out by hand, or a forged tombstone)"
        )
    disposal = events[-1]
    stubs = events[:-1]
    for seq, stub in enumerate(stubs):
        if not is_stub(stub):
            return (
                f"event {seq} still holds content in a disposed-of incident, or is not a "
                "tombstone entry (the tombstone was edited)"
            )
    for seq, stub in enumerate(stubs):
        expected_prev = GENESIS if seq == 0 else stubs[seq - 1]["hash"]
        if stub["incident"] != incident_id or stub["seq"] != seq:
            return f"tombstone entry {seq} is out of place (the tombstone was edited)"
        if stub["prev"] != expected_prev or not isinstance(stub["hash"], str):
            return (
                f"tombstone entry {seq} does not link to the one before it "
                "(the tombstone was edited)"
            )
    try:
        body = {name: value for name, value in disposal.items() if name != "hash"}
        hash_ok = event_hash(body) == disposal.get("hash")
    except (TypeError, ValueError):
        hash_ok = False
    if not hash_ok:
        return (
            f"the disposal event {len(stubs)} has been changed (its content no longer "
            "matches its hash)"
        )
    data = disposal.get("data") or {}
    last = stubs[-1]["hash"] if stubs else GENESIS
    if disposal.get("seq") != len(stubs) or disposal.get("prev") != last:
        return f"the disposal event does not follow tombstone entry {len(stubs) - 1}"
    if data.get(DISPOSED_EVENTS) != len(stubs):
        return (
            f"the disposal recorded {data.get(DISPOSED_EVENTS)} events removed, but the "
            f"tombstone holds {len(stubs)} (an entry was removed or added)"
        )
    if data.get(CHAIN_DIGEST) != chain_digest([stub["hash"] for stub in stubs]):
        return (
            "the hashes kept in the tombstone are not the ones the disposal recorded "
            "(a hash was changed)"
        )
    return None


__all__ = [
    "CHAIN_DIGEST",
    "DISPOSED_EVENTS",
    "STUB_FIELDS",
    "chain_digest",
    "has_stubs",
    "is_disposal",
    "is_stub",
    "stub_of",
    "tombstone_problem",
]

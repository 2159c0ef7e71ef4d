"""The actor of an event: a signed-in person's login is recorded and hashed; an
event without one hashes exactly as events always have (old records verify)."""

from __future__ import annotations

import hashlib
import json

from incident_tui.people import Person, Role
from incident_tui.record.events import Actor, FlowRef, make_event

FLOW = FlowRef(id="toy", version="1", hash="0" * 64)


def _event(actor: Actor) -> dict[str, object]:
    event = make_event(
        incident="a" * 32,
        seq=0,
        time="2026-12-02T09:00:00.000000Z",
        kind="opened",
        actor=actor,
        mode="live",
        flow=FLOW,
        prev="0" * 64,
    )
    return event.model_dump(mode="json")


def _hash_by_hand(stored: dict[str, object]) -> str:
    body = {k: v for k, v in stored.items() if k != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_an_event_with_a_typed_name_has_no_login_key() -> None:
    stored = _event(Actor(name="Pat Jones", role="teacher"))
    assert stored["actor"] == {"name": "Pat Jones", "role": "teacher"}
    assert stored["hash"] == _hash_by_hand(stored)


def test_a_signed_in_persons_login_is_recorded_and_hashed() -> None:
    person = Person(login="akhan", name="Alice Khan", role=Role.dsl)
    stored = _event(person.actor())
    assert stored["actor"] == {"name": "Alice Khan", "role": "DSL", "login": "akhan"}
    assert stored["hash"] == _hash_by_hand(stored)
    typed = _event(Actor(name="Alice Khan", role="DSL"))
    assert typed["hash"] != stored["hash"]

"""A small record for the review tests: built through the real store, no flows needed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.store import IndexRow, Store, incident_path

NUDES = FlowRef(id="sharing-nudes", version="1.0", hash="ab" * 32)
SEARCH = FlowRef(id="searching", version="2.1", hash="cd" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
HEAD = Actor(name="Ali Khan", role="head of year")
KEY = b"k" * 32


@dataclass
class Record:
    root: Path
    plain: IndexRow
    """Sealed, nothing flagged."""
    flagged: IndexRow
    """Sealed, with a stop override, an escalation and an amendment."""
    open_one: IndexRow
    """Still open, searching procedure."""
    damaged: IndexRow
    """Sealed, then an answer changed by hand in its file."""

    def readonly(self) -> Store:
        return Store.open(self.root, key=KEY, mode="live", readonly=True)


def seal(store: Store, ref: str, actor: Actor = TEACHER) -> None:
    store.append(
        ref,
        kind=EventKind.sealed,
        actor=actor,
        step="end-refer",
        prompt="Refer to children's social care",
        answer="referred",
        data={"outcome": "referred", "actions": ["Tell the DSL today", "Keep the device locked"]},
    )


def build_record(root: Path) -> Record:
    with Store.open(root, key=KEY, mode="live") as store:
        plain = store.new_incident(
            flow=NUDES, actor=TEACHER, details={"pupil": "P-1001", "location": "library"}
        )
        store.append(
            plain.id,
            kind=EventKind.answer,
            actor=TEACHER,
            step="adult-involved",
            prompt="Is an adult involved?",
            answer="no",
            rationale="The pupil said the other person is in year 10",
        )
        seal(store, plain.id)

        flagged = store.new_incident(
            flow=SEARCH, actor=HEAD, details={"pupil": "P-2002", "location": "corridor"}
        )
        store.append(
            flagged.id,
            kind=EventKind.answer,
            actor=HEAD,
            step="grounds",
            prompt="What are the reasonable grounds?",
            answer="Seen passing a vape",
            rationale="Two staff saw it",
        )
        store.append(
            flagged.id,
            kind=EventKind.override,
            actor=HEAD,
            step="witness",
            prompt="Is a same-sex witness present?",
            answer="no-witness",
            rationale="Risk of serious harm if we waited",
            data={"override": "serious-harm", "conditions": ["urgent", "no witness available"]},
        )
        store.append(
            flagged.id,
            kind=EventKind.escalation,
            actor=HEAD,
            step="witness",
            data={"message": "A weapon may be involved: call the police", "contact": "police"},
        )
        store.append(
            flagged.id,
            kind=EventKind.amendment,
            actor=HEAD,
            step="grounds",
            answer="Seen passing a knife",
            data={"amends": 1, "reason": "misheard: it was a knife, not a vape"},
        )
        seal(store, flagged.id, HEAD)

        open_one = store.new_incident(
            flow=SEARCH, actor=TEACHER, details={"pupil": "P-3003", "location": "gym"}
        )

        damaged = store.new_incident(
            flow=NUDES, actor=TEACHER, details={"pupil": "P-4004", "location": "office"}
        )
        store.append(
            damaged.id,
            kind=EventKind.answer,
            actor=TEACHER,
            step="adult-involved",
            prompt="Is an adult involved?",
            answer="no",
        )
        seal(store, damaged.id)
        rows = {r.id: r for r in store.rows()}
    path = incident_path(root, damaged.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["events"]["2"]["answer"] = "yes"  # changed by hand
    path.write_text(json.dumps(data), encoding="utf-8")
    return Record(root, rows[plain.id], rows[flagged.id], rows[open_one.id], rows[damaged.id])


@pytest.fixture(name="record")
def record_fixture(tmp_path: Path) -> Record:
    return build_record(tmp_path / "live")

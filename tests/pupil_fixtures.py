"""A child's file for the pupil tests: three incidents naming P-1001 under two procedures,
one naming P-2002 beside it, and one where P-1001 was mistyped as P-1010."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from incident_tui.record.events import Actor, EventKind
from incident_tui.record.keys import load_or_create_key
from incident_tui.record.store import IndexRow, Store
from incident_tui.review.catalogue import append_review
from tests.review_fixtures import NUDES, SEARCH, TEACHER

DSL = Actor(name="Dev Patel", role="Designated Safeguarding Lead")
PUPIL = "P-1001"
OTHER = "P-2002"
MISTYPED = "P-1010"


@dataclass
class ChildFile:
    data: Path
    config: Path
    search: IndexRow
    """Searching, sealed: a vape found, escalation, review date."""
    nudes: IndexRow
    """Nudes sharing, P-2002 is its pupil and P-1001 another pupil named; referral made."""
    later: IndexRow
    """Searching, open: P-1001 typed as P-1010."""

    @property
    def root(self) -> Path:
        return self.data / "live"

    def key(self) -> bytes:
        return load_or_create_key(self.config / "record.key")

    def writer(self) -> Store:
        return Store.open(self.root, key=self.key(), mode="live")

    def reader(self) -> Store:
        return Store.open(self.root, key=self.key(), mode="live", readonly=True)


def build_child_file(tmp_path: Path) -> ChildFile:
    data, config = tmp_path / "data", tmp_path / "config"
    key = load_or_create_key(config / "record.key")
    with Store.open(data / "live", key=key, mode="live") as store:
        search = store.new_incident(
            flow=SEARCH, actor=TEACHER, details={"pupil": PUPIL, "location": "corridor"}
        )
        store.append(
            search.id,
            kind=EventKind.answer,
            actor=TEACHER,
            step="grounds",
            prompt="What are the reasonable grounds?",
            answer="Seen passing a vape to P-2002",
            rationale="Two staff saw it",
        )
        store.append(
            search.id,
            kind=EventKind.escalation,
            actor=TEACHER,
            step="grounds",
            data={"message": "A weapon may be involved: call the police", "contact": "police"},
        )
        store.append(
            search.id,
            kind=EventKind.sealed,
            actor=TEACHER,
            step="end",
            prompt="Handled in school",
            answer="Vape confiscated; parents told",
            data={"outcome": "Vape confiscated; parents told"},
        )
        append_review(store, search.id, DSL, "review-date", {"date": "2099-01-15"})

        nudes = store.new_incident(
            flow=NUDES,
            actor=TEACHER,
            details={"pupil": OTHER, "other_pupils": [PUPIL], "location": "library"},
        )
        store.append(
            nudes.id,
            kind=EventKind.answer,
            actor=TEACHER,
            step="reported",
            prompt="What was reported?",
            answer="An image said to be of P-2002 shared in a group chat",
        )
        store.append(
            nudes.id,
            kind=EventKind.sealed,
            actor=TEACHER,
            step="end-refer",
            prompt="Refer to children's social care",
            answer="Referred to children's social care",
            data={"outcome": "Referred to children's social care"},
        )
        append_review(
            store,
            nudes.id,
            DSL,
            "referral",
            {
                "agency": "Children's social care / MASH",
                "when": "2026-11-30 10:15",
                "agency_reference": "MASH-55731",
                "advice": "Strategy discussion; school to support both pupils",
            },
        )

        later = store.new_incident(
            flow=SEARCH, actor=TEACHER, details={"pupil": MISTYPED, "location": "gym"}
        )
        rows = {row.id: row for row in store.rows()}
    return ChildFile(data, config, rows[search.id], rows[nudes.id], rows[later.id])

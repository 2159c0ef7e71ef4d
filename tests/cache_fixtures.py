"""The set-up of the index cache's and the list cache's tests: a small record whose
caches keep what was just written."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.record import Actor, EventKind, FlowRef, Store
from incident_tui.record import index_cache as cache_module

KEY = bytes(range(32))
ANN = Actor(name="Ann Smith", role="teacher")
SEARCH = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)


@pytest.fixture(autouse=True)
def no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by a test are a moment old; the caches keep what changed more
    than two seconds ago only. Here they keep it at once."""
    monkeypatch.setattr(cache_module, "_RACY_NS", 0)


def small_record(tmp_path: Path, incidents: int) -> Path:
    """A live record of `incidents` incidents, one in three with an override."""
    root = tmp_path / "data" / "live"
    with Store.open(root, key=KEY, mode="live") as store:
        for n in range(incidents):
            row = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": f"P-{n}"})
            if n % 3 == 0:
                store.append(row.id, kind=EventKind.override, actor=ANN, step="s", answer="x")
    return root

"""The access log: every viewing of an incident recorded (who, when, how), hash-chained
and signed, shown as "Viewed by", and any change to it named by verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.record import Actor, EventKind
from incident_tui.record.verify import verify_store
from incident_tui.record.viewings import (
    VIA_SCREEN,
    VIA_SHOW,
    log_path,
    record_viewing,
    viewing_line,
    viewings,
)
from tests.test_record_cli import Record
from tests.test_record_store import ANN, KEY, SEARCH, open_store

ALICE = Actor(name="Alice Khan", role="DSL", login="alice")


@pytest.fixture
def viewed(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "live"
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-1"}).id
        store.append(incident, kind=EventKind.note, actor=ANN)
    for viewer, via in ((ALICE, VIA_SCREEN), (None, VIA_SHOW), (ALICE, VIA_SHOW)):
        record_viewing(root, KEY, incident, viewer, via)
    return root, incident


def _rewrite(root: Path, incident: str, change) -> None:  # type: ignore[no-untyped-def]
    path = log_path(root, incident)
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, separators=(",", ":")))


def test_each_viewing_is_recorded_with_who_when_and_how(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    found, problem = viewings(root, incident)
    assert problem is None
    assert [(v.seq, v.via) for v in found] == [(0, VIA_SCREEN), (1, VIA_SHOW), (2, VIA_SHOW)]
    assert "Alice Khan (DSL), login alice · via the review screen" in viewing_line(found[0])
    assert "Not known" in viewing_line(found[1])
    report = verify_store(root, KEY)
    assert report.ok and report.findings == []


def test_a_changed_entry_is_named(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    _rewrite(root, incident, lambda d: d["viewings"]["2"].update(via="nothing"))
    [finding] = verify_store(root, KEY).damage()
    assert (finding.kind, finding.seq) == ("changed", 1)
    assert "access log's entry 1 was changed" in finding.message


def test_a_removed_entry_is_named(viewed: tuple[Path, str]) -> None:
    root, incident = viewed

    def remove_middle(data: dict) -> None:  # type: ignore[type-arg]
        table = data["viewings"]
        data["viewings"] = {"1": table["1"], "2": table["3"]}

    _rewrite(root, incident, remove_middle)
    kinds = {(f.kind, f.seq) for f in verify_store(root, KEY).damage()}
    assert ("missing", 1) in kinds


def test_reordered_entries_are_named(viewed: tuple[Path, str]) -> None:
    root, incident = viewed

    def swap(data: dict) -> None:  # type: ignore[type-arg]
        table = data["viewings"]
        data["viewings"] = {"1": table["1"], "2": table["3"], "3": table["2"]}

    _rewrite(root, incident, swap)
    damage = verify_store(root, KEY).damage()
    assert {f.kind for f in damage} >= {"missing", "reordered"} or "reordered" in {
        f.kind for f in damage
    }


def test_the_last_entry_cut_off_is_caught_by_the_signature(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    _rewrite(root, incident, lambda d: d["viewings"].pop("3"))
    [finding] = verify_store(root, KEY).damage()
    assert finding.kind == "truncated" and "the last 1 were removed" in finding.message

    def recount(data: dict) -> None:  # type: ignore[type-arg]
        data["signed"].update(count=2, head=data["viewings"]["2"]["hash"])

    _rewrite(root, incident, recount)
    [finding] = verify_store(root, KEY).damage()
    assert finding.kind == "changed" and "signature does not match" in finding.message


def test_show_and_export_record_the_viewing_and_say_viewed_by(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = Record(tmp_path, capsys)
    row = record.incident(pupil="P-1001")
    code, out, _ = record.run("show", row.reference)
    assert code == 0
    assert "Viewed by" in out and "via show" in out and "Not known" in out
    target = tmp_path / "out.md"
    code, _, _ = record.run(
        "export", row.reference, "-o", target, "--format", "md", "--printed-by", "Dev Patel"
    )
    assert code == 0
    text = target.read_text()
    assert "## Viewed by" in text and "Dev Patel" in text and "via an export" in text
    assert verify_store(record.root(), record.key).findings == []

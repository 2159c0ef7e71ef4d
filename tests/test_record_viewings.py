"""The access log: every viewing of an incident recorded (who, when, how), hash-chained
and signed, shown as "Viewed by", and any change to it named by verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_tui.record import Actor, EventKind
from incident_tui.record.store import Store
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


# --- the signed index row vouches for the log: deleted, cut short, put back ----------


def _row(root: Path, incident: str) -> dict:  # type: ignore[type-arg]
    from incident_tui.record.store import read_shard, shard_path

    shard = read_shard(shard_path(root, incident))
    return next(row for row in shard.values() if row["id"] == incident)


def test_the_index_row_signs_the_log_count_and_head(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    found, _ = viewings(root, incident)
    data = json.loads(log_path(root, incident).read_text())
    assert _row(root, incident)["viewings"] == {"count": 3, "head": data["signed"]["head"]}
    assert len(found) == 3


def test_the_whole_log_deleted_is_named(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    log_path(root, incident).unlink()
    [finding] = verify_store(root, KEY).damage()
    assert finding.kind == "deleted" and finding.incident == incident
    assert str(log_path(root, incident)) in finding.message
    assert "access log of incident" in finding.message and "was deleted" in finding.message
    assert "signed 3 viewings" in finding.message
    # asked about the one incident, too (as show, exports and the review screen ask)
    [one] = verify_store(root, KEY, incident=incident).damage()
    assert one.kind == "deleted"


def test_an_earlier_signed_copy_put_back_is_named_truncated(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    path = log_path(root, incident)
    earlier = path.read_bytes()
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    path.write_bytes(earlier)  # its own signature still holds: only the row catches it
    [finding] = verify_store(root, KEY).damage()
    assert finding.kind == "truncated" and finding.seq == 3
    assert "holds 3 viewings but the index signed 5" in finding.message
    assert str(path) in finding.message


def test_another_log_put_in_its_place_is_named(tmp_path: Path) -> None:
    root = tmp_path / "live"
    with open_store(root) as store:
        first = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-1"}).id
    record_viewing(root, KEY, first, ALICE, VIA_SHOW)
    claimed = _row(root, first)["viewings"]
    log_path(root, first).unlink()
    record_viewing(root, KEY, first, None, VIA_SCREEN)  # a fresh log, claim unchanged
    assert _row(root, first)["viewings"] == claimed
    [finding] = verify_store(root, KEY).damage()
    assert finding.kind == "recomputed" and "not the one the index signed" in finding.message


def test_the_claim_taken_out_of_the_row_breaks_its_signature(viewed: tuple[Path, str]) -> None:
    from incident_tui.record.store import read_shard, shard_path

    root, incident = viewed
    path = shard_path(root, incident)
    shard = read_shard(path)
    for row in shard.values():
        row.pop("viewings", None)
    path.write_text(json.dumps({"incidents": shard}, separators=(",", ":")))
    log_path(root, incident).unlink()
    kinds = {f.kind for f in verify_store(root, KEY).damage()}
    assert "recomputed" in kinds


def test_a_store_from_before_the_claim_still_verifies(tmp_path: Path) -> None:
    """Rows and logs written before the row signed the log: no claim, no damage; the
    next viewing signs the claim in."""
    from incident_tui.record.store import read_shard, shard_path, sign_row

    root = tmp_path / "live"
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-1"}).id
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    path = shard_path(root, incident)
    shard = read_shard(path)
    for row in shard.values():
        row.pop("viewings", None)
    shard = {doc: sign_row(row, KEY) for doc, row in shard.items()}
    from incident_tui.record.storage import dump_record_json

    path.write_bytes(dump_record_json({"incidents": shard}))
    assert verify_store(root, KEY).findings == []
    log_path(root, incident).unlink()  # no claim: nothing to say (as before)
    assert verify_store(root, KEY).findings == []
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    assert _row(root, incident)["viewings"]["count"] == 1
    assert verify_store(root, KEY).findings == []


def test_appending_keeps_the_claim_and_the_record_verifies(viewed: tuple[Path, str]) -> None:
    root, incident = viewed
    with open_store(root) as store:
        store.append(incident, kind=EventKind.note, actor=ANN)
        assert store.row(incident).viewings is not None
    assert _row(root, incident)["viewings"]["count"] == 3
    assert verify_store(root, KEY).findings == []
    log_path(root, incident).unlink()
    assert [f.kind for f in verify_store(root, KEY).damage()] == ["deleted"]


def test_a_stale_row_written_after_a_viewing_keeps_the_longer_claim(
    viewed: tuple[Path, str],
) -> None:
    """An append that read the row before a viewing was signed in (another session)
    does not write the claim back to an earlier count."""
    from incident_tui.record.store import sign_row

    root, incident = viewed
    stale = _row(root, incident)
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    with open_store(root) as store:
        store._write_row(incident, sign_row(stale, KEY))
    assert _row(root, incident)["viewings"]["count"] == 4
    assert verify_store(root, KEY).findings == []


def test_a_checkpoint_catches_the_log_and_its_row_put_back_together(tmp_path: Path) -> None:
    """Someone with a copy of the index file from before the incident was viewed
    deletes the access log: the row then signs no claim, so only a checkpoint kept
    elsewhere can tell."""
    from incident_tui.record.checkpoint import read_checkpoint, write_checkpoint
    from incident_tui.record.store import shard_path

    root = tmp_path / "live"
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-2"}).id
    shard = shard_path(root, incident)
    index_before_viewing = shard.read_bytes()
    for _ in range(2):
        record_viewing(root, KEY, incident, ALICE, VIA_SHOW)
    checkpoint = tmp_path / "checkpoint.json"
    written = write_checkpoint(root, KEY, checkpoint)
    assert written["heads"][incident]["viewings"] == 2
    assert read_checkpoint(checkpoint) == written
    assert verify_store(root, KEY, checkpoint=checkpoint).findings == []
    record_viewing(root, KEY, incident, ALICE, VIA_SHOW)  # the log grows after: still fine
    assert verify_store(root, KEY, checkpoint=checkpoint).findings == []
    shard.write_bytes(index_before_viewing)
    log_path(root, incident).unlink()
    assert verify_store(root, KEY).findings == []  # the store alone cannot tell
    [finding] = verify_store(root, KEY, checkpoint=checkpoint).damage()
    assert finding.kind == "deleted" and "had 2 viewings at the checkpoint" in finding.message
    assert str(log_path(root, incident)) in finding.message


def test_every_export_path_lists_viewed_by(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export, export --all and the export service (the summary screen's) each record the
    export in the access log and list "Viewed by" in the file."""
    from incident_tui.review.exports import export_incident

    record = Record(tmp_path, capsys)
    row = record.incident(pupil="P-1001")
    folder = tmp_path / "all"
    code, _, err = record.run("export", "--all", "--format", "md", "-o", folder)
    assert code == 0, err
    text = (folder / f"incident-{row.reference}.md").read_text()
    assert "## Viewed by" in text and "via an export of every incident" in text
    with Store.open(record.root(), key=record.key, mode="live", readonly=True) as store:
        export_incident(store, row.id, "json", tmp_path / "one.json", "School", viewer=ALICE)
    lines = json.loads((tmp_path / "one.json").read_text())["viewed_by"]
    assert any("Alice Khan (DSL), login alice · via an export" in line for line in lines)
    found, _ = viewings(record.root(), row.id)
    assert [v.via for v in found] == ["an export of every incident", "an export"]
    assert verify_store(record.root(), record.key).findings == []

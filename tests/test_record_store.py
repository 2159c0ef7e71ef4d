"""The record store: every decision durable before the screen moves on, nothing ever rewritten."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from pathlib import Path

import pytest
from tinydb import TinyDB

from incident_tui.errors import UserError
from incident_tui.record import (
    Actor,
    AppendRefused,
    AtomicJSONStorage,
    DamagedFile,
    DamagedIncident,
    EventKind,
    FlowRef,
    IncidentInUse,
    Store,
    StoreWriteError,
    load_or_create_key,
)
from incident_tui.record import storage as storage_module
from incident_tui.record import store as store_module
from incident_tui.record.keys import load_key
from incident_tui.record.store import holds_incidents, incident_path, shard_path
from incident_tui.record.verify import verify_store

KEY = bytes(range(32))
ANN = Actor(name="Ann Smith", role="teacher")
DSL = Actor(name="Dev Patel", role="DSL")
SEARCH = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)


def open_store(root: Path, **kwargs: object) -> Store:
    return Store.open(root, key=KEY, mode="live", **kwargs)  # type: ignore[arg-type]


def start(store: Store, pupil: str = "P-1") -> str:
    return store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": pupil}).id


def answer(store: Store, incident: str, step: str = "grounds", value: str = "yes") -> None:
    store.append(incident, kind=EventKind.answer, actor=ANN, step=step, answer=value)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data" / "live"


@pytest.fixture
def store(root: Path):
    with open_store(root) as opened:
        yield opened


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.parent.name != "locks"
    }


# -- recording ---------------------------------------------------------------------------


def test_an_opened_incident_has_one_event_and_a_daily_reference(store: Store) -> None:
    row = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-7"})
    events = store.events(row.id)
    assert [event.kind for event in events] == [EventKind.opened]
    assert events[0].data == {"pupil": "P-7", "reference": row.reference}
    assert row.reference == f"{events[0].time[:10]}-001"
    assert (row.event_count, row.head_hash, row.status) == (1, events[0].hash, "open")
    assert (row.actor, row.pupil, row.mode) == ("Ann Smith (teacher)", "P-7", "live")
    second = store.new_incident(flow=SEARCH, actor=ANN, details={})
    assert second.reference.endswith("-002")
    assert second.pupil == ""


def test_each_decision_chains_to_the_one_before(store: Store) -> None:
    incident = start(store)
    answer(store, incident, "grounds")
    event = store.append(incident, kind=EventKind.note, actor=DSL, data={"text": "called"})
    events = store.events(incident)
    assert [e.seq for e in events] == [0, 1, 2]
    assert events[2] == event
    assert events[1].prev == events[0].hash and events[2].prev == events[1].hash
    row = store.row(incident)
    assert (row.event_count, row.head_hash, row.last_step) == (3, event.hash, "grounds")


def test_an_incident_can_be_named_by_reference(store: Store) -> None:
    row = store.new_incident(flow=SEARCH, actor=ANN, details={})
    answer(store, row.reference)
    assert store.resolve(row.reference) == row.id
    assert len(store.events(row.reference)) == 2
    with pytest.raises(UserError, match="no incident 2000-01-01-001"):
        store.events("2000-01-01-001")


def test_rows_summarise_each_incident_for_the_list(store: Store) -> None:
    first = start(store, "P-1")
    second = start(store, "P-2")
    store.append(
        first,
        kind=EventKind.override,
        actor=ANN,
        step="witness",
        data={"override": "no-witness"},
        rationale="alone",
    )
    store.append(first, kind=EventKind.escalation, actor=ANN, data={"contact": "police"})
    store.append(first, kind=EventKind.amendment, actor=ANN, data={"amends": 1, "reason": "typo"})
    sealed = store.append(first, kind=EventKind.sealed, actor=ANN)
    store.append(
        first,
        kind=EventKind.reviewed,
        actor=DSL,
        data={"review": "review-date", "date": "2027-01-10"},
    )
    rows = store.rows()
    assert [row.id for row in rows] == [first, second]
    row = rows[0]
    assert (row.overrides, row.escalations, row.amendments) == (1, 1, 1)
    assert (row.status, row.sealed, row.review_date) == ("sealed", sealed.time, "2027-01-10")
    store.append(first, kind=EventKind.reviewed, actor=DSL, data={"review": "sign-off"})
    assert store.row(first).status == "reviewed"


def test_files_are_private(root: Path, store: Store) -> None:
    incident = start(store)
    for folder in (root, root / "incidents", root / "index"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store.hold(incident, ANN)
    locks = root / "locks"
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700
    for path in (incident_path(root, incident), shard_path(root, incident), *locks.iterdir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_incident_file_is_a_tinydb_database(root: Path, store: Store) -> None:
    incident = start(store)
    answer(store, incident)
    with TinyDB(incident_path(root, incident), storage=AtomicJSONStorage) as db:
        assert [doc["seq"] for doc in db.table("events").all()] == [0, 1]


def test_a_reopened_store_carries_on_where_it_stopped(root: Path) -> None:
    with open_store(root) as store:
        incident = start(store)
        answer(store, incident)
    with open_store(root) as store:
        answer(store, incident, "consent")
        assert store.row(incident).event_count == 3
        assert start(store) != incident
        assert store.rows()[1].reference.endswith("-002")


# -- refusals write nothing --------------------------------------------------------------


def refused(store: Store, root: Path, match: str, **append: object) -> None:
    incident = append.pop("incident")
    before = snapshot(root)
    with pytest.raises(AppendRefused, match=match):
        store.append(incident, actor=ANN, **append)  # type: ignore[arg-type]
    assert snapshot(root) == before


def test_a_stale_screen_cannot_append_over_a_newer_decision(store: Store, root: Path) -> None:
    incident = start(store)
    head = store.row(incident).head_hash
    answer(store, incident)
    refused(store, root, "moved on", incident=incident, kind=EventKind.answer, expect_prev=head)
    store.append(
        incident, kind=EventKind.note, actor=ANN, expect_prev=store.row(incident).head_hash
    )


def test_after_the_seal_only_notes_amendments_and_reviews(store: Store, root: Path) -> None:
    incident = start(store)
    store.append(incident, kind=EventKind.sealed, actor=ANN)
    refused(store, root, "sealed", incident=incident, kind=EventKind.answer)
    refused(store, root, "already sealed", incident=incident, kind=EventKind.sealed)
    store.append(incident, kind=EventKind.note, actor=DSL, data={"text": "ok"})


def test_an_amendment_must_name_an_event_and_a_reason(store: Store, root: Path) -> None:
    incident = start(store)
    refused(
        store,
        root,
        "no event 5",
        incident=incident,
        kind=EventKind.amendment,
        data={"amends": 5, "reason": "wrong"},
    )
    refused(
        store,
        root,
        "reason",
        incident=incident,
        kind=EventKind.amendment,
        data={"amends": 0, "reason": "  "},
    )
    refused(store, root, "reason", incident=incident, kind=EventKind.amendment, data={"amends": 0})
    refused(store, root, "seq", incident=incident, kind=EventKind.amendment, data={"reason": "x"})


def test_only_starting_an_incident_makes_an_opened_event(store: Store, root: Path) -> None:
    incident = start(store)
    refused(store, root, "opened only once", incident=incident, kind=EventKind.opened)


def test_a_damaged_incident_is_not_added_to(store: Store, root: Path) -> None:
    incident = start(store)
    answer(store, incident)
    path = incident_path(root, incident)
    data = json.loads(path.read_bytes())
    del data["events"]["2"]
    path.write_text(json.dumps(data))
    refused(store, root, "index records 2", incident=incident, kind=EventKind.note)


def test_a_read_only_store_refuses_to_record(root: Path) -> None:
    with open_store(root) as store:
        incident = start(store)
    reader = open_store(root, readonly=True)
    refused(reader, root, "reading only", incident=incident, kind=EventKind.note)
    assert reader.events(incident)[0].kind == EventKind.opened


# -- bad input is reported, never taken for a fresh start --------------------------------


def test_an_empty_incident_file_is_damage(store: Store, root: Path) -> None:
    incident = start(store)
    incident_path(root, incident).write_bytes(b"")
    with pytest.raises(DamagedIncident, match=rf"{incident}\.json: the file is empty"):
        store.events(incident)


def test_an_unparsable_index_is_named_and_costs_only_its_own_incidents(
    store: Store, root: Path
) -> None:
    incidents = [start(store) for _ in range(6)]
    broken = shard_path(root, incidents[0])
    broken.write_bytes(b'{"incidents": {')
    lost = {i for i in incidents if shard_path(root, i) == broken}
    reader = open_store(root, readonly=True)
    listing = reader.listing()
    # every incident is still listed: those of the broken index file from their own files
    assert {row.id for row in listing.rows} == set(incidents)
    assert listing.unindexed == lost
    assert listing.problems[0].startswith(f"{broken}: not valid JSON")
    assert all("has no row in the index" in problem for problem in listing.problems[1:])
    assert len(listing.problems) == 1 + len(lost)
    with pytest.raises(DamagedFile, match=rf"{broken}: not valid JSON"):
        reader.row(incidents[0])


def test_storage_refuses_an_empty_file_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    with pytest.raises(DamagedFile, match="missing"):
        AtomicJSONStorage(path).read()
    assert AtomicJSONStorage(path, create=True).read() is None
    path.write_bytes(b"")
    with pytest.raises(DamagedFile, match="empty"):
        AtomicJSONStorage(path, create=True).read()
    path.write_bytes(b'{"a": 1.5}')
    with pytest.raises(DamagedFile, match="floating-point"):
        AtomicJSONStorage(path).read()


def test_two_copies_record_at_once_and_one_incident_is_continued_in_one_at_a_time(
    root: Path,
) -> None:
    alice = Actor(name="Alice Khan", role="DSL", login="alice")
    with open_store(root) as first, open_store(root) as second:
        incident = start(first)
        other = start(second)
        first.hold(incident, alice)
        with pytest.raises(IncidentInUse) as refused:
            second.hold(incident, DSL)
        message = refused.value.message
        reference = first.row(incident).reference
        assert f"incident {reference} is open by Alice Khan (alice) since " in message
        assert "UTC on " in message and "can be read" in message
        with pytest.raises(IncidentInUse, match="Alice Khan"):
            answer(second, incident)
        assert second.holder(incident) is not None
        assert second.holder(incident).who() == "Alice Khan (alice)"  # type: ignore[union-attr]
        answer(first, incident)
        answer(first, other)  # not held by anyone: taken for the one append
        reader = open_store(root, readonly=True)
        assert reader.row(incident).event_count == 2
        assert len(reader.events(incident)) == 2
        first.let_go(incident)
        assert second.holder(incident) is None
        second.hold(incident, DSL)
        answer(second, incident)
    with open_store(root) as again:
        again.hold(incident, ANN)  # closing let go of it
        assert [row.event_count for row in again.rows()] == [3, 2]
        assert [row.reference[-3:] for row in again.rows()] == ["001", "002"]


def test_a_data_folder_that_cannot_be_written_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "live"
    real_open = os.open

    def read_only_disk(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    root.mkdir(mode=0o700)
    monkeypatch.setattr(os, "open", read_only_disk)
    with pytest.raises(UserError, match=rf"cannot record in {root}: the disk is read-only"):
        open_store(root)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a 0500 folder")
def test_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "live"
    root.mkdir(mode=0o500)
    with pytest.raises(UserError, match=f"cannot record in {root}"):
        open_store(root)


# -- a failed write loses nothing and is never acknowledged ------------------------------


def fail_at(monkeypatch: pytest.MonkeyPatch, name: str, nth: int, code: int) -> list[int]:
    """Make the nth call of os.<name> (write or fsync) fail with `code`."""
    real = getattr(os, name)
    calls = [0]

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == nth:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(storage_module.os, name, failing)
    return calls


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO])
@pytest.mark.parametrize("name", ["write", "fsync"])
@pytest.mark.parametrize("nth", [1, 2, 3, 4])
def test_a_disk_error_mid_append_is_reported_and_loses_nothing(
    root: Path, monkeypatch: pytest.MonkeyPatch, name: str, nth: int, code: int
) -> None:
    with open_store(root) as store:
        incident = start(store)
        answer(store, incident, "one")
        acknowledged = [event.hash for event in store.events(incident)]
        calls = fail_at(monkeypatch, name, nth, code)
        try:
            answer(store, incident, "two")
        except StoreWriteError as error:
            if error.event is None:  # the incident file itself could not be saved
                assert "last good copy of the file is intact" in error.message
                assert "not recorded" in error.message
            else:  # the event is on disk, only its index row lagged behind
                assert "Nothing is lost: the index catches up" in error.message
                assert store.events(incident)[-1] == error.event
        else:
            assert calls[0] < nth, "the failure was injected but append returned"
        monkeypatch.undo()
        on_disk = [event.hash for event in store.events(incident)]
        assert on_disk[: len(acknowledged)] == acknowledged
        assert verify_store(root, KEY).ok
        answer(store, incident, "three")
        assert store.events(incident)[-1].step == "three"
    report = verify_store(root, KEY)
    assert report.ok and report.findings == []
    assert not [p for p in root.rglob("*.tmp")]


def test_a_full_disk_while_opening_leaves_no_half_incident(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(root) as store:
        first = start(store)
        for nth in range(1, 7):
            fail_at(monkeypatch, "fsync", nth, errno.ENOSPC)
            with contextlib.suppress(StoreWriteError):
                start(store)
            monkeypatch.undo()
        assert verify_store(root, KEY).ok
        answer(store, first)
        assert all(row.event_count >= 1 for row in store.rows())
        references = [row.reference for row in store.rows()]
        assert len(set(references)) == len(references)


# -- the key -----------------------------------------------------------------------------


def test_the_key_is_created_once_privately(tmp_path: Path) -> None:
    path = tmp_path / "config" / "record.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_garbled_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "record.key"
    path.write_text("not hex")
    with pytest.raises(UserError, match=f"record key {path} is damaged"):
        load_or_create_key(path)


def test_reading_never_creates_a_key(tmp_path: Path) -> None:
    path = tmp_path / "config" / "record.key"
    assert load_key(path, store_has_data=True) is None  # read on, signatures unchecked
    assert len(load_key(path, store_has_data=False)) == 32  # nothing recorded: nothing to check
    assert not path.exists()
    key = load_or_create_key(path)
    assert load_key(path, store_has_data=True) == key


def test_a_store_holds_incidents_once_something_is_recorded(tmp_path: Path) -> None:
    root = tmp_path / "live"
    assert not holds_incidents(root)
    with Store.open(root, key=KEY, mode="live") as store:
        assert not holds_incidents(root)  # the folders alone are not a record
        start(store)
    assert holds_incidents(root)


def test_an_invalid_index_row_hides_only_its_own_incident(root: Path) -> None:
    with open_store(root) as store:
        ids = [start(store, pupil=f"P-{n}") for n in range(3)]
    shard = shard_path(root, ids[0])
    document = json.loads(shard.read_text())
    for row in document["incidents"].values():
        if row["id"] == ids[0]:
            row["status"] = "lost"
    shard.write_text(json.dumps(document))
    for readonly in (True, False):
        with open_store(root, readonly=readonly) as store:
            assert sorted(row.id for row in store.rows()) == sorted(ids[1:])
            rows, problems = store.rows_and_problems()
            assert len(rows) == 2
            assert problems == [
                f"{shard}: the index row of {ids[0]} is not valid (status: "
                "Input should be 'open', 'sealed', 'reviewed' or 'disposed')"
            ]
    findings = verify_store(root, KEY).findings
    assert any(f.incident == ids[0] and str(shard) in f.message for f in findings)


# -- live and training never mix -----------------------------------------------------------


@pytest.mark.parametrize("readonly", [False, True])
def test_a_store_cannot_be_opened_as_the_other_mode(tmp_path: Path, readonly: bool) -> None:
    live, training = tmp_path / "live", tmp_path / "training"
    with Store.open(live, key=KEY, mode="live") as store:
        real = start(store)
    with Store.open(training, key=KEY, mode="training") as store:
        start(store)
    before = snapshot(live), snapshot(training)
    for root, wrong, right in ((live, "training", "live"), (training, "live", "training")):
        with pytest.raises(UserError, match=f"{root} holds {right} incidents") as caught:
            Store.open(root, key=KEY, mode=wrong, readonly=readonly)  # type: ignore[arg-type]
        assert "never mixed" in caught.value.message
    assert (snapshot(live), snapshot(training)) == before  # nothing was written
    with Store.open(live, key=KEY, mode="live", readonly=readonly) as store:
        assert [row.id for row in store.rows()] == [real]


def test_the_mode_is_still_known_when_the_index_is_gone(tmp_path: Path) -> None:
    root = tmp_path / "live"
    with Store.open(root, key=KEY, mode="live") as store:
        start(store)
    for shard in (root / "index").iterdir():
        shard.unlink()
    with pytest.raises(UserError, match="holds live incidents"):
        Store.open(root, key=KEY, mode="training")


def test_an_empty_folder_opens_as_either_mode(tmp_path: Path) -> None:
    root = tmp_path / "new"
    with Store.open(root, key=KEY, mode="training", readonly=True) as store:
        assert store.rows() == []
    with Store.open(root, key=KEY, mode="live") as store:
        assert store.rows() == []


# -- training references -------------------------------------------------------------------


def test_a_training_reference_can_never_be_taken_for_a_live_one(tmp_path: Path) -> None:
    with open_store(tmp_path / "live") as live:
        real = live.new_incident(flow=SEARCH, actor=ANN, details={})
    with Store.open(tmp_path / "training", key=KEY, mode="training") as training:
        practice = training.new_incident(flow=SEARCH, actor=ANN, details={})
        assert training.events(practice.id)[0].data["reference"] == practice.reference
        second = training.new_incident(flow=SEARCH, actor=ANN, details={})
    day = real.reference[:10]
    assert real.reference == f"{day}-001"
    assert (practice.reference, second.reference) == (f"T-{day}-001", f"T-{day}-002")


def test_old_training_records_keep_their_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "training"
    # a training record opened before training references had their own form
    monkeypatch.setattr(store_module, "reference_prefix", lambda mode, day: f"{day}-")
    with Store.open(root, key=KEY, mode="training") as training:
        old = training.new_incident(flow=SEARCH, actor=ANN, details={})
    monkeypatch.undo()
    with Store.open(root, key=KEY, mode="training") as training:
        new = training.new_incident(flow=SEARCH, actor=ANN, details={})
        assert training.resolve(old.reference) == old.id
        assert training.row(old.id).reference == old.reference
    day = old.reference[:10]
    assert (old.reference, new.reference) == (f"{day}-001", f"T-{day}-001")
    assert verify_store(root, key=KEY).ok


def test_a_training_reference_is_never_reused_when_the_index_is_lost(tmp_path: Path) -> None:
    root = tmp_path / "training"
    with Store.open(root, key=KEY, mode="training") as training:
        first = training.new_incident(flow=SEARCH, actor=ANN, details={})
    shard_path(root, first.id).unlink()
    with Store.open(root, key=KEY, mode="training") as training:
        again = training.new_incident(flow=SEARCH, actor=ANN, details={})
    assert again.reference == f"T-{first.reference[2:12]}-002"

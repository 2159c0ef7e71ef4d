"""An append by a session that read or wrote the incident and its index file last still
sees everything written there since: another session's events and rows, a viewing
signed into the row, a hand edit, even one that keeps the file's length and place."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from incident_tui.record import Actor, AppendRefused, EventKind, FlowRef, Store
from incident_tui.record import store as store_module
from incident_tui.record.locks import Busy, Holder, incident_lock_path, take_incident
from incident_tui.record.storage import dump_record_json, dump_with_entry
from incident_tui.record.store import claim_viewings, incident_path, shard_path
from incident_tui.record.verify import verify_store

KEY = bytes(range(32))
ANN = Actor(name="Ann Smith", role="teacher")
DEV = Actor(name="Dev Patel", role="DSL")
SEARCH = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)


def open_store(root: Path) -> Store:
    return Store.open(root, key=KEY, mode="live")


def note(store: Store, incident: str, text: str, actor: Actor = ANN) -> str:
    return store.append(incident, kind=EventKind.note, actor=actor, answer=text).hash


def hashes(root: Path, incident: str) -> list[str]:
    events = json.loads(incident_path(root, incident).read_bytes())["events"]
    return [event["hash"] for event in events.values()]


def edit_in_place(path: Path, old: bytes, new: bytes) -> None:
    """Change bytes of a file where it is (same file, same length), as an editor might."""
    assert len(old) == len(new)
    raw = path.read_bytes()
    assert raw.count(old) == 1
    with open(path, "r+b") as fh:
        fh.seek(raw.index(old))
        fh.write(new)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "data" / "live"


@pytest.fixture
def same_shard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new incident's id starts with the same three digits: one index file."""
    numbers = iter(range(1, 1000))

    class Ids:
        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(f"abc{next(numbers):029x}")

    monkeypatch.setattr(store_module, "uuid", Ids)


def test_an_append_after_another_session_added_to_the_incident_follows_it(root: Path) -> None:
    with open_store(root) as first, open_store(root) as second:
        incident = first.new_incident(flow=SEARCH, actor=ANN, details={}).id
        mine = [hashes(root, incident)[0], note(first, incident, "one")]
        theirs = note(second, incident, "two", DEV)
        after = first.append(incident, kind=EventKind.note, actor=ANN, answer="three")
        assert (after.seq, after.prev) == (3, theirs)
        assert hashes(root, incident) == [*mine, theirs, after.hash]
        assert first.row(incident).event_count == 4
        assert first.row(incident).head_hash == after.hash
    report = verify_store(root, KEY)
    assert report.ok and report.findings == []


@pytest.mark.usefixtures("same_shard")
def test_an_append_keeps_the_rows_another_session_wrote_in_its_index_file(root: Path) -> None:
    with open_store(root) as first, open_store(root) as second:
        mine = first.new_incident(flow=SEARCH, actor=ANN, details={}).id
        note(first, mine, "one")
        theirs = second.new_incident(flow=SEARCH, actor=DEV, details={}).id
        assert shard_path(root, mine) == shard_path(root, theirs)
        note(second, theirs, "two", DEV)
        note(first, mine, "three")
        note(second, theirs, "four", DEV)
        note(first, mine, "five")
        counts = {row.id: row.event_count for row in first.rows()}
        assert counts == {mine: 4, theirs: 3}
        assert first.row(theirs).head_hash == hashes(root, theirs)[-1]
    report = verify_store(root, KEY)
    assert report.ok and report.findings == []


def test_an_append_keeps_a_viewing_signed_into_its_row_since(root: Path) -> None:
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={}).id
        note(store, incident, "one")
        # another session's viewing, signed into the row after this store wrote it
        assert claim_viewings(root, KEY, incident, 1, "a" * 64)
        note(store, incident, "two")
        claim = store.row(incident).viewings
        assert claim is not None and (claim.count, claim.head) == (1, "a" * 64)


def test_a_same_length_edit_in_place_after_an_append_is_still_refused(root: Path) -> None:
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={}).id
        store.hold(incident, ANN)
        note(store, incident, "yes")
        path = incident_path(root, incident)
        edit_in_place(path, b'"answer":"yes"', b'"answer":"yep"')
        edited = path.read_bytes()
        with pytest.raises(AppendRefused, match="event 1 fails its hash-chain check"):
            note(store, incident, "more")
        assert path.read_bytes() == edited  # the evidence is never written over


def test_a_same_length_edit_of_the_index_row_after_an_append_is_still_refused(
    root: Path,
) -> None:
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={}).id
        store.hold(incident, ANN)
        note(store, incident, "yes")
        path = shard_path(root, incident)
        edit_in_place(path, b'"event_count":2', b'"event_count":1')
        with pytest.raises(AppendRefused, match="does not carry a valid signature"):
            note(store, incident, "more")
        assert len(hashes(root, incident)) == 2


def test_an_incident_put_back_to_an_earlier_copy_is_still_refused(root: Path) -> None:
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={}).id
        path = incident_path(root, incident)
        earlier = path.read_bytes()
        note(store, incident, "one")
        path.write_bytes(earlier)  # the index row still names event 1
        with pytest.raises(AppendRefused, match="holds 1 events but the index records 2"):
            note(store, incident, "two")


@pytest.mark.parametrize("entries", [1, 2, 9, 10, 11, 120])
def test_an_entry_spliced_in_gives_the_bytes_of_the_whole_file_encoded_again(
    entries: int,
) -> None:
    table = {
        str(n + 1): {"seq": n, "text": f'é "quoted" \\ {n}\n', "list": ["a", n], "none": None}
        for n in range(entries)
    }
    entry = {"seq": entries, "answer": "naïve ☃ \u2028", "data": {"ok": True, "n": -1}}
    raw = dump_record_json({"events": table})
    spliced = dump_with_entry(raw, str(entries + 1), entry)
    assert spliced == dump_record_json({"events": {**table, str(entries + 1): entry}})
    assert list(json.loads(spliced)["events"]) == [str(n + 1) for n in range(entries + 1)]


@pytest.mark.parametrize("raw", [b'{"events":{}}', b'{"events":{"1":{}}}\n', b""])
def test_an_entry_is_never_spliced_into_bytes_not_as_written(raw: bytes) -> None:
    with pytest.raises(ValueError):
        dump_with_entry(raw, "2", {"seq": 1})


def test_one_append_leaves_its_lock_file_empty_and_a_dead_session_s_name_is_cleared(
    root: Path,
) -> None:
    with open_store(root) as store:
        incident = store.new_incident(flow=SEARCH, actor=ANN, details={}).id
    lock = incident_lock_path(root, incident)
    dead = Holder("Gone Away", None, "teacher", "2026-01-01T00:00:00Z", "session", 2**22 + 7)
    lock.write_text(json.dumps({**dead.__dict__}))  # left by a session that died
    held = take_incident(lock, Holder("Ann Smith", None, "teacher", "now", "append", 1), wait=True)
    try:
        assert lock.read_bytes() == b""  # nobody is named as continuing it
        with pytest.raises(Busy) as busy:
            take_incident(lock, Holder("Dev", None, "DSL", "now", "session", 2), wait=False)
        assert busy.value.holder is None
    finally:
        held.release()
    assert not lock.exists()
    with open_store(root) as store:
        store.hold(incident, DEV)
        assert json.loads(lock.read_bytes())["name"] == "Dev Patel"
    assert not os.path.exists(lock)


@pytest.mark.parametrize(
    "fields",
    [
        {"answer": 'Zoë’s “note”\n\t\\ "quoted" \u2028', "data": {}},
        {"answer": ["a", "b"], "data": {"incident": "x", "hash": "y", "list": ["z"], "n": 3}},
        {"answer": True, "step": "s1", "prompt": '{"incident":"no"}', "rationale": "} ] ["},
    ],
)
def test_an_event_is_encoded_once_as_its_canonical_json(fields: dict[str, object]) -> None:
    from incident_tui.record.events import canonical_text, event_hash, make_stored_event

    event, stored, text = make_stored_event(
        incident="a" * 32,
        seq=3,
        time="2026-12-02T10:00:00.000000Z",
        kind=EventKind.note,
        actor=ANN,
        mode="live",
        flow=SEARCH,
        prev="b" * 64,
        **fields,
    )
    assert stored == event.model_dump(mode="json") and list(stored)[-1] == "hash"
    assert text == canonical_text(stored) and json.loads(text) == stored
    assert event.hash == event_hash(event.body())

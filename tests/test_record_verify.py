"""Verify: any change to the stored record is found, named and explained."""

from __future__ import annotations

import gc
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incident_tui.errors import UserError
from incident_tui.record import EventKind, Store
from incident_tui.record.checkpoint import read_checkpoint, write_checkpoint
from incident_tui.record.events import Event, canonical_json
from incident_tui.record.storage import dump_record_json
from incident_tui.record.store import fold_events, incident_path, shard_files, shard_path
from incident_tui.record.verify import (
    INDEX,
    VerifyReport,
    _chain_as_written,
    verify_events,
    verify_store,
)
from tests.test_record_store import ANN, KEY, SEARCH, open_store


def build(root: Path, incidents: int = 3, answers: int = 4) -> list[str]:
    ids = []
    with open_store(root) as store:
        for number in range(incidents):
            row = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": f"P-{number}"})
            for step in range(answers):
                store.append(
                    row.id,
                    kind=EventKind.answer,
                    actor=ANN,
                    step=f"s{step}",
                    answer="yes",
                    rationale="Année scolaire",
                )
            ids.append(row.id)
    return ids


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "live"


@pytest.fixture
def ids(root: Path) -> list[str]:
    return build(root)


def load(root: Path, incident: str) -> dict[str, Any]:
    return json.loads(incident_path(root, incident).read_bytes())


def save(root: Path, incident: str, data: dict[str, Any]) -> None:
    incident_path(root, incident).write_text(json.dumps(data, ensure_ascii=False))


def rehash(event: dict[str, Any]) -> None:
    body = {k: v for k, v in event.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    event["hash"] = hashlib.sha256(text.encode()).hexdigest()


def kinds(report: VerifyReport, incident: str) -> set[str]:
    return {finding.kind for finding in report.findings if finding.incident == incident}


def only_finding(report: VerifyReport, incident: str, kind: str, seq: int | None) -> str:
    assert not report.ok
    matching = [f for f in report.findings if f.incident == incident and f.kind == kind]
    assert matching, report.findings
    assert matching[0].seq == seq
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d{3}", matching[0].reference or "")
    return matching[0].message


def test_an_untouched_store_verifies(root: Path, ids: list[str]) -> None:
    report = verify_store(root, KEY)
    assert report.ok and report.findings == []
    assert (report.incidents, report.events) == (3, 15)


def test_a_changed_answer_is_found(root: Path, ids: list[str]) -> None:
    data = load(root, ids[1])
    data["events"]["3"]["answer"] = "no"
    save(root, ids[1], data)
    report = verify_store(root, KEY)
    message = only_finding(report, ids[1], "changed", 2)
    assert f"{ids[1]}.json" in message and "event 2 has been changed" in message
    assert kinds(report, ids[0]) == set()


def test_a_removed_event_is_missing(root: Path, ids: list[str]) -> None:
    data = load(root, ids[0])
    events = list(data["events"].values())
    del events[2]
    save(root, ids[0], {"events": {str(i + 1): e for i, e in enumerate(events)}})
    message = only_finding(verify_store(root, KEY), ids[0], "missing", 2)
    assert "event 2 is missing" in message


def test_swapped_events_are_reordered(root: Path, ids: list[str]) -> None:
    data = load(root, ids[0])
    events = list(data["events"].values())
    events[1], events[2] = events[2], events[1]
    save(root, ids[0], {"events": {str(i + 1): e for i, e in enumerate(events)}})
    only_finding(verify_store(root, KEY), ids[0], "reordered", 1)


def test_an_event_relinked_to_another_is_reordered(root: Path, ids: list[str]) -> None:
    data = load(root, ids[0])
    data["events"]["4"]["prev"] = data["events"]["2"]["hash"]
    rehash(data["events"]["4"])
    save(root, ids[0], data)
    only_finding(verify_store(root, KEY), ids[0], "reordered", 3)


def test_a_clean_cut_of_the_last_events_is_truncated(root: Path, ids: list[str]) -> None:
    data = load(root, ids[2])
    del data["events"]["5"], data["events"]["4"]
    save(root, ids[2], data)
    message = only_finding(verify_store(root, KEY), ids[2], "truncated", 3)
    assert "the last 2 were cut off" in message


def test_an_unreadable_file_is_named(root: Path, ids: list[str]) -> None:
    path = incident_path(root, ids[0])
    path.write_bytes(path.read_bytes()[:-40])
    message = only_finding(verify_store(root, KEY), ids[0], "unreadable", None)
    assert str(path) in message and "not valid JSON" in message


def test_an_emptied_file_is_unreadable_not_new(root: Path, ids: list[str]) -> None:
    incident_path(root, ids[0]).write_bytes(b"")
    assert "empty" in only_finding(verify_store(root, KEY), ids[0], "unreadable", None)


def test_a_rewritten_file_with_a_recomputed_chain_is_found(root: Path, ids: list[str]) -> None:
    data = load(root, ids[1])
    prev = None
    for event in data["events"].values():
        if prev is not None:
            event["prev"] = prev
        if event["seq"] == 2:
            event["answer"] = "no"
        rehash(event)
        prev = event["hash"]
    save(root, ids[1], data)
    report = verify_store(root, KEY)
    assert "recomputed chain" in only_finding(report, ids[1], "recomputed", 4)
    assert kinds(report, ids[1]) == {"recomputed"}


def test_an_index_row_edited_to_match_is_found(root: Path, ids: list[str]) -> None:
    data = load(root, ids[0])
    del data["events"]["5"]
    save(root, ids[0], data)
    path = shard_path(root, ids[0])
    shard = json.loads(path.read_bytes())
    for row in shard["incidents"].values():
        if row["id"] == ids[0]:
            row["event_count"] = 4
            row["head_hash"] = data["events"]["4"]["hash"]
    path.write_text(json.dumps(shard))
    only_finding(verify_store(root, KEY), ids[0], "recomputed", None)


def test_an_edited_summary_in_the_index_is_found(root: Path, ids: list[str]) -> None:
    path = shard_path(root, ids[0])
    path.write_text(path.read_text().replace('"P-0"', '"P-9"'))
    assert "pupil" in only_finding(verify_store(root, KEY), ids[0], "changed", None)


def test_a_planted_incident_file_has_no_index_row(root: Path, ids: list[str]) -> None:
    planted = "f" * 32
    data = load(root, ids[0])
    for event in data["events"].values():
        event["incident"] = planted
    prev = "0" * 64
    for event in data["events"].values():
        event["prev"] = prev
        rehash(event)
        prev = event["hash"]
    incident_path(root, planted).write_text(json.dumps(data))
    report = verify_store(root, KEY)
    assert kinds(report, planted) == {"no-index-row"} and not report.ok
    with open_store(root) as store, pytest.raises(UserError, match="damaged incident"):
        store.append(planted, kind=EventKind.note, actor=ANN)  # never adopted either


def test_a_deleted_incident_file_is_found_from_its_row(root: Path, ids: list[str]) -> None:
    incident_path(root, ids[2]).unlink()
    assert "file is gone" in only_finding(verify_store(root, KEY), ids[2], "no-file", None)


def test_a_removed_index_file_leaves_incidents_with_no_row(root: Path, ids: list[str]) -> None:
    shard_path(root, ids[1]).unlink()
    report = verify_store(root, KEY)
    assert "no-index-row" in kinds(report, ids[1]) and not report.ok


def test_verify_can_check_one_incident_by_reference(root: Path, ids: list[str]) -> None:
    data = load(root, ids[0])
    data["events"]["2"]["answer"] = "no"
    save(root, ids[0], data)
    reference = Store.open(root, key=KEY, mode="live", readonly=True).row(ids[1]).reference
    report = verify_store(root, KEY, incident=reference)
    assert report.ok and report.incidents == 1 and report.events == 5
    with pytest.raises(UserError, match="no incident nope"):
        verify_store(root, KEY, incident="nope")


def test_a_wrong_key_is_reported_as_recomputed(root: Path, ids: list[str]) -> None:
    report = verify_store(root, bytes(32))
    assert {f.kind for f in report.findings} == {"recomputed"}


def test_a_leftover_temporary_file_is_not_damage(root: Path, ids: list[str]) -> None:
    leftover = root / "incidents" / f".{ids[0]}.json.0badf00d.tmp"
    leftover.write_bytes(b'{"events": {"1": ')
    report = verify_store(root, KEY)
    assert report.ok and kinds(report, ids[0]) == {"crash-leftover"}
    open_store(root).close()
    assert not leftover.exists()


def test_a_file_one_event_ahead_of_its_row_is_repaired_forward(root: Path, ids: list[str]) -> None:
    path = shard_path(root, ids[0])
    before = path.read_bytes()
    with open_store(root) as store:
        store.append(ids[0], kind=EventKind.note, actor=ANN)
    path.write_bytes(before)  # as if killed between the two writes
    report = verify_store(root, KEY)
    assert report.ok and kinds(report, ids[0]) == {"crash-leftover"}
    with open_store(root) as store:
        store.append(ids[0], kind=EventKind.note, actor=ANN)
        assert store.row(ids[0]).event_count == 7
    assert verify_store(root, KEY).findings == []


def test_the_chain_of_exported_events_can_be_checked_alone(root: Path, ids: list[str]) -> None:
    events = Store.open(root, key=KEY, mode="live", readonly=True).events(ids[0])
    assert verify_events(events) == []
    changed = [*events[:2], events[2].model_copy(update={"answer": "no"}), *events[3:]]
    assert [(f.kind, f.seq) for f in verify_events(changed)] == [("changed", 2)]
    assert [(f.kind, f.seq) for f in verify_events(events[:2] + events[3:])] == [("missing", 2)]


# -- checkpoints -------------------------------------------------------------------------


def test_a_checkpoint_catches_a_deleted_incident(
    root: Path, ids: list[str], tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    written = write_checkpoint(root, KEY, checkpoint)
    assert (written["incidents"], written["events"], written["mode"]) == (3, 15, "live")
    assert read_checkpoint(checkpoint) == written
    with open_store(root) as store:  # the store grows after the checkpoint: still fine
        store.append(ids[0], kind=EventKind.note, actor=ANN)
        store.new_incident(flow=SEARCH, actor=ANN, details={})
    assert verify_store(root, KEY, checkpoint=checkpoint).findings == []
    # someone with the key removes a whole incident, file and row
    incident_path(root, ids[1]).unlink()
    path = shard_path(root, ids[1])
    shard = json.loads(path.read_bytes())
    rows = [row for row in shard["incidents"].values() if row["id"] != ids[1]]
    path.write_text(
        json.dumps(
            {"incidents": {str(i + 1): r for i, r in enumerate(rows)}},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    )
    if not rows:
        path.unlink()
    assert verify_store(root, KEY).ok
    report = verify_store(root, KEY, checkpoint=checkpoint)
    assert kinds(report, ids[1]) == {"deleted"} and not report.ok


def test_a_checkpoint_catches_a_store_rolled_back(
    root: Path, ids: list[str], tmp_path: Path
) -> None:
    saved = tmp_path / "copy"
    shutil.copytree(root, saved)
    with open_store(root) as store:
        store.append(ids[2], kind=EventKind.sealed, actor=ANN)
    checkpoint = tmp_path / "checkpoint.json"
    write_checkpoint(root, KEY, checkpoint)
    shutil.rmtree(root)
    shutil.copytree(saved, root)  # the older copy, which verifies on its own
    assert verify_store(root, KEY).ok
    report = verify_store(root, KEY, checkpoint=checkpoint)
    assert kinds(report, ids[2]) == {"rolled-back"}
    assert "fewer than the 6" in report.damaged(ids[2])[0].message


def test_a_checkpoint_is_not_written_over_damage(
    root: Path, ids: list[str], tmp_path: Path
) -> None:
    incident_path(root, ids[0]).write_bytes(b"{}")
    with pytest.raises(UserError, match="does not verify"):
        write_checkpoint(root, KEY, tmp_path / "c.json")


def test_a_forged_or_garbled_checkpoint_is_refused(
    root: Path, ids: list[str], tmp_path: Path
) -> None:
    checkpoint = tmp_path / "c.json"
    written = write_checkpoint(root, KEY, checkpoint)
    checkpoint.write_text(json.dumps({**written, "events": 99}))
    with pytest.raises(UserError, match="signature"):
        verify_store(root, KEY, checkpoint=checkpoint)
    checkpoint.write_text("[")
    with pytest.raises(UserError, match=f"checkpoint {checkpoint} is not readable"):
        read_checkpoint(checkpoint)


# -- any stored byte ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("pristine") / "live"
    return root, build(root, incidents=3, answers=3)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_changed_byte_is_found_and_named(
    pristine: tuple[Path, list[str]], tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    source, ids = pristine
    files = [incident_path(source, i) for i in ids] + shard_files(source)
    chosen = data.draw(st.sampled_from(files), label="file")
    raw = bytearray(chosen.read_bytes())
    position = data.draw(st.integers(0, len(raw) - 1), label="position")
    raw[position] ^= data.draw(st.integers(1, 255), label="xor")
    root = tmp_path_factory.mktemp("flip") / "live"
    shutil.copytree(source, root)
    target = root / chosen.relative_to(source)
    target.write_bytes(bytes(raw))
    report = verify_store(root, KEY)
    assert not report.ok
    named = {finding.incident for finding in report.findings if finding.kind != "crash-leftover"}
    if chosen.parent.name == "incidents":
        assert chosen.stem in named
    else:
        in_shard = {i for i in ids if shard_path(source, i) == chosen}
        assert named & (in_shard | {INDEX}), report.findings


# -- the layout of an incident file --------------------------------------------------------


def canonical_layout(events: list[dict[str, Any]]) -> bytes:
    """An incident file as the hash rule reads it: each event's canonical JSON, as is."""
    items = [f'"{n + 1}":'.encode() + canonical_json(event) for n, event in enumerate(events)]
    return b'{"events":{' + b",".join(items) + b"}}"


def as_an_earlier_version_wrote_it(root: Path, incident: str) -> bytes:
    """Each event's keys in the order recorded (the model's), not sorted."""
    events = list(load(root, incident)["events"].values())
    table = {
        str(n + 1): Event.model_validate(e).model_dump(mode="json") for n, e in enumerate(events)
    }
    raw = dump_record_json({"events": table})
    assert raw != canonical_layout(events)
    incident_path(root, incident).write_bytes(raw)
    return raw


def test_each_event_is_written_as_its_canonical_json(root: Path, ids: list[str]) -> None:
    # so that verify checks its hash on the bytes stored, with no second encoding
    with open_store(root) as store:
        store.append(ids[0], kind=EventKind.note, actor=ANN, answer="Zoë’s “note”\n\t\\")
    for incident in ids:
        raw = incident_path(root, incident).read_bytes()
        assert raw == canonical_layout(list(load(root, incident)["events"].values()))
    assert b'"hash":"' in raw and raw.index(b'"hash":"') < raw.index(b'"incident":')


def test_a_file_written_before_events_were_sorted_verifies_and_is_sorted_on_append(
    root: Path, ids: list[str]
) -> None:
    old = as_an_earlier_version_wrote_it(root, ids[1])
    report = verify_store(root, KEY)
    assert report.complete and report.findings == [] and report.events == 15
    assert verify_store(root, None).findings == []
    with open_store(root) as store:
        store.append(ids[1], kind=EventKind.note, actor=ANN, answer="later")
    raw = incident_path(root, ids[1]).read_bytes()
    events = list(load(root, ids[1])["events"].values())
    assert raw != old and raw == canonical_layout(events) and len(events) == 6
    assert verify_store(root, KEY).findings == []


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda raw: raw.replace(b',"kind":', b', "kind":', 1), id="a space"),
        pytest.param(lambda raw: raw.replace(b"}}", b"}}\n"), id="a newline at the end"),
        pytest.param(lambda raw: raw.replace(b',"seq":2,', b',"seq":2,"seq":2,'), id="a key twice"),
        pytest.param(lambda raw: raw.replace("é".encode(), b"\\u00e9", 1), id="an escape"),
        pytest.param(
            lambda raw: raw.replace(b'"mode":"live"', b'"mode":"l\\u0069ve"', 1), id="ascii"
        ),
        pytest.param(lambda raw: raw.replace(b'"3":{', b'"3" :{'), id="around a doc id"),
    ],
)
def test_an_event_reformatted_by_hand_is_found_though_its_hash_holds(
    root: Path, ids: list[str], edit: Any
) -> None:
    path = incident_path(root, ids[2])
    raw = path.read_bytes()
    edited = edit(raw)
    assert edited != raw and json.loads(edited) == json.loads(raw)
    path.write_bytes(edited)
    message = only_finding(verify_store(root, KEY), ids[2], "changed", None)
    assert "edited by hand" in message and str(path) in message
    assert kinds(verify_store(root, KEY), ids[0]) == set()


def test_an_event_hashed_over_other_text_than_its_canonical_json_is_changed(
    root: Path, ids: list[str]
) -> None:
    # added by hand after the signed head, its hash taken over the text as it lies
    path = incident_path(root, ids[0])
    events = list(load(root, ids[0])["events"].values())
    forged = {**events[-1], "seq": 5, "prev": events[-1]["hash"], "answer": "forged"}
    del forged["hash"]
    unsorted = dict(reversed(forged.items()))
    text = json.dumps(unsorted, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    stored = text[:-1] + f',"hash":"{digest}"}}'
    raw = path.read_bytes()
    path.write_bytes(raw[:-2] + f',"6":{stored}}}}}'.encode())
    assert json.loads(path.read_bytes())["events"]["6"]["hash"] == digest
    message = only_finding(verify_store(root, KEY), ids[0], "changed", 5)
    assert "event 5 has been changed" in message


def test_verify_leaves_the_cycle_collector_as_it_found_it(root: Path, ids: list[str]) -> None:
    assert gc.isenabled()
    assert verify_store(root, KEY).ok and gc.isenabled()
    gc.disable()
    try:
        assert verify_store(root, KEY).ok and not gc.isenabled()
    finally:
        gc.enable()


# -- the check on the bytes as they lie ----------------------------------------------------


def index_rows(root: Path) -> dict[str, dict[str, Any]]:
    rows = {}
    for path in shard_files(root):
        for row in json.loads(path.read_bytes())["incidents"].values():
            rows[row["id"]] = row
    return rows


def as_written(root: Path, incident: str) -> Any:
    raw = incident_path(root, incident).read_bytes()
    return _chain_as_written(raw, incident, index_rows(root)[incident])


def test_an_intact_file_is_checked_on_its_bytes_as_the_full_check_reads_it(
    root: Path, ids: list[str]
) -> None:
    # verify hashes each event where it lies and parses only what the index row needs:
    # it takes every file as written, and comes to what the full check folds
    with open_store(root) as store:
        store.append(ids[0], kind=EventKind.note, actor=ANN, answer="Zoë’s “note”\n\t\\")
        store.append(ids[1], kind=EventKind.answer, actor=ANN, step="s9", answer="no")
        store.append(ids[1], kind=EventKind.note, actor=ANN, answer="no step")
        store.append(ids[1], kind=EventKind.answer, actor=ANN, answer="no step either")
        store.append(ids[2], kind=EventKind.escalation, actor=ANN, step="s5", answer="up")
        store.append(ids[2], kind=EventKind.answer, actor=ANN, step="s6", answer="on")
    for incident in ids:
        written = as_written(root, incident)
        events = list(load(root, incident)["events"].values())
        assert written is not None
        assert written.hashes == [event["hash"] for event in events]
        assert written.expected == fold_events(events) and written.first == events[0]
    assert fold_events(list(load(root, ids[1])["events"].values()))["last_step"] == "s9"
    assert verify_store(root, KEY).complete


def test_details_that_look_like_an_events_own_members_verify_and_an_edit_is_found(
    root: Path, ids: list[str]
) -> None:
    events = list(load(root, ids[0])["events"].values())
    lookalike: dict[str, Any] = {
        "hash": events[-1]["hash"],
        "incident": ids[0],
        "kind": "answer",
        "mode": "look-alike",
        "prev": events[-1]["hash"],
        "prompt": None,
        "rationale": None,
        "seq": len(events),
        "step": None,
        "time": events[-1]["time"],
    }
    with open_store(root) as store:
        store.append(ids[0], kind=EventKind.note, actor=ANN, answer="}", data=lookalike)
        store.append(ids[1], kind=EventKind.note, actor=ANN, rationale="a } in {it} [too]")
    assert as_written(root, ids[0]) is None and as_written(root, ids[1]) is None
    assert as_written(root, ids[2]) is not None
    assert verify_store(root, KEY).complete
    for incident, old, new in [
        (ids[0], b'"mode":"look-alike"', b'"mode":"look-alikf"'),
        (ids[1], b"a } in {it}", b"a } in {is}"),
    ]:
        path = incident_path(root, incident)
        raw = path.read_bytes()
        assert raw.count(old) == 1
        path.write_bytes(raw.replace(old, new))
        message = only_finding(verify_store(root, KEY), incident, "changed", len(events))
        assert "has been changed" in message
        path.write_bytes(raw)
    assert verify_store(root, KEY).complete

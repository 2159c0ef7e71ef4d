"""Opening the record one way, and asking what is damaged in one incident."""

from __future__ import annotations

from pathlib import Path

import pytest

from incident_tui.locations import Paths
from incident_tui.record.access import open_record, record_exists
from incident_tui.record.events import Actor, EventKind, FlowRef
from incident_tui.record.keys import MissingKey
from incident_tui.record.store import IncidentInUse, Store, shard_path
from incident_tui.record.verify import INDEX, incident_damage, verify_store
from incident_tui.settings import Settings
from incident_tui.tui.review.context import ReviewContext

SEARCH = FlowRef(id="searching-pupils", version="1.0.0", hash="f" * 64)
ANN = Actor(name="Ann Smith", role="teacher")


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths(data=tmp_path / "data", config=tmp_path / "config")


def record_two(paths: Paths) -> list[str]:
    """Two incidents whose ids fall in different index files."""
    ids: list[str] = []
    with open_record(paths, "live", write=True) as store:
        while len(ids) < 2:
            row = store.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-1"})
            if ids and row.id[:3] == ids[0][:3]:
                continue
            store.append(row.id, kind=EventKind.answer, actor=ANN, step="s", answer="yes")
            ids.append(row.id)
    return ids


def test_reading_a_new_record_never_creates_the_key(paths: Paths) -> None:
    with open_record(paths, "live") as store:
        assert store.readonly and store.rows() == []
    assert not paths.key_file.exists()
    assert not record_exists(paths, "live")


def test_the_first_writer_creates_the_key_and_readers_then_use_it(paths: Paths) -> None:
    [first, _] = record_two(paths)
    assert paths.key_file.exists() and record_exists(paths, "live")
    with open_record(paths, "live") as reader:
        assert reader.row(first).event_count == 2
        assert verify_store(reader.root, reader.key).complete


def test_a_lost_key_stops_a_writer_and_a_reader_reads_on_saying_so(paths: Paths) -> None:
    record_two(paths)
    paths.key_file.unlink()
    with pytest.raises(MissingKey, match="is missing"):
        open_record(paths, "live", write=True)
    with open_record(paths, "live") as reader:
        assert reader.key is None and reader.key_problem
        assert len(reader.rows()) == 2
    assert not paths.key_file.exists()


def test_training_is_opened_in_its_own_folder(paths: Paths) -> None:
    record_two(paths)
    with open_record(paths, "training", write=True) as training:
        assert training.root == paths.data / "training" and training.rows() == []
    assert not record_exists(paths, "training")


def test_a_second_writer_opens_and_is_only_refused_the_incident_held(paths: Paths) -> None:
    [first, second] = record_two(paths)
    with open_record(paths, "live", write=True) as one:
        one.hold(first, ANN)
        with open_record(paths, "live", write=True) as two:
            with pytest.raises(IncidentInUse, match="Ann Smith"):
                two.hold(first, ANN)
            two.hold(second, ANN)
        with open_record(paths, "live") as reader:
            assert len(reader.rows()) == 2


def test_a_leftover_in_the_index_folder_leaves_an_intact_incident_intact_on_the_review_screen(
    paths: Paths,
) -> None:
    [first, _] = record_two(paths)
    root = paths.store_dir("live")
    (root / "index" / f".{first[:3]}.json.0badf00d.tmp").write_bytes(b'{"incidents": ')
    assert [f.kind for f in verify_store(root, None).findings] == ["crash-leftover"]
    with open_record(paths, "live") as store:
        assert incident_damage(root, store.key, first) == []
        _row, events, findings, problem = ReviewContext(store, Settings()).read_incident(first)
    assert findings == [] and problem == "" and len(events) == 2


def test_damage_to_an_incidents_own_index_file_is_its_damage_and_no_other_incidents(
    paths: Paths,
) -> None:
    first, second = record_two(paths)
    root = paths.store_dir("live")
    shard = shard_path(root, first)
    shard.write_bytes(shard.read_bytes().replace(b'"incidents"', b'"incidents" '))
    with open_record(paths, "live") as store:
        [damage] = incident_damage(root, store.key, first)
        assert damage.incident == INDEX and damage.is_damage and str(shard) in damage.message
        assert incident_damage(root, store.key, second) == []


def test_only_a_crash_leftover_is_not_damage(paths: Paths) -> None:
    [first, _] = record_two(paths)
    root = paths.store_dir("live")
    (root / "incidents" / f".{first}.json.0badf00d.tmp").write_bytes(b"{")
    with Store.open(root, key=bytes(32), mode="live", readonly=True):
        report = verify_store(root, bytes(32))  # the wrong key: every row looks recomputed
    assert {f.kind for f in report.findings if not f.is_damage} == {"crash-leftover"}
    assert {f.kind for f in report.damage()} == {"recomputed"}
    assert not report.ok

"""The index cache: a list reads one checked file, and is exactly the list the index
files give, whatever changed, was damaged or edited since the cache was written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from incident_tui.record import EventKind, Store
from incident_tui.record import index_cache as cache_module
from incident_tui.record.index_cache import CACHE_FILE
from incident_tui.record.layout import ROW_FIELDS
from incident_tui.record.listing import dumped_rows_json, listing_json
from incident_tui.record.storage import AtomicJSONStorage, dump_record_json
from incident_tui.record.store import (
    ROW_DEFAULTS,
    ROWS_TABLE,
    IndexRow,
    Listing,
    claim_viewings,
    incident_path,
    rows_json,
    shard_files,
    shard_path,
)
from incident_tui.record.verify import verify_store
from tests.cache_fixtures import (
    ANN,
    KEY,
    SEARCH,
    no_racy_window,  # noqa: F401 (autouse)
    small_record,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return small_record(tmp_path, 40)


def reader(root: Path, key: bytes | None = KEY) -> Store:
    return Store.open(root, key=key, mode="live", readonly=True)


def uncached(root: Path) -> Listing:
    """The listing as the index files alone give it (no key: no cache used)."""
    return reader(root, key=None).listing()


def same_listing(got: Listing, expected: Listing, root: Path | None = None) -> None:
    """`got` is `expected`; with `root`, so is the dumped listing of the store now,
    with the cache and without it, to the last byte of its JSON."""
    assert got.rows == expected.rows
    assert [r.model_fields_set for r in got.rows] == [r.model_fields_set for r in expected.rows]
    assert [r.model_dump() for r in got.rows] == [r.model_dump() for r in expected.rows]
    assert rows_json(got.rows) == rows_json(expected.rows)
    assert got.problems == expected.problems
    assert got.unindexed == expected.unindexed
    if root is None:
        return
    dumps = [r.model_dump(mode="json") for r in expected.rows]
    for key in (KEY, None):
        dumped = reader(root, key).dumped_listing()
        assert dumped.rows == dumps
        assert [list(r) for r in dumped.rows] == [list(r) for r in dumps]  # in field order
        assert dumped_rows_json(dumped.rows) == rows_json(expected.rows)
        assert dumped.problems == expected.problems
        assert dumped.unindexed == expected.unindexed


def cached(root: Path) -> Listing:
    """A listing that writes the cache, then one that reads it."""
    reader(root).listing()
    assert (root / CACHE_FILE).exists()
    return reader(root).listing()


def edit_shard(root: Path, incident_id: str, **changes: object) -> Path:
    path = shard_path(root, incident_id)
    table = json.loads(path.read_bytes())[ROWS_TABLE]
    for doc_id, row in table.items():
        if row["id"] == incident_id:
            table[doc_id] = {**row, **changes}
    AtomicJSONStorage(path).write({ROWS_TABLE: table})
    return path


def first_id(root: Path) -> str:
    return uncached(root).rows[0].id


def test_the_cached_listing_is_the_listing_of_the_index_files(root: Path) -> None:
    expected = uncached(root)
    assert len(expected.rows) == 40
    same_listing(cached(root), expected, root)


def test_rows_of_every_shape_come_back_as_they_were(root: Path) -> None:
    ids = [row.id for row in uncached(root).rows]
    assert claim_viewings(root, KEY, ids[0], 2, "a" * 64)
    edit_shard(root, ids[1], other_pupils=["P-8", "P-9"], dates_of_birth={"P-8": "2012-01-02"})
    # text that JSON escapes, or does not
    edit_shard(root, ids[3], pupil='Zo\u00eb "Q" \\ a/b \u2028\x7f\x1b \U0001f600')
    old = edit_shard(root, ids[2])  # a row written before the later fields existed
    table = json.loads(old.read_bytes())[ROWS_TABLE]
    for row in table.values():
        if row["id"] == ids[2]:
            for name in ROW_DEFAULTS:
                row.pop(name)
    AtomicJSONStorage(old).write({ROWS_TABLE: table})
    expected = uncached(root)
    got = cached(root)
    same_listing(got, expected, root)
    by_id = {row.id: row for row in got.rows}
    assert by_id[ids[0]].viewings is not None and by_id[ids[0]].viewings.count == 2
    assert by_id[ids[1]].other_pupils == ("P-8", "P-9")
    assert "stops" not in by_id[ids[2]].model_fields_set


def test_a_row_changed_by_another_session_shows_in_the_next_list(root: Path) -> None:
    listed = cached(root)
    target = listed.rows[5]
    with Store.open(root, key=KEY, mode="live") as other:
        other.append(target.id, kind=EventKind.note, actor=ANN, answer="later")
        new = other.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-new"})
    after = reader(root).listing()
    row = next(r for r in after.rows if r.id == target.id)
    assert row.event_count == target.event_count + 1
    assert new.id in {r.id for r in after.rows}
    same_listing(after, uncached(root), root)


def test_an_edit_in_place_that_keeps_size_and_mtime_is_still_seen(root: Path) -> None:
    listed = cached(root)
    target = listed.rows[3]
    path = shard_path(root, target.id)
    before = path.stat()
    raw = path.read_bytes()
    pupil = target.pupil
    edited = raw.replace(f'"pupil":"{pupil}"'.encode(), f'"pupil":"Q{pupil[1:]}"'.encode())
    assert edited != raw and len(edited) == len(raw)
    with open(path, "r+b") as fh:  # the same inode, the same size
        fh.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the mtime put back
    row = next(r for r in reader(root).listing().rows if r.id == target.id)
    assert row.pupil == "Q" + target.pupil[1:]


def test_a_damaged_index_file_is_still_named_and_costs_only_its_rows(root: Path) -> None:
    listed = cached(root)
    target = listed.rows[7]
    path = shard_path(root, target.id)
    path.write_bytes(b'{"incidents": ')
    got = reader(root).listing()
    assert target.id in got.unindexed  # listed from its file, and named as damage
    assert any(str(path) in problem and "not valid JSON" in problem for problem in got.problems)
    same_listing(got, uncached(root), root)
    same_listing(reader(root).listing(), uncached(root))  # and every time after


def test_a_hand_edited_invalid_row_is_still_caught(root: Path) -> None:
    target = cached(root).rows[2]
    edit_shard(root, target.id, status="lost")
    got = reader(root).listing()
    assert target.id not in {r.id for r in got.rows}
    assert any(f"the index row of {target.id} is not valid" in p for p in got.problems)
    same_listing(got, uncached(root), root)


def test_an_edited_cache_is_not_believed(root: Path) -> None:
    expected = cached(root)
    path = root / CACHE_FILE
    path.write_bytes(path.read_bytes().replace(b"P-1", b"P-Z"))
    same_listing(reader(root).listing(), expected, root)
    assert b"P-Z" not in path.read_bytes()  # and it was written again


def test_a_cache_cut_short_or_signed_with_another_key_is_not_believed(root: Path) -> None:
    expected = cached(root)
    path = root / CACHE_FILE
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    same_listing(reader(root).listing(), expected, root)
    other = bytes(reversed(KEY))
    head, _, body = whole.partition(b"\n")
    forged = body.replace(b"P-1", b"P-Z")
    path.write_bytes(
        cache_module._MAGIC + b" " + cache_module._sign(other, forged) + b"\n" + forged
    )
    same_listing(reader(root).listing(), expected, root)


def test_another_records_cache_is_not_believed(root: Path, tmp_path: Path) -> None:
    cached(root)
    copy = tmp_path / "copy" / "live"
    shutil.copytree(root, copy)
    for shard in shard_files(copy):  # the copy changed, keeping each file's size
        raw = shard.read_bytes()
        shard.write_bytes(raw.replace(b'"pupil":"P-', b'"pupil":"Q-'))
    shutil.copy2(root / CACHE_FILE, copy / CACHE_FILE)
    got = reader(copy).listing()
    assert all(row.pupil.startswith("Q-") for row in got.rows)


def test_without_the_key_the_cache_is_neither_read_nor_written(root: Path) -> None:
    reader(root, key=None).listing()
    assert not (root / CACHE_FILE).exists()
    expected = cached(root)
    path = root / CACHE_FILE
    stamp = path.stat().st_mtime_ns
    same_listing(reader(root, key=None).listing(), expected, root)
    assert path.stat().st_mtime_ns == stamp


def test_an_interrupted_opening_and_a_lost_row_are_listed_as_before(root: Path) -> None:
    listed = cached(root)
    opening = listed.rows[1]
    edit_shard(root, opening.id, event_count=0)  # an opening interrupted before its row
    lost = listed.rows[4]
    path = shard_path(root, lost.id)
    table = json.loads(path.read_bytes())[ROWS_TABLE]
    kept = [row for row in table.values() if row["id"] != lost.id]
    path.write_bytes(dump_record_json({ROWS_TABLE: {str(n + 1): r for n, r in enumerate(kept)}}))
    got = reader(root).listing()
    assert lost.id in got.unindexed
    assert any("has no row in the index" in p for p in got.problems)
    assert opening.id in {r.id for r in got.rows}  # rebuilt from its file
    same_listing(got, uncached(root), root)
    assert incident_path(root, opening.id).exists()


def test_a_full_disk_gets_no_cache(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.statvfs

    class Full:
        def __init__(self, st: os.statvfs_result) -> None:
            self.f_bavail, self.f_frsize = 10, st.f_frsize

    monkeypatch.setattr(cache_module.os, "statvfs", lambda p: Full(real(p)))
    same_listing(reader(root).listing(), uncached(root), root)
    assert not (root / CACHE_FILE).exists()


def test_verify_is_not_troubled_by_the_cache(root: Path) -> None:
    cached(root)
    report = verify_store(root, KEY)
    assert report.complete and report.findings == []


def test_the_plain_field_list_is_the_models() -> None:
    assert tuple(IndexRow.model_fields) == ROW_FIELDS


def test_list_json_from_the_cache_loads_no_model(root: Path, tmp_path: Path) -> None:
    """The rows come from the checked cache: pydantic is not even imported."""
    import subprocess
    import sys

    key_file = tmp_path / "config" / "record.key"
    key_file.parent.mkdir()
    key_file.write_bytes(KEY.hex().encode())
    cached(root)
    script = (
        "import sys\n"
        "from incident_tui.cli import main\n"
        f"code = main(['--data-dir', {str(root.parent)!r}, '--config-dir', "
        f"{str(key_file.parent)!r}, 'list', '--json'])\n"
        # the app's stand-in for pydantic's plugin loader (incident_tui/__init__) has
        # no file: it is not pydantic
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'\n"
        "                and getattr(sys.modules[m], '__file__', None))\n"
        "core = 'pydantic_core' in sys.modules\n"
        "print(code, loaded, core, file=sys.stderr)\n"
    )
    for after_an_append in (False, True):
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        # after an append the kept text is patched: not even pydantic_core's serializer
        assert done.stderr.strip() == f"0 [] {not after_an_append}"
        got = json.loads(done.stdout)
        assert got == [row.model_dump(mode="json") for row in uncached(root).rows]
        listing_json(root, KEY)  # kept here: in the child, the files are too new to keep
        with Store.open(root, key=KEY, mode="live") as store:
            store.append(got[5]["id"], kind=EventKind.note, actor=ANN, answer="later")

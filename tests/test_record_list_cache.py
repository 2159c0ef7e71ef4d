"""The list cache: `list --json` of an unchanged record prints the text kept from the
last list, and exactly what a list of the index files would print whatever changed,
was damaged or edited since it was kept."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from incident_tui.record import EventKind, Store, list_cache
from incident_tui.record import index_cache as cache_module
from incident_tui.record.listing import listing_json
from incident_tui.record.storage import AtomicJSONStorage
from incident_tui.record.store import ROWS_TABLE, incident_path, rows_json, shard_path
from incident_tui.record.verify import verify_store
from incident_tui.safe_text import json_escaped
from tests.cache_fixtures import (
    ANN,
    KEY,
    SEARCH,
    no_racy_window,  # noqa: F401 (autouse)
    small_record,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return small_record(tmp_path, 30)


def expected(root: Path) -> tuple[str, list[str]]:
    """What a list of the index files alone prints (no key: no cache)."""
    with Store.open(root, key=None, mode="live", readonly=True) as store:
        listing = store.listing()
    return json_escaped(rows_json(listing.rows)), listing.problems


def kept(root: Path) -> bytes:
    return (root / list_cache.LIST_CACHE_FILE).read_bytes()


def listed_twice(root: Path) -> tuple[str, list[str]]:
    """A list that keeps its text, then one that prints it from the cache."""
    first = listing_json(root, KEY)
    assert (root / list_cache.LIST_CACHE_FILE).exists()
    again = listing_json(root, KEY)
    assert again == first
    return again


def first_ids(root: Path) -> list[str]:
    return [row["id"] for row in json.loads(expected(root)[0])]


def test_an_unchanged_record_prints_the_kept_text_which_is_the_list(root: Path) -> None:
    assert listed_twice(root) == expected(root)


def test_a_row_changed_by_another_session_shows_in_the_next_list(root: Path) -> None:
    listed_twice(root)
    target = first_ids(root)[4]
    with Store.open(root, key=KEY, mode="live") as other:
        other.append(target, kind=EventKind.note, actor=ANN, answer="later")
        other.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-new"})
    assert listing_json(root, KEY) == expected(root)
    assert "P-new" in listing_json(root, KEY)[0]


def test_an_index_file_edited_in_place_is_still_seen(root: Path) -> None:
    listed_twice(root)
    path = shard_path(root, first_ids(root)[3])
    before = path.stat()
    raw = path.read_bytes()
    edited = raw.replace(b'"pupil":"P-', b'"pupil":"Q-')
    assert edited != raw and len(edited) == len(raw)
    with open(path, "r+b") as fh:  # the same inode, the same size
        fh.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the mtime put back
    got = listing_json(root, KEY)
    assert got == expected(root) and '"pupil":"Q-' in got[0]


def test_an_incident_file_the_index_lacks_is_named_every_time(root: Path) -> None:
    listed_twice(root)
    lost = first_ids(root)[2]
    path = shard_path(root, lost)
    table = json.loads(path.read_bytes())[ROWS_TABLE]
    rows = [row for row in table.values() if row["id"] != lost]
    AtomicJSONStorage(path).write({ROWS_TABLE: {str(n + 1): r for n, r in enumerate(rows)}})
    for _ in range(2):
        text, problems = listing_json(root, KEY)
        assert (text, problems) == expected(root)
        assert any("has no row in the index" in problem for problem in problems)
    assert incident_path(root, lost).exists()


def test_an_interrupted_opening_is_listed_from_its_file_every_time(root: Path) -> None:
    listed_twice(root)
    opening = first_ids(root)[1]
    path = shard_path(root, opening)
    table = json.loads(path.read_bytes())[ROWS_TABLE]
    for doc_id, row in table.items():
        if row["id"] == opening:
            table[doc_id] = {**row, "event_count": 0}  # its row never indexed
    before = kept(root)
    AtomicJSONStorage(path).write({ROWS_TABLE: table})
    for _ in range(2):
        got = listing_json(root, KEY)
        assert got == expected(root) and got[1] == [] and opening in got[0]
    assert kept(root) == before  # never kept: a row came from an incident file


def test_a_damaged_index_file_is_named_every_time(root: Path) -> None:
    listed_twice(root)
    shard_path(root, first_ids(root)[5]).write_bytes(b'{"incidents": ')
    for _ in range(2):
        got = listing_json(root, KEY)
        assert got == expected(root) and any("not valid JSON" in p for p in got[1])


def test_an_edited_cut_or_forged_cache_is_not_believed(root: Path) -> None:
    right = listed_twice(root)
    path = root / list_cache.LIST_CACHE_FILE
    whole = path.read_bytes()
    path.write_bytes(whole.replace(b"P-1", b"P-Z"))
    assert listing_json(root, KEY) == right
    path.write_bytes(whole[: len(whole) // 2])
    assert listing_json(root, KEY) == right
    head, _, signed = whole.partition(b"\n")
    forged = signed.replace(b"P-1", b"P-Z")
    other = bytes(reversed(KEY))
    path.write_bytes(list_cache._MAGIC + b" " + list_cache._sign(other, forged) + b"\n" + forged)
    assert listing_json(root, KEY) == right
    assert b"P-Z" not in kept(root)  # and it was written again


def test_a_cache_another_version_wrote_is_not_believed(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    right = listed_twice(root)
    monkeypatch.setattr(list_cache, "ROW_FIELDS", (*list_cache.ROW_FIELDS, "new_field"))
    before = kept(root)
    assert listing_json(root, KEY) == right
    assert kept(root) != before  # listed afresh, and kept for this version
    monkeypatch.setattr(list_cache, "__version__", "0.0.0")
    before = kept(root)
    assert listing_json(root, KEY) == right
    assert kept(root) != before


def test_another_records_cache_is_not_believed(root: Path, tmp_path: Path) -> None:
    listed_twice(root)
    copy = tmp_path / "copy" / "live"
    shutil.copytree(root, copy)
    for shard in (copy / "index").iterdir():  # the copy changed, keeping each size
        shard.write_bytes(shard.read_bytes().replace(b'"pupil":"P-', b'"pupil":"Q-'))
    shutil.copy2(root / list_cache.LIST_CACHE_FILE, copy / list_cache.LIST_CACHE_FILE)
    assert '"pupil":"P-' not in listing_json(copy, KEY)[0]


def test_without_the_key_it_is_neither_read_nor_written(root: Path) -> None:
    assert listing_json(root, None) == expected(root)
    assert not (root / list_cache.LIST_CACHE_FILE).exists()
    listed_twice(root)
    stamp = (root / list_cache.LIST_CACHE_FILE).stat().st_mtime_ns
    assert listing_json(root, None) == expected(root)
    assert (root / list_cache.LIST_CACHE_FILE).stat().st_mtime_ns == stamp


def test_a_record_changed_a_moment_ago_is_not_kept(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", 60_000_000_000)
    assert listing_json(root, KEY) == expected(root)
    assert not (root / list_cache.LIST_CACHE_FILE).exists()


def test_verify_is_not_troubled_by_it(root: Path) -> None:
    listed_twice(root)
    report = verify_store(root, KEY)
    assert report.complete and report.findings == []


def patched_or_fresh(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, bool]:
    """One list; whether it put the kept text together again rather than listing afresh."""
    from incident_tui.record import listing

    made: list[bool] = []
    real = listing._patched

    def spy(*args: object) -> object:
        got = real(*args)  # type: ignore[arg-type]
        made.append(got is not None)
        return got

    monkeypatch.setattr(listing, "_patched", spy)
    text, problems = listing_json(root, KEY)
    assert (text, problems) == expected(root)
    return text, made == [True]


def edit_row(root: Path, incident_id: str, **changes: object) -> Path:
    path = shard_path(root, incident_id)
    table = json.loads(path.read_bytes())[ROWS_TABLE]
    for doc_id, row in table.items():
        if row["id"] == incident_id:
            table[doc_id] = {**row, **changes}
    AtomicJSONStorage(path).write({ROWS_TABLE: table})
    return path


def test_after_an_append_the_kept_text_is_patched_with_the_changed_rows(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed_twice(root)
    ids = first_ids(root)
    with Store.open(root, key=KEY, mode="live") as other:
        other.append(ids[4], kind=EventKind.note, actor=ANN, answer="later")
        other.append(ids[9], kind=EventKind.note, actor=ANN, answer="later")
    assert patched_or_fresh(root, monkeypatch)[1]
    assert patched_or_fresh(root, monkeypatch)[1] is False  # kept as patched: unchanged
    with Store.open(root, key=KEY, mode="live") as other:
        other.new_incident(flow=SEARCH, actor=ANN, details={"pupil": "P-new"})
    assert patched_or_fresh(root, monkeypatch)[1]
    edit_row(root, ids[7], pupil="P-7 \x1b[2J \u202e \x85")  # a hand edit: still safe
    text, patched = patched_or_fresh(root, monkeypatch)
    assert patched and "P-7 \\u001b[2J \\u202e \\u0085" in text


@pytest.mark.parametrize(
    "changes",
    [
        {"event_count": "5"},  # the model takes it (as 5): listed as a fresh list lists it
        {"status": "bogus"},  # the model refuses it: named
        {"extra": 1},
        {"viewings": {"count": 1}},
        {"opened": None},
    ],
)
def test_a_hand_edited_row_is_judged_by_the_model_as_a_fresh_list_judges_it(
    root: Path, monkeypatch: pytest.MonkeyPatch, changes: dict[str, object]
) -> None:
    listed_twice(root)
    edit_row(root, first_ids(root)[6], **changes)
    for _ in range(2):
        assert patched_or_fresh(root, monkeypatch)[1] is False


def test_an_id_in_two_index_files_or_two_rows_in_one_place_is_listed_afresh(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed_twice(root)
    ids = first_ids(root)
    row = next(r for r in json.loads(expected(root)[0]) if r["id"] == ids[2])
    # a copy of one incident's row, under another id in another index file: the same
    # opening time and reference as the first
    other = next(i for i in ids if i[:3] != ids[2][:3])
    edit_row(root, other, opened=row["opened"], reference=row["reference"])
    assert patched_or_fresh(root, monkeypatch)[1] is False
    edit_row(root, other, id=ids[2])  # and now the same id
    assert patched_or_fresh(root, monkeypatch)[1] is False


def test_a_damaged_or_removed_index_file_is_listed_afresh(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed_twice(root)
    ids = first_ids(root)
    shard_path(root, ids[3]).write_bytes(b'{"incidents": ')
    assert patched_or_fresh(root, monkeypatch)[1] is False
    shard_path(root, ids[3]).unlink()
    assert patched_or_fresh(root, monkeypatch)[1] is False  # its incidents have no row


def test_a_patched_rows_text_is_what_to_json_writes() -> None:
    """A patched list writes a changed row with json.dumps; a fresh one, to_json. They
    write every row the plain check takes alike: every character but lone surrogates
    (where to_json fails and a fresh list is json.dumps throughout), any int."""
    import random

    from pydantic_core import to_json

    def dumps(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    for code in range(0x110000):
        if not 0xD800 <= code < 0xE000:
            assert to_json(chr(code)).decode() == dumps(chr(code)), hex(code)
    rng = random.Random(15)
    for _ in range(3000):
        text = "".join(
            chr(
                rng.choice(
                    [rng.randrange(128), rng.randrange(0xD800), rng.randrange(0xE000, 0x110000)]
                )
            )
            for _ in range(rng.randrange(12))
        )
        row = {"a": text, "b": [text, text[:2]], "c": {text: text}, "d": None, "e": True,
               "f": rng.randrange(-(2**70), 2**70), "g": {"count": 1, "head": text}}  # fmt: skip
        assert to_json(row).decode() == dumps(row)

"""Every incident that can be listed, and what could not be, in words: the rows of
the index files (from the checked cache while a file is unchanged, `index_cache`),
each valid one, and every problem found on the way.

Plain Python until a row has to be checked: a list whose rows all come from the
checked cache never loads the store's models (`store`), so `list --json` prints
them without pydantic's import. A damaged index file or row costs only its own
incidents; an incident file with no index row (the index lost or deleted) is listed
from its file and named as damage, never silently left out.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from incident_tui.record.index_cache import IndexCache, collector_paused, stamp_of
from incident_tui.record.layout import (
    _SHARD_PATTERN,
    incident_ids_on_disk,
    incident_path,
    index_dir,
    read_shard,
    shard_path,
)
from incident_tui.record.storage import DamagedFile

if TYPE_CHECKING:
    from incident_tui.record.index_row import IndexRow

Row = TypeVar("Row", "IndexRow", dict[str, Any])
Repair = Callable[[dict[str, dict[str, Any]]], None]


@dataclass
class Listing(Generic[Row]):
    """Every incident that can be listed, and what could not be, in words."""

    rows: list[Row] = field(default_factory=list)
    """Oldest first. An incident file the index has no row for is listed from the file.
    IndexRow; in a dumped listing, each as `row.model_dump(mode="json")` gives it."""
    problems: list[str] = field(default_factory=list)
    """A damaged index file or row, an incident file without an index row: each costs
    only its own incidents, and `verify` says more."""
    unindexed: set[str] = field(default_factory=set)
    """Ids of the incidents listed from their files (no index row): damage."""
    from_files: set[str] = field(default_factory=set)
    """Ids of every incident whose row was made from its file: those `unindexed`, and
    openings interrupted before their first row was indexed."""
    shard_of: dict[str, str] | None = None
    """Id -> the index file its row is from (a valid row from an index file); None if
    an id was in more than one."""


def list_rows(root: Path, key: bytes | None, repair: Repair | None = None) -> Listing[IndexRow]:
    """The listing of the store at `root` (`key`: the record key it was opened with,
    None without a usable one). `repair` is given the rows of openings interrupted
    before their first event was indexed, for a writer to bring up to date first."""
    with collector_paused():
        listing: Listing[IndexRow] = _listing(root, key, repair, dumped=False)
    _oldest_first(listing.rows, attrgetter("reference"), attrgetter("opened"))
    return listing


def dumped_rows(
    root: Path, key: bytes | None, repair: Repair | None = None
) -> Listing[dict[str, Any]]:
    """`list_rows`, each row as `row.model_dump(mode="json")` gives it: the same rows,
    checked the same way, for printing. A row from the checked cache is dumped from
    the values it was validated with, without making its model."""
    with collector_paused():
        listing: Listing[dict[str, Any]] = _listing(root, key, repair, dumped=True)
    _oldest_first(listing.rows, itemgetter("reference"), itemgetter("opened"))
    return listing


def listing_json(root: Path, key: bytes | None) -> tuple[str, list[str]]:
    """What `list --json` prints (safe to print; without its newline), and the problems
    found on the way: the text kept from the last list (`list_cache`) while nothing it
    was made from has changed; after a change to a few index files, that text with
    their rows read again (`_patched`); else that of the dumped listing. Kept for the
    next list."""
    from incident_tui.record import list_cache
    from incident_tui.safe_text import json_escaped

    taken = time.time_ns()
    now = list_cache.state(root)  # before anything is read: a later change is a miss
    kept = list_cache.read(root, key) if now is not None else None
    if kept is not None and kept.state == now:
        return json_escaped(kept.text), []  # checked again on the way out, all the same
    patched = _patched(root, kept, now) if kept is not None and now is not None else None
    if patched is not None:
        text, keys = patched
        list_cache.save(root, key, now, taken, text, keys)
        return json_escaped(text), []
    listing = dumped_rows(root, key)
    made = _to_json(listing.rows)
    text = json_escaped(made if made is not None else dumped_rows_json(listing.rows))
    if (
        made is not None  # patched, its text is that of one serializer (`_patched`)
        and not listing.problems
        and not listing.from_files
        and listing.shard_of is not None
    ):  # the index files alone made it, each row from one
        shard_of = listing.shard_of
        keys = [
            [row["opened"], row["reference"], row["id"], shard_of[row["id"]]]
            for row in listing.rows
        ]
        list_cache.save(root, key, now, taken, text, keys)
    return text, listing.problems


PATCH_AT_MOST = 64
"""Index files changed since the kept list beyond which it is made afresh instead."""
_ROW_START = '{"id":"'
_BETWEEN = '},{"id":"'


def _patched(root: Path, kept: Any, now: dict[str, Any]) -> tuple[str, list[list[str]]] | None:
    """The kept list's text with the rows of the index files changed since read again,
    and its keys, if that is exactly the text a fresh list would print: every changed
    file's rows taken by the plain check (`row_check`), no incident file without a row,
    no id twice, no two rows in the same place of the order. None: list afresh (which
    reads, checks and reports every file as it always has)."""
    from incident_tui.record.index_cache import _plain_rows
    from incident_tui.record.layout import ROW_FIELDS
    from incident_tui.safe_text import json_escaped

    then = kept.state
    if any(then.get(name) != now[name] for name in ("format", "version", "fields", "place")):
        return None
    old, new = then["shards"], now["shards"]
    changed = [name for name in new if old.get(name) != new[name]]
    drop = set(changed).union(name for name in old if name not in new)
    if len(drop) > PATCH_AT_MOST:
        return None
    keys = kept.row_keys()
    fragments = _fragments(kept.text, keys)
    if keys is None or fragments is None:
        return None
    try:
        rows = [(*k, f) for k, f in zip(keys, fragments, strict=True) if k[3] not in drop]
    except TypeError:
        return None
    folder = index_dir(root)
    new_rows = []
    for name in changed:
        try:
            plain = _plain_rows(read_shard(folder / name))
        except DamagedFile:
            return None
        if plain is None:
            return None
        new_rows += [(dict(zip(ROW_FIELDS, values, strict=True)), name) for values, _ in plain]
    for row, name in new_rows:
        # json.dumps writes such a row as to_json does (tests/test_record_list_cache.py
        # compares them), without importing pydantic_core: but for a lone surrogate,
        # where to_json fails and a fresh list is written by json.dumps throughout
        fragment = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        try:
            fragment.encode("utf-8")
        except UnicodeEncodeError:
            return None
        piece = json_escaped(fragment)[len(_ROW_START) : -1]  # as `_fragments` gives them
        rows.append((row["opened"], row["reference"], row["id"], name, piece))
    ids = {row[2] for row in rows}
    if len(ids) != len(rows) or not incident_ids_on_disk(root) <= ids:
        return None
    rows.sort(key=itemgetter(0, 1))
    for before, after in zip(rows, rows[1:], strict=False):
        if before[0] == after[0] and before[1] == after[1]:
            return None  # the order a fresh list gives them is that of their files
    text = "[" + _ROW_START + _BETWEEN.join([row[4] for row in rows]) + "}]"
    return text, [list(row[:4]) for row in rows]


def _fragments(text: str, keys: list[list[str]] | None) -> list[str] | None:
    """Each row's text in the kept list `text` (as `to_json` gave it, one object each,
    `{"id":"` first), checked against the kept `keys`; without the `{"id":"` it starts
    with and the `}` it ends with (put back by joining). None if it does not split so."""
    if not keys or not text.startswith("[" + _ROW_START) or not text.endswith("}]"):
        return None
    pieces = text[1 + len(_ROW_START) : -2].split(_BETWEEN)
    if len(pieces) != len(keys):
        return None
    try:
        for piece, key in zip(pieces, keys, strict=True):
            row_id = key[2]
            if piece[: len(row_id) + 1] != row_id + '"' or not row_id.isalnum():
                return None
    except (TypeError, IndexError, KeyError):
        return None  # not keys as `listing_json` keeps them
    return pieces


def _oldest_first(
    rows: list[Any], reference: Callable[[Any], str], opened: Callable[[Any], str]
) -> None:
    """Sort `rows` by (opened, reference), as two stable sorts: by reference, then by
    opened. The same order as one sort by the pair, for a fraction of its time (a
    string key compares faster than a tuple of them)."""
    rows.sort(key=reference)
    rows.sort(key=opened)


def dumped_rows_json(rows: list[dict[str, Any]]) -> str:
    """`store.rows_json` of the rows of a dumped listing: the same text, by the same
    serializer, without a model of each row."""
    made = _to_json(rows)
    if made is not None:
        return made
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _to_json(rows: list[dict[str, Any]]) -> str | None:
    """The rows as `to_json` writes them; None if it cannot (e.g. a lone surrogate:
    then `json.dumps` writes them, as rows_json does)."""
    from pydantic_core import to_json

    try:
        return to_json(rows).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _listing(root: Path, key: bytes | None, repair: Repair | None, *, dumped: bool) -> Any:
    """The listing, unsorted; `dumped`: each row dumped."""
    found, raw, problems, shard_of = _rows_to_list(root, key, dumped=dumped)
    if repair is not None:
        repair(raw)
    listing: Listing[Any] = Listing(problems=problems, shard_of=shard_of)
    rows = listing.rows
    if not raw:  # every row valid: from the checked cache, or checked as it was read
        rows.extend(found.values())
    else:
        from incident_tui.record.store import row_or_problem

    for incident_id, row in found.items() if raw else ():
        if incident_id not in raw:  # valid, from an index file or the checked cache
            rows.append(row)
            continue
        if type(row.get("event_count")) is int and row["event_count"] == 0:
            # an opening interrupted before its first event was indexed: listed
            # if the event was saved, else there is nothing to list
            if incident_path(root, incident_id).exists():
                rebuilt = _row_from_file(root, incident_id)
                if rebuilt is not None:
                    rows.append(_made(rebuilt, dumped))
                    listing.from_files.add(incident_id)
            continue
        valid, problem = row_or_problem(row)
        if valid is not None:
            rows.append(_made(valid, dumped))
        else:
            listing.problems.append(f"{shard_path(root, str(row['id']))}: {problem}")
    for incident_id in sorted(incident_ids_on_disk(root) - set(found)):
        path = incident_path(root, incident_id)
        rebuilt = _row_from_file(root, incident_id)
        if rebuilt is None:
            listing.problems.append(
                f"{path}: this incident has no index row and its file cannot be read"
            )
            continue
        listing.problems.append(
            f"{path}: incident {rebuilt.reference} has no row in the index (listed "
            "from its file; it cannot be added to until the index is restored)"
        )
        rows.append(_made(rebuilt, dumped))
        listing.unindexed.add(incident_id)
        listing.from_files.add(incident_id)
    return listing


def _made(row: IndexRow, dumped: bool) -> Any:
    return row.model_dump(mode="json") if dumped else row


def _row_from_file(root: Path, incident_id: str) -> IndexRow | None:
    from incident_tui.record.store import read_incident, row_from_events

    try:
        return row_from_events(read_incident(root, incident_id))
    except DamagedFile:
        return None


def _rows_to_list(
    root: Path, key: bytes | None, *, dumped: bool
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[str], dict[str, str] | None]:
    """Every row of the index, the rows of it still to be checked, the index files
    that could not be read, and the index file of each valid row (None if an id was
    in more than one file). Every valid row of an index file is an IndexRow already
    (`dumped`: dumped), from the checked cache while the file is unchanged; the rows
    of a damaged file, or an invalid row's file, are read as they are."""
    folder = index_dir(root)
    try:
        with os.scandir(folder) as entries:
            found = sorted(
                (entry.name, entry) for entry in entries if _SHARD_PATTERN.fullmatch(entry.name)
            )
    except FileNotFoundError:
        found = []
    cache = IndexCache.load(root, key, folder)
    rows: dict[str, Any] = {}
    raw: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    shard_of: dict[str, str] = {}
    twice = False
    for name, entry in found:
        try:
            stamp = stamp_of(entry.stat())
        except OSError:
            stamp = None  # read below, which says what is wrong
        listed = cache.rows(name, stamp, dumped=dumped)
        if listed is None:
            try:
                shard = read_shard(folder / name)
            except DamagedFile as exc:
                problems.append(str(exc))  # costs only its own incidents
                continue
            listed = cache.keep(name, stamp, shard, dumped=dumped)
            if listed is None:
                for row in shard.values():
                    twice = twice or str(row["id"]) in rows
                    rows[str(row["id"])] = raw[str(row["id"])] = row
                    shard_of[str(row["id"])] = name
                continue
        for valid in listed:
            valid_id = valid["id"] if dumped else valid.id
            twice = twice or valid_id in rows
            rows[valid_id] = valid
            shard_of[valid_id] = name
            raw.pop(valid_id, None)
    cache.save([name for name, _ in found])
    return rows, raw, problems, None if twice else shard_of

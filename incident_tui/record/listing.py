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
    was made from has changed, else that of the dumped listing, kept for the next."""
    from incident_tui.record import list_cache
    from incident_tui.safe_text import json_escaped

    taken = time.time_ns()
    now = list_cache.state(root)  # before anything is read: a later change is a miss
    kept = list_cache.load(root, key, now)
    if kept is not None:
        return json_escaped(kept), []  # checked again on the way out, all the same
    listing = dumped_rows(root, key)
    text = json_escaped(dumped_rows_json(listing.rows))
    if not listing.problems and not listing.from_files:  # the index files alone made it
        list_cache.save(root, key, now, taken, text)
    return text, listing.problems


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
    from pydantic_core import to_json

    try:
        return to_json(rows).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # e.g. a lone surrogate: as rows_json
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _listing(root: Path, key: bytes | None, repair: Repair | None, *, dumped: bool) -> Any:
    """The listing, unsorted; `dumped`: each row dumped."""
    found, raw, problems = _rows_to_list(root, key, dumped=dumped)
    if repair is not None:
        repair(raw)
    listing: Listing[Any] = Listing(problems=problems)
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
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[str]]:
    """Every row of the index, the rows of it still to be checked, and the index files
    that could not be read. Every valid row of an index file is an IndexRow already
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
                    rows[str(row["id"])] = raw[str(row["id"])] = row
                continue
        for valid in listed:
            valid_id = valid["id"] if dumped else valid.id
            rows[valid_id] = valid
            raw.pop(valid_id, None)
    cache.save([name for name, _ in found])
    return rows, raw, problems

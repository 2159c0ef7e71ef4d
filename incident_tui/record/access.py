"""Opening the record (the one way every command, screen and the app does it),
and finding one incident in it.

`open_record(paths, mode)` reads: no lock, so it works beside a copy that is
recording, and the key is never created (see `keys`). `write=True` opens it
for recording (beside any number of other sessions; see `locks`) and creates the
key with the first incident. Either way the store
refuses a folder that holds the other mode's incidents.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from incident_tui.errors import UserError
from incident_tui.locations import Mode

if TYPE_CHECKING:
    from incident_tui.locations import Paths
    from incident_tui.record.store import IndexRow, Store


class IncidentNotFound(UserError):
    """No incident by that reference or id; `index_problem` says if part of the
    index could not be read (so the incident may be there after all)."""

    def __init__(
        self, message: str, index_problem: str | None = None, *, exit_code: int | None = None
    ) -> None:
        super().__init__(message, exit_code=exit_code)
        self.index_problem = index_problem


def open_record(paths: Paths, mode: Mode, *, write: bool = False) -> Store:
    """The live or training record under `paths`; UserError (in words) if it cannot open."""
    from incident_tui.record.keys import load_key, load_or_create_key
    from incident_tui.record.layout import holds_incidents
    from incident_tui.record.store import Store

    root = paths.store_dir(mode)
    has_data = holds_incidents(root)
    notices: list[str] = []
    key: bytes | None
    if write:
        key = load_or_create_key(paths.key_file, store_has_data=has_data, notices=notices)
    else:
        key = load_key(paths.key_file, store_has_data=has_data)
    # The store checks the key against the record (a writer refuses another key; a
    # reader reads on without it, `key_problem` saying so) and names the key file.
    store = Store.open(root, key=key, mode=mode, readonly=not write, key_file=paths.key_file)
    store.notices = notices
    return store


def listing_json(paths: Paths, mode: Mode) -> tuple[str, list[str], str | None]:
    """(`listing.listing_json` of the record: what `list --json` prints, the problems
    found), and the store's `key_problem`: opened with the same checks as
    `open_record(paths, mode)` to read, without loading the store's models unless a
    row has to be checked (`listing`)."""
    from incident_tui.record.listing import listing_json as printed

    root, key, problem = _reading(paths, mode)
    return (*printed(root, key), problem)


def _reading(paths: Paths, mode: Mode) -> tuple[Path, bytes | None, str | None]:
    """(the store's folder, the key to check it with, the store's `key_problem`), as
    `open_record(paths, mode)` opens it to read: the same checks, in the same order."""
    from incident_tui.record.keys import for_reading, load_key
    from incident_tui.record.layout import check_mode, holds_incidents

    root = paths.store_dir(mode)
    key = load_key(paths.key_file, store_has_data=holds_incidents(root))
    check_mode(root, mode)  # as Store.open reads
    usable, problem = for_reading(root, key, paths.key_file)
    return root, usable, problem


def writer_for(store: Store) -> Store:
    """The record `store` reads, opened for writing with the key it was opened with
    (for one append from a read-only view)."""
    from incident_tui.record.store import Store

    return Store.open(store.root, key=store.key, mode=store.mode, key_file=store.key_file)


def find_incident(store: Store, ref: str) -> IndexRow:
    """The row of the incident `ref` (a reference or an internal id). A damaged index
    file elsewhere does not hide it, and an incident file the index has lost is
    still found by its id (its row rebuilt from its events; verify reports it)."""
    try:
        return store.row(ref)
    except UserError as exc:
        missed = exc
    rows, problems = store.rows_and_problems()
    for row in rows:
        if ref in (row.id, row.reference):
            return row
    orphan = _row_from_file(store, ref)
    if orphan is not None:
        return orphan
    problem = problems[0] if problems else None
    raise IncidentNotFound(missed.message, problem, exit_code=missed.exit_code) from None


def _row_from_file(store: Store, ref: str) -> IndexRow | None:
    from incident_tui.record.store import IndexRow, fold_event, incident_path, is_incident_id

    if not is_incident_id(ref) or not incident_path(store.root, ref).exists():
        return None
    try:
        events = store.events(ref)
    except UserError:
        return None
    row = None
    for event in events:
        row = fold_event(row, event.model_dump(mode="json"))
    return IndexRow.model_validate(row) if row is not None else None


def record_exists(paths: Paths, mode: Mode) -> bool:
    """Whether anything has been recorded in that mode's store (without reading it)."""
    from incident_tui.record.layout import holds_incidents

    return holds_incidents(paths.store_dir(mode))


__all__ = [
    "IncidentNotFound",
    "Mode",
    "find_incident",
    "listing_json",
    "open_record",
    "record_exists",
    "writer_for",
]

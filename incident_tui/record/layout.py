"""Where the store keeps what, and the reading that needs no model: the folders and
file names, the index files' rows as stored, which mode a store holds.

Plain Python (no pydantic): a list reads the record through these, and loads the
store's models (`store`) only for a row that still has to be checked. The layout
itself is described in `store`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from incident_tui.errors import UserError
from incident_tui.locations import Mode
from incident_tui.record.storage import DamagedFile, parse_record_json, read_record_bytes

INCIDENTS_DIR = "incidents"
INDEX_DIR = "index"
ROWS_TABLE = "incidents"
SHARD_PREFIX = 3
_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
_SHARD_PATTERN = re.compile(r"[0-9a-f]{3}\.json")
_INCIDENT_FILE = re.compile(r"[^.].*\.json")
_ID_FILE = re.compile(r"[0-9a-f]{32}\.json")

ROW_FIELDS = (
    "id",
    "reference",
    "flow_id",
    "flow_version",
    "flow_hash",
    "mode",
    "status",
    "opened",
    "sealed",
    "event_count",
    "head_hash",
    "hmac",
    "actor",
    "pupil",
    "last_step",
    "last_time",
    "overrides",
    "escalations",
    "amendments",
    "review_date",
    "stops",
    "other_pupils",
    "dates_of_birth",
    "retention_hold",
    "disposed",
    "transfer_to",
    "transfer_sent",
    "transfer_checkpoint",
    "transfer_confirmed",
    "origin",
    "received",
    "viewings",
    "awaiting",
    "handed_by",
    "handed_at",
)
"""The fields of an index row (`index_row.IndexRow`), in order, for those that read rows
without its model (a test keeps the two the same)."""


def incidents_dir(root: Path) -> Path:
    return root / INCIDENTS_DIR


def index_dir(root: Path) -> Path:
    return root / INDEX_DIR


def incident_path(root: Path, incident_id: str) -> Path:
    return root / INCIDENTS_DIR / f"{incident_id}.json"


def shard_path(root: Path, incident_id: str) -> Path:
    return root / INDEX_DIR / f"{incident_id[:SHARD_PREFIX]}.json"


def is_incident_id(text: str) -> bool:
    return _ID_PATTERN.fullmatch(text) is not None


def read_shard(path: Path) -> dict[str, dict[str, Any]]:
    """doc id -> row of one index file; {} if it does not exist yet."""
    try:
        raw = read_record_bytes(path)
    except FileNotFoundError:
        return {}
    return parse_shard(raw, path)


def parse_shard(raw: bytes, path: Path) -> dict[str, dict[str, Any]]:
    """doc id -> row of the index file `path` whose bytes are `raw`, or DamagedFile."""
    data = parse_record_json(raw, path)
    table = data.get(ROWS_TABLE)
    if not isinstance(table, dict) or set(data) != {ROWS_TABLE}:
        raise DamagedFile(path, 'not an index file (no "incidents" table)')
    for position, (doc_id, row) in enumerate(table.items()):
        if not isinstance(row, dict) or doc_id != str(position + 1) or "id" not in row:
            raise DamagedFile(path, f"index entry {doc_id!r} is out of place or not a row")
    return table


def shard_files(root: Path) -> list[Path]:
    folder = index_dir(root)
    return [folder / name for name in _shard_names(folder)]


def _shard_names(folder: Path) -> list[str]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(name for name in names if _SHARD_PATTERN.fullmatch(name))


def incident_ids_on_disk(root: Path) -> set[str]:
    """The ids of every incident file in the store (a listing, no file read)."""
    try:
        names = os.listdir(incidents_dir(root))
    except OSError:
        return set()
    return {name[: -len(".json")] for name in names if _ID_FILE.fullmatch(name)}


def holds_incidents(root: Path) -> bool:
    """Whether anything has been recorded in the store at `root` (an incident file
    or an index file), without reading any of it. A folder that cannot be looked
    into counts as holding incidents: the safe answer."""
    folders = ((incidents_dir(root), _INCIDENT_FILE), (index_dir(root), _SHARD_PATTERN))
    for folder, pattern in folders:
        try:
            with os.scandir(folder) as entries:
                if any(pattern.fullmatch(entry.name) for entry in entries):
                    return True
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:
            return True
    return False


def recorded_mode(root: Path) -> Mode | None:
    """The mode of the incidents already in the store at `root` (None if it holds
    none that can be read). One index file is enough: a store only ever holds one
    mode, and this keeps it so."""
    folder = index_dir(root)
    for name in _shard_names(folder):  # usually the first one says
        path = folder / name
        try:
            rows = read_shard(path).values()
        except DamagedFile:
            continue  # verify reports it; another index file will say
        for row in rows:
            if row.get("mode") in ("live", "training"):
                return row["mode"]
    folder = incidents_dir(root)
    try:
        names = sorted(name for name in os.listdir(folder) if _ID_FILE.fullmatch(name))
    except OSError:
        return None
    for name in names[:1]:
        from incident_tui.record.store import read_incident

        try:
            events = read_incident(root, name[: -len(".json")])
        except DamagedFile:
            return None
        if events and events[-1].get("mode") in ("live", "training"):
            return events[-1]["mode"]  # the last: a disposed-of incident's first is a stub
    return None


def check_mode(root: Path, mode: Mode) -> None:
    """UserError if the store at `root` already holds the other mode's incidents, so
    that live and training records can never be mixed."""
    recorded = recorded_mode(root)
    if recorded is not None and recorded != mode:
        raise UserError(
            f"{root} holds {recorded} incidents, so it cannot be opened as the {mode} "
            "record: live and training records are kept apart and never mixed "
            "(training is kept in the training folder beside the live one)."
        )

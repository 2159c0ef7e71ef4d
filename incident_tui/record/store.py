"""The record store: one TinyDB file per incident plus a signed index.

Layout under the store's root (0700 folders, 0600 files):

    incidents/<id>.json   one incident: TinyDB table "events", doc id = seq + 1
    index/<xxx>.json      index rows (TinyDB table "incidents") for the incidents
                          whose id starts with the three hex digits xxx
    locks/                the locks that let many sessions record at once (`locks`)
    references.json       the last reference given out (made under its lock)
    key-check.json        which key the store was made with (`keys`)
    index-cache.json      every index row in one checked file, for listing
                          (`index_cache`): derived, never the record
    list-cache.json       what `list --json` printed last, checked (`list_cache`):
                          derived, never the record

The index is split by id so that an append rewrites one small index file
whatever the number of incidents: a single index file of 10,000 rows costs
~110 ms to rewrite. With 4,096 index files a school of 10,000 incidents has
2-3 rows in each, so an append reads and writes about as much as at 10
incidents (with 256 files, ~40 rows each made the 10,000 median ~1.55x the 10
one). A list would read ~3,700 files: it reads the index cache instead, and
only the index files changed since the cache was written.

Many sessions write at once: each incident is written only by the session
holding its lock, each index file is read, changed and written under its own
short lock, and references are given out under one more. Readers take no lock:
every file is replaced whole and atomically, so a reader sees the old file or
the new one.

An append reads the incident file, checks it against its index row, writes the
incident file, then the index row, each atomically (see `storage`). A crash
between the two leaves the incident file one event ahead of its row; the next
session to take that incident's lock repairs that forward, but only when the
extra events chain correctly from the signed head in the index. Anything else
is damage, reported and never written over.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from pydantic import ValidationError

from incident_tui.errors import UserError
from incident_tui.locations import Mode, ensure_private_dir
from incident_tui.record.events import (
    AFTER_SEAL,
    CORRECTED_DATE_OF_BIRTH,
    CORRECTED_FOR_PUPIL,
    DATE_OF_BIRTH,
    GENESIS,
    HOLD_LIFTED,
    RETENTION_HOLD,
    REVIEW_DATE,
    SIGN_OFF,
    STOP_SHOWN_KEY,
    Actor,
    Answer,
    DataValue,
    Event,
    EventKind,
    FlowRef,
    canonical_json,
    event_hash,
    make_event,
    make_stored_event,
    stored_event_hash,
    utc_now,
)
from incident_tui.record.index_row import IndexRow
from incident_tui.record.layout import (
    _ID_FILE,
    _SHARD_PATTERN,
    INCIDENTS_DIR,
    INDEX_DIR,
    ROWS_TABLE,
    SHARD_PREFIX,
    check_mode,
    holds_incidents,
    incident_ids_on_disk,
    incident_path,
    incidents_dir,
    index_dir,
    is_incident_id,
    parse_shard,
    read_shard,
    recorded_mode,
    shard_files,
    shard_path,
)
from incident_tui.record.listing import Listing, dumped_rows, list_rows
from incident_tui.record.locks import (
    REFERENCES_LOCK,
    STORE_LOCK,
    Busy,
    HeldIncident,
    Hold,
    Holder,
    IncidentInUse,
    incident_lock_path,
    locks_dir,
    session_holder,
    shard_lock_path,
    short_lock,
    take_incident,
    try_incident,
)
from incident_tui.record.pupils import (
    OTHER_PUPILS_KEY,
    PUPIL_KEY,
    PUPIL_KEYS,
    is_pupil_amendment,
    recorded_pupils_problem,
    reference_key,
)
from incident_tui.record.references import reference_prefix
from incident_tui.record.storage import (
    AtomicJSONStorage,
    DamagedFile,
    KnownFiles,
    StoreWriteError,
    atomic_write_bytes,
    dump_record_json,
    fsync_dir,
    is_temp_file,
    os_reason,
    parse_record_json,
    read_record_bytes,
    with_entry_text,
)
from incident_tui.record.tombstone import has_stubs, is_disposal, is_stub, tombstone_problem
from incident_tui.text_fields import (
    ACTOR_NAME,
    ACTOR_ROLE,
    LOCATION,
    PUPIL,
    REVIEW_TEXT,
    STORED_TEXT_LIMIT,
    TextField,
)

COUNTER_FILE = "references.json"
REFERENCES_LOCK_PATH = f"locks/{REFERENCES_LOCK}"
STORE_LOCK_PATH = f"locks/{STORE_LOCK}"
EVENTS_TABLE = "events"
_LOCK_FILE = re.compile(r"[0-9a-f]{32}\.lock")
_TEMP_NAME = re.compile(r"\.(.+)\.[0-9a-f]{8}\.tmp")
_REFERENCE_IN_FILE = re.compile(rb'"reference":"((?:T-)?\d{4}-\d{2}-\d{2}-)(\d{1,9})"')
_NEW_ID_TRIES = 64


class AppendRefused(UserError):
    """An append the record does not allow; nothing was written."""


class DamagedIncident(DamagedFile):
    """An incident file that cannot be read or does not match its index row."""

    def __init__(self, path: Path, problem: str, *, incident: str) -> None:
        super().__init__(path, problem)
        self.incident = incident


ROW_DEFAULTS: dict[str, Any] = {
    "stops": 0,
    "other_pupils": [],
    "dates_of_birth": {},
    "retention_hold": False,
    "disposed": None,
    "transfer_to": None,
    "transfer_sent": None,
    "transfer_checkpoint": None,
    "transfer_confirmed": None,
    "origin": None,
    "received": None,
    "viewings": None,
    "awaiting": None,
    "handed_by": None,
    "handed_at": None,
}
"""What a row written by an earlier version means by a field it does not have."""


def rows_json(rows: list[IndexRow]) -> str:
    """The rows as one JSON array (as `row.model_dump(mode="json")` each, compact),
    made by pydantic's serializer in one call: for `list --json`, where building a
    dict per row and encoding them again took longer than reading the index."""
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(list[IndexRow]).dump_json(rows).decode("utf-8")
    except (ValueError, UnicodeDecodeError):  # e.g. a lone surrogate: as before
        return json.dumps(
            [row.model_dump(mode="json") for row in rows],
            ensure_ascii=False,
            separators=(",", ":"),
        )


# -- paths and the index row rule (shared with verify) ---------------------------------


PART_KINDS = (EventKind.handover, EventKind.takeover)


def row_hmac(
    key: bytes,
    incident_id: str,
    event_count: int,
    head_hash: str,
    viewings: dict[str, Any] | None = None,
) -> str:
    """The row's signature: over its id, event count and head hash, and, once the
    incident has been viewed with the record key, its access log's count and head
    (a row without them is signed as before they existed)."""
    body: dict[str, Any] = {"id": incident_id, "event_count": event_count, "head_hash": head_hash}
    if viewings is not None:
        body["viewings"] = {"count": viewings["count"], "head": viewings["head"]}
    return hmac.new(key, canonical_json(body), hashlib.sha256).hexdigest()


def sign_row(row: dict[str, Any], key: bytes) -> dict[str, Any]:
    mac = row_hmac(key, row["id"], row["event_count"], row["head_hash"], row.get("viewings"))
    return {**row, "hmac": mac}


def row_signature_ok(row: dict[str, Any], key: bytes) -> bool:
    try:
        viewings = row.get("viewings")
        if viewings is not None and not valid_viewings_claim(viewings):
            return False
        expected = row_hmac(key, row["id"], row["event_count"], row["head_hash"], viewings)
    except (KeyError, TypeError, ValueError):
        return False
    return isinstance(row.get("hmac"), str) and hmac.compare_digest(expected, row["hmac"])


def valid_viewings_claim(claim: Any) -> bool:
    """Whether `claim` (a row's "viewings") has the shape of one: {"count", "head"}."""
    return (
        isinstance(claim, dict)
        and set(claim) == {"count", "head"}
        and type(claim["count"]) is int
        and claim["count"] > 0
        and isinstance(claim["head"], str)
    )


def claim_viewings(root: Path, key: bytes, incident_id: str, count: int, head: str) -> bool:
    """Sign into the incident's index row that its access log holds `count` entries
    ending in `head` (called by `record.viewings` with the log's lock held, after the
    log is written). Under the index file's own lock, so rows others write meanwhile
    are kept. A row that is missing or does not carry a valid signature is left as it
    is (damage is for verify to report, never to sign over); so is a claim as long
    already. True if the row was written. StoreWriteError or DamagedFile."""
    prefix = incident_id[:SHARD_PREFIX]
    with short_lock(shard_lock_path(root, prefix)):
        path = shard_path(root, incident_id)
        shard = read_shard(path)
        doc_id = next((d for d, row in shard.items() if row.get("id") == incident_id), None)
        if doc_id is None or not row_signature_ok(shard[doc_id], key):
            return False
        claimed = shard[doc_id].get("viewings")
        if claimed is not None and claimed["count"] >= count:
            return False
        shard[doc_id] = sign_row({**shard[doc_id], "viewings": {"count": count, "head": head}}, key)
        AtomicJSONStorage(path).write({ROWS_TABLE: shard})
    return True


def _actor_text(actor: Any) -> str:
    if isinstance(actor, dict):
        return f"{actor.get('name', '')} ({actor.get('role', '')})"
    return str(actor)


_MOVES_ONLY = frozenset({EventKind.opened.value, EventKind.answer.value, EventKind.refer_now.value})
"""The kinds that change nothing in a row but its count, head, last time and step."""


def fold_event(row: dict[str, Any] | None, event: dict[str, Any]) -> dict[str, Any]:
    """The index row after `event` (unsigned): the one rule the store and verify share."""
    return _fold(row, event, owned=False)


def fold_events(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The index row after all of `events` (unsigned), as `fold_event` one by one
    makes it, but copied once rather than once per event (verify folds every chain)."""
    row: dict[str, Any] | None = None
    for event in events:
        row = _fold(row, event, owned=True)
    return row


STEP_ONLY_KINDS: tuple[str, ...] = (EventKind.answer.value, EventKind.refer_now.value)
"""The kinds whose fold, past the first event, moves only a row's count, head, last
time and (if the event has one) last step."""


def fold_without_steps(
    events: list[dict[str, Any]], count: int, head: str, last_time: Any, last_step: Any
) -> dict[str, Any] | None:
    """`fold_events` of a chain given only its first event and every later one not of a
    `STEP_ONLY_KINDS` kind (`events`, in order), its length, the hash and time of its
    last event, and the last step any event since the last `opened` one names (or
    None): what the skipped events would have moved. For verify, which then parses
    only the events it needs. Not for a chain with a disposal (it builds the row anew)."""
    row = fold_events(events)
    if row is not None:
        row["event_count"], row["head_hash"] = count, head
        row["last_time"], row["last_step"] = last_time, last_step
    return row


def _fold(row: dict[str, Any] | None, event: dict[str, Any], *, owned: bool) -> dict[str, Any]:
    """`fold_event`; with `owned` the caller's `row` is its own, changed in place (and
    every row made here is new, so its nested lists and dicts are never changed)."""
    if event.get("disposed") is True and is_stub(event):
        # content removed by a disposal: only the count and head move (the disposal
        # event after the stubs builds the row afresh)
        return {**(row or {}), "event_count": event["seq"] + 1, "head_hash": event["hash"]}
    data = event.get("data") or {}
    kind = event["kind"]
    if kind == EventKind.disposed:
        # the access log outlives the content: its claim stays with the row
        return {**_disposed_row(event), "viewings": (row or {}).get("viewings")}
    if row is None or kind == EventKind.opened:
        flow = event["flow"]
        pupil = data.get("pupil")
        row = {
            "id": event["incident"],
            "reference": str(data.get("reference") or ""),
            "flow_id": flow["id"],
            "flow_version": flow["version"],
            "flow_hash": flow["hash"],
            "mode": event["mode"],
            "status": "open",
            "opened": event["time"],
            "sealed": None,
            "event_count": 0,
            "head_hash": GENESIS,
            "hmac": "",
            "actor": _actor_text(event["actor"]),
            "pupil": "" if pupil is None else str(pupil),
            "last_step": None,
            "last_time": event["time"],
            "overrides": 0,
            "escalations": 0,
            "amendments": 0,
            "review_date": None,
            "stops": 0,
            **ROW_DEFAULTS,
            "other_pupils": _other_pupils(data),
        }
    elif not owned:
        row = dict(row)
    row["event_count"] = event["seq"] + 1
    row["head_hash"] = event["hash"]
    row["last_time"] = event["time"]
    if event.get("step"):
        row["last_step"] = event["step"]
    if isinstance(kind, str) and kind in _MOVES_ONLY:
        return row
    if kind == EventKind.override:
        row["overrides"] += 1
    elif kind == EventKind.escalation:
        row["escalations"] += 1
    elif kind == EventKind.amendment:
        row["amendments"] += 1
        if is_pupil_amendment(kind, event.get("step"), data):
            row["pupil"] = str(data.get(PUPIL_KEY) or "")
            row["other_pupils"] = _other_pupils(data)
        elif data.get(CORRECTED_DATE_OF_BIRTH) is not None:
            row["dates_of_birth"] = _corrected_birth(row, data)
    elif kind == EventKind.note and data.get(STOP_SHOWN_KEY) is not None:
        row["stops"] = row.get("stops", 0) + 1
    elif kind == EventKind.handover:
        row["awaiting"] = str(data.get("part") or "") or None
        row["handed_by"] = _actor_text(event["actor"])
        row["handed_at"] = event["time"]
    elif kind == EventKind.takeover:
        row["awaiting"] = None
    elif kind == EventKind.sealed:
        row["sealed"] = event["time"]
        if row["status"] == "open":
            row["status"] = "sealed"
    elif kind == EventKind.reviewed:
        if data.get("review") == SIGN_OFF:
            row["status"] = "reviewed"
        elif data.get("review") == REVIEW_DATE and data.get("date") is not None:
            row["review_date"] = str(data["date"])
        elif data.get("review") == RETENTION_HOLD:
            row["retention_hold"] = True
        elif data.get("review") == HOLD_LIFTED:
            row["retention_hold"] = False
        elif data.get("review") == DATE_OF_BIRTH and data.get("date") is not None:
            born = dict(row.get("dates_of_birth") or {})
            born[str(data.get("pupil") or row["pupil"])] = str(data["date"])
            row["dates_of_birth"] = born
    elif kind == EventKind.transferred:
        row["transfer_to"] = str(data.get("to_school") or "")
        row["transfer_sent"] = event["time"]
        row["transfer_checkpoint"] = str(data.get("checkpoint") or "")
        row["transfer_confirmed"] = None
    elif kind == EventKind.receipt_confirmed:
        row["transfer_confirmed"] = event["time"]
    elif kind == EventKind.received:
        row["origin"] = str(data.get("from_school") or "")
        row["received"] = event["time"]
        # the reference it is known by here (the sending school's, marked as theirs),
        # and the pupil's reference at this school when the DSL gave it
        if isinstance(data.get("reference"), str) and data["reference"]:
            row["reference"] = data["reference"]
        if isinstance(data.get(PUPIL_KEY), str) and data[PUPIL_KEY]:
            row["pupil"] = data[PUPIL_KEY]
    return row


def _corrected_birth(row: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    """The dates of birth after an amendment correcting one (kept under the reference
    first recorded, so the file keeps reading it by that pupil)."""
    pupil = str(data.get(CORRECTED_FOR_PUPIL) or row["pupil"])
    born = dict(row.get("dates_of_birth") or {})
    key = next((k for k in born if reference_key(k) == reference_key(pupil)), pupil)
    born[key] = str(data[CORRECTED_DATE_OF_BIRTH])
    return born


def _other_pupils(data: dict[str, Any]) -> list[str]:
    others = data.get(OTHER_PUPILS_KEY)
    return [str(o) for o in others] if isinstance(others, list) else []


def _forget_derived(root: Path) -> None:
    """Remove the caches derived from the index (`index_cache`, `list_cache`): after a
    disposal they would still hold the row as it was, the pupil's name with it, until
    the next read rewrote them. They are not the record; the next read makes them anew."""
    from incident_tui.record.index_cache import cache_path
    from incident_tui.record.list_cache import LIST_CACHE_FILE

    removed = False
    for cache in (cache_path(root), root / LIST_CACHE_FILE):
        try:
            cache.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreWriteError(
                cache,
                exc,
                f"the incident's content was removed, but {cache} (a copy of the index made "
                f"to list it faster) could not be: {os_reason(exc)}. Delete that file.",
            ) from exc
        removed = True
    if removed:
        with contextlib.suppress(OSError):
            fsync_dir(root)  # gone for good, not back after a crash


def _disposed_row(event: dict[str, Any]) -> dict[str, Any]:
    """The row of a disposed-of incident, from the disposal event alone (the content
    it summarised is gone): what it was, that it existed, and when it went."""
    data = event.get("data") or {}
    flow = event["flow"]

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    return {
        "id": event["incident"],
        "reference": str(data.get("reference") or ""),
        "flow_id": flow["id"],
        "flow_version": flow["version"],
        "flow_hash": flow["hash"],
        "mode": event["mode"],
        "status": "disposed",
        "opened": text("opened") or event["time"],
        "sealed": text("sealed"),
        "event_count": event["seq"] + 1,
        "head_hash": event["hash"],
        "hmac": "",
        "actor": _actor_text(event["actor"]),
        "pupil": "",
        "last_step": None,
        "last_time": event["time"],
        "overrides": 0,
        "escalations": 0,
        "amendments": 0,
        "review_date": None,
        **ROW_DEFAULTS,
        "disposed": event["time"],
        "origin": text("origin"),
        "received": text("received"),
    }


def event_list(data: dict[str, Any], path: Path, incident_id: str) -> list[dict[str, Any]]:
    """The events of a parsed incident file, in order, or DamagedIncident."""
    table = data.get(EVENTS_TABLE)
    if not isinstance(table, dict) or set(data) != {EVENTS_TABLE}:
        raise DamagedIncident(
            path, 'not an incident file (no "events" table)', incident=incident_id
        )
    events = list(table.values())
    for position, (doc_id, event) in enumerate(table.items()):
        if not isinstance(event, dict) or doc_id != str(position + 1):
            raise DamagedIncident(
                path,
                f"entry {doc_id!r} is out of place (expected {position + 1})",
                incident=incident_id,
            )
    return events


def incident_file_bytes(events: list[dict[str, Any]]) -> bytes:
    """The exact bytes of an incident file holding `events` (doc id = seq + 1): each
    event in its canonical JSON, "hash" in its sorted place (`dump_record_json`), so
    that verify checks its hash on the bytes stored. Files written before kept each
    event's keys in the order recorded: they read and verify as before, and are
    written sorted the next time they are saved."""
    table = {str(position + 1): event for position, event in enumerate(events)}
    return dump_record_json({EVENTS_TABLE: table}, sorted_documents=True)


def read_incident(root: Path, incident_id: str) -> list[dict[str, Any]]:
    path = incident_path(root, incident_id)
    try:
        raw = read_record_bytes(path)
    except FileNotFoundError:
        raise DamagedIncident(path, "the incident file is missing", incident=incident_id) from None
    except DamagedFile as exc:
        raise DamagedIncident(path, exc.problem, incident=incident_id) from exc
    try:
        data = parse_record_json(raw, path)
    except DamagedFile as exc:
        raise DamagedIncident(path, exc.problem, incident=incident_id) from exc
    return event_list(data, path, incident_id)


def row_from_events(events: list[dict[str, Any]]) -> IndexRow | None:
    """The row the index would hold for these events (unsigned), or None if they
    cannot make one: to list and show an incident whose index row is lost."""
    row: dict[str, Any] | None = None
    try:
        for event in events:
            row = fold_event(row, event)
        return IndexRow.model_validate(row) if row is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


# -- the store ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    """An incident file as this store read and checked it, or wrote it."""

    raw: bytes
    """Its bytes."""
    events: tuple[dict[str, Any], ...]
    """Its events, in order (never changed: shared with `Store._known`)."""
    kinds: frozenset[str]
    """The kinds of event it holds."""
    sorted: bool
    """Whether each event is written with its keys sorted (`incident_file_bytes`), as
    every file is from the first time this version saves it."""


class Store:
    """One live or training record. Open with `Store.open`; use as a context manager.

    Many writers may have the same store open at once (see `locks`): each incident
    is continued by one of them at a time (`hold`), every other one is told who
    has it open and can still read it."""

    def __init__(self, root: Path, key: bytes | None, mode: Mode, readonly: bool) -> None:
        self.root = root
        self.readonly = readonly
        self.mode: Mode = mode
        self.key = key
        """The record key this store signs and checks index rows with (None: read
        without a usable key)."""
        self.key_file: Path | None = None
        """Where the key came from, to name it in a message."""
        self.notices: list[str] = []
        """Things to tell the user about opening (an empty key file replaced)."""
        self.key_problem: str | None = None
        """Set when the store is read without a usable key: why the signed index could
        not be checked (the hash chains still can be)."""
        self._closed = False
        self._held: dict[str, HeldIncident] = {}
        """The incidents this store is continuing (their locks, held until let go)."""
        self._row_problems: list[str] = []
        """Index files that could not be read when the rows were last read."""
        self._known = KnownFiles()
        """The incident and index files as this store last read and checked, or wrote,
        them: an append whose files are byte for byte as they were does not parse and
        check them again (each is still read, and compared, every time)."""

    # opening and closing

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        key: bytes | None,
        mode: Mode,
        readonly: bool = False,
        key_file: Path | None = None,
    ) -> Store:
        """The store at `root` for `mode`; UserError if it already holds the other mode's
        incidents, so that live and training records can never be mixed.

        A writer needs the store's own key: with none, MissingKey; with another,
        WrongKey (checked against the signed key check made when the store was
        created; `key_file` is named in the message). A reader always opens: with no
        key, or one that is not the store's own, `key` is None and `key_problem` says
        that the signed index could not be checked. Any number of writers and readers
        may have the store open at once."""
        from incident_tui.record import keys

        root = Path(root)
        check_mode(root, mode)
        if readonly:
            usable, problem = keys.for_reading(root, key, key_file)
            reader = cls(root, usable, mode, True)
            reader.key_problem, reader.key_file = problem, key_file
            return reader
        if key is None:
            raise keys.MissingKey(
                keys.missing_key_message(key_file)
                if key_file
                else "the record key is missing or damaged: nothing can be recorded"
            )
        try:
            # the data folder and the store's own: 0700 whatever the umask, and
            # tightened if they were left open
            for folder in (root.parent, root, incidents_dir(root), index_dir(root)):
                ensure_private_dir(folder)
            ensure_private_dir(locks_dir(root))
            os.close(os.open(root / STORE_LOCK_PATH, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
        except OSError as exc:
            raise UserError(
                f"cannot record in {root}: {os_reason(exc)}. The folder must be writable by you "
                "(choose another with --data-dir or INCIDENT_TUI_DATA_DIR)."
            ) from exc
        store = cls(root, key, mode, False)
        store.key_file = key_file
        with short_lock(root / STORE_LOCK_PATH):
            keys.check_writer_key(root, key, key_file)
            store._tidy_root()
        store._tidy()
        return store

    def _signing_key(self) -> bytes:
        assert self.key is not None, "a writer always has its key"
        return self.key

    def close(self) -> None:
        """Let go of every incident this store is continuing."""
        for held in self._held.values():
            held.release()
        self._held.clear()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # continuing an incident: one session at a time

    def hold(self, incident: str, actor: Actor) -> None:
        """Continue `incident` in this session: no other session can add to it until
        `let_go` (or close, or the process ends). IncidentInUse, naming who has it open
        and since when, if another session is continuing it. An incident left one
        event ahead of its index row by a crash is brought up to date here."""
        self._require_writable()
        incident_id = self.resolve(incident)
        if incident_id in self._held:
            return
        held = self._take(incident_id, actor, "session", wait=False)
        self._held[incident_id] = held
        self._repair(incident_id)

    def let_go(self, incident: str) -> None:
        """Stop continuing `incident` (others may continue it now)."""
        incident_id = incident if incident in self._held else self.resolve(incident)
        held = self._held.pop(incident_id, None)
        if held is not None:
            held.release()

    def let_go_all(self) -> None:
        """Stop continuing every incident this store holds."""
        for incident_id in list(self._held):
            self.let_go(incident_id)

    def holds(self, incident_id: str) -> bool:
        """Whether this store is continuing the incident (by internal id)."""
        return incident_id in self._held

    def holder(self, incident_id: str) -> Holder | None:
        """Who is continuing the incident (by internal id) in another session right
        now, as its lock file says; None if nobody is. Takes no lock: for readers."""
        if incident_id in self._held:
            return None
        return session_holder(incident_lock_path(self.root, incident_id))

    # reading

    def resolve(self, incident: str) -> str:
        """The internal id of an incident given by id or reference."""
        if is_incident_id(incident):
            # the file first: a stat, where the index row costs reading a whole index file
            known = _paths(self.root, incident).incident.exists()
            if known or self._find_row(incident) is not None:
                return incident
        else:
            for row in self._all_rows().values():
                count = row.get("event_count")
                if row.get("reference") == incident and isinstance(count, int) and count > 0:
                    return row["id"]
        raise UserError(f"no incident {incident} in {self.root}")

    def row(self, incident: str) -> IndexRow:
        incident_id = self.resolve(incident)
        found = self._find_row(incident_id)
        if found is None:
            raise DamagedIncident(
                shard_path(self.root, incident_id),
                f"incident {incident_id} has no index row",
                incident=incident_id,
            )
        return self._model(found[2], shard_path(self.root, incident_id))

    def rows(self) -> list[IndexRow]:
        """Every recorded incident that can be listed, oldest first.

        Interrupted openings are left out; so is a damaged index row or index file,
        which costs only its own incidents (`rows_and_problems` says which)."""
        return self.rows_and_problems()[0]

    def rows_and_problems(self) -> tuple[list[IndexRow], list[str]]:
        """(every row that can be read, oldest first; what could not be read, in words)."""
        listing = self.listing()
        return listing.rows, listing.problems

    def listing(self) -> Listing[IndexRow]:
        """Every incident that can be listed, and every problem found on the way
        (`listing`): a writer first brings up to date an opening interrupted after its
        file was written."""
        return list_rows(self.root, self.key, self._repair_interrupted)

    def dumped_listing(self) -> Listing[dict[str, Any]]:
        """`listing`, each row as `row.model_dump(mode="json")` gives it (`dumped_rows`:
        the same rows, checked the same way, for printing)."""
        return dumped_rows(self.root, self.key, self._repair_interrupted)

    def row_from_file(self, incident: str) -> IndexRow | None:
        """The row of an incident rebuilt from its file (by internal id), for an
        incident whose index row is lost; None if there is no readable file."""
        if not is_incident_id(incident) or not incident_path(self.root, incident).exists():
            return None
        return self._row_from_file(incident)

    def _row_from_file(self, incident_id: str) -> IndexRow | None:
        try:
            return row_from_events(read_incident(self.root, incident_id))
        except DamagedFile:
            return None

    def events(self, incident: str) -> list[Event]:
        incident_id = self.resolve(incident)
        path = incident_path(self.root, incident_id)
        raw = read_incident(self.root, incident_id)
        try:
            # a disposed-of incident: only the disposal event has content left
            return [Event.model_validate(event) for event in raw if not is_stub(event)]
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            raise DamagedIncident(
                path, f"an event is not valid ({where}: {problem['msg']})", incident=incident_id
            ) from exc

    # writing

    def new_incident(
        self, *, flow: FlowRef, actor: Actor, details: dict[str, DataValue], hold: bool = False
    ) -> IndexRow:
        """Open an incident: its `opened` event (seq 0) is durable when this returns.
        With `hold`, this session goes on continuing it (see `hold`)."""
        self._require_writable()
        problem = unsafe_text(EventKind.opened, actor, {}, details)
        if problem is not None:
            raise AppendRefused(f"the incident cannot be opened: {problem}; nothing was written")
        time = utc_now()
        # The reference and the incident's first index row are made under one lock, so
        # that two sessions opening incidents at the same moment never share a reference.
        with short_lock(self.root / REFERENCES_LOCK_PATH):
            incident_id = self._new_id()
            held = self._take(incident_id, actor, "session" if hold else "append", wait=False)
            try:
                reference = self._next_reference(time[:10])
                opened = make_event(
                    incident=incident_id,
                    seq=0,
                    time=time,
                    kind=EventKind.opened,
                    actor=actor,
                    mode=self.mode,
                    flow=flow,
                    data={**details, "reference": reference},
                    prev=GENESIS,
                )
                stored = opened.model_dump(mode="json")
                row = sign_row(fold_event(None, stored), self._signing_key())
                # The counter first: a crash before the row is written leaves the
                # counter naming an incident with no row, and its number is given
                # out again (never a gap, never twice).
                self._write_counter(reference, incident_id)
                # The row goes in at count 0 before the file: an incident file with no
                # row is never adopted, so a planted file cannot pass for an
                # interrupted opening.
                pending = {**row, "event_count": 0, "head_hash": GENESIS}
                self._write_row(incident_id, sign_row(pending, self._signing_key()))
            except BaseException:
                held.release()
                raise
        try:
            path = incident_path(self.root, incident_id)
            if path.exists():
                raise AppendRefused(f"{path} already exists; nothing was written")
            payload = incident_file_bytes([stored])
            atomic_write_bytes(path, payload)
            first = _Checked(payload, (stored,), frozenset({EventKind.opened.value}), True)
            self._known.put(path, payload, first)
            try:
                self._write_row(incident_id, row)
            except StoreWriteError as exc:
                raise _index_lagging(exc, opened) from exc
        except BaseException as exc:
            lagged = isinstance(exc, StoreWriteError) and exc.event is not None
            if hold and lagged:
                self._held[incident_id] = held
            else:
                held.release()
            raise
        if hold:
            self._held[incident_id] = held
        else:
            held.release()
        return IndexRow.model_validate(row)

    def append(
        self,
        incident: str,
        *,
        kind: EventKind,
        actor: Actor,
        step: str | None = None,
        prompt: str | None = None,
        answer: Answer = None,
        rationale: str | None = None,
        data: dict[str, DataValue] | None = None,
        expect_prev: str | None = None,
    ) -> Event:
        """Record one event; it is durable (file and index) when this returns.

        An incident this store does not `hold` is taken for the one append (waiting
        for other appends to it); IncidentInUse if another session is continuing it."""
        self._require_writable()
        try:
            kind = EventKind(kind)
        except ValueError:
            raise AppendRefused(f"{kind!r} is not a kind of event") from None
        if kind is EventKind.opened:
            raise AppendRefused("an incident is opened only once, by starting it")
        data = dict(data or {})
        texts = {"the prompt": prompt, "the answer": answer, "the reason": rationale}
        problem = unsafe_text(kind, actor, texts, data, step=step)
        if problem is not None:
            raise AppendRefused(f"{problem}; nothing was written")
        incident_id = self.resolve(incident)
        if incident_id in self._held:
            return self._append_held(
                incident_id, kind, actor, step, prompt, answer, rationale, data, expect_prev
            )
        held = self._take(incident_id, actor, "append", wait=True)
        try:
            return self._append_held(
                incident_id, kind, actor, step, prompt, answer, rationale, data, expect_prev
            )
        finally:
            held.release()

    def _append_held(
        self,
        incident_id: str,
        kind: EventKind,
        actor: Actor,
        step: str | None,
        prompt: str | None,
        answer: Answer,
        rationale: str | None,
        data: dict[str, DataValue],
        expect_prev: str | None,
    ) -> Event:
        # The index file's lock is held from its read to its write, so that no row in
        # it changes meanwhile (others wait the milliseconds of this append): it is
        # read once. Always taken after the incident's lock, never before.
        paths = _paths(self.root, incident_id)
        with short_lock(paths.shard_lock):
            try:
                shard, row_id = self._shard_with(incident_id)
                checked, row = self._current_file(incident_id, (shard, row_id))
            except DamagedFile as exc:
                raise AppendRefused(
                    f"cannot add to a damaged incident: {exc.message}. Nothing was written."
                ) from exc
            events = checked.events
            head = events[-1]["hash"]
            self._check_append(events, checked.kinds, kind, data, expect_prev, head)
            event, stored, text = make_stored_event(
                incident=incident_id,
                seq=len(events),
                time=utc_now(),
                kind=kind,
                actor=actor,
                mode=events[0]["mode"],
                step=step,
                prompt=prompt,
                answer=answer,
                rationale=rationale,
                flow=events[0]["flow"],
                data=data,
                prev=head,
            )
            # the file as it was, checked, with the new event after the others: only the
            # new event is encoded (the bytes are those of the whole table encoded again);
            # a file written before events were sorted is written sorted, whole
            path = paths.incident
            if checked.sorted:
                doc_id = str(len(events) + 1)
                payload = with_entry_text(checked.raw, doc_id, text)
            else:
                payload = incident_file_bytes([*events, stored])
            # the index file's bytes are made before the first fsync, so that between the
            # two writes there is nothing left to do but write
            new_row = sign_row(fold_event(row, stored), self._signing_key())
            new_shard = {**shard, row_id: new_row}
            shard_bytes = dump_record_json({ROWS_TABLE: new_shard})
            atomic_write_bytes(path, payload)
            try:
                self._put_row(incident_id, shard, row_id, new_row, (new_shard, shard_bytes))
            except StoreWriteError as exc:
                raise _index_lagging(exc, event) from exc
            finally:
                checked = _Checked(payload, (*events, stored), checked.kinds | {kind.value}, True)
                self._known.put(path, payload, checked)
            return event

    def adopt_transferred(
        self,
        events: list[dict[str, Any]],
        *,
        actor: Actor,
        data: dict[str, DataValue],
        reference: str,
    ) -> IndexRow:
        """Take in an incident another school sent (`record.transfer`): its events
        exactly as recorded there (so its chain still checks here), then a `received`
        event recorded here by `actor` with `data`. Its reference here is `reference`,
        or `reference/2`, `/3`... if another incident has it, chosen under the
        references lock so that it never collides with one of this school's own.
        Durable (file and signed index row) when this returns."""
        self._require_writable()
        if not events or not isinstance(events[0], dict):
            raise AppendRefused("there are no events to take in; nothing was written")
        incident_id = str(events[0].get("incident"))
        if not is_incident_id(incident_id):
            raise AppendRefused(f"{incident_id!r} is not an incident id; nothing was written")
        if events[0].get("mode") != self.mode:
            raise AppendRefused(
                f"incident {incident_id} is a {events[0].get('mode')} record, and this is the "
                f"{self.mode} record: they are never mixed; nothing was written"
            )
        prev = GENESIS
        for seq, event in enumerate(events):
            if is_stub(event) or not _chains(event, incident_id, seq, prev):
                raise AppendRefused(
                    f"event {seq} of the incident sent fails its hash-chain check; "
                    "nothing was written"
                )
            prev = event["hash"]
        path = incident_path(self.root, incident_id)
        if path.exists() or self._find_row(incident_id) is not None:
            raise AppendRefused(
                f"incident {incident_id} is already in this record (received before, or "
                "this school's own); nothing was written"
            )
        problem = unsafe_text(EventKind.received, actor, {}, data)
        if problem is not None:
            raise AppendRefused(f"{problem}; nothing was written")
        held = self._take(incident_id, actor, "append", wait=False)
        try:
            with short_lock(self.root / REFERENCES_LOCK_PATH):
                taken = {row.get("reference") for row in self._all_rows().values()}
                local, n = reference, 1
                while local in taken:
                    n += 1
                    local = f"{reference}/{n}"
                received = make_event(
                    incident=incident_id,
                    seq=len(events),
                    time=utc_now(),
                    kind=EventKind.received,
                    actor=actor,
                    mode=events[0]["mode"],
                    flow=events[0]["flow"],
                    data={**data, "reference": local},
                    prev=prev,
                )
                stored = [*events, received.model_dump(mode="json")]
                row: dict[str, Any] | None = None
                for event in stored:
                    row = fold_event(row, event)
                assert row is not None
                signed = sign_row(row, self._signing_key())
                # the row first at count 0, as an opening does: a file with no row is
                # never adopted, and the reference is held from this moment
                pending = {**signed, "event_count": 0, "head_hash": GENESIS}
                self._write_row(incident_id, sign_row(pending, self._signing_key()))
            atomic_write_bytes(path, incident_file_bytes(stored))
            try:
                self._write_row(incident_id, signed)
            except StoreWriteError as exc:
                raise _index_lagging(exc, received) from exc
        finally:
            held.release()
        return IndexRow.model_validate(signed)

    def remove_disposed_content(self, incident: str) -> int:
        """The second step of a lawful disposal (see `record.tombstone`): every event
        before the signed `disposed` event is replaced by its stub, in one atomic
        write. Returns how many events lost their content (0: already done)."""
        self._require_writable()
        incident_id = self.resolve(incident)
        if incident_id in self._held:
            return self._remove_content_held(incident_id)
        held = self._take(incident_id, None, "append", wait=True)
        try:
            return self._remove_content_held(incident_id)
        finally:
            held.release()

    def _remove_content_held(self, incident_id: str) -> int:
        from incident_tui.record.tombstone import CHAIN_DIGEST, chain_digest, stub_of

        path = incident_path(self.root, incident_id)
        try:
            events, row = self._current(incident_id)
            found = self._find_row(incident_id)
        except DamagedFile as exc:
            raise AppendRefused(
                f"cannot remove the content of a damaged incident: {exc.message}. "
                "Nothing was changed."
            ) from exc
        disposal = events[-1]
        if not is_disposal(disposal):
            raise AppendRefused(
                f"{path}: no disposal is recorded for this incident; nothing was changed"
            )
        earlier = events[:-1]
        if (disposal.get("data") or {}).get(CHAIN_DIGEST) != chain_digest(
            [event["hash"] for event in earlier]
        ):
            raise AppendRefused(
                f"{path}: the disposal does not name these events' hashes; nothing was "
                "changed (run `incident-tui verify`)"
            )
        if found is None or found[2].get("event_count") != len(events):
            # the disposal event is saved but its row was not: sign it first, so
            # that the tombstone is never ahead of the index
            self._write_row(incident_id, sign_row(row, self._signing_key()))
        removed = sum(1 for event in earlier if not is_stub(event))
        if removed:
            stubs = [stub_of(event) for event in earlier]
            atomic_write_bytes(path, incident_file_bytes([*stubs, disposal]))
        _forget_derived(self.root)
        return removed

    # internals

    def _require_writable(self) -> None:
        if self.readonly or self._closed:
            raise AppendRefused(
                f"the record in {self.root} is open for reading only; nothing was written"
            )

    def _take(
        self, incident_id: str, actor: Actor | None, hold: Hold, *, wait: bool
    ) -> HeldIncident:
        """The incident's lock, or IncidentInUse naming who has it open."""
        try:
            return take_incident(
                _paths(self.root, incident_id).lock, _holder_of(actor, hold), wait=wait
            )
        except Busy as busy:
            raise IncidentInUse(self._reference_of(incident_id), busy.holder) from None

    def _reference_of(self, incident_id: str) -> str:
        try:
            found = self._find_row(incident_id)
        except DamagedFile:
            found = None
        reference = found[2].get("reference") if found is not None else None
        return reference if isinstance(reference, str) and reference else incident_id

    def _new_id(self) -> str:
        """A new incident id. An id whose index file is damaged is passed over: one
        damaged file never stops a new incident."""
        damaged: DamagedFile | None = None
        for _ in range(_NEW_ID_TRIES):
            incident_id = uuid.uuid4().hex
            try:
                self._shard_with(incident_id)
            except DamagedFile as exc:
                damaged = exc
                continue
            return incident_id
        assert damaged is not None
        raise AppendRefused(
            f"no new incident can be opened: every index file tried is damaged (first: "
            f"{damaged.message}); run `incident-tui verify`. Nothing was written."
        )

    def _check_append(
        self,
        events: Sequence[dict[str, Any]],
        kinds: frozenset[str],
        kind: EventKind,
        data: dict[str, Any],
        expect_prev: str | None,
        head: str,
    ) -> None:
        reference = events[0].get("data", {}).get("reference") or events[0]["incident"]
        if expect_prev is not None and expect_prev != head:
            raise AppendRefused(
                f"incident {reference} has moved on since this screen was shown "
                "(its last event is not the one expected); nothing was written"
            )
        if is_disposal(events[-1]):
            raise AppendRefused(
                f"incident {reference} was disposed of on {events[-1]['time'][:10]}: "
                "nothing can be added to it; nothing was written"
            )
        if EventKind.received in kinds and kind not in TRANSFERRED_IN_KINDS:
            received = next(e for e in events if e.get("kind") == EventKind.received)
            school = (received.get("data") or {}).get("from_school")
            raise AppendRefused(
                f"incident {reference} was transferred in from {school}: it can be reviewed "
                "here, not continued; nothing was written"
            )
        sealed = EventKind.sealed in kinds
        if sealed and kind is EventKind.sealed:
            raise AppendRefused(f"incident {reference} is already sealed; nothing was written")
        if sealed and kind not in AFTER_SEAL:
            raise AppendRefused(
                f"incident {reference} is sealed: only notes, amendments and reviews can follow; "
                "nothing was written"
            )
        if kind in (EventKind.handover, EventKind.takeover):
            last = next(
                (e for e in reversed(events) if e.get("kind") in PART_KINDS), {"kind": None}
            )
            awaited = last["kind"] == EventKind.handover
            if kind is EventKind.handover and awaited:
                raise AppendRefused(
                    f"incident {reference} is already handed over and not yet taken; "
                    "nothing was written"
                )
            if kind is EventKind.takeover and not awaited:
                raise AppendRefused(
                    f"incident {reference} is not handed over: there is nothing to take "
                    "over; nothing was written"
                )
            if not isinstance(data.get("part"), str) or not data["part"]:
                raise AppendRefused("a hand-over or take-over must name its part")
        if kind is EventKind.disposed and has_stubs(events):
            raise AppendRefused(f"incident {reference} is already disposed of")
        if kind is EventKind.amendment:
            amends = data.get("amends")
            if isinstance(amends, bool) or not isinstance(amends, int):
                raise AppendRefused("an amendment must name the event it corrects (its seq)")
            if not 0 <= amends < len(events):
                raise AppendRefused(
                    f"incident {reference} has no event {amends} to amend; nothing was written"
                )
            reason = data.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise AppendRefused("an amendment needs a reason; nothing was written")

    def _current(self, incident_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """The incident's events and its index row, repaired forward after a crash
        (called with the incident's lock held: no one else is writing it)."""
        checked, row = self._current_file(incident_id)
        return list(checked.events), row

    def _current_file(
        self, incident_id: str, read: tuple[dict[str, dict[str, Any]], str] | None = None
    ) -> tuple[_Checked, dict[str, Any]]:
        """`_current`, with the incident file as read and checked (and its index file
        as `read` by `_shard_with`, if it was)."""
        path = _paths(self.root, incident_id).incident
        shard, doc_id = self._shard_with(incident_id) if read is None else read
        if doc_id not in shard:
            raise DamagedIncident(
                path,
                "this incident has no row in the index; it cannot be added to",
                incident=incident_id,
            )
        row = shard[doc_id]
        if not row_signature_ok(row, self._signing_key()):
            raise DamagedIncident(
                path,
                "its index row does not carry a valid signature; run verify",
                incident=incident_id,
            )
        checked, unsound = self._read_checked(incident_id)
        events = checked.events
        count = row["event_count"]
        if len(events) < count:
            raise DamagedIncident(
                path,
                f"it holds {len(events)} events but the index records {count}; run verify",
                incident=incident_id,
            )
        if count and events[count - 1].get("hash") != row["head_hash"]:
            raise DamagedIncident(
                path,
                f"event {count - 1} is not the one the index records; run verify",
                incident=incident_id,
            )
        if not events:
            raise DamagedIncident(path, "it holds no events", incident=incident_id)
        head = row["head_hash"]
        if len(events) > count and has_stubs(events):
            raise DamagedIncident(
                path,
                "it holds a disposal tombstone the index has not signed; run verify",
                incident=incident_id,
            )
        for seq in range(count, len(events)):
            event = events[seq]
            if not _chains(event, incident_id, seq, head, parsed=True):
                raise DamagedIncident(
                    path,
                    f"event {seq} does not follow from the recorded head; run verify",
                    incident=incident_id,
                )
            row = fold_event(row, event)
            head = event["hash"]
        if unsound is not None:
            raise DamagedIncident(path, unsound, incident=incident_id)
        return checked, row

    def _read_checked(self, incident_id: str) -> tuple[_Checked, str | None]:
        """The incident file as read, and why it cannot be vouched for (or None).

        A writer rewrites the whole file, so it must never write over anything it
        cannot vouch for: an edited event, or a hand edit that verify can still see
        in the bytes, would be lost with the evidence. Every event's hash and link
        are checked, and the bytes must be exactly as this program writes them; a
        file whose bytes are exactly as this store last checked or wrote them was
        checked then (`KnownFiles`)."""
        path = _paths(self.root, incident_id).incident
        try:
            raw = read_record_bytes(path)
        except FileNotFoundError:
            raise DamagedIncident(
                path, "the incident file is missing", incident=incident_id
            ) from None
        except DamagedFile as exc:
            raise DamagedIncident(path, exc.problem, incident=incident_id) from exc
        known = self._known.get(path, raw)
        if known is not None:
            return known, None
        events, unsound, written_sorted = self._check_file(raw, path, incident_id)
        # (a hand-made kind that is not a string is no kind of event)
        kinds = frozenset(k for event in events if isinstance(k := event.get("kind"), str))
        checked = _Checked(raw, tuple(events), kinds, written_sorted)
        if unsound is None:
            self._known.put(path, raw, checked)
        return checked, unsound

    def _check_file(
        self, raw: bytes, path: Path, incident_id: str
    ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """The events of the incident file `path` whose bytes are `raw`, why it cannot
        be vouched for (or None; see `_read_checked`), and whether its events are
        written sorted (`_Checked.sorted`)."""
        try:
            data = parse_record_json(raw, path)
        except DamagedFile as exc:
            raise DamagedIncident(path, exc.problem, incident=incident_id) from exc
        events = event_list(data, path, incident_id)
        if has_stubs(events):
            problem = tombstone_problem(events, incident_id)
            if problem is not None:
                return events, f"{problem}; run `incident-tui verify`", False
        prev = GENESIS
        for seq, event in enumerate(events):
            if is_stub(event):
                prev = event["hash"]
                continue
            if not _chains(event, incident_id, seq, prev, parsed=True):
                return (
                    events,
                    (
                        f"event {seq} fails its hash-chain check (changed, missing or out of "
                        "order); run `incident-tui verify`"
                    ),
                    False,
                )
            prev = event["hash"]
        if raw == incident_file_bytes(events):
            return events, None, True
        if dump_record_json(data) != raw:  # not as written before events were sorted either
            return (
                events,
                (
                    "the file was edited by hand (its bytes are not as recorded); "
                    "run `incident-tui verify`"
                ),
                False,
            )
        return events, None, False

    def _repair(self, incident_id: str) -> None:
        """Bring an index row up to an incident file left ahead of it by a crash. Only
        ever called with the incident's lock held, so that no one else is writing it."""
        try:
            found = self._find_row(incident_id)
            if found is None or not incident_path(self.root, incident_id).exists():
                return
            _events, row = self._current(incident_id)
        except DamagedFile:
            return  # damage is for verify to report, never to write over
        if row["event_count"] != found[2]["event_count"]:
            self._write_row(incident_id, sign_row(row, self._signing_key()))

    def _shard_with(self, incident_id: str) -> tuple[dict[str, dict[str, Any]], str]:
        """The incident's index file and its doc id there (a new one if it has no row)."""
        shard = self._read_shard(_paths(self.root, incident_id).shard)
        for doc_id, row in shard.items():
            if row.get("id") == incident_id:
                return shard, doc_id
        return shard, str(len(shard) + 1)

    def _read_shard(self, path: Path) -> dict[str, dict[str, Any]]:
        """`read_shard`, parsing the file only if its bytes are not as this store last
        read or wrote them. The rows are shared with the store's copy: replace a row,
        never change one in place."""
        try:
            raw = read_record_bytes(path)
        except FileNotFoundError:
            return {}
        known = self._known.get(path, raw)
        if known is None:
            known = parse_shard(raw, path)
            self._known.put(path, raw, known)
        return dict(known)

    def _find_row(self, incident_id: str) -> tuple[dict[str, Any], str, dict[str, Any]] | None:
        shard, doc_id = self._shard_with(incident_id)
        if doc_id in shard:
            return shard, doc_id, shard[doc_id]
        return None

    def _write_row(self, incident_id: str, row: dict[str, Any]) -> None:
        """Write the incident's index row: the index file is read again and written
        under its own lock, so that rows other sessions wrote meanwhile are kept."""
        with short_lock(_paths(self.root, incident_id).shard_lock):
            shard, doc_id = self._shard_with(incident_id)
            row = self._with_latest_viewings(row, shard.get(doc_id))
            self._put_row(incident_id, shard, doc_id, row)

    def _put_row(
        self,
        incident_id: str,
        shard: dict[str, dict[str, Any]],
        doc_id: str,
        row: dict[str, Any],
        made: tuple[dict[str, dict[str, Any]], bytes] | None = None,
    ) -> None:
        """Write `shard` (the incident's index file as read under its lock, still held)
        with `row` as the incident's row (`made`: that file and its bytes, if made)."""
        if made is None:
            shard = {**shard, doc_id: row}
            payload = dump_record_json({ROWS_TABLE: shard})
        else:
            shard, payload = made
        path = _paths(self.root, incident_id).shard
        atomic_write_bytes(path, payload)
        self._known.put(path, payload, shard)

    def _with_latest_viewings(
        self, row: dict[str, Any], stored: dict[str, Any] | None
    ) -> dict[str, Any]:
        """`row`, keeping a longer access log claim signed into the stored row since
        `row` was read (a viewing recorded while this session was appending)."""
        claimed = stored.get("viewings") if stored is not None else None
        if stored is None or not valid_viewings_claim(claimed):
            return row
        assert claimed is not None
        mine = row.get("viewings")
        if mine is not None and mine["count"] >= claimed["count"]:
            return row
        if self.key is None or not row_signature_ok(stored, self.key):
            return row
        return sign_row({**row, "viewings": claimed}, self.key)

    def _all_rows(self) -> dict[str, dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        self._row_problems = []
        for path in shard_files(self.root):
            try:
                shard = read_shard(path)
            except DamagedFile as exc:
                self._row_problems.append(str(exc))  # costs only its own incidents
                continue
            for row in shard.values():
                rows[str(row["id"])] = row
        self._repair_interrupted(rows)
        return rows

    def _repair_interrupted(self, rows: dict[str, dict[str, Any]]) -> None:
        if not self.readonly and not self._closed:
            # An opening interrupted after its file was written (after a power cut,
            # say, its lock file gone with the rest): brought up to date by whoever
            # can take its lock; one that is being opened right now is left alone.
            for incident_id, row in list(rows.items()):
                if row.get("event_count") == 0 and incident_path(self.root, incident_id).exists():
                    self._repair_if_free(incident_id)

    def _repair_if_free(self, incident_id: str) -> bool:
        """Repair the incident if no one holds it (True if it was free)."""
        if incident_id in self._held:
            self._repair(incident_id)
            return True
        try:
            held = try_incident(
                incident_lock_path(self.root, incident_id), _holder_of(None, "tidy")
            )
        except (Busy, UserError):
            return False
        try:
            self._repair(incident_id)
            for name in _temp_files(incidents_dir(self.root)):
                if _temp_target(name) == f"{incident_id}.json":
                    with contextlib.suppress(OSError):
                        os.unlink(incidents_dir(self.root) / name)
        finally:
            held.release()
        return True

    def _next_reference(self, day: str) -> str:
        """The next reference of the day (called with the references lock held).

        The counter file says the last one given out; when it is missing, damaged or
        from another day, the number comes from what is on disk: every index row
        (interrupted openings included) and every incident file the index has lost,
        so that a reference is never given out twice."""
        prefix = reference_prefix(self.mode, day)
        counted = self._counted(prefix)
        if counted is not None:
            return f"{prefix}{counted:03d}"
        rows = self._all_rows()
        used = [
            int(ref[len(prefix) :])
            for row in rows.values()
            if isinstance(ref := row.get("reference"), str)
            and ref.startswith(prefix)
            and ref[len(prefix) :].isdigit()
        ]
        for incident_id in incident_ids_on_disk(self.root) - set(rows):
            used += _references_in_file(incident_path(self.root, incident_id), prefix)
        return f"{prefix}{max(used, default=0) + 1:03d}"

    def _counted(self, prefix: str) -> int | None:
        """The next number after the counter file's, or None to count from the disk."""
        try:
            counter = json.loads(read_record_bytes(self.root / COUNTER_FILE))
            last = counter["last"]
            incident_id = counter["incident"]
            same_day = counter["prefix"] == prefix
        except (OSError, ValueError, KeyError, TypeError, DamagedFile):
            return None
        if not same_day or type(last) is not int or last < 1 or not is_incident_id(incident_id):
            return None
        try:
            found = self._find_row(incident_id)
        except DamagedFile:
            return last + 1
        if found is None and not incident_path(self.root, incident_id).exists():
            return last  # given out to an opening that died before writing anything
        return last + 1

    def _write_counter(self, reference: str, incident_id: str) -> None:
        prefix, _, number = reference.rpartition("-")
        body = {"prefix": f"{prefix}-", "last": int(number), "incident": incident_id}
        atomic_write_bytes(self.root / COUNTER_FILE, canonical_json(body) + b"\n")

    def _model(self, row: dict[str, Any], path: Path) -> IndexRow:
        try:
            return IndexRow.model_validate(row)
        except ValidationError as exc:
            raise DamagedFile(path, _invalid_row(row, exc)) from exc

    def _tidy_root(self) -> None:
        """Temporary files in the store's own folder (the key check's; called with the
        store lock held), and the counter's (under the references lock)."""
        for name in _temp_files(self.root):
            target = _temp_target(name)
            if target == COUNTER_FILE:
                with short_lock(self.root / REFERENCES_LOCK_PATH), contextlib.suppress(OSError):
                    os.unlink(self.root / name)
            elif target is not None and not target.endswith(".lock"):
                with contextlib.suppress(OSError):
                    os.unlink(self.root / name)

    def _tidy(self) -> None:
        """What a writer that died left behind: never data, so never kept. Temporary
        files of saves that never finished are removed under the lock their writer
        held (so no save in progress is touched), and an incident whose session died
        while it held it is repaired forward if its file got ahead of its index row."""
        folder = index_dir(self.root)
        for name in _temp_files(folder):
            target = _temp_target(name)
            if target is not None and _SHARD_PATTERN.fullmatch(target):
                lock = shard_lock_path(self.root, target[:SHARD_PREFIX])
                with short_lock(lock), contextlib.suppress(OSError):
                    os.unlink(folder / name)
        left: set[str] = set()
        for name in _temp_files(incidents_dir(self.root)):
            target = _temp_target(name)
            if target is not None and _ID_FILE.fullmatch(target):
                left.add(target[: -len(".json")])
        try:
            names = os.listdir(locks_dir(self.root))
        except OSError:
            names = []
        left.update(name[: -len(".lock")] for name in names if _LOCK_FILE.fullmatch(name))
        for incident_id in sorted(left):
            self._repair_if_free(incident_id)


class _Paths(NamedTuple):
    incident: Path
    shard: Path
    lock: Path
    shard_lock: Path


@functools.lru_cache(maxsize=256)
def _paths(root: Path, incident_id: str) -> _Paths:
    """An incident's file, index file, lock and index file's lock, made once (an
    append asks for them a dozen times)."""
    return _Paths(
        incident_path(root, incident_id),
        shard_path(root, incident_id),
        incident_lock_path(root, incident_id),
        shard_lock_path(root, incident_id[:SHARD_PREFIX]),
    )


def _holder_of(actor: Actor | None, hold: Hold) -> Holder:
    if actor is None:
        return Holder("incident-tui", None, "tidying up", utc_now(), hold, os.getpid())
    return Holder(actor.name, actor.login, actor.role, utc_now(), hold, os.getpid())


def _temp_files(folder: Path) -> list[str]:
    try:
        return sorted(name for name in os.listdir(folder) if is_temp_file(name))
    except OSError:
        return []


def _temp_target(name: str) -> str | None:
    """The file a temporary file was to replace (".NAME.XXXXXXXX.tmp" -> "NAME")."""
    match = _TEMP_NAME.fullmatch(name)
    return match.group(1) if match else None


_OPENING_FIELDS = {"pupil": PUPIL, "location": LOCATION}

TRANSFERRED_IN_KINDS: frozenset[EventKind] = frozenset(
    {
        EventKind.note,
        EventKind.reviewed,
        EventKind.disposed,
        EventKind.transferred,
        EventKind.receipt_confirmed,
    }
)
"""What the receiving school may add to an incident transferred in: it is reviewed
here, never continued (and sent on with the child's file if the pupil moves again)."""


def unsafe_text(
    kind: EventKind,
    actor: Actor,
    texts: dict[str, Any],
    data: dict[str, Any],
    step: str | None = None,
) -> str | None:
    """Why an event cannot be recorded as given (a text too long, a control character,
    a blank name), or None. The record's own check at the door, whatever wrote the
    event: the engine and the screens check each field first, with its own limit."""
    checks: list[tuple[TextField, Any]] = [(ACTOR_NAME, actor.name), (ACTOR_ROLE, actor.role)]
    checks += [(TextField(where, STORED_TEXT_LIMIT), value) for where, value in texts.items()]
    for key, value in data.items():
        if kind is EventKind.opened and key in _OPENING_FIELDS:
            rule = _OPENING_FIELDS[key]
        else:
            limit = REVIEW_TEXT.limit if kind is EventKind.reviewed else STORED_TEXT_LIMIT
            rule = TextField(f"the text of '{key}'", limit)
        checks.append((rule, value))
    for rule, value in checks:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (problem := rule.problem(text)) is not None:
                return problem
    names_pupils = kind is EventKind.opened or is_pupil_amendment(kind, step, data)
    if names_pupils and any(key in data for key in PUPIL_KEYS):
        return recorded_pupils_problem(data)
    return None


def _invalid_row(row: dict[str, Any], exc: ValidationError) -> str:
    """Why an index row is not valid, naming the incident (shared with verify)."""
    problem = exc.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "row"
    return f"the index row of {row.get('id')} is not valid ({where}: {problem['msg']})"


def row_or_problem(row: dict[str, Any]) -> tuple[IndexRow | None, str | None]:
    """(the index row, None) if it is valid, else (None, why not)."""
    try:
        return IndexRow.model_validate(row), None
    except ValidationError as exc:
        return None, _invalid_row(row, exc)


def invalid_row_problem(row: dict[str, Any]) -> str | None:
    """Why an index row could not be listed, or None if it can."""
    try:
        IndexRow.model_validate(row)
    except ValidationError as exc:
        return _invalid_row(row, exc)
    return None


def _index_lagging(exc: StoreWriteError, event: Event) -> StoreWriteError:
    """The event is on disk but its index row is not: say so, never "not recorded"."""
    cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else OSError(exc.errno, "")
    problem = os_reason(cause)
    lagging = StoreWriteError(
        exc.path,
        cause,
        f"event {event.seq} was saved in {incident_path_name(event)}, but the index "
        f"{exc.path} could not be updated ({problem}). Nothing is lost: the index catches up "
        "at the next save. Free some space or fix the disk before going on.",
    )
    lagging.event = event
    return lagging


def incident_path_name(event: Event) -> str:
    return f"{INCIDENTS_DIR}/{event.incident}.json"


def _references_in_file(path: Path, prefix: str) -> list[int]:
    """The numbers of the references with `prefix` (the day's) found in an incident
    file, read as bytes so that a damaged file still gives up the reference it holds."""
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    return [int(n) for d, n in _REFERENCE_IN_FILE.findall(raw) if d.decode() == prefix]


def _hash_ok(event: dict[str, Any], parsed: bool = False) -> bool:
    """`parsed`: the event comes from `parse_record_json`, which refused any float,
    so the canonical JSON needs no walk looking for one (checked once per append over
    the whole file)."""
    try:
        if parsed:
            return stored_event_hash(event) == event.get("hash")
        body = {name: value for name, value in event.items() if name != "hash"}
        return event_hash(body) == event.get("hash")
    except (TypeError, ValueError):
        return False


def _chains(event: Any, incident_id: str, seq: int, prev: str, parsed: bool = False) -> bool:
    return (
        isinstance(event, dict)
        and event.get("incident") == incident_id
        and event.get("seq") == seq
        and event.get("prev") == prev
        and _hash_ok(event, parsed)
    )


__all__ = [
    "INDEX_DIR",
    "AppendRefused",
    "DamagedIncident",
    "IndexRow",
    "Listing",
    "IncidentInUse",
    "Store",
    "StoreWriteError",
    "holds_incidents",
    "recorded_mode",
]

"""The access log: who opened each incident, and when. Append-only, hash-chained
like the record, never edited or deleted.

Every time an incident is opened to be read (the review app's incident screen,
`show`, `export`), one entry is added to that incident's access log:

    viewings/<incident id>.json
        {"viewings": {"1": entry, "2": entry, ...},
         "signed": {"count": N, "head": HASH, "hmac": HMAC}}

An entry holds the incident id, its place (`seq`, 0, 1, ...), the UTC time,
who viewed it (`viewer`: name, role and, on a school server, login; null when
it was not known: one computer, no people file and no name given), how (`via`),
`prev` (the previous entry's hash; 64 zeros for the first) and `hash`, the
SHA-256 of the canonical JSON of the entry without `hash` (the record's own
rule, `events.event_hash`). `signed` is an HMAC with the record key over the
incident id, the count and the last hash, so an entry removed from the end, or
the file rewritten with a recomputed chain, is caught as well as one changed,
removed or moved in the middle. The same count and head are signed into the
incident's index row (its `viewings`), so that the whole file deleted, or put
back to an earlier signed copy, is caught too. Files are written whole and atomically (the
record's own writer), one viewer at a time under a short lock per group of
incidents (`locks/viewings-<xxx>.lock`). The log lives beside the record it
describes, never inside an incident's own file: reading an incident never
changes its record.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_tui.errors import UserError
from incident_tui.record.events import GENESIS, Actor, canonical_json, event_hash, utc_now
from incident_tui.record.locks import locks_dir, short_lock
from incident_tui.record.storage import (
    DamagedFile,
    StoreWriteError,
    atomic_write_bytes,
    dump_record_json,
    is_temp_file,
    os_reason,
    parse_record_json,
    read_record_bytes,
)

VIEWINGS_DIR = "viewings"
TABLE = "viewings"
SIGNED = "signed"
_PREFIX = 3
_ID_FILE = re.compile(r"[0-9a-f]{32}\.json")

VIA_SCREEN = "the review screen"
VIA_SHOW = "show"
VIA_EXPORT = "an export"
VIA_PDF = "a PDF export"
VIA_EXPORT_ALL = "an export of every incident"

NOT_KNOWN = "not known (no people file and no name given on this computer)"


@dataclass(frozen=True)
class Viewing:
    """One entry of an incident's access log, as read back."""

    seq: int
    time: str
    viewer: Actor | None
    """None: who it was is not known (one computer, no name given)."""
    via: str

    def who(self) -> str:
        if self.viewer is None:
            return f"who was {NOT_KNOWN}"
        who = f"{self.viewer.name} ({self.viewer.role})"
        return f"{who}, login {self.viewer.login}" if self.viewer.login else who


def viewing_line(viewing: Viewing) -> str:
    """One line of "Viewed by": when, who, how."""
    when = f"{viewing.time[:10]} {viewing.time[11:16]} UTC" if len(viewing.time) >= 16 else ""
    who = NOT_KNOWN.capitalize() if viewing.viewer is None else viewing.who()
    return f"{when} · {who} · via {viewing.via}"


def view(
    root: Path, key: bytes | None, incident_id: str, viewer: Actor | None, via: str
) -> tuple[list[str], str | None]:
    """Record this viewing, then ("Viewed by" lines, this one included; a warning in
    words if the viewing could not be recorded or the log read, or None)."""
    warning = None
    try:
        record_viewing(root, key, incident_id, viewer, via)
    except ViewingNotRecorded as exc:
        warning = exc.message
    found, problem = viewings(root, incident_id)
    return [viewing_line(v) for v in found], warning or problem


class ViewingNotRecorded(UserError):
    """The viewing could not be written to the access log (the incident is intact)."""


@dataclass(frozen=True)
class LogProblem:
    """What is wrong with an access log, in words, and which entry (None: the file)."""

    incident: str
    seq: int | None
    kind: str
    """changed, missing, reordered, truncated, unreadable, deleted, recomputed,
    crash-leftover."""
    message: str


def viewings_dir(root: Path) -> Path:
    return root / VIEWINGS_DIR


def log_path(root: Path, incident_id: str) -> Path:
    return viewings_dir(root) / f"{incident_id}.json"


def _lock_path(root: Path, incident_id: str) -> Path:
    return locks_dir(root) / f"viewings-{incident_id[:_PREFIX]}.lock"


def _signature(key: bytes, incident_id: str, count: int, head: str) -> str:
    message = canonical_json({"incident": incident_id, "count": count, "head": head})
    return hmac.new(key, b"incident-tui access log\n" + message, hashlib.sha256).hexdigest()


def _entries(data: dict[str, Any], path: Path) -> list[dict[str, Any]]:
    table = data.get(TABLE)
    if not isinstance(table, dict) or not set(data) <= {TABLE, SIGNED}:
        raise DamagedFile(path, 'not an access log (no "viewings" table)')
    entries = []
    for position, (doc_id, entry) in enumerate(table.items()):
        if not isinstance(entry, dict) or doc_id != str(position + 1):
            raise DamagedFile(path, f"access log entry {doc_id!r} is out of place")
        entries.append(entry)
    return entries


def _read(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(the parsed file, its entries), None if there is no log yet; DamagedFile."""
    try:
        raw = read_record_bytes(path)
    except FileNotFoundError:
        return None
    data = parse_record_json(raw, path)
    return data, _entries(data, path)


def _chains(entry: dict[str, Any], incident_id: str, seq: int, prev: str) -> bool:
    try:
        body = {name: value for name, value in entry.items() if name != "hash"}
        intact = event_hash(body) == entry.get("hash")
    except (TypeError, ValueError):
        return False
    return (
        intact
        and entry.get("incident") == incident_id
        and entry.get("seq") == seq
        and entry.get("prev") == prev
    )


def record_viewing(
    root: Path, key: bytes | None, incident_id: str, viewer: Actor | None, via: str
) -> Viewing:
    """Add one viewing to the incident's access log, durable when this returns.
    ViewingNotRecorded (naming the file, in words) if it cannot be written; an
    access log that is damaged is never written over."""
    path = log_path(root, incident_id)
    try:
        os.makedirs(viewings_dir(root), mode=0o700, exist_ok=True)
        os.makedirs(locks_dir(root), mode=0o700, exist_ok=True)
        with short_lock(_lock_path(root, incident_id)):
            found = _read(path)
            entries = found[1] if found is not None else []
            prev = GENESIS
            for seq, entry in enumerate(entries):
                if not _chains(entry, incident_id, seq, prev):
                    raise DamagedFile(
                        path, f"entry {seq} fails its hash-chain check; run `incident-tui verify`"
                    )
                prev = entry["hash"]
            body: dict[str, Any] = {
                "incident": incident_id,
                "seq": len(entries),
                "time": utc_now(),
                "viewer": None if viewer is None else viewer.model_dump(mode="json"),
                "via": via,
                "prev": prev,
            }
            entry = {**body, "hash": event_hash(body)}
            table = {str(n + 1): item for n, item in enumerate([*entries, entry])}
            data: dict[str, Any] = {TABLE: table}
            if key is not None:
                count = len(entries) + 1
                data[SIGNED] = {
                    "count": count,
                    "head": entry["hash"],
                    "hmac": _signature(key, incident_id, count, entry["hash"]),
                }
            atomic_write_bytes(path, dump_record_json(data))
            if key is not None:
                _claim(root, key, incident_id, len(entries) + 1, entry["hash"], path)
    except DamagedFile as exc:
        raise ViewingNotRecorded(
            f"this viewing could not be added to the access log {exc.path}: {exc.problem}. "
            "The incident itself is intact."
        ) from exc
    except StoreWriteError as exc:
        raise ViewingNotRecorded(
            f"this viewing could not be added to the access log {path}: "
            f"{os_reason(exc.__cause__) if isinstance(exc.__cause__, OSError) else exc.message}. "
            "The incident itself is intact."
        ) from exc
    except (OSError, UserError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else exc.message
        raise ViewingNotRecorded(
            f"this viewing could not be added to the access log {path}: {reason}. "
            "The incident itself is intact."
        ) from exc
    return _viewing(entry)


def _claim(root: Path, key: bytes, incident_id: str, count: int, head: str, path: Path) -> None:
    """Sign the log's new count and head into the incident's index row, so that the log
    deleted, cut short or put back to an earlier copy is caught (`check_claim`)."""
    from incident_tui.record.store import claim_viewings, shard_path

    try:
        claim_viewings(root, key, incident_id, count, head)
    except (DamagedFile, StoreWriteError, OSError) as exc:
        reason = exc.problem if isinstance(exc, DamagedFile) else str(exc)
        raise ViewingNotRecorded(
            f"this viewing was added to the access log {path}, but the index "
            f"{shard_path(root, incident_id)} could not be signed to vouch for it: {reason}. "
            "The incident itself is intact."
        ) from exc


def _viewing(entry: dict[str, Any]) -> Viewing:
    viewer = entry.get("viewer")
    return Viewing(
        seq=int(entry["seq"]),
        time=str(entry["time"]),
        viewer=None if viewer is None else Actor.model_validate(viewer),
        via=str(entry.get("via") or ""),
    )


def viewings(root: Path, incident_id: str) -> tuple[list[Viewing], str | None]:
    """(the incident's viewings, oldest first; why the log could not be read, or None).
    Takes no lock."""
    path = log_path(root, incident_id)
    try:
        found = _read(path)
    except DamagedFile as exc:
        return [], str(exc)
    if found is None:
        return [], None
    shown: list[Viewing] = []
    for entry in found[1]:
        try:
            shown.append(_viewing(entry))
        except (KeyError, TypeError, ValueError):
            return shown, f"{path}: entry {len(shown)} cannot be read; run `incident-tui verify`"
    return shown, None


def check_log(root: Path, key: bytes | None, incident_id: str) -> list[LogProblem]:
    """What is wrong with one incident's access log: each entry changed, missing or
    moved is named, and the signed count and head catch entries cut off the end."""
    path = log_path(root, incident_id)
    try:
        found = _read(path)
    except DamagedFile as exc:
        return [LogProblem(incident_id, None, "unreadable", f"access log {exc}")]
    if found is None:
        return []
    data, entries = found
    problems: list[LogProblem] = []
    prev = GENESIS
    where = f"{path}: the access log"
    for position, entry in enumerate(entries):
        seq = entry.get("seq")
        try:
            body = {name: value for name, value in entry.items() if name != "hash"}
            intact = event_hash(body) == entry.get("hash")
        except (TypeError, ValueError):
            intact = False
        if not intact or entry.get("incident") != incident_id:
            problems.append(
                LogProblem(
                    incident_id,
                    position,
                    "changed",
                    f"{where}'s entry {position} was changed (it no longer matches its hash)",
                )
            )
        elif seq != position:
            kind = "missing" if isinstance(seq, int) and seq > position else "reordered"
            what = "an entry before it was removed" if kind == "missing" else "it was moved"
            problems.append(
                LogProblem(
                    incident_id,
                    position,
                    kind,
                    f"{where}'s entry {position} is entry {seq} as recorded: {what}",
                )
            )
        elif entry.get("prev") != prev:
            problems.append(
                LogProblem(
                    incident_id,
                    position,
                    "reordered",
                    f"{where}'s entry {position} does not follow the one before it "
                    "(an entry was removed or moved)",
                )
            )
        digest = entry.get("hash")
        prev = digest if isinstance(digest, str) else ""
    signed = data.get(SIGNED)
    if key is not None:
        count = signed.get("count") if isinstance(signed, dict) else None
        head = signed.get("head") if isinstance(signed, dict) else None
        mac = signed.get("hmac") if isinstance(signed, dict) else None
        if not (isinstance(count, int) and isinstance(head, str) and isinstance(mac, str)):
            problems.append(
                LogProblem(incident_id, None, "changed", f"{where} has lost its signature (edited)")
            )
        elif not hmac.compare_digest(_signature(key, incident_id, count, head), mac):
            problems.append(
                LogProblem(
                    incident_id,
                    None,
                    "changed",
                    f"{where}'s signature does not match (rewritten or edited)",
                )
            )
        elif count > len(entries):
            problems.append(
                LogProblem(
                    incident_id,
                    len(entries),
                    "truncated",
                    f"{where} ends after {len(entries)} entries but {count} were signed: "
                    f"the last {count - len(entries)} were removed",
                )
            )
        elif count < len(entries) or (entries and entries[count - 1].get("hash") != head):
            problems.append(
                LogProblem(
                    incident_id,
                    None,
                    "changed",
                    f"{where} is not the one that was signed (entries added or rewritten)",
                )
            )
    if not problems and dump_record_json(data) != read_record_bytes(path):
        problems.append(LogProblem(incident_id, None, "changed", f"{where} was edited by hand"))
    return problems


def check_claim(
    root: Path, incident_id: str, reference: str | None, claim: Any
) -> LogProblem | None:
    """The access log against what the incident's signed index row vouches for
    (`claim`: {"count", "head"}, or None for no claim): the whole log deleted, cut
    short (however cleanly), or put back to an earlier copy. A log longer than the
    claim is not damage (a viewing the index was not yet signed for)."""
    if claim is None:
        return None
    path = log_path(root, incident_id)
    name = reference or incident_id
    try:
        found = _read(path)
    except DamagedFile:
        return None  # unreadable: check_log names it
    count, head = claim["count"], claim["head"]
    if found is None:
        return LogProblem(
            incident_id,
            None,
            "deleted",
            f"{path}: the access log of incident {name} was deleted (the index signed "
            f"{count} viewing{'' if count == 1 else 's'} of it)",
        )
    entries = found[1]
    if len(entries) < count:
        return LogProblem(
            incident_id,
            len(entries),
            "truncated",
            f"{path}: the access log of incident {name} was truncated: it holds "
            f"{len(entries)} viewing{'' if len(entries) == 1 else 's'} but the index signed "
            f"{count} (the last {count - len(entries)} removed, or an earlier copy put back)",
        )
    if entries[count - 1].get("hash") != head:
        return LogProblem(
            incident_id,
            count - 1,
            "recomputed",
            f"{path}: the access log of incident {name} is not the one the index signed "
            f"(its entry {count - 1} differs: rewritten, or replaced by another copy)",
        )
    return None


def log_hashes(root: Path, incident_id: str) -> list[str] | None:
    """The hashes of the incident's access log entries in file order (None: no log,
    or one that cannot be read), for checkpoints."""
    try:
        found = _read(log_path(root, incident_id))
    except DamagedFile:
        return None
    return None if found is None else [str(entry.get("hash")) for entry in found[1]]


def logged_incidents(root: Path) -> tuple[set[str], list[Path]]:
    """(the incidents that have an access log, the temporary files of interrupted writes)."""
    try:
        names = os.listdir(viewings_dir(root))
    except OSError:
        return set(), []
    ids = {name[: -len(".json")] for name in names if _ID_FILE.fullmatch(name)}
    return ids, [viewings_dir(root) / name for name in sorted(names) if is_temp_file(name)]


__all__ = [
    "NOT_KNOWN",
    "VIA_EXPORT",
    "VIA_EXPORT_ALL",
    "VIA_PDF",
    "VIA_SCREEN",
    "VIA_SHOW",
    "LogProblem",
    "Viewing",
    "ViewingNotRecorded",
    "check_claim",
    "check_log",
    "log_hashes",
    "log_path",
    "logged_incidents",
    "record_viewing",
    "view",
    "viewing_line",
    "viewings",
]

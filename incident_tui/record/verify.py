"""Verify: recompute every chain and check it against the signed index.

Read-only and lock-free, so it can run while other sessions of incident-tui are
recording. Each finding names the incident, the event (when there is one), the
file and what is wrong with it:

- changed      an event's content no longer matches its hash, or a file's bytes
               or an index row were edited
- missing      a gap in the sequence numbers
- reordered    events out of order, or one that links to a different event
- truncated    the chain is intact but stops short of the count the index signed
- unreadable   a file that is empty, cut off or not JSON
- recomputed   the chain is intact but is not the one the index signed
               (a rewritten file with a recomputed chain)
- no-index-row an incident file the index does not know
- no-file      an index row whose incident file is gone
- deleted (access log)  an incident's access log gone, though its signed index row
               says it was viewed; truncated / recomputed when the log is shorter
               than, or not the one, the row signed
- deleted / rolled-back   (with a checkpoint) an incident gone, or fewer or
               different events than the checkpoint recorded
- crash-leftover  an interrupted save: a temporary file (removed the next time
               incident-tui records), an incident file ahead of its index row
               (brought up to date the next time the incident is added to), or
               an opening interrupted before its first event (its index row
               stays, so its reference is never reused; not counted as an
               incident). Not damage: nothing recorded is lost.

A chain and an index signed with the record key catch everything but an
attacker who holds both the data and the key: only a checkpoint kept off this
machine catches that.

Without the record key (`key=None`, when the key file is lost) the chains and
the index counts and heads are still checked, but not the signatures: the
report says so (`signatures_checked`), and is never `complete`.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from incident_tui.errors import UserError
from incident_tui.record.events import GENESIS, Event, EventKind, stored_event_hash
from incident_tui.record.storage import (
    DamagedFile,
    dump_record_json,
    is_temp_file,
    parse_record_json,
    read_record_bytes,
)
from incident_tui.record.store import (
    EVENTS_TABLE,
    INDEX_DIR,
    ROW_DEFAULTS,
    ROWS_TABLE,
    SHARD_PREFIX,
    STEP_ONLY_KINDS,
    fold_events,
    fold_without_steps,
    incident_path,
    incidents_dir,
    index_dir,
    invalid_row_problem,
    is_incident_id,
    row_signature_ok,
    shard_files,
    valid_viewings_claim,
)
from incident_tui.record.tombstone import has_stubs, is_disposal, tombstone_problem

DamageKind = Literal[
    "changed",
    "missing",
    "reordered",
    "truncated",
    "unreadable",
    "recomputed",
    "no-index-row",
    "no-file",
    "deleted",
    "rolled-back",
    "crash-leftover",
]

INDEX = "index"
"""`Finding.incident` of a finding about the index as a whole."""

EVENT_FIELDS = frozenset(Event.model_fields)


@dataclass(frozen=True)
class Finding:
    incident: str
    reference: str | None
    seq: int | None
    kind: DamageKind
    message: str

    @property
    def is_damage(self) -> bool:
        """False for the leftovers of an interrupted save: nothing recorded is lost, and
        the next time incident-tui records it tidies them up. The one rule for this."""
        return self.kind != "crash-leftover"


@dataclass(frozen=True)
class VerifyReport:
    findings: list[Finding]
    incidents: int
    events: int
    signatures_checked: bool = True
    """False when the check ran without the record key (chains only)."""

    @property
    def ok(self) -> bool:
        """True when nothing is damaged (leftovers of an interrupted save are not damage)."""
        return not self.damage()

    @property
    def complete(self) -> bool:
        """Nothing damaged, and the signatures were checked too."""
        return self.ok and self.signatures_checked

    def damage(self) -> list[Finding]:
        """Every finding that is damage (not the leftovers of an interrupted save)."""
        return [finding for finding in self.findings if finding.is_damage]

    def damaged(self, incident_id: str) -> list[Finding]:
        """One incident's damage: its own findings, and those about the index file that
        holds its row. Damage to another part of the index is not pinned on it."""
        own_file = str(Path(INDEX_DIR) / f"{incident_id[:SHARD_PREFIX]}.json")
        return [
            finding
            for finding in self.damage()
            if finding.incident == incident_id
            or (finding.incident == INDEX and own_file in finding.message)
        ]

    @property
    def damaged_incidents(self) -> int:
        """How many incidents (not counting the index as a whole) have damage."""
        return len({f.incident for f in self.damage() if f.incident != INDEX})

    @property
    def index_damaged(self) -> bool:
        return any(f.incident == INDEX for f in self.damage())


@dataclass
class _Scan:
    findings: list[Finding] = field(default_factory=list)
    incidents: int = 0
    events: int = 0
    hashes: dict[str, list[str]] = field(default_factory=dict)
    """Per readable incident, its event hashes in file order (for checkpoints)."""
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    target: str | None = None
    """The one incident the scan was limited to, if any."""
    viewings: dict[str, list[str]] = field(default_factory=dict)
    """Per incident with a readable access log, its entries' hashes (for checkpoints)."""
    signed: dict[str, bool] = field(default_factory=dict)
    """Per incident checked with the key, whether its index row's signature holds."""
    root: Path | None = None


def check_chain(
    events: list[dict[str, Any]], incident_id: str, reference: str | None, where: str
) -> list[Finding]:
    """One incident's chain as stored (dicts, not yet validated), with no index:
    hashes, order, links (for a transfer bundle, which has no index)."""
    return _check_chain(events, incident_id, reference, where)[0]


def verify_events(events: list[Event]) -> list[Finding]:
    """Check one incident's chain alone (no index): hashes, order, links."""
    if not events:
        return []
    raw = [event.model_dump(mode="json") for event in events]
    reference = raw[0].get("data", {}).get("reference")
    return _check_chain(raw, events[0].incident, reference, "the events")[0]


def incident_damage(root: Path, key: bytes | None, incident_id: str) -> list[Finding]:
    """What is damaged in one incident (by internal id): the one way to ask, for
    `show`, an export and the review screen alike."""
    return verify_store(root, key, incident=incident_id).damaged(incident_id)


def verify_store(
    root: Path,
    key: bytes | None,
    *,
    incident: str | None = None,
    checkpoint: Path | None = None,
) -> VerifyReport:
    """Check every incident in the store at `root` (or one, by id or reference).

    With `key=None` the signatures are not checked (and a checkpoint, which is
    signed too, cannot be): everything else is."""
    if key is None and checkpoint is not None:
        raise UserError(
            f"the checkpoint {checkpoint} cannot be checked without the record key, "
            "which is missing: restore the key from your backup first"
        )
    with _no_cycle_collection():
        scan = _scan_store(Path(root), key, incident)
        if checkpoint is not None:
            from incident_tui.record.checkpoint import compare_checkpoint

            assert key is not None
            scan.findings.extend(compare_checkpoint(checkpoint, key, scan))
    return VerifyReport(scan.findings, scan.incidents, scan.events, key is not None)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while verify reads the record: parsed JSON
    holds no cycles (counting references frees it), and the collector's passes over
    the hundreds of thousands of dicts being built cost as much as parsing them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scan_store(root: Path, key: bytes | None, only: str | None) -> _Scan:
    scan = _Scan(root=root)
    # The incident files are listed before the index is read: a session opening an
    # incident meanwhile writes its index row before its file, so a file listed here
    # always has its row below. A row whose file appeared after the listing is
    # looked for again, so that no one recording at the same time looks like damage.
    listed = _Scan()
    files = _incident_files(root, listed)
    rows = _read_index(root, scan)
    scan.findings.extend(listed.findings)
    scan.rows = rows
    files |= {i for i in rows if i not in files and incident_path(root, i).exists()}
    targets = sorted(set(rows) | set(files))
    if only is not None:
        target = _resolve(root, only, rows, files)
        targets = [target]
        scan.target = target
        scan.findings = [f for f in scan.findings if f.incident in (target, INDEX)]
    for incident_id in targets:
        row = rows.get(incident_id)
        if incident_id not in files and row is not None and row.get("event_count") == 0:
            # not an incident: an opening that never recorded its first event
            scan.findings.append(_interrupted_opening(root, incident_id, row))
            continue
        scan.incidents += 1
        _check_incident(root, key, incident_id, row, scan)
    _check_access_logs(root, key, set(targets), rows, scan)
    return scan


def _check_access_logs(
    root: Path, key: bytes | None, targets: set[str], rows: dict[str, Any], scan: _Scan
) -> None:
    """Each incident's access log (`viewings`): an entry changed, removed or moved is
    named, as is a log cut short or rewritten (its signed count and head)."""
    from incident_tui.record.viewings import (
        check_claim,
        check_log,
        log_hashes,
        logged_incidents,
    )

    logged, leftovers = logged_incidents(root)
    if scan.target is None:
        for path in leftovers:
            scan.findings.append(_leftover(path, INDEX))
    for incident_id in sorted(targets if scan.target else targets | logged):
        row = rows.get(incident_id)
        reference = row.get("reference") if isinstance(row, dict) else None
        problems = check_log(root, key, incident_id) if incident_id in logged else []
        if incident_id in logged:
            hashes = log_hashes(root, incident_id)
            if hashes is not None:
                scan.viewings[incident_id] = hashes
        claim = row.get("viewings") if isinstance(row, dict) else None
        # a row whose signature fails is reported with the row; its claim is not believed
        signed = scan.signed.get(incident_id)
        if signed is None and row is not None and key is not None:
            signed = row_signature_ok(row, key)
        believed = row is not None and (key is None or bool(signed))
        if not problems and believed and valid_viewings_claim(claim):
            found = check_claim(root, incident_id, reference, claim)
            problems += [found] if found is not None else []
        for problem in problems:
            kind: DamageKind = problem.kind  # type: ignore[assignment]
            scan.findings.append(
                Finding(incident_id, reference, problem.seq, kind, problem.message)
            )


def _interrupted_opening(root: Path, incident_id: str, row: dict[str, Any]) -> Finding:
    reference = row.get("reference") if isinstance(row.get("reference"), str) else None
    name = f"reference {reference}" if reference else "its reference"
    return Finding(
        incident_id,
        reference,
        None,
        "crash-leftover",
        f"{incident_path(root, incident_id)}: an opening was interrupted before anything "
        f"was recorded (an index row with no events). Nothing is lost; the row stays so "
        f"that {name} is never given out again, and it is not counted or listed as an "
        "incident",
    )


def _resolve(root: Path, name: str, rows: dict[str, dict[str, Any]], files: set[str]) -> str:
    if name in rows or name in files:
        return name
    for row in rows.values():
        if row.get("reference") == name:
            return str(row["id"])
    raise UserError(f"no incident {name} in {root}")


def _read_index(root: Path, scan: _Scan) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    folder = index_dir(root)
    if folder.is_dir():
        for name in sorted(os.listdir(folder)):
            if is_temp_file(name):
                scan.findings.append(_leftover(folder / name, INDEX))
    for path in shard_files(root):
        try:
            raw = read_record_bytes(path)
            data = parse_record_json(raw, path)
        except (DamagedFile, FileNotFoundError) as exc:
            scan.findings.append(
                Finding(INDEX, None, None, "unreadable", f"index file {_problem(path, exc)}")
            )
            continue
        table = data.get(ROWS_TABLE)
        if not isinstance(table, dict) or set(data) != {ROWS_TABLE}:
            scan.findings.append(
                Finding(INDEX, None, None, "changed", f"{path}: not an index file any more")
            )
            continue
        if dump_record_json(data) != raw:
            scan.findings.append(
                Finding(INDEX, None, None, "changed", f"{path}: the file was edited by hand")
            )
        for position, (doc_id, row) in enumerate(table.items()):
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                scan.findings.append(
                    Finding(INDEX, None, None, "changed", f"{path}: entry {doc_id} is not a row")
                )
                continue
            incident_id = row["id"]
            reference = row.get("reference") if isinstance(row.get("reference"), str) else None
            if doc_id != str(position + 1) or path.stem != incident_id[:SHARD_PREFIX]:
                scan.findings.append(
                    Finding(
                        incident_id,
                        reference,
                        None,
                        "changed",
                        f"{path}: the index row of {incident_id} is out of place",
                    )
                )
            if incident_id in rows:
                scan.findings.append(
                    Finding(
                        incident_id,
                        reference,
                        None,
                        "changed",
                        f"{path}: {incident_id} has more than one index row",
                    )
                )
            invalid = invalid_row_problem(row)
            if invalid is not None:
                # It cannot be listed: name it here, the file the damage is in.
                scan.findings.append(
                    Finding(incident_id, reference, None, "changed", f"{path}: {invalid}")
                )
            rows[incident_id] = row
    return rows


def _incident_files(root: Path, scan: _Scan) -> set[str]:
    folder = incidents_dir(root)
    if not folder.is_dir():
        return set()
    found: set[str] = set()
    for name in sorted(os.listdir(folder)):
        if is_temp_file(name):
            stem = name[1:].split(".", 1)[0]
            scan.findings.append(_leftover(folder / name, stem if is_incident_id(stem) else INDEX))
        elif name.endswith(".json"):
            found.add(name[: -len(".json")])
    return found


def _leftover(path: Path, incident: str) -> Finding:
    return Finding(
        incident,
        None,
        None,
        "crash-leftover",
        f"{path}: the temporary file of a save that was interrupted; it is never read as "
        "part of the record, nothing recorded is lost, and it is removed the next time "
        "incident-tui records",
    )


def _problem(path: Path, exc: BaseException) -> str:
    if isinstance(exc, DamagedFile):
        return str(exc)
    return f"{path}: the file is missing"


def _check_incident(
    root: Path, key: bytes | None, incident_id: str, row: dict[str, Any] | None, scan: _Scan
) -> None:
    path = incident_path(root, incident_id)
    reference = row.get("reference") if row and isinstance(row.get("reference"), str) else None
    findings = scan.findings

    def add(kind: DamageKind, message: str, seq: int | None = None) -> None:
        findings.append(Finding(incident_id, reference, seq, kind, message))

    try:
        raw = read_record_bytes(path)
    except FileNotFoundError:
        if row is not None:
            add("no-file", f"{path}: the index records this incident but its file is gone")
        return
    except DamagedFile as exc:
        add("unreadable", str(exc))
        return
    before = len(findings)
    signed = row is not None and key is not None and row_signature_ok(row, key)
    scan.signed[incident_id] = signed
    written = _chain_as_written(raw, incident_id, row) if signed and row else None
    if written is not None and row is not None:
        if reference is None:
            ref = written.first.get("data", {}).get("reference")
            reference = ref if isinstance(ref, str) else None
        scan.events += len(written.hashes)
        scan.hashes[incident_id] = written.hashes
        _compare_row(path, row, written.expected, add)
        return
    data: dict[str, Any] = {}
    try:
        data = parse_record_json(raw, path)
    except DamagedFile as exc:
        add("unreadable", str(exc))
        return
    table = data.get(EVENTS_TABLE)
    if not isinstance(table, dict) or set(data) != {EVENTS_TABLE}:
        add("unreadable", f'{path}: not an incident file (no "events" table)')
        return
    events: list[dict[str, Any]] = []
    for position, (doc_id, event) in enumerate(table.items()):
        if not isinstance(event, dict):
            add("changed", f"{path}: entry {doc_id} is not an event", position)
            continue
        if doc_id != str(position + 1):
            add("changed", f"{path}: entry {doc_id} is numbered out of place", position)
        events.append(event)
    if reference is None and events and isinstance(events[0].get("data"), dict):
        ref = events[0]["data"].get("reference")
        reference = ref if isinstance(ref, str) else None
    stubs = has_stubs(events)
    chain_findings, chain_ok = _check_chain(events, incident_id, reference, str(path), stubs)
    findings.extend(chain_findings)
    scan.events += len(events)
    scan.hashes[incident_id] = [str(event.get("hash")) for event in events]
    if row is None:
        add(
            "no-index-row",
            f"{path}: the index has no row for this incident (it was not "
            "recorded by incident-tui, or its index row was removed)",
        )
    elif chain_ok:
        _check_row(key, signed, path, incident_id, row, events, add, stubs)
    if len(findings) == before and dump_record_json(data) != raw:
        add("changed", f"{path}: the file was edited by hand (its bytes are not as recorded)")


_OPENING = '{"events":{"1":'
_STEP_ONLY = tuple(f'{kind}"' for kind in STEP_ONLY_KINDS)
_LABELS: list[str] = []
"""`,"2":` ... : what stands between event n-1 and event n (`_LABELS[n]`), made as needed."""
_SEQS: list[str] = []
"""`,"seq":n,"step":`, made as needed."""


def _labels_to(count: int) -> tuple[list[str], list[str]]:
    for n in range(len(_SEQS), count):
        _LABELS.append(f',"{n + 1}":')
        _SEQS.append(f',"seq":{n},"step":')
    return _LABELS, _SEQS


@dataclass(frozen=True)
class _Written:
    """What verify needs of an incident file whose chain is exactly as written."""

    hashes: list[str]
    first: dict[str, Any]
    expected: dict[str, Any]
    """The index row its events fold into (unsigned)."""


def _chain_as_written(raw: bytes, incident_id: str, row: dict[str, Any]) -> _Written | None:
    """An incident file whose bytes, hashes and chain are exactly as this program
    writes them, up to the head its index row signed (`row`, its signature checked
    with the record key); None for anything else (a file written before events were
    sorted, an edit, a chain ahead of its row, a disposal), which the full check then
    parses and reports on as before.

    Each event is written as its canonical JSON, its "hash" in its sorted place just
    before "incident" (`store.incident_file_bytes`), so the text its hash is taken over
    is its bytes as they lie less the `"hash":"<hash>",` in them. Those bytes are
    hashed where they lie, and only the events the index row needs are parsed (the
    first, and any not of a `STEP_ONLY_KINDS` kind). The two checks agree, because:

    - each event's text is taken to run from just after its doc id to the first "}"
      after its `","incident":"<id>","kind":"`, the hash member before that cut out.
      Nothing about that layout is trusted: a text whose SHA-256 is a hash this
      program made is the text it made it from (the last is the head the index row
      signed with the record key; each earlier one is the `prev` inside the text
      hashed after it, and the program checks every event's hash before it chains
      one to it);
    - a text this program hashed is an event's canonical JSON less its hash, a whole
      object, so its first "}" after the cut closes that object (a "}" in a string,
      or one closing a nested object, would make the text hashed a cut-off one). So
      the key after the cut is a top-level one, "incident", the member cut out was
      the event's own, in its sorted place, and the bytes are the event's canonical
      JSON, as the full check would encode it. In the members after the cut (top-level
      scalars), `","prev":"<hash>"` and `,"seq":<n>,` can only be those members: a
      quote after a comma is never inside a string;
    - around the events, every byte is checked as written (`{"events":{"1":`, `,"2":`
      ... `}}`, nothing else).
    """
    count = row.get("event_count")
    if type(count) is not int or not 0 < count <= len(raw) // 64:  # 64: a hash each
        return None
    # one character a byte, whatever the text: offsets here are offsets in `raw`
    text = raw.decode("latin-1")
    if not text.startswith(_OPENING):
        return None
    labels, seqs = _labels_to(count)
    find, starts, view, sha256 = text.find, text.startswith, memoryview(raw), hashlib.sha256
    member = f'","incident":"{incident_id}","kind":"'
    kind_at = len(member)
    step_only = _STEP_ONLY
    hashes: list[str] = []
    parsed: list[tuple[int, int]] = []
    """Where each event to parse starts and ends."""
    cuts: list[int] = []
    add_hash, add_cut = hashes.append, cuts.append
    prev = f'","prev":"{GENESIS}"'
    pos = len(_OPENING)
    last = count - 1
    for seq in range(count):
        cut = find(member, pos)
        end = find("}", cut) + 1
        if (
            cut < 72
            or not starts('"hash":"', cut - 72)
            or find(prev, cut, end) < 0
            or find(seqs[seq], cut, end) < 0
        ):
            return None
        digest = text[cut - 64 : cut]
        hashed = sha256(view[pos : cut - 72])
        hashed.update(view[cut + 2 : end])
        if hashed.hexdigest() != digest:
            return None
        add_hash(digest)
        add_cut(cut)
        if not seq or not starts(step_only, cut + kind_at):
            parsed.append((pos, end))
        prev = '","prev":"' + digest + '"'
        if seq < last:
            label = labels[seq + 1]
            if not starts(label, end):
                return None
            pos = end + len(label)
        elif text[end:] != "}}":
            return None
    if hashes[-1] != row.get("head_hash"):
        return None
    return _fold_written(raw, text, hashes, parsed, cuts)


def _fold_written(
    raw: bytes, text: str, hashes: list[str], parsed: list[tuple[int, int]], cuts: list[int]
) -> _Written | None:
    """The index row a chain checked by `_chain_as_written` folds into, from the events
    not of a `STEP_ONLY_KINDS` kind (`parsed`, where each starts) and the last step and
    time of the others (`cuts`: where each event's hash member ends, less two)."""
    events: list[dict[str, Any]] = []
    try:
        for start, end in parsed:
            event = parse_record_json(raw[start:end], Path())
            if event.get("kind") == EventKind.disposed:
                return None
            events.append(event)
        opened = max((e["seq"] for e in events if e.get("kind") == EventKind.opened), default=0)
        last_step = None
        for seq in range(len(hashes) - 1, opened - 1, -1):
            cut = cuts[seq]
            at = text.find(',"step":', cut)
            step = _json_value(raw, at + len(',"step":'), text.find(',"time":"', at))
            if step:
                last_step = step
                break
        at = text.find(',"time":"', text.find(',"step":', cuts[-1]))
        last_time = _json_value(raw, at + len(',"time":'), len(text) - 3)
    except (DamagedFile, KeyError, TypeError, ValueError):
        return None
    expected = fold_without_steps(events, len(hashes), hashes[-1], last_time, last_step)
    if expected is None:
        return None
    return _Written(hashes, events[0], expected)


def _json_value(raw: bytes, start: int, end: int) -> Any:
    # text a hash of this program's vouches for: JSON it wrote
    return json.loads(raw[start:end])


def _check_row(
    key: bytes | None,
    signed: bool,
    path: Path,
    incident_id: str,
    row: dict[str, Any],
    events: list[dict[str, Any]],
    add: Any,
    stubs: bool,
) -> None:
    if key is not None and not signed:
        add(
            "recomputed",
            f"{path}: the index row's signature does not match (the row was "
            "rewritten, or this is not the record key of this store)",
        )
        return
    count, head, total = row.get("event_count"), row.get("head_hash"), len(events)
    if stubs and (count != total or head != events[-1].get("hash")):
        add(
            "changed",
            f"{path}: it holds a disposal tombstone that the index has not signed (the "
            "content was removed by hand, or the tombstone forged): the index signed "
            f"{count} events, the tombstone holds {total}",
            total - 1,
        )
        return
    if is_disposal(events[-1]) and not stubs and count == total:
        add(
            "crash-leftover",
            f"{path}: its disposal is recorded but the content of its events was not yet "
            "removed (an interrupted disposal); run `incident-tui dispose` on it again to "
            "finish",
            total - 1,
        )
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or count < 0
        or not isinstance(head, str)
    ):
        add("changed", f"{path}: its index row has no valid event count and head hash")
        return
    if total < count:
        add(
            "truncated",
            f"{path}: the file ends after event {total - 1} but the index "
            f"signed {count} events: the last {count - total} were cut off",
            total,
        )
        return
    if count and events[count - 1]["hash"] != head:
        add(
            "recomputed",
            f"{path}: the chain is intact but it is not the one the index "
            f"signed at event {count - 1} (the file was rewritten with a recomputed chain)",
            count - 1,
        )
        return
    if total > count:
        add(
            "crash-leftover",
            f"{path}: event(s) {count} to {total - 1} were saved but the "
            "index was not updated (an interrupted save); nothing is lost, and the index "
            "is brought up to date the next time this incident is added to",
            count,
        )
    if count == 0:
        return
    expected = fold_events(events[:count])
    assert expected is not None
    _compare_row(path, row, expected, add)


def _compare_row(path: Path, row: dict[str, Any], expected: dict[str, Any], add: Any) -> None:
    """The index row against the one its events fold into (`expected`, changed here)."""
    # the access log's claim is not folded from the events: the signature vouches for it
    expected["viewings"] = row.get("viewings")
    # its signature is checked above (over the id, count and head compared here, and
    # this claim), or cannot be without the key
    expected["hmac"] = row.get("hmac")
    if expected == row:  # the same comparison as below, key by key, made at once
        return
    for name in expected.keys() | row.keys():
        stored = row.get(name, ROW_DEFAULTS.get(name, "<none>"))
        if expected.get(name, "<none>") != stored:
            add(
                "changed",
                f"{path}: its index row was edited ({name} reads "
                f"{row.get(name)!r}; the events say {expected.get(name)!r})",
            )
            return


def _check_chain(
    events: list[dict[str, Any]],
    incident_id: str,
    reference: str | None,
    where: str,
    stubs: bool | None = None,
) -> tuple[list[Finding], bool]:
    """Findings about the chain itself, and whether it is intact."""
    findings: list[Finding] = []

    def add(kind: DamageKind, message: str, seq: int | None) -> None:
        findings.append(Finding(incident_id, reference, seq, kind, message))

    if has_stubs(events) if stubs is None else stubs:
        # lawfully disposed of: only the hashes are left, believed as a whole
        problem = tombstone_problem(events, incident_id)
        if problem is not None:
            add("changed", f"{where}: {problem}", None)
        return findings, not findings
    seqs: list[int] = []
    for position, event in enumerate(events):
        seq = event.get("seq")
        label = seq if isinstance(seq, int) and not isinstance(seq, bool) else position
        if set(event) != EVENT_FIELDS or not isinstance(event.get("hash"), str):
            add("changed", f"{where}: event {label} does not have the fields of an event", label)
        elif stored_event_hash(event) != event["hash"]:
            add(
                "changed",
                f"{where}: event {label} has been changed (its content no longer matches its hash)",
                label,
            )
        elif event.get("incident") != incident_id:
            add(
                "changed",
                f"{where}: event {label} belongs to incident {event.get('incident')}, not this one",
                label,
            )
        seqs.append(label)
    if seqs:
        present = set(seqs)
        gaps = [seq for seq in range(max(seqs) + 1) if seq not in present]
        for seq in gaps:
            add("missing", f"{where}: event {seq} is missing", seq)
        if seqs != sorted(present):
            first = next(seqs[i] for i in range(len(seqs)) if i and seqs[i] <= seqs[i - 1])
            add(
                "reordered",
                f"{where}: the events are out of order (event {first} is "
                "not where it was recorded)",
                first,
            )
        elif not gaps:
            prev: object = GENESIS  # whatever the file holds, compared as it is
            for event in events:
                if event.get("prev") != prev:
                    seq = event.get("seq")
                    add(
                        "reordered",
                        f"{where}: event {seq} does not link to the event recorded before it",
                        seq if isinstance(seq, int) else None,
                    )
                    break
                prev = event.get("hash")
    return findings, not findings

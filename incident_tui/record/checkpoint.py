"""Checkpoints: a signed, timestamped summary of the whole store, to keep elsewhere.

Like the signed tree heads of Certificate Transparency logs: a checkpoint
records how many incidents and events the store held, and the head of every
incident. Kept off this machine (printed, e-mailed to the trust, on a USB
stick), it lets `verify --checkpoint FILE` catch what the index alone cannot:
a whole incident deleted, or the store rolled back to an earlier copy, even by
someone who holds the data and the key.

The file is JSON: {"format": 1, "created", "mode", "incidents", "events",
"heads_hash", "hmac"} plus "heads" (id -> reference, count, head, and for an
incident that was viewed, its access log's "viewings" count and
"viewings_head") so that a later, larger store can still be checked against
it, access logs included (a checkpoint without them makes no claim). `heads_hash` is the
SHA-256 of the canonical JSON of "heads"; `hmac` is HMAC-SHA256 with the record
key over the canonical JSON of everything else.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_tui.errors import UserError
from incident_tui.files import FileExists, write_private_file
from incident_tui.record.events import canonical_json, utc_now

if TYPE_CHECKING:
    from incident_tui.record.verify import Finding, _Scan

FORMAT = 1
_FIELDS = {"format", "created", "mode", "incidents", "events", "heads_hash", "heads", "hmac"}


def _sign(key: bytes, checkpoint: dict[str, Any]) -> str:
    body = {name: value for name, value in checkpoint.items() if name != "hmac"}
    return hmac.new(key, canonical_json(body), hashlib.sha256).hexdigest()


def write_checkpoint(
    root: Path, key: bytes, out: Path, *, replace: bool = False, exists_hint: str = ""
) -> dict[str, Any]:
    """Check the store, then write its checkpoint to `out` (0600) and return it.

    An existing `out` is refused (an earlier checkpoint is evidence) unless `replace`."""
    from incident_tui.record.verify import _scan_store

    hint = exists_hint or "choose another name"
    if not replace and Path(out).exists():
        raise FileExists(Path(out), hint)  # before the whole record is read

    scan = _scan_store(Path(root), key, None)
    damage = [finding for finding in scan.findings if finding.is_damage]
    if damage:
        raise UserError(
            f"the record in {root} does not verify ({len(damage)} problem(s), first: "
            f"{damage[0].message}); a checkpoint would vouch for the damage, so none was written"
        )
    heads: dict[str, dict[str, Any]] = {}
    modes = set()
    for incident_id, row in scan.rows.items():
        count = row["event_count"]
        if count == 0:
            continue  # an opening that never completed
        hashes = scan.hashes.get(incident_id, [])
        heads[incident_id] = {
            "reference": row.get("reference"),
            "count": count,
            "head": hashes[count - 1],
        }
        logged = scan.viewings.get(incident_id)
        if logged:
            heads[incident_id] |= {"viewings": len(logged), "viewings_head": logged[-1]}
        modes.add(row.get("mode"))
    mode = modes.pop() if len(modes) == 1 else ("training" if root.name == "training" else "live")
    checkpoint: dict[str, Any] = {
        "format": FORMAT,
        "created": utc_now(),
        "mode": mode,
        "incidents": len(heads),
        "events": sum(head["count"] for head in heads.values()),
        "heads_hash": hashlib.sha256(canonical_json(heads)).hexdigest(),
        "heads": heads,
    }
    checkpoint["hmac"] = _sign(key, checkpoint)
    write_private_file(
        Path(out),
        json.dumps(checkpoint, indent=1, ensure_ascii=False),
        replace=replace,
        what="the checkpoint",
        exists_hint=hint,
    )
    return checkpoint


def read_checkpoint(path: Path) -> dict[str, Any]:
    """A checkpoint file, checked for shape (not signature); UserError naming the file."""
    try:
        checkpoint = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"cannot read the checkpoint {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"the checkpoint {path} is not readable JSON ({exc})") from exc
    if not isinstance(checkpoint, dict) or set(checkpoint) != _FIELDS:
        raise UserError(f"{path} is not an incident-tui checkpoint (wrong fields)")
    if checkpoint["format"] != FORMAT:
        raise UserError(f"the checkpoint {path} has format {checkpoint['format']!r}; expected 1")
    heads = checkpoint["heads"]
    if not isinstance(heads, dict) or not all(
        isinstance(head, dict)
        and isinstance(head.get("count"), int)
        and isinstance(head.get("head"), str)
        for head in heads.values()
    ):
        raise UserError(f"the checkpoint {path} is damaged (its list of heads is not valid)")
    try:
        heads_hash = hashlib.sha256(canonical_json(heads)).hexdigest()
    except ValueError as exc:
        raise UserError(f"the checkpoint {path} is damaged ({exc})") from exc
    if heads_hash != checkpoint["heads_hash"]:
        raise UserError(f"the checkpoint {path} is damaged (its heads do not match heads_hash)")
    return checkpoint


def compare_checkpoint(path: Path, key: bytes, scan: _Scan) -> list[Finding]:
    """What the store has lost since the checkpoint at `path` was written."""
    from incident_tui.record.verify import Finding

    checkpoint = read_checkpoint(path)
    if not hmac.compare_digest(_sign(key, checkpoint), str(checkpoint["hmac"])):
        raise UserError(
            f"the checkpoint {path} does not carry this store's signature: it was altered, "
            "or it belongs to another install (another record key)"
        )
    modes = {row.get("mode") for row in scan.rows.values()}
    if modes and checkpoint["mode"] not in modes:
        raise UserError(
            f"the checkpoint {path} is of the {checkpoint['mode']} record, not this one"
        )
    created = checkpoint["created"]
    findings: list[Finding] = []
    for incident_id, head in checkpoint["heads"].items():
        if scan.target is not None and incident_id != scan.target:
            continue
        reference = head.get("reference")
        name = reference or incident_id
        hashes = scan.hashes.get(incident_id)
        if hashes is None:
            if incident_id in scan.rows:
                continue  # present but unreadable: already reported
            findings.append(
                Finding(
                    incident_id,
                    reference,
                    None,
                    "deleted",
                    f"incident {name} ({incident_id}) had {head['count']} events at the "
                    f"checkpoint of {created} and is gone from the store",
                )
            )
        elif len(hashes) < head["count"]:
            findings.append(
                Finding(
                    incident_id,
                    reference,
                    len(hashes),
                    "rolled-back",
                    f"incident {name} holds {len(hashes)} events, fewer than the "
                    f"{head['count']} it had at the checkpoint of {created}",
                )
            )
        elif hashes[head["count"] - 1] != head["head"]:
            findings.append(
                Finding(
                    incident_id,
                    reference,
                    head["count"] - 1,
                    "rolled-back",
                    f"incident {name}: its first {head['count']} events are not the ones "
                    f"recorded at the checkpoint of {created}",
                )
            )
        findings += _access_log_lost(incident_id, name, head, scan, created)
    return findings


def _access_log_lost(
    incident_id: str, name: str, head: dict[str, Any], scan: _Scan, created: str
) -> list[Finding]:
    """The incident's access log against the checkpoint (older checkpoints, and
    incidents never viewed, have no "viewings": no claim)."""
    from incident_tui.record.verify import Finding
    from incident_tui.record.viewings import log_path

    count, last = head.get("viewings"), head.get("viewings_head")
    if type(count) is not int or count < 1 or not isinstance(last, str):
        return []
    if scan.target is None and incident_id not in scan.rows and incident_id not in scan.hashes:
        return []  # the incident itself is gone: already reported
    logged = scan.viewings.get(incident_id)
    path = log_path(scan.root, incident_id) if scan.root is not None else "its access log"
    reference = head.get("reference")
    if logged is None:
        return [
            Finding(
                incident_id,
                reference,
                None,
                "deleted",
                f"{path}: the access log of incident {name} had {count} viewings at the "
                f"checkpoint of {created} and is gone",
            )
        ]
    if len(logged) < count:
        return [
            Finding(
                incident_id,
                reference,
                len(logged),
                "rolled-back",
                f"{path}: the access log of incident {name} holds {len(logged)} viewings, "
                f"fewer than the {count} it had at the checkpoint of {created}",
            )
        ]
    if logged[count - 1] != last:
        return [
            Finding(
                incident_id,
                reference,
                count - 1,
                "rolled-back",
                f"{path}: the access log of incident {name}: its first {count} viewings are "
                f"not the ones recorded at the checkpoint of {created}",
            )
        ]
    return []

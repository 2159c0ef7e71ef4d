"""Sending a child protection file to the pupil's next school, and taking one in.

Keeping children safe in education: when a pupil moves school, the DSL sends
the child protection file to the new school's DSL within 5 school days,
separately from the main pupil file, and obtains confirmation of receipt.

`write_bundle` writes one file (a *bundle*) for one pupil: every incident that
names them, as its events with their hashes, exactly as recorded; the
procedures' id, version and content hash; the sending school, the DSL who
sent it and when; and a *checkpoint* over it all:

    checkpoint = {"incidents", "events", "heads": {id: {reference, count, head}},
                  "heads_hash": SHA-256 of the canonical JSON of heads,
                  "content_hash": SHA-256 of the canonical JSON of the bundle
                                  without "checkpoint" and "checkpoint_hash"}
    checkpoint_hash = SHA-256 of the canonical JSON of the checkpoint

The file is that JSON written one way only (keys sorted, indent 1, UTF-8), so
`read_bundle` refuses any byte changed: a changed event fails its own hash or
its link, a removed one the heads, anything else the content hash, the
checkpoint hash or the byte-for-byte comparison. The first ten characters of
`checkpoint_hash` are the *transfer code* ("ABCDE-12345"), which the sending
DSL reads to the receiving one by phone: the hashes alone prove the bundle was
not altered after it was written, but anyone could write a bundle with hashes
of its own, so only the code, compared over another channel, ties the file to
the school that sent it. (An HMAC with the sender's record key would prove
nothing to a receiver who does not hold that key, and must never hold it.)

The sender records a `transferred` event on every incident sent (to which
school, the checkpoint hash, the code); `receive_bundle` at the next school
checks everything before taking anything, then adds each incident with its
own events and a `received` event (its reference there is the sending
school's with "IN-" before it, never one of the school's own), and writes a
receipt. `confirm_receipt` back at the sender checks the receipt against the
transfer recorded and records `receipt_confirmed` on each incident.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from incident_tui.errors import UserError
from incident_tui.files import write_private_file
from incident_tui.record.events import (
    Actor,
    Event,
    EventKind,
    FlowRef,
    canonical_json,
    utc_now,
)
from incident_tui.record.references import seal_code, utc_text
from incident_tui.text_fields import TextField, pupil_reference_problem

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow, Store

BUNDLE_FORMAT = "incident-tui transfer bundle"
RECEIPT_FORMAT = "incident-tui transfer receipt"
VERSION = 1
RECEIVED_PREFIX = "IN-"
"""A transferred-in incident's reference here: the sending school's, after this."""
RECEIPT_SUFFIX = ".receipt.json"

SCHOOL_NAME = TextField("the school's name", 200, one_line=True, required=True)

_BUNDLE_FIELDS = frozenset(
    {
        "format",
        "version",
        "pupil",
        "from_school",
        "to_school",
        "sent",
        "sent_by",
        "flows",
        "incidents",
        "checkpoint",
        "checkpoint_hash",
    }
)
_CHECKPOINT_FIELDS = frozenset({"incidents", "events", "heads", "heads_hash", "content_hash"})
_RECEIPT_FIELDS = frozenset(
    {
        "format",
        "version",
        "checkpoint",
        "code",
        "pupil",
        "from_school",
        "school",
        "received_by",
        "received",
        "incidents",
        "receipt_hash",
    }
)
_MAX_PROBLEMS = 5


class BundleRefused(UserError):
    """A bundle (or receipt) that cannot be taken as it is; nothing was taken."""


# --- the file format ------------------------------------------------------------------


def _sha(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def bundle_bytes(value: dict[str, Any]) -> bytes:
    """The one way a bundle or a receipt is written (so any byte changed is caught)."""
    text = json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def transfer_code(checkpoint_hash: str) -> str:
    """The code the sending DSL reads to the receiving one: "ABCDE-12345"."""
    return seal_code(checkpoint_hash)


def _checkpoint_of(bundle: dict[str, Any]) -> dict[str, Any]:
    heads = {
        item["id"]: {
            "reference": item["reference"],
            "count": len(item["events"]),
            "head": item["events"][-1]["hash"],
        }
        for item in bundle["incidents"]
    }
    content = {k: v for k, v in bundle.items() if k not in ("checkpoint", "checkpoint_hash")}
    return {
        "incidents": len(heads),
        "events": sum(head["count"] for head in heads.values()),
        "heads": heads,
        "heads_hash": _sha(heads),
        "content_hash": _sha(content),
    }


def default_receipt_path(bundle: Path) -> Path:
    """Where `receive` writes the receipt unless told: beside the bundle."""
    bundle = Path(bundle)
    stem = bundle.name[: -len(".json")] if bundle.name.endswith(".json") else bundle.name
    return bundle.with_name(f"{stem}{RECEIPT_SUFFIX}")


# --- sending --------------------------------------------------------------------------


@dataclass(frozen=True)
class SentBundle:
    """A bundle written and its transfer recorded on every incident in it."""

    path: Path
    pupil: str
    to_school: str
    checkpoint: str
    """The bundle's checkpoint hash (hex), which the receipt must quote."""
    code: str
    """The transfer code to read to the receiving DSL ("ABCDE-12345")."""
    references: list[str]
    events: int
    left_out: list[str] = field(default_factory=list)
    """Incidents naming the pupil that were disposed of: nothing is left to send."""


@dataclass(frozen=True)
class _Plan:
    rows: list[IndexRow]
    left_out: list[str]


def _plan(store: Store, pupil: str) -> _Plan:
    """The incidents a transfer of `pupil`'s file sends, or UserError saying why not."""
    from incident_tui.record.pupils import incidents_naming
    from incident_tui.record.verify import incident_damage

    if store.mode != "live":
        raise UserError(
            "training records are never transferred: a training incident is not a child's file"
        )
    problem = pupil_reference_problem(pupil.strip())
    if problem is not None or not pupil.strip():
        raise UserError(problem or "give the pupil's reference")
    rows = incidents_naming(store, pupil)
    if not rows:
        raise UserError(
            f"no incident in {store.root} names the pupil {pupil}: there is no child "
            "protection file to send"
        )
    left_out = [row.reference for row in rows if row.status == "disposed"]
    rows = [row for row in rows if row.status != "disposed"]
    if not rows:
        raise UserError(
            f"every incident naming the pupil {pupil} was disposed of at the end of "
            f"retention ({', '.join(left_out)}): nothing is left to send"
        )
    for row in rows:
        if row.mode != "live":
            raise UserError(f"incident {row.reference} is a training record: never transferred")
        if row.status == "open":
            raise UserError(
                f"incident {row.reference} naming the pupil {pupil} is still open (its "
                "procedure has not ended): finish it, then send the child's file"
            )
        damage = incident_damage(store.root, store.key, row.id)
        if damage:
            raise UserError(
                f"incident {row.reference} does not verify ({damage[0].message}): a bundle "
                "would vouch for the damage, so nothing was sent; run `incident-tui verify`"
            )
    return _Plan(rows, left_out)


def transfer_problem(store: Store, pupil: str) -> str | None:
    """Why a transfer of `pupil`'s file would be refused now, or None (for a screen
    to offer the action only when it can be done)."""
    try:
        _plan(store, pupil)
    except UserError as exc:
        return exc.message
    return None


def _school_problem(name: str, which: str) -> None:
    from incident_tui.settings import NO_SCHOOL_NAME, SET_SCHOOL_COMMAND

    if name == NO_SCHOOL_NAME:
        raise UserError(
            f"{which} has no name yet: set it first with `{SET_SCHOOL_COMMAND}`, so that the "
            "other school knows who the file is from"
        )
    problem = SCHOOL_NAME.problem(name)
    if problem is not None:
        raise UserError(f"{which}: {problem}")


def write_bundle(
    store: Store,
    pupil: str,
    *,
    to_school: str,
    from_school: str,
    sender: Actor,
    out: Path,
    replace: bool = False,
) -> SentBundle:
    """Write `pupil`'s child protection file to `out` and record the transfer on each
    incident sent. Refused (UserError, nothing written) for a training record, a pupil
    with no incidents, an incident still open or damaged, or every one disposed of."""
    from incident_tui.record.store import read_incident

    _school_problem(from_school, "this school")
    _school_problem(to_school.strip(), "--to (the school the pupil is moving to)")
    to_school = to_school.strip()
    plan = _plan(store, pupil)
    taken: list[str] = []
    try:
        for row in plan.rows:  # nobody adds to them while the bundle is made
            if not store.holds(row.id):
                store.hold(row.id, sender)
                taken.append(row.id)
        items: list[dict[str, Any]] = []
        flows: dict[tuple[str, str, str], dict[str, str]] = {}
        for row in plan.rows:
            events = read_incident(store.root, row.id)
            flow = events[0]["flow"]
            flows[(flow["id"], flow["version"], flow["hash"])] = dict(flow)
            items.append({"id": row.id, "reference": row.reference, "events": events})
        bundle: dict[str, Any] = {
            "format": BUNDLE_FORMAT,
            "version": VERSION,
            "pupil": pupil.strip(),
            "from_school": from_school,
            "to_school": to_school,
            "sent": utc_now(),
            "sent_by": sender.model_dump(mode="json"),
            "flows": [flows[k] for k in sorted(flows)],
            "incidents": items,
        }
        bundle["checkpoint"] = _checkpoint_of(bundle)
        bundle["checkpoint_hash"] = _sha(bundle["checkpoint"])
        checkpoint = bundle["checkpoint_hash"]
        code = transfer_code(checkpoint)
        write_private_file(
            out,
            bundle_bytes(bundle),
            replace=replace,
            what="the transfer bundle",
            exists_hint="choose another name, or add --force to replace it",
        )
        recorded: list[str] = []
        for item in items:
            try:
                store.append(
                    item["id"],
                    kind=EventKind.transferred,
                    actor=sender,
                    data={"to_school": to_school, "checkpoint": checkpoint, "fingerprint": code},
                    expect_prev=item["events"][-1]["hash"],
                )
            except UserError as exc:
                if not recorded:
                    Path(out).unlink(missing_ok=True)
                    raise UserError(
                        f"the transfer could not be recorded ({exc.message}); {out} was removed "
                        "and nothing was sent"
                    ) from exc
                raise UserError(
                    f"{out} was written and the transfer recorded on {', '.join(recorded)}, but "
                    f"not on {item['reference']} ({exc.message}). Remove {out} and send again."
                ) from exc
            recorded.append(item["reference"])
    finally:
        for incident_id in taken:
            store.let_go(incident_id)
    return SentBundle(
        path=Path(out),
        pupil=pupil.strip(),
        to_school=to_school,
        checkpoint=checkpoint,
        code=code,
        references=[item["reference"] for item in items],
        events=bundle["checkpoint"]["events"],
        left_out=plan.left_out,
    )


# --- reading and checking a bundle ----------------------------------------------------


@dataclass(frozen=True)
class BundledIncident:
    id: str
    reference: str
    """The sending school's reference."""
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class Bundle:
    """A bundle read and checked whole: every chain, the heads, the checkpoint."""

    path: Path
    pupil: str
    from_school: str
    to_school: str
    sent: str
    sent_by: Actor
    flows: list[FlowRef]
    incidents: list[BundledIncident]
    checkpoint: str
    code: str

    @property
    def events(self) -> int:
        return sum(len(item.events) for item in self.incidents)

    def addressed_elsewhere(self, school: str) -> bool:
        """Whether the bundle names another school than `school` as the one it is for."""
        return " ".join(self.to_school.split()).casefold() != " ".join(school.split()).casefold()


def _read_json(path: Path, what: str) -> tuple[bytes, Any]:
    from incident_tui.record.storage import os_reason

    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise BundleRefused(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BundleRefused(f"{path} is a folder: give the {what} file") from None
    except OSError as exc:
        raise BundleRefused(f"{path}: cannot be read: {os_reason(exc)}") from None
    if not raw.strip():
        raise BundleRefused(f"{path} is empty: it is not {what} (it may have been cut off)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleRefused(
            f"{path} is not {what}, or it was damaged: not UTF-8 text at byte {exc.start}"
        ) from None

    def no_float(text: str) -> Any:
        raise ValueError(f"a number with a fraction ({text}) is not allowed")

    try:
        value = json.loads(text, parse_float=no_float, parse_constant=no_float)
    except json.JSONDecodeError as exc:
        raise BundleRefused(
            f"{path} is not {what}, or it was damaged: not valid JSON (line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg})"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise BundleRefused(f"{path} is not {what}, or it was damaged: {exc}") from None
    return raw, value


def _refuse(path: Path, problems: list[str]) -> BundleRefused:
    shown = problems[:_MAX_PROBLEMS]
    more = len(problems) - len(shown)
    tail = f" (and {more} more)" if more > 0 else ""
    return BundleRefused(
        f"{path} was REFUSED, nothing was taken: it was altered or damaged after it was "
        f"written. {'; '.join(shown)}{tail}. Ask the sending school to send it again."
    )


def read_bundle(path: Path, expect_code: str | None = None) -> Bundle:
    """The bundle at `path`, checked whole before anything is taken from it: every
    incident's chain, the heads and counts, the content hash, the checkpoint hash,
    the bytes, and `expect_code` (the transfer code read out by the sending DSL)
    when given. BundleRefused names the file and what is wrong."""
    from incident_tui.record.store import is_incident_id
    from incident_tui.record.verify import check_chain

    path = Path(path)
    raw, bundle = _read_json(path, "a transfer bundle")
    what = "an incident-tui transfer bundle"
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        raise BundleRefused(f"{path} is not {what} (a receipt or a checkpoint, perhaps?)")
    if bundle.get("version") != VERSION:
        raise BundleRefused(
            f"{path} is a transfer bundle of version {bundle.get('version')!r}; this "
            f"incident-tui reads version {VERSION}: update it, or ask for a version 1 bundle"
        )
    if set(bundle) != _BUNDLE_FIELDS:
        odd = sorted(set(bundle) ^ _BUNDLE_FIELDS)
        raise _refuse(path, [f"its fields are not a bundle's ({', '.join(odd)})"])
    problems: list[str] = []
    items = bundle["incidents"]
    if not isinstance(items, list) or not items:
        raise _refuse(path, ["it holds no list of incidents"])
    incidents: list[BundledIncident] = []
    for position, item in enumerate(items, 1):
        if (
            not isinstance(item, dict)
            or set(item) != {"id", "reference", "events"}
            or not isinstance(item["id"], str)
            or not isinstance(item["reference"], str)
            or not isinstance(item["events"], list)
            or not item["events"]
            or not all(isinstance(e, dict) for e in item["events"])
        ):
            problems.append(f"incident {position} is not an incident with its events")
            continue
        name = f"incident {item['reference']}"
        for finding in check_chain(item["events"], item["id"], item["reference"], name):
            problems.append(finding.message)
        first = item["events"][0]
        if isinstance(first.get("data"), dict) and first.get("kind") == EventKind.opened:
            if first.get("mode") != "live":
                problems.append(f"{name} is a training record, never transferred")
        else:
            problems.append(f"{name} does not start with its opening")
        if not is_incident_id(item["id"]) or any(i.id == item["id"] for i in incidents):
            problems.append(f"{name}: its id {item['id']!r} is not an incident id, or is twice")
        incidents.append(BundledIncident(item["id"], item["reference"], item["events"]))
    checkpoint = bundle["checkpoint"]
    if not isinstance(checkpoint, dict) or set(checkpoint) != _CHECKPOINT_FIELDS:
        problems.append("its checkpoint is not a checkpoint")
    elif not problems:
        expected = _checkpoint_of(bundle)
        heads = checkpoint["heads"] if isinstance(checkpoint["heads"], dict) else {}
        for item in incidents:
            head = heads.get(item.id)
            want = expected["heads"][item.id]
            if not isinstance(head, dict):
                problems.append(f"the checkpoint does not list incident {item.reference}")
            elif head.get("count") != want["count"]:
                problems.append(
                    f"incident {item.reference} holds {want['count']} events but the "
                    f"checkpoint says {head.get('count')!r} (events removed or added)"
                )
            elif head != want:
                problems.append(
                    f"incident {item.reference}: its last event is not the one the checkpoint names"
                )
        for extra in set(heads) - set(expected["heads"]):
            problems.append(f"the checkpoint names incident {extra}, which is not in the file")
        for key in ("incidents", "events", "heads_hash", "content_hash"):
            if not problems and checkpoint[key] != expected[key]:
                problems.append(
                    "the bundle's content does not match its checkpoint (something other "
                    f"than the events was changed: {key})"
                )
    if not problems and bundle["checkpoint_hash"] != _sha(checkpoint):
        problems.append("its checkpoint hash does not match the checkpoint")
    if not problems and bundle_bytes(bundle) != raw:
        problems.append("its bytes are not as written (the file was edited)")
    if problems:
        raise _refuse(path, problems)
    try:
        sender = Actor.model_validate(bundle["sent_by"])
        flows = [FlowRef.model_validate(flow) for flow in bundle["flows"]]
        for item in incidents:
            for event in item.events:
                Event.model_validate(event)
        texts = [(SCHOOL_NAME, bundle["from_school"]), (SCHOOL_NAME, bundle["to_school"])]
        for rule, text in texts:
            if not isinstance(text, str) or rule.problem(text) is not None:
                raise ValueError(f"a school's name is not valid ({text!r})")
        if not isinstance(bundle["pupil"], str) or pupil_reference_problem(bundle["pupil"]):
            raise ValueError("the pupil reference is not valid")
        if not isinstance(bundle["sent"], str):
            raise ValueError("the date sent is not valid")
    except (ValidationError, ValueError, TypeError) as exc:
        raise BundleRefused(
            f"{path} holds what this incident-tui cannot take ({_first_error(exc)}); nothing "
            "was taken"
        ) from None
    code = transfer_code(bundle["checkpoint_hash"])
    if expect_code is not None and _code_key(expect_code) != _code_key(code):
        raise BundleRefused(
            f"{path} was REFUSED, nothing was taken: its transfer code is {code}, not "
            f"{expect_code.strip()} as the sending school read it out. It is not the file "
            "they sent, or the code was misheard: check it with them"
        )
    return Bundle(
        path=path,
        pupil=bundle["pupil"],
        from_school=bundle["from_school"],
        to_school=bundle["to_school"],
        sent=bundle["sent"],
        sent_by=sender,
        flows=flows,
        incidents=incidents,
        checkpoint=bundle["checkpoint_hash"],
        code=code,
    )


def _code_key(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "value"
        return f"{where}: {problem['msg']}"
    return str(exc)


# --- receiving ------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    bundle: Bundle
    rows: list[IndexRow]
    """The incidents as recorded here (reference IN-..., read-only)."""
    receipt: Path
    already: bool = False
    """The bundle was received before; only the receipt was written (again)."""


def receive_bundle(
    store: Store,
    path: Path,
    *,
    receiver: Actor,
    school: str,
    receipt: Path | None = None,
    pupil: str | None = None,
    expect_code: str | None = None,
) -> Received:
    """Check the bundle at `path` whole, then take in its incidents read-only, each
    marked as transferred in from the sending school, and write the receipt (beside
    the bundle unless `receipt` is given). `pupil`: the pupil's reference at this
    school, if it is not the sending school's. A bundle received before is not taken
    twice: only its receipt is written, if it is not there."""
    if store.mode != "live":
        raise UserError("a child's file is received into the live record, never training")
    _school_problem(school, "this school")
    if pupil is not None:
        problem = pupil_reference_problem(pupil.strip())
        if problem is not None or not pupil.strip():
            raise UserError(problem or "--pupil: give the pupil's reference here")
    bundle = read_bundle(path, expect_code)
    receipt = Path(receipt) if receipt is not None else default_receipt_path(Path(path))
    if receipt.exists():
        raise UserError(
            f"{receipt} already exists; it was left as it was: give another with --receipt FILE"
        )
    if not os.access(receipt.parent, os.W_OK | os.X_OK) or not receipt.parent.is_dir():
        raise UserError(
            f"the receipt cannot be written in {receipt.parent} (not a folder you can write "
            "to): give another place with --receipt FILE; nothing was taken"
        )
    present = [item for item in bundle.incidents if _here(store, item.id)]
    if present:
        before = _received_before(store, bundle)
        if before is None:
            names = ", ".join(item.reference for item in present)
            raise UserError(
                f"{path}: incident(s) {names} are already in this record (this school's own, "
                "or received from another bundle); nothing was taken"
            )
        rows = before
        already = True
    else:
        rows = []
        for item in bundle.incidents:
            data: dict[str, Any] = {
                "from_school": bundle.from_school,
                "sender_reference": item.reference,
                "sent_by": f"{bundle.sent_by.name} ({bundle.sent_by.role})",
                "sent_on": bundle.sent,
                "checkpoint": bundle.checkpoint,
                "fingerprint": bundle.code,
            }
            if pupil is not None and pupil.strip():
                data["pupil"] = pupil.strip()
            rows.append(
                store.adopt_transferred(
                    item.events,
                    actor=receiver,
                    data=data,
                    reference=_local_reference(item),
                )
            )
        already = False
    try:
        _write_receipt(store, bundle, rows, receipt, school)
    except UserError as exc:
        taken = ", ".join(row.reference for row in rows)
        raise UserError(
            f"the incidents were taken in ({taken}), but the receipt was not written: "
            f"{exc.message}. Receive the same file again with --receipt FILE to write it "
            "(nothing is taken twice)"
        ) from exc
    return Received(bundle=bundle, rows=rows, receipt=receipt, already=already)


def _here(store: Store, incident_id: str) -> bool:
    from incident_tui.record.store import incident_path

    try:
        return incident_path(store.root, incident_id).exists() or store.row(incident_id) is not None
    except UserError:
        return False


def _local_reference(item: BundledIncident) -> str:
    """IN- and the reference the incident was opened with (the first school's own)."""
    opened = item.events[0].get("data") or {}
    original = opened.get("reference") if isinstance(opened, dict) else None
    return f"{RECEIVED_PREFIX}{original or item.reference}"


def _received_before(store: Store, bundle: Bundle) -> list[IndexRow] | None:
    """The rows here of every incident of `bundle`, if this very bundle was received
    before (their `received` events name its checkpoint); else None."""
    rows = []
    for item in bundle.incidents:
        try:
            events = store.events(item.id)
        except UserError:
            return None
        if not any(
            e.kind == EventKind.received and e.data.get("checkpoint") == bundle.checkpoint
            for e in events
        ):
            return None
        rows.append(store.row(item.id))
    return rows


def _write_receipt(
    store: Store, bundle: Bundle, rows: list[IndexRow], receipt: Path, school: str
) -> None:
    events = {row.id: store.events(row.id) for row in rows}
    received = [
        next(
            e
            for e in reversed(events[row.id])
            if e.kind == EventKind.received and e.data.get("checkpoint") == bundle.checkpoint
        )
        for row in rows
    ]
    first = received[0]
    body: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "version": VERSION,
        "checkpoint": bundle.checkpoint,
        "code": bundle.code,
        "pupil": bundle.pupil,
        "from_school": bundle.from_school,
        "school": school,
        "received_by": first.actor.model_dump(mode="json"),
        "received": first.time,
        "incidents": [
            {
                "id": item.id,
                "reference": item.reference,
                "count": len(item.events),
                "head": item.events[-1]["hash"],
                "reference_here": row.reference,
            }
            for item, row in zip(bundle.incidents, rows, strict=True)
        ],
    }
    body["receipt_hash"] = _sha(body)
    write_private_file(
        receipt,
        bundle_bytes(body),
        replace=False,
        what="the receipt",
        exists_hint="give another with --receipt FILE",
    )


# --- confirming a receipt at the sending school ---------------------------------------


@dataclass(frozen=True)
class Confirmed:
    to_school: str
    checkpoint: str
    references: list[str]
    received_by: str
    received_on: str


def read_receipt(path: Path) -> dict[str, Any]:
    """A receipt, checked for shape and its own hash; BundleRefused naming the file."""
    path = Path(path)
    raw, receipt = _read_json(path, "a transfer receipt")
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise BundleRefused(
            f"{path} is not an incident-tui transfer receipt (the bundle itself, perhaps?)"
        )
    problem = None
    if receipt.get("version") != VERSION:
        problem = f"it is of version {receipt.get('version')!r}, not {VERSION}"
    elif set(receipt) != _RECEIPT_FIELDS:
        problem = "its fields are not a receipt's"
    elif receipt["receipt_hash"] != _sha({k: v for k, v in receipt.items() if k != "receipt_hash"}):
        problem = "its content does not match its hash (it was altered after it was written)"
    elif bundle_bytes(receipt) != raw:
        problem = "its bytes are not as written (the file was edited)"
    elif not isinstance(receipt["incidents"], list) or not all(
        isinstance(i, dict)
        and isinstance(i.get("id"), str)
        and isinstance(i.get("count"), int)
        and isinstance(i.get("head"), str)
        for i in receipt["incidents"]
    ):
        problem = "its list of incidents is not valid"
    if problem is None:
        try:
            Actor.model_validate(receipt["received_by"])
            for key in ("checkpoint", "school", "received"):
                if not isinstance(receipt[key], str):
                    raise ValueError(key)
        except (ValidationError, ValueError):
            problem = "who received it, where or when is not valid"
    if problem is not None:
        raise BundleRefused(f"{path} was REFUSED as a receipt: {problem}; nothing was recorded")
    return receipt


def confirm_receipt(store: Store, receipt: Path, *, actor: Actor) -> Confirmed:
    """Check the receipt at `receipt` against the transfer recorded here (the same
    checkpoint, the same incidents with the same events) and record
    `receipt_confirmed` on each incident. Refused, naming what differs, for a receipt
    of another transfer or one that does not match what was sent."""
    body = read_receipt(receipt)
    checkpoint = body["checkpoint"]
    listed = {item["id"]: item for item in body["incidents"]}
    sent: dict[str, tuple[IndexRow, Event]] = {}
    for row in store.rows():
        if row.id not in listed and row.transfer_checkpoint != checkpoint:
            continue
        try:
            events = store.events(row.id)
        except UserError:
            continue
        transfer = next(
            (
                e
                for e in events
                if e.kind == EventKind.transferred and e.data.get("checkpoint") == checkpoint
            ),
            None,
        )
        if transfer is None:
            continue
        confirmed = next(
            (
                e
                for e in events
                if e.kind == EventKind.receipt_confirmed and e.data.get("checkpoint") == checkpoint
            ),
            None,
        )
        if confirmed is not None:
            raise UserError(
                f"{receipt}: this transfer's receipt was confirmed already, on "
                f"{utc_text(confirmed.time)} (incident {row.reference}); nothing was recorded"
            )
        sent[row.id] = (row, transfer)
    if not sent:
        raise UserError(
            f"{receipt} is a receipt for a transfer this school did not send (no incident "
            f"here records the checkpoint {checkpoint[:16]}...): nothing was recorded"
        )
    missing = [sent[i][0].reference for i in sent if i not in listed]
    extra = [listed[i].get("reference") or i for i in listed if i not in sent]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"it does not list {', '.join(missing)}, which were sent")
        if extra:
            parts.append(f"it lists {', '.join(map(str, extra))}, which were not")
        raise UserError(
            f"{receipt} does not match what was sent: {'; '.join(parts)}; nothing was recorded"
        )
    for incident_id, (row, transfer) in sent.items():
        got = listed[incident_id]
        if got["count"] != transfer.seq or got["head"] != transfer.prev:
            raise UserError(
                f"{receipt} does not match what was sent: incident {row.reference} was sent "
                f"with {transfer.seq} events, the receipt says {got['count']} with another "
                "last event; nothing was recorded"
            )
    received_by = Actor.model_validate(body["received_by"])
    who = f"{received_by.name} ({received_by.role})"
    references = []
    for incident_id, (row, _transfer) in sent.items():
        store.append(
            incident_id,
            kind=EventKind.receipt_confirmed,
            actor=actor,
            data={
                "checkpoint": checkpoint,
                "to_school": str(body["school"]),
                "received_by": who,
                "received_on": body["received"],
            },
        )
        references.append(row.reference)
    return Confirmed(
        to_school=str(body["school"]),
        checkpoint=checkpoint,
        references=references,
        received_by=who,
        received_on=body["received"],
    )


__all__ = [
    "BUNDLE_FORMAT",
    "RECEIPT_FORMAT",
    "Bundle",
    "BundleRefused",
    "BundledIncident",
    "Confirmed",
    "Received",
    "SentBundle",
    "bundle_bytes",
    "confirm_receipt",
    "default_receipt_path",
    "read_bundle",
    "read_receipt",
    "receive_bundle",
    "transfer_code",
    "transfer_problem",
    "write_bundle",
]

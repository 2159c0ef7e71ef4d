"""Exports of one incident: Markdown for people, JSON for re-checking, PDF to file.

The Markdown export (and `incident-tui show`, which uses the same formatter)
reads top to bottom: what procedure, who, when; the chronology with every
override and escalation named in words and each amendment shown directly
after the event it corrects; then the integrity statement with the seal code.

The JSON export holds every event exactly as stored, the index row and the
hash rule, so the record can be re-checked with no copy of this program.

The PDF (`pdf_export`) is for printing or uploading; fpdf2 is imported only
when a PDF is asked for. Every export, from the command line or the review
screen, goes through `render_export` and `write_private_file` here.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_tui import __version__
from incident_tui.errors import UserError
from incident_tui.record.events import GENESIS, Event, EventKind, utc_now
from incident_tui.record.references import seal_code, utc_text

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

__all__ = [
    "EXPORT_FORMAT",
    "FORMATS",
    "amended_seq",
    "answer_text",
    "HASH_RULE",
    "export_json",
    "export_markdown",
    "incident_text",
    "read_json_export",
    "render_export",
    "seal_code",
    "seal_code_of",
    "suffix_of",
    "value_text",
    "write_private_file",
]

EXPORT_FORMAT = "incident-tui/incident-export"
EXPORT_FORMAT_VERSION = 1

HASH_RULE = f"""\
Each event's "hash" is the SHA-256 (hex) of the canonical JSON of the event
without its "hash" key. Canonical JSON: keys sorted at every level, separators
"," and ":" with no spaces, UTF-8 with non-ASCII characters written as
themselves, no floating-point numbers. Each event's "prev" is the previous
event's "hash"; the first event (seq 0) has prev = {GENESIS}.
Sequence numbers start at 0 and have no gaps. In Python:

    import hashlib, json
    body = {{k: v for k, v in event.items() if k != "hash"}}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode("utf-8")
    assert hashlib.sha256(canonical).hexdigest() == event["hash"]

The index row's "head_hash" is the hash of the last event and "event_count"
the number of events; its "hmac" needs the school's record key to check."""

KIND_LABELS: dict[str, str] = {
    EventKind.opened: "Opened",
    EventKind.answer: "Answer",
    EventKind.override: "STOP OVERRIDE",
    EventKind.escalation: "ESCALATION",
    EventKind.amendment: "Amendment",
    EventKind.note: "Note",
    EventKind.sealed: "Sealed",
    EventKind.reviewed: "Review",
}
"""Every kind in words: overrides and escalations are never marked by colour alone."""

EMPHASISED = frozenset({EventKind.override, EventKind.escalation})

DATA_LABELS: dict[str, str] = {
    "pupil": "Pupil reference",
    "location": "Location",
    "override": "Exception recorded",
    "conditions": "Conditions",
    "contact": "Contact",
    "message": "Message",
    "review": "Review",
    "date": "Date",
    "outcome": "Outcome",
}

HIDDEN_DATA = frozenset({"reference", "amends", "reason", "answer_text"})
"""Data already shown elsewhere in the entry."""


class _Style:
    """Markdown for files; plain text for the terminal. Same words either way."""

    def __init__(self, markdown: bool) -> None:
        self.markdown = markdown

    def title(self, text: str) -> list[str]:
        return [f"# {text}"] if self.markdown else [text, "=" * len(text)]

    def heading(self, text: str) -> list[str]:
        return [f"## {text}"] if self.markdown else [text, "-" * len(text)]

    def entry(self, text: str) -> list[str]:
        return [f"### {text}"] if self.markdown else [text]

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def code(self, text: str) -> str:
        return f"`{text}`" if self.markdown else text

    def notice(self, text: str) -> str:
        return f"> {text}" if self.markdown else f"!! {text}"


def export_markdown(
    row: IndexRow, events: Sequence[Event], findings: Sequence[Finding], school_name: str
) -> str:
    """The incident for people to read, as a Markdown document."""
    return _render(row, events, findings, school_name, _Style(markdown=True))


def incident_text(
    row: IndexRow, events: Sequence[Event], findings: Sequence[Finding], school_name: str
) -> str:
    """The same document as plain text, for `incident-tui show`."""
    return _render(row, events, findings, school_name, _Style(markdown=False))


def _render(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
    style: _Style,
) -> str:
    lines: list[str] = []
    training = row.mode == "training"
    title = f"Incident {row.reference}" + (" (TRAINING)" if training else "")
    lines += style.title(title)
    lines.append("")
    if training:
        lines.append(
            style.notice(
                style.strong("TRAINING")
                + ": a training exercise, not a real incident. It is not part of the live record."
            )
        )
        lines.append("")
    if findings:
        lines.append(
            style.notice(
                style.strong("DAMAGED RECORD")
                + f": the integrity check found {_problems(len(findings))} in this incident."
                + " What follows is what could be read; see Integrity at the end."
            )
        )
        lines.append("")

    lines += _summary(row, events, school_name, style)
    lines.append("")
    lines += style.heading("Chronology")
    lines.append("")
    lines += _chronology(events, style)
    notes = [e for e in events if e.kind in (EventKind.note, EventKind.reviewed)]
    lines += style.heading("Notes and review")
    lines.append("")
    if notes:
        for event in notes:
            label = "Review" if event.kind == EventKind.reviewed else "Note"
            text = answer_text(event) if event.answer is not None else ""
            detail = "; ".join(
                f"{DATA_LABELS.get(k, k)}: {value_text(v)}"
                for k, v in event.data.items()
                if k not in HIDDEN_DATA
            )
            parts = [p for p in (text, event.rationale or "", detail) if p]
            lines.append(
                f"- {label} (event {event.seq}), {utc_text(event.time)}, "
                f"{_actor(event)}: {' - '.join(parts) or '(no text)'}"
            )
    else:
        lines.append("- None recorded.")
    lines.append("")
    lines += _integrity(row, events, findings, style)
    return "\n".join(lines).rstrip() + "\n"


def _summary(row: IndexRow, events: Sequence[Event], school_name: str, style: _Style) -> list[str]:
    people = sorted({_actor(e) for e in events})
    sealed = "not sealed"
    if row.sealed:
        sealed = utc_text(row.sealed)
        code = seal_code_of(events)
        if code:
            sealed += f" (seal code {code})"
    return [
        f"- School: {school_name}",
        f"- Procedure: {style.code(row.flow_id)}, version {row.flow_version}, "
        f"flow hash {style.code(row.flow_hash)}",
        f"- Mode: {'TRAINING' if row.mode == 'training' else 'live'}",
        f"- Status: {row.status}",
        f"- Opened: {utc_text(row.opened)} by {row.actor}",
        f"- Sealed: {sealed}",
        f"- Pupil reference: {row.pupil or 'none recorded'}",
        f"- People recorded: {', '.join(people) if people else row.actor}",
        f"- Events: {len(events)} (stop overrides {row.overrides}, escalations "
        f"{row.escalations}, amendments {row.amendments})",
        f"- Internal id: {style.code(row.id)}",
    ]


def _chronology(events: Sequence[Event], style: _Style) -> list[str]:
    by_seq = {e.seq for e in events}
    amendments: dict[int, list[Event]] = {}
    for event in events:
        target = amended_seq(event)
        if event.kind == EventKind.amendment and target is not None and target in by_seq:
            amendments.setdefault(target, []).append(event)

    lines: list[str] = []
    if not events:
        lines += ["- No events could be read.", ""]
    for event in events:
        lines += _entry(event, amendments.get(event.seq, []), by_seq, style)
        lines.append("")
    return lines


def _entry(event: Event, amended_by: list[Event], seqs: set[int], style: _Style) -> list[str]:
    label = KIND_LABELS.get(event.kind, str(event.kind))
    if event.kind in EMPHASISED:
        label = style.strong(label)
    head = f"{event.seq}. {utc_text(event.time)}: {label}"
    target = amended_seq(event)
    if event.kind == EventKind.amendment:
        if target is not None and target in seqs:
            head += f" of event {target} (shown with event {target})"
        else:
            head += f" of event {target}, which is missing from the record"
    if amended_by:
        head += " (AMENDED, see below)"
    lines = style.entry(head)
    lines.append(f"- By: {_actor(event)}")
    shown_in_place = not (event.kind == EventKind.amendment and target in seqs)
    if event.step:
        lines.append(f"- Step: {style.code(event.step)}")
    if shown_in_place:
        if event.prompt:
            lines.append(f"- Prompt: {event.prompt}")
        if event.answer is not None:
            lines.append(f"- Answer: {answer_text(event)}")
        if event.rationale:
            lines.append(f"- Rationale: {event.rationale}")
        if event.kind == EventKind.amendment:
            lines.append(f"- Reason for amendment: {event.data.get('reason') or '-'}")
        for key, value in event.data.items():
            if key not in HIDDEN_DATA:
                lines.append(f"- {DATA_LABELS.get(key, key)}: {value_text(value)}")
    for amendment in amended_by:
        lines.append(f"- {style.strong('Amended')} {_amendment_text(amendment)}")
    return lines


def _amendment_text(amendment: Event) -> str:
    parts = [f"at {utc_text(amendment.time)} by {_actor(amendment)} (event {amendment.seq})"]
    if amendment.answer is not None:
        parts.append(f"new answer {answer_text(amendment)}")
    if amendment.rationale:
        parts.append(f"new rationale {amendment.rationale}")
    parts.append(f"reason {amendment.data.get('reason') or '-'}")
    return ": ".join([parts[0], ", ".join(parts[1:])])


def _integrity(
    row: IndexRow, events: Sequence[Event], findings: Sequence[Finding], style: _Style
) -> list[str]:
    lines = style.heading("Integrity")
    lines.append("")
    if findings:
        lines.append(
            f"{style.strong('DAMAGED')}: {_problems(len(findings))} found by the integrity check:"
        )
        for finding in findings:
            where = f"event {finding.seq}" if finding.seq is not None else "incident"
            if finding.seq is None and finding.incident == "index":
                where = "index"
            lines.append(f"- {where}, {finding.kind}: {finding.message}")
    else:
        lines.append(
            f"{style.strong('Intact')}: all {len(events)} events check against the hash rule, "
            "each naming the one before it, and match the index (count, head hash, keyed HMAC)."
        )
    lines.append("")
    lines.append(f"- Head hash: {style.code(row.head_hash)}")
    if events and events[-1].hash != row.head_hash:
        lines.append(f"- Last event in the file: {style.code(events[-1].hash)}")
    code = seal_code_of(events)
    if code:
        lines.append(
            f"- Seal code: {style.strong(code)} (first 10 characters of the hash of the "
            "sealed event)"
        )
    else:
        lines.append("- Seal code: none (the incident is not sealed)")
    lines.append(f"- Written: {utc_text(utc_now())} by incident-tui {__version__}")
    lines.append("")
    lines.append(
        "The check proves the events have not been changed since they were written, "
        "unless someone held both this record and the school's record key; only a "
        "checkpoint kept away from this computer can show that."
    )
    return lines


def seal_code_of(events: Iterable[Event]) -> str | None:
    """The seal code of the incident's `sealed` event, if it has one."""
    for event in events:
        if event.kind == EventKind.sealed:
            return seal_code(event.hash)
    return None


def amended_seq(event: Event) -> int | None:
    """The sequence number an amendment corrects (None for any other event)."""
    value = event.data.get("amends")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _actor(event: Event) -> str:
    return f"{event.actor.name} ({event.actor.role})"


def _problems(count: int) -> str:
    return f"{count} problem" + ("" if count == 1 else "s")


def value_text(answer: Any) -> str:
    """An answer or data value in words: yes/no, a list joined, '-' for nothing."""
    if answer is None:
        return "-"
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, list):
        return "; ".join(str(a) for a in answer) if answer else "(none ticked)"
    return str(answer)


def answer_text(event: Event) -> str:
    """The answer as the user saw it: the wording of the chosen option(s), with the id."""
    shown = event.data.get("answer_text")
    if isinstance(shown, list) and shown:
        return f"{'; '.join(shown)} [{value_text(event.answer)}]"
    return value_text(event.answer)


# --- JSON -------------------------------------------------------------------


def export_json(
    row: IndexRow, events: Sequence[Event], findings: Sequence[Finding] | None = None
) -> str:
    """Every event as stored, the index row and the hash rule: enough to
    re-check the incident alone (see `verify.verify_events`)."""
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": EXPORT_FORMAT_VERSION,
        "exported": utc_now(),
        "exported_by": f"incident-tui {__version__}",
        "mode": row.mode,
    }
    if findings is not None:
        document["integrity_at_export"] = {
            "intact": not findings,
            "findings": [
                {
                    "seq": f.seq,
                    "kind": f.kind,
                    "message": f.message,
                }
                for f in findings
            ],
        }
    document["hash_rule"] = HASH_RULE
    document["index_row"] = row.model_dump(mode="json")
    document["events"] = [e.model_dump(mode="json") for e in events]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_json_export(text: str) -> tuple[IndexRow, list[Event]]:
    """Read a JSON export back: the index row and the events, exactly as exported."""
    from pydantic import ValidationError

    from incident_tui.record.store import IndexRow

    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"not a JSON export: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise UserError(f'not an incident-tui export (no "format": "{EXPORT_FORMAT}")')
    try:
        row = IndexRow.model_validate(document["index_row"])
        events = [Event.model_validate(item) for item in document["events"]]
    except (KeyError, TypeError, ValidationError) as exc:
        raise UserError(f"the export is incomplete or altered: {exc}") from None
    return row, events


Renderer = Callable[["IndexRow", Sequence[Event], Sequence["Finding"], str], str | bytes]
"""(row, events, findings, school name) -> the file's contents: text or bytes (PDF)."""


def _json(row: IndexRow, events: Sequence[Event], findings: Sequence[Finding], _school: str) -> str:
    return export_json(row, events, findings)


def _pdf(row: IndexRow, events: Sequence[Event], findings: Sequence[Finding], school: str) -> bytes:
    # fpdf2 is loaded only when a PDF is asked for.
    from incident_tui.record.pdf_export import export_pdf

    return export_pdf(row, events, findings, school)


FORMATS: dict[str, tuple[str, Renderer]] = {
    "md": (".md", export_markdown),
    "json": (".json", _json),
    "pdf": (".pdf", _pdf),
}
"""Export formats by name: suffix and renderer. A new format is one more entry;
every export (the `export` command, `export --all`, the review screen) goes
through `render_export` and `write_private_file`."""


def suffix_of(fmt: str) -> str:
    """The file suffix of an export format, e.g. ".pdf"."""
    return FORMATS[_known(fmt)][0]


def _known(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UserError(f"no export format {fmt!r}; use one of {', '.join(FORMATS)}", exit_code=2)
    return fmt


def render_export(
    fmt: str,
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
) -> bytes:
    """One incident in one format, as the bytes of the file."""
    content = FORMATS[_known(fmt)][1](row, events, findings, school_name)
    return content.encode("utf-8") if isinstance(content, str) else content


def write_private_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write an export readable by its owner only (0600), flushed to disk.

    With `replace`, an existing file is replaced whole (a new file renamed over
    it, so a failed write leaves the old one); without, an existing file is
    refused and left as it was.
    """
    path = Path(path)
    if replace:
        _replace_private(path, data)
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UserError(f"{path} already exists: choose another name") from None
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)  # never leave half an export behind
        raise _cannot_write(path, exc) from None


def _replace_private(path: Path, data: bytes) -> None:
    if path.is_dir():
        raise UserError(f"{path} is a folder: give a file name")
    folder = path.parent
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise _cannot_write(path, exc) from None
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _cannot_write(path: Path, exc: OSError) -> UserError:
    return UserError(f"{path}: cannot write the export: {exc.strerror or exc}")

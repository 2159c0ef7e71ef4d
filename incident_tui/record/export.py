"""Exports of one incident: Markdown for people, JSON for re-checking, PDF to file.

The Markdown export (and `incident-tui show`, which uses the same formatter)
reads top to bottom: what procedure, who, when; the chronology with every
STOP, override and escalation named in words and each amendment shown
directly after the event it corrects; then the integrity statement with the
seal code. Its words come from the one chronology model (`chronology`); this
module only lays the entries out.

The JSON export holds every event exactly as stored, the index row and the
hash rule, so the record can be re-checked with no copy of this program.

The PDF (`pdf_export`) is for printing or uploading; fpdf2 is imported only
when a PDF is asked for. Every export, from the command line, the review
screen or the summary screen, goes through the export service
(`incident_tui.review.exports`), which renders here with `render_export` and
writes with `incident_tui.files.write_private_file`.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from incident_tui import __version__
from incident_tui.errors import UserError
from incident_tui.record.chronology import (
    Document,
    Entry,
    FlowWords,
    Printed,
    ReviewLabels,
    document,
    seal_code_of,
)
from incident_tui.record.events import GENESIS, Event, utc_now
from incident_tui.record.references import utc_text

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

__all__ = [
    "EXPORT_FORMAT",
    "FORMATS",
    "HASH_RULE",
    "Printing",
    "export_json",
    "export_markdown",
    "incident_text",
    "read_json_export",
    "render_export",
    "seal_code_of",
    "suffix_of",
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

    def text(self, text: str) -> str:
        """Stored text in a Markdown line: what would be read as markup is escaped."""
        if not self.markdown:
            return text
        return _MARKDOWN_SPECIAL.sub(r"\\\g<0>", text)


_MARKDOWN_SPECIAL = re.compile(r"[\\`*_<>\[\]|#]")


def export_markdown(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
    labels: ReviewLabels | None = None,
    viewed_by: Sequence[str] = (),
) -> str:
    """The incident for people to read, as a Markdown document."""
    doc = document(row, events, findings, school_name, labels, viewed_by=viewed_by)
    return _render(doc, _Style(markdown=True))


def incident_text(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
    labels: ReviewLabels | None = None,
    viewed_by: Sequence[str] = (),
) -> str:
    """The same document as plain text, for `incident-tui show`."""
    doc = document(row, events, findings, school_name, labels, viewed_by=viewed_by)
    return _render(doc, _Style(markdown=False))


def _render(doc: Document, style: _Style) -> str:
    lines: list[str] = []
    lines += style.title(doc.title + (" (TRAINING)" if doc.training else ""))
    lines.append("")
    if doc.training:
        lines.append(
            style.notice(
                style.strong("TRAINING")
                + ": a training exercise, not a real incident. It is not part of the live record."
            )
        )
        lines.append("")
    if doc.findings:
        lines.append(
            style.notice(
                style.strong("DAMAGED RECORD")
                + f": the integrity check found {_problems(len(doc.findings))} in this incident."
                + " What follows is what could be read; see Integrity at the end."
            )
        )
        lines.append("")
    for item in doc.summary:
        value = style.code(item.value) if item.code else style.text(item.value)
        lines.append(f"- {item.label}: {value}")
    lines.append("")
    lines += style.heading("Chronology")
    lines.append("")
    if not doc.entries:
        lines += ["- No events could be read.", ""]
    for entry in doc.entries:
        lines += _entry(entry, style)
        lines.append("")
    if doc.viewed_by:
        lines += style.heading("Viewed by")
        lines.append("")
        lines += [f"- {style.text(line)}" for line in doc.viewed_by]
        lines.append("")
    lines += _integrity(doc, style)
    return "\n".join(lines).rstrip() + "\n"


def _entry(entry: Entry, style: _Style) -> list[str]:
    heading = style.text(entry.heading)
    if entry.emphasised:
        heading = style.strong(heading)
    lines = style.entry(f"{entry.seq}. {entry.when}: {heading}")
    lines.append(f"- By: {style.text(entry.actor)}")
    lines += [f"- {item.label}: {_value(item.value, style, '  ')}" for item in entry.items]
    for amendment in entry.amendments:
        lines.append(
            f"- {style.strong(amendment.heading)}, {amendment.when}, "
            f"by {style.text(amendment.actor)}:"
        )
        lines += [
            f"  - {item.label}: {_value(item.value, style, '    ')}" for item in amendment.items
        ]
    return lines


def _value(text: str, style: _Style, indent: str) -> str:
    """A value that may hold several lines, kept inside its list item."""
    return style.text(text).replace("\n", "\n" + indent)


def _integrity(doc: Document, style: _Style) -> list[str]:
    lines = style.heading("Integrity")
    lines.append("")
    if doc.findings:
        lines.append(
            f"{style.strong('DAMAGED')}: {_problems(len(doc.findings))} found by the "
            "integrity check:"
        )
        lines += [f"- {style.text(line)}" for line in doc.findings]
    else:
        lines.append(
            f"{style.strong('Intact')}: all {doc.event_count} events check against the hash "
            "rule, each naming the one before it, and match the index (count, head hash, "
            "keyed HMAC)."
        )
    lines.append("")
    lines.append(f"- Head hash: {style.code(doc.head_hash)}")
    if doc.last_hash:
        lines.append(f"- Last event in the file: {style.code(doc.last_hash)}")
    if doc.seal_code:
        lines.append(
            f"- Seal code: {style.strong(doc.seal_code)} (first 10 characters of the hash of "
            "the sealed event)"
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


def _problems(count: int) -> str:
    return f"{count} problem" + ("" if count == 1 else "s")


# --- JSON -------------------------------------------------------------------


def export_json(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding] | None = None,
    viewed_by: Sequence[str] = (),
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
    if viewed_by:
        document["viewed_by"] = list(viewed_by)
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


Renderer = Callable[
    [
        "IndexRow",
        Sequence[Event],
        Sequence["Finding"],
        str,
        "ReviewLabels | None",
        "Printing",
    ],
    str | bytes,
]
"""(row, events, findings, school name, review labels, printing) -> the file's
contents: text or bytes (PDF)."""


@dataclass(frozen=True)
class Printing:
    """Who is exporting, with the marking, and the procedure's own words: what a
    printout adds to the record (the PDF uses them; the JSON never does)."""

    printed: Printed = field(default_factory=Printed)
    words: FlowWords | None = None
    viewed_by: tuple[str, ...] = ()
    """Who opened the incident to read it (the access log), one line each."""


def _markdown(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school: str,
    labels: ReviewLabels | None,
    printing: Printing,
) -> str:
    return export_markdown(row, events, findings, school, labels, printing.viewed_by)


def _json(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    _school: str,
    _labels: ReviewLabels | None,
    printing: Printing,
) -> str:
    return export_json(row, events, findings, printing.viewed_by)


def _pdf(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school: str,
    labels: ReviewLabels | None,
    printing: Printing,
) -> bytes:
    # fpdf2 is loaded only when a PDF is asked for.
    from incident_tui.record.pdf_export import export_pdf

    return export_pdf(
        row, events, findings, school, labels, printing.printed, printing.words, printing.viewed_by
    )


FORMATS: dict[str, tuple[str, Renderer]] = {
    "md": (".md", _markdown),
    "json": (".json", _json),
    "pdf": (".pdf", _pdf),
}
"""Export formats by name: suffix and renderer. A new format is one more entry;
every export goes through `render_export`."""


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
    labels: ReviewLabels | None = None,
    printing: Printing | None = None,
) -> bytes:
    """One incident in one format, as the bytes of the file."""
    content = FORMATS[_known(fmt)][1](
        row, events, findings, school_name, labels, printing or Printing()
    )
    return content.encode("utf-8") if isinstance(content, str) else content

"""Exports of a pupil's chronology: Markdown and plain text for people, JSON for re-checking.

The words and layout of each entry are the incident export's own
(`export._entry`), under one heading per incident; the PDF is `pdf_export`'s.
The JSON holds every incident's index row and events exactly as stored, with
the hash rule, so each chain can be re-checked with no copy of this program.
Every export goes through the export service (`review/exports.py`).

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from incident_tui import __version__
from incident_tui.record.chronology import (
    ESCALATION,
    REFER_NOW,
    STOP_OVERRIDE,
    STOP_SHOWN,
    Entry,
    Printed,
)
from incident_tui.record.events import utc_now
from incident_tui.record.export import HASH_RULE, _entry, _Style
from incident_tui.record.pupil_chronology import ANOTHER_PUPIL, PupilChronology
from incident_tui.record.references import utc_text

if TYPE_CHECKING:
    from incident_tui.record.events import Event
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

PUPIL_EXPORT_FORMAT = "incident-tui/pupil-export"

Loaded = Sequence[tuple["IndexRow", Sequence["Event"], Sequence["Finding"]]]


def _render(chron: PupilChronology, style: _Style) -> str:
    lines = style.title(chron.title + (" (TRAINING)" if chron.training else ""))
    lines.append("")
    if chron.training:
        lines += [style.notice(style.strong("TRAINING") + ": not real incidents."), ""]
    lines.append(f"- School: {style.text(chron.school)}")
    lines.append(f"- Pupil reference: {style.text(chron.pupil)}")
    lines.append(f"- Incidents: {len(chron.incidents)}, oldest first ({chron.flagged} with flags)")
    if chron.subject_access:
        lines.append(
            "- Redacted for a subject access request: other pupils' references are shown "
            f"as {style.text('[another pupil]')}; {chron.withheld} entries withheld, each "
            "naming the exemption relied on"
        )
    lines.append("")
    if not chron.incidents:
        lines += ["No incident names this pupil.", ""]
    for incident in chron.incidents:
        lines += style.heading(f"Incident {incident.reference}")
        lines.append("")
        lines += [f"- {i.label}: {style.text(i.value)}" for i in incident.heading_items()]
        lines.append("")
        for entry in incident.entries:
            lines += _entry(entry, style)
            lines.append("")
    lines.append(f"Written {utc_text(utc_now())} by incident-tui {__version__}.")
    return "\n".join(lines).rstrip() + "\n"


def pupil_markdown(chron: PupilChronology) -> str:
    return _render(chron, _Style(markdown=True))


def pupil_text(chron: PupilChronology) -> str:
    """The same document as plain text, for `incident-tui pupil REF`."""
    return _render(chron, _Style(markdown=False))


def pupil_json(chron: PupilChronology, loaded: Loaded) -> str:
    """Every incident naming the pupil as stored (index row, events, damage found)."""
    document: dict[str, Any] = {
        "format": PUPIL_EXPORT_FORMAT,
        "format_version": 1,
        "exported": utc_now(),
        "exported_by": f"incident-tui {__version__}",
        "pupil": chron.pupil,
        "hash_rule": HASH_RULE,
        "incidents": [
            {
                "reference": row.reference,
                "integrity_at_export": {
                    "intact": not findings,
                    "findings": [
                        {"seq": f.seq, "kind": f.kind, "message": f.message} for f in findings
                    ],
                },
                "index_row": row.model_dump(mode="json"),
                "events": [e.model_dump(mode="json") for e in events],
            }
            for row, events, findings in sorted(loaded, key=lambda i: (i[0].opened, i[0].reference))
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- PDF ------------------------------------------------------------------------------


def _pdf_texts(chron: PupilChronology) -> Iterator[str]:
    yield chron.pupil
    for incident in chron.incidents:
        yield from (i.value for i in incident.heading_items())
        for entry in incident.entries:
            for one in (entry, *entry.amendments):
                yield one.heading
                yield one.actor
                yield from (f"{item.label}{item.value}" for item in one.items)


def pupil_pdf(chron: PupilChronology, printed: Printed) -> bytes:
    """The pupil's chronology (or its subject access copy) in the app's page frame."""
    # fpdf2 is loaded only when a PDF is asked for
    from incident_tui.record.pdf_frame import (
        DAMAGE_FILL,
        DSL_SIGNATURE,
        ESCALATION_FILL,
        NOTICE_FILL,
        STOP_FILL,
        Frame,
        RecordPdf,
        render_record,
    )

    def entry(pdf: RecordPdf, one: Entry, indent: float) -> None:
        head = f"{one.seq}. {one.when} - {one.heading} - {one.actor}"
        if pdf.will_page_break(16):
            pdf.add_page()
        if one.flags & {STOP_OVERRIDE, STOP_SHOWN}:
            pdf.box(head, fill=STOP_FILL)
        elif one.flags & {ESCALATION, REFER_NOW}:
            pdf.box(head, fill=ESCALATION_FILL)
        else:
            pdf.para(head, "B", indent=indent)
        for item in one.items:
            pdf.field(item.label, item.value, indent + 4)

    def body(pdf: RecordPdf) -> None:
        if chron.subject_access:
            pdf.box(
                "Copy for a subject access request (UK GDPR Art. 15). Other pupils' references "
                f"are shown as {ANOTHER_PUPIL}; {chron.withheld} entries are withheld, each "
                "naming the exemption relied on.",
                fill=NOTICE_FILL,
            )
        pdf.heading("Summary")
        pdf.field("Pupil reference", chron.pupil)
        pdf.field("Incidents", f"{len(chron.incidents)}, oldest first ({chron.flagged} with flags)")
        for incident in chron.incidents:
            pdf.heading(f"Incident {incident.reference}")
            if incident.findings:
                pdf.box(f"DAMAGED: {'; '.join(incident.findings)}", fill=DAMAGE_FILL)
            for item in incident.heading_items():
                if item.label != "Integrity":
                    pdf.field(item.label, item.value)
            pdf.ln(2)
            for one in incident.entries:
                entry(pdf, one, 0)
                for amendment in one.amendments:
                    entry(pdf, amendment, 8)
                pdf.ln(1)

    frame = Frame(
        title=chron.title,
        reference=f"Pupil {chron.pupil}",
        school=chron.school,
        training=chron.training,
        printed=printed,
        signatures=(DSL_SIGNATURE,),
        subject="Subject access copy" if chron.subject_access else "Pupil chronology",
    )
    return render_record(frame, body, _pdf_texts(chron))


__all__ = ["PUPIL_EXPORT_FORMAT", "pupil_json", "pupil_markdown", "pupil_pdf", "pupil_text"]

"""A PDF of one incident, fit to file in the locked safeguarding file or to
upload to the school's safeguarding system.

It reads as a safeguarding record: first the summary a DSL needs (the pupil,
what was reported, the outcome, referrals with agency and reference, every
flag in words, the review date, the people involved); then the chronology in
the procedure's own words, every stop override and escalation named and boxed
(so they show on a black-and-white printer), each amendment beside the
decision it amends; the outcome and follow-up actions; the DSL's review (only
the DSL's review decisions); the integrity statement (hash chain, seal code,
the check's result); and a place to sign. A damaged record says so on the
first page. No internal id (step, choice, contact or route ids) is printed.

The page frame (marking, reference, page x of y, printed-by, TRAINING,
signatures) is `pdf_frame`'s, shared with every other PDF the app prints.
Control characters arrive already escaped (`chronology` passes stored text
through `printable`). There is no imagery to print: none is ever stored.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from incident_tui import __version__
from incident_tui.record.chronology import (
    ESCALATION,
    REFER_NOW,
    STOP_OVERRIDE,
    STOP_SHOWN,
    Document,
    Entry,
    FlowWords,
    Item,
    Printed,
    ReviewLabels,
    document,
)
from incident_tui.record.pdf_frame import (
    DAMAGE_FILL,
    DSL_SIGNATURE,
    ESCALATION_FILL,
    HEAD_SIGNATURE,
    STOP_FILL,
    Frame,
    RecordPdf,
    pdf_text,
    render_record,
)

if TYPE_CHECKING:
    from incident_tui.record.events import Event
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

__all__ = ["export_pdf", "pdf_text"]


def export_pdf(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
    labels: ReviewLabels | None = None,
    printed: Printed | None = None,
    words: FlowWords | None = None,
    viewed_by: Sequence[str] = (),
) -> bytes:
    """The incident as a PDF document (bytes); `viewed_by`, its access log."""
    doc = document(row, events, findings, school_name, labels, words, viewed_by=viewed_by)
    signatures = [DSL_SIGNATURE]
    if doc.flagged:
        signatures.append(HEAD_SIGNATURE)  # an exception, a STOP or an escalation
    frame = Frame(
        title=f"Safeguarding incident record {doc.reference}",
        reference=f"Incident {doc.reference}",
        school=doc.school,
        training=doc.training,
        printed=printed or Printed(),
        signatures=signatures,
        subject="Safeguarding incident",
    )
    return render_record(frame, lambda pdf: _body(pdf, doc), _texts(doc))


def _body(pdf: RecordPdf, doc: Document) -> None:
    if doc.findings:
        _damage_notice(pdf, doc.findings)
    pdf.heading("Summary")
    _items(pdf, doc.brief)
    pdf.heading("Chronology")
    _chronology(pdf, doc)
    pdf.heading("Outcome and follow-up actions")
    _outcome(pdf, doc)
    pdf.heading("DSL review")
    _review(pdf, doc)
    if doc.viewed_by:
        pdf.heading("Viewed by")
        for line in doc.viewed_by:
            pdf.para(f"- {line}", indent=4)
    pdf.heading("Integrity statement")
    _integrity(pdf, doc)


def _items(pdf: RecordPdf, items: Sequence[Item], indent: float = 0) -> None:
    for item in items:
        lines = item.value.split("\n")
        if len(lines) == 1:
            pdf.field(item.label, item.value, indent)
            continue
        pdf.para(f"{item.label}:", indent=indent)
        for line in lines:
            pdf.para(f"- {line}", indent=indent + 4)


def _damage_notice(pdf: RecordPdf, findings: Sequence[str]) -> None:
    lines = [
        f"DAMAGED RECORD: the integrity check found {_count(len(findings), 'problem')} "
        "in this incident. What follows is what could be read; it may be incomplete or "
        "altered."
    ]
    lines += [f"- {line}" for line in findings[:8]]
    if len(findings) > 8:
        lines.append(f"- and {len(findings) - 8} more, listed in the integrity statement")
    pdf.box("\n".join(lines), fill=DAMAGE_FILL)


def _chronology(pdf: RecordPdf, doc: Document) -> None:
    if not doc.entries:
        pdf.para("No events could be read.")
        return
    for entry in doc.entries:
        _entry(pdf, entry)
        for amendment in entry.amendments:
            _amendment(pdf, amendment)
        pdf.ln(2)


def _entry(pdf: RecordPdf, entry: Entry) -> None:
    head = f"{entry.seq}. {entry.when} - {entry.heading}, by {entry.actor}"
    if pdf.will_page_break(18):
        pdf.add_page()
    if STOP_OVERRIDE in entry.flags or STOP_SHOWN in entry.flags:
        pdf.box(head, fill=STOP_FILL)
    elif ESCALATION in entry.flags or REFER_NOW in entry.flags:
        pdf.box(head, fill=ESCALATION_FILL)
    else:
        pdf.para(head, "B")
    _entry_items(pdf, entry.items, 4)


def _entry_items(pdf: RecordPdf, items: Sequence[Item], indent: float) -> None:
    for item in items:
        if item.label == "Prompt":
            pdf.para(item.value, indent=indent)  # the question as the user read it
        else:
            pdf.field(item.label, item.value, indent)


def _amendment(pdf: RecordPdf, amendment: Entry) -> None:
    pdf.set_draw_color(0, 0, 0)
    start = pdf.get_y()
    pdf.para(f"{amendment.heading}, {amendment.when}, by {amendment.actor}", "B", indent=8)
    _entry_items(pdf, amendment.items, 12)
    end = pdf.get_y()
    if end > start:  # a rule down the left of the amendment, when it is on one page
        pdf.line(pdf.l_margin + 6, start, pdf.l_margin + 6, end)


def _outcome(pdf: RecordPdf, doc: Document) -> None:
    sealed = doc.outcome
    if sealed is None:
        pdf.para("Not sealed: the procedure was not finished, so there is no outcome yet.", "B")
        return
    pdf.para(f"Sealed at {sealed.when} by {sealed.actor} (event {sealed.seq}).")
    for item in sealed.items:
        if item.label == "Prompt":
            continue  # the end's heading; the outcome says it
        if item.label == "Follow-up actions":
            pdf.para("Follow-up actions:")
            for action in item.value.split("; "):
                pdf.para(f"- {action}", indent=4)
        else:
            pdf.field(item.label, item.value)


def _review(pdf: RecordPdf, doc: Document) -> None:
    if not doc.reviews:
        pdf.para("No review decisions recorded yet.")
        return
    pdf.para("The DSL's review decisions, each in full in the chronology under its number:")
    for entry in doc.reviews:
        pdf.para(f"- {entry.seq}. {entry.when} - {entry.heading}, by {entry.actor}", indent=4)


def _integrity(pdf: RecordPdf, doc: Document) -> None:
    if doc.findings:
        lines = [f"DAMAGED: {_count(len(doc.findings), 'problem')} found by the integrity check:"]
        lines += [f"- {line}" for line in doc.findings]
        pdf.box("\n".join(lines), fill=DAMAGE_FILL)
    else:
        pdf.para(
            f"Verified INTACT: all {doc.event_count} events check against the hash rule, each "
            "naming the one before it, and match the index (count, head hash, keyed HMAC).",
            "B",
        )
    pdf.ln(1)
    pdf.code("Head hash (the last event's)", doc.head_hash)
    if doc.last_hash:
        pdf.code("Last event in the file", doc.last_hash)
    if doc.seal_code:
        pdf.field(
            "Seal code", f"{doc.seal_code} (first 10 characters of the hash of the sealed event)"
        )
    else:
        pdf.field("Seal code", "none (the incident is not sealed)")
    for item in doc.summary:
        if item.label in ("Mode", "Status", "Events"):
            pdf.field(item.label, item.value)
        elif item.label == "Flow hash":
            pdf.code("Procedure file hash", item.value)
    pdf.field("Checked and written by", f"incident-tui {__version__}")
    pdf.ln(2)
    pdf.para(
        "Each event's hash is the SHA-256 of its canonical JSON without the hash; each event "
        "names the hash of the one before it. The check proves the events have not been "
        "changed since they were written, unless someone held both this record and the "
        "school's record key; only a checkpoint kept away from this computer can show that.",
        size=9,
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _texts(doc: Document) -> Iterator[str]:
    """Every text the document prints that comes from the record."""
    yield doc.reference
    yield doc.school
    yield from (item.value for item in doc.summary)
    yield from (item.value for item in doc.brief)
    yield from doc.findings
    yield from doc.viewed_by
    for entry in doc.entries:
        for one in (entry, *entry.amendments):
            yield one.heading
            yield one.actor
            yield from (f"{item.label}{item.value}" for item in one.items)

"""A PDF of one incident, fit to print for the locked safeguarding file or to
upload to the school's safeguarding system.

It reads top to bottom like the Markdown export: school, reference, procedure
and flow version; the chronology, with every stop override and escalation
named in words (and boxed, so they show on a black-and-white printer), and
each amendment printed beside the decision it amends; the outcome and
follow-up actions; the DSL's review; and an integrity statement with the head
hash and seal code. A damaged record says so on the first page.

Names and answers print as typed (Zoë, Łukasz, Nguyễn, 李): the text is set
in Noto Sans (Latin, Greek, Cyrillic, Vietnamese), embedded as a subset, with
Noto Sans CJK as a fallback that is loaded only when the text needs it (it is
a 16 MB font). Both ship as Python packages (fontpkg-noto-sans,
noto-cjk-sans-jp-regular, OFL). Control characters arrive already escaped
(`chronology` passes stored text through `printable`). There is no imagery to
print: none is ever stored.

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.util import Padding

from incident_tui import __version__
from incident_tui.record.chronology import (
    ESCALATION,
    REFER_NOW,
    STOP_OVERRIDE,
    STOP_SHOWN,
    Document,
    Entry,
    ReviewLabels,
    document,
)
from incident_tui.record.events import Event, utc_now
from incident_tui.record.references import utc_text

if TYPE_CHECKING:
    from incident_tui.record.store import IndexRow
    from incident_tui.record.verify import Finding

__all__ = ["export_pdf", "pdf_text"]

BODY = "body"
FALLBACK = "body-cjk"


@lru_cache(maxsize=1)
def _font_files() -> tuple[Path, Path]:
    """(Noto Sans, Noto Sans CJK): the fonts the packages ship."""
    import fontpkg_noto_sans  # type: ignore[import-untyped]
    import noto_cjk_sans_jp_regular  # type: ignore[import-untyped]

    main = Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"
    return main, Path(str(noto_cjk_sans_jp_regular.FONT_PATH))


@lru_cache(maxsize=1)
def _main_font_chars() -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    with TTFont(_font_files()[0], lazy=True) as font:
        return frozenset(font.getBestCmap())


def _needs_fallback(texts: Iterable[str]) -> bool:
    covered = _main_font_chars()
    return any(ord(c) not in covered for text in texts for c in text if c not in "\n\t")


def pdf_text(text: object) -> str:
    """Text as it is set: composed (NFC), tabs as spaces."""
    return unicodedata.normalize("NFC", str(text)).replace("\t", "    ").replace("\r", "")


class _Document(FPDF):
    def __init__(self, reference: str, school: str, training: bool, fallback: bool) -> None:
        super().__init__(format="A4")
        main, cjk = _font_files()
        # Noto Sans is a variable font: making a bold instance costs ~2 s, so bold
        # text is set in the regular weight (emphasis is carried by size, boxes and words).
        for style in ("", "B"):
            self.add_font(BODY, style, main)
        if fallback:
            self.add_font(FALLBACK, "", cjk)
            self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.reference = pdf_text(reference)
        self.school = pdf_text(school)
        self.training = training
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"Safeguarding incident {self.reference}")
        self.set_author(self.school)
        self.set_creator(f"incident-tui {__version__}")
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font(BODY, "", 8)
        self.set_text_color(80, 80, 80)
        left = "CONFIDENTIAL - safeguarding record"
        if self.training:
            left = "TRAINING EXERCISE - not a real record"
        self.cell(0, 5, left, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(0, 5, f"{self.school} - {self.reference}", align="R")
        self.ln(8)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(BODY, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, f"Incident {self.reference} - page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)

    # --- building blocks ------------------------------------------------------

    def title_line(self, text: str) -> None:
        self.set_font(BODY, "B", 16)
        self.multi_cell(0, 8, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str) -> None:
        if self.will_page_break(20):
            self.add_page()
        self.ln(3)
        self.set_font(BODY, "B", 12)
        self.multi_cell(0, 7, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(0, 0, 0)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def para(self, text: str, style: str = "", size: int = 10, indent: float = 0) -> None:
        self.set_font(BODY, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0,
            5,
            pdf_text(text),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.WORD,
        )

    def field(self, label: str, value: str, indent: float = 0) -> None:
        self.para(f"{label}: {value}", indent=indent)

    def code(self, label: str, value: str) -> None:
        """A hash or id: broken anywhere, in a fixed-width font."""
        self.set_font(BODY, "", 10)
        self.multi_cell(0, 5, pdf_text(f"{label}:"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        # a fixed-width core font for a hash; one edited by hand may hold anything
        self.set_font("Courier" if value.isascii() else BODY, "", 9)
        self.set_x(self.l_margin + 4)
        self.multi_cell(
            0, 5, pdf_text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR
        )

    def box(self, text: str, *, fill: tuple[int, int, int], bold: bool = True) -> None:
        """Words in a framed, shaded box: visible in colour and in greyscale."""
        self.set_fill_color(*fill)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.6)
        self.set_font(BODY, "B" if bold else "", 10)
        self.multi_cell(
            0,
            6,
            pdf_text(text),
            border=1,
            fill=True,
            padding=Padding.new(1.5),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_line_width(0.2)
        self.ln(1)


STOP_FILL = (255, 205, 205)
ESCALATION_FILL = (255, 228, 170)
DAMAGE_FILL = (255, 205, 205)
TRAINING_FILL = (215, 225, 255)


def export_pdf(
    row: IndexRow,
    events: Sequence[Event],
    findings: Sequence[Finding],
    school_name: str,
    labels: ReviewLabels | None = None,
) -> bytes:
    """The incident as a PDF document (bytes)."""
    doc = document(row, events, findings, school_name, labels)
    pdf = _Document(doc.reference, doc.school, doc.training, _needs_fallback(_texts(doc)))
    pdf.add_page()
    pdf.title_line(f"Safeguarding incident record {doc.reference}")
    pdf.para(doc.school, "B", 12)
    pdf.ln(2)
    if doc.training:
        pdf.box(
            "TRAINING: a training exercise, not a real incident. It is not part of the "
            "live record.",
            fill=TRAINING_FILL,
        )
    if doc.findings:
        _damage_notice(pdf, doc.findings)
    _summary(pdf, doc)
    pdf.heading("Chronology")
    _chronology(pdf, doc)
    pdf.heading("Outcome and follow-up actions")
    _outcome(pdf, doc)
    pdf.heading("DSL review")
    _review(pdf, doc)
    pdf.heading("Integrity statement")
    _integrity(pdf, doc)
    return bytes(pdf.output())


def _damage_notice(pdf: _Document, findings: Sequence[str]) -> None:
    lines = [
        f"DAMAGED RECORD: the integrity check found {_count(len(findings), 'problem')} "
        "in this incident. What follows is what could be read; it may be incomplete or "
        "altered."
    ]
    lines += [f"- {line}" for line in findings[:8]]
    if len(findings) > 8:
        lines.append(f"- and {len(findings) - 8} more, listed in the integrity statement")
    pdf.box("\n".join(lines), fill=DAMAGE_FILL)


def _summary(pdf: _Document, doc: Document) -> None:
    pdf.heading("Summary")
    for item in doc.summary:
        if item.label == "School":
            continue  # printed under the title
        if item.code:
            pdf.code(item.label, item.value)
        else:
            pdf.field(item.label, item.value)


def _chronology(pdf: _Document, doc: Document) -> None:
    if not doc.entries:
        pdf.para("No events could be read.")
        return
    for entry in doc.entries:
        _entry(pdf, entry)
        for amendment in entry.amendments:
            _amendment(pdf, amendment)
        pdf.ln(2)


def _entry(pdf: _Document, entry: Entry) -> None:
    head = f"{entry.seq}. {entry.when} - {entry.heading} - {entry.actor}"
    if pdf.will_page_break(18):
        pdf.add_page()
    if STOP_OVERRIDE in entry.flags or STOP_SHOWN in entry.flags:
        pdf.box(head, fill=STOP_FILL)
    elif ESCALATION in entry.flags or REFER_NOW in entry.flags:
        pdf.box(head, fill=ESCALATION_FILL)
    else:
        pdf.para(head, "B")
    for item in entry.items:
        pdf.field(item.label, item.value, 4)


def _amendment(pdf: _Document, amendment: Entry) -> None:
    pdf.set_draw_color(0, 0, 0)
    start = pdf.get_y()
    pdf.para(f"{amendment.heading}, {amendment.when}, {amendment.actor}", "B", indent=8)
    for item in amendment.items:
        pdf.field(item.label, item.value, 12)
    end = pdf.get_y()
    if end > start:  # a rule down the left of the amendment, when it is on one page
        pdf.line(pdf.l_margin + 6, start, pdf.l_margin + 6, end)


def _outcome(pdf: _Document, doc: Document) -> None:
    sealed = doc.outcome
    if sealed is None:
        pdf.para("Not sealed: the procedure was not finished, so there is no outcome yet.", "B")
        return
    pdf.para(f"Sealed at {sealed.when} by {sealed.actor} (event {sealed.seq}).")
    for item in sealed.items:
        pdf.field(item.label, item.value)


def _review(pdf: _Document, doc: Document) -> None:
    if not doc.reviews:
        pdf.para("No review decisions recorded.")
        return
    pdf.para("Each decision is in the chronology above, under its event number:")
    for entry in doc.reviews:
        pdf.para(f"- {entry.seq}. {entry.when} - {entry.heading} - {entry.actor}", indent=4)


def _integrity(pdf: _Document, doc: Document) -> None:
    if doc.findings:
        lines = [f"DAMAGED: {_count(len(doc.findings), 'problem')} found by the integrity check:"]
        lines += [f"- {line}" for line in doc.findings]
        pdf.box("\n".join(lines), fill=DAMAGE_FILL)
    else:
        pdf.para(
            f"INTACT: all {doc.event_count} events check against the hash rule, each naming "
            "the one before it, and match the index (count, head hash, keyed HMAC).",
            "B",
        )
    pdf.ln(1)
    pdf.code("Head hash", doc.head_hash)
    if doc.last_hash:
        pdf.code("Last event in the file", doc.last_hash)
    if doc.seal_code:
        pdf.field(
            "Seal code", f"{doc.seal_code} (first 10 characters of the hash of the sealed event)"
        )
    else:
        pdf.field("Seal code", "none (the incident is not sealed)")
    pdf.field("Written", f"{utc_text(utc_now())} by incident-tui {__version__}")
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
    yield from doc.findings
    for entry in doc.entries:
        for one in (entry, *entry.amendments):
            yield one.heading
            yield one.actor
            yield from (f"{item.label}{item.value}" for item in one.items)

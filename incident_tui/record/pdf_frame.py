"""The page frame of every PDF the app prints: one look for every record on paper.

An incident, a pupil's chronology or a subject-access copy each lay out their
own body; the frame around it is the same and lives here:

- on every page, the protective marking (OFFICIAL-SENSITIVE, or the school's
  own from the settings) at the top and the bottom, the school and the
  reference, "Page x of y", and "Printed by NAME on DATE TIME";
- a training record says TRAINING on every page, in words and in a shaded band;
- at the end, the printed-by line again and a place to sign (the DSL, and the
  head where the body asks for it), each with name and date lines.

Text is left-aligned (never justified), set in Noto Sans so names in any
script print as typed (Zoë, Łukasz, Nguyễn, 李), with Noto Sans CJK loaded only
when the text needs it (a 16 MB font). Both ship as Python packages
(fontpkg-noto-sans, noto-cjk-sans-jp-regular, OFL).

A body is a function given the `RecordPdf`; it uses the building blocks
(`heading`, `para`, `field`, `code`, `box`) and never sets the frame itself:

    def body(pdf: RecordPdf) -> None:
        pdf.heading("Summary")
        pdf.field("Pupil", "Y10-4821")

    data = render_record(Frame(title=..., reference=..., ...), body, texts)

Plain Python: nothing here imports Textual.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.util import Padding

from incident_tui import __version__
from incident_tui.record.chronology import DEFAULT_MARKING, Printed

__all__ = [
    "DEFAULT_MARKING",
    "DSL_SIGNATURE",
    "HEAD_SIGNATURE",
    "Frame",
    "Printed",
    "RecordPdf",
    "pdf_text",
    "render_record",
]

BODY = "body"
FALLBACK = "body-cjk"

TRAINING_MARK = "TRAINING EXERCISE - NOT A REAL RECORD"

DSL_SIGNATURE = "Designated Safeguarding Lead (DSL)"
HEAD_SIGNATURE = "Headteacher"

STOP_FILL = (255, 205, 205)
ESCALATION_FILL = (255, 228, 170)
DAMAGE_FILL = (255, 205, 205)
TRAINING_FILL = (215, 225, 255)
NOTICE_FILL = (235, 235, 235)


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


@dataclass(frozen=True)
class Frame:
    """What the frame prints around a body."""

    title: str
    """The first page's title, e.g. "Safeguarding incident record 2026-12-02-001"."""
    reference: str
    """On every page, e.g. the incident's reference or "Pupil Y10-4821"."""
    school: str
    training: bool
    printed: Printed = field(default_factory=Printed)
    signatures: Sequence[str] = (DSL_SIGNATURE,)
    """Who signs at the end, in order; empty: no signature block."""
    subject: str = "Safeguarding record"
    """The PDF's title in its metadata, with the reference."""


class RecordPdf(FPDF):
    """An A4 page in the frame, with the building blocks a body uses."""

    def __init__(self, frame: Frame, fallback: bool) -> None:
        super().__init__(format="A4")
        main, cjk = _font_files()
        # Noto Sans is a variable font: making a bold instance costs ~2 s, so bold
        # text is set in the regular weight (emphasis is carried by size, boxes and words).
        for style in ("", "B"):
            self.add_font(BODY, style, main)
        if fallback:
            self.add_font(FALLBACK, "", cjk)
            self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.frame = frame
        self.reference = pdf_text(frame.reference)
        self.school = pdf_text(frame.school)
        self.marking = pdf_text(frame.printed.mark)
        if frame.training:
            self.marking = f"{TRAINING_MARK} - {self.marking}"
        self.printed_line = pdf_text(frame.printed.line())
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=22)
        self.set_title(pdf_text(f"{frame.subject} {self.reference}"))
        self.set_author(self.school)
        self.set_creator(f"incident-tui {__version__}")
        self.alias_nb_pages()

    # --- the frame, on every page ---------------------------------------------

    def header(self) -> None:
        self.set_y(8)
        self.set_font(BODY, "B", 9)
        if self.frame.training:
            self.set_fill_color(*TRAINING_FILL)
        self.cell(
            0, 5, self.marking, align=Align.C, fill=self.frame.training,
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
        self.set_font(BODY, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, self.school, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(0, 5, self.reference, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0, 0, 0)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-17)
        self.set_font(BODY, "", 8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 5, self.printed_line, new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(
            0, 5, f"Page {self.page_no()} of {{nb}}", align=Align.R,
            new_x=XPos.LMARGIN, new_y=YPos.NEXT,
        )  # fmt: skip
        self.set_text_color(0, 0, 0)
        self.set_font(BODY, "B", 9)
        if self.frame.training:
            self.set_fill_color(*TRAINING_FILL)
        self.cell(0, 5, self.marking, align=Align.C, fill=self.frame.training)

    # --- building blocks --------------------------------------------------------

    def title_line(self, text: str) -> None:
        self.set_font(BODY, "B", 16)
        self.multi_cell(0, 8, pdf_text(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str) -> None:
        """A section heading with a rule under it; never alone at the foot of a page."""
        if self.will_page_break(20):
            self.add_page()
        self.ln(3)
        self.set_font(BODY, "B", 12)
        self.multi_cell(0, 7, pdf_text(text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(0, 0, 0)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)

    def para(self, text: str, style: str = "", size: int = 10, indent: float = 0) -> None:
        """A left-aligned paragraph, wrapped at words."""
        self.set_font(BODY, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0,
            5,
            pdf_text(text),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.WORD,
        )

    def field(self, label: str, value: str, indent: float = 0) -> None:
        self.para(f"{label}: {value}", indent=indent)

    def code(self, label: str, value: str) -> None:
        """A hash or id: broken anywhere, in a fixed-width font."""
        self.set_font(BODY, "", 10)
        self.multi_cell(
            0, 5, pdf_text(f"{label}:"), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        # a fixed-width core font for a hash; one edited by hand may hold anything
        self.set_font("Courier" if value.isascii() else BODY, "", 9)
        self.set_x(self.l_margin + 4)
        self.multi_cell(
            0,
            5,
            pdf_text(value),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR,
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
            align=Align.L,
            padding=Padding.new(1.5),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_line_width(0.2)
        self.ln(1)

    # --- the end of the record ---------------------------------------------------

    def sign_off(self) -> None:
        """The printed-by line, then a place for each signature the frame asks for."""
        signatures = list(self.frame.signatures)
        needed = 14 + 24 * len(signatures)
        if self.will_page_break(needed):
            self.add_page()
        self.heading("Printed and signed")
        self.para(self.printed_line)
        self.para(f"Marking: {self.marking}. Keep in the locked safeguarding file.", size=9)
        for role in signatures:
            self.ln(6)
            self.para(pdf_text(role), "B")
            self.ln(5)
            y = self.get_y()
            self._sign_line("Signature", self.l_margin, y, 80)
            self._sign_line("Name", self.l_margin + 90, y, 50)
            self._sign_line("Date", self.l_margin + 146, y, 28)
            self.set_y(y + 6)

    def _sign_line(self, label: str, x: float, y: float, width: float) -> None:
        self.set_draw_color(0, 0, 0)
        self.line(x, y, x + width, y)
        self.set_font(BODY, "", 8)
        self.set_xy(x, y + 0.5)
        self.cell(width, 4, label)


def render_record(frame: Frame, body: Callable[[RecordPdf], None], texts: Iterable[str]) -> bytes:
    """A PDF: the title, the TRAINING notice for training, the body, then the sign-off.

    `texts` are the record's own texts the body will print (to load the CJK
    font only when one needs it)."""
    all_texts = [frame.title, frame.reference, frame.school, frame.printed.line(), *texts]
    pdf = RecordPdf(frame, _needs_fallback(all_texts))
    pdf.add_page()
    pdf.title_line(frame.title)
    pdf.para(pdf.school, "B", 12)
    pdf.ln(2)
    if frame.training:
        pdf.box(
            "TRAINING: a training exercise, not a real incident. It is not part of the "
            "live record.",
            fill=TRAINING_FILL,
        )
    body(pdf)
    pdf.sign_off()
    return bytes(pdf.output())

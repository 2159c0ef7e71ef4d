"""The PDF export, read back with pypdf: what the locked safeguarding file will hold."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pypdf

from incident_tui.record.archive import export_all
from incident_tui.record.events import Actor
from incident_tui.record.export import read_json_export
from incident_tui.record.pdf_export import export_pdf
from incident_tui.record.references import seal_code
from incident_tui.record.store import Store
from incident_tui.record.verify import verify_events, verify_store
from incident_tui.review import append_review, review_labels
from tests.review_fixtures import KEY, Record
from tests.tools import require_tool

SCHOOL = "St Mary’s C of E Primary — Brønshøj"


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def read(record: Record, incident: str):
    store = record.readonly()
    row = store.row(incident)
    events = store.events(incident)
    findings = verify_store(record.root, KEY, incident=incident).findings
    return row, events, findings


def test_the_pdf_holds_chronology_flags_outcome_review_and_integrity(record: Record) -> None:
    with Store.open(record.root, key=KEY, mode="live") as store:
        append_review(
            store,
            record.flagged.id,
            Actor(name="Sam Patel", role="DSL"),
            "referral",
            {"agency": "Police", "when": "2026-11-24 10:30", "advice": "Keep the knife locked"},
            None,
        )
    row, events, findings = read(record, record.flagged.id)
    text = flat(pdf_text(export_pdf(row, events, findings, SCHOOL, review_labels())))

    assert SCHOOL in text  # as typed: the curly apostrophe and the dash too
    assert f"Safeguarding incident record {row.reference}" in text
    assert "Procedure: searching, version 2.1" in text
    for words in (
        "What are the reasonable grounds?",
        "Seen passing a vape",
        "Rationale: Two staff saw it",
        "STOP OVERRIDE RECORDED",
        "ESCALATION - immediate risk flagged",
        "A weapon may be involved: call the police",
        "AMENDED by event 4",
        "misheard: it was a knife, not a vape",
        "STOPs shown 0, stop overrides 1, escalations 1, amendments 1",
        "Outcome: referred",
        "Keep the device locked",
        "DSL review",
        "DSL review: Referral made, by Sam Patel (DSL)",
        "Advice given: Keep the knife locked",
        "Verified INTACT: all 7 events check",
        f"Seal code: {seal_code(next(e for e in events if e.kind == 'sealed').hash)}",
    ):
        assert words in text, words
    assert row.head_hash in text.replace(" ", "")
    # the amendment is printed straight after the decision it amends, before the override
    assert text.index("AMENDED by event 4") < text.index("STOP OVERRIDE RECORDED")
    # one label per field: the referral's advice is printed once, in the chronology
    assert text.count("Keep the knife locked") == 1


def test_a_damaged_incident_says_so_on_the_first_page(record: Record) -> None:
    row, events, findings = read(record, record.damaged.id)
    assert findings
    data = export_pdf(row, events, findings, SCHOOL)
    first = flat(pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text())
    assert "DAMAGED RECORD" in first
    assert f"event {findings[0].seq}, {findings[0].kind}" in first
    assert "INTACT" not in flat(pdf_text(data))


def test_names_in_any_script_print_as_typed(record: Record, tmp_path: Path) -> None:
    # Before, the PDF reduced text to Latin-1: "Pupil reference: Y9-??-?".
    names = ["Zoë", "Łukasz", "Nguyễn", "李"]
    with Store.open(record.root, key=KEY, mode="live") as store:
        for name in names:
            append_review(
                store, record.plain.id, Actor(name=name, role="DSL"), "sign-off", {}, None
            )
    row, events, findings = read(record, record.plain.id)
    text = pdf_text(export_pdf(row, events, findings, "Ysgol Gymraeg Bro Morgannwg — Zoë"))
    for name in names:
        assert f"{name} (DSL)" in text.replace("  ", " "), name


def test_a_latin_only_pdf_does_not_load_the_large_cjk_font(record: Record) -> None:
    row, events, findings = read(record, record.plain.id)
    data = export_pdf(row, events, findings, SCHOOL)
    assert b"NotoSansCJK" not in data and b"NotoSans" in data


def test_export_all_as_json_re_verifies_with_the_hash_rule(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "archive"
    count, damaged = export_all(record.readonly(), out, "json", SCHOOL)
    assert count == 4
    assert damaged == [record.damaged.reference]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 4
    for entry in manifest["files"]:
        row, events = read_json_export((out / entry["file"]).read_text(encoding="utf-8"))
        findings = verify_events(events)
        assert events[-1].hash == row.head_hash == entry["head_hash"]
        assert (findings == []) == entry["intact"], entry["reference"]
        assert (out / entry["file"]).stat().st_mode & 0o077 == 0


def test_export_all_as_pdf_writes_one_file_per_incident(record: Record, tmp_path: Path) -> None:
    out = tmp_path / "pdfs"
    count, _ = export_all(record.readonly(), out, "pdf", SCHOOL)
    files = sorted(out.glob("*.pdf"))
    assert count == len(files) == 4
    damaged = out / f"incident-{record.damaged.reference}.pdf"
    assert "DAMAGED RECORD" in pdf_text(damaged.read_bytes())


# --- the PDF as a safeguarding record a DSL files ---------------------------------

ALEX_DSL = Actor(name="Alex Example", role="DSL")
ALEX_LONG = Actor(name="Alex Example", role="Designated Safeguarding Lead")
TUTOR = Actor(name="J. Tutor", role="form tutor")
PRINTED_BY = "Sam Patel (DSL)"


def nudes_incident(root: Path, training: bool = False) -> str:
    """A sharing-nudes incident through the shipped flow and the app's own Incident:
    a STOP shown (reaching for 'look to check'), an escalation, a referral, a staff
    note, then the DSL's review under two spellings of one role."""
    from incident_tui.flow.available import get_flow
    from incident_tui.flow.engine import AnswerInput, InterlockBlocked
    from incident_tui.incident import Incident, Opening
    from incident_tui.settings import Settings
    from tests.flow_driver import default_answer

    loaded = get_flow("nudes-sharing")
    plan = {
        "how-aware": "shown-or-saw",
        "trigger-adult": "yes",
        "reported-description": "Pupil says an older contact is demanding money",
        "referral-details": "Police ref 01/23456/26, 11:05",
    }
    mode = "training" if training else "live"
    with Store.open(root, key=KEY, mode=mode) as store:
        incident = Incident.open(
            store, loaded, Opening(TUTOR, "Y10-4821", "Form room 12"), Settings()
        )
        tried_stop = False
        for _ in range(200):
            if incident.session.ended:
                break
            step = incident.session.current.id
            if step == "what-now" and not tried_stop:
                tried_stop = True
                try:
                    incident.submit(AnswerInput(step, "look-to-check", "Reason given"))
                except InterlockBlocked as blocked:
                    incident.stop_shown(blocked)
                continue
            value = plan.get(step, default_answer(incident.session))
            incident.submit(AnswerInput(step, value, "Reason given"))
        assert tried_stop
        incident.note("Parent phoned at 15:10; told the DSL.")
        incident.seal()
        append_review(store, incident.row.id, ALEX_DSL, "note", {"text": "Read the record."}, None)
        append_review(
            store, incident.row.id, ALEX_LONG, "review-date", {"date": "2027-01-15"}, None
        )
        return incident.row.id


def written_pdf(root: Path, incident: str, tmp_path: Path, by: str | None = PRINTED_BY) -> bytes:
    from incident_tui.review.exports import export_incident

    out = tmp_path / f"{incident}-{by is None}.pdf"
    with Store.open(root, key=KEY, mode="live", readonly=True) as store:
        export_incident(store, incident, "pdf", out, SCHOOL, viewer=None, printed_by=by)
    return out.read_bytes()


def pages_text(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_summary_comes_first_and_says_what_a_dsl_files(tmp_path: Path) -> None:
    root = tmp_path / "live"
    text = flat(pdf_text(written_pdf(root, nudes_incident(root), tmp_path)))
    summary = text[text.index("Summary") : text.index("Chronology")]
    for words in (
        "Pupil: Y10-4821",
        "Procedure: Sharing nudes and semi-nudes, version",
        "Opened: ",
        "by J. Tutor (form tutor), at Form room 12",
        "What was reported: Pupil says an older contact is demanding money",
        "Referred to: ",
        "Referral details (agency, time, reference): Police ref 01/23456/26, 11:05",
        "Outcome: ",
        "Escalations: - An adult is involved: this is child sexual abuse.",
        "STOPs shown: 'Look at the image first, to check what it shows' was chosen, which would "
        "break the rule: Staff never view the imagery",
        "Stop overrides (exceptions recorded): none",
        "Review date (DSL review): 2027-01-15",
    ):
        assert words in summary, words
    assert text.index("Summary") < text.index("Chronology") < text.index("Integrity statement")


def test_no_internal_id_reaches_the_page(tmp_path: Path) -> None:
    # Before: "[shown-or-saw]", "Step: how-aware", "To: refer-now", "Contact: mash".
    root = tmp_path / "live"
    text = flat(pdf_text(written_pdf(root, nudes_incident(root), tmp_path)))
    for internal in (
        "shown-or-saw",
        "look-to-check",
        "how-aware",
        "Step:",
        "To: refer-now",
        "Contact:",
        "Invariant:",
        "nudes-sharing",
        "Internal id",
    ):
        assert internal not in text, internal
    assert "How did you find out? Answer: A pupil showed me, or I saw it on a device" in text


def test_one_person_is_listed_once_with_every_role(tmp_path: Path) -> None:
    # Before: "Alex Example (DSL), Alex Example (Designated Safeguarding Lead)".
    root = tmp_path / "live"
    text = flat(pdf_text(written_pdf(root, nudes_incident(root), tmp_path)))
    people = text[text.index("People involved:") : text.index("Chronology")]
    assert "Alex Example (DSL; Designated Safeguarding Lead)" in people
    assert people.count("Alex Example") == 1
    assert people.count("J. Tutor") == 1


def test_notes_and_the_stop_are_not_under_dsl_review(tmp_path: Path) -> None:
    root = tmp_path / "live"
    text = flat(pdf_text(written_pdf(root, nudes_incident(root), tmp_path)))
    review = text[text.index("DSL review The DSL") : text.index("Integrity statement")]
    assert "Review note, by Alex Example (DSL)" in review
    assert "Review date, by Alex Example (Designated Safeguarding Lead)" in review
    assert "Parent phoned" not in review and "STOP" not in review
    # the staff note is in the chronology, in its place
    assert "Note: Parent phoned at 15:10; told the DSL." in text


def test_every_page_has_the_marking_the_reference_page_x_of_y_and_printed_by(
    tmp_path: Path,
) -> None:
    root = tmp_path / "live"
    incident = nudes_incident(root)
    pages = pages_text(written_pdf(root, incident, tmp_path))
    reference = Store.open(root, key=KEY, mode="live", readonly=True).row(incident).reference
    assert len(pages) > 1
    for number, page in enumerate(pages, start=1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, number  # top and foot
        assert f"Incident {reference}" in page
        assert f"Page {number} of {len(pages)}" in page
        assert f"Printed by {PRINTED_BY} on 2026-" in page
        assert "TRAINING" not in page
    last = pages[-1]
    assert "Printed and signed" in last
    assert "Designated Safeguarding Lead (DSL)" in last and "Headteacher" in last
    assert last.count("Signature") == 2 and last.count("Date") >= 2


def test_a_pdf_printed_by_no_one_known_says_so(tmp_path: Path) -> None:
    root = tmp_path / "live"
    text = flat(pdf_text(written_pdf(root, nudes_incident(root), tmp_path, by=None)))
    assert "Printed by (name not known: no one was signed in or named) on" in text


def test_the_school_s_marking_and_training_are_on_every_page(record: Record) -> None:
    from incident_tui.record.chronology import Printed

    with Store.open(record.root.parent / "training", key=KEY, mode="training") as store:
        row = store.new_incident(flow=record_flow(), actor=TUTOR, details={"pupil": "T-1"})
        for n in range(60):  # long enough for several pages
            store.append(row.id, kind="note", actor=TUTOR, answer=f"Training note {n}")
        events = store.events(row.id)
        row = store.row(row.id)
    data = export_pdf(row, events, [], SCHOOL, printed=Printed(by="Ann", marking="OFFICIAL"))
    pages = pages_text(data)
    assert len(pages) > 1
    for page in pages:
        assert "TRAINING EXERCISE - NOT A REAL RECORD - OFFICIAL" in page
        assert "OFFICIAL-SENSITIVE" not in page


def record_flow():
    from tests.review_fixtures import NUDES

    return NUDES


def test_text_is_left_aligned_not_justified(record: Record) -> None:
    # A justified line stretches the space between its words: with the embedded font
    # fpdf2 writes it as a TJ array with an offset after each space (")-N(").
    row, events, findings = read(record, record.flagged.id)
    data = export_pdf(row, events, findings, SCHOOL, review_labels())
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        content = page.get_contents()
        assert content is not None
        assert re.search(rb"\)\s*-?\d+(\.\d+)?\s*\(", content.get_data()) is None


# --- the pages as a printer sees them ------------------------------------------------


def png_pixels(path: Path) -> tuple[int, int, bytes]:
    """(width, height, one byte per sample) of an 8-bit greyscale or RGB PNG."""
    import struct
    import zlib

    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 1
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (0, 2), "expected 8-bit greyscale or RGB"
            bpp = 1 if colour == 0 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, rows, stride = zlib.decompress(idat), [], width * bpp
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + near) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, b"".join(rows)


@require_tool("pdftoppm")
def test_every_page_renders_to_a_png_that_is_not_blank(tmp_path: Path) -> None:
    root = tmp_path / "live"
    data = written_pdf(root, nudes_incident(root), tmp_path)
    pdf = tmp_path / "incident.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == len(pypdf.PdfReader(io.BytesIO(data)).pages) > 1
    for png in pngs:
        width, height, pixels = png_pixels(png)
        assert width < height  # A4, portrait
        dark = sum(1 for value in pixels if value < 128)
        assert dark > len(pixels) // 500, f"{png.name} is blank"


@require_tool("pdftotext")
def test_pdftotext_reads_the_summary_before_the_chronology(tmp_path: Path) -> None:
    root = tmp_path / "live"
    pdf = tmp_path / "incident.pdf"
    pdf.write_bytes(written_pdf(root, nudes_incident(root), tmp_path))
    text = flat(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
    )
    assert text.index("Pupil: Y10-4821") < text.index("Chronology")
    assert f"Printed by {PRINTED_BY} on" in text
    assert "shown-or-saw" not in text


def test_the_school_s_marking_is_kept_in_the_config_file(tmp_path: Path) -> None:
    from incident_tui.settings import School, Settings, load_settings, settings_toml

    path = tmp_path / "config.toml"
    path.write_text(
        settings_toml(Settings(school=School(name="Example Academy", marking="OFFICIAL")))
    )
    assert load_settings(path).school.marking == "OFFICIAL"


def test_the_pdf_says_who_viewed_the_incident(record: Record) -> None:
    from incident_tui.record.viewings import VIA_PDF, record_viewing, viewing_line, viewings

    store = Store.open(record.root, key=KEY, mode="live", readonly=True)
    row = store.row(record.plain.reference)
    viewer = Actor(name="Alice Khan", role="DSL", login="alice")
    record_viewing(record.root, KEY, row.id, viewer, VIA_PDF)
    lines = [viewing_line(v) for v in viewings(record.root, row.id)[0]]
    data = export_pdf(row, store.events(row.id), [], "School", review_labels(), viewed_by=lines)
    text = flat(pdf_text(data))
    assert "Viewed by" in text and "Alice Khan (DSL), login alice" in text

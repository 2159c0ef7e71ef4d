"""The PDF export, read back with pypdf: what the locked safeguarding file will hold."""

from __future__ import annotations

import io
import json
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
        "DSL review: Referral made - Sam Patel (DSL)",
        "Advice given: Keep the knife locked",
        "INTACT: all 7 events check",
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

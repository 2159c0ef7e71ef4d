"""One chronology, four outputs: `show`, Markdown, PDF and the DSL's screen say the same."""

from __future__ import annotations

import io
import json

import pypdf
import pytest

from incident_tui.record.chronology import STOP_SHOWN, chronology
from incident_tui.record.events import Actor, EventKind
from incident_tui.record.export import export_markdown, incident_text
from incident_tui.record.pdf_export import export_pdf
from incident_tui.record.store import Store, incident_path
from incident_tui.record.verify import verify_store
from incident_tui.review import (
    IncidentList,
    ListQuery,
    append_review,
    attention_reasons,
    review_labels,
)
from tests.review_fixtures import HEAD, KEY, Record

DSL = Actor(name="Sam Patel", role="DSL")
ESCAPES = {
    "CSI": "\x1b[31mred\x1b[0m",
    "OSC": "\x1b]0;TITLE\x07",
    "C1": "\x9b2J",
    "bidi": "\u202egnp.exe",
}


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def outputs(record: Record, incident: str) -> dict[str, str]:
    store = record.readonly()
    row, events = store.row(incident), store.events(incident)
    findings = verify_store(record.root, KEY, incident=incident).findings
    labels = review_labels()
    return {
        "show": incident_text(row, events, findings, "Hillside", labels),
        "markdown": export_markdown(row, events, findings, "Hillside", labels),
        "pdf": pdf_text(export_pdf(row, events, findings, "Hillside", labels)),
        "screen": "\n".join(
            f"{e.heading} - {e.actor}\n" + "\n".join(f"{i.label}: {i.value}" for i in e.items)
            for e in chronology(events, labels)
        ),
    }


def test_one_review_decision_reads_the_same_once_in_every_output(record: Record) -> None:
    with Store.open(record.root, key=KEY, mode="live") as store:
        append_review(
            store,
            record.plain.id,
            DSL,
            "referral",
            {
                "agency": "Police",
                "when": "2026-11-24 10:30",
                "agency_reference": "REF9",
                "advice": "Keep it locked away",
            },
            None,
        )
    for name, text in outputs(record, record.plain.id).items():
        assert text.count("Their reference number: REF9") == 1, name
        assert "agency_reference" not in text, name
        assert "Referral made" in text, name


def test_internal_ids_stay_out_of_every_output(record: Record) -> None:
    for name, text in outputs(record, record.flagged.id).items():
        for internal in ("serious-harm", "Step:", "Contact:"):
            assert internal not in text, (name, internal)


def _with_escapes_by_hand(record: Record) -> None:
    """Edit the plain incident's file as an attacker (or an older version) might."""
    path = incident_path(record.root, record.plain.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    event = data["events"]["2"]
    event["rationale"] = " ".join(ESCAPES.values())
    event["prompt"] = "Is an adult involved?\x1b[2J"
    event["actor"]["name"] = "Jane\x1b]0;pwned\x07 Smith"
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_hand_edited_record_with_terminal_escapes_prints_safely(record: Record) -> None:
    _with_escapes_by_hand(record)
    for name, text in outputs(record, record.plain.id).items():
        for char in ("\x1b", "\x07", "\x9b", "\u202e"):
            assert char not in text, (name, repr(char))
        if name in ("show", "screen"):  # shown as escapes a reader can see
            assert "\\x1b[31mred\\x1b[0m" in text, name
            assert "\\u202egnp.exe" in text and "Jane\\x1b]0;pwned\\x07 Smith" in text, name


def _stop_shown(record: Record) -> None:
    with Store.open(record.root, key=KEY, mode="live") as store:
        store.append(
            record.open_one.id,
            kind=EventKind.note,
            actor=HEAD,
            step="who-searches",
            answer="STOP shown: 'A teacher of the other sex, alone' was chosen, which would "
            "break the rule: a search needs a same-sex searcher and a witness",
            data={"stop": "other-sex-alone"},
        )


def test_a_stop_shown_is_a_flag_in_the_index_list_filter_and_documents(record: Record) -> None:
    _stop_shown(record)
    row = record.readonly().row(record.open_one.id)
    assert (row.stops, row.overrides) == (1, 0)
    listing = IncidentList(record.readonly().rows())
    flagged = [r.id for r in listing.select(ListQuery(flagged_only=True))]
    assert record.open_one.id in flagged
    assert "1 STOP(s) shown" in attention_reasons(row, {})
    texts = outputs(record, record.open_one.id)
    for name in ("show", "markdown", "pdf"):
        assert "STOPs shown 1, stop overrides 0" in texts[name], name
    assert "STOP SHOWN" in texts["screen"]
    entries = chronology(record.readonly().events(record.open_one.id))
    assert STOP_SHOWN in entries[-1].flags and entries[-1].emphasised
    assert "other-sex-alone" not in "".join(texts.values())
    assert verify_store(record.root, KEY).damaged(record.open_one.id) == []


def test_an_index_row_written_before_stops_were_counted_still_verifies(record: Record) -> None:
    from incident_tui.record.storage import dump_record_json
    from incident_tui.record.store import shard_path

    path = shard_path(record.root, record.plain.id)
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["incidents"].values():
        row.pop("stops")
    path.write_bytes(dump_record_json(data))  # as an earlier version wrote it
    assert verify_store(record.root, KEY).damaged(record.plain.id) == []
    assert record.readonly().row(record.plain.id).stops == 0


@pytest.mark.parametrize("older", [False, True])
def test_refer_now_and_the_agency_chosen_read_in_words(record: Record, older: bool) -> None:
    from incident_tui.record.chronology import REFER_NOW

    with Store.open(record.root, key=KEY, mode="live") as store:
        store.append(
            record.open_one.id,
            kind=EventKind.escalation if older else EventKind.refer_now,
            actor=HEAD,
            step="grounds",
            prompt="Refer now to the police or children's social care",
            data={"refer_now": True, "to": "referral-details"}
            if older
            else {"to": "referral-details"},
        )
        store.append(
            record.open_one.id,
            kind=EventKind.answer,
            actor=HEAD,
            step="referral-details",
            prompt="Who was the referral made to?",
            answer="csc",
            rationale="A child is at risk at home",
            data={
                "answer_text": ["Children's social care"],
                "referred_to": ["Children's social care"],
            },
        )
    entries = chronology(record.readonly().events(record.open_one.id))
    refer, answer = entries[-2], entries[-1]
    assert refer.heading == "REFER NOW" and REFER_NOW in refer.flags and refer.emphasised
    assert [(i.label, i.value) for i in answer.items][1:] == [
        ("Referred to", "Children's social care"),
        ("Rationale", "A child is at risk at home"),
    ]
    text = outputs(record, record.open_one.id)["markdown"]
    assert "referral-details" not in text and "csc" not in text

"""Exports of one incident: what a DSL reads, and what anyone can re-check."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from incident_tui.errors import UserError
from incident_tui.record.events import GENESIS, Actor, Event, FlowRef, make_event
from incident_tui.record.export import (
    FORMATS,
    HASH_RULE,
    export_json,
    export_markdown,
    incident_text,
    read_json_export,
    render_export,
)
from incident_tui.record.references import seal_code
from incident_tui.review import review_labels

FLOW = FlowRef(id="sharing-nudes", version="1.2", hash="ab" * 32)
TEACHER = Actor(name="Jane Smith", role="teacher")
DSL = Actor(name="Sam Patel", role="DSL")
INCIDENT = "1f" * 16


def chain(specs: list[dict], mode: str = "live") -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for seq, spec in enumerate(specs):
        spec = dict(spec)
        actor = spec.pop("actor", TEACHER)
        event = make_event(
            incident=INCIDENT,
            seq=seq,
            time=f"2026-11-24T09:{seq:02d}:00.000000Z",
            actor=actor,
            mode=mode,
            flow=FLOW,
            prev=prev,
            **spec,
        )
        events.append(event)
        prev = event.hash
    return events


def sample_events(mode: str = "live") -> list[Event]:
    return chain(
        [
            {
                "kind": "opened",
                "data": {"reference": "2026-11-24-001", "pupil": "P-4471", "location": "Library"},
            },
            {
                "kind": "answer",
                "step": "who",
                "prompt": "Who is involved?",
                "answer": "pupils only",
                "rationale": "the pupil said so",
            },
            {
                "kind": "override",
                "step": "witness",
                "prompt": "Is a second member of staff present?",
                "answer": "no",
                "rationale": "no one else on site",
                "data": {
                    "override": "serious-harm",
                    "override_label": "risk of serious harm if the search waits",
                },
            },
            {
                "kind": "escalation",
                "step": "adult",
                "prompt": "Is an adult involved?",
                "answer": "yes",
                "data": {"contact": "police", "message": "Call 999 now"},
            },
            {"kind": "sealed", "step": "end", "answer": "referred to police"},
            {
                "kind": "amendment",
                "step": "who",
                "answer": "pupils and an adult",
                "actor": DSL,
                "data": {"amends": 1, "reason": "misheard at the time"},
            },
            {"kind": "note", "answer": "Parents informed by phone", "actor": DSL},
            {
                "kind": "reviewed",
                "rationale": "procedure followed",
                "actor": DSL,
                "data": {"review": "sign-off"},
            },
        ],
        mode=mode,
    )


def row_for(events: list[Event], mode: str = "live"):
    from incident_tui.record.store import IndexRow

    sealed = next((e for e in events if e.kind == "sealed"), None)
    return IndexRow(
        id=INCIDENT,
        reference="2026-11-24-001",
        flow_id=FLOW.id,
        flow_version=FLOW.version,
        flow_hash=FLOW.hash,
        mode=mode,
        status="reviewed",
        opened=events[0].time,
        sealed=sealed.time if sealed else None,
        event_count=len(events),
        head_hash=events[-1].hash,
        hmac="00" * 32,
        actor="Jane Smith (teacher)",
        pupil="P-4471",
        last_step="end",
        last_time=events[-1].time,
        overrides=1,
        escalations=1,
        amendments=1,
        review_date=None,
    )


@pytest.fixture
def events() -> list[Event]:
    return sample_events()


@pytest.fixture
def markdown(events) -> str:
    return export_markdown(row_for(events), events, [], "Hillside Academy", review_labels())


def test_seal_code_is_first_ten_hex_characters_grouped_upper_case():
    assert seal_code("4d2246bc22" + "0" * 54) == "4D224-6BC22"


def test_markdown_names_the_incident_procedure_and_people(markdown):
    assert markdown.startswith("# Incident 2026-11-24-001")
    assert "Hillside Academy" in markdown
    assert "- Procedure: sharing-nudes, version 1.2" in markdown
    assert FLOW.hash in markdown
    assert "Pupil reference: P-4471" in markdown
    assert "Jane Smith (teacher)" in markdown and "Sam Patel (DSL)" in markdown
    assert "Mode: live" in markdown and "TRAINING" not in markdown


def test_markdown_chronology_has_time_actor_step_prompt_answer_rationale(markdown):
    assert "2026-11-24 09:01:00 UTC" in markdown
    assert "- Prompt: Who is involved?" in markdown
    assert "- Answer: pupils only" in markdown
    assert "- Rationale: the pupil said so" in markdown


def test_overrides_and_escalations_are_marked_in_words(markdown):
    assert "**STOP OVERRIDE RECORDED**" in markdown
    assert "- Exception recorded: risk of serious harm if the search waits" in markdown
    assert "**ESCALATION - immediate risk flagged**" in markdown
    assert "Call 999 now" in markdown


def test_internal_ids_stay_out_of_what_people_read(markdown):
    for internal in ("serious-harm", "Contact:", "Step:", "[", "sign-off"):
        assert internal not in markdown, internal
    assert "DSL review: Sign off" in markdown  # the catalogue's words, not its id
    assert "Internal id: `" + INCIDENT + "`" in markdown  # the one id a DSL may quote


def test_an_amendment_is_shown_directly_after_the_event_it_amends(markdown):
    amended = markdown.index("### 1. ")
    amendment = markdown.index("**AMENDED by event 5**, 2026-11-24 09:05:00 UTC, by Sam Patel")
    next_event = markdown.index("### 2. ")
    assert amended < amendment < next_event
    block = markdown[amendment:next_event]
    assert "  - Answer: pupils and an adult" in block
    assert "  - Reason for amendment: misheard at the time" in block
    assert "(AMENDED, see below)" in markdown[amended:amendment]


def test_notes_and_review_events_are_shown_once_in_the_chronology(markdown):
    section = markdown[markdown.index("## Chronology") : markdown.index("## Integrity")]
    assert markdown.count("Parents informed by phone") == 1
    assert "- Note: Parents informed by phone" in section
    assert markdown.count("procedure followed") == 1
    assert "say why): procedure followed" in section  # the catalogue names the reason


def test_intact_statement_has_head_hash_and_seal_code(events, markdown):
    section = markdown[markdown.index("## Integrity") :]
    assert "**Intact**" in section
    assert events[-1].hash in section
    sealed = next(e for e in events if e.kind == "sealed")
    assert seal_code(sealed.hash) in section


def test_a_training_export_says_so_at_the_top():
    events = sample_events(mode="training")
    text = export_markdown(row_for(events, mode="training"), events, [], "Hillside Academy")
    top = "\n".join(text.splitlines()[:4])
    assert "TRAINING" in top


def test_a_damaged_incident_is_stated_at_the_top_and_every_finding_listed(events):
    from incident_tui.record.verify import Finding

    findings = [
        Finding(INCIDENT, "2026-11-24-001", 3, "changed", "incidents/x.json: event 3 changed"),
        Finding(INCIDENT, "2026-11-24-001", 7, "truncated", "incidents/x.json: cut after 6"),
    ]
    text = export_markdown(row_for(events), events, findings, "Hillside Academy")
    top = "\n".join(text.splitlines()[:4])
    assert "DAMAGED RECORD" in top and "2 problems" in top
    section = text[text.index("## Integrity") :]
    assert "event 3, changed: incidents/x.json: event 3 changed" in section
    assert "event 7, truncated" in section
    assert "**Intact**" not in text


def test_terminal_text_uses_the_same_words_without_markup(events):
    text = incident_text(row_for(events), events, [], "Hillside Academy")
    assert "STOP OVERRIDE RECORDED" in text and "**" not in text and "`" not in text
    assert "AMENDED by event 5, 2026-11-24 09:05:00 UTC, by Sam Patel (DSL):" in text


def test_json_export_holds_every_event_as_stored_and_round_trips(events):
    row = row_for(events)
    text = export_json(row, events)
    document = json.loads(text)
    assert document["hash_rule"] == HASH_RULE
    assert document["events"] == [e.model_dump(mode="json") for e in events]
    back_row, back_events = read_json_export(text)
    assert back_row == row
    assert back_events == events


def test_json_export_re_checks_with_verify_events(events):
    from incident_tui.record.verify import verify_events

    _row, back = read_json_export(export_json(row_for(events), events))
    assert verify_events(back) == []


def test_json_export_re_checks_with_the_documented_rule_alone(events):
    document = json.loads(export_json(row_for(events), events))
    prev = "0" * 64
    for seq, event in enumerate(document["events"]):
        body = {k: v for k, v in event.items() if k != "hash"}
        canonical = json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
        assert hashlib.sha256(canonical).hexdigest() == event["hash"]
        assert event["prev"] == prev and event["seq"] == seq
        prev = event["hash"]
    assert prev == document["index_row"]["head_hash"]


def test_a_changed_answer_in_a_json_export_is_caught_by_the_rule(events):
    from incident_tui.record.verify import verify_events

    document = json.loads(export_json(row_for(events), events))
    document["events"][1]["answer"] = "nobody"
    _row, back = read_json_export(json.dumps(document))
    findings = verify_events(back)
    assert findings and findings[0].seq == 1


def test_reading_something_that_is_not_an_export_is_a_user_error():
    with pytest.raises(UserError):
        read_json_export("{}")
    with pytest.raises(UserError):
        read_json_export("not json")


def test_formats_are_one_entry_each_and_match_the_command_choices():
    from incident_tui.commands.record_cmd import EXPORT_FORMATS

    assert tuple(FORMATS) == EXPORT_FORMATS


def test_exports_never_import_textual():
    code = (
        "import sys, incident_tui.record.export, incident_tui.record.references, "
        "incident_tui.commands.record_cmd; "
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_format_renders_through_the_one_dispatch(events):
    row = row_for(events)
    assert render_export("md", row, events, [], "Hillside").decode().startswith("# Incident")
    assert json.loads(render_export("json", row, events, [], "Hillside"))["events"]
    assert render_export("pdf", row, events, [], "Hillside").startswith(b"%PDF")
    with pytest.raises(UserError, match="no export format 'txt'"):
        render_export("txt", row, events, [], "Hillside")


def test_the_pdf_library_loads_only_when_a_pdf_is_asked_for():
    code = (
        "import sys\n"
        "from tests.test_export import sample_events, row_for\n"
        "from incident_tui.record.export import render_export\n"
        "events = sample_events(); row = row_for(events)\n"
        "render_export('md', row, events, [], 'x'); render_export('json', row, events, [], 'x')\n"
        "assert 'fpdf' not in sys.modules, 'fpdf loaded for md/json'\n"
        "assert render_export('pdf', row, events, [], 'x').startswith(b'%PDF')\n"
        "assert 'fpdf' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
